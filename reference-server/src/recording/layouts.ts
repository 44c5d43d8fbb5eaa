/**
 * The predefined layouts of composed archives and broadcasts as pure geometry: given the layout, the
 * session's video streams and the output resolution, which stream goes where.
 *
 * The rules are Vonage's ("Layouts for composed archives and live streaming broadcasts"): the CSS the
 * docs give for each predefined layout fixes the tile sizes, the stream prioritization rules choose and
 * order the (at most 16) streams, the `full` and `focus` layout classes pick the big tile, and
 * `screenshareType` switches the layout while a screen-sharing stream is present. Where the docs are
 * silent, the choice is written next to the code.
 *
 * Tiles are on even pixel boundaries (the output is 4:2:0 video). A stream is scaled to fit inside its
 * tile without cropping (`object-fit: contain`, Vonage's default), so tiles are rectangles to letterbox
 * into.
 */

/** The six output resolutions. */
export const RESOLUTIONS = ['640x480', '480x640', '1280x720', '720x1280', '1920x1080', '1080x1920'] as const;

/** An output resolution, `WIDTHxHEIGHT`. */
export type Resolution = (typeof RESOLUTIONS)[number];

/** The predefined layout types, plus `custom` (CSS), which needs a browser renderer. */
export const LAYOUT_TYPES = [
  'bestFit',
  'pip',
  'verticalPresentation',
  'horizontalPresentation',
  'custom',
] as const;

/** A layout type. */
export type LayoutType = (typeof LAYOUT_TYPES)[number];

/** The layout types allowed as `screenshareType`. */
export const SCREENSHARE_TYPES = [
  'bestFit',
  'pip',
  'verticalPresentation',
  'horizontalPresentation',
] as const;

/** The layout used while a screen share is present. */
export type ScreenshareType = (typeof SCREENSHARE_TYPES)[number];

/** A layout as the API takes it (the spec's `Layout`). */
export interface Layout {
  type: LayoutType;
  /** The CSS of a `custom` layout. */
  stylesheet?: string;
  /** The layout while a screen share is present; only with `type: bestFit`. */
  screenshareType?: ScreenshareType;
}

/** The most video streams a composed output shows. */
export const MAX_COMPOSED_VIDEO_STREAMS = 16;

/** A video stream as the layout sees it. */
export interface LayoutStream {
  streamId: string;
  /** The publishing connection (the prioritization rules group a client's streams). */
  connectionId: string;
  /** `screen` streams are screen shares. */
  videoType: 'camera' | 'screen' | 'custom';
  /** The stream's layout classes (`full`, `focus`, or anything the app uses). */
  layoutClassList: readonly string[];
  /**
   * When the stream was added to the recording (ms); earlier streams come first among equals. Ties keep
   * the given order.
   */
  addedAt: number;
}

/** One stream's place in the output. */
export interface Tile {
  streamId: string;
  x: number;
  y: number;
  width: number;
  height: number;
  /** Drawing order: higher is drawn later (on top). */
  zIndex: number;
}

/** The width and height of a resolution. */
export function resolutionSize(resolution: Resolution): { width: number; height: number } {
  const [width, height] = resolution.split('x').map(Number) as [number, number];
  return { width, height };
}

/** Whether `value` is one of the six resolutions. */
export function isResolution(value: unknown): value is Resolution {
  return typeof value === 'string' && (RESOLUTIONS as readonly string[]).includes(value);
}

const isPortrait = (resolution: Resolution): boolean => {
  const { width, height } = resolutionSize(resolution);
  return height > width;
};

/**
 * Orders streams by Vonage's prioritization rules and keeps the first `limit`.
 *
 * Upper tier (streams with layout classes): screen shares; then streams of clients that also publish a
 * screen share; then the rest by the time they were added. Lower tier (no classes): screen shares; then
 * streams of clients that also publish a screen share; then streams of clients that also publish an
 * upper-tier stream; then the rest by time added.
 */
export function prioritizeStreams(
  streams: readonly LayoutStream[],
  limit = MAX_COMPOSED_VIDEO_STREAMS,
): LayoutStream[] {
  const screenPublishers = new Set(
    streams.filter((s) => s.videoType === 'screen').map((s) => s.connectionId),
  );
  const upperPublishers = new Set(
    streams.filter((s) => s.layoutClassList.length > 0).map((s) => s.connectionId),
  );
  const rank = (s: LayoutStream): number => {
    const upper = s.layoutClassList.length > 0;
    const base = upper ? 0 : 10;
    if (s.videoType === 'screen') return base;
    if (screenPublishers.has(s.connectionId)) return base + 1;
    if (!upper && upperPublishers.has(s.connectionId)) return base + 2;
    return base + 3;
  };
  return streams
    .map((stream, index) => ({ stream, index, rank: rank(stream) }))
    .sort((a, b) => a.rank - b.rank || a.stream.addedAt - b.stream.addedAt || a.index - b.index)
    .slice(0, limit)
    .map((entry) => entry.stream);
}

/** Rounds down to an even number (4:2:0 chroma needs even offsets and sizes). */
const even = (value: number): number => Math.max(0, Math.floor(value / 2) * 2);

function rect(streamId: string, x: number, y: number, width: number, height: number, zIndex = 0): Tile {
  return { streamId, x: even(x), y: even(y), width: even(width), height: even(height), zIndex };
}

/**
 * The number of grid columns for `count` streams in `bestFit`, from the docs' CSS: 1 stream fills the
 * frame, 2 sit side by side at full height, 3–4 make a 2×2 grid, 5–9 a 3×3 grid. The docs say the
 * layout holds up to 16 streams without giving the CSS; 10–16 continue the pattern as a 4×4 grid.
 */
export function bestFitGrid(count: number): { columns: number; rows: number } {
  if (count <= 1) return { columns: 1, rows: 1 };
  if (count === 2) return { columns: 2, rows: 1 };
  if (count <= 4) return { columns: 2, rows: 2 };
  if (count <= 9) return { columns: 3, rows: 3 };
  return { columns: 4, rows: 4 };
}

/**
 * `bestFit`: a grid filled row by row from the top left (the docs' CSS floats the tiles left), so a
 * partly filled grid leaves its last cells empty, as on Vonage.
 */
function bestFit(streams: readonly LayoutStream[], width: number, height: number): Tile[] {
  const { columns, rows } = bestFitGrid(streams.length);
  const tileWidth = width / columns;
  const tileHeight = height / rows;
  return streams.map((stream, i) =>
    rect(
      stream.streamId,
      (i % columns) * tileWidth,
      Math.floor(i / columns) * tileHeight,
      tileWidth,
      tileHeight,
    ),
  );
}

/** The first stream that has `layoutClass`, else the first stream (the highest priority). */
function pickMain(streams: readonly LayoutStream[], layoutClass: string): LayoutStream | undefined {
  return streams.find((s) => s.layoutClassList.includes(layoutClass)) ?? streams[0];
}

/**
 * `pip`: the `full` stream fills the frame and the first other stream sits in a corner at 20 % of the
 * width and height, 10 % from the top and right edges (the docs' CSS). Streams beyond two are not shown.
 */
function pip(main: LayoutStream, others: readonly LayoutStream[], width: number, height: number): Tile[] {
  const tiles = [rect(main.streamId, 0, 0, width, height, 0)];
  const corner = others[0];
  if (corner) tiles.push(rect(corner.streamId, width * 0.7, height * 0.1, width * 0.2, height * 0.2, 1));
  return tiles;
}

/**
 * How many small streams the presentation layouts show next to the focus stream (the docs): landscape
 * 5 (7 at 1920x1080); portrait vertical 8 (10 at 1080x1920), portrait horizontal 3. The small tiles are
 * sized so that this many fill the edge, and stacked from the start of it.
 */
export function presentationCapacity(
  type: 'verticalPresentation' | 'horizontalPresentation',
  resolution: Resolution,
): number {
  if (!isPortrait(resolution)) return resolution === '1920x1080' ? 7 : 5;
  if (type === 'horizontalPresentation') return 3;
  return resolution === '1080x1920' ? 10 : 8;
}

/**
 * `verticalPresentation`: the focus stream on the right 80 % of the frame, the others in a column on
 * the left 20 % (the docs' CSS: `stream.focus {left: 20%; width: 80%; height: 100%}`).
 */
function verticalPresentation(
  focus: LayoutStream,
  others: readonly LayoutStream[],
  resolution: Resolution,
): Tile[] {
  const { width, height } = resolutionSize(resolution);
  const capacity = presentationCapacity('verticalPresentation', resolution);
  const column = width * 0.2;
  const slot = height / capacity;
  return [
    rect(focus.streamId, column, 0, width - column, height),
    ...others.slice(0, capacity).map((s, i) => rect(s.streamId, 0, i * slot, column, slot)),
  ];
}

/**
 * `horizontalPresentation`: the focus stream on the top 80 % of the frame, the others in a row along
 * the bottom 20 % (the docs' CSS: `stream.focus {top: 0; height: 80%; width: 100%}`).
 */
function horizontalPresentation(
  focus: LayoutStream,
  others: readonly LayoutStream[],
  resolution: Resolution,
): Tile[] {
  const { width, height } = resolutionSize(resolution);
  const capacity = presentationCapacity('horizontalPresentation', resolution);
  const row = height * 0.2;
  const slot = width / capacity;
  return [
    rect(focus.streamId, 0, 0, width, height - row),
    ...others.slice(0, capacity).map((s, i) => rect(s.streamId, i * slot, height - row, slot, row)),
  ];
}

/** The layout type in effect: `screenshareType` replaces `bestFit` while a screen share is present. */
export function effectiveLayoutType(
  layout: Layout,
  streams: readonly LayoutStream[],
): Exclude<LayoutType, 'custom'> {
  if (layout.type === 'custom') {
    throw new TypeError('custom layouts need a CSS renderer; computeLayout handles predefined layouts only');
  }
  if (layout.type === 'bestFit' && layout.screenshareType && streams.some((s) => s.videoType === 'screen')) {
    return layout.screenshareType;
  }
  return layout.type;
}

/**
 * The tiles of `streams` under `layout` at `resolution`, drawn in array order (`zIndex` ascending).
 * Streams are prioritized first (at most 16 are shown); with a screen share and a `screenshareType`,
 * `bestFit` shows only the screen shares, and the other layouts put the screen share in the big tile
 * instead of the `full`/`focus` stream.
 *
 * @example
 * ```ts
 * computeLayout({ type: 'pip' }, streams, '1280x720');
 * // → [{streamId: 'a', x: 0, y: 0, width: 1280, height: 720, zIndex: 0},
 * //    {streamId: 'b', x: 896, y: 72, width: 256, height: 144, zIndex: 1}]
 * ```
 */
export function computeLayout(
  layout: Layout,
  streams: readonly LayoutStream[],
  resolution: Resolution,
): Tile[] {
  const type = effectiveLayoutType(layout, streams);
  const sharing =
    layout.type === 'bestFit' &&
    layout.screenshareType !== undefined &&
    streams.some((s) => s.videoType === 'screen');
  let ordered = prioritizeStreams(streams);
  if (sharing && type === 'bestFit') ordered = ordered.filter((s) => s.videoType === 'screen');
  if (ordered.length === 0) return [];
  const { width, height } = resolutionSize(resolution);
  if (type === 'bestFit') return bestFit(ordered, width, height);

  const mainClass = type === 'pip' ? 'full' : 'focus';
  const main = sharing ? ordered.find((s) => s.videoType === 'screen') : pickMain(ordered, mainClass);
  if (!main) return [];
  const others = ordered.filter((s) => s !== main);
  if (type === 'pip') return pip(main, others, width, height);
  if (type === 'verticalPresentation') return verticalPresentation(main, others, resolution);
  return horizontalPresentation(main, others, resolution);
}
