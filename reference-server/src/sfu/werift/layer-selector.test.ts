import { describe, expect, it } from 'vitest';
import { type LayerCandidate, LayerSelector, VIDEO_PAUSED } from './layer-selector.js';

/** Three layers as Chrome sends them from a 1280x720 camera. */
function layers(overrides: Partial<LayerCandidate>[] = []): LayerCandidate[] {
  const base: LayerCandidate[] = [
    { width: 320, height: 180, frameRate: 30, bitrate: 150_000, active: true },
    { width: 640, height: 360, frameRate: 30, bitrate: 500_000, active: true },
    { width: 1280, height: 720, frameRate: 30, bitrate: 1_500_000, active: true },
  ];
  return base.map((layer, i) => ({ ...layer, ...overrides[i] }));
}

const open = { lossBitrate: Number.POSITIVE_INFINITY };

function clock() {
  let now = 0;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('LayerSelector', () => {
  it('picks the highest layer within the preferred resolution', () => {
    const selector = new LayerSelector();
    expect(selector.preferredLayer(layers(), {})).toBe(2);
    expect(selector.preferredLayer(layers(), { maxWidth: 640, maxHeight: 480 })).toBe(1);
    expect(selector.preferredLayer(layers(), { maxWidth: 400, maxHeight: 300 })).toBe(0);
    // Smaller than every layer: the lowest.
    expect(selector.preferredLayer(layers(), { maxWidth: 100, maxHeight: 100 })).toBe(0);
    // A layer whose size is not known yet fits.
    expect(
      selector.preferredLayer(layers([{}, {}, { width: undefined, height: undefined }]), { maxWidth: 640 }),
    ).toBe(2);
    // An inactive layer is skipped.
    expect(selector.preferredLayer(layers([{}, {}, { active: false }]), {})).toBe(1);
    expect(
      selector.preferredLayer(layers([{ active: false }, { active: false }, { active: false }]), {}),
    ).toBeUndefined();
  });

  it('applies a frame-rate cap only when a layer satisfies it', () => {
    const selector = new LayerSelector();
    const mixed = layers([{ frameRate: 7.5 }, { frameRate: 15 }, { frameRate: 30 }]);
    expect(selector.preferredLayer(mixed, { maxFrameRate: 15 })).toBe(1);
    expect(selector.preferredLayer(mixed, { maxFrameRate: 16 })).toBe(1);
    expect(selector.preferredLayer(layers(), { maxFrameRate: 5 })).toBe(2);
  });

  it('follows preference changes at once, up and down', () => {
    const selector = new LayerSelector();
    expect(selector.select(layers(), { maxWidth: 320, maxHeight: 240 }, open)).toBe(0);
    expect(selector.select(layers(), {}, open)).toBe(2);
    expect(selector.select(layers(), { maxWidth: 640, maxHeight: 360 }, open)).toBe(1);
  });

  it('downswitches at once under congestion and climbs back one layer at a time after a hold', () => {
    const time = clock();
    const selector = new LayerSelector({ now: time.now, upswitchHoldMs: 5_000 });
    expect(selector.select(layers(), {}, open)).toBe(2);
    time.advance(1_000);
    // A REMB of 700 kbps while 1.5 Mbps is sent: overuse. The middle layer fits.
    expect(selector.select(layers(), {}, { remb: 700_000, lossBitrate: Infinity })).toBe(1);
    // REMB near what is sent now (Chrome's estimate tracks the incoming rate): not a congestion signal.
    for (let i = 0; i < 4; i++) {
      time.advance(1_000);
      expect(selector.select(layers(), {}, { remb: 600_000, lossBitrate: Infinity })).toBe(1);
    }
    time.advance(1_000);
    expect(selector.select(layers(), {}, { remb: 600_000, lossBitrate: Infinity })).toBe(2);
  });

  it('does not climb past the loss-based estimate', () => {
    const time = clock();
    const selector = new LayerSelector({ now: time.now });
    selector.select(layers(), {}, open);
    time.advance(1_000);
    expect(selector.select(layers(), {}, { lossBitrate: 700_000 })).toBe(1);
    time.advance(60_000);
    expect(selector.select(layers(), {}, { lossBitrate: 800_000 })).toBe(1);
    expect(selector.select(layers(), {}, { lossBitrate: 2_000_000 })).toBe(2);
  });

  it('doubles the hold when a climb meets congestion at once (hysteresis)', () => {
    const time = clock();
    const selector = new LayerSelector({ now: time.now, upswitchHoldMs: 5_000 });
    selector.select(layers(), {}, open);
    time.advance(1_000);
    expect(selector.select(layers(), {}, { remb: 400_000, lossBitrate: Infinity })).toBe(0);
    time.advance(5_000);
    expect(selector.select(layers(), {}, open)).toBe(1); // climb
    time.advance(1_000);
    expect(selector.select(layers(), {}, { remb: 200_000, lossBitrate: Infinity })).toBe(0); // failed climb
    time.advance(5_000);
    expect(selector.select(layers(), {}, open)).toBe(0); // the hold is now 10 s
    time.advance(5_000);
    expect(selector.select(layers(), {}, open)).toBe(1);
  });

  it('pauses video when even the lowest layer does not fit, and tries again after the resume hold', () => {
    const time = clock();
    const selector = new LayerSelector({ now: time.now, resumeHoldMs: 10_000 });
    expect(selector.select(layers(), { maxWidth: 320 }, open)).toBe(0);
    time.advance(1_000);
    expect(selector.select(layers(), { maxWidth: 320 }, { remb: 60_000, lossBitrate: Infinity })).toBe(
      VIDEO_PAUSED,
    );
    time.advance(9_000);
    expect(selector.select(layers(), { maxWidth: 320 }, open)).toBe(VIDEO_PAUSED);
    time.advance(1_000);
    expect(selector.select(layers(), { maxWidth: 320 }, open)).toBe(0);
    // Congested again right after the resume: the next pause lasts twice as long.
    time.advance(1_000);
    expect(selector.select(layers(), { maxWidth: 320 }, { lossBitrate: 50_000 })).toBe(VIDEO_PAUSED);
    time.advance(11_000);
    expect(selector.select(layers(), { maxWidth: 320 }, open)).toBe(VIDEO_PAUSED);
    time.advance(10_000);
    expect(selector.select(layers(), { maxWidth: 320 }, open)).toBe(0);
  });

  it('keeps resumed video on signals left from the pause, and pauses again on fresh loss', () => {
    const time = clock();
    const selector = new LayerSelector({ now: time.now, resumeHoldMs: 10_000 });
    const squeezed = { remb: 40_000, lossBitrate: 100_000 };
    expect(selector.select(layers(), { maxWidth: 320 }, open)).toBe(0);
    time.advance(1_000);
    expect(selector.select(layers(), { maxWidth: 320 }, squeezed)).toBe(VIDEO_PAUSED);
    time.advance(10_000);
    // The link is wide again, but the REMB and the loss estimate still say what they said in the squeeze.
    expect(selector.select(layers(), { maxWidth: 320 }, squeezed)).toBe(0);
    // They climb (Chrome's REMB by about 8 % a second, the loss estimate by 8 % a second without loss).
    for (let i = 1; i <= 6; i++) {
      time.advance(1_000);
      const rising = { remb: 40_000 * 1.08 ** i, lossBitrate: 100_000 * 1.08 ** i };
      expect(selector.select(layers(), { maxWidth: 320 }, rising)).toBe(0);
    }
    // A REMB that falls while still catching up is Chrome falling back to its link capacity from the
    // squeeze (β × 40 kbps), not an overuse of the rate sent now: video stays.
    time.advance(1_000);
    expect(selector.select(layers(), { maxWidth: 320 }, { remb: 34_000, lossBitrate: 160_000 })).toBe(0);
    time.advance(1_000);
    expect(selector.select(layers(), { maxWidth: 320 }, { remb: 34_000, lossBitrate: 172_000 })).toBe(0);
    // Fresh loss lowers the estimate far below the rate: video pauses at once.
    time.advance(1_000);
    expect(selector.select(layers(), { maxWidth: 320 }, { remb: 36_000, lossBitrate: 60_000 })).toBe(
      VIDEO_PAUSED,
    );
  });

  it('counts a resumed REMB again once it has caught up with the rate', () => {
    const time = clock();
    const selector = new LayerSelector({ now: time.now, resumeHoldMs: 10_000 });
    expect(selector.select(layers(), { maxWidth: 320 }, open)).toBe(0);
    time.advance(1_000);
    expect(selector.select(layers(), { maxWidth: 320 }, { remb: 40_000, lossBitrate: Infinity })).toBe(
      VIDEO_PAUSED,
    );
    time.advance(10_000);
    expect(selector.select(layers(), { maxWidth: 320 }, { remb: 40_000, lossBitrate: Infinity })).toBe(0);
    // 140 kbps of the 150 kbps layer, but only 1 s after the resume: not caught up yet (catchUpMinMs).
    time.advance(1_000);
    expect(selector.select(layers(), { maxWidth: 320 }, { remb: 140_000, lossBitrate: Infinity })).toBe(0);
    time.advance(1_000);
    expect(selector.select(layers(), { maxWidth: 320 }, { remb: 60_000, lossBitrate: Infinity })).toBe(0);
    // Caught up: at the rate, 4 s after the resume.
    time.advance(2_000);
    expect(selector.select(layers(), { maxWidth: 320 }, { remb: 140_000, lossBitrate: Infinity })).toBe(0);
    time.advance(1_000);
    expect(selector.select(layers(), { maxWidth: 320 }, { remb: 180_000, lossBitrate: Infinity })).toBe(0);
    // From now on a REMB falling far below the rate is overuse again.
    time.advance(1_000);
    expect(selector.select(layers(), { maxWidth: 320 }, { remb: 60_000, lossBitrate: Infinity })).toBe(
      VIDEO_PAUSED,
    );
  });

  it('does not take a REMB "reaching" a restarted layer measured at a few kbps for caught up', () => {
    const time = clock();
    const selector = new LayerSelector({ now: time.now, resumeHoldMs: 10_000 });
    selector.select(layers(), { maxWidth: 320 }, open);
    time.advance(1_000);
    expect(selector.select(layers(), { maxWidth: 320 }, { remb: 25_000, lossBitrate: Infinity })).toBe(
      VIDEO_PAUSED,
    );
    time.advance(10_000);
    // Resumed on the lowest layer, which the publisher is restarting: 20 kbps measured so far.
    const restarting = layers([{ bitrate: 20_000 }]);
    expect(selector.select(restarting, { maxWidth: 320 }, { remb: 25_000, lossBitrate: Infinity })).toBe(0);
    time.advance(1_000);
    expect(selector.select(restarting, { maxWidth: 320 }, { remb: 26_000, lossBitrate: Infinity })).toBe(0);
    // The layer is back at its rate; the REMB climbs slowly from the squeeze's level and dips once.
    for (const remb of [28_000, 27_000, 30_000, 29_000, 33_000, 31_000]) {
      time.advance(1_000);
      expect(selector.select(layers(), { maxWidth: 320 }, { remb, lossBitrate: Infinity })).toBe(0);
    }
    // Fresh loss still pauses it: the link really is narrow.
    time.advance(1_000);
    expect(selector.select(layers(), { maxWidth: 320 }, { remb: 30_000, lossBitrate: 40_000 })).toBe(
      VIDEO_PAUSED,
    );
  });

  it('takes a REMB that appears after a resume for one catching up (Chrome sends none without video)', () => {
    const time = clock();
    const selector = new LayerSelector({ now: time.now, resumeHoldMs: 10_000 });
    selector.select(layers(), { maxWidth: 320 }, open);
    time.advance(1_000);
    expect(selector.select(layers(), { maxWidth: 320 }, { remb: 30_000, lossBitrate: Infinity })).toBe(
      VIDEO_PAUSED,
    );
    // The REMB went stale during the pause; after the resume Chrome reports its low estimate again.
    time.advance(10_000);
    expect(selector.select(layers(), { maxWidth: 320 }, open)).toBe(0);
    time.advance(1_000);
    expect(selector.select(layers(), { maxWidth: 320 }, { remb: 29_000, lossBitrate: Infinity })).toBe(0);
    time.advance(1_000);
    expect(selector.select(layers(), { maxWidth: 320 }, { remb: 31_000, lossBitrate: Infinity })).toBe(0);
    // Whereas the first REMB of a subscriber that never stepped up is Chrome's overuse report.
    const fresh = new LayerSelector({ now: time.now });
    fresh.select(layers(), { maxWidth: 320 }, open);
    time.advance(1_000);
    expect(fresh.select(layers(), { maxWidth: 320 }, { remb: 29_000, lossBitrate: Infinity })).toBe(
      VIDEO_PAUSED,
    );
  });

  it('counts a leftover loss estimate again once it falls, and a REMB below the rate only while it falls', () => {
    const time = clock();
    const selector = new LayerSelector({ now: time.now, resumeHoldMs: 10_000 });
    selector.select(layers(), { maxWidth: 320 }, open);
    time.advance(1_000);
    expect(selector.select(layers(), { maxWidth: 320 }, { lossBitrate: 60_000 })).toBe(VIDEO_PAUSED);
    time.advance(10_000);
    expect(selector.select(layers(), { maxWidth: 320 }, { lossBitrate: 60_000 })).toBe(0);
    // Fresh loss lowers the estimate: it counts, far below the rate.
    time.advance(1_000);
    expect(selector.select(layers(), { maxWidth: 320 }, { lossBitrate: 45_000 })).toBe(VIDEO_PAUSED);

    // A climb: the REMB of the lower layer rises toward the new layer's rate (Chrome catching up), no overuse.
    const climbing = new LayerSelector({ now: time.now, upswitchHoldMs: 5_000 });
    const upTo640 = { maxWidth: 640 };
    climbing.select(layers(), upTo640, open);
    time.advance(1_000);
    expect(climbing.select(layers(), upTo640, { remb: 200_000, lossBitrate: Infinity })).toBe(0);
    time.advance(5_000);
    expect(climbing.select(layers(), upTo640, { remb: 220_000, lossBitrate: Infinity })).toBe(1);
    time.advance(1_000);
    expect(climbing.select(layers(), upTo640, { remb: 240_000, lossBitrate: Infinity })).toBe(1);
    time.advance(1_000);
    expect(climbing.select(layers(), upTo640, { remb: 300_000, lossBitrate: Infinity })).toBe(1);
    // A dip before it reached the rate is no overuse of the new rate.
    time.advance(1_000);
    expect(climbing.select(layers(), upTo640, { remb: 260_000, lossBitrate: Infinity })).toBe(1);
    time.advance(1_000);
    expect(climbing.select(layers(), upTo640, { remb: 260_000, lossBitrate: Infinity })).toBe(1);
    time.advance(1_000);
    expect(climbing.select(layers(), upTo640, { remb: 480_000, lossBitrate: Infinity })).toBe(1);
    // Caught up, it falls below the rate: overuse (acted on after two evaluations, a mild one).
    time.advance(1_000);
    expect(climbing.select(layers(), upTo640, { remb: 420_000, lossBitrate: Infinity })).toBe(1);
    time.advance(1_000);
    expect(climbing.select(layers(), upTo640, { remb: 420_000, lossBitrate: Infinity })).toBe(0);
  });

  it('acts on a mild congestion only when it lasts two evaluations', () => {
    const time = clock();
    const selector = new LayerSelector({ now: time.now });
    selector.select(layers(), {}, open);
    // 1.2 Mbps of 1.5: one evaluation (a keyframe burst) is not enough, two in a row are.
    time.advance(1_000);
    expect(selector.select(layers(), {}, { remb: 1_200_000, lossBitrate: Infinity })).toBe(2);
    time.advance(1_000);
    expect(selector.select(layers(), {}, open)).toBe(2);
    time.advance(1_000);
    expect(selector.select(layers(), {}, { remb: 1_200_000, lossBitrate: Infinity })).toBe(2);
    time.advance(1_000);
    expect(selector.select(layers(), {}, { remb: 1_200_000, lossBitrate: Infinity })).toBe(1);
  });

  it('leaves a layer the publisher stopped sending', () => {
    const selector = new LayerSelector();
    expect(selector.select(layers(), {}, open)).toBe(2);
    expect(selector.select(layers([{}, {}, { active: false }]), {}, open)).toBe(1);
  });
});
