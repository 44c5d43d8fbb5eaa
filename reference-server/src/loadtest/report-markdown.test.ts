import { describe, expect, it } from 'vitest';
import type { GeneratorProcessReport, LoadTestReport } from './report.js';
import { memoryTable, packetGoal, type Scenario, scenarioChart, scenarioTable } from './report-markdown.js';

const MIB = 1024 * 1024;

function report(
  subscribersPerPublisher: number,
  packetsOutPerCoreSecond: number,
  ratio: number,
): LoadTestReport {
  const dist = { count: 1, p50: 120, p95: 180, max: 200 };
  return {
    config: {
      publishers: 4,
      subscribersPerPublisher,
      media: 'audio+video',
      workers: 1,
      generators: 2,
      warmupSeconds: 1,
      durationSeconds: 5,
      connectConcurrency: 8,
      connectTimeoutMs: 15_000,
      cpuProfileDir: undefined,
      datapath: 'native',
      sharedPort: true,
      workerExecArgv: [],
    },
    startedAt: '2026-01-01T00:00:00.000Z',
    machine: { cpus: 2, cpuModel: 'test', node: 'v24', udpReceiveBufferErrors: 0 },
    streams: {
      sessions: 4,
      publishers: 4,
      subscribers: 4,
      forwarded: 4 * subscribersPerPublisher,
      consumers: 8,
    },
    server: {
      workers: 1,
      windowSeconds: 5,
      cpuSeconds: 1,
      coresUsed: 0.2,
      packetsIn: 1000,
      packetsOut: packetsOutPerCoreSecond,
      ingressRatio: 1,
      packetsInPerSecond: 200,
      packetsOutPerSecond: 200,
      packetsOutPerCoreSecond,
      bitrateOutBps: 1,
      rssIdleBytes: 0,
      rssBytes: 2 * 1024 * 1024,
      rssPerForwardedStreamBytes: 1.5 * 1024 * 1024,
      memory: {
        idle: memory(100, 34, 16),
        loaded: memory(100 + 4 * subscribersPerPublisher * 1.5, 40, 32),
        perForwardedStream: {
          rss: subscribersPerPublisher > 1 ? 0.75 * MIB : 1.5 * MIB,
          heapTotal: 0.9 * MIB,
          heapUsed: 0.5 * MIB,
          external: 0.25 * MIB,
          native: 0.35 * MIB,
        },
      },
    },
    delivery: {
      ratio,
      expected: 1000,
      received: 1000,
      lost: 0,
      sequenceGaps: 3,
      late: 0,
      tracks: 8,
      silentTracks: 0,
    },
    connectMs: { publisher: dist, subscriber: dist },
    firstPacketMs: { any: dist, video: dist },
    loadGenerator: {
      generators: 2,
      cpuSeconds: 1,
      coresUsed: 0.2,
      packetsSent: 1000,
      packetsSentPerSecond: 200,
      eventLoopUtilization: 0.3,
      eventLoopDelayP99Ms: 12,
      eventLoopDelayMaxMs: 20,
      processes: [generator(0.3), generator(0.1)],
    },
  };
}

function memory(rssMib: number, heapMib: number, youngMib: number) {
  return {
    rss: rssMib * MIB,
    heapTotal: heapMib * MIB,
    heapUsed: heapMib * 0.6 * MIB,
    youngGeneration: youngMib * MIB,
    external: 6 * MIB,
    arrayBuffers: 3 * MIB,
    native: (rssMib - heapMib - 6) * MIB,
  };
}

function generator(eventLoopUtilization: number): GeneratorProcessReport {
  return {
    pid: 1,
    publishers: 2,
    subscribers: 2,
    cpuSeconds: 0.5,
    coresUsed: 0.1,
    packetsSent: 500,
    eventLoopUtilization,
    eventLoopDelayP99Ms: 12,
    eventLoopDelayMaxMs: 20,
  };
}

describe('load report rendering', () => {
  const scenarios: Scenario[] = [
    { name: '1:1 × 4', report: report(1, 30_000, 1) },
    { name: '1→16 × 4', report: report(16, 20_000, 0.99) },
  ];

  it('uses the fan-out goal when a publisher has several subscribers', () => {
    expect(packetGoal(report(1, 0, 1))).toBe(25_000);
    expect(packetGoal(report(16, 0, 1))).toBe(40_000);
  });

  it('marks each row against its goal', () => {
    const table = scenarioTable(scenarios).split('\n');
    expect(table).toHaveLength(4);
    expect(table[2]).toContain('**30,000** (25,000) ✅');
    expect(table[2]).toContain('| 1.50 |');
    expect(table[3]).toContain('**20,000** (40,000) ❌');
    expect(table[3]).toContain('0.9900 ❌');
  });

  it('shows the silent subscriber tracks, the SFU ingress and how busy the busiest generator was', () => {
    const [, , row] = scenarioTable(scenarios).split('\n');
    expect(row).toContain('| 0 / 8 | 1.000 |');
    expect(row).toMatch(/\| 30 % of 2 \|$/);
  });

  it('splits the RSS per stream into heap, external and native memory, against the 1 MB goal', () => {
    const table = memoryTable(scenarios).split('\n');
    expect(table).toHaveLength(4);
    expect(table[2]).toBe(
      '| 1:1 × 4 | **1.50** ❌ | 0.90 | 0.25 | 0.35 | 0.50 | 16.00 → 32.00 | 100.00 → 106.00 |',
    );
    expect(table[3]).toContain('| **0.75** ✅ |');
  });

  it('draws one bar per scenario, coloured by the goal, with escaped names', () => {
    const svg = scenarioChart([...scenarios, { name: 'a<b', report: report(1, 1, 1) }]);
    expect(svg.match(/<rect /g)).toHaveLength(3);
    expect(svg).toContain('fill="#2e7d32"');
    expect(svg).toContain('fill="#c62828"');
    expect(svg).toContain('a&lt;b');
  });
});
