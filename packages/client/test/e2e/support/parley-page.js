// The page side of the Parley-client end-to-end tests: loads the built bundle and exposes `window.P`, a
// small API over one session that records every event as a plain object for the test to read.
import * as Parley from './parley-client.js';

const events = [];
const subscribers = new Map();
let session = null;
let publisher = null;

const record = (event) => events.push({ at: Date.now(), ...event });

function watchSession(s) {
  s.on('sessionConnected', () => record({ type: 'sessionConnected' }));
  s.on('sessionDisconnected', (e) => record({ type: 'sessionDisconnected', reason: e.reason }));
  s.on('sessionReconnecting', () => record({ type: 'sessionReconnecting' }));
  s.on('sessionReconnected', () => record({ type: 'sessionReconnected' }));
  s.on('connectionCreated', (e) =>
    record({ type: 'connectionCreated', connectionId: e.connection.connectionId }),
  );
  s.on('connectionDestroyed', (e) =>
    record({ type: 'connectionDestroyed', connectionId: e.connection.connectionId, reason: e.reason }),
  );
  s.on('streamCreated', (e) =>
    record({
      type: 'streamCreated',
      streamId: e.stream.streamId,
      name: e.stream.name,
      hasCaptions: e.stream.hasCaptions,
    }),
  );
  s.on('streamDestroyed', (e) =>
    record({ type: 'streamDestroyed', streamId: e.stream.streamId, reason: e.reason }),
  );
  s.on('streamPropertyChanged', (e) =>
    record({
      type: 'streamPropertyChanged',
      streamId: e.stream.streamId,
      property: e.changedProperty,
      value: e.newValue,
    }),
  );
  s.on('signal', (e) =>
    record({
      type: 'signal',
      signalType: e.signalType,
      data: e.data,
      from: e.from ? e.from.connectionId : null,
    }),
  );
  s.on('muteForced', (e) => record({ type: 'muteForced', active: e.active }));
}

window.P = {
  events,
  async connect(apiUrl, projectId, sessionId, token, secret) {
    session = Parley.initSession(projectId, sessionId, {
      url: apiUrl,
      logLevel: 'warn',
      ...(secret ? { encryptionSecret: secret } : {}),
    });
    watchSession(session);
    await session.connect(token);
    return session.connection.connectionId;
  },
  async connectError(apiUrl, projectId, sessionId, token) {
    const s = Parley.initSession(projectId, sessionId, { url: apiUrl, logLevel: 'off' });
    try {
      await s.connect(token);
      return null;
    } catch (error) {
      return { code: error.code, name: error.name, message: error.message };
    }
  },
  async publish(options) {
    publisher = await session.publish(options);
    publisher.on('muteForced', () => record({ type: 'publisherMuteForced' }));
    publisher.on('streamDestroyed', (e) => record({ type: 'publisherStreamDestroyed', reason: e.reason }));
    return publisher.streamId;
  },
  async subscribe(streamId, options) {
    const stream = session.streams.get(streamId);
    if (!stream) throw new Error(`no stream ${streamId}`);
    const subscriber = await session.subscribe(stream, options);
    subscribers.set(streamId, subscriber);
    subscriber.on('encryptionSecretMismatch', () => record({ type: 'encryptionSecretMismatch', streamId }));
    subscriber.on('encryptionSecretMatch', () => record({ type: 'encryptionSecretMatch', streamId }));
    subscriber.on('videoDisabled', (e) => record({ type: 'videoDisabled', streamId, reason: e.reason }));
    subscriber.on('videoEnabled', (e) => record({ type: 'videoEnabled', streamId, reason: e.reason }));
    subscriber.on('captionReceived', (e) =>
      record({ type: 'captionReceived', streamId: e.streamId, caption: e.caption, isFinal: e.isFinal }),
    );
    const video = document.createElement('video');
    video.muted = true;
    video.autoplay = true;
    video.srcObject = subscriber.mediaStream;
    document.body.append(video);
    return subscriber.id;
  },
  async received(streamId) {
    const subscriber = subscribers.get(streamId);
    if (!subscriber) return null;
    const report = await subscriber.getStats();
    let framesDecoded = 0;
    let frameWidth = 0;
    let packetsLost = 0;
    let nackCount = 0;
    let audioPackets = 0;
    for (const stat of report.values()) {
      if (stat.type === 'inbound-rtp' && stat.kind === 'video') {
        framesDecoded = stat.framesDecoded ?? 0;
        frameWidth = stat.frameWidth ?? 0;
        packetsLost = stat.packetsLost ?? 0;
        nackCount = stat.nackCount ?? 0;
      }
      if (stat.type === 'inbound-rtp' && stat.kind === 'audio') audioPackets = stat.packetsReceived ?? 0;
    }
    return { framesDecoded, frameWidth, packetsLost, nackCount, audioPackets };
  },
  // The local ICE username fragment in use: of a subscriber (with `streamId`) or of the publisher's first
  // leg. It changes with every ICE restart.
  async localUfrag(streamId) {
    const report = streamId
      ? await subscribers.get(streamId).getStats()
      : (await publisher.getStats())[0]?.stats;
    if (!report) return null;
    for (const stat of report.values()) {
      if (stat.type === 'transport' && stat.iceLocalUsernameFragment) return stat.iceLocalUsernameFragment;
    }
    return null;
  },
  capabilities: () => ({ ...session.capabilities }),
  publishAudio: (on) => publisher.publishAudio(on),
  publishVideo: (on) => publisher.publishVideo(on),
  publishCaptions: (on) => publisher.publishCaptions(on),
  publisherHasCaptions: () => publisher.stream?.hasCaptions ?? null,
  subscribeToCaptions: (streamId, on) => subscribers.get(streamId).subscribeToCaptions(on),
  isSubscribedToCaptions: (streamId) => subscribers.get(streamId).isSubscribedToCaptions(),
  isPublishingAudio: () => publisher.isPublishingAudio,
  signal: (type, data, to) => session.signal({ type, data, ...(to ? { to } : {}) }),
  async attempt(method, ...args) {
    try {
      await session[method](...args);
      return null;
    } catch (error) {
      return { code: error.code, name: error.name, message: error.message };
    }
  },
  setEncryptionSecret: (secret) => session.setEncryptionSecret(secret),
  disconnect: () => session.disconnect(),
};
window.ready = true;
