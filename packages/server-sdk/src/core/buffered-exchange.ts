/**
 * One buffered HTTP exchange on undici's low-level `dispatch` API, for the common case of a JSON
 * response read whole. `undici.request()` wraps every response body in a `Readable` and honours the
 * deadline through an `AbortSignal`, which together cost about a tenth of a keep-alive request on
 * loopback; here the body chunks are collected directly and the deadline aborts the dispatch through
 * its controller. Streamed downloads still go through `request()` (see `transport.ts`).
 */
import type { Dispatcher } from 'undici';
import type { ResponseHeaders } from './errors.js';

/** The raw outcome of an exchange: the status, headers and body text of the response. */
export interface RawResponse {
  status: number;
  headers: ResponseHeaders;
  text: string;
}

/** Why an exchange was cut short by the caller's side rather than by the network. */
export type AbortCause = 'deadline' | 'user';

/** An error carrying which side cut the exchange short, so the transport can map it. */
export class ExchangeAbortedError extends Error {
  constructor(readonly abortCause: AbortCause) {
    super(abortCause === 'deadline' ? 'The request deadline passed' : 'The request was aborted');
  }
}

/** What {@link bufferedExchange} sends. */
export interface ExchangeRequest {
  dispatcher: Dispatcher;
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string | undefined;
  timeoutMs: number;
  signal: AbortSignal | undefined;
}

/**
 * Sends one request and resolves with the whole response. Rejects with {@link ExchangeAbortedError}
 * when the deadline passes or `signal` fires, and with undici's error when the network fails.
 */
export function bufferedExchange(req: ExchangeRequest): Promise<RawResponse> {
  const { origin, pathname, search } = new URL(req.url);
  return new Promise<RawResponse>((resolve, reject) => {
    let controller: Dispatcher.DispatchController | undefined;
    let abortedBy: ExchangeAbortedError | undefined;
    let settled = false;
    let status = 0;
    let headers: ResponseHeaders = {};
    const chunks: Buffer[] = [];

    const settle = (error: Error | undefined, response?: RawResponse): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.signal?.removeEventListener('abort', onUserAbort);
      if (error) reject(abortedBy ?? error);
      else resolve(response as RawResponse);
    };
    const abort = (cause: AbortCause): void => {
      if (settled || abortedBy) return;
      abortedBy = new ExchangeAbortedError(cause);
      // Before `onRequestStart` there is no controller yet; it aborts as soon as it is handed one.
      controller?.abort(abortedBy);
    };
    const onUserAbort = (): void => abort('user');
    const timer = setTimeout(() => abort('deadline'), req.timeoutMs);
    req.signal?.addEventListener('abort', onUserAbort, { once: true });

    const handler: Dispatcher.DispatchHandler = {
      onRequestStart(started) {
        controller = started;
        if (abortedBy) started.abort(abortedBy);
      },
      onResponseStart(_controller, statusCode, responseHeaders) {
        status = statusCode;
        headers = flattenHeaders(responseHeaders);
      },
      onResponseData(_controller, chunk) {
        chunks.push(chunk);
      },
      onResponseEnd() {
        const text =
          chunks.length === 1
            ? (chunks[0] as Buffer).toString('utf8')
            : Buffer.concat(chunks).toString('utf8');
        settle(undefined, { status, headers, text });
      },
      onResponseError(_controller, error) {
        settle(error);
      },
    };
    try {
      req.dispatcher.dispatch(
        {
          origin,
          path: `${pathname}${search}`,
          method: req.method as Dispatcher.HttpMethod,
          headers: req.headers,
          body: req.body ?? null,
        },
        handler,
      );
    } catch (error) {
      settle(error instanceof Error ? error : new Error(String(error)));
    }
  });
}

/** Response headers as one lower-case-named string each (repeated headers joined with `, `). */
export function flattenHeaders(raw: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name in raw) {
    const value = raw[name];
    if (value !== undefined) out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}
