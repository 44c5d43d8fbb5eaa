/**
 * The source of the `RTCRtpScriptTransform` worker of end-to-end encryption, built from the text of the
 * self-contained functions of `frame-crypto.ts` so that the SDK ships as one file (no worker asset to host).
 *
 * Messages to the worker: `{type: 'key', key: CryptoKey | null}`. From the worker:
 * `{type: 'decryption', id, ok}` when a receiver's frames stop or start decrypting.
 */
import {
  clearHeaderLength,
  createFrameTransform,
  decryptFrameData,
  e2eeWorkerMain,
  encryptFrameData,
} from './frame-crypto.js';

/** The worker's source text. */
export function e2eeWorkerSource(): string {
  const parts = [encryptFrameData, decryptFrameData, clearHeaderLength, createFrameTransform, e2eeWorkerMain];
  return `${parts.map((part) => part.toString()).join('\n')}\n${e2eeWorkerMain.name}(self);\n`;
}

export type { WorkerScope, WorkerTransformOptions } from './frame-crypto.js';
