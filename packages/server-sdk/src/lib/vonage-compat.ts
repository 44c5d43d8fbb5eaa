/**
 * A drop-in for `@vonage/video`'s `Video` class: the same method names, argument order and return
 * shapes, delegating to the resource API. An app migrates by changing one import:
 *
 * ```ts
 * // import { Video } from '@vonage/video';
 * import { Video } from '@parley/server-sdk';
 * const video = new Video({ applicationId, privateKey }, { videoHost: 'http://127.0.0.1:4000' });
 * ```
 *
 * Two `@vonage/video` methods are not offered because they no longer work upstream either:
 * `disconnectWebsocket` (use `disconnectClient` with the connector's connection ID) and
 * `getCaptionStatus` (no such endpoint; watch the captions status webhook).
 */
import { Parley } from '../client.js';
import type { ClientOptions } from '../client-options.js';
import type { PrivateKeyInput } from '../core/keys.js';
import type {
  Archive,
  AudioConnection,
  Broadcast,
  BroadcastStartParams,
  CaptionsStarted,
  Layout,
  ProjectDetails,
  Render,
  SipCall,
  SipDialParams,
  Stream,
  StreamLayoutClassUpdate,
} from '../generated/types.js';
import type { ArchiveStartOptions } from '../resources/archives.js';
import type { CaptionsStartOptions } from '../resources/captions.js';
import type { RenderStartOptions } from '../resources/renders.js';
import type { ClientTokenOptions } from './token-options.js';

/** Credentials as `@vonage/auth`'s `Auth` holds them (an `Auth` instance works as is). */
export interface VonageAuthLike {
  applicationId?: string | undefined;
  privateKey?: PrivateKeyInput | undefined;
  apiKey?: string | undefined;
  apiSecret?: string | undefined;
}

/** `@vonage/video`'s options, plus every {@link ClientOptions} field (retries, logger, …). */
export interface VonageVideoOptions
  extends Omit<ClientOptions, 'applicationId' | 'privateKey' | 'apiKey' | 'apiSecret'> {
  /** The API host; default `https://video.api.vonage.com`. Point it at a Parley server to migrate. */
  videoHost?: string | undefined;
}

/** `createSession` options as `@vonage/video` takes them (`mediaMode` is the raw `p2p.preference`). */
export interface VonageSessionOptions {
  archiveMode?: 'manual' | 'always';
  location?: string;
  /** `disabled` (routed, the default) or `enabled` (relayed): `@vonage/video`'s `MediaMode` values. */
  mediaMode?: 'disabled' | 'enabled';
}

/** A page of a list, as `@vonage/video` returns it. */
export interface VonageList<Item> {
  count: number;
  items: Item[];
}

/** `updateBroadcast`'s argument. */
export type VonageBroadcastUpdate = { broadcastId: string; hasAudio?: boolean; hasVideo?: boolean } & (
  | { addStream: string; removeStream?: undefined }
  | { removeStream: string; addStream?: undefined }
);

/** Audio Connector options as `@vonage/video` takes them (camelCase `audioTransport` keys). */
export interface VonageWebSocketConfig {
  uri: string;
  streams?: string[];
  headers?: Record<string, string>;
  audioRate?: 8000 | 16000 | 24000;
  bidirectional?: boolean;
  audioTransport?: {
    transport?: 'binary' | 'json';
    encoding?: 'base64';
    audioField?: string;
    receiveAudioField?: string;
    staticFields?: Record<string, unknown>;
  };
}

/** The `@vonage/video` `Video` class, backed by {@link Parley}. */
export class Video {
  /** The resource client behind this facade, for everything `@vonage/video` lacks. */
  readonly client: Parley;

  constructor(credentials: VonageAuthLike, options: VonageVideoOptions = {}) {
    const { videoHost, ...rest } = options;
    this.client = new Parley({
      ...rest,
      applicationId: credentials.applicationId,
      privateKey: credentials.privateKey,
      apiKey: credentials.apiKey,
      apiSecret: credentials.apiSecret,
      baseUrl: videoHost ?? rest.baseUrl,
    });
  }

  /** Adds a stream to a manual-mode archive. */
  async addArchiveStream(archiveId: string, streamId: string, audio = true, video = true): Promise<void> {
    await this.client.archives.addStream(archiveId, streamId, { hasAudio: audio, hasVideo: video });
  }

  /** Adds a stream to a manual-mode broadcast. */
  async addStreamToBroadcast(broadcastId: string, streamId: string): Promise<void> {
    await this.client.broadcasts.addStream(broadcastId, streamId);
  }

  /** Connects a session's audio to a WebSocket (`audioTransport` keys are sent snake_case). */
  async connectToWebsocket(
    sessionId: string,
    clientToken: string,
    config: VonageWebSocketConfig,
  ): Promise<AudioConnection> {
    const { audioTransport, ...websocket } = config;
    return this.client.audioConnector.connect(sessionId, {
      token: clientToken,
      websocket: {
        ...websocket,
        ...(audioTransport === undefined
          ? {}
          : {
              audioTransport: {
                transport: audioTransport.transport,
                encoding: audioTransport.encoding,
                audio_field: audioTransport.audioField,
                receive_audio_field: audioTransport.receiveAudioField,
                static_fields: audioTransport.staticFields,
              },
            }),
      },
    });
  }

  /** Creates a session; `mediaMode` defaults to routed (`disabled`). */
  async createSession(sessionOptions: VonageSessionOptions = {}): Promise<{
    sessionId: string;
    archiveMode: 'manual' | 'always';
    mediaMode: 'disabled' | 'enabled';
    location: string | null;
  }> {
    const mediaMode = sessionOptions.mediaMode ?? 'disabled';
    const session = await this.client.sessions.create({
      mediaMode: mediaMode === 'enabled' ? 'relayed' : 'routed',
      archiveMode: sessionOptions.archiveMode ?? 'manual',
      ...(sessionOptions.location ? { location: sessionOptions.location } : {}),
    });
    return {
      sessionId: session.sessionId,
      archiveMode: session.archiveMode,
      mediaMode,
      location: sessionOptions.location ?? null,
    };
  }

  /** Deletes an archive. */
  deleteArchive(archiveId: string): Promise<void> {
    return this.client.archives.delete(archiveId);
  }

  /** Stops live captions. */
  disableCaptions(captionId: string): Promise<void> {
    return this.client.captions.stop(captionId);
  }

  /** Stops force-muting streams published later (`excludedStreamIds` is ignored by the API). */
  disableForceMute(sessionId: string, _excludedStreamIds: string[] = []): Promise<ProjectDetails> {
    return this.client.moderation.disableForceMute(sessionId);
  }

  /** Forces a client out of a session. */
  disconnectClient(sessionId: string, connectionId: string): Promise<void> {
    return this.client.connections.forceDisconnect(sessionId, connectionId);
  }

  /** Starts live captions. */
  enableCaptions(
    sessionId: string,
    clientToken: string,
    captionOptions: Omit<CaptionsStartOptions, 'token'> = {},
  ): Promise<CaptionsStarted> {
    return this.client.captions.start(sessionId, { ...captionOptions, token: clientToken });
  }

  /** Force-mutes every stream of a session except `excludedStreamIds`. */
  forceMuteAll(sessionId: string, excludedStreamIds: string[] = []): Promise<ProjectDetails> {
    return this.client.moderation.muteAll(sessionId, { excludedStreamIds });
  }

  /** Mints a client token synchronously, as `@vonage/video` does. */
  generateClientToken(sessionId: string, tokenOptions?: Omit<ClientTokenOptions, 'format'>): string {
    return this.client.tokens.generateSync(sessionId, tokenOptions);
  }

  /** Gets one archive. */
  getArchive(archiveId: string): Promise<Archive> {
    return this.client.archives.retrieve(archiveId);
  }

  /** Gets one broadcast. */
  getBroadcast(broadcastId: string): Promise<Broadcast> {
    return this.client.broadcasts.retrieve(broadcastId);
  }

  /** Gets one Experience Composer render. */
  getExperienceComposerRender(renderId: string): Promise<Render> {
    return this.client.renders.retrieve(renderId);
  }

  /** Gets one stream, or every stream of the session (as `{count, items}`) without `streamId`. */
  async getStreamInfo(sessionId: string, streamId?: string): Promise<Stream | VonageList<Stream>> {
    if (streamId) return this.client.streams.retrieve(sessionId, streamId);
    const items = await this.client.streams.list(sessionId);
    return { count: items.length, items };
  }

  /** Dials a SIP endpoint into a session (blank strings are dropped, as `@vonage/video` does). */
  initiateSIPCall(sessionId: string, options: Omit<SipDialParams, 'sessionId'>): Promise<SipCall> {
    const { token, sip } = stripBlankValues(options);
    return this.client.sip.dial(sessionId, { token, sip });
  }

  /** @deprecated The misspelt name `@vonage/video` keeps; use {@link initiateSIPCall}. */
  intiateSIPCall(sessionId: string, options: Omit<SipDialParams, 'sessionId'>): Promise<SipCall> {
    return this.initiateSIPCall(sessionId, options);
  }

  /** Lists one page of Experience Composer renders. */
  async listExperienceComposerRenders(
    filter: { offset?: number; count?: number } = {},
  ): Promise<VonageList<Render>> {
    return pageOf(await this.client.renders.list(filter));
  }

  /** Force-mutes one stream. */
  muteStream(sessionId: string, streamId: string): Promise<ProjectDetails> {
    return this.client.moderation.muteStream(sessionId, streamId);
  }

  /** Plays DTMF digits to the session's SIP calls, or to one connection. */
  playDTMF(sessionId: string, digits: string, connectionId?: string): Promise<void> {
    return this.client.sip.playDtmf(sessionId, digits, connectionId ? { connectionId } : {});
  }

  /** Removes a stream from a manual-mode archive. */
  removeArchiveStream(archiveId: string, streamId: string): Promise<void> {
    return this.client.archives.removeStream(archiveId, streamId);
  }

  /** Removes a stream from a manual-mode broadcast. */
  removeStreamFromBroadcast(broadcastId: string, streamId: string): Promise<void> {
    return this.client.broadcasts.removeStream(broadcastId, streamId);
  }

  /** Lists one page of archives (`{count, items}`). */
  async searchArchives(
    filter: { offset?: number; count?: number; sessionId?: string } = {},
  ): Promise<VonageList<Archive>> {
    return pageOf(await this.client.archives.list(filter));
  }

  /** Lists one page of broadcasts (`{count, items}`). */
  async searchBroadcasts(
    filter: { offset?: number; count?: number; sessionId?: string } = {},
  ): Promise<VonageList<Broadcast>> {
    return pageOf(await this.client.broadcasts.list(filter));
  }

  /** Sends a signal to the session, or to one connection. */
  sendSignal(
    signal: { type: string; data: string },
    sessionId: string,
    connectionId?: string,
  ): Promise<void> {
    return this.client.signals.send(sessionId, connectionId ? { ...signal, connectionId } : signal);
  }

  /** Sets the layout classes of streams. */
  setStreamClassLists(sessionId: string, settings: StreamLayoutClassUpdate[]): Promise<void> {
    return this.client.streams.setLayoutClasses(sessionId, settings);
  }

  /** Starts recording a session. */
  startArchive(sessionId: string, options?: ArchiveStartOptions): Promise<Archive> {
    return this.client.archives.start(sessionId, options);
  }

  /** Starts a broadcast. */
  startBroadcast(sessionId: string, config: Omit<BroadcastStartParams, 'sessionId'>): Promise<Broadcast> {
    return this.client.broadcasts.start(sessionId, config);
  }

  /** Starts an Experience Composer render. */
  startExperienceComposerRender(
    sessionId: string,
    token: string,
    config: Omit<RenderStartOptions, 'token'>,
  ): Promise<Render> {
    return this.client.renders.start(sessionId, { ...config, token });
  }

  /** Stops an archive. */
  stopArchive(archiveId: string): Promise<Archive> {
    return this.client.archives.stop(archiveId);
  }

  /** Stops a broadcast. */
  stopBroadcast(broadcastId: string): Promise<Broadcast> {
    return this.client.broadcasts.stop(broadcastId);
  }

  /** Stops an Experience Composer render. */
  stopExperienceComposerRender(renderId: string): Promise<void> {
    return this.client.renders.stop(renderId);
  }

  /** Changes a composed archive's layout. */
  updateArchiveLayout(archiveId: string, layout: Layout): Promise<void> {
    return this.client.archives.setLayout(archiveId, layout);
  }

  /** Adds or removes a stream of a manual-mode broadcast. */
  async updateBroadcast(config: VonageBroadcastUpdate): Promise<void> {
    if (config.addStream !== undefined) {
      await this.client.broadcasts.addStream(config.broadcastId, config.addStream, {
        hasAudio: config.hasAudio,
        hasVideo: config.hasVideo,
      });
    } else {
      await this.client.broadcasts.removeStream(config.broadcastId, config.removeStream);
    }
  }
}

function pageOf<Item>(page: { totalCount: number; items: Item[] }): VonageList<Item> {
  return { count: page.totalCount, items: page.items };
}

/** Drops `''` values, recursively (what `@vonage/video` does before dialing). */
function stripBlankValues<T>(value: T): T {
  if (Array.isArray(value)) return value.map(stripBlankValues) as T;
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) if (item !== '') out[key] = stripBlankValues(item);
  return out as T;
}
