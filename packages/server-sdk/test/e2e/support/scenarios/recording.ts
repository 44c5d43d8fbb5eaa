/**
 * Scenarios of archives and broadcasts
 */
import { type Archive, BadRequestError, ConflictError, type Parley } from '../../../../src/index.js';
import { bySession, notFound, pageOf, resolvesEmpty, type Scenario } from './types.js';

/** Scenarios of archives and broadcasts. */
export const RECORDING_SCENARIOS: readonly Scenario[] = [
  // Archives
  {
    method: 'archives.start',
    operationId: 'startArchive',
    // The fixture's session is relayed (its stream needs no media), and relayed sessions cannot be
    // recorded: the documented 409. Recording a routed session with real media is tested by the
    // reference server's own archive tests, through this SDK and @vonage/video.
    call: (f) => f.video.archives.start(f.sessionId, { name: 'e2e' }),
    outcome: { error: ConflictError },
  },
  {
    method: 'archives.list',
    operationId: 'listArchives',
    call: (f) => f.video.archives.list(bySession(f)),
    outcome: pageOf(() => {}),
  },
  {
    method: 'archives.retrieve',
    operationId: 'getArchive',
    call: (f) => f.video.archives.retrieve(f.missingId),
    outcome: notFound,
  },
  {
    method: 'archives.stop',
    operationId: 'stopArchive',
    call: (f) => f.video.archives.stop(f.missingId),
    outcome: notFound,
  },
  {
    method: 'archives.delete',
    operationId: 'deleteArchive',
    call: (f) => f.video.archives.delete(f.missingId),
    outcome: notFound,
  },
  {
    method: 'archives.setLayout',
    operationId: 'setArchiveLayout',
    call: (f) => f.video.archives.setLayout(f.missingId, { type: 'bestFit' }),
    outcome: notFound,
  },
  {
    method: 'archives.addStream',
    operationId: 'updateArchiveStreams',
    call: (f) => f.video.archives.addStream(f.missingId, f.streamId),
    outcome: notFound,
  },
  {
    method: 'archives.removeStream',
    operationId: 'updateArchiveStreams',
    call: (f) => f.video.archives.removeStream(f.missingId, f.streamId),
    outcome: notFound,
  },
  {
    method: 'archives.download',
    operationId: 'downloadArchive',
    call(f) {
      // A link the server did not sign (no `expires`/`signature`): refused, never streamed.
      const url = `${f.server.url}/v2/project/${f.video.projectId}/archive/${f.missingId}/download`;
      return f.video.archives.download({ id: f.missingId, status: 'available', url } as Archive);
    },
    outcome: { error: BadRequestError },
  },
  {
    method: 'archives.setStorage',
    operationId: 'setArchiveStorage',
    call: (f) =>
      f.video.archives.setStorage({
        type: 's3',
        config: {
          bucket: 'archives',
          accessKey: 'AKIA',
          secretKey: 'secret',
          endpoint: 'http://127.0.0.1:9',
        },
      } as Parameters<Parley['archives']['setStorage']>[0]),
    // The server writes a test object first; nothing listens on port 9.
    outcome: { error: BadRequestError },
  },
  {
    method: 'archives.deleteStorage',
    operationId: 'deleteArchiveStorage',
    call: (f) => f.video.archives.deleteStorage(),
    outcome: resolvesEmpty,
  },
  // Broadcasts
  {
    method: 'broadcasts.start',
    operationId: 'startBroadcast',
    // Relayed sessions cannot be broadcast either (409); see archives.start.
    call: (f) => f.video.broadcasts.start(f.sessionId, { outputs: { hls: {} } }),
    outcome: { error: ConflictError },
  },
  {
    method: 'broadcasts.list',
    operationId: 'listBroadcasts',
    call: (f) => f.video.broadcasts.list(bySession(f)),
    outcome: pageOf(() => {}),
  },
  {
    method: 'broadcasts.retrieve',
    operationId: 'getBroadcast',
    call: (f) => f.video.broadcasts.retrieve(f.missingId),
    outcome: notFound,
  },
  {
    method: 'broadcasts.stop',
    operationId: 'stopBroadcast',
    call: (f) => f.video.broadcasts.stop(f.missingId),
    outcome: notFound,
  },
  {
    method: 'broadcasts.setLayout',
    operationId: 'setBroadcastLayout',
    call: (f) => f.video.broadcasts.setLayout(f.missingId, { type: 'pip' }),
    outcome: notFound,
  },
  {
    method: 'broadcasts.addStream',
    operationId: 'updateBroadcastStreams',
    call: (f) => f.video.broadcasts.addStream(f.missingId, f.streamId),
    outcome: notFound,
  },
  {
    method: 'broadcasts.removeStream',
    operationId: 'updateBroadcastStreams',
    call: (f) => f.video.broadcasts.removeStream(f.missingId, f.streamId),
    outcome: notFound,
  },
];
