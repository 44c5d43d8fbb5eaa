import { describe, expect, it } from 'vitest';
import {
  clearHeaderLength,
  createFrameTransform,
  decryptFrameData,
  type EncodedFrame,
  encryptFrameData,
} from './frame-crypto.js';
import { checkSecret, deriveFrameKey } from './key.js';
import { e2eeWorkerSource, type WorkerScope } from './worker.js';

const bytes = (...values: number[]) => new Uint8Array(values).buffer;

describe('frame encryption', () => {
  it('round-trips a frame, keeps the codec header in clear and fails with another secret', async () => {
    const key = await deriveFrameKey('correct horse battery', 'session-1');
    const frame = bytes(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13);
    const encrypted = await encryptFrameData(key, frame, 3);
    const view = new Uint8Array(encrypted);
    expect([...view.subarray(0, 3)]).toEqual([1, 2, 3]);
    expect(view.length).toBe(13 + 16 + 12 + 1);
    expect(view.at(-1)).toBe(0xe2);
    expect([...new Uint8Array((await decryptFrameData(key, encrypted, 3)) as ArrayBuffer)]).toEqual([
      ...new Uint8Array(frame),
    ]);

    const other = await deriveFrameKey('wrong secret value', 'session-1');
    expect(await decryptFrameData(other, encrypted, 3)).toBeNull();
    const sameSecretOtherSession = await deriveFrameKey('correct horse battery', 'session-2');
    expect(await decryptFrameData(sameSecretOtherSession, encrypted, 3)).toBeNull();
    // A clear (unencrypted) frame is refused, not passed through as garbage.
    expect(await decryptFrameData(key, frame, 3)).toBeNull();
    // Tampering with the clear header breaks authentication.
    view[0] = 9;
    expect(await decryptFrameData(key, encrypted, 3)).toBeNull();
  });

  it('keeps 10 bytes of VP8 key frames, 3 of delta frames and 1 of audio in clear', () => {
    expect(clearHeaderLength('video', 'key')).toBe(10);
    expect(clearHeaderLength('video', 'delta')).toBe(3);
    expect(clearHeaderLength('audio', undefined)).toBe(1);
  });

  it('checks secrets naming the problem', () => {
    expect(() => checkSecret(42)).toThrow(/secret: must be a string/);
    expect(() => checkSecret('short')).toThrow(/8 to 256 characters/);
    expect(checkSecret('long enough')).toBe('long enough');
  });
});

describe('frame transform', () => {
  async function run(
    transform: ReturnType<typeof createFrameTransform>,
    frame: EncodedFrame,
  ): Promise<EncodedFrame | undefined> {
    let out: EncodedFrame | undefined;
    await transform(frame, { enqueue: (value: EncodedFrame) => (out = value) } as never);
    return out;
  }

  it('drops frames that do not decrypt and reports mismatch once, then match', async () => {
    const right = await deriveFrameKey('shared secret 1', 's');
    const wrong = await deriveFrameKey('shared secret 2', 's');
    const encrypt = createFrameTransform(
      () => right,
      'encrypt',
      'video',
      () => {},
    );
    const states: boolean[] = [];
    let receiverKey = wrong;
    const decrypt = createFrameTransform(
      () => receiverKey,
      'decrypt',
      'video',
      (ok) => states.push(ok),
    );
    const sent = await run(encrypt, { data: bytes(...Array.from({ length: 40 }, (_, i) => i)), type: 'key' });
    if (!sent) throw new Error('nothing sent');
    expect(await run(decrypt, { data: sent.data.slice(0), type: 'key' })).toBeUndefined();
    expect(await run(decrypt, { data: sent.data.slice(0), type: 'key' })).toBeUndefined();
    receiverKey = right;
    const received = await run(decrypt, { data: sent.data.slice(0), type: 'key' });
    expect(new Uint8Array(received?.data as ArrayBuffer)[39]).toBe(39);
    expect(states).toEqual([false, true]);
  });

  it('never sends clear media before a key is set', async () => {
    const encrypt = createFrameTransform(
      () => null,
      'encrypt',
      'audio',
      () => {},
    );
    expect(await run(encrypt, { data: bytes(1, 2, 3) })).toBeUndefined();
  });

  it('runs as a self-contained worker script', async () => {
    const posted: unknown[] = [];
    const scope: WorkerScope = {
      onmessage: null,
      onrtctransform: null,
      postMessage: (message) => posted.push(message),
    };
    // Evaluate the worker text with a fake global scope, as the browser would in the worker.
    new Function('self', e2eeWorkerSource())(scope);
    const key = await deriveFrameKey('worker secret!', 's');
    scope.onmessage?.({ data: { type: 'key', key } });
    const encrypted = await encryptFrameData(key, bytes(...Array.from({ length: 20 }, (_, i) => i)), 3);
    const other = await encryptFrameData(await deriveFrameKey('another secret', 's'), bytes(1, 2, 3, 4), 3);
    const readable = new ReadableStream<EncodedFrame>({
      start(controller) {
        controller.enqueue({ data: other, type: 'delta' });
        controller.enqueue({ data: encrypted, type: 'delta' });
        controller.close();
      },
    });
    const output: EncodedFrame[] = [];
    const writable = new WritableStream<EncodedFrame>({ write: (frame) => void output.push(frame) });
    scope.onrtctransform?.({
      transformer: { options: { role: 'decrypt', kind: 'video', id: 'r1' }, readable, writable },
    });
    await expect.poll(() => output.length).toBe(1);
    expect(new Uint8Array(output[0]?.data as ArrayBuffer)[19]).toBe(19);
    expect(posted).toEqual([
      { type: 'decryption', id: 'r1', ok: false },
      { type: 'decryption', id: 'r1', ok: true },
    ]);
  });
});
