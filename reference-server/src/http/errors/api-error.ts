import { ERRORS, type ErrorName } from './catalogue/index.js';
import type { ErrorDefinition } from './define.js';

/** Options of {@link ApiError}. */
export interface ApiErrorOptions {
  /** Extra response headers, e.g. `Retry-After` or `Allow`. */
  headers?: Record<string, string>;
  cause?: unknown;
}

/** The body of every error response (the spec's `Error` schema). */
export interface ErrorBody {
  code: number;
  message: string;
}

/**
 * An error that becomes an HTTP error response. Throw it from hooks and handlers; the app's error handler
 * sends `{ code, message }` with the catalogue entry's status.
 *
 * @example
 * ```ts
 * throw new ApiError('PROJECT_NOT_FOUND', `Project ${projectId} was not found`);
 * ```
 */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  /** The catalogue entry. */
  readonly definition: ErrorDefinition;
  /** Extra response headers. */
  readonly headers: Readonly<Record<string, string>>;

  constructor(name: ErrorName, message?: string, options: ApiErrorOptions = {}) {
    const definition: ErrorDefinition = ERRORS[name];
    super(message ?? definition.message, { cause: options.cause });
    this.definition = definition;
    this.headers = options.headers ?? {};
  }

  /** The HTTP status. */
  get status(): number {
    return this.definition.status;
  }

  /** The catalogue code. */
  get code(): number {
    return this.definition.code;
  }

  /** The response body. */
  toBody(): ErrorBody {
    return { code: this.definition.code, message: this.message };
  }
}
