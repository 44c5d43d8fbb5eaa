/**
 * A stored render as the API shows it (the spec's `Render`) and as the `renderStatus` webhook sends it
 * (the spec's `RenderStatusEvent`).
 */
import type { RenderRecord } from '../../store/types.js';
import type { RenderData, RenderStatusEvent, RenderView } from './types.js';

/** The data of a stored render. */
export function renderData(record: RenderRecord): RenderData {
  return record.data as unknown as RenderData;
}

/** The API object; `projectId` is the project's numeric API key, as the legacy SDKs read it. */
export function renderView(record: RenderRecord, apiKey: string): RenderView {
  const data = renderData(record);
  return {
    id: record.id,
    sessionId: record.sessionId,
    projectId: apiKey,
    applicationId: record.applicationId,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    url: data.url,
    resolution: data.resolution,
    status: record.status,
    ...(data.streamId !== undefined ? { streamId: data.streamId } : {}),
    ...(data.reason !== undefined && (record.status === 'stopped' || record.status === 'failed')
      ? { reason: data.reason }
      : {}),
    ...(data.name !== undefined ? { name: data.name } : {}),
    ...(data.callbackUrl !== undefined ? { callbackUrl: data.callbackUrl } : {}),
  };
}

/**
 * The webhook body for a status change of `record` (already in its new status, other than `starting`).
 * `name` is an empty string when the render has none, as the spec requires the field.
 */
export function renderStatusEvent(
  record: RenderRecord,
  apiKey: string,
  timestamp: number,
): RenderStatusEvent {
  if (record.status === 'starting') throw new TypeError('A starting render sends no renderStatus webhook');
  const data = renderData(record);
  return {
    id: record.id,
    event: 'render',
    status: record.status,
    ...(record.status !== 'started' && data.reason !== undefined ? { reason: data.reason } : {}),
    sessionId: record.sessionId,
    ...(data.streamId !== undefined ? { streamId: data.streamId } : {}),
    applicationId: record.applicationId,
    projectId: apiKey,
    name: data.name ?? '',
    url: data.url,
    resolution: data.resolution,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    timestamp,
  };
}
