// The test API of the page: thin wrappers around the official OpenTok.js client that record every event,
// so the Node side drives the client with page.evaluate and asserts on window.T.events.
(() => {
  const params = new URLSearchParams(location.search);
  if (params.get('mode') === 'proxy') OT.setProxyUrl(params.get('api'));

  const events = [];
  const record = (type, fields) => events.push({ type, at: Date.now(), ...fields });
  const publishers = new Map();
  const subscribers = new Map();
  let session = null;

  const box = () => {
    const div = document.createElement('div');
    document.getElementById('media').appendChild(div);
    return div;
  };
  const settle = (resolve, reject) => (error, value) => (error ? reject(error) : resolve(value));

  window.T = {
    events,
    connect(apiKey, sessionId, token) {
      session = OT.initSession(apiKey, sessionId);
      session.on({
        sessionConnected: () => record('sessionConnected'),
        sessionDisconnected: (e) => record('sessionDisconnected', { reason: e.reason }),
        sessionReconnecting: () => record('sessionReconnecting'),
        sessionReconnected: () => record('sessionReconnected'),
        connectionCreated: (e) =>
          record('connectionCreated', { connectionId: e.connection.connectionId, data: e.connection.data }),
        connectionDestroyed: (e) =>
          record('connectionDestroyed', { connectionId: e.connection.connectionId, reason: e.reason }),
        streamCreated: (e) => record('streamCreated', { streamId: e.stream.streamId, name: e.stream.name }),
        streamDestroyed: (e) => record('streamDestroyed', { streamId: e.stream.streamId, reason: e.reason }),
        streamPropertyChanged: (e) =>
          record('streamPropertyChanged', {
            streamId: e.stream.streamId,
            property: e.changedProperty,
            value: e.newValue,
          }),
        signal: (e) =>
          record('signal', {
            signalType: e.type.replace(/^signal:?/, ''),
            data: e.data,
            from: e.from ? e.from.connectionId : null,
          }),
        muteForced: (e) => record('sessionMuteForced', { active: e.active }),
        archiveStarted: (e) => record('archiveStarted', { id: e.id }),
        archiveStopped: (e) => record('archiveStopped', { id: e.id }),
      });
      return new Promise((resolve, reject) =>
        session.connect(token, (error) =>
          error
            ? reject(new Error(`${error.name} ${error.code}: ${error.message}`))
            : resolve(session.connection.connectionId),
        ),
      );
    },
    capabilities() {
      const c = session.capabilities;
      return {
        publish: c.publish,
        subscribe: c.subscribe,
        forceDisconnect: c.forceDisconnect,
        forceUnpublish: c.forceUnpublish,
        forceMute: c.forceMute,
      };
    },
    publish(name) {
      const publisher = OT.initPublisher(box(), {
        name,
        width: 160,
        height: 120,
        insertMode: 'append',
        // Small and slow: several publishers share two CPU cores in CI.
        resolution: '320x180',
        frameRate: 7,
      });
      publisher.on({
        streamDestroyed: (e) =>
          record('publisherStreamDestroyed', { streamId: e.stream.streamId, reason: e.reason }),
        muteForced: () => record('publisherMuteForced', { streamId: publisher.stream?.streamId }),
      });
      return new Promise((resolve, reject) =>
        session.publish(publisher, (error) => {
          if (error) reject(new Error(`${error.name} ${error.code}: ${error.message}`));
          else {
            publishers.set(publisher.stream.streamId, publisher);
            resolve(publisher.stream.streamId);
          }
        }),
      );
    },
    subscribe(streamId) {
      const stream = session.streams.get(streamId);
      if (!stream) return Promise.reject(new Error(`no stream ${streamId}`));
      return new Promise((resolve, reject) => {
        const subscriber = session.subscribe(
          stream,
          box(),
          { insertMode: 'append', width: 320, height: 240 },
          (error) => {
            if (error) reject(new Error(`${error.name} ${error.code}: ${error.message}`));
            else {
              subscribers.set(streamId, subscriber);
              resolve(subscriber.id);
            }
          },
        );
      });
    },
    /** What the subscriber of a stream has decoded so far. */
    async received(streamId) {
      const subscriber = subscribers.get(streamId);
      if (!subscriber) return null;
      const report = await subscriber.getRtcStatsReport();
      const result = { framesDecoded: 0, frameWidth: 0, audioPackets: 0, videoCodec: '' };
      const codecs = new Map();
      report.forEach((s) => {
        if (s.type === 'codec') codecs.set(s.id, s.mimeType);
      });
      report.forEach((s) => {
        if (s.type !== 'inbound-rtp') return;
        if (s.kind === 'video') {
          result.framesDecoded += s.framesDecoded || 0;
          result.frameWidth = Math.max(result.frameWidth, s.frameWidth || 0);
          result.videoCodec = codecs.get(s.codecId) || result.videoCodec;
        } else if (s.kind === 'audio') {
          result.audioPackets += s.packetsReceived || 0;
        }
      });
      return result;
    },
    publishAudio(streamId, on) {
      publishers.get(streamId).publishAudio(on);
    },
    audioMuted(streamId) {
      const publisher = publishers.get(streamId);
      return publisher ? !publisher.stream.hasAudio : null;
    },
    signal(type, data, toConnectionId) {
      const to = toConnectionId ? session.connections.get(toConnectionId) : undefined;
      return new Promise((resolve, reject) =>
        session.signal(to ? { type, data, to } : { type, data }, (error) =>
          error ? reject(new Error(`${error.code}: ${error.message}`)) : resolve(),
        ),
      );
    },
    forceDisconnect(connectionId) {
      return new Promise((resolve, reject) =>
        session.forceDisconnect(session.connections.get(connectionId), settle(resolve, reject)),
      );
    },
    forceUnpublish(streamId) {
      return new Promise((resolve, reject) =>
        session.forceUnpublish(session.streams.get(streamId), settle(resolve, reject)),
      );
    },
    forceMuteStream(streamId) {
      return session.forceMuteStream(session.streams.get(streamId));
    },
    forceMuteAll(excludedStreamIds) {
      const excluded = (excludedStreamIds || []).map((id) => session.streams.get(id));
      return session.forceMuteAll(excluded);
    },
    disableForceMute() {
      return session.disableForceMute();
    },
    disconnect() {
      session.disconnect();
    },
  };
})();
