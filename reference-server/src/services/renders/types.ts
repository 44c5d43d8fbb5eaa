/**
 * The shapes a render takes: the start request as the REST layer hands it over (already validated against
 * the spec's `RenderStartParams`), the normalised settings, what is kept in `RenderRecord.data`, the API
 * object (the spec's `Render`) and the `renderStatus` webhook body.
 */
import type { Resolution } from '../../recording/layouts.js';
import type { RenderRecord } from '../../store/types.js';

/** A render's status (the spec's `Render.status`). */
export type RenderStatus = RenderRecord['status'];

/** The body of `startRender` (the spec's `RenderStartParams`). */
export interface RenderStartParams {
  sessionId: string;
  token: string;
  url: string;
  maxDuration?: number;
  resolution?: Resolution;
  properties?: { name?: string };
  statusCallbackUrl?: string;
}

/** The start request with its defaults applied. */
export interface RenderSettings {
  sessionId: string;
  token: string;
  url: string;
  /** Seconds, 60–36 000. */
  maxDuration: number;
  resolution: Resolution;
  /** The published stream's name; absent when none was given. */
  name?: string;
  statusCallbackUrl?: string;
}

/** The reason of a render that ended normally (the spec's `stopped` reasons). */
export type StopReason = 'Stop Requested' | 'Max Duration Exceeded';

/**
 * What a render keeps in `RenderRecord.data`. The token is not kept: it is needed only to join, and a
 * stored token would be a credential lying in the database.
 */
export interface RenderData {
  url: string;
  resolution: Resolution;
  maxDuration: number;
  name?: string;
  callbackUrl?: string;
  /** Set once the page is published (`started`). */
  streamId?: string;
  /** The render's connection in the session, once joined (used to tell its own disconnection apart). */
  connectionId?: string;
  /** Set once it ended (`stopped` or `failed`). */
  reason?: string;
}

/** The spec's `Render`. */
export interface RenderView {
  id: string;
  sessionId: string;
  projectId: string;
  applicationId: string;
  createdAt: number;
  updatedAt: number;
  url: string;
  resolution: Resolution;
  status: RenderStatus;
  streamId?: string;
  reason?: string;
  name?: string;
  callbackUrl?: string;
}

/** A page of renders (the spec's `RenderList`). */
export interface RenderList {
  count: number;
  items: RenderView[];
}

/** The body of the `renderStatus` webhook (the spec's `RenderStatusEvent`). */
export interface RenderStatusEvent {
  id: string;
  event: 'render';
  status: 'started' | 'stopped' | 'failed';
  reason?: string;
  sessionId: string;
  streamId?: string;
  applicationId: string;
  projectId: string;
  name: string;
  url: string;
  resolution: Resolution;
  createdAt: number;
  updatedAt: number;
  timestamp: number;
}
