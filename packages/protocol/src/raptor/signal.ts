/**
 * Signal limits shared by every signal path (client → server over Raptor, REST → server): a `type` of at
 * most 128 characters from `A-Z a-z 0-9 - _ . ~`, and `data` of at most 8192 characters. The OpenTok.js
 * client checks the same limits before sending, but only the server's check counts.
 */

/** The longest signal type, in characters. */
export const MAX_SIGNAL_TYPE_LENGTH = 128;
/** The longest signal data, in characters. */
export const MAX_SIGNAL_DATA_LENGTH = 8192;
/** The characters a signal type may contain (empty is allowed). */
export const SIGNAL_TYPE_PATTERN = /^[A-Za-z0-9\-_.~]*$/;

/** Why a signal was refused: `too-large` maps to 413, `invalid` to 400. */
export interface SignalProblem {
  kind: 'invalid' | 'too-large';
  /** The field at fault. */
  field: 'type' | 'data';
  message: string;
}

/** Checks a signal's type and data; returns the first problem, or null when the signal is valid. */
export function checkSignal(type: unknown, data: unknown): SignalProblem | null {
  if (typeof type !== 'string') return { kind: 'invalid', field: 'type', message: 'type must be a string' };
  if (typeof data !== 'string') return { kind: 'invalid', field: 'data', message: 'data must be a string' };
  if (type.length > MAX_SIGNAL_TYPE_LENGTH) {
    return {
      kind: 'too-large',
      field: 'type',
      message: `type must be at most ${MAX_SIGNAL_TYPE_LENGTH} characters, got ${type.length}`,
    };
  }
  if (!SIGNAL_TYPE_PATTERN.test(type)) {
    return { kind: 'invalid', field: 'type', message: 'type may contain only A-Z a-z 0-9 - _ . ~' };
  }
  if (data.length > MAX_SIGNAL_DATA_LENGTH) {
    return {
      kind: 'too-large',
      field: 'data',
      message: `data must be at most ${MAX_SIGNAL_DATA_LENGTH} characters, got ${data.length}`,
    };
  }
  return null;
}
