/**
 * Which local ICE candidates the engine hands out. werift gathers on every interface it finds (plus the
 * additional host addresses it is given); clients must only see candidates on the configured listen
 * addresses, with the announced address substituted when the server sits behind NAT.
 */
import { ANY_IPV4 } from '../options.js';

/** The fields of a `candidate:` line the policy looks at. */
export interface ParsedCandidate {
  foundation: string;
  component: string;
  transport: string;
  priority: string;
  address: string;
  port: number;
  type: string;
}

const CANDIDATE = /^(?:a=)?candidate:(\S+) (\d+) (\S+) (\d+) (\S+) (\d+) typ (\S+)/i;

/** Parses the start of a `candidate:` attribute; undefined when it is not one. */
export function parseCandidate(line: string): ParsedCandidate | undefined {
  const match = CANDIDATE.exec(line.trim());
  if (!match) return undefined;
  const [, foundation, component, transport, priority, address, port, type] = match as unknown as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  return { foundation, component, transport, priority, address, port: Number(port), type };
}

/**
 * Whether a remote candidate's address is an mDNS hostname (`<uuid>.local`), as browsers announce their
 * host candidates when the page has no camera or microphone permission. The server cannot resolve them:
 * werift would send mDNS queries (a multicast socket on every interface, against the listen-on-loopback
 * rule) and wait 10 s for an answer that never comes on a server, holding up every later candidate and the
 * answer SDP. They are dropped instead; the browser's connectivity checks still reach the server's own
 * candidates, and ICE learns the browser's address from them as a peer-reflexive candidate.
 */
export function isMdnsCandidate(line: string): boolean {
  return parseCandidate(line)?.address.toLowerCase().endsWith('.local') ?? false;
}

/** The SDP without its `a=candidate` lines for mDNS hostnames (see {@link isMdnsCandidate}). */
export function withoutMdnsCandidates(sdp: string): string {
  if (!sdp.includes('.local')) return sdp;
  return sdp
    .split(/(?<=\n)/)
    .filter((line) => !(line.startsWith('a=candidate:') && isMdnsCandidate(line.slice(2))))
    .join('');
}

/** Filters and rewrites local candidates according to the engine's listen and announced addresses. */
export class CandidatePolicy {
  readonly #listenIps: ReadonlySet<string>;
  readonly #any: boolean;
  readonly #announcedAddress: string | undefined;

  constructor(listenIps: readonly string[], announcedAddress: string | undefined) {
    this.#listenIps = new Set(listenIps);
    this.#any = this.#listenIps.has(ANY_IPV4);
    this.#announcedAddress = announcedAddress;
  }

  /**
   * The candidate line to hand out in place of `line` (same prefix style), or null to drop it: a
   * candidate on an address outside the listen addresses, or anything but a host candidate (the engine
   * never queries STUN, so any other type would be a leak of configuration we did not ask for).
   */
  rewrite(line: string): string | null {
    const parsed = parseCandidate(line);
    if (!parsed) return null;
    if (parsed.type.toLowerCase() !== 'host') return null;
    if (!this.#any && !this.#listenIps.has(parsed.address)) return null;
    if (this.#announcedAddress === undefined) return line;
    // Replace the address field only (the sixth token), keeping foundation, priority and extensions.
    const tokens = line.trim().split(' ');
    tokens[4] = this.#announcedAddress;
    return tokens.join(' ');
  }

  /**
   * Applies {@link rewrite} to every `a=candidate` line of an SDP, dropping duplicates that the announced
   * address can create (two interfaces, one public address, same port).
   */
  rewriteSdp(sdp: string): string {
    const seen = new Set<string>();
    const lines = sdp.split('\r\n');
    const kept: string[] = [];
    let section = 0;
    for (const line of lines) {
      if (line.startsWith('m=')) section++;
      if (!line.startsWith('a=candidate:')) {
        kept.push(line);
        continue;
      }
      const rewritten = this.rewrite(line);
      if (rewritten === null) continue;
      const parsed = parseCandidate(rewritten);
      const key = `${section} ${parsed?.component} ${parsed?.transport} ${parsed?.address} ${parsed?.port}`;
      if (seen.has(key)) continue;
      seen.add(key);
      kept.push(rewritten);
    }
    return kept.join('\r\n');
  }
}
