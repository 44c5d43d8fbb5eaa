import { describe, expect, it } from 'vitest';
import { PcmMixer } from './pcm-mixer.js';

const frame = (value: number, length = 4) => new Int16Array(length).fill(value);

describe('PcmMixer', () => {
  it('sums the primed inputs and clips to 16 bits', () => {
    const mixer = new PcmMixer({ frameSamples: 4, prebufferFrames: 1 });
    mixer.addInput('a');
    mixer.addInput('b');
    mixer.push('a', frame(20_000));
    mixer.push('b', frame(20_000));
    expect([...mixer.mixFrame()]).toEqual([32_767, 32_767, 32_767, 32_767]);
    mixer.push('a', frame(-20_000));
    mixer.push('b', frame(-20_000));
    expect([...mixer.mixFrame()]).toEqual([-32_768, -32_768, -32_768, -32_768]);
    mixer.push('a', frame(100));
    mixer.push('b', frame(-30));
    expect([...mixer.mixFrame()]).toEqual([70, 70, 70, 70]);
  });

  it('gives silence without inputs, waits for the prebuffer, and re-primes after running dry', () => {
    const mixer = new PcmMixer({ frameSamples: 2, prebufferFrames: 2 });
    expect([...mixer.mixFrame()]).toEqual([0, 0]);
    mixer.addInput('a');
    mixer.push('a', new Int16Array([1, 2]));
    expect([...mixer.mixFrame()]).toEqual([0, 0]); // One frame buffered: not heard yet.
    mixer.push('a', new Int16Array([3]));
    mixer.push('a', new Int16Array([4, 5]));
    expect([...mixer.mixFrame()]).toEqual([1, 2]);
    expect([...mixer.mixFrame()]).toEqual([3, 4]);
    expect([...mixer.mixFrame()]).toEqual([5, 0]); // Ran dry: the rest is silence…
    mixer.push('a', new Int16Array([6, 7]));
    expect([...mixer.mixFrame()]).toEqual([0, 0]); // …and it waits for the prebuffer again.
  });

  it('drops the oldest audio of an input that fell behind', () => {
    const mixer = new PcmMixer({ frameSamples: 1, prebufferFrames: 1, maxBufferedFrames: 3 });
    mixer.addInput('a');
    mixer.push('a', new Int16Array([1, 2, 3, 4, 5, 6]));
    expect(mixer.mixFrame()[0]).toBe(6);
    mixer.push('late', new Int16Array([9]));
    expect(mixer.inputs).toEqual(['a']);
    mixer.removeInput('a');
    expect(mixer.inputs).toEqual([]);
  });

  it('refuses impossible sizes', () => {
    expect(() => new PcmMixer({ frameSamples: 0 })).toThrow('frameSamples');
    expect(() => new PcmMixer({ frameSamples: 4, prebufferFrames: 3, maxBufferedFrames: 2 })).toThrow(
      'maxBufferedFrames',
    );
  });
});
