/**
 * What the S3 and Azure clients share: the fetch they call and how they report the outcome of one upload.
 */

/** `fetch`, or a stand-in with the same signature. */
export type FetchLike = (input: URL, init: RequestInit) => Promise<Response>;

/** The outcome of one upload. */
export type PutResult =
  | { ok: true; status: number }
  /** `status` is null when no response came (network error, timeout); `reason` says what went wrong. */
  | { ok: false; status: number | null; reason: string };

/** A failed request (no response) as a {@link PutResult}, with the most specific reason available. */
export function requestFailure(error: unknown): PutResult {
  if (error instanceof DOMException && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return { ok: false, status: null, reason: 'the request timed out' };
  }
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  const detail =
    typeof cause?.code === 'string' ? cause.code : typeof cause?.message === 'string' ? cause.message : null;
  const message = error instanceof Error ? error.message : String(error);
  return { ok: false, status: null, reason: detail ? `${message} (${detail})` : message };
}

/**
 * The error code of a refused request: the `<Code>` of the XML error body S3 and Azure send, else the
 * named header, else the HTTP status.
 */
export async function readErrorCode(response: Response, header: string): Promise<string> {
  let text = '';
  try {
    text = (await response.text()).slice(0, 16_384);
  } catch {
    // The body is only a nicer message; the status still says what happened.
  }
  const code = /<Code>([^<]{1,200})<\/Code>/.exec(text)?.[1] ?? response.headers.get(header);
  return code ?? `HTTP ${response.status}`;
}
