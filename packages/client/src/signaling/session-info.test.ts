import { describe, expect, it } from 'vitest';
import { readSessionInfo, sessionInfoUrl } from './session-info.js';

const valid = {
  session_id: 's1',
  partner_id: 'p1',
  messaging_url: 'wss://x/rumorwebsocketsv2',
  symphony_address: '/symphony.parley',
  ice_servers: [{ urls: 'stun:stun.example.com' }],
  properties: {
    p2p: { preference: { value: 'enabled' } },
    reconnection: true,
    e2ee: false,
    clientCandidates: 'relayed',
  },
};

describe('session info', () => {
  it('builds the URL under the base path and keeps its query', () => {
    expect(sessionInfoUrl('https://h/base/', 's_1~x')).toBe('https://h/base/session/s_1~x?extended=true');
    expect(sessionInfoUrl('https://h/api?region=eu', 's')).toBe(
      'https://h/api/session/s?region=eu&extended=true',
    );
  });

  it('reads the fields the client uses', () => {
    expect(readSessionInfo([valid], 'p1', 's1')).toEqual({
      sessionId: 's1',
      partnerId: 'p1',
      messagingUrl: 'wss://x/rumorwebsocketsv2',
      symphonyAddress: '/symphony.parley',
      iceServers: [{ urls: 'stun:stun.example.com' }],
      relayed: true,
      reconnection: true,
      e2ee: false,
      relayOnly: true,
    });
  });

  it.each([
    [{}, /not a non-empty array/],
    [[{ ...valid, messaging_url: '' }], /no messaging_url/],
    [[{ ...valid, session_id: 'other' }], /another session/],
    [
      [{ error: { code: '500', errorMessage: { message: 'Internal server error' } } }],
      /Internal server error/,
    ],
  ])('rejects %j as an unexpected response', (body, message) => {
    expect(() => readSessionInfo(body, 'p1', 's1')).toThrow(message);
  });
});
