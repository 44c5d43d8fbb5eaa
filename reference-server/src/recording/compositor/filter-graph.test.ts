import { describe, expect, it } from 'vitest';
import { buildFilterGraph, MAX_COMPOSED_AUDIO_STREAMS } from './filter-graph.js';

const tile = (streamId: string, x: number, zIndex: number) => ({
  streamId,
  x,
  y: 0,
  width: 320,
  height: 240,
  zIndex,
});

describe('buildFilterGraph', () => {
  it('scales each tile (bilinear, letterboxed) and overlays them on the background in z-order', () => {
    const { graph, videoOut, audioOut } = buildFilterGraph({
      width: 640,
      height: 480,
      frameRate: 25,
      hasVideo: true,
      hasAudio: false,
      video: [
        { input: '0:0', tile: tile('top', 320, 2) },
        { input: '0:1', tile: tile('bottom', 0, 1) },
      ],
      audio: [],
    });
    expect(videoOut).toBe('[vout]');
    expect(audioOut).toBeNull();
    const chains = graph.split(';');
    expect(chains[0]).toBe('color=c=black:s=640x480:r=25[bg]');
    // The lower z-index is drawn first.
    expect(chains[1]).toMatch(
      /^\[0:1\]scale=320:240:force_original_aspect_ratio=decrease:.*flags=bilinear,pad=/,
    );
    expect(chains[2]).toBe('[bg][t0]overlay=x=0:y=0:eof_action=pass:repeatlast=1[v0]');
    expect(chains[3]).toMatch(/^\[0:0\]scale=/);
    expect(chains[4]).toBe('[v0][t1]overlay=x=320:y=0:eof_action=pass:repeatlast=1[v1]');
    expect(chains.at(-1)).toBe('[v1]format=yuv420p[vout]');
  });

  it('mixes audio inputs, each resampled on its own, or outputs silence without any', () => {
    const mixed = buildFilterGraph({
      width: 640,
      height: 480,
      frameRate: 25,
      hasVideo: false,
      hasAudio: true,
      video: [],
      audio: ['0:0', '0:1'],
    });
    expect(mixed.videoOut).toBeNull();
    expect(mixed.graph).toContain('[0:0]aresample=async=1000,');
    expect(mixed.graph).toContain('[a0][a1]amix=inputs=2:normalize=0:dropout_transition=0[aout]');
    const silent = buildFilterGraph({
      width: 640,
      height: 480,
      frameRate: 25,
      hasVideo: false,
      hasAudio: true,
      video: [],
      audio: [],
    });
    expect(silent.graph).toMatch(/^anullsrc=r=48000:cl=stereo,.*\[aout\]$/);
  });

  it('rejects an output with neither track, and too many audio inputs, naming the field', () => {
    const base = { width: 640, height: 480, frameRate: 25, video: [], audio: [] };
    expect(() => buildFilterGraph({ ...base, hasVideo: false, hasAudio: false })).toThrow(/hasVideo/);
    const audio = Array.from({ length: MAX_COMPOSED_AUDIO_STREAMS + 1 }, (_, i) => `0:${i}`);
    expect(() => buildFilterGraph({ ...base, hasVideo: false, hasAudio: true, audio })).toThrow(/audio must/);
  });
});
