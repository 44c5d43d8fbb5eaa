/**
 * The SFU: an engine interface shaped like mediasoup's object tree (see `types.ts`) and its werift
 * implementation. Nothing outside `src/sfu/werift/` sees a werift type.
 *
 * @example
 * ```ts
 * const engine = createSfuEngine({ listenIps: ['127.0.0.1'] });
 * const router = await engine.createRouter({ sessionId });
 * const publisher = await router.createPublisherTransport({ streamId });
 * publisher.on('connectionstatechange', (state) => state === 'connected' && announce(streamId));
 * const answer = await publisher.handleOffer(offerFromClient);
 * ```
 */
import type { SfuEngine, SfuEngineOptions } from './types.js';
import { WeriftEngine } from './werift/engine.js';

export * from './errors.js';
export { type ResolvedSfuEngineOptions, resolveSfuEngineOptions } from './options.js';
export * from './types.js';

/**
 * Creates the default SFU engine (werift, in this process). Throws an `SfuError` of code
 * `INVALID_ARGUMENT` naming the bad option.
 */
export function createSfuEngine(options: SfuEngineOptions = {}): SfuEngine {
  return new WeriftEngine(options);
}
