/**
 * SIP messages (RFC 3261 §7): parsing and serialising requests and responses. Parsing accepts what real
 * SIP stacks send — folded header lines (§7.3.1), compact header names (`v`, `f`, `t`, `i`, `m`, `l`,
 * `c`, `k`, `s`, `e`), repeated headers and comma-separated values of list headers — and stores header
 * names in their canonical long form, lower-cased, so lookups never care how the peer spelled them.
 * {@link SipStreamParser} frames messages on a byte stream (TCP, TLS) by `Content-Length`.
 */

/** A SIP request or response. `headers` keep their order; names are canonical and lower-case. */
export interface SipMessageBase {
  headers: SipHeader[];
  body: Buffer;
}

/** One header line (a list header with several comma-separated values stays one entry). */
export interface SipHeader {
  /** Lower-case long form (`via`, `call-id`, `x-customer-id`). */
  name: string;
  value: string;
  /** How to spell the name when serialising (a custom header as the API caller wrote it). */
  spelled?: string;
}

/** A request: `INVITE sip:bob@example.com SIP/2.0`. */
export interface SipRequest extends SipMessageBase {
  kind: 'request';
  method: string;
  uri: string;
}

/** A response: `SIP/2.0 180 Ringing`. */
export interface SipResponse extends SipMessageBase {
  kind: 'response';
  status: number;
  reason: string;
}

/** Either kind of message. */
export type SipMessage = SipRequest | SipResponse;

/** Thrown for bytes that are not a SIP message; the message says what is wrong. */
export class SipParseError extends Error {
  override readonly name = 'SipParseError';
}

/** RFC 3261 §7.3.3 compact forms, and RFC 3515/3891 ones the stacks use. */
const COMPACT_NAMES: Readonly<Record<string, string>> = {
  v: 'via',
  f: 'from',
  t: 'to',
  i: 'call-id',
  m: 'contact',
  l: 'content-length',
  c: 'content-type',
  k: 'supported',
  s: 'subject',
  e: 'content-encoding',
  o: 'event',
  r: 'refer-to',
  u: 'allow-events',
};

/** How headers are spelled when serialised (others are written in Title-Case). */
const CANONICAL_SPELLING: Readonly<Record<string, string>> = {
  'call-id': 'Call-ID',
  cseq: 'CSeq',
  'www-authenticate': 'WWW-Authenticate',
  'max-forwards': 'Max-Forwards',
};

/** The canonical lower-case name of a header as written by a peer. */
export function canonicalHeaderName(name: string): string {
  const lower = name.trim().toLowerCase();
  return COMPACT_NAMES[lower] ?? lower;
}

/** The first value of a header, or undefined. */
export function header(message: SipMessageBase, name: string): string | undefined {
  const wanted = canonicalHeaderName(name);
  return message.headers.find((h) => h.name === wanted)?.value;
}

/**
 * Every value of a header, in order: repeated header lines and the comma-separated values of one line
 * (commas inside quotes or `<…>` do not split).
 */
export function headerValues(message: SipMessageBase, name: string): string[] {
  const wanted = canonicalHeaderName(name);
  return message.headers.filter((h) => h.name === wanted).flatMap((h) => splitList(h.value));
}

/** Splits a list header value on commas outside quotes and angle brackets. */
export function splitList(value: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < value.length; i++) {
    const char = value[i];
    if (char === '"' && value[i - 1] !== '\\') quoted = !quoted;
    else if (!quoted && char === '<') depth++;
    else if (!quoted && char === '>') depth = Math.max(0, depth - 1);
    else if (!quoted && depth === 0 && char === ',') {
      out.push(value.slice(start, i).trim());
      start = i + 1;
    }
  }
  out.push(value.slice(start).trim());
  return out.filter((part) => part !== '');
}

/** Parses one complete message (a UDP datagram, or a frame from {@link SipStreamParser}). */
export function parseSipMessage(bytes: Buffer): SipMessage {
  const split = bytes.indexOf('\r\n\r\n');
  const headEnd = split === -1 ? bytes.length : split;
  const head = bytes.subarray(0, headEnd).toString('utf8');
  const lines = head.split(/\r?\n/);
  // RFC 3261 §7.5: a receiver ignores empty lines before the start line (keep-alives on streams).
  while (lines[0] === '') lines.shift();
  const startLine = lines.shift();
  if (!startLine) throw new SipParseError('The message is empty');
  const headers = parseHeaderLines(lines);
  let body = split === -1 ? Buffer.alloc(0) : bytes.subarray(split + 4);
  const length = header({ headers, body }, 'content-length');
  if (length !== undefined) {
    const declared = Number(length);
    if (!Number.isInteger(declared) || declared < 0) {
      throw new SipParseError(`Content-Length "${length}" is not a non-negative integer`);
    }
    if (declared > body.length) {
      throw new SipParseError(`The body is shorter (${body.length} bytes) than Content-Length (${declared})`);
    }
    body = body.subarray(0, declared);
  }
  const response = /^SIP\/2\.0 ([1-6]\d\d) ?(.*)$/i.exec(startLine);
  if (response) {
    return { kind: 'response', status: Number(response[1]), reason: response[2] ?? '', headers, body };
  }
  const request = /^([A-Za-z]+) (\S+) SIP\/2\.0$/i.exec(startLine);
  if (!request?.[1] || !request[2]) throw new SipParseError(`"${startLine}" is not a SIP start line`);
  return { kind: 'request', method: request[1].toUpperCase(), uri: request[2], headers, body };
}

/** Parses header lines, unfolding continuation lines (those starting with a space or tab). */
function parseHeaderLines(lines: readonly string[]): SipHeader[] {
  const unfolded: string[] = [];
  for (const line of lines) {
    if ((line.startsWith(' ') || line.startsWith('\t')) && unfolded.length > 0) {
      unfolded[unfolded.length - 1] = `${unfolded.at(-1)} ${line.trim()}`;
    } else if (line !== '') {
      unfolded.push(line);
    }
  }
  return unfolded.map((line) => {
    const colon = line.indexOf(':');
    if (colon <= 0) throw new SipParseError(`The header line "${line}" has no name`);
    return { name: canonicalHeaderName(line.slice(0, colon)), value: line.slice(colon + 1).trim() };
  });
}

/** How a header name is written on the wire. */
function spelling(name: string): string {
  return (
    CANONICAL_SPELLING[name] ??
    name
      .split('-')
      .map((part) => (part.length === 1 ? part.toUpperCase() : part[0]?.toUpperCase() + part.slice(1)))
      .join('-')
  );
}

/** Serialises a message; `Content-Length` is always written last among the headers, from the body. */
export function serializeSipMessage(message: SipMessage): Buffer {
  const start =
    message.kind === 'request'
      ? `${message.method} ${message.uri} SIP/2.0`
      : `SIP/2.0 ${message.status} ${message.reason}`;
  const lines = [start];
  for (const { name, value, spelled } of message.headers) {
    if (name === 'content-length') continue;
    if (/[\r\n]/.test(value)) throw new SipParseError(`The ${name} header value has a line break`);
    lines.push(`${spelled ?? spelling(name)}: ${value}`);
  }
  lines.push(`Content-Length: ${message.body.length}`);
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'utf8'), message.body]);
}

/** The most bytes a message head may have on a stream before the peer is considered broken. */
const MAX_HEAD_BYTES = 65_536;

/**
 * Frames SIP messages on a byte stream: feed it chunks, get whole messages. Keep-alive CRLFs between
 * messages (RFC 5626) are skipped. Throws {@link SipParseError} on a head larger than 64 KiB.
 */
export class SipStreamParser {
  #buffer = Buffer.alloc(0);

  /** Adds bytes; returns the messages they complete. */
  push(chunk: Buffer): SipMessage[] {
    this.#buffer = Buffer.concat([this.#buffer, chunk]);
    const out: SipMessage[] = [];
    for (;;) {
      let skip = 0;
      while (this.#buffer[skip] === 0x0d || this.#buffer[skip] === 0x0a) skip++;
      if (skip > 0) this.#buffer = this.#buffer.subarray(skip);
      const end = this.#buffer.indexOf('\r\n\r\n');
      if (end === -1) {
        if (this.#buffer.length > MAX_HEAD_BYTES) throw new SipParseError('A message head exceeds 64 KiB');
        return out;
      }
      const lengthLine = /^(?:content-length|l)[ \t]*:[ \t]*(\d+)/im.exec(
        this.#buffer.subarray(0, end).toString('utf8'),
      );
      const total = end + 4 + Number(lengthLine?.[1] ?? 0);
      if (this.#buffer.length < total) return out;
      out.push(parseSipMessage(this.#buffer.subarray(0, total)));
      this.#buffer = this.#buffer.subarray(total);
    }
  }
}

/** The value of a `;name=value` parameter in a header value (`tag`, `branch`, `received`), or undefined. */
export function headerParam(value: string, name: string): string | undefined {
  // Parameters after the `>` of a name-addr, or after the URI of an addr-spec.
  const afterAddress = value.includes('>') ? value.slice(value.lastIndexOf('>') + 1) : value;
  for (const part of afterAddress.split(';').slice(1)) {
    const [key, ...rest] = part.split('=');
    if (key?.trim().toLowerCase() === name.toLowerCase()) return rest.join('=').trim() || '';
  }
  return undefined;
}

/** The URI inside a name-addr (`"Bob" <sip:bob@host>;tag=1` → `sip:bob@host`) or an addr-spec. */
export function addressUri(value: string): string {
  const open = value.indexOf('<');
  if (open !== -1) return value.slice(open + 1, value.indexOf('>', open)).trim();
  return (value.split(';')[0] ?? '').trim();
}
