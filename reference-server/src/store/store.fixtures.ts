/**
 * Records with test defaults, shared by the store contract suite and the crash-test child process (which
 * runs outside vitest, so this file must not import it).
 */
import type {
  ArchiveRecord,
  BroadcastRecord,
  CallbackRecord,
  IdempotencyRecord,
  ProjectRecord,
  RenderRecord,
  SessionRecord,
  WebhookDeliveryRecord,
} from './types.js';

/** A project record with test defaults. */
export function aProject(overrides: Partial<ProjectRecord> = {}): ProjectRecord {
  return {
    applicationId: '5f2b1d2e-8a61-4c3b-9a7e-0d1c2b3a4f56',
    apiKey: '47000001',
    apiSecret: 'secret-0123456789abcdef0123456789abcdef',
    publicKeyPem: '-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----\n',
    webhookSecret: 'whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQ=',
    name: 'Test project',
    status: 'ACTIVE',
    callbackUrls: { archive: 'https://example.test/archive' },
    archiveStorage: null,
    createdAt: 1_700_000_000_000,
    updatedAt: 1_700_000_000_000,
    ...overrides,
  };
}

/** A session record with test defaults. */
export function aSession(overrides: Partial<SessionRecord> = {}): SessionRecord {
  return {
    sessionId: '2_MX40NzAwMDAwMX5-MTcwMDAwMDAwMDAwMH5hYmN-fg',
    applicationId: '5f2b1d2e-8a61-4c3b-9a7e-0d1c2b3a4f56',
    mediaMode: 'routed',
    archiveMode: 'manual',
    location: null,
    e2ee: false,
    archiveName: null,
    archiveResolution: null,
    createdAt: 1_700_000_000_000,
    ...overrides,
  };
}

/** An archive record with test defaults. */
export function anArchive(overrides: Partial<ArchiveRecord> = {}): ArchiveRecord {
  return {
    id: 'b40ef09b-3811-4726-b508-e41a0f96c68f',
    applicationId: '5f2b1d2e-8a61-4c3b-9a7e-0d1c2b3a4f56',
    sessionId: 'session-a',
    status: 'started',
    createdAt: 1_700_000_000_000,
    updatedAt: 1_700_000_000_000,
    data: { name: 'Archive', outputMode: 'composed', hasAudio: true, streams: [{ streamId: 's1' }] },
    ...overrides,
  };
}

/** A broadcast record with test defaults. */
export function aBroadcast(overrides: Partial<BroadcastRecord> = {}): BroadcastRecord {
  return {
    id: '1748b707-0a81-464c-9759-c46ad10d3734',
    applicationId: '5f2b1d2e-8a61-4c3b-9a7e-0d1c2b3a4f56',
    sessionId: 'session-a',
    status: 'started',
    createdAt: 1_700_000_000_000,
    updatedAt: 1_700_000_000_000,
    data: { broadcastUrls: { hls: 'https://example.test/hls.m3u8' }, resolution: '640x480' },
    ...overrides,
  };
}

/** A render record with test defaults. */
export function aRender(overrides: Partial<RenderRecord> = {}): RenderRecord {
  return {
    id: '6b2e4d1c-8a3f-4e7b-9c0d-1e2f3a4b5c6d',
    applicationId: '5f2b1d2e-8a61-4c3b-9a7e-0d1c2b3a4f56',
    sessionId: 'session-a',
    status: 'starting',
    createdAt: 1_700_000_000_000,
    updatedAt: 1_700_000_000_000,
    data: { url: 'https://example.test/stage', resolution: '1280x720', maxDuration: 1800 },
    ...overrides,
  };
}

/** A callback record with test defaults. */
export function aCallback(overrides: Partial<CallbackRecord> = {}): CallbackRecord {
  return {
    id: 'cb-1',
    applicationId: '5f2b1d2e-8a61-4c3b-9a7e-0d1c2b3a4f56',
    group: 'archive',
    event: 'status',
    url: 'https://example.test/callback',
    createdAt: 1_700_000_000_000,
    ...overrides,
  };
}

/** A webhook delivery record with test defaults. */
export function aDelivery(overrides: Partial<WebhookDeliveryRecord> = {}): WebhookDeliveryRecord {
  return {
    id: 'msg_1',
    applicationId: '5f2b1d2e-8a61-4c3b-9a7e-0d1c2b3a4f56',
    url: 'https://example.test/hook',
    event: 'archive',
    body: '{"status":"started"}',
    status: 'pending',
    attempts: 0,
    lastStatusCode: null,
    lastError: null,
    nextAttemptAt: 1_700_000_000_000,
    createdAt: 1_700_000_000_000,
    updatedAt: 1_700_000_000_000,
    ...overrides,
  };
}

/** An idempotency record with test defaults. */
export function anIdempotencyRecord(overrides: Partial<IdempotencyRecord> = {}): IdempotencyRecord {
  return {
    applicationId: '5f2b1d2e-8a61-4c3b-9a7e-0d1c2b3a4f56',
    key: 'key-1',
    fingerprint: 'POST /x sha256:abc',
    statusCode: 201,
    headers: { 'content-type': 'application/json' },
    body: '{"ok":true}',
    expiresAt: 1_700_000_100_000,
    ...overrides,
  };
}
