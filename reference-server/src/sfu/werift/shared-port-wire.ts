/**
 * What the shared UDP port reads of the datagrams it demultiplexes (see `shared-port.ts`): the ICE
 * username fragment a STUN Binding request is for, whether a datagram is a Binding success response, and
 * remote IPv4 addresses as numbers (map keys made without building a string per datagram).
 */
const STUN_MAGIC_COOKIE = 0x2112a442;
const STUN_HEADER_LENGTH = 20;
const STUN_BINDING_REQUEST = 0x0001;
const STUN_BINDING_SUCCESS = 0x0101;
const STUN_ATTRIBUTE_USERNAME = 0x0006;

/**
 * The ICE username fragment a STUN Binding request is addressed to (the part of USERNAME before the
 * colon), or undefined when `data` is not a Binding request with a USERNAME.
 */
export function bindingRequestUfrag(data: Buffer): string | undefined {
  if (data.length < STUN_HEADER_LENGTH || data.readUInt16BE(0) !== STUN_BINDING_REQUEST) return undefined;
  if (data.readUInt32BE(4) !== STUN_MAGIC_COOKIE) return undefined;
  const end = Math.min(data.length, STUN_HEADER_LENGTH + data.readUInt16BE(2));
  for (let offset = STUN_HEADER_LENGTH; offset + 4 <= end; ) {
    const type = data.readUInt16BE(offset);
    const length = data.readUInt16BE(offset + 2);
    const start = offset + 4;
    if (start + length > end) return undefined;
    if (type === STUN_ATTRIBUTE_USERNAME) {
      const colon = data.indexOf(0x3a, start);
      const stop = colon === -1 || colon >= start + length ? start + length : colon;
      return data.toString('utf8', start, stop);
    }
    offset = start + length + ((4 - (length % 4)) % 4);
  }
  return undefined;
}

/** Whether `data` is a STUN Binding success response. */
export function isBindingSuccess(data: Buffer): boolean {
  return data.length >= STUN_HEADER_LENGTH && data.readUInt16BE(0) === STUN_BINDING_SUCCESS;
}

/** An IPv4 address and port as one number (address × 65536 + port); undefined for anything else. */
export function addressKey(host: string, port: number): number | undefined {
  const parts = host.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    const byte = Number(part);
    if (!Number.isInteger(byte) || byte < 0 || byte > 255 || part === '') return undefined;
    value = value * 256 + byte;
  }
  return numericAddressKey(value, port);
}

/** The {@link addressKey} of an IPv4 address given as a 32-bit number (as the addon reports it). */
export function numericAddressKey(ipv4: number, port: number): number {
  return ipv4 * 65536 + port;
}

/** The address and port of an {@link addressKey}. */
export function addressOf(key: number): [string, number] {
  const port = key % 65536;
  const ip = (key - port) / 65536;
  return [`${ip >>> 24}.${(ip >>> 16) & 255}.${(ip >>> 8) & 255}.${ip & 255}`, port];
}
