import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '../http/errors.js';
import { UnavailableMedia } from '../realtime/media/unavailable.js';
import { LiveSessionRegistry } from '../realtime/session/registry.js';
import type { VerifiedClientToken } from '../tokens/client-token.js';
import { joinSessionAsService, type ServiceJoinOptions } from './join-session.js';

const project = { applicationId: 'app-1', apiKey: '12345' };
const record = { sessionId: 'session-1', mediaMode: 'routed', e2ee: false } as const;
const token: VerifiedClientToken = {
  format: 'vonage-jwt',
  applicationId: project.applicationId,
  apiKey: project.apiKey,
  sessionId: record.sessionId,
  role: 'publisher',
  connectionData: 'name=service',
  initialLayoutClassList: ['focus'],
  issuedAt: 0,
  expiresAt: Number.MAX_SAFE_INTEGER,
  nonce: null,
};

function registryWith(maxConnectionsPerSession: number): LiveSessionRegistry {
  return new LiveSessionRegistry({ maxConnectionsPerSession, createMedia: () => new UnavailableMedia() });
}

function optionsFor(
  registry: LiveSessionRegistry,
  overrides: Partial<ServiceJoinOptions> = {},
): ServiceJoinOptions {
  return {
    registry,
    project,
    session: record,
    token,
    userAgent: 'Parley Test Service',
    now: () => 1_000,
    onEnded: () => {},
    ...overrides,
  };
}

describe('joinSessionAsService', () => {
  it('opens the live session and joins it as a connection carrying the token', () => {
    const registry = registryWith(10);
    const client = joinSessionAsService(optionsFor(registry));
    const session = registry.get(record.sessionId);
    expect(session?.project).toEqual(project);
    expect(session?.mediaMode).toBe('routed');
    const connection = session?.connection(client.connection.id);
    expect(connection).toMatchObject({
      role: 'publisher',
      data: 'name=service',
      initialLayoutClassList: ['focus'],
      userAgent: 'Parley Test Service',
      creationTime: 1_000,
    });
  });

  it('gives every service its own connection ID', () => {
    const registry = registryWith(10);
    const first = joinSessionAsService(optionsFor(registry));
    const second = joinSessionAsService(optionsFor(registry));
    expect(first.connection.id).not.toBe(second.connection.id);
    expect(registry.get(record.sessionId)?.connections).toHaveLength(2);
  });

  it('tells the service when the session ends its connection', () => {
    const registry = registryWith(10);
    const onEnded = vi.fn();
    joinSessionAsService(optionsFor(registry, { onEnded }));
    registry.get(record.sessionId)?.close();
    expect(onEnded).toHaveBeenCalledOnce();
  });

  it('turns a full session into INVALID_FIELD naming body.sessionId and releases an empty session', () => {
    const registry = registryWith(0);
    let thrown: unknown;
    try {
      joinSessionAsService(optionsFor(registry));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ApiError);
    expect((thrown as ApiError).code).toBe(40001);
    expect((thrown as ApiError).message).toBe(
      'body.sessionId: session session-1 has reached its connection limit',
    );
    expect(registry.get(record.sessionId)).toBeUndefined();
  });

  it('leaves the other connections of a full session in place', () => {
    const registry = registryWith(1);
    const first = joinSessionAsService(optionsFor(registry));
    expect(() => joinSessionAsService(optionsFor(registry))).toThrow(ApiError);
    expect(registry.get(record.sessionId)?.connections.map((c) => c.id)).toEqual([first.connection.id]);
  });
});
