import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SipMessage, SipRequest, SipResponse } from './message.js';
import { ClientTransactions, newBranch } from './transactions.js';
import type { SipTransport } from './transport.js';

/** A transport that records what is sent. */
function fakeTransport(kind: 'udp' | 'tcp'): SipTransport & { sent: SipMessage[] } {
  const sent: SipMessage[] = [];
  return {
    kind,
    localAddress: '127.0.0.1',
    localPort: 5060,
    sent,
    send: (message) => sent.push(message),
    onMessage: () => undefined,
    onClose: () => undefined,
    close: () => undefined,
  };
}

function request(method: string, branch = newBranch()): SipRequest {
  return {
    kind: 'request',
    method,
    uri: 'sip:bob@example.com',
    headers: [
      { name: 'via', value: `SIP/2.0/UDP 127.0.0.1:5060;branch=${branch};rport` },
      { name: 'cseq', value: `1 ${method}` },
    ],
    body: Buffer.alloc(0),
  };
}

function response(to: SipRequest, status: number): SipResponse {
  return { kind: 'response', status, reason: 'x', headers: to.headers, body: Buffer.alloc(0) };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('client transactions', () => {
  it('retransmits an INVITE over UDP at T1, 2T1, 4T1… until a provisional response', () => {
    const transport = fakeTransport('udp');
    const transactions = new ClientTransactions(transport);
    const invite = request('INVITE');
    const seen: number[] = [];
    transactions.start(invite, { onResponse: (r) => seen.push(r.status) });
    vi.advanceTimersByTime(500 + 1000 + 2000);
    expect(transport.sent).toHaveLength(4);
    expect(transactions.receive(response(invite, 180))).toBe(true);
    vi.advanceTimersByTime(60_000);
    expect(transport.sent).toHaveLength(4);
    expect(transactions.receive(response(invite, 200))).toBe(true);
    expect(seen).toEqual([180, 200]);
    // Finished: a retransmitted 200 matches nothing.
    expect(transactions.receive(response(invite, 200))).toBe(false);
  });

  it('caps non-INVITE retransmissions at T2 and times out with a local 408 after 64 × T1', () => {
    const transport = fakeTransport('udp');
    const transactions = new ClientTransactions(transport);
    const bye = request('BYE');
    const seen: SipResponse[] = [];
    transactions.start(bye, { onResponse: (r) => seen.push(r) });
    vi.advanceTimersByTime(500 + 1000 + 2000 + 4000 + 4000);
    expect(transport.sent).toHaveLength(6);
    vi.advanceTimersByTime(32_000);
    expect(seen.map((r) => r.status)).toEqual([408]);
  });

  it('never retransmits over TCP, but still times out', () => {
    const transport = fakeTransport('tcp');
    const transactions = new ClientTransactions(transport);
    const seen: number[] = [];
    transactions.start(request('INVITE'), { onResponse: (r) => seen.push(r.status) });
    vi.advanceTimersByTime(31_000);
    expect(transport.sent).toHaveLength(1);
    vi.advanceTimersByTime(1000);
    expect(seen).toEqual([408]);
  });

  it('matches responses by branch and CSeq method (a CANCEL shares the INVITE branch)', () => {
    const transactions = new ClientTransactions(fakeTransport('udp'));
    const branch = newBranch();
    const invite = request('INVITE', branch);
    const cancel = request('CANCEL', branch);
    const seen: string[] = [];
    transactions.start(invite, { onResponse: (r) => seen.push(`invite ${r.status}`) });
    transactions.start(cancel, { onResponse: (r) => seen.push(`cancel ${r.status}`) });
    transactions.receive(response(cancel, 200));
    transactions.receive(response(invite, 487));
    expect(seen).toEqual(['cancel 200', 'invite 487']);
    expect(transactions.receive(response(request('INVITE'), 200))).toBe(false);
  });
});
