/**
 * Reading the parts of a binary Rumor frame: length-prefixed UTF-8 strings, checked against the end of
 * the frame. Shared by the full decoder and the header peek. A class rather than closures: a closure per
 * decoded frame costs an allocation (and, under a keep-names transform, a call) on the hottest path of the
 * gateway, the ACKs.
 */
import { RumorDecodeError } from './errors.js';

const decoder = new TextDecoder('utf-8', { fatal: true });
/** Strings up to this many bytes are checked for pure ASCII first: most addresses and headers are. */
const ASCII_FAST_PATH_MAX = 512;

/** A cursor over one frame's bytes. */
export class FrameReader {
  offset: number;

  constructor(
    readonly input: Uint8Array,
    offset: number,
  ) {
    this.offset = offset;
  }

  /** Reads a length-prefixed string (`what` names it in errors). */
  string(what: string): string {
    const start = this.#skip(what);
    return decodeText(this.input.subarray(start, this.offset), what);
  }

  /** Skips a length-prefixed string without decoding it. */
  skipString(what: string): void {
    this.#skip(what);
  }

  /**
   * Reads a length-prefixed string and tells whether its bytes are exactly `ascii` (an ASCII string, such
   * as a header name), without decoding it.
   */
  stringEquals(ascii: string, what: string): boolean {
    const start = this.#skip(what);
    if (this.offset - start !== ascii.length) return false;
    for (let i = 0; i < ascii.length; i++) if (this.input[start + i] !== ascii.charCodeAt(i)) return false;
    return true;
  }

  /** Reads one byte (a count). */
  byte(what: string): number {
    if (this.offset >= this.input.length)
      throw new RumorDecodeError('truncated', `frame ends before its ${what}`);
    return this.input[this.offset++] as number;
  }

  /** The rest of the frame as text. */
  rest(what: string): string {
    return decodeText(this.input.subarray(this.offset), what);
  }

  /** Moves past a length-prefixed string; returns where its bytes start. */
  #skip(what: string): number {
    const { input } = this;
    if (this.offset + 2 > input.length)
      throw new RumorDecodeError('truncated', `frame ends inside the length of a ${what}`);
    const length = ((input[this.offset] as number) << 8) | (input[this.offset + 1] as number);
    const start = this.offset + 2;
    if (start + length > input.length) throw new RumorDecodeError('truncated', `frame ends inside a ${what}`);
    this.offset = start + length;
    return start;
  }
}

/** Decodes UTF-8, strictly: invalid bytes are a {@link RumorDecodeError}. */
export function decodeText(bytes: Uint8Array, what: string): string {
  // `TextDecoder` has a high fixed cost per call; a frame holds several short strings.
  if (bytes.length <= ASCII_FAST_PATH_MAX && isAscii(bytes)) {
    return String.fromCharCode.apply(null, bytes as unknown as number[]);
  }
  try {
    return decoder.decode(bytes);
  } catch {
    throw new RumorDecodeError('invalid-utf8', `the ${what} is not valid UTF-8`);
  }
}

function isAscii(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) if ((bytes[i] as number) > 0x7f) return false;
  return true;
}
