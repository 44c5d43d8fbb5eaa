/**
 * UTF-8 length and writing for the short strings of Rumor frames (addresses, header names and values),
 * where `TextEncoder.encode` costs more in allocation than in encoding: most are ASCII and are copied
 * byte by byte into the frame being built. The result is exactly what `TextEncoder` produces, lone
 * surrogates included (each becomes U+FFFD, 3 bytes).
 */

const encoder = new TextEncoder();

/** The number of bytes `TextEncoder` produces for `text`. */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && isLowSurrogate(text.charCodeAt(i + 1))) {
      // A surrogate pair is one code point above U+FFFF: 4 bytes.
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/**
 * Writes `text` as UTF-8 into `target` at `offset`; `byteLength` is {@link utf8Length} of `text`, which
 * the caller already computed to size `target`. Returns the offset after the text.
 */
export function writeUtf8(target: Uint8Array, offset: number, text: string, byteLength: number): number {
  if (byteLength === text.length) {
    // Pure ASCII: one byte per character.
    for (let i = 0; i < text.length; i++) target[offset + i] = text.charCodeAt(i);
  } else {
    encoder.encodeInto(text, target.subarray(offset, offset + byteLength));
  }
  return offset + byteLength;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
