/**
 * Measurement and reporting for `pnpm bench`. Each operation is timed in several rounds, interleaved
 * with the other operations of its group, and reported by its median round: on a shared machine a
 * noisy neighbour then slows every row of a round alike instead of skewing one row.
 */

/** One measured operation. */
export interface Result {
  name: string;
  /** Median over the rounds. */
  opsPerSecond: number;
  /** Median over the rounds. */
  microsecondsPerOp: number;
  /** Fastest and slowest round, µs/op, to show how noisy the run was. */
  rangeMicroseconds: [number, number];
}

/** An operation to time: synchronous or asynchronous. */
export interface Case {
  name: string;
  op: () => unknown;
}

/** How long and how often each case runs. */
export interface MeasureOptions {
  /** Rounds per case; the median round is reported. */
  rounds: number;
  /** Seconds per case per round. */
  seconds: number;
}

async function timeOnce(op: () => unknown, seconds: number): Promise<number> {
  let count = 0;
  const start = process.hrtime.bigint();
  const end = start + BigInt(Math.round(seconds * 1e9));
  // Check the clock every 16 calls so reading it does not weigh on sub-microsecond operations.
  while (process.hrtime.bigint() < end) {
    for (let i = 0; i < 16; i++) {
      const value = op();
      if (value instanceof Promise) await value;
    }
    count += 16;
  }
  return Number(process.hrtime.bigint() - start) / 1e3 / count;
}

const round1 = (value: number): number => Math.round(value * 10) / 10;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** Times every case of a group, interleaving the cases round by round. */
export async function measureGroup(cases: readonly Case[], options: MeasureOptions): Promise<Result[]> {
  for (const { op } of cases) for (let i = 0; i < 300; i++) await op(); // warm-up (JIT, connections)
  const samples = cases.map(() => [] as number[]);
  for (let round = 0; round < options.rounds; round++) {
    for (const [index, { op }] of cases.entries()) samples[index]?.push(await timeOnce(op, options.seconds));
  }
  return cases.map(({ name }, index) => {
    const rounds = samples[index] ?? [];
    const micros = median(rounds);
    return {
      name,
      opsPerSecond: Math.round(1e6 / micros),
      microsecondsPerOp: round1(micros),
      rangeMicroseconds: [round1(Math.min(...rounds)), round1(Math.max(...rounds))],
    };
  });
}

/** A Markdown table of results. */
export function markdownTable(rows: readonly Result[]): string {
  return [
    '| Operation | ops/s | µs/op (median) | µs/op (fastest–slowest round) |',
    '|---|---:|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${r.name} | ${r.opsPerSecond} | ${r.microsecondsPerOp} | ${r.rangeMicroseconds[0]}–${r.rangeMicroseconds[1]} |`,
    ),
  ].join('\n');
}

/** The result named `name`; throws if the bench did not produce it (a renamed row). */
export function find(rows: readonly Result[], name: string): Result {
  const row = rows.find((r) => r.name === name);
  if (!row) throw new Error(`no benchmark row named "${name}"`);
  return row;
}
