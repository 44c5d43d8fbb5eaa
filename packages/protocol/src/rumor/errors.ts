/** The errors of the Rumor frame codec. */

/** Why a frame could not be decoded. */
export type RumorDecodeFailure =
  | 'too-short'
  | 'length-mismatch'
  | 'too-large'
  | 'unknown-type'
  | 'truncated'
  | 'invalid-utf8';

/** A frame that could not be decoded; `reason` says why. */
export class RumorDecodeError extends Error {
  override readonly name = 'RumorDecodeError';
  constructor(
    readonly reason: RumorDecodeFailure,
    message: string,
  ) {
    super(message);
  }
}

/** A frame that cannot be encoded (too many addresses or headers, a string longer than 65535 bytes). */
export class RumorEncodeError extends Error {
  override readonly name = 'RumorEncodeError';
}
