import { describe, expect, it } from 'vitest';
import { composerArgs, teeTargetEscape } from './ffmpeg-args.js';

const graph = { graph: '[0:0]null[v]', videoOut: '[v]', audioOut: null };

describe('composerArgs outputs', () => {
  it('writes a single MP4 output without tee (archives)', () => {
    const args = composerArgs({
      sdpPath: '/w/s.sdp',
      graph,
      encoding: { defaultMaxBitrate: 1_000_000 },
      outputs: [{ kind: 'mp4', path: '/w/a.mp4' }],
    });
    expect(args.slice(-7)).toEqual([
      '-f',
      'mp4',
      '-movflags',
      '+frag_keyframe+empty_moov+default_base_moof',
      '-flush_packets',
      '1',
      '/w/a.mp4',
    ]);
    expect(args).not.toContain('tee');
    expect(args.at(-1)).toBe('/w/a.mp4');
  });

  it('sends HLS and RTMP through tee with onfail=ignore and escapes the RTMP targets', () => {
    const args = composerArgs({
      sdpPath: '/w/s.sdp',
      graph,
      encoding: { defaultMaxBitrate: 1_000_000 },
      outputs: [
        { kind: 'hls', directory: '/w/hls', dvr: false, lowLatency: true },
        { kind: 'rtmp', url: "rtmp://127.0.0.1/live/it's|a\\key" },
      ],
    });
    const tee = args.at(-1) ?? '';
    expect(args.at(-2)).toBe('tee');
    const [hls, rtmp] = tee.split(/(?<!\\)\|/);
    expect(hls).toMatch(/^\[f=hls:onfail=ignore:hls_time=1:/);
    expect(hls).toContain('hls_list_size=3');
    expect(rtmp).toBe(
      "[f=flv:onfail=ignore:flvflags=no_duration_filesize]rtmp://127.0.0.1/live/it\\'s\\|a\\\\key",
    );
    // 1-second segments need a keyframe every second.
    expect(args[args.indexOf('-force_key_frames') + 1]).toBe('expr:gte(t,n_forced*1)');
  });

  it('sets the RTP sockets’ receive buffer before the SDP input when asked, and rejects a bad one', () => {
    const base = {
      sdpPath: '/w/s.sdp',
      graph,
      encoding: { defaultMaxBitrate: 1_000_000 },
      outputs: [{ kind: 'mp4' as const, path: '/w/a.mp4' }],
    };
    const args = composerArgs({ ...base, receiveBufferBytes: 4_194_304 });
    expect(args.indexOf('-buffer_size')).toBe(args.indexOf('-i') - 2);
    expect(args[args.indexOf('-buffer_size') + 1]).toBe('4194304');
    expect(composerArgs(base)).not.toContain('-buffer_size');
    expect(() => composerArgs({ ...base, receiveBufferBytes: 0 })).toThrow(/receiveBufferBytes/);
  });

  it('escapes only the characters av_get_token treats specially', () => {
    expect(teeTargetEscape('rtmp://h/app/k-1_2?x=y&z')).toBe('rtmp://h/app/k-1_2?x=y&z');
    expect(teeTargetEscape("a'b|c\\d")).toBe("a\\'b\\|c\\\\d");
  });
});
