/** A publisher's peer connection straight into a subscriber's, on loopback: the fixtures arrive as negotiated. */
import { afterEach, describe, expect, it } from 'vitest';
import { MediaReceiver } from './media-receiver.js';
import { MediaSender, type SendCounters } from './media-sender.js';
import { networkFor, toIceServers } from './network.js';
import { negotiationMismatches } from './stats.js';

const network = networkFor('http://127.0.0.1:1', []);
const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((pc) => pc.close()));
});

async function waitFor(done: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!done()) {
    if (performance.now() > deadline) throw new Error(`not done within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('MediaSender → MediaReceiver', () => {
  for (const direction of ['sendrecv', 'sendonly'] as const) {
    it(`delivers VP8 and Opus RTP with the negotiated payload types and SSRCs (${direction} offer)`, async () => {
      const counters: SendCounters = {
        audio: { packets: 0, bytes: 0, enabled: true },
        video: { packets: 0, bytes: 0, enabled: true },
      };
      const sender = new MediaSender(network, ['audio', 'video'], counters, direction);
      const receiver = new MediaReceiver(network);
      open.push(sender, receiver);
      sender.start();
      await sender.applyAnswer(await receiver.answer(await sender.createOffer()));
      await waitFor(() => receiver.tracks.audio.packets >= 25 && receiver.tracks.video.packets >= 10, 15_000);

      for (const track of [receiver.tracks.audio, receiver.tracks.video]) {
        expect(negotiationMismatches(track)).toEqual([]);
        expect(track.payloadTypes).toEqual([track.negotiated.payloadType]);
        expect(track.ssrcs).toHaveLength(1);
        expect(track.negotiated.ssrcs).toContain(track.ssrcs[0]);
      }
      expect(receiver.tracks.video.negotiated.codec).toBe('VP8/90000');
      expect(counters.video.packets).toBeGreaterThanOrEqual(receiver.tracks.video.packets);

      // A disabled track sends nothing more, as a muted microphone.
      counters.audio.enabled = false;
      const sentAudio = counters.audio.packets;
      const sentVideo = counters.video.packets;
      await waitFor(() => counters.video.packets > sentVideo + 5, 5_000);
      expect(counters.audio.packets).toBe(sentAudio);
    });
  }
});

describe('networkFor and toIceServers', () => {
  it('stays on loopback without ICE servers for a loopback target, and uses the target servers otherwise', () => {
    expect(networkFor('http://localhost:4000', [{ urls: 'stun:x' }])).toEqual({
      loopbackOnly: true,
      iceServers: [],
    });
    expect(networkFor('https://video.example.com', [{ url: 'stun:stun.example.com:3478' }])).toEqual({
      loopbackOnly: false,
      iceServers: [{ urls: 'stun:stun.example.com:3478' }],
    });
  });

  it('splits url lists, keeps credentials and drops malformed entries', () => {
    expect(
      toIceServers([
        { urls: ['turn:a:3478', 'turns:a:443'], username: 'u', credential: 'c' },
        null,
        { urls: 42 },
        'stun:b',
      ]),
    ).toEqual([
      { urls: 'turn:a:3478', username: 'u', credential: 'c' },
      { urls: 'turns:a:443', username: 'u', credential: 'c' },
    ]);
    expect(toIceServers(undefined)).toEqual([]);
  });
});
