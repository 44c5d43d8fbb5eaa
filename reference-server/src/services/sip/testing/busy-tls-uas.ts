/**
 * Test support (not a test file): a self-signed certificate made with the `openssl` CLI, and a SIP server
 * on TLS (127.0.0.1) presenting it that records every INVITE and answers it `486 Busy Here`, so a call to
 * it ends at once. Only a client that trusts the certificate (a configured CA) gets an INVITE through.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createServer, type Server } from 'node:tls';
import { header, type SipRequest, SipStreamParser, serializeSipMessage } from '../message.js';

/** A certificate and its key, as files and as PEM text. */
export interface TestCertificate {
  certFile: string;
  keyFile: string;
  cert: string;
  key: string;
}

/**
 * Writes a self-signed EC certificate for `127.0.0.1` (subject and IP subject alternative name) valid for
 * a day to `<directory>/<name>.pem`, its key beside it as `<name>-key.pem`.
 */
export function makeTestCertificate(directory: string, name = 'cert'): TestCertificate {
  const certFile = join(directory, `${name}.pem`);
  const keyFile = join(directory, `${name}-key.pem`);
  execFileSync(
    'openssl',
    [
      ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'],
      ...['-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'],
      ...['-keyout', keyFile, '-out', certFile],
    ],
    { stdio: 'ignore' },
  );
  return { certFile, keyFile, cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
}

/** The running server of {@link startBusyTlsUas}. */
export interface BusyTlsUas {
  /** Every INVITE received, in order. */
  readonly invites: readonly SipRequest[];
  /** `sip:<user>@127.0.0.1:<port>;transport=tls`. */
  uri(user?: string): string;
  readonly port: number;
  close(): Promise<void>;
}

/** Starts a TLS SIP server presenting `certificate` that answers every INVITE `486 Busy Here`. */
export async function startBusyTlsUas(
  certificate: Pick<TestCertificate, 'cert' | 'key'>,
): Promise<BusyTlsUas> {
  const invites: SipRequest[] = [];
  const server: Server = createServer({ cert: certificate.cert, key: certificate.key }, (socket) => {
    const parser = new SipStreamParser();
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => {
      for (const message of parser.push(chunk)) {
        if (message.kind !== 'request' || message.method !== 'INVITE') continue;
        invites.push(message);
        const echoed = message.headers.filter((h) => ['via', 'from', 'call-id', 'cseq'].includes(h.name));
        const busy = serializeSipMessage({
          kind: 'response',
          status: 486,
          reason: 'Busy Here',
          headers: [...echoed, { name: 'to', value: `${header(message, 'to')};tag=busy` }],
          body: Buffer.alloc(0),
        });
        socket.write(busy);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  return {
    invites,
    port,
    uri: (user = 'bob') => `sip:${user}@127.0.0.1:${port};transport=tls`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
