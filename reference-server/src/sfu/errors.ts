/**
 * The SFU error catalogue: every error an engine rejects or throws with. The gateway maps them to
 * signaling statuses (`INVALID_SDP`/`INVALID_CANDIDATE`/`UNSUPPORTED_CODEC` → 400, `INVALID_STATE` → 409 or
 * 404, `INTERNAL` → 500). Codes are never reused.
 */

/** One entry of the catalogue. */
export interface SfuErrorDefinition {
  /** The default message (when the thrower gives no detail). */
  readonly message: string;
}

/** The catalogue. */
export const SFU_ERRORS = {
  /** An option or argument is missing or out of range; the message names the field. */
  INVALID_ARGUMENT: { message: 'Invalid argument' },
  /** The SDP cannot be parsed or does not fit the transport (wrong type, no media, changed m-sections). */
  INVALID_SDP: { message: 'Invalid SDP' },
  /** A trickled ICE candidate cannot be parsed or names no m-section of the SDP. */
  INVALID_CANDIDATE: { message: 'Invalid ICE candidate' },
  /** The offer has a media section with none of Opus, VP8 or H.264. */
  UNSUPPORTED_CODEC: { message: 'No supported codec (Opus, VP8, H.264)' },
  /** The entity is closed, or the call does not fit the negotiation state (e.g. an answer with no offer). */
  INVALID_STATE: { message: 'Invalid state' },
  /** The engine library failed unexpectedly. */
  INTERNAL: { message: 'Internal SFU error' },
} as const satisfies Record<string, SfuErrorDefinition>;

/** The code of a catalogue entry. */
export type SfuErrorCode = keyof typeof SFU_ERRORS;

/** An error of the SFU engine, with a catalogue code. */
export class SfuError extends Error {
  override readonly name = 'SfuError';
  readonly code: SfuErrorCode;

  constructor(code: SfuErrorCode, message?: string, options?: { cause?: unknown }) {
    super(message ?? SFU_ERRORS[code].message, options);
    this.code = code;
  }
}
