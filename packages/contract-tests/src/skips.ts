/**
 * The ONE place where skips are declared. A skip names operations, test-name patterns or a capability the
 * target lacks, always with a reason, and shows up in the coverage report with that reason.
 *
 * A skip of operations is *verified*: the suite calls each skipped operation once and requires exactly
 * `501` with the API's error body (`declaredSkipHonesty`). So a skip can never hide a crash, and an
 * operation that gets implemented fails the run until its skip is removed — the list only shrinks.
 */

/** What a target can do beyond plain REST, which some tests need. */
export type Capability =
  /** Headless clients can join sessions over the OpenTok.js signaling protocol (Rumor/Raptor). */
  | 'participants'
  /** Headless clients can publish media over WebRTC (streams, archives, broadcasts need it). */
  | 'media'
  /** The target can reach HTTP servers the suite runs (webhooks, a storage endpoint, an audio WebSocket). */
  | 'webhookReceiver'
  /** Account credentials were given, so project management can be tested. */
  | 'account';

/** Every capability, for validation and help text. */
export const CAPABILITIES: readonly Capability[] = ['participants', 'media', 'webhookReceiver', 'account'];

/** One declared skip. Exactly one of `operationIds`, `tests` or `capability` is given. */
export interface SkipEntry {
  /** Every test that exercises one of these operations is skipped. */
  operationIds?: readonly string[];
  /** Tests whose full name (`sessions > createSession > …`) contains one of these strings. */
  tests?: readonly string[];
  /** Tests that need this capability are skipped. */
  capability?: Capability;
  /** Why, shown in the report. Required: a skip without a reason is refused. */
  reason: string;
  /**
   * For `operationIds`: `notImplemented` (the default) requires each operation to answer exactly 501;
   * `absent` is for third-party targets that do not have the operation at all (nothing is verified).
   */
  verify?: 'notImplemented' | 'absent';
}

/** What a test declares about itself, matched against the skips. */
export interface SkippableTest {
  fullName: string;
  operations: readonly string[];
  needs: readonly Capability[];
}

/** Thrown for a malformed skip list; the message names the entry and the problem. */
export class SkipListError extends Error {
  override readonly name = 'SkipListError';
}

/** Checks a skip list against the spec's operationIds; throws naming the first bad entry. */
export function validateSkips(skips: readonly SkipEntry[], operationIds: ReadonlySet<string>): void {
  skips.forEach((skip, index) => {
    const where = `skip[${index}]`;
    if (typeof skip.reason !== 'string' || skip.reason.trim() === '')
      throw new SkipListError(`${where}.reason is required`);
    const kinds = [skip.operationIds, skip.tests, skip.capability].filter((k) => k !== undefined).length;
    if (kinds !== 1)
      throw new SkipListError(`${where} must give exactly one of operationIds, tests or capability`);
    for (const id of skip.operationIds ?? []) {
      if (!operationIds.has(id))
        throw new SkipListError(`${where}.operationIds names ${id}, which the spec does not define`);
    }
    if (skip.capability !== undefined && !CAPABILITIES.includes(skip.capability)) {
      throw new SkipListError(`${where}.capability must be one of ${CAPABILITIES.join(', ')}`);
    }
    if (skip.verify !== undefined && !['notImplemented', 'absent'].includes(skip.verify)) {
      throw new SkipListError(`${where}.verify must be notImplemented or absent`);
    }
  });
}

/** The first skip that applies to a test, or null. */
export function skipFor(skips: readonly SkipEntry[], test: SkippableTest): SkipEntry | null {
  for (const skip of skips) {
    if (skip.operationIds?.some((id) => test.operations.includes(id))) return skip;
    if (skip.tests?.some((pattern) => test.fullName.includes(pattern))) return skip;
    if (skip.capability && test.needs.includes(skip.capability)) return skip;
  }
  return null;
}

/** The operations declared not implemented (verified to answer 501), with their skip. */
export function notImplementedOperations(skips: readonly SkipEntry[]): Map<string, SkipEntry> {
  const out = new Map<string, SkipEntry>();
  for (const skip of skips) {
    if ((skip.verify ?? 'notImplemented') !== 'notImplemented') continue;
    for (const id of skip.operationIds ?? []) out.set(id, skip);
  }
  return out;
}

/** The skips that follow from the credentials themselves (no account key: no project management). */
export function credentialSkips(credentials: { accountKey?: string; accountSecret?: string }): SkipEntry[] {
  if (credentials.accountKey && credentials.accountSecret) return [];
  return [{ capability: 'account', reason: 'no account credentials were given (accountKey/accountSecret)' }];
}

/**
 * The reference server's skips: operations it answers 501 for, each with the reason. It implements every
 * operation of the spec today, so the list is empty; an operation that ever answers 501 must be listed
 * here with its reason (the run verifies the 501). (The server offers every capability: its gateway
 * carries relayed and routed media and SIP, so nothing is skipped for `media`.)
 */
export const REFERENCE_SERVER_SKIPS: readonly SkipEntry[] = [];

/**
 * Vonage's cloud: Parley's own operations (health, metrics, archive downloads and HLS files served by
 * Parley) do not exist there, project management uses Vonage's account API, and its webhooks cannot reach
 * a receiver on the machine running the suite unless that machine is public.
 */
export const VONAGE_CLOUD_SKIPS: readonly SkipEntry[] = [
  {
    operationIds: [
      'getHealth',
      'getReadiness',
      'getMetrics',
      'downloadArchive',
      'getHlsFile',
      'getClientConfig',
    ],
    reason: 'Parley-only operation: Vonage serves these from other hosts or not at all',
    verify: 'absent',
  },
  {
    operationIds: [
      'createProject',
      'listProjects',
      'getProject',
      'updateProject',
      'deleteProject',
      'refreshProjectSecret',
    ],
    reason: 'project management on Vonage is the account API, not tested here',
    verify: 'absent',
  },
  {
    operationIds: ['getSessionInfoProxied', 'postClientLog', 'postClientLogProxied'],
    reason: 'Parley-only proxy paths of the OpenTok.js client endpoints',
    verify: 'absent',
  },
  { capability: 'webhookReceiver', reason: 'Vonage cannot reach a webhook receiver on this machine' },
];
