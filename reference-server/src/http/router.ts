/**
 * Registers the API from the spec: one Fastify route per operation, with hooks derived from the operation
 * itself — authentication from its `security`, validation from its parameters and request body, 413 where
 * it declares 413 — and the handler looked up by operationId. Operations without a handler answer 501;
 * known paths called with another method answer 405 with `Allow`.
 *
 * Each resource module is registered as its own encapsulated plugin; the shared infrastructure (error
 * handler, parsers, request state) lives on the root instance, so the plugin tree stays one level deep.
 */
import type {
  FastifyInstance,
  FastifyRequest,
  onRequestHookHandler,
  onSendHookHandler,
  preHandlerHookHandler,
  RouteOptions,
} from 'fastify';
import { authenticate, authPolicyFor, principalOwns } from './auth/authenticate.js';
import type { RestJwtVerifier } from './auth/rest-jwt.js';
import type { AppServices, OperationHandler, RequestState, ResourceModule } from './context.js';
import { ApiError } from './errors.js';
import { type IdempotencyGuard, requestFingerprint } from './idempotency.js';
import type { TokenBucketLimiter } from './rate-limit.js';
import { declaresStatus, type OperationSpec } from './spec/operations.js';
import type { OperationValidators, SpecValidators, ValidationFailure } from './spec/validators.js';

/** What the router needs. */
export interface SpecRouterOptions {
  operations: readonly OperationSpec[];
  validators: SpecValidators;
  resources: readonly ResourceModule[];
  services: AppServices;
  verifier: RestJwtVerifier;
  /** Null disables rate limiting. */
  limiter: TokenBucketLimiter | null;
  idempotency: IdempotencyGuard;
}

/** Methods a 405 route answers for; HEAD is added where the path has no GET. */
const ALL_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

/** Registers every operation of the spec on `app`. */
export async function registerSpecRoutes(app: FastifyInstance, options: SpecRouterOptions): Promise<void> {
  const byId = new Map(options.operations.map((operation) => [operation.operationId, operation]));
  const implemented = new Set<string>();

  for (const resource of options.resources) {
    const handlers = resource.handlers(options.services);
    for (const operationId of Object.keys(handlers)) {
      if (!byId.has(operationId)) {
        throw new Error(
          `Resource "${resource.name}" implements ${operationId}, which the API spec does not define`,
        );
      }
      if (implemented.has(operationId)) throw new Error(`${operationId} is implemented twice`);
      implemented.add(operationId);
    }
    await app.register(
      async (scope) => {
        for (const [operationId, handler] of Object.entries(handlers)) {
          scope.route(routeFor(byId.get(operationId) as OperationSpec, handler, options));
        }
      },
      { name: resource.name },
    );
  }

  await app.register(
    async (scope) => {
      for (const operation of options.operations) {
        if (implemented.has(operation.operationId)) continue;
        scope.route(routeFor(operation, notImplemented(operation), options, { validate: false }));
      }
    },
    { name: 'not-implemented' },
  );

  registerMethodNotAllowed(app, options.operations);
}

function notImplemented(operation: OperationSpec): OperationHandler {
  return async () => {
    throw new ApiError('NOT_IMPLEMENTED', `${operation.operationId} is not implemented by this server yet`);
  };
}

function routeFor(
  operation: OperationSpec,
  handler: OperationHandler,
  options: SpecRouterOptions,
  { validate = true }: { validate?: boolean } = {},
): RouteOptions {
  const validators = validate ? options.validators.forOperation(operation) : null;
  // Only the hooks an operation needs are attached, and those that usually have nothing to wait for are
  // written in callback style: every async hook costs a promise and a microtask turn per request.
  const idempotent = operation.method.toUpperCase() === 'POST';
  return {
    method: operation.method.toUpperCase(),
    url: operation.routePath,
    config: { operationId: operation.operationId },
    onRequest: [authHook(operation, options)],
    preValidation: validators
      ? [
          (request, _reply, done) => {
            try {
              validateRequest(request, operation, validators);
            } catch (error) {
              done(error as Error);
              return;
            }
            done();
          },
        ]
      : [],
    ...(idempotent
      ? {
          preHandler: [idempotencyHook(options.idempotency)],
          onSend: [completeIdempotency],
          onResponse: [
            (request, _reply, done) => {
              // The response was never sent through onSend (e.g. the client went away): free the key.
              request.parley?.idempotency?.release();
              done();
            },
          ],
        }
      : {}),
    handler: (request, reply) => handler(request, reply),
  };
}

function authHook(operation: OperationSpec, options: SpecRouterOptions): onRequestHookHandler {
  const policy = authPolicyFor(operation.security);
  const hasProjectPath = operation.parameters.some((p) => p.in === 'path' && p.name === 'projectId');
  return async (request) => {
    const state: RequestState = { operation, principal: null, idempotency: null };
    request.parley = state;
    if (policy.kind !== 'credentials') return;
    const principal = await authenticate(request.headers, policy, options.verifier);
    state.principal = principal;
    if (principal.kind === 'project' && hasProjectPath) {
      const projectId = (request.params as Record<string, string | undefined>).projectId ?? '';
      if (!principalOwns(principal, projectId)) {
        throw new ApiError(
          'FOREIGN_PROJECT',
          `The credentials belong to project ${principal.project.applicationId}, not to project ${projectId}`,
        );
      }
    }
    if (options.limiter) {
      const key =
        principal.kind === 'project' ? principal.project.applicationId : `account:${principal.accountKey}`;
      const decision = options.limiter.take(key);
      if (!decision.allowed) {
        options.services.metrics.rateLimited.inc();
        const seconds = decision.retryAfterSeconds;
        throw new ApiError(
          'RATE_LIMITED',
          `Rate limit exceeded, retry after ${seconds} second${seconds === 1 ? '' : 's'}`,
          {
            headers: { 'retry-after': String(seconds) },
          },
        );
      }
    }
  };
}

function fail(operation: OperationSpec, failure: ValidationFailure): never {
  if (failure.tooLarge && declaresStatus(operation, 413))
    throw new ApiError('FIELD_TOO_LARGE', failure.message);
  throw new ApiError('INVALID_FIELD', failure.message);
}

/** The media type of a request without parameters, lowercase; null without a Content-Type. */
function mediaTypeOf(request: FastifyRequest): string | null {
  const header = request.headers['content-type'];
  if (!header) return null;
  return (header.split(';')[0] ?? '').trim().toLowerCase() || null;
}

function matchMediaType(accepted: readonly string[], actual: string): string | null {
  for (const candidate of accepted) {
    if (candidate === actual || candidate === '*/*') return candidate;
    if (candidate.endsWith('/*') && actual.startsWith(candidate.slice(0, -1))) return candidate;
  }
  return null;
}

const hasBody = (body: unknown): boolean =>
  body !== undefined && body !== null && !(Buffer.isBuffer(body) && body.length === 0);

/** Validates a request against its operation; throws the {@link ApiError} that answers it. */
function validateRequest(
  request: FastifyRequest,
  operation: OperationSpec,
  validators: OperationValidators,
): void {
  const checks = [
    ['path', request.params],
    ['query', request.query],
    ['header', request.headers],
  ] as const;
  for (const [location, values] of checks) {
    const failure = validators.parameters(location, values);
    if (failure) fail(operation, failure);
  }
  const body = operation.requestBody;
  if (!body) return;
  if (!hasBody(request.body)) {
    if (body.required) throw new ApiError('INVALID_FIELD', 'body is required');
    // An omitted optional body means "all defaults": validate an empty object so defaults are filled in.
    const [first] = validators.mediaTypes;
    if (first) {
      const empty = {};
      if (!validators.body(first, empty)) request.body = empty;
    }
    return;
  }
  const actual = mediaTypeOf(request);
  const matched = actual ? matchMediaType(validators.mediaTypes, actual) : null;
  if (!matched) {
    throw new ApiError(
      'UNSUPPORTED_MEDIA_TYPE',
      `Content-Type ${actual ?? '(none)'} is not accepted by ${operation.operationId}; send ${validators.mediaTypes.join(' or ')}`,
    );
  }
  const failure = validators.body(matched, request.body);
  if (failure) fail(operation, failure);
}

/**
 * Starts an idempotent request when an `Idempotency-Key` is sent: replays the stored response, refuses a
 * conflicting reuse, or lets the handler run and remembers the pending key. Without a key it returns at once.
 */
function idempotencyHook(guard: IdempotencyGuard): preHandlerHookHandler {
  return (request, reply, done) => {
    const state = request.parley;
    const key = request.headers['idempotency-key'];
    const principal = state?.principal;
    if (!state || !principal || typeof key !== 'string' || key === '') {
      done();
      return;
    }
    const scope =
      principal.kind === 'project' ? principal.project.applicationId : `account:${principal.accountKey}`;
    const path = request.url.split('?')[0] ?? request.url;
    guard.begin(scope, key, requestFingerprint(request.method, path, request.body)).then((decision) => {
      if (decision.kind === 'replay') {
        const { record } = decision;
        reply.code(record.statusCode).headers(record.headers).header('idempotent-replayed', 'true');
        // Answering from the hook: Fastify skips the handler once the reply is sent.
        reply.send(record.body);
        return;
      }
      state.idempotency = decision;
      done();
    }, done);
  };
}

/** Stores the response of an idempotent request (callback style: nothing to wait for without a key). */
const completeIdempotency: onSendHookHandler = (request, reply, payload, done) => {
  const pending = request.parley?.idempotency;
  if (!pending) {
    done(null, payload);
    return;
  }
  request.parley = { ...(request.parley as RequestState), idempotency: null };
  // Server errors are not stored, so a retry with the same key can still succeed.
  if (reply.statusCode >= 500 || typeof payload !== 'string') {
    pending.release();
    done(null, payload);
    return;
  }
  pending.complete(reply.statusCode, reply.getHeaders(), payload).then(
    () => done(null, payload),
    (error: unknown) => done(error as Error),
  );
};

function registerMethodNotAllowed(app: FastifyInstance, operations: readonly OperationSpec[]): void {
  const methodsByPath = new Map<string, Set<string>>();
  for (const operation of operations) {
    const methods = methodsByPath.get(operation.routePath) ?? new Set<string>();
    methods.add(operation.method.toUpperCase());
    methodsByPath.set(operation.routePath, methods);
  }
  for (const [url, methods] of methodsByPath) {
    const allowed = new Set(methods);
    if (allowed.has('GET')) allowed.add('HEAD');
    const missing: string[] = ALL_METHODS.filter((m) => !allowed.has(m));
    if (!allowed.has('HEAD')) missing.push('HEAD');
    const allow = [...allowed].sort().join(', ');
    app.route({
      method: missing,
      url,
      // A HEAD for a GET route is generated by Fastify; none is wanted for this catch-all.
      exposeHeadRoute: false,
      handler: async (request) => {
        throw new ApiError(
          'METHOD_NOT_ALLOWED',
          `${request.method} is not allowed on ${url.replace(/:(\w+)/g, '{$1}')}; use ${allow}`,
          {
            headers: { allow },
          },
        );
      },
    });
  }
}
