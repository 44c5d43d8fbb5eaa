/**
 * `@parley/protocol`: the OpenTok.js-compatible client wire protocol shared by Parley's signaling
 * gateway and its browser client. Browser-safe (no Node built-ins).
 */

export type * from './generated/types.js';
export * from './raptor/message.js';
export * from './raptor/signal.js';
export * from './raptor/uri.js';
export * from './rumor/frame.js';
export * from './rumor/template.js';
