import { describe, expect, it, vi } from 'vitest';
import { onceEvent, TypedEmitter } from './typed-emitter.js';

type Events = { ping: [n: number]; pair: [a: string, b: boolean] };

describe('TypedEmitter', () => {
  it('calls listeners in order with typed arguments and reports whether anyone listened', () => {
    const emitter = new TypedEmitter<Events>();
    const calls: string[] = [];
    emitter.on('pair', (a, b) => calls.push(`1:${a}:${b}`)).on('pair', (a) => calls.push(`2:${a}`));
    expect(emitter.emit('pair', 'x', true)).toBe(true);
    expect(emitter.emit('ping', 1)).toBe(false);
    expect(calls).toEqual(['1:x:true', '2:x']);
  });

  it('runs once-listeners once and removes listeners with off', () => {
    const emitter = new TypedEmitter<Events>();
    const once = vi.fn();
    const always = vi.fn();
    emitter.once('ping', once).on('ping', always);
    emitter.emit('ping', 1);
    emitter.emit('ping', 2);
    emitter.off('ping', always);
    emitter.emit('ping', 3);
    expect(once).toHaveBeenCalledTimes(1);
    expect(always.mock.calls).toEqual([[1], [2]]);
    expect(emitter.listenerCount('ping')).toBe(0);
  });

  it('surfaces a throwing listener as listenerError and still runs the others', () => {
    const emitter = new TypedEmitter<Events>();
    const failure = new Error('boom');
    const errors: [unknown, string][] = [];
    const after = vi.fn();
    emitter.on('listenerError', (error, event) => errors.push([error, event]));
    emitter.on('ping', () => {
      throw failure;
    });
    emitter.on('ping', after);
    emitter.emit('ping', 7);
    expect(errors).toEqual([[failure, 'ping']]);
    expect(after).toHaveBeenCalledWith(7);
  });

  it('reports listener errors globally when nobody handles listenerError', () => {
    const emitter = new TypedEmitter<Events>();
    const report = vi.fn();
    vi.stubGlobal('reportError', report);
    try {
      emitter.on('ping', () => {
        throw new Error('unhandled');
      });
      emitter.emit('ping', 1);
      expect(report).toHaveBeenCalledWith(expect.objectContaining({ message: 'unhandled' }));
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('onceEvent resolves with the next event and rejects on abort', async () => {
    const emitter = new TypedEmitter<Events>();
    const next = onceEvent(emitter, 'pair');
    emitter.emit('pair', 'y', false);
    await expect(next).resolves.toEqual(['y', false]);

    const controller = new AbortController();
    const aborted = onceEvent(emitter, 'ping', controller.signal);
    controller.abort(new Error('stop'));
    await expect(aborted).rejects.toThrow('stop');
    expect(emitter.listenerCount('ping')).toBe(0);
  });
});
