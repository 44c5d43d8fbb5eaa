/**
 * Signed, time-limited archive download links, as the spec's `downloadArchive` operation defines them:
 * `signature` is the lowercase hex HMAC-SHA256, under a key of the server (never a project's secret),
 * of `"<projectId>/<archiveId>:<expires>"`, with `<projectId>` exactly as it appears in the path and
 * `<expires>` in Unix seconds. Verification compares in constant time.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Download links work this long after they are issued (Vonage: 10 minutes). */
export const DEFAULT_URL_TTL_SECONDS = 600;

/** The outcome of checking a link. */
export type DownloadLinkCheck = 'valid' | 'expired' | 'invalid';

/** The hex signature of a link. */
export function signDownload(
  key: Buffer | string,
  projectId: string,
  archiveId: string,
  expires: number,
): string {
  return createHmac('sha256', key).update(`${projectId}/${archiveId}:${expires}`).digest('hex');
}

/** The path and query of a download link (append to the server's base URL). */
export function downloadPath(
  projectId: string,
  archiveId: string,
  expires: number,
  signature: string,
): string {
  const project = encodeURIComponent(projectId);
  const archive = encodeURIComponent(archiveId);
  return `/v2/project/${project}/archive/${archive}/download?expires=${expires}&signature=${signature}`;
}

/**
 * Checks a link: `invalid` when the signature does not match (checked first, in constant time, so a
 * forged link learns nothing about expiry), `expired` when `expires` is before `nowSeconds`.
 */
export function verifyDownload(
  key: Buffer | string,
  link: { projectId: string; archiveId: string; expires: number; signature: string },
  nowSeconds: number,
): DownloadLinkCheck {
  if (!Number.isSafeInteger(link.expires) || link.expires < 0) return 'invalid';
  const expected = Buffer.from(signDownload(key, link.projectId, link.archiveId, link.expires), 'hex');
  const given = /^[0-9a-f]{64}$/.test(link.signature) ? Buffer.from(link.signature, 'hex') : null;
  if (!given || !timingSafeEqual(expected, given)) return 'invalid';
  return link.expires < nowSeconds ? 'expired' : 'valid';
}
