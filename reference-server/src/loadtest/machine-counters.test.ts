import { describe, expect, it } from 'vitest';
import { parseUdpReceiveBufferErrors } from './machine-counters.js';

describe('parseUdpReceiveBufferErrors', () => {
  it('reads RcvbufErrors from the Udp lines of /proc/net/snmp', () => {
    const snmp = [
      'Tcp: RtoAlgorithm RtoMin',
      'Tcp: 1 200',
      'Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors',
      'Udp: 3262431 7192 1081831 4374771 1081829 0 0',
      'UdpLite: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors',
      'UdpLite: 0 0 0 0 0 0 0',
    ].join('\n');
    expect(parseUdpReceiveBufferErrors(snmp)).toBe(1081829);
  });

  it('is undefined when the counter is missing', () => {
    expect(parseUdpReceiveBufferErrors('Ip: Forwarding\nIp: 1\n')).toBeUndefined();
  });
});
