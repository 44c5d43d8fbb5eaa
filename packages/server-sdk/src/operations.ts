/**
 * Every operation of the spec, and where the SDK offers it: a `resource.method` of {@link Parley}, or
 * a reason it is deliberately not an SDK method. A test walks the bundled spec's `operationId`s against
 * this map, so an operation added to the spec cannot go silently missing from the SDK.
 */

/** Why an operation is not an SDK method. */
export interface ExcludedOperation {
  excluded: string;
}

/** `resource.method` on a {@link Parley} client, or an exclusion. */
export type OperationTarget = `${string}.${string}` | ExcludedOperation;

const CLIENT_PROTOCOL = 'Client protocol: called by the browser client (OpenTok.js), not by servers';
const OPERATIONS_TAG = 'Operations: health and metrics of a Parley server, scraped by infrastructure';
const WEBHOOK = 'Webhook: sent by the server to the app; verify it with webhooks.verify / WebhookReceiver';

/** operationId → SDK method or exclusion. */
export const OPERATION_MAP = {
  // Sessions, connections, streams, signals, moderation
  createSession: 'sessions.create',
  listConnections: 'connections.list',
  forceDisconnect: 'connections.forceDisconnect',
  listStreams: 'streams.list',
  setStreamLayoutClasses: 'streams.setLayoutClasses',
  getStream: 'streams.retrieve',
  sendSignal: 'signals.send',
  sendSignalToConnection: 'signals.send',
  muteStream: 'moderation.muteStream',
  muteAll: 'moderation.muteAll',
  // SIP
  dial: 'sip.dial',
  playDtmf: 'sip.playDtmf',
  playDtmfToConnection: 'sip.playDtmf',
  // Archives
  startArchive: 'archives.start',
  listArchives: 'archives.list',
  getArchive: 'archives.retrieve',
  deleteArchive: 'archives.delete',
  stopArchive: 'archives.stop',
  setArchiveLayout: 'archives.setLayout',
  updateArchiveStreams: 'archives.addStream',
  downloadArchive: 'archives.download',
  setArchiveStorage: 'archives.setStorage',
  deleteArchiveStorage: 'archives.deleteStorage',
  // Broadcasts
  startBroadcast: 'broadcasts.start',
  listBroadcasts: 'broadcasts.list',
  getBroadcast: 'broadcasts.retrieve',
  stopBroadcast: 'broadcasts.stop',
  setBroadcastLayout: 'broadcasts.setLayout',
  setBroadcastLayoutWithPost: {
    excluded: 'A POST alias of setBroadcastLayout kept for clients of an old Vonage draft; the SDK uses PUT',
  },
  updateBroadcastStreams: 'broadcasts.addStream',
  getHlsFile: { excluded: 'HLS viewer endpoint: players fetch it from a broadcast’s broadcastUrls.hls' },
  // Experience Composer, captions, Audio Connector, callbacks
  startRender: 'renders.start',
  listRenders: 'renders.list',
  getRender: 'renders.retrieve',
  stopRender: 'renders.stop',
  startCaptions: 'captions.start',
  stopCaptions: 'captions.stop',
  connectAudio: 'audioConnector.connect',
  listCallbacks: 'callbacks.list',
  registerCallback: 'callbacks.register',
  deleteCallback: 'callbacks.delete',
  // Account-level project management
  createProject: 'projects.create',
  listProjects: 'projects.list',
  getProject: 'projects.retrieve',
  updateProject: 'projects.update',
  deleteProject: 'projects.delete',
  refreshProjectSecret: 'projects.refreshSecret',
  // Client protocol
  getSessionInfo: { excluded: CLIENT_PROTOCOL },
  getSessionInfoProxied: { excluded: CLIENT_PROTOCOL },
  connectSignaling: { excluded: CLIENT_PROTOCOL },
  getClientConfig: { excluded: CLIENT_PROTOCOL },
  postClientLog: { excluded: CLIENT_PROTOCOL },
  postClientLogProxied: { excluded: CLIENT_PROTOCOL },
  // Operations
  getHealth: { excluded: OPERATIONS_TAG },
  getReadiness: { excluded: OPERATIONS_TAG },
  getMetrics: { excluded: OPERATIONS_TAG },
  // Webhooks
  connectionCreated: { excluded: WEBHOOK },
  connectionDestroyed: { excluded: WEBHOOK },
  streamCreated: { excluded: WEBHOOK },
  streamDestroyed: { excluded: WEBHOOK },
  sessionCreated: { excluded: WEBHOOK },
  sessionDestroyed: { excluded: WEBHOOK },
  archiveStatus: { excluded: WEBHOOK },
  broadcastStatus: { excluded: WEBHOOK },
  sipCallEvent: { excluded: WEBHOOK },
  renderStatus: { excluded: WEBHOOK },
  captionsStatus: { excluded: WEBHOOK },
} as const satisfies Record<string, OperationTarget>;

/** The operationIds of the spec. */
export type OperationId = keyof typeof OPERATION_MAP;
