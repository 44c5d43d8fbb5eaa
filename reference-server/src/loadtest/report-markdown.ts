/**
 * Renders load reports for the documentation: a Markdown table against the goals, and an SVG
 * bar chart of forwarded packets per server core-second.
 */
import type { LoadTestReport } from './report.js';

/** A named run of a benchmark matrix. */
export interface Scenario {
  name: string;
  report: LoadTestReport;
}

/** The goals the table checks (issue 7). */
export const SFU_GOALS = {
  oneToOnePacketsPerCoreSecond: 25_000,
  fanOutPacketsPerCoreSecond: 40_000,
  delivery: 0.999,
  rssPerStreamBytes: 1024 * 1024,
} as const;

const int = (value: number): string => Math.round(value).toLocaleString('en-US');
const ms = (value: number | null): string => (value === null ? '–' : int(value));

/** The goal in packets per core-second for a scenario: fan-out when a publisher has several subscribers. */
export function packetGoal(report: LoadTestReport): number {
  return report.config.subscribersPerPublisher > 1
    ? SFU_GOALS.fanOutPacketsPerCoreSecond
    : SFU_GOALS.oneToOnePacketsPerCoreSecond;
}

/** The Markdown table of a matrix, one row per scenario. */
export function scenarioTable(scenarios: readonly Scenario[]): string {
  const header = [
    '| Scenario | Forwarded streams | Packets out/s | SFU cores used | **Packets out per core-second** (goal) | Delivery | Silent tracks | SFU ingress | Seq. gaps | RSS per stream (MB) | Connect p50 (ms) | First packet p50 / p95 (ms) | Generator busy (busiest of N) |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  const rows = scenarios.map(({ name, report: r }) => {
    const goal = packetGoal(r);
    const meets = r.server.packetsOutPerCoreSecond >= goal ? '✅' : '❌';
    const delivery =
      r.delivery.ratio >= SFU_GOALS.delivery
        ? r.delivery.ratio.toFixed(4)
        : `${r.delivery.ratio.toFixed(4)} ❌`;
    return [
      name,
      int(r.streams.forwarded),
      int(r.server.packetsOutPerSecond),
      r.server.coresUsed.toFixed(2),
      `**${int(r.server.packetsOutPerCoreSecond)}** (${int(goal)}) ${meets}`,
      delivery,
      `${int(r.delivery.silentTracks)} / ${int(r.delivery.tracks)}`,
      r.server.ingressRatio.toFixed(3),
      int(r.delivery.sequenceGaps),
      (r.server.rssPerForwardedStreamBytes / (1024 * 1024)).toFixed(2),
      ms(r.connectMs.subscriber.p50),
      `${ms(r.firstPacketMs.any.p50)} / ${ms(r.firstPacketMs.any.p95)}`,
      // The busiest of the generator processes: near 100 % it, not the SFU, limited the run (see the
      // report's loadGenerator.processes).
      `${Math.round(r.loadGenerator.eventLoopUtilization * 100)} % of ${r.loadGenerator.generators}`,
    ].join(' | ');
  });
  return [...header, ...rows.map((row) => `| ${row} |`)].join('\n');
}

const mb = (bytes: number): string => (bytes / (1024 * 1024)).toFixed(2);

/**
 * The Markdown table of where the SFU workers' memory went in each scenario: the RSS growth per forwarded
 * stream split into the JavaScript heap (V8's reserved heap, young generation included), external memory
 * (buffers) and the native rest, with the workers' totals idle and loaded.
 */
export function memoryTable(scenarios: readonly Scenario[]): string {
  const header = [
    '| Scenario | RSS per stream (MB) | JS heap per stream | External (buffers) per stream | Native per stream | Heap used per stream | Young generation idle → loaded (MB) | Worker RSS idle → loaded (MB) |',
    '|---|---|---|---|---|---|---|---|',
  ];
  const rows = scenarios.map(({ name, report: r }) => {
    const { idle, loaded, perForwardedStream: per } = r.server.memory;
    const meets = per.rss <= SFU_GOALS.rssPerStreamBytes ? '✅' : '❌';
    return [
      name,
      `**${mb(per.rss)}** ${meets}`,
      mb(per.heapTotal),
      mb(per.external),
      mb(per.native),
      mb(per.heapUsed),
      `${mb(idle.youngGeneration)} → ${mb(loaded.youngGeneration)}`,
      `${mb(idle.rss)} → ${mb(loaded.rss)}`,
    ].join(' | ');
  });
  return [...header, ...rows.map((row) => `| ${row} |`)].join('\n');
}

const escapeXml = (text: string): string =>
  text.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c] ?? c);

/** A horizontal bar chart (SVG) of packets out per core-second, with each scenario's goal marked. */
export function scenarioChart(scenarios: readonly Scenario[]): string {
  const rowHeight = 28;
  const left = 220;
  const width = 760;
  const plot = width - left - 90;
  const top = 30;
  const height = top + scenarios.length * rowHeight + 30;
  const max = Math.max(
    SFU_GOALS.fanOutPacketsPerCoreSecond,
    ...scenarios.map((s) => s.report.server.packetsOutPerCoreSecond),
  );
  const x = (value: number): number => left + (value / max) * plot;
  const bars = scenarios.map(({ name, report }, index) => {
    const y = top + index * rowHeight;
    const value = report.server.packetsOutPerCoreSecond;
    const goal = packetGoal(report);
    const colour = value >= goal ? '#2e7d32' : '#c62828';
    return [
      `<text x="${left - 8}" y="${y + 17}" text-anchor="end">${escapeXml(name)}</text>`,
      `<rect x="${left}" y="${y + 4}" width="${(x(value) - left).toFixed(1)}" height="${rowHeight - 8}" fill="${colour}"/>`,
      `<text x="${(x(value) + 6).toFixed(1)}" y="${y + 17}">${int(value)}</text>`,
      `<line x1="${x(goal).toFixed(1)}" x2="${x(goal).toFixed(1)}" y1="${y + 1}" y2="${y + rowHeight - 1}" stroke="#000" stroke-dasharray="3,2"/>`,
    ].join('\n');
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<text x="${left}" y="18" font-weight="bold">Forwarded RTP packets per server core-second (dashed: goal)</text>`,
    ...bars,
    '</svg>',
    '',
  ].join('\n');
}
