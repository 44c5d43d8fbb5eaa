/**
 * The results of the recording benchmark (`bench/recording.bench.ts`) and their rendering for the docs:
 * Markdown tables against issue 8's asks and an SVG bar chart of composer CPU per archive minute.
 */

/** One "CPU per archive minute" run. */
export interface CostRun {
  name: string;
  resolution: string;
  streams: number;
  /** Wall seconds between the two CPU snapshots (first output → just before the stop). */
  windowSeconds: number;
  /** CPU seconds in the window: the composer's ffmpeg, the Node process, the stand-in publishers. */
  composerCpuSeconds: number;
  nodeCpuSeconds: number;
  /** Node CPU in the same time with the publishers running and no archive (their packets' receipt). */
  nodeBaselineCpuSeconds: number;
  testMediaCpuSeconds: number;
  unattributedCpuSeconds: number;
  /** Composer CPU seconds per recorded minute, and the cores it kept busy. */
  composerCpuPerMinute: number;
  composerCores: number;
  /** (Node − baseline) CPU seconds per recorded minute: forwarding RTP to the composer. */
  nodeCpuPerMinute: number;
  /** Output seconds gained per wall second in the window (1 = real time). */
  speed: number;
  /** How long the stop took (ffmpeg drains to the stop time first): ≈ how far it was behind. */
  stopMs: number;
  output: {
    sizeBytes: number;
    bytesPerMinute: number;
    durationSeconds: number;
    recordedSeconds: number;
    video: string;
    audio: string;
    segments: number;
  };
  warnings: number;
  /** What is wrong with the run (empty when nothing is). */
  problems: string[];
}

/** One step of the capacity search: `archives` composed archives during a load test. */
export interface CapacityStep {
  archives: number;
  delivery: number;
  sequenceGaps: number;
  silentTracks: number;
  udpReceiveBufferErrors: number | null;
  sfuCores: number;
  packetsOutPerCoreSecond: number;
  loadGeneratorEventLoopUtilization: number;
  /** Composer speed of each archive over the load test's run. */
  speeds: number[];
  composerCores: number;
  /** Probed duration − recorded time, per archive (seconds). */
  durationErrors: number[];
  /** Why this step ends the search; null when it passed. */
  failure: string | null;
}

/** The whole result file. */
export interface RecordingBenchResults {
  generatedAt: string;
  machine: { cpus: number; cpuModel: string; node: string; ffmpeg: string };
  loadAverage: { start: string; end: string };
  config: Record<string, string | number>;
  cost: CostRun[];
  /** Cost runs whose archive did not start (the composer produced no output). */
  costFailures: { name: string; error: string }[];
  capacity: {
    /** The load test run with each step, and the thresholds. */
    scenario: string;
    minDelivery: number;
    minSpeed: number;
    steps: CapacityStep[];
    /** The largest archive count that passed; null when the search did not run. */
    maximum: number | null;
    /** Why the search stopped. */
    stoppedBecause: string;
  } | null;
}

const fixed = (value: number, digits: number): string =>
  Number.isFinite(value) ? value.toFixed(digits) : '–';

/** The Markdown table of the cost runs. */
export function costTable(runs: readonly CostRun[]): string {
  const header = [
    '| Scenario | **Composer CPU-s per archive minute** | Composer cores | Node CPU-s per minute | Speed | Stop (s) | MB per minute | Output duration / recorded (s) | Output | Problems |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  const rows = runs.map((run) =>
    [
      run.name,
      `**${fixed(run.composerCpuPerMinute, 1)}**`,
      fixed(run.composerCores, 2),
      fixed(run.nodeCpuPerMinute, 2),
      fixed(run.speed, 3),
      fixed(run.stopMs / 1000, 1),
      fixed(run.output.bytesPerMinute / 1e6, 1),
      `${fixed(run.output.durationSeconds, 1)} / ${fixed(run.output.recordedSeconds, 1)}`,
      `${run.output.video}, ${run.output.audio}`,
      run.problems.length > 0 ? `❌ ${run.problems.join('; ')}` : '✅ none',
    ].join(' | '),
  );
  return [...header, ...rows.map((row) => `| ${row} |`)].join('\n');
}

/** The Markdown table of the capacity steps. */
export function capacityTable(steps: readonly CapacityStep[]): string {
  const header = [
    '| Archives | SFU delivery | Seq. gaps | UDP buffer drops | SFU cores | Packets out per SFU core-s | Generator loop busy | Composer speed (min) | Composer cores | Result |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  const rows = steps.map((step) =>
    [
      String(step.archives),
      fixed(step.delivery, 4),
      String(step.sequenceGaps),
      step.udpReceiveBufferErrors === null ? '–' : String(step.udpReceiveBufferErrors),
      fixed(step.sfuCores, 2),
      Math.round(step.packetsOutPerCoreSecond).toLocaleString('en-US'),
      fixed(step.loadGeneratorEventLoopUtilization, 2),
      step.speeds.length > 0 ? fixed(Math.min(...step.speeds), 3) : '–',
      fixed(step.composerCores, 2),
      step.failure ? `❌ ${step.failure}` : '✅',
    ].join(' | '),
  );
  return [...header, ...rows.map((row) => `| ${row} |`)].join('\n');
}

const escapeXml = (text: string): string =>
  text.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c] ?? c);

/** A horizontal bar chart (SVG) of composer CPU seconds per archive minute, one bar per cost run. */
export function costChart(runs: readonly CostRun[]): string {
  const rowHeight = 28;
  const left = 200;
  const width = 720;
  const plot = width - left - 80;
  const top = 30;
  const height = top + runs.length * rowHeight + 20;
  const max = Math.max(1, ...runs.map((run) => run.composerCpuPerMinute));
  const bars = runs.map((run, index) => {
    const y = top + index * rowHeight;
    const length = (run.composerCpuPerMinute / max) * plot;
    const colour = run.problems.length > 0 ? '#c62828' : '#1565c0';
    return [
      `<text x="${left - 8}" y="${y + 17}" text-anchor="end">${escapeXml(run.name)}</text>`,
      `<rect x="${left}" y="${y + 4}" width="${fixed(Math.max(0, length), 1)}" height="${rowHeight - 8}" fill="${colour}"/>`,
      `<text x="${fixed(left + Math.max(0, length) + 6, 1)}" y="${y + 17}">${fixed(run.composerCpuPerMinute, 1)}</text>`,
    ].join('\n');
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<text x="${left}" y="18" font-weight="bold">Composer (ffmpeg) CPU seconds per archive minute (red: run had problems)</text>`,
    ...bars,
    '</svg>',
    '',
  ].join('\n');
}
