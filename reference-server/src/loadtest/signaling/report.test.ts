import { describe, expect, it } from 'vitest';
import { summarizeLatencies } from './latency.js';
import { type SignalingReport, signalingGoalsMet, signalingMarkdown } from './report.js';

function report(
  overrides: { p99?: number; receipts?: number; bytesPerConnection?: number } = {},
): SignalingReport {
  const latency = summarizeLatencies([5, 10, overrides.p99 ?? 40]);
  return {
    generatedAt: '2026-11-24T00:00:00.000Z',
    machine: {
      cpus: 2,
      cpuModel: 'Test CPU',
      node: 'v24.0.0',
      loadAverageStart: [1, 2, 3],
      loadAverageEnd: [1.5, 2, 3],
    },
    config: {
      clients: 1000,
      generatorProcesses: 2,
      joinConcurrencyPerProcess: 20,
      signals: 50,
      signalIntervalMs: 100,
      connectionEventsSuppressed: false,
      serverLogLevel: 'info',
    },
    connect: {
      joined: 1000,
      failed: 0,
      failures: [],
      wallSeconds: 20,
      connectionsPerSecond: 50,
      latencyMs: latency,
      sessionInfoMs: latency,
      serverCpuSeconds: 10,
      serverCores: 0.5,
    },
    idle: {
      retainedBeforeBytes: 40 << 20,
      retainedAfterBytes: 60 << 20,
      bytesPerConnection: overrides.bytesPerConnection ?? 20_000,
      rssBeforeBytes: 100 << 20,
      rssAfterBytes: 220 << 20,
      rssBytesPerConnection: 120_000,
    },
    fanout: {
      signalsSent: 50,
      signalsFailed: 0,
      receipts: overrides.receipts ?? 49_950,
      expectedReceipts: 49_950,
      latencyMs: latency,
      wallSeconds: 5,
      serverCpuSeconds: 1,
      serverCores: 0.2,
      serverCpuMicrosPerDelivery: 20,
      generatorCores: 0.4,
    },
    lostConnections: { count: 0, reasons: [] },
  };
}

describe('signaling report', () => {
  it('checks the goals: fan-out p99 under 100 ms with every receipt, under 50 KB per idle connection', () => {
    expect(signalingGoalsMet(report())).toEqual({ fanoutP99: true, idleMemory: true });
    expect(signalingGoalsMet(report({ p99: 100 })).fanoutP99).toBe(false);
    expect(signalingGoalsMet(report({ receipts: 49_000 })).fanoutP99).toBe(false);
    expect(signalingGoalsMet(report({ bytesPerConnection: 50 * 1024 })).idleMemory).toBe(false);
  });

  it('renders the table with the results, the goals and the machine load', () => {
    const page = signalingMarkdown(report({ p99: 140 }));
    expect(page).toContain('| **Signal fan-out latency p50 / p99** | **10 / 140 ms**');
    expect(page).toContain('p99 < 100 ms ❌');
    expect(page).toContain('**19.5 KB**');
    expect(page).toContain('< 50.0 KB ✅');
    expect(page).toContain('1.00 / 2.00 / 3.00 at the start');
    expect(page).not.toContain('Join failures');
    const failed = report();
    failed.connect.failures = ['timed out after 30000 ms waiting for opening the WebSocket'];
    expect(signalingMarkdown(failed)).toContain(
      '- timed out after 30000 ms waiting for opening the WebSocket',
    );
  });
});
