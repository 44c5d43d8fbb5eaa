/**
 * Scenarios of the Experience Composer, captions, the Audio Connector and callbacks. The first three work
 * in routed sessions only (the fixture's session is relayed), so their scenarios create one.
 */
import { expect } from 'vitest';
import { BadRequestError } from '../../../../src/index.js';
import { type Fixture, notFound, pageOf, type Scenario } from './types.js';

/** A new routed session's ID. */
const routedSession = async (f: Fixture): Promise<string> =>
  (await f.video.sessions.create({ mediaMode: 'routed' })).sessionId;

/** Scenarios of the Experience Composer, captions, the Audio Connector and callbacks. */
export const SERVICE_SCENARIOS: readonly Scenario[] = [
  // Experience Composer, captions, Audio Connector
  {
    method: 'renders.start',
    operationId: 'startRender',
    // Nothing listens on port 9: the render is accepted (`starting`) and fails later, in the background.
    call: async (f) => f.video.renders.start(await routedSession(f), { url: 'http://127.0.0.1:9/page' }),
    outcome: {
      result: (value) => expect(value).toMatchObject({ status: 'starting', id: expect.any(String) }),
    },
  },
  {
    method: 'renders.list',
    operationId: 'listRenders',
    call: (f) => f.video.renders.list(),
    outcome: pageOf(() => {}),
  },
  {
    method: 'renders.retrieve',
    operationId: 'getRender',
    call: (f) => f.video.renders.retrieve(f.missingId),
    outcome: notFound,
  },
  {
    method: 'renders.stop',
    operationId: 'stopRender',
    call: (f) => f.video.renders.stop(f.missingId),
    outcome: notFound,
  },
  {
    method: 'captions.start',
    operationId: 'startCaptions',
    call: async (f) => f.video.captions.start(await routedSession(f), { languageCode: 'en-US' }),
    outcome: { result: (value) => expect(value).toMatchObject({ captionsId: expect.any(String) }) },
  },
  {
    method: 'captions.stop',
    operationId: 'stopCaptions',
    call: (f) => f.video.captions.stop(f.missingId),
    outcome: notFound,
  },
  {
    method: 'audioConnector.connect',
    operationId: 'connectAudio',
    // Nothing listens on port 9: the WebSocket cannot open, which the API answers with 400.
    call: async (f) =>
      f.video.audioConnector.connect(await routedSession(f), {
        websocket: { uri: 'ws://127.0.0.1:9/audio' },
      }),
    outcome: { error: BadRequestError },
  },
  // Callbacks
  {
    method: 'callbacks.register',
    operationId: 'registerCallback',
    call: (f) =>
      f.video.callbacks.register({ group: 'archive', event: 'status', url: 'http://127.0.0.1:9/archive' }),
    outcome: {
      result: (value) =>
        expect(value).toMatchObject({
          id: expect.any(String),
          group: 'archive',
          url: 'http://127.0.0.1:9/archive',
        }),
    },
  },
  {
    method: 'callbacks.list',
    operationId: 'listCallbacks',
    async call(f) {
      const registered = await f.video.callbacks.register({
        group: 'stream',
        event: 'created',
        url: 'http://127.0.0.1:9/s',
      });
      return { registered, listed: await f.video.callbacks.list() };
    },
    outcome: {
      result: (value) => {
        const { registered, listed } = value as { registered: { id: string }; listed: { id: string }[] };
        expect(listed.map((c) => c.id)).toContain(registered.id);
      },
    },
  },
  {
    method: 'callbacks.delete',
    operationId: 'deleteCallback',
    async call(f) {
      const registered = await f.video.callbacks.register({
        group: 'stream',
        event: 'destroyed',
        url: 'http://127.0.0.1:9/d',
      });
      await f.video.callbacks.delete(registered.id);
      return { id: registered.id, listed: await f.video.callbacks.list() };
    },
    outcome: {
      result: (value) => {
        const { id, listed } = value as { id: string; listed: { id: string }[] };
        expect(listed.map((c) => c.id)).not.toContain(id);
      },
    },
  },
];
