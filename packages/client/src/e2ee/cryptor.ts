/**
 * End-to-end encryption of one session: holds the current frame key and installs the frame transform on
 * every sender and receiver, through `RTCRtpScriptTransform` (standard; one worker per session) or, where
 * only that exists, Chrome's `createEncodedStreams()` on the main thread. Changing the secret takes effect
 * on the next frame of every transform.
 */
import type { FrameCryptor } from '../media/handler.js';
import { createFrameTransform, type EncodedFrame } from './frame-crypto.js';
import { checkSecret, deriveFrameKey } from './key.js';
import { e2eeWorkerSource } from './worker.js';

/** Chrome's pre-standard encoded streams. */
interface EncodedStreams {
  readable: ReadableStream<EncodedFrame>;
  writable: WritableStream<EncodedFrame>;
}
type WithEncodedStreams = { createEncodedStreams?: () => EncodedStreams };

/** The encryption state of a session. */
export class E2eeContext implements FrameCryptor {
  readonly #sessionId: string;
  #key: CryptoKey | null = null;
  #worker: Worker | null = null;
  /** Kept until the worker ends: revoking a blob URL while the worker loads can fail the load. */
  #workerUrl: string | null = null;
  #receivers = new Map<string, (ok: boolean) => void>();
  #nextId = 0;

  constructor(sessionId: string) {
    this.#sessionId = sessionId;
  }

  /** Whether a secret has been set. */
  get hasKey(): boolean {
    return this.#key !== null;
  }

  /** The current key (for tests and the main-thread path). */
  get key(): CryptoKey | null {
    return this.#key;
  }

  /** Validates the secret and derives the key; throws `OT_INVALID_PARAMETER` for a bad secret. */
  async setSecret(secret: unknown): Promise<void> {
    const checked = checkSecret(secret);
    this.#key = await deriveFrameKey(checked, this.#sessionId);
    this.#worker?.postMessage({ type: 'key', key: this.#key });
  }

  attachSender(sender: RTCRtpSender): void {
    const kind = sender.track?.kind ?? 'video';
    this.#attach(sender, 'encrypt', kind, () => {});
  }

  attachReceiver(receiver: RTCRtpReceiver, onState: (ok: boolean) => void): void {
    this.#attach(receiver, 'decrypt', receiver.track.kind, onState);
  }

  /** Stops the worker. */
  close(): void {
    this.#worker?.terminate();
    this.#worker = null;
    if (this.#workerUrl !== null) URL.revokeObjectURL(this.#workerUrl);
    this.#workerUrl = null;
    this.#receivers.clear();
  }

  #attach(
    target: RTCRtpSender | RTCRtpReceiver,
    role: 'encrypt' | 'decrypt',
    kind: string,
    onState: (ok: boolean) => void,
  ): void {
    if (typeof RTCRtpScriptTransform !== 'undefined') {
      const id = String(this.#nextId++);
      if (role === 'decrypt') this.#receivers.set(id, onState);
      target.transform = new RTCRtpScriptTransform(this.#ensureWorker(), { role, kind, id });
      return;
    }
    const legacy = target as unknown as WithEncodedStreams;
    if (typeof legacy.createEncodedStreams !== 'function') {
      throw new Error('this browser supports neither RTCRtpScriptTransform nor encoded streams');
    }
    const { readable, writable } = legacy.createEncodedStreams();
    const transform = createFrameTransform(() => this.#key, role, kind, onState);
    void readable.pipeThrough(new TransformStream({ transform })).pipeTo(writable);
  }

  #ensureWorker(): Worker {
    if (this.#worker) return this.#worker;
    const url = URL.createObjectURL(new Blob([e2eeWorkerSource()], { type: 'text/javascript' }));
    const worker = new Worker(url, { name: 'parley-e2ee' });
    this.#workerUrl = url;
    worker.onmessage = (event: MessageEvent<{ type: string; id: string; ok: boolean }>) => {
      if (event.data.type === 'decryption') this.#receivers.get(event.data.id)?.(event.data.ok);
    };
    worker.postMessage({ type: 'key', key: this.#key });
    this.#worker = worker;
    return worker;
  }
}
