/**
 * The SFU engine interface: what the signaling gateway (`src/realtime/`) calls to route a session's media.
 *
 * The shape follows mediasoup's object tree so a mediasoup engine can stand behind the same interface where
 * it installs:
 *
 * ```
 * SfuEngine ─ createRouter({sessionId}) → Router                       (one per routed session)
 *   Router ─ createPublisherTransport({streamId}) → PublisherTransport (the publisher offers)
 *     PublisherTransport ─ 'producer' event → Producer                  (one per received audio/video track)
 *   Router ─ createSubscriberTransport({…, producers}) → SubscriberTransport (the server offers)
 *     SubscriberTransport.consumers → Consumer                          (one per producer it forwards)
 * ```
 *
 * Closing cascades down the tree: `router.close()` closes its transports, a transport closes its producers
 * or consumers, and a producer's close closes every consumer of it. `close()` is idempotent everywhere, and
 * every entity emits `close` exactly once, whatever closed it.
 *
 * Factory methods are asynchronous although the in-process werift engine could answer at once: an engine
 * whose workers live in other threads or processes (one per core) answers over IPC.
 *
 * No engine library type (werift, mediasoup) appears here: SDPs and candidates are plain strings and
 * objects, so the gateway and its tests can use a fake engine.
 */
export * from './types/common.js';
export * from './types/engine.js';
export * from './types/engine-options.js';
export * from './types/media.js';
export * from './types/transports.js';
