/**
 * The logger the realtime layer writes to: the subset of pino's API it uses, so Fastify's `app.log`, a
 * pino instance or a test double all fit.
 */
export interface RealtimeLogger {
  debug(fields: object, message?: string): void;
  info(fields: object, message?: string): void;
  warn(fields: object, message?: string): void;
  error(fields: object, message?: string): void;
}

/** A logger that drops everything (the default when none is given). */
export const silentLogger: RealtimeLogger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
};
