/**
 * The protocol shapes of live objects, exactly as OpenTok.js reads them (spec: `ProtocolConnection`,
 * `ProtocolStream`, `ProtocolStreamChannel`, `ProtocolArchive`).
 */
import type { LiveArchive, LiveConnection, LiveStream, StreamChannel } from './types.js';

/** The connection hash. `capablities` keeps the OpenTok.js misspelling. */
export function connectionHash(connection: LiveConnection): Record<string, unknown> {
  return {
    id: connection.id,
    creationTime: connection.creationTime,
    data: connection.data,
    capablities: {},
    permissions: [...connection.permissions],
  };
}

/** One stream channel as sent in the stream hash and in channel `updated` messages. */
export function channelHash(channel: StreamChannel): Record<string, unknown> {
  return { ...channel.attributes, id: channel.id, type: channel.type, active: channel.active };
}

/** The stream hash, embedding the publisher's connection hash. */
export function streamHash(stream: LiveStream, publisher: LiveConnection): Record<string, unknown> {
  return {
    id: stream.id,
    name: stream.name,
    creationTime: stream.creationTime,
    connection: connectionHash(publisher),
    channel: [...stream.channels.values()].map(channelHash),
    customProperties: stream.customProperties,
    publisherAudioFallbackEnabled: stream.publisherAudioFallbackEnabled,
    subscriberAudioFallbackEnabled: stream.subscriberAudioFallbackEnabled,
    sourceStreamId: stream.sourceStreamId,
  };
}

/** An archive as the session state and archive events carry it. */
export function archiveHash(archive: LiveArchive): Record<string, unknown> {
  return { id: archive.id, name: archive.name, status: archive.status };
}
