/** One entry of the error catalogue. */
export interface ErrorDefinition {
  /** The stable code: HTTP status × 100 + a two-digit number. */
  readonly code: number;
  /** The HTTP status the error is sent with. */
  readonly status: number;
  /** The message used when the thrower does not give a more specific one. */
  readonly message: string;
  /** What the error means, for the documentation table. */
  readonly description: string;
  /** How a client fixes it, for the documentation table. */
  readonly howToSolve: string;
  /** Retired entries stay in the catalogue so their codes are never reused. */
  readonly retired?: boolean;
}

/**
 * Builds a catalogue entry; the status is derived from the code so the two cannot disagree.
 *
 * @param code - HTTP status × 100 + the next free two-digit number under that status.
 * @param message - The default message, used when the thrower gives none.
 * @param description - What the error means (README table).
 * @param howToSolve - How a client fixes it (README table).
 */
export const define = (
  code: number,
  message: string,
  description: string,
  howToSolve: string,
): ErrorDefinition => ({
  code,
  status: Math.floor(code / 100),
  message,
  description,
  howToSolve,
});
