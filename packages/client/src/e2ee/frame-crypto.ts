/**
 * The end-to-end encryption frame format. Each encoded media frame becomes
 *
 * ```
 * header (clear) | AES-GCM ciphertext + 16-byte tag | IV (12 bytes) | 0xE2
 * ```
 *
 * The first bytes stay in clear (10 for a VP8 key frame, 3 for a VP8 delta frame, 1 for Opus) so that
 * packetizers and the SFU still see the codec header they rely on; they are authenticated as AES-GCM
 * additional data. A frame that does not end with the marker, or whose tag does not verify (another
 * secret), fails to decrypt and is dropped: a subscriber with the wrong secret gets no garbage.
 *
 * Everything the `RTCRtpScriptTransform` worker runs lives in this one file, self-contained on purpose
 * (no imports, no module state, only references between these functions): the worker is built from their
 * text (see `worker.ts`), and the main-thread path (Chrome's `createEncodedStreams`) calls the same code.
 */

/** Encrypts one frame; `headerLength` bytes stay in clear. */
export async function encryptFrameData(
  key: CryptoKey,
  data: ArrayBuffer,
  headerLength: number,
): Promise<ArrayBuffer> {
  const bytes = new Uint8Array(data);
  const clear = Math.min(headerLength, bytes.length);
  const header = bytes.subarray(0, clear);
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const cipher = new Uint8Array(
    await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: header }, key, bytes.subarray(clear)),
  );
  const out = new Uint8Array(clear + cipher.length + 12 + 1);
  out.set(header, 0);
  out.set(cipher, clear);
  out.set(iv, clear + cipher.length);
  out[out.length - 1] = 0xe2;
  return out.buffer;
}

/** Decrypts one frame; resolves with `null` when it is not ours or the key does not match. */
export async function decryptFrameData(
  key: CryptoKey,
  data: ArrayBuffer,
  headerLength: number,
): Promise<ArrayBuffer | null> {
  const bytes = new Uint8Array(data);
  const clear = Math.min(headerLength, bytes.length);
  // header + 16-byte tag + 12-byte IV + marker at least.
  if (bytes.length < clear + 16 + 12 + 1 || bytes[bytes.length - 1] !== 0xe2) return null;
  const ivStart = bytes.length - 13;
  const iv = bytes.slice(ivStart, ivStart + 12);
  const header = bytes.subarray(0, clear);
  try {
    const plain = new Uint8Array(
      await crypto.subtle.decrypt(
        { name: 'AES-GCM', iv, additionalData: header },
        key,
        bytes.subarray(clear, ivStart),
      ),
    );
    const out = new Uint8Array(clear + plain.length);
    out.set(header, 0);
    out.set(plain, clear);
    return out.buffer;
  } catch {
    return null;
  }
}

/** How many leading bytes of a frame stay in clear, by media kind and frame type. */
export function clearHeaderLength(kind: string, frameType: string | undefined): number {
  if (kind === 'audio') return 1;
  return frameType === 'key' ? 10 : 3;
}

/** An encoded audio or video frame (`RTCEncodedVideoFrame`/`RTCEncodedAudioFrame`), as far as we use it. */
export interface EncodedFrame {
  data: ArrayBuffer;
  /** `key`/`delta`/`empty` for video; absent for audio. */
  type?: string;
}

/**
 * Builds the transform function of one sender (`encrypt`) or receiver (`decrypt`). Frames without a key
 * yet, or that do not decrypt, are dropped; `report(ok)` is called when decryption starts or stops working.
 */
export function createFrameTransform(
  getKey: () => CryptoKey | null,
  role: 'encrypt' | 'decrypt',
  kind: string,
  report: (ok: boolean) => void,
): (frame: EncodedFrame, controller: TransformStreamDefaultController<EncodedFrame>) => Promise<void> {
  let last: boolean | null = null;
  const tell = (ok: boolean): void => {
    if (ok === last) return;
    last = ok;
    report(ok);
  };
  return async (frame, controller) => {
    const key = getKey();
    const headerLength = clearHeaderLength(kind, frame.type);
    if (role === 'encrypt') {
      // Never send media in clear in an encrypted session: without a key, frames are dropped.
      if (key === null) return;
      frame.data = await encryptFrameData(key, frame.data, headerLength);
      controller.enqueue(frame);
      return;
    }
    if (frame.data.byteLength === 0) {
      controller.enqueue(frame);
      return;
    }
    const plain = key === null ? null : await decryptFrameData(key, frame.data, headerLength);
    if (plain === null) {
      tell(false);
      return;
    }
    frame.data = plain;
    tell(true);
    controller.enqueue(frame);
  };
}

/** The options each `RTCRtpScriptTransform` carries to the worker. */
export interface WorkerTransformOptions {
  role: 'encrypt' | 'decrypt';
  kind: string;
  /** Identifies the receiver in `decryption` reports. */
  id: string;
}

/** The worker scope as far as the worker uses it. */
export interface WorkerScope {
  onmessage: ((event: { data: { type: string; key?: CryptoKey | null } }) => void) | null;
  onrtctransform:
    | ((event: {
        transformer: {
          options: WorkerTransformOptions;
          readable: ReadableStream;
          writable: WritableStream;
        };
      }) => void)
    | null;
  postMessage(message: unknown): void;
}

/** The worker's entry point; runs inside the worker with its global scope. */
export function e2eeWorkerMain(scope: WorkerScope): void {
  let key: CryptoKey | null = null;
  scope.onmessage = (event) => {
    if (event.data.type === 'key') key = event.data.key ?? null;
  };
  scope.onrtctransform = (event) => {
    const { options, readable, writable } = event.transformer;
    const transform = createFrameTransform(
      () => key,
      options.role,
      options.kind,
      (ok) => scope.postMessage({ type: 'decryption', id: options.id, ok }),
    );
    void readable.pipeThrough(new TransformStream({ transform })).pipeTo(writable);
  };
}
