import { describe, expect, it } from 'vitest';
import { aRender } from '../../store/store.fixtures.js';
import { renderStatusEvent, renderView } from './render-view.js';

describe('renderView', () => {
  it('shows a starting render without streamId or reason, and hides the connection', () => {
    const record = aRender({
      data: { url: 'https://s.example.test/a', resolution: '640x480', maxDuration: 60 },
    });
    expect(renderView(record, '47000001')).toEqual({
      id: record.id,
      sessionId: record.sessionId,
      projectId: '47000001',
      applicationId: record.applicationId,
      createdAt: record.createdAt,
      updatedAt: record.updatedAt,
      url: 'https://s.example.test/a',
      resolution: '640x480',
      status: 'starting',
    });
  });

  it('shows the stream, name, callback and, once ended, the reason', () => {
    const record = aRender({
      status: 'stopped',
      data: {
        url: 'https://s.example.test/a',
        resolution: '1280x720',
        maxDuration: 1800,
        name: 'Stage',
        callbackUrl: 'https://hooks.example.test/r',
        streamId: 'stream-1',
        connectionId: 'connection-1',
        reason: 'Stop Requested',
      },
    });
    expect(renderView(record, '47000001')).toMatchObject({
      status: 'stopped',
      streamId: 'stream-1',
      name: 'Stage',
      callbackUrl: 'https://hooks.example.test/r',
      reason: 'Stop Requested',
    });
    expect(renderView(record, '47000001')).not.toHaveProperty('connectionId');
  });
});

describe('renderStatusEvent', () => {
  it('sends started with the stream and no reason, and an empty name when none was given', () => {
    const record = aRender({
      status: 'started',
      data: {
        url: 'https://s.example.test/a',
        resolution: '1280x720',
        maxDuration: 60,
        streamId: 'stream-1',
      },
    });
    const event = renderStatusEvent(record, '47000001', 5);
    expect(event).toEqual({
      id: record.id,
      event: 'render',
      status: 'started',
      sessionId: record.sessionId,
      streamId: 'stream-1',
      applicationId: record.applicationId,
      projectId: '47000001',
      name: '',
      url: 'https://s.example.test/a',
      resolution: '1280x720',
      createdAt: record.createdAt,
      updatedAt: record.updatedAt,
      timestamp: 5,
    });
  });

  it('sends failed with its reason and no stream when it never published', () => {
    const record = aRender({
      status: 'failed',
      data: { url: 'https://s.example.test/a', resolution: '1280x720', maxDuration: 60, reason: 'boom' },
    });
    const event = renderStatusEvent(record, '47000001', 5);
    expect(event).toMatchObject({ status: 'failed', reason: 'boom' });
    expect(event).not.toHaveProperty('streamId');
  });

  it('refuses a starting render, which sends no webhook', () => {
    expect(() => renderStatusEvent(aRender(), '47000001', 5)).toThrow(TypeError);
  });
});
