/**
 * Sessions: `POST /session/create`. The form body has been validated against the spec's
 * `SessionCreateParams` (including its cross-field rules) and filled with its defaults before the handler
 * runs. The response is a JSON array with one session, or the legacy XML form for clients that do not
 * accept JSON.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { SessionRecord } from '../../store/types.js';
import { encodeSessionId } from '../../tokens/session-id.js';
import { acceptsJson } from '../content-negotiation.js';
import { callerProject, type ResourceModule } from '../context.js';
import { addLogDetails } from '../request-log.js';

/** The validated form fields of `POST /session/create` (the spec's `SessionCreateParams`, defaults applied). */
interface SessionCreateForm {
  'p2p.preference': 'disabled' | 'enabled' | 'always';
  archiveMode: 'manual' | 'always';
  location?: string;
  e2ee: 'true' | 'false';
  archiveName?: string;
  archiveResolution?: string;
}

/** One element of the `POST /session/create` response (the spec's `CreatedSession`). */
export interface CreatedSession {
  session_id: string;
  project_id: string;
  partner_id: string;
  application_id: string;
  create_dt: string;
  media_server_url: string;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** The last second {@link formatCreateDt} formatted, and its text: sessions are created many per second. */
let lastCreateDt = { second: Number.NaN, text: '' };

/** Formats a time as the legacy API's `create_dt` (`EEE MMM dd HH:mm:ss zzz yyyy`, in UTC). */
export function formatCreateDt(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second !== lastCreateDt.second) lastCreateDt = { second, text: formatUtc(second * 1000) };
  return lastCreateDt.text;
}

function formatUtc(ms: number): string {
  const d = new Date(ms);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${two(d.getUTCDate())} ${two(d.getUTCHours())}:${two(
    d.getUTCMinutes(),
  )}:${two(d.getUTCSeconds())} UTC ${d.getUTCFullYear()}`;
}

const escapeXml = (text: string): string =>
  text.replace(
    /[<>&'"]/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] as string,
  );

/** The legacy XML form of the response. */
export function createdSessionXml(session: CreatedSession): string {
  return (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sessions><Session>' +
    `<session_id>${escapeXml(session.session_id)}</session_id>` +
    `<partner_id>${escapeXml(session.partner_id)}</partner_id>` +
    `<create_dt>${escapeXml(session.create_dt)}</create_dt>` +
    '</Session></sessions>'
  );
}

/** The sessions resource. */
export const sessionsResource: ResourceModule = {
  name: 'sessions',
  handlers: ({ store, metrics, now }) => ({
    async createSession(request: FastifyRequest, reply: FastifyReply) {
      const project = callerProject(request);
      const form = request.body as SessionCreateForm;
      const createdAt = now();
      const location = form.location ?? null;
      const session: SessionRecord = {
        sessionId: encodeSessionId({
          apiKey: project.apiKey,
          applicationId: project.applicationId,
          location,
          createdAt,
        }),
        applicationId: project.applicationId,
        // `enabled` (and `always`, which the Vonage Python SDK sends) mean peer to peer.
        mediaMode: form['p2p.preference'] === 'disabled' ? 'routed' : 'relayed',
        archiveMode: form.archiveMode,
        location,
        e2ee: form.e2ee === 'true',
        archiveName: form.archiveName ?? null,
        archiveResolution: form.archiveResolution ?? null,
        createdAt,
      };
      await store.sessions.create(session);
      metrics.sessionsCreated.inc();
      // On the request's single log line rather than a line of its own: this is the hottest write path.
      addLogDetails(request, { sessionId: session.sessionId, mediaMode: session.mediaMode });

      const created: CreatedSession = {
        session_id: session.sessionId,
        project_id: project.apiKey,
        partner_id: project.apiKey,
        application_id: project.applicationId,
        create_dt: formatCreateDt(createdAt),
        media_server_url: '',
      };
      if (!acceptsJson(request.headers.accept)) {
        return reply.type('application/xml; charset=utf-8').send(createdSessionXml(created));
      }
      return reply.send([created]);
    },
  }),
};
