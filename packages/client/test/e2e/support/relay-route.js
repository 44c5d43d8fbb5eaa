// Run in a test page before its own scripts (as an init script, then `routeThroughRelay(ports)`): every
// RTCPeerConnection of the page reaches the SFU through a UDP relay on 127.0.0.1 instead of directly.
// (Installed after OpenTok.js had loaded, the same route did not apply to its subscriber.) The SFU's
// candidates, as the page receives them (in the remote SDP or trickled), point at the relay's peer-facing
// port, and the real SFU port is handed to the test through the `parleyRelayEnginePort` binding; the
// page's own candidates, as the SFU receives them (trickled or in the local SDP), point at the relay's
// engine-facing port. TCP candidates are dropped so that no path bypasses the relay. The client code
// itself (OpenTok.js or Parley's) is untouched: this is the network, seen from the page.
globalThis.routeThroughRelay = ({ peerFacingPort, engineFacingPort }) => {
  const CANDIDATE = /^(a=)?(candidate:\S+ \d+ )(\S+)( \d+ )(\S+) (\d+)( typ .*)$/i;
  /** Rewrites one candidate line (with or without `a=`); null when it must be dropped. */
  const rewrite = (line, port, reportEnginePort) => {
    const match = CANDIDATE.exec(line.trim());
    if (!match) return line;
    const [, prefix = '', head, transport, priority, , originalPort, tail] = match;
    if (transport.toLowerCase() !== 'udp') return null;
    if (reportEnginePort) globalThis.parleyRelayEnginePort(Number(originalPort));
    return `${prefix}${head}${transport}${priority}127.0.0.1 ${port}${tail}`;
  };
  const rewriteSdp = (sdp, port, reportEnginePort) =>
    sdp
      .split(/\r?\n/)
      .map((line) => (line.startsWith('a=candidate:') ? rewrite(line, port, reportEnginePort) : line))
      .filter((line) => line !== null)
      .join('\r\n');

  const proto = RTCPeerConnection.prototype;
  const setRemoteDescription = proto.setRemoteDescription;
  proto.setRemoteDescription = function (description, ...rest) {
    if (!description?.sdp) return setRemoteDescription.call(this, description, ...rest);
    const sdp = rewriteSdp(description.sdp, peerFacingPort, true);
    return setRemoteDescription.call(this, { type: description.type, sdp }, ...rest);
  };
  const addIceCandidate = proto.addIceCandidate;
  proto.addIceCandidate = function (candidate, ...rest) {
    if (!candidate?.candidate) return addIceCandidate.call(this, candidate, ...rest);
    const line = rewrite(candidate.candidate, peerFacingPort, true);
    if (line === null) return Promise.resolve();
    const { sdpMid, sdpMLineIndex, usernameFragment } = candidate;
    return addIceCandidate.call(this, { candidate: line, sdpMid, sdpMLineIndex, usernameFragment }, ...rest);
  };
  for (const name of ['localDescription', 'currentLocalDescription', 'pendingLocalDescription']) {
    const getter = Object.getOwnPropertyDescriptor(proto, name)?.get;
    if (!getter) continue;
    Object.defineProperty(proto, name, {
      configurable: true,
      get() {
        const description = getter.call(this);
        if (!description) return description;
        const sdp = rewriteSdp(description.sdp, engineFacingPort, false);
        return new RTCSessionDescription({ type: description.type, sdp });
      },
    });
  }
  /** The page's `icecandidate` listeners see the rewritten candidate, and none for a TCP one. */
  const wrapListener = (listener) => (event) => {
    const original = event.candidate;
    if (original?.candidate) {
      const line = rewrite(original.candidate, engineFacingPort, false);
      if (line === null) return;
      const { sdpMid, sdpMLineIndex, usernameFragment } = original;
      const candidate = new RTCIceCandidate({ candidate: line, sdpMid, sdpMLineIndex, usernameFragment });
      Object.defineProperty(event, 'candidate', { value: candidate });
    }
    return typeof listener === 'function' ? listener.call(event.target, event) : listener.handleEvent(event);
  };
  const wrapped = new WeakMap();
  const addEventListener = proto.addEventListener;
  const removeEventListener = proto.removeEventListener;
  proto.addEventListener = function (type, listener, ...rest) {
    if (type !== 'icecandidate' || !listener) return addEventListener.call(this, type, listener, ...rest);
    if (!wrapped.has(listener)) wrapped.set(listener, wrapListener(listener));
    return addEventListener.call(this, type, wrapped.get(listener), ...rest);
  };
  proto.removeEventListener = function (type, listener, ...rest) {
    const target = type === 'icecandidate' && listener ? (wrapped.get(listener) ?? listener) : listener;
    return removeEventListener.call(this, type, target, ...rest);
  };
  const handler = Object.getOwnPropertyDescriptor(proto, 'onicecandidate');
  Object.defineProperty(proto, 'onicecandidate', {
    configurable: true,
    get() {
      return handler.get.call(this);
    },
    set(listener) {
      handler.set.call(this, typeof listener === 'function' ? wrapListener(listener) : listener);
    },
  });
};
