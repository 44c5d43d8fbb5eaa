/**
 * The official server SDKs pointed at a test app: the `opentok` package (callback style, typed here for the
 * calls the tests make, since it ships no types) and `@vonage/video`.
 */
import { Video } from '@vonage/video';
import OpenTok from 'opentok';
import type { AppFixture } from './app-fixture.js';

type Callback<T> = (error: Error | null, value?: T) => void;

/** The live-session calls of the `opentok` SDK, as the tests use them. */
interface OpenTokLiveCalls {
  signal(
    sessionId: string,
    connectionId: string | null,
    payload: { type: string; data: string },
    cb: Callback<void>,
  ): void;
  forceDisconnect(sessionId: string, connectionId: string, cb: Callback<void>): void;
  forceMuteStream(sessionId: string, streamId: string, cb: Callback<unknown>): void;
  forceMuteAll(sessionId: string, opts: { excludedStreamIds?: string[] }, cb: Callback<unknown>): void;
  disableForceMute(sessionId: string, cb: Callback<unknown>): void;
  listStreams(
    sessionId: string,
    cb: Callback<{ id: string; name: string; videoType: string; layoutClassList: string[] }[]>,
  ): void;
  getStream(
    sessionId: string,
    streamId: string,
    cb: Callback<{ id: string; layoutClassList: string[] }>,
  ): void;
  setStreamClassLists(
    sessionId: string,
    list: { id: string; layoutClassList: string[] }[],
    cb: Callback<void>,
  ): void;
}

/**
 * The `opentok` SDK's live-session calls as promises. (Its `getStream` is left out: version 2.23.2 parses
 * the already-parsed JSON body a second time and always fails, against any server.)
 */
export interface OpenTokLive {
  signal(
    sessionId: string,
    connectionId: string | null,
    payload: { type: string; data: string },
  ): Promise<void>;
  forceDisconnect(sessionId: string, connectionId: string): Promise<void>;
  forceMuteStream(sessionId: string, streamId: string): Promise<unknown>;
  forceMuteAll(sessionId: string, opts: { excludedStreamIds?: string[] }): Promise<unknown>;
  disableForceMute(sessionId: string): Promise<unknown>;
  listStreams(
    sessionId: string,
  ): Promise<{ id: string; name: string; videoType: string; layoutClassList: string[] }[]>;
  setStreamClassLists(sessionId: string, list: { id: string; layoutClassList: string[] }[]): Promise<void>;
}

const call = <T>(run: (cb: Callback<T>) => void): Promise<T> =>
  new Promise((resolve, reject) => run((error, value) => (error ? reject(error) : resolve(value as T))));

/** The `opentok` SDK with the project's key and secret, pointed at the app. */
export function openTokLive(fx: AppFixture): OpenTokLive {
  const ot = new OpenTok(fx.harness.project.apiKey, fx.harness.project.apiSecret, {
    apiUrl: fx.baseUrl,
  }) as unknown as OpenTokLiveCalls;
  return {
    signal: (s, c, p) => call((cb) => ot.signal(s, c, p, cb)),
    forceDisconnect: (s, c) => call((cb) => ot.forceDisconnect(s, c, cb)),
    forceMuteStream: (s, id) => call((cb) => ot.forceMuteStream(s, id, cb)),
    forceMuteAll: (s, o) => call((cb) => ot.forceMuteAll(s, o, cb)),
    disableForceMute: (s) => call((cb) => ot.disableForceMute(s, cb)),
    listStreams: (s) => call((cb) => ot.listStreams(s, cb)),
    setStreamClassLists: (s, l) => call((cb) => ot.setStreamClassLists(s, l, cb)),
  };
}

/** `@vonage/video` with the project's application ID and private key, pointed at the app. */
export function vonageVideo(fx: AppFixture): Video {
  return new Video(
    { applicationId: fx.harness.credentials.applicationId, privateKey: fx.harness.credentials.privateKeyPem },
    { videoHost: fx.baseUrl },
  );
}
