/**
 * Validation of {@link SfuEngineOptions}: every engine resolves its options here, so a bad configuration
 * fails at start-up with a message naming the field instead of as a silent ICE failure later.
 */
import { isIPv4 } from 'node:net';
import type { IceOptions } from 'werift';
import { SfuError } from './errors.js';
import { DATAPATH_CHOICES, type DatapathChoice } from './native/datapath.js';
import { type IceServer, type PortRange, type SfuEngineOptions, sfuEngineOptionDefaults } from './types.js';

/** {@link SfuEngineOptions} with the defaults applied and every field checked. */
export interface ResolvedSfuEngineOptions {
  readonly listenIps: readonly string[];
  readonly announcedAddress: string | undefined;
  readonly portRange: PortRange | undefined;
  readonly iceServers: readonly IceServer[];
  readonly publisherMaxBitrate: number;
  readonly simulcast: boolean;
  readonly datapath: DatapathChoice;
  readonly sharedPort: boolean;
  /**
   * Makes the ICE agents' UDP transports: set by the engine when `sharedPort` is on (its shared ports'
   * factory), absent otherwise (werift binds a socket per agent).
   */
  readonly iceTransportFactory?: IceOptions['udpTransportFactory'];
}

/** The wildcard listen address: gather on every interface. */
export const ANY_IPV4 = '0.0.0.0';

const invalid = (message: string): SfuError => new SfuError('INVALID_ARGUMENT', message);

/** Applies the defaults and validates; throws an `SfuError` (`INVALID_ARGUMENT`) naming the bad field. */
export function resolveSfuEngineOptions(options: SfuEngineOptions = {}): ResolvedSfuEngineOptions {
  const listenIps = options.listenIps ?? [...sfuEngineOptionDefaults.listenIps];
  if (!Array.isArray(listenIps) || listenIps.length === 0) {
    throw invalid('listenIps must be a non-empty array of IPv4 addresses');
  }
  for (const [index, ip] of listenIps.entries()) {
    // IPv6 is off: werift's IPv6 gathering contacts interfaces we cannot restrict reliably.
    if (typeof ip !== 'string' || !isIPv4(ip)) {
      throw invalid(`listenIps[${index}] must be an IPv4 address, got ${JSON.stringify(ip)}`);
    }
  }
  if (listenIps.includes(ANY_IPV4) && listenIps.length > 1) {
    throw invalid(`listenIps must not mix ${ANY_IPV4} with specific addresses`);
  }

  const { announcedAddress } = options;
  if (announcedAddress !== undefined && (typeof announcedAddress !== 'string' || !isIPv4(announcedAddress))) {
    throw invalid(`announcedAddress must be an IPv4 address, got ${JSON.stringify(announcedAddress)}`);
  }

  const { portRange } = options;
  if (portRange !== undefined) {
    const { min, max } = portRange;
    if (!Number.isInteger(min) || min < 1024 || min > 65535) {
      throw invalid(`portRange.min must be an integer from 1024 to 65535, got ${JSON.stringify(min)}`);
    }
    if (!Number.isInteger(max) || max <= min || max > 65535) {
      throw invalid(`portRange.max must be an integer above portRange.min and at most 65535, got ${max}`);
    }
  }

  const iceServers = options.iceServers ?? [];
  if (!Array.isArray(iceServers)) throw invalid('iceServers must be an array');
  for (const [index, server] of iceServers.entries()) checkIceServer(server, index);

  const publisherMaxBitrate = options.publisherMaxBitrate ?? sfuEngineOptionDefaults.publisherMaxBitrate;
  if (!Number.isInteger(publisherMaxBitrate) || publisherMaxBitrate < 10_000 || publisherMaxBitrate > 1e10) {
    throw invalid(
      `publisherMaxBitrate must be an integer from 10000 to 1e10 bps, got ${publisherMaxBitrate}`,
    );
  }

  const simulcast = options.simulcast ?? sfuEngineOptionDefaults.simulcast;
  if (typeof simulcast !== 'boolean')
    throw invalid(`simulcast must be a boolean, got ${JSON.stringify(simulcast)}`);

  const datapath = options.datapath ?? sfuEngineOptionDefaults.datapath;
  if (!DATAPATH_CHOICES.includes(datapath)) {
    throw invalid(`datapath must be one of ${DATAPATH_CHOICES.join(', ')}, got ${JSON.stringify(datapath)}`);
  }

  const sharedPort = options.sharedPort ?? sfuEngineOptionDefaults.sharedPort;
  if (typeof sharedPort !== 'boolean') {
    throw invalid(`sharedPort must be a boolean, got ${JSON.stringify(sharedPort)}`);
  }
  return {
    listenIps: Object.freeze([...listenIps]),
    announcedAddress,
    portRange: portRange && { min: portRange.min, max: portRange.max },
    iceServers: Object.freeze(iceServers.map((server) => ({ ...server }))),
    publisherMaxBitrate,
    simulcast,
    datapath,
    sharedPort,
  };
}

function checkIceServer(server: IceServer, index: number): void {
  const field = `iceServers[${index}]`;
  if (typeof server !== 'object' || server === null) throw invalid(`${field} must be an object`);
  const urls = Array.isArray(server.urls) ? server.urls : [server.urls];
  if (urls.length === 0) throw invalid(`${field}.urls must not be empty`);
  for (const url of urls) {
    if (typeof url !== 'string' || !/^(stun|stuns|turn|turns):[^\s]+$/.test(url)) {
      throw invalid(`${field}.urls must be stun:, stuns:, turn: or turns: URLs, got ${JSON.stringify(url)}`);
    }
    if (/^turns?:/.test(url) && (server.username === undefined || server.credential === undefined)) {
      throw invalid(`${field} is a TURN server and needs a username and a credential`);
    }
  }
}
