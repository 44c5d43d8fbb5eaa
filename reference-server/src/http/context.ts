/**
 * The types shared by the app shell, the spec router and the resource handlers: the services handlers use,
 * the per-request state the hooks fill in, and the handler signature.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ArchiveStorageClientOptions } from '../projects/archive-storage/target.js';
import type { AccountCredentials } from '../projects/credentials.js';
import type { ProjectChanges } from '../projects/project-changes.js';
import type { ProjectEvents } from '../projects/project-events.js';
import type { SecretBox } from '../projects/secret-box.js';
import type { ProjectRecord, Store } from '../store/types.js';
import type { RestPrincipal } from './auth/rest-jwt.js';
import { ApiError } from './errors.js';
import type { IdempotencyDecision } from './idempotency.js';
import type { Lifecycle } from './lifecycle.js';
import type { ServerMetrics } from './metrics.js';
import type { OperationSpec } from './spec/operations.js';

/** The services every handler can use. */
export interface AppServices {
  store: Store;
  /** The account credentials that sign project-management JWTs. */
  account: AccountCredentials;
  metrics: ServerMetrics;
  /** The clock, in ms since the epoch. Tests inject a fixed one. */
  now: () => number;
  /** The lifecycle phase and the readiness checks. */
  lifecycle: Lifecycle;
  /** Emits project events as signed webhooks to the project's callback URLs. */
  events: ProjectEvents;
  /**
   * Project suspensions, reactivations, deletions and secret rotations, as they happen (the realtime layer
   * disconnects the clients of suspended and deleted projects).
   */
  projectChanges: ProjectChanges;
  /** Seals and opens secrets stored in the database (archive storage credentials). */
  secrets: SecretBox;
  /** How archive uploads (and the storage test write) reach S3 and Azure. */
  archiveStorageClient: ArchiveStorageClientOptions;
}

/** What the hooks learn about a request before its handler runs. */
export interface RequestState {
  operation: OperationSpec;
  /** Who the credentials speak for; null on anonymous operations. */
  principal: RestPrincipal | null;
  /** The pending idempotent request, when an `Idempotency-Key` was sent. */
  idempotency: Extract<IdempotencyDecision, { kind: 'proceed' }> | null;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the spec router's hooks on every spec-defined route; null elsewhere. */
    parley: RequestState | null;
  }
}

/** Handles one operation. Its parameters and body have already been validated against the spec. */
export type OperationHandler = (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

/** Handlers by operationId. */
export type OperationHandlers = Readonly<Record<string, OperationHandler>>;

/** One REST resource: registered as its own encapsulated Fastify plugin. */
export interface ResourceModule {
  /** The plugin name (used in logs and errors). */
  name: string;
  /** Builds the handlers of the operations this resource implements. */
  handlers(services: AppServices): OperationHandlers;
}

/** The request state, which the router guarantees on spec routes. */
export function stateOf(request: FastifyRequest): RequestState {
  if (!request.parley) throw new Error('stateOf() called outside a spec-defined route');
  return request.parley;
}

/** The project whose credentials authenticated the request. Throws on account or anonymous requests. */
export function callerProject(request: FastifyRequest): ProjectRecord {
  const principal = stateOf(request).principal;
  if (principal?.kind !== 'project') throw new ApiError('PROJECT_CREDENTIALS_REQUIRED');
  return principal.project;
}
