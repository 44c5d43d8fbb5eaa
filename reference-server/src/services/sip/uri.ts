/**
 * SIP URIs (RFC 3261 §19.1) as far as a user agent client needs them to place a call: the scheme, user,
 * host, port and the `transport` parameter, and from them the transport and next hop to send to. DNS
 * NAPTR/SRV lookups (RFC 3263) are not done: the host is resolved as an address record, on the port
 * given or the scheme's default (5060, or 5061 for TLS).
 */

/** A transport a SIP request can travel over. */
export type SipTransportKind = 'udp' | 'tcp' | 'tls';

/** The parts of a SIP URI a call needs. */
export interface SipUri {
  scheme: 'sip' | 'sips';
  /** The user part, without the `@` (`+14155550101`); empty when absent. */
  user: string;
  /** The host (an IPv6 reference without its brackets). */
  host: string;
  /** The port, or null when the URI has none. */
  port: number | null;
  /** The URI's parameters, names lower-cased (`transport`, `user`, …). */
  params: ReadonlyMap<string, string>;
}

/** Thrown for a URI a call cannot be placed to; the message names the problem. */
export class SipUriError extends Error {
  override readonly name = 'SipUriError';
}

/** Parses a `sip:` or `sips:` URI. */
export function parseSipUri(text: string): SipUri {
  const match = /^(sips?):([^;?]+)((?:;[^?]*)?)(\?.*)?$/i.exec(text.trim());
  if (!match?.[1] || !match[2]) throw new SipUriError(`"${text}" is not a sip: or sips: URI`);
  const scheme = match[1].toLowerCase() as 'sip' | 'sips';
  const at = match[2].lastIndexOf('@');
  const user = at === -1 ? '' : match[2].slice(0, at);
  const hostPort = at === -1 ? match[2] : match[2].slice(at + 1);
  const hostMatch = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec(hostPort);
  if (!hostMatch?.[1]) throw new SipUriError(`"${text}" has no valid host`);
  const host = hostMatch[1].replace(/^\[|\]$/g, '');
  const port = hostMatch[2] === undefined ? null : Number(hostMatch[2]);
  if (port !== null && (port < 1 || port > 65_535)) throw new SipUriError(`"${text}" has port ${port}`);
  const params = new Map<string, string>();
  for (const part of (match[3] ?? '').split(';').slice(1)) {
    const [name, ...value] = part.split('=');
    if (name) params.set(name.toLowerCase(), value.join('='));
  }
  return { scheme, user, host, port, params };
}

/** The transport a URI asks for: `sips:` and `;transport=tls` mean TLS; the default is UDP. */
export function transportOf(uri: SipUri): SipTransportKind {
  const transport = uri.params.get('transport')?.toLowerCase();
  if (uri.scheme === 'sips' || transport === 'tls') return 'tls';
  if (transport === 'tcp') return 'tcp';
  if (transport === undefined || transport === 'udp') return 'udp';
  throw new SipUriError(`The transport "${transport}" is not supported (use udp, tcp or tls)`);
}

/** The port to send to: the URI's, or 5060 (5061 for TLS). */
export function portOf(uri: SipUri, transport: SipTransportKind): number {
  return uri.port ?? (transport === 'tls' ? 5061 : 5060);
}

/** The host as written in a URI or Via (`[::1]` for IPv6). */
export function hostForUri(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}
