/**
 * Small helpers the resource suites share: creating the resources other tests need.
 */
import type { ContractHarness } from '../harness/context.js';
import type { MediaKind, Subscription } from '../participants/index.js';

/** Creates a session (routed by default) and returns its ID. */
export async function createSession(
  h: ContractHarness,
  form: Record<string, string> = { 'p2p.preference': 'disabled' },
): Promise<string> {
  const response = await h.expect('createSession', 200, { body: form });
  const sessionId = (response.body as { session_id?: string }[])[0]?.session_id;
  if (!sessionId) throw new Error(`createSession returned no session_id: ${response.text}`);
  return sessionId;
}

/** Polls `read` until `done` holds for its result, every 500 ms, up to `timeoutMs`. */
export async function poll<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`gave up waiting after ${timeoutMs} ms; last value: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** A session ID that is well formed but names no session. */
export const UNKNOWN_SESSION_ID = '2_MX4xMjM0NTY3OH5-MTcwMDAwMDAwMDAwMH5ub3RoZXJlfn4';
/** A well-formed ID that names no resource. */
export const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

/** The form of a relayed (peer-to-peer) session. */
export const RELAYED = { 'p2p.preference': 'enabled' } as const;
/** The form of a routed session (media through the target's media server). */
export const ROUTED = { 'p2p.preference': 'disabled' } as const;

/**
 * Requires media of `kind` to have stopped arriving at a subscription: after a grace period for packets
 * already in flight, no packet may arrive for `quietMs`. Returns the packet count it settled on.
 */
export async function expectMediaStops(
  subscription: Subscription,
  kind: MediaKind,
  { graceMs = 1_000, quietMs = 1_500 } = {},
): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, graceMs));
  const before = subscription.stats()[kind].packets;
  await new Promise((resolve) => setTimeout(resolve, quietMs));
  const after = subscription.stats()[kind].packets;
  if (after !== before) {
    throw new Error(
      `${kind} kept arriving at subscriber ${subscription.id}: ${after - before} packets in ${quietMs} ms after it should have stopped`,
    );
  }
  return after;
}

/** Requires media of `kind` to keep arriving: at least `packets` more within `timeoutMs`. */
export async function expectMediaFlows(
  subscription: Subscription,
  kind: MediaKind,
  packets = 10,
  timeoutMs = 10_000,
): Promise<void> {
  const start = subscription.stats()[kind].packets;
  await subscription.waitForPackets({ [kind]: start + packets }, timeoutMs);
}
