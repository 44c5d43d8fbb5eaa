/**
 * Loopback UDP port pairs for ffmpeg's RTP inputs. ffmpeg binds an even RTP port and the next (RTCP)
 * port itself, so a pair is probed by binding both, then released for ffmpeg. Pairs handed out and not
 * yet released are remembered, so two recordings starting together never get the same pair.
 */
import { createSocket } from 'node:dgram';
import { readFile } from 'node:fs/promises';

/** The range pairs are taken from (inclusive, even start). */
export interface PortPool {
  min: number;
  max: number;
}

const DEFAULT_POOL: PortPool = { min: 40_000, max: 59_998 };
const reserved = new Set<number>();

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    socket.once('error', () => {
      socket.close();
      resolve(false);
    });
    socket.bind(port, '127.0.0.1', () => socket.close(() => resolve(true)));
  });
}

/**
 * Reserves an even port whose pair (`port`, `port + 1`) is free on 127.0.0.1 now. Call
 * {@link releasePortPair} once ffmpeg exits.
 */
export async function reservePortPair(pool: PortPool = DEFAULT_POOL): Promise<number> {
  const pairs = Math.floor((pool.max - pool.min) / 2);
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const port = pool.min + 2 * Math.floor(Math.random() * pairs);
    if (reserved.has(port)) continue;
    reserved.add(port);
    if ((await canBind(port)) && (await canBind(port + 1))) return port;
    reserved.delete(port);
  }
  throw new Error(`No free UDP port pair in ${pool.min}-${pool.max} on 127.0.0.1`);
}

/** Releases a pair from {@link reservePortPair}. */
export function releasePortPair(port: number): void {
  reserved.delete(port);
}

/** The local UDP ports bound on this host now, from `/proc/net/udp` (Linux); null elsewhere. */
async function boundUdpPorts(): Promise<Set<number> | null> {
  try {
    const table = await readFile('/proc/net/udp', 'utf8');
    const ports = new Set<number>();
    for (const line of table.split('\n').slice(1)) {
      const local = line.trim().split(/\s+/)[1];
      const hex = local?.split(':')[1];
      if (hex) ports.add(Number.parseInt(hex, 16));
    }
    return ports;
  } catch {
    return null;
  }
}

/**
 * Resolves once every port in `ports` is bound by some process (ffmpeg opened its RTP inputs), after
 * `timeoutMs`, or as soon as `signal` aborts (the process exited: nobody will bind them). Without
 * `/proc/net/udp` it waits a fixed half second, ffmpeg's usual start-up time.
 */
export async function waitUntilBound(
  ports: readonly number[],
  timeoutMs = 5000,
  signal?: AbortSignal,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (signal?.aborted) return;
    const bound = await boundUdpPorts();
    if (bound === null) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      return;
    }
    if (ports.every((port) => bound.has(port)) || Date.now() > deadline) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
