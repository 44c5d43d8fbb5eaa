// Runs before opentok.js loads: points the client at Parley the way a customer page would.
// `?mode=props`: window.OTProperties (apiURL, loggingURL); `?mode=proxy`: OT.setProxyUrl() after load.
// `?codec=h264`: strip VP8 from the SDP (through the documented sessionInfoOverrides), so H.264 is used.
(() => {
  const params = new URLSearchParams(location.search);
  const api = params.get('api');
  const properties = {};
  if (params.get('mode') === 'props') {
    properties.apiURL = api;
    properties.loggingURL = api;
  }
  if (params.get('codec') === 'h264') properties.sessionInfoOverrides = { vp8: false };
  window.OTProperties = properties;
})();
