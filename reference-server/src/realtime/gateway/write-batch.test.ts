import { Writable } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { WriteBatch } from './write-batch.js';

/** A writable that records each call of its underlying write (`writev` when writes were corked). */
function recordingSocket(): { socket: Writable; calls: string[][] } {
  const calls: string[][] = [];
  const socket = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      calls.push([chunk.toString()]);
      callback();
    },
    writev(chunks, callback) {
      calls.push(chunks.map(({ chunk }) => (chunk as Buffer).toString()));
      callback();
    },
  });
  return { socket, calls };
}

describe('WriteBatch', () => {
  it('sends the frames written to a socket in one turn in one writev, after the turn', async () => {
    const batch = new WriteBatch();
    const a = recordingSocket();
    const b = recordingSocket();
    for (const frame of ['1', '2', '3']) {
      batch.hold(a.socket);
      a.socket.write(frame);
    }
    batch.hold(b.socket);
    b.socket.write('x');
    expect(batch.held).toBe(2);
    expect(a.calls).toEqual([]);
    await nextTurn();
    expect(a.calls).toEqual([['1', '2', '3']]);
    expect(b.calls).toEqual([['x']]);
    expect(batch.held).toBe(0);
  });

  it('lets nested corks (ws corks around each frame) wait for the batch', async () => {
    const batch = new WriteBatch();
    const { socket, calls } = recordingSocket();
    batch.hold(socket);
    for (const frame of ['h1', 'p1']) {
      socket.cork();
      socket.write(frame);
      socket.uncork();
    }
    expect(calls).toEqual([]);
    await nextTurn();
    expect(calls).toEqual([['h1', 'p1']]);
  });

  it('writes immediately again in the next turn once flushed, and survives an ended socket', async () => {
    const batch = new WriteBatch();
    const { socket, calls } = recordingSocket();
    batch.hold(socket);
    socket.write('a');
    batch.flush();
    expect(calls).toEqual([['a']]);
    batch.hold(socket);
    socket.end('b');
    await nextTurn();
    expect(calls.flat()).toEqual(['a', 'b']);
  });
});
