/**
 * The signalling transport of one SIP call: a UDP socket, a TCP connection or a TLS connection to the
 * next hop (the host of the dialled URI). UDP messages are datagrams; on TCP and TLS they are framed by
 * {@link SipStreamParser}. TLS verifies the server's certificate against the system CAs (or the CAs the
 * server was configured with) and the URI's host name. The local address a call advertises (Via,
 * Contact, SDP) is the one the operating system routes to the next hop from, unless one is configured.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { isIP, type Socket as NetSocket, connect as netConnect } from 'node:net';
import { rootCertificates, connect as tlsConnect } from 'node:tls';
import { parseSipMessage, type SipMessage, SipStreamParser, serializeSipMessage } from './message.js';
import type { SipTransportKind } from './uri.js';

/** Thrown when the next hop cannot be reached; a call answers it as a local 503 (RFC 3261 §8.1.3.1). */
export class SipTransportError extends Error {
  override readonly name = 'SipTransportError';
}

/** Options of {@link openSipTransport}. */
export interface SipTransportOptions {
  kind: SipTransportKind;
  host: string;
  port: number;
  /** Extra trusted CAs (PEM) for TLS; the system CAs are trusted too. */
  tlsCa?: string | readonly string[];
  /** How long resolving and connecting may take. */
  connectTimeoutMs: number;
  /** The address to advertise; default: the local address that routes to the next hop. */
  advertisedAddress?: string;
}

/** An open transport to the next hop. */
export interface SipTransport {
  readonly kind: SipTransportKind;
  /** The address advertised in Via, Contact and SDP, and that RTP binds to. */
  readonly localAddress: string;
  readonly localPort: number;
  send(message: SipMessage): void;
  /** Receives every message that arrives (responses and in-dialog requests). */
  onMessage(listener: (message: SipMessage) => void): void;
  /** Called once if the connection drops (TCP, TLS); never for UDP. */
  onClose(listener: () => void): void;
  close(): void;
}

/** Resolves the next hop and opens the transport. Throws {@link SipTransportError}. */
export async function openSipTransport(options: SipTransportOptions): Promise<SipTransport> {
  let address: string;
  try {
    address = isIP(options.host) ? options.host : (await lookup(options.host)).address;
  } catch (error) {
    throw new SipTransportError(`Could not resolve ${options.host}: ${(error as Error).message}`);
  }
  return options.kind === 'udp' ? openUdp(address, options) : openStream(address, options);
}

async function openUdp(address: string, options: SipTransportOptions): Promise<SipTransport> {
  const family = address.includes(':') ? 'udp6' : 'udp4';
  const local = options.advertisedAddress ?? (await routedLocalAddress(family, address, options.port));
  const socket = createSocket(family);
  const listeners: ((message: SipMessage) => void)[] = [];
  socket.on('message', (bytes) => {
    let message: SipMessage;
    try {
      message = parseSipMessage(bytes);
    } catch {
      return; // RFC 3261 §18.3: a malformed datagram is discarded.
    }
    for (const listener of listeners) listener(message);
  });
  socket.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, options.advertisedAddress ? undefined : local, () => resolve());
  });
  let closed = false;
  // Sends are asynchronous: closing with one in flight would drop it (the ACK of a final response, often).
  let inFlight = 0;
  const closeWhenFlushed = () => {
    if (closed && inFlight === 0) socket.close();
  };
  return {
    kind: 'udp',
    localAddress: local,
    localPort: socket.address().port,
    send: (message) => {
      if (closed) return;
      inFlight++;
      socket.send(serializeSipMessage(message), options.port, address, () => {
        inFlight--;
        closeWhenFlushed();
      });
    },
    onMessage: (listener) => listeners.push(listener),
    onClose: () => undefined,
    close: () => {
      if (closed) return;
      closed = true;
      closeWhenFlushed();
    },
  };
}

/** The local address the system routes to `address` from (a connected UDP socket tells it). */
async function routedLocalAddress(family: 'udp4' | 'udp6', address: string, port: number): Promise<string> {
  const probe: UdpSocket = createSocket(family);
  try {
    await new Promise<void>((resolve, reject) => {
      probe.once('error', reject);
      probe.connect(port, address, () => resolve());
    });
    return probe.address().address;
  } catch (error) {
    throw new SipTransportError(`No route to ${address}: ${(error as Error).message}`);
  } finally {
    probe.close();
  }
}

async function openStream(address: string, options: SipTransportOptions): Promise<SipTransport> {
  const socket: NetSocket = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      connection.destroy();
      reject(new SipTransportError(`Connecting to ${options.host}:${options.port} timed out`));
    }, options.connectTimeoutMs);
    const done = (error?: Error) => {
      clearTimeout(timer);
      if (error) {
        reject(
          new SipTransportError(`Could not connect to ${options.host}:${options.port}: ${error.message}`),
        );
      } else {
        resolve(connection);
      }
    };
    const connection: NetSocket =
      options.kind === 'tls'
        ? tlsConnect(
            {
              host: address,
              port: options.port,
              // The certificate must name the URI's host, not the address it resolved to.
              servername: isIP(options.host) ? undefined : options.host,
              rejectUnauthorized: true,
              ...(options.tlsCa ? { ca: withSystemCas(options.tlsCa) } : {}),
            },
            () => done(),
          )
        : netConnect({ host: address, port: options.port }, () => done());
    connection.once('error', done);
  });
  socket.removeAllListeners('error');
  socket.on('error', () => undefined);
  const parser = new SipStreamParser();
  const listeners: ((message: SipMessage) => void)[] = [];
  const closeListeners: (() => void)[] = [];
  let closed = false;
  socket.on('data', (chunk: Buffer) => {
    let messages: SipMessage[];
    try {
      messages = parser.push(chunk);
    } catch {
      socket.destroy(); // A stream that cannot be framed cannot be resynchronised.
      return;
    }
    for (const message of messages) for (const listener of listeners) listener(message);
  });
  socket.on('close', () => {
    if (!closed) for (const listener of closeListeners.splice(0)) listener();
  });
  return {
    kind: options.kind,
    localAddress: options.advertisedAddress ?? socket.localAddress ?? '127.0.0.1',
    localPort: socket.localPort ?? 0,
    send: (message) => {
      if (!closed && !socket.destroyed) socket.write(serializeSipMessage(message));
    },
    onMessage: (listener) => listeners.push(listener),
    onClose: (listener) => closeListeners.push(listener),
    close: () => {
      if (closed) return;
      closed = true;
      socket.end();
      setTimeout(() => socket.destroy(), 1000).unref();
    },
  };
}

/** Configured CAs plus the system's, so configuring one private CA does not distrust public ones. */
function withSystemCas(ca: string | readonly string[]): string[] {
  // `tls.rootCertificates` is Node's bundled store, the default when `ca` is not given.
  return [...rootCertificates, ...(typeof ca === 'string' ? [ca] : ca)];
}
