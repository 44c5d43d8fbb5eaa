import { describe, expect, it } from 'vitest';
import {
  bestFitGrid,
  computeLayout,
  type LayoutStream,
  presentationCapacity,
  prioritizeStreams,
  RESOLUTIONS,
  resolutionSize,
  type Tile,
} from './layouts.js';

let clock = 0;
function stream(streamId: string, options: Partial<LayoutStream> = {}): LayoutStream {
  clock += 1;
  return {
    streamId,
    connectionId: `c-${streamId}`,
    videoType: 'camera',
    layoutClassList: [],
    addedAt: clock,
    ...options,
  };
}

const ids = (tiles: Tile[]) => tiles.map((t) => t.streamId);

describe('bestFit', () => {
  it('fills the frame with one stream', () => {
    expect(computeLayout({ type: 'bestFit' }, [stream('a')], '640x480')).toEqual([
      { streamId: 'a', x: 0, y: 0, width: 640, height: 480, zIndex: 0 },
    ]);
  });

  it('puts two streams side by side at full height (the docs CSS: 50% x 100%)', () => {
    const tiles = computeLayout({ type: 'bestFit' }, [stream('a'), stream('b')], '1280x720');
    expect(tiles).toEqual([
      { streamId: 'a', x: 0, y: 0, width: 640, height: 720, zIndex: 0 },
      { streamId: 'b', x: 640, y: 0, width: 640, height: 720, zIndex: 0 },
    ]);
  });

  it.each([
    [3, 2, 2],
    [4, 2, 2],
    [5, 3, 3],
    [9, 3, 3],
    [10, 4, 4],
    [16, 4, 4],
  ])('uses the docs grid for %i streams (%i columns)', (count, columns, rows) => {
    expect(bestFitGrid(count)).toEqual({ columns, rows });
    const streams = Array.from({ length: count }, (_, i) => stream(`s${i}`));
    const tiles = computeLayout({ type: 'bestFit' }, streams, '1920x1080');
    expect(tiles).toHaveLength(count);
    const first = tiles[0] as Tile;
    expect(first.width).toBe(Math.floor(1920 / columns / 2) * 2);
    expect(first.height).toBe(Math.floor(1080 / rows / 2) * 2);
    // Filled row by row from the top left.
    expect(tiles[columns]?.x).toBe(0);
    expect(tiles[columns]?.y).toBe(first.height);
  });

  it('shows at most 16 streams', () => {
    const streams = Array.from({ length: 20 }, (_, i) => stream(`s${i}`));
    expect(computeLayout({ type: 'bestFit' }, streams, '640x480')).toHaveLength(16);
  });

  it('keeps every tile inside the frame on even pixels at all six resolutions', () => {
    const streams = Array.from({ length: 7 }, (_, i) => stream(`s${i}`));
    for (const resolution of RESOLUTIONS) {
      const { width, height } = resolutionSize(resolution);
      for (const type of ['bestFit', 'pip', 'verticalPresentation', 'horizontalPresentation'] as const) {
        for (const tile of computeLayout({ type }, streams, resolution)) {
          expect((tile.x % 2) + (tile.y % 2) + (tile.width % 2) + (tile.height % 2)).toBe(0);
          expect(tile.x + tile.width).toBeLessThanOrEqual(width);
          expect(tile.y + tile.height).toBeLessThanOrEqual(height);
          expect(tile.width).toBeGreaterThan(0);
        }
      }
    }
  });
});

describe('pip', () => {
  it('shows the full stream full frame and the first other in the corner (docs CSS: 20%, 10% from top right)', () => {
    const a = stream('a');
    const b = stream('b', { layoutClassList: ['full'] });
    const tiles = computeLayout({ type: 'pip' }, [a, b, stream('c')], '1280x720');
    expect(tiles).toEqual([
      { streamId: 'b', x: 0, y: 0, width: 1280, height: 720, zIndex: 0 },
      { streamId: 'a', x: 896, y: 72, width: 256, height: 144, zIndex: 1 },
    ]);
  });

  it('uses the highest-priority stream as full when none has the class', () => {
    expect(ids(computeLayout({ type: 'pip' }, [stream('a'), stream('b')], '640x480'))).toEqual(['a', 'b']);
  });
});

describe('presentation layouts', () => {
  it('verticalPresentation: focus on the right 80%, the others stacked on the left 20%', () => {
    const tiles = computeLayout(
      { type: 'verticalPresentation' },
      [stream('a'), stream('f', { layoutClassList: ['focus'] }), stream('b')],
      '640x480',
    );
    expect(tiles[0]).toEqual({ streamId: 'f', x: 128, y: 0, width: 512, height: 480, zIndex: 0 });
    expect(tiles.slice(1)).toEqual([
      { streamId: 'a', x: 0, y: 0, width: 128, height: 96, zIndex: 0 },
      { streamId: 'b', x: 0, y: 96, width: 128, height: 96, zIndex: 0 },
    ]);
  });

  it('horizontalPresentation: focus on the top 80%, the others in a row along the bottom', () => {
    const tiles = computeLayout(
      { type: 'horizontalPresentation' },
      [stream('f', { layoutClassList: ['focus'] }), stream('a')],
      '1280x720',
    );
    expect(tiles).toEqual([
      { streamId: 'f', x: 0, y: 0, width: 1280, height: 576, zIndex: 0 },
      { streamId: 'a', x: 0, y: 576, width: 256, height: 144, zIndex: 0 },
    ]);
  });

  it.each([
    ['verticalPresentation', '640x480', 5],
    ['verticalPresentation', '1280x720', 5],
    ['verticalPresentation', '1920x1080', 7],
    ['verticalPresentation', '480x640', 8],
    ['verticalPresentation', '1080x1920', 10],
    ['horizontalPresentation', '1920x1080', 7],
    ['horizontalPresentation', '720x1280', 3],
  ] as const)('%s at %s shows 1 focus + %i others', (type, resolution, capacity) => {
    expect(presentationCapacity(type, resolution)).toBe(capacity);
    const streams = Array.from({ length: 14 }, (_, i) => stream(`s${i}`));
    expect(computeLayout({ type }, streams, resolution)).toHaveLength(capacity + 1);
  });
});

describe('screenshareType', () => {
  const cam = () => stream('cam', { connectionId: 'presenter' });
  const screen = () => stream('screen', { connectionId: 'presenter', videoType: 'screen' });

  it('switches bestFit to the screenshare layout with the screen share in the big tile', () => {
    const tiles = computeLayout(
      { type: 'bestFit', screenshareType: 'horizontalPresentation' },
      [stream('x', { layoutClassList: ['focus'] }), cam(), screen()],
      '640x480',
    );
    expect(tiles[0]?.streamId).toBe('screen');
    expect(tiles[0]?.height).toBe(384);
  });

  it('shows only screen shares when screenshareType is bestFit', () => {
    expect(
      ids(computeLayout({ type: 'bestFit', screenshareType: 'bestFit' }, [cam(), screen()], '640x480')),
    ).toEqual(['screen']);
  });

  it('stays bestFit while nobody shares a screen', () => {
    expect(
      computeLayout({ type: 'bestFit', screenshareType: 'pip' }, [stream('a'), stream('b')], '640x480'),
    ).toHaveLength(2);
  });

  it('puts the presenter camera in the pip corner (prioritization rules)', () => {
    const tiles = computeLayout(
      { type: 'bestFit', screenshareType: 'pip' },
      [stream('other'), cam(), screen()],
      '640x480',
    );
    expect(ids(tiles)).toEqual(['screen', 'cam']);
  });
});

describe('prioritizeStreams', () => {
  it('orders upper tier (with classes) before lower tier, screen shares and their publishers first', () => {
    const plain = stream('plain');
    const classed = stream('classed', { layoutClassList: ['x'] });
    const screen = stream('screen', { videoType: 'screen', connectionId: 'p' });
    const presenterCam = stream('presenterCam', { connectionId: 'p' });
    const sameClientAsClassed = stream('sibling', { connectionId: classed.connectionId });
    expect(
      prioritizeStreams([plain, sameClientAsClassed, presenterCam, screen, classed]).map((s) => s.streamId),
    ).toEqual(['classed', 'screen', 'presenterCam', 'sibling', 'plain']);
  });

  it('orders equals by the time they were added', () => {
    const late = { ...stream('late'), addedAt: 100 };
    const early = { ...stream('early'), addedAt: 1 };
    expect(prioritizeStreams([late, early]).map((s) => s.streamId)).toEqual(['early', 'late']);
  });
});

it('rejects custom layouts (they need a CSS renderer)', () => {
  expect(() => computeLayout({ type: 'custom', stylesheet: 'stream {}' }, [stream('a')], '640x480')).toThrow(
    /custom/,
  );
});
