/**
 * Machine-wide counters that explain a load test's losses: the kernel's UDP receive-buffer overflows
 * (a process that stalls longer than its socket buffers last drops datagrams before any code sees them).
 */
import { readFile } from 'node:fs/promises';

/**
 * The kernel's count of UDP datagrams dropped because a socket's receive buffer was full
 * (`RcvbufErrors` in `/proc/net/snmp`), or undefined where that file does not exist (not Linux).
 * Machine-wide: other processes' drops are included.
 */
export async function udpReceiveBufferErrors(): Promise<number | undefined> {
  let text: string;
  try {
    text = await readFile('/proc/net/snmp', 'utf8');
  } catch {
    return undefined;
  }
  return parseUdpReceiveBufferErrors(text);
}

/** Reads `RcvbufErrors` from the two `Udp:` lines (names, then values) of `/proc/net/snmp`. */
export function parseUdpReceiveBufferErrors(snmp: string): number | undefined {
  const [names, values] = snmp
    .split('\n')
    .filter((line) => line.startsWith('Udp:'))
    .map((line) => line.trim().split(/\s+/));
  const index = names?.indexOf('RcvbufErrors') ?? -1;
  const value = index > 0 ? Number(values?.[index]) : Number.NaN;
  return Number.isFinite(value) ? value : undefined;
}
