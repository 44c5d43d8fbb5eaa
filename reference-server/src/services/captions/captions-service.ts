/**
 * `startCaptions` and `stopCaptions`: checks a request against the session, its token and the installed
 * speech recogniser, keeps one {@link Captioning} per session, and turns status changes into the
 * `captionsStatus` webhook (to the captioning's `statusCallbackUrl`, else the `captions` registrations).
 *
 * The checks run from the most specific to the most expensive, so the error names what is wrong:
 * the session (404), its media (relayed 409 40962, end-to-end encrypted 409 40964), the token (400 40060,
 * not a moderator 400 40061), the recogniser (500 50003 naming the missing package), the language
 * (400 40001 naming `languageCode` and the installed languages), then a captioning already running in
 * the session (409 40960).
 *
 * Captionings live in memory (they end with the process anyway); ended ones are kept so that stopping
 * one again answers 202, as the spec requires, until {@link MAX_ENDED_KEPT} newer ones replace them.
 */
import { randomUUID } from 'node:crypto';
import { ApiError } from '../../http/errors.js';
import type { ProjectEvents } from '../../projects/project-events.js';
import type { Realtime } from '../../realtime/realtime.js';
import type { ProjectRecord, Store } from '../../store/types.js';
import { admitServiceToken, projectSession } from '../service-checks.js';
import { Captioning, STOP_REASONS } from './captioning.js';
import { probeRecognizer, type RecognizerProbe } from './languages.js';
import type { RecognitionResult } from './recognizer.js';
import type { PcmDecoderFactory } from './stream-captioner.js';

/** The request body, as validated against the spec (`CaptionsStartParams`). */
export interface CaptionsStartParams {
  sessionId: string;
  token: string;
  languageCode?: string;
  maxDuration?: number;
  /** A boolean, or `'true'`/`'false'` from the `@vonage/video` SDK. */
  partialCaptions?: boolean | 'true' | 'false';
  statusCallbackUrl?: string;
}

/** The `202` answer (`CaptionsStarted`). */
export interface CaptionsStarted {
  captionsId: string;
}

/** The `captionsStatus` webhook body (`CaptionsStatusEvent`). */
export interface CaptionsStatusEvent {
  captionsId: string;
  captionId: string;
  event: 'captions';
  status: 'started' | 'stopped' | 'failed';
  reason?: string;
  sessionId: string;
  applicationId: string;
  projectId: string;
  languageCode: string;
  createdAt: number;
  updatedAt: number;
  duration: number;
  timestamp: number;
}

/** The default and the bounds of `maxDuration` (seconds). */
export const DEFAULT_MAX_DURATION = 14_400;

/** How many ended captionings are remembered for idempotent stops. */
export const MAX_ENDED_KEPT = 10_000;

/** Options of {@link CaptionsService}. */
export interface CaptionsServiceOptions {
  store: Store;
  realtime: Pick<Realtime, 'registry' | 'mediaSources'>;
  events: Pick<ProjectEvents, 'emit'>;
  now: () => number;
  /** Finds the recogniser and its languages (probed on each start until it is found, then kept). */
  probe: () => Promise<RecognizerProbe>;
  createDecoder: PcmDecoderFactory;
  logger: { warn: (details: Record<string, unknown>, message: string) => void };
  /** Sees every caption result (logs, tests). */
  onResult?: (captionsId: string, streamId: string, result: RecognitionResult, delivered: number) => void;
}

/** One captioning with what the API needs to answer about it. */
interface Entry {
  captioning: Captioning;
  project: ProjectRecord;
}

/** Starts, stops and tracks live captions; see the file comment. */
export class CaptionsService {
  readonly #options: CaptionsServiceOptions;
  readonly #entries = new Map<string, Entry>();
  /** The running captioning of each session. */
  readonly #bySession = new Map<string, string>();
  #available: Promise<RecognizerProbe> | null = null;
  #closed = false;

  constructor(options: CaptionsServiceOptions) {
    this.#options = options;
  }

  /** The captionings running now. */
  get running(): readonly Captioning[] {
    return [...this.#bySession.values()].flatMap((id) => this.#entries.get(id)?.captioning ?? []);
  }

  /** A captioning of `project` by ID (running or ended), or null. */
  get(project: ProjectRecord, captionsId: string): Captioning | null {
    const entry = this.#entries.get(captionsId);
    return entry && entry.project.applicationId === project.applicationId ? entry.captioning : null;
  }

  /** Starts captioning a session; throws `ApiError`s as listed in the file comment. */
  async start(project: ProjectRecord, params: CaptionsStartParams): Promise<CaptionsStarted> {
    const { store, now } = this.#options;
    const { sessionId } = params;
    const record = await projectSession(store, project, sessionId);
    if (record.mediaMode === 'relayed') throw new ApiError('CAPTIONS_SESSION_RELAYED');
    if (record.e2ee) throw new ApiError('SESSION_E2EE_UNSUPPORTED');
    const { role } = await admitServiceToken(store, { token: params.token, sessionId }, now(), {
      error: 'CLIENT_TOKEN_INVALID',
      message: 'body.token is not a valid client token for body.sessionId',
    });
    if (role !== 'moderator') {
      throw new ApiError(
        'CLIENT_TOKEN_NOT_MODERATOR',
        `body.token must have the moderator role (it has ${role})`,
      );
    }
    const recognizer = await this.#recognizer();
    if (!recognizer.available) throw new ApiError('SPEECH_RECOGNIZER_UNAVAILABLE', recognizer.reason);
    const languageCode = params.languageCode ?? 'en-US';
    const model = recognizer.languages.get(languageCode);
    if (!model) {
      const installed = [...recognizer.languages.keys()].join(', ');
      throw new ApiError(
        'INVALID_FIELD',
        `body.languageCode must be a language this server has a speech model for (${installed}); ${languageCode} is not installed`,
      );
    }
    if (this.#bySession.has(sessionId)) throw new ApiError('CAPTIONS_ALREADY_STARTED');
    if (this.#closed) throw new ApiError('NOT_READY');

    const id = randomUUID();
    const url = params.statusCallbackUrl;
    // Registered before the captioning starts: its constructor reports `started` and may already sync.
    this.#bySession.set(sessionId, id);
    const captioning = new Captioning(
      {
        id,
        sessionId,
        languageCode,
        maxDuration: params.maxDuration ?? DEFAULT_MAX_DURATION,
        partials: params.partialCaptions === undefined ? true : String(params.partialCaptions) === 'true',
      },
      {
        registry: this.#options.realtime.registry,
        mediaSources: this.#options.realtime.mediaSources,
        python: recognizer.python,
        model,
        createDecoder: this.#options.createDecoder,
        now,
        onStatus: (changed) => this.#statusChanged(project, changed, url),
        onResult: (streamId, result, delivered) => this.#options.onResult?.(id, streamId, result, delivered),
        warn: (details, message) => this.#options.logger.warn(details, message),
      },
    );
    this.#entries.set(id, { captioning, project });
    this.#forgetOldest();
    return { captionsId: id };
  }

  /** Stops a captioning of `project` (again: a no-op); 404 `CAPTIONS_NOT_FOUND` for an unknown ID. */
  async stop(project: ProjectRecord, captionsId: string): Promise<void> {
    const captioning = this.get(project, captionsId);
    if (!captioning) throw new ApiError('CAPTIONS_NOT_FOUND', `Captions ${captionsId} were not found`);
    await captioning.stop(STOP_REASONS.requested);
  }

  /** Stops every captioning (server shutdown). */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all(this.running.map((captioning) => captioning.stop(STOP_REASONS.shutdown)));
  }

  /** The recogniser probe: kept once it found the recogniser, retried on each start until then. */
  async #recognizer(): Promise<RecognizerProbe> {
    this.#available ??= this.#options.probe();
    const probe = await this.#available;
    if (!probe.available) this.#available = null;
    return probe;
  }

  #statusChanged(project: ProjectRecord, captioning: Captioning, url: string | undefined): void {
    const { settings } = captioning;
    if (captioning.status !== 'started' && this.#bySession.get(settings.sessionId) === settings.id) {
      this.#bySession.delete(settings.sessionId);
    }
    const timestamp = this.#options.now();
    const event: CaptionsStatusEvent = {
      captionsId: settings.id,
      captionId: settings.id,
      event: 'captions',
      status: captioning.status,
      ...(captioning.reason !== null ? { reason: captioning.reason } : {}),
      sessionId: settings.sessionId,
      applicationId: project.applicationId,
      projectId: project.apiKey,
      languageCode: settings.languageCode,
      createdAt: captioning.createdAt,
      updatedAt: captioning.updatedAt,
      duration: Math.min(
        settings.maxDuration,
        Math.max(0, Math.round((captioning.updatedAt - captioning.createdAt) / 1000)),
      ),
      timestamp,
    };
    this.#options.events.emit(
      project,
      'captionsStatus',
      event as unknown as Record<string, unknown>,
      url !== undefined ? { url } : {},
    );
  }

  /** Drops the oldest ended captionings beyond {@link MAX_ENDED_KEPT}. */
  #forgetOldest(): void {
    if (this.#entries.size <= MAX_ENDED_KEPT + this.#bySession.size) return;
    for (const [id, entry] of this.#entries) {
      if (this.#entries.size <= MAX_ENDED_KEPT + this.#bySession.size) break;
      if (entry.captioning.status !== 'started') this.#entries.delete(id);
    }
  }
}

/** The default probe: the system Python and Debian's model directory (see `languages.ts`). */
export function defaultProbe(pythonPath: string, modelsDirectory: string): () => Promise<RecognizerProbe> {
  return () => probeRecognizer({ pythonPath, modelsDirectory });
}
