/**
 * The errors the render manager throws. Each carries the API error code the spec's examples use for it
 * (`openapi/paths/services/render*.yaml`), so the REST layer answers `{code, message}` without a second
 * table (status = `Math.floor(code / 100)`); the HTTP catalogue (`src/http/errors.ts`) holds an entry for
 * every code.
 */

/** The catalogue: a name for each code. */
export const RENDER_ERRORS = {
  /** A field breaks a rule the schema cannot express; the message names it. */
  INVALID_FIELD: 40001,
  /** `token` does not verify, or admits to another session or project. */
  CLIENT_TOKEN_INVALID: 40060,
  /** `token`'s role is `subscriber`. */
  CLIENT_TOKEN_CANNOT_PUBLISH: 40062,
  /** The session does not exist in the project. */
  SESSION_NOT_FOUND: 40401,
  /** No render with that ID in the project. */
  RENDER_NOT_FOUND: 40460,
  /** Stopping a render that has already ended. */
  RENDER_ALREADY_STOPPED: 40461,
  /** The session is relayed. */
  RENDER_SESSION_RELAYED: 40963,
  /** The session is end-to-end encrypted. */
  SESSION_E2EE_UNSUPPORTED: 40964,
  /** Anything unexpected (the store failed, the manager is shut down). */
  INTERNAL: 50001,
  /** No browser is configured, or it cannot be launched. */
  RENDERER_UNAVAILABLE: 50002,
} as const;

/** The name of a render error. */
export type RenderErrorName = keyof typeof RENDER_ERRORS;

/** An error of the render manager; `code` is the API error code. */
export class RenderError extends Error {
  override readonly name = 'RenderError';
  /** Which error of {@link RENDER_ERRORS}. */
  readonly kind: RenderErrorName;
  /** The API error code. */
  readonly code: number;

  constructor(kind: RenderErrorName, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.kind = kind;
    this.code = RENDER_ERRORS[kind];
  }
}
