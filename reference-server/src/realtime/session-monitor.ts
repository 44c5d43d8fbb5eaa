/**
 * Session monitoring: turns live-session events into the `sessionCreated`, `sessionDestroyed`,
 * `connectionCreated`, `connectionDestroyed`, `streamCreated` and `streamDestroyed` webhooks (the Vonage
 * session-monitoring payloads plus `applicationId`), delivered through the project's webhook dispatch.
 * Events of one session are emitted in the order they happened.
 */
import type { WebhookName } from '../projects/project-events.js';
import type { ProjectRecord, Store } from '../store/types.js';
import type { RealtimeLogger } from './logger.js';
import type { LiveSession } from './session/live-session.js';
import type { LiveSessionRegistry } from './session/registry.js';
import { type LiveConnection, type LiveStream, streamVideoType } from './session/types.js';

/** Where the webhooks go: `ProjectEvents.emit` fits. */
export type WebhookSink = (
  project: ProjectRecord,
  webhook: WebhookName,
  payload: Record<string, unknown>,
) => void;

/** A connection as the webhooks report it (the spec's `WebhookConnection`). */
function webhookConnection(connection: LiveConnection): Record<string, unknown> {
  return { id: connection.id, createdAt: connection.creationTime, data: connection.data };
}

/** A stream as the webhooks report it (the spec's `WebhookStream`). */
function webhookStream(stream: LiveStream, publisher: LiveConnection): Record<string, unknown> {
  const body: Record<string, unknown> = {
    id: stream.id,
    connection: webhookConnection(publisher),
    createdAt: stream.creationTime,
    name: stream.name,
  };
  const videoType = streamVideoType(stream);
  if (videoType) body.videoType = videoType;
  return body;
}

/**
 * Subscribes to the registry and emits the session-monitoring webhooks. Returns a function that stops it.
 */
export function monitorSessions(
  registry: LiveSessionRegistry,
  store: Store,
  sink: WebhookSink,
  logger: RealtimeLogger,
): () => void {
  // One chain for all sessions keeps each session's webhooks in order; project lookups are fast.
  let chain: Promise<void> = Promise.resolve();
  const emit = (session: LiveSession, webhook: WebhookName, fields: Record<string, unknown>): void => {
    const payload = {
      sessionId: session.sessionId,
      projectId: session.project.apiKey,
      applicationId: session.project.applicationId,
      event: webhook,
      timestamp: session.now(),
      ...fields,
    };
    chain = chain
      .then(async () => {
        const project = await store.projects.get(session.project.applicationId);
        if (project) sink(project, webhook, payload);
      })
      .catch((error: unknown) => logger.error({ err: error, webhook }, 'session-monitoring webhook failed'));
  };

  const listeners = {
    sessionStarted: (session: LiveSession) => emit(session, 'sessionCreated', {}),
    sessionEnded: (session: LiveSession, reason: 'forceDisconnected' | null) =>
      emit(session, 'sessionDestroyed', reason ? { reason } : {}),
    connectionCreated: (session: LiveSession, connection: LiveConnection) =>
      emit(session, 'connectionCreated', { connection: webhookConnection(connection) }),
    connectionDestroyed: (session: LiveSession, connection: LiveConnection, reason: string) =>
      emit(session, 'connectionDestroyed', { reason, connection: webhookConnection(connection) }),
    streamCreated: (session: LiveSession, stream: LiveStream, publisher: LiveConnection) =>
      emit(session, 'streamCreated', { stream: webhookStream(stream, publisher) }),
    streamDestroyed: (session: LiveSession, stream: LiveStream, publisher: LiveConnection, reason: string) =>
      emit(session, 'streamDestroyed', { reason, stream: webhookStream(stream, publisher) }),
  };
  registry
    .on('sessionStarted', listeners.sessionStarted)
    .on('sessionEnded', listeners.sessionEnded)
    .on('connectionCreated', listeners.connectionCreated)
    .on('connectionDestroyed', listeners.connectionDestroyed)
    .on('streamCreated', listeners.streamCreated)
    .on('streamDestroyed', listeners.streamDestroyed);
  return () => {
    registry
      .off('sessionStarted', listeners.sessionStarted)
      .off('sessionEnded', listeners.sessionEnded)
      .off('connectionCreated', listeners.connectionCreated)
      .off('connectionDestroyed', listeners.connectionDestroyed)
      .off('streamCreated', listeners.streamCreated)
      .off('streamDestroyed', listeners.streamDestroyed);
  };
}
