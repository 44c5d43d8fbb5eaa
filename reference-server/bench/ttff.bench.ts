/**
 * Time to first frame in Chromium (issue 7; goal: p50 < 300 ms after subscribe). The reference server
 * (`parley start`, routed session, so every stream goes through the SFU) runs in a child process; one
 * headless Chromium page publishes the fake camera with OpenTok.js, and a second page subscribes N times
 * in a row — with Parley's client (`@parley/client`, bundled by esbuild) and with the official OpenTok.js.
 * Each sample runs from the `subscribe()` call to the first video frame presented by a `<video>` fed with
 * the received track (`requestVideoFrameCallback`), measured the same way for both clients by wrapping
 * `RTCPeerConnection` in the page. Writes `bench/results/ttff.json` and `ttff.md`. Loopback only: the
 * browser harness aborts anything that is not 127.0.0.1.
 *
 * Usage: pnpm --filter @parley/reference-server exec tsx bench/ttff.bench.ts   (also part of `pnpm bench`)
 * Environment (all optional):
 *   BENCH_TTFF_SUBSCRIBES   measured subscribes per client (default 20; one unmeasured warm-up first)
 *   BENCH_TTFF_CLIENTS      comma-separated: parley, opentok (default both)
 *   BENCH_TTFF_FPS          the publisher's frame rate (default 30; 640x480)
 *   BENCH_TTFF_SFU_WORKERS  the server's --sfu-workers (default 0: the SFU runs in the server process)
 *   BENCH_TTFF_SIMULCAST    the server's --simulcast, on or off (default off, the server's default)
 *   BENCH_TTFF_OUT          output directory (default bench/results)
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import OpenTok from 'opentok';
import type { Page } from 'playwright-core';
import { formatMs, type LatencySummary, summarizeLatencies } from '../src/loadtest/signaling/latency.js';
import { startServerProcess } from '../src/loadtest/signaling/server-process.js';
import { launchTestBrowser } from '../test/browser/browser.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const GOAL_P50_MS = 300;
const subscribes = Math.max(1, Number(process.env.BENCH_TTFF_SUBSCRIBES ?? 20));
const frameRate = Number(process.env.BENCH_TTFF_FPS ?? 30);
const sfuWorkers = process.env.BENCH_TTFF_SFU_WORKERS ?? '0';
const simulcast = process.env.BENCH_TTFF_SIMULCAST ?? 'off';
if (simulcast !== 'on' && simulcast !== 'off')
  throw new Error(`BENCH_TTFF_SIMULCAST: on or off, got "${simulcast}"`);
const outDir = process.env.BENCH_TTFF_OUT ?? join(HERE, 'results');
const clientKinds = (process.env.BENCH_TTFF_CLIENTS ?? 'parley,opentok').split(',').map((s) => s.trim());
for (const kind of clientKinds) {
  if (kind !== 'parley' && kind !== 'opentok')
    throw new Error(`BENCH_TTFF_CLIENTS: unknown client "${kind}"`);
}

/** One client's measurements. */
interface ClientResult {
  client: 'parley' | 'opentok';
  /** subscribe() → first presented video frame. */
  ttffMs: LatencySummary;
  /** subscribe() → the client's own "subscribed" (Parley's promise, OpenTok.js's completion callback). */
  subscribedMs: LatencySummary;
  samples: { ttffMs: number; subscribedMs: number }[];
}

/**
 * Runs in every page before its scripts: wraps RTCPeerConnection so that each received video track is
 * played in a `<video>` of our own, and the first frame it presents is timed with the page's clock.
 * Both SDKs build their peer connections with the global constructor, so both are timed alike.
 */
const INSTRUMENT = `(() => {
  const Native = window.RTCPeerConnection;
  if (!Native) return;
  const frames = [];
  const waiters = [];
  window.__ttff = {
    frames,
    next: () => new Promise((resolve) => waiters.push(resolve)),
    // Resolves with the stream once the session knows it (both SDKs have session.streams and streamCreated).
    stream: (session, streamId) =>
      new Promise((resolve) => {
        const known = session.streams.get(streamId);
        if (known) resolve(known);
        session.on('streamCreated', (e) => {
          if (e.stream.streamId === streamId) resolve(e.stream);
        });
      }),
  };
  window.RTCPeerConnection = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('track', (event) => {
        if (event.track.kind !== 'video') return;
        const video = document.createElement('video');
        video.muted = true;
        video.playsInline = true;
        video.srcObject = new MediaStream([event.track]);
        const presented = () => {
          const at = performance.now();
          frames.push(at);
          for (const resolve of waiters.splice(0)) resolve(at);
          video.srcObject = null;
          video.remove();
        };
        video.requestVideoFrameCallback(presented);
        document.body.appendChild(video);
        video.play().catch(() => {});
      });
    }
  };
})();`;

/** The Parley client page: the bundle exposes the SDK as `window.Parley`. */
const PARLEY_HTML = `<!doctype html><html><head><meta charset="utf-8"><title>TTFF (Parley)</title>
<script type="module">import * as Parley from '/parley-client.js'; window.Parley = Parley;</script></head><body></body></html>`;

async function bundleParleyClient(): Promise<string> {
  const result = await build({
    entryPoints: [join(HERE, '../../packages/client/src/index.ts')],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: ['es2022', 'chrome111'],
    legalComments: 'none',
    logLevel: 'warning',
  });
  const output = result.outputFiles[0];
  if (!output) throw new Error('esbuild produced no Parley client bundle');
  return output.text;
}

/** Serves the Parley page and bundle from a loopback origin of its own. */
async function serveParleyPage(bundle: string): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (path === '/') {
      response.setHeader('content-type', 'text/html');
      response.end(PARLEY_HTML);
    } else if (path === '/parley-client.js') {
      response.setHeader('content-type', 'text/javascript');
      response.end(bundle);
    } else {
      response.statusCode = 404;
      response.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

// The page-side code below runs in Chromium; its globals are typed loosely on purpose.
// biome-ignore lint/suspicious/noExplicitAny: page globals (OT, Parley, the instrumentation) have no types here.
type PageGlobals = any;

/** Publishes the fake camera (640x480) with OpenTok.js; resolves with the stream ID. */
function publish(page: Page, apiKey: string, sessionId: string, token: string): Promise<string> {
  return page.evaluate(
    ([k, s, t, fps]) => {
      const w = globalThis as PageGlobals;
      const session = w.OT.initSession(k, s);
      w.__publisherSession = session;
      return new Promise<string>((resolve, reject) => {
        session.connect(t, (error: Error | undefined) => {
          if (error) return reject(new Error(`connect: ${error.message}`));
          const element = w.document.createElement('div');
          w.document.body.appendChild(element);
          const publisher = w.OT.initPublisher(element, {
            insertMode: 'append',
            resolution: '640x480',
            frameRate: fps,
          });
          session.publish(publisher, (e: Error | undefined) =>
            e ? reject(new Error(`publish: ${e.message}`)) : resolve(publisher.stream.streamId),
          );
        });
      });
    },
    [apiKey, sessionId, token, frameRate] as const,
  );
}

/** Connects a subscriber page's client and waits until it knows the stream. */
async function connectSubscriber(
  page: Page,
  kind: 'parley' | 'opentok',
  args: { apiUrl: string; apiKey: string; sessionId: string; token: string; streamId: string },
): Promise<void> {
  await page.evaluate(
    async ({ kind: k, apiUrl, apiKey, sessionId, token, streamId }) => {
      // No named helpers in here: tsx would wrap them in a `__name` call the page does not have.
      const w = globalThis as PageGlobals;
      if (k === 'parley') {
        const session = w.Parley.initSession(apiKey, sessionId, { url: apiUrl, logLevel: 'warn' });
        const stream = w.__ttff.stream(session, streamId);
        await session.connect(token);
        w.__sub = { session, stream: await stream };
      } else {
        const session = w.OT.initSession(apiKey, sessionId);
        const stream = w.__ttff.stream(session, streamId);
        await new Promise<void>((resolve, reject) =>
          session.connect(token, (e: Error | undefined) => (e ? reject(e) : resolve())),
        );
        w.__sub = { session, stream: await stream };
      }
    },
    { kind, ...args },
  );
}

/** One subscribe (no named helpers inside, see above): the time to the first frame and to the client's own completion; then unsubscribes. */
function subscribeOnce(
  page: Page,
  kind: 'parley' | 'opentok',
): Promise<{ ttffMs: number; subscribedMs: number }> {
  return page.evaluate(async (k) => {
    const w = globalThis as PageGlobals;
    const { session, stream } = w.__sub;
    const frame: Promise<number> = w.__ttff.next();
    const timeout = new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error('no video frame within 20 s of subscribe()')), 20_000),
    );
    const started = performance.now();
    let subscriber: PageGlobals;
    let subscribed: Promise<number>;
    if (k === 'parley') {
      subscribed = session.subscribe(stream).then((s: PageGlobals) => {
        subscriber = s;
        return performance.now();
      });
    } else {
      const element = w.document.createElement('div');
      w.document.body.appendChild(element);
      subscribed = new Promise((resolve, reject) => {
        subscriber = session.subscribe(stream, element, { insertMode: 'append' }, (e: Error | undefined) =>
          e ? reject(e) : resolve(performance.now()),
        );
      });
    }
    const [firstFrameAt, subscribedAt] = await Promise.race([Promise.all([frame, subscribed]), timeout]);
    if (k === 'parley') await session.unsubscribe(subscriber);
    else session.unsubscribe(subscriber);
    return { ttffMs: firstFrameAt - started, subscribedMs: subscribedAt - started };
  }, kind);
}

const loadAverage = (): number[] => loadavg().map((l) => Math.round(l * 100) / 100);

async function run(): Promise<{ results: ClientResult[]; loadStart: number[]; loadEnd: number[] }> {
  const loadStart = loadAverage();
  process.stdout.write(`ttff: ${subscribes} subscribes per client; load average ${loadStart.join(' / ')}\n`);
  const server = await startServerProcess({
    args: ['--sfu-workers', sfuWorkers, '--simulcast', simulcast],
  });
  const browser = await launchTestBrowser().catch(async (error: unknown) => {
    await server.stop();
    throw error;
  });
  const parleyPages = clientKinds.includes('parley')
    ? await serveParleyPage(await bundleParleyClient())
    : null;
  try {
    await browser.context.addInitScript(INSTRUMENT);
    const { apiKey, apiSecret } = server.credentials;
    const opentok = new OpenTok(apiKey, apiSecret, { apiUrl: server.url });
    const sdk = opentok as unknown as {
      createSession(o: { mediaMode: string }, cb: (e: Error | null, s?: { sessionId: string }) => void): void;
    };
    const sessionId = await new Promise<string>((resolve, reject) =>
      sdk.createSession({ mediaMode: 'routed' }, (e, s) =>
        e || !s ? reject(e ?? new Error('no session')) : resolve(s.sessionId),
      ),
    );
    const token = () => opentok.generateToken(sessionId, { role: 'publisher' });
    const publisherPage = await browser.open(server.url);
    const streamId = await publish(publisherPage, apiKey, sessionId, token());
    process.stdout.write(`  publishing ${streamId}\n`);
    await sleep(2000); // let the encoder ramp up before the first subscribe

    const results: ClientResult[] = [];
    for (const kind of clientKinds as ('parley' | 'opentok')[]) {
      const page = kind === 'parley' ? await browser.context.newPage() : await browser.open(server.url);
      if (kind === 'parley' && parleyPages) {
        await page.goto(parleyPages.url);
        await page.waitForFunction(() => typeof (globalThis as PageGlobals).Parley === 'object');
      }
      await connectSubscriber(page, kind, {
        apiUrl: server.url,
        apiKey,
        sessionId,
        token: token(),
        streamId,
      });
      await subscribeOnce(page, kind); // warm-up, not measured
      const samples: ClientResult['samples'] = [];
      for (let i = 0; i < subscribes; i++) {
        await sleep(500);
        const sample = await subscribeOnce(page, kind);
        samples.push({ ttffMs: round1(sample.ttffMs), subscribedMs: round1(sample.subscribedMs) });
      }
      const ttffMs = summarizeLatencies(samples.map((s) => s.ttffMs));
      process.stdout.write(`  ${kind}: first frame p50 ${ttffMs.p50} ms, p95 ${ttffMs.p95} ms\n`);
      results.push({
        client: kind,
        ttffMs,
        subscribedMs: summarizeLatencies(samples.map((s) => s.subscribedMs)),
        samples,
      });
      await page.close();
    }
    if (browser.offLoopback.length > 0) {
      throw new Error(`requests tried to leave 127.0.0.1: ${browser.offLoopback.join(', ')}`);
    }
    return { results, loadStart, loadEnd: loadAverage() };
  } finally {
    await browser.close();
    await parleyPages?.close();
    await server.stop();
  }
}

const round1 = (value: number): number => Math.round(value * 10) / 10;
const CLIENT_NAMES = { parley: 'Parley client (`@parley/client`)', opentok: 'OpenTok.js 2.35.2 (official)' };

function markdown(
  results: readonly ClientResult[],
  loadStart: number[],
  loadEnd: number[],
  generatedAt: string,
): string {
  const machine = cpus();
  const rows = results.map((r) => {
    const met = r.ttffMs.p50 !== null && r.ttffMs.p50 < GOAL_P50_MS;
    return `| ${CLIENT_NAMES[r.client]} | ${r.ttffMs.count} | **${formatMs(r.ttffMs.p50)}** ${met ? '✅' : '❌'} | ${formatMs(r.ttffMs.p95)} | ${formatMs(r.ttffMs.min)} / ${formatMs(r.ttffMs.max)} | ${formatMs(r.subscribedMs.p50)} |`;
  });
  return `# Time to first frame in Chromium

Generated by \`pnpm --filter @parley/reference-server bench\` (\`bench/ttff.bench.ts\`) on ${generatedAt}.
Node ${process.version}, ${machine.length} × ${machine[0]?.model.trim() ?? 'unknown'}. Full results: [ttff.json](ttff.json).

The reference server (\`parley start\`, \`--sfu-workers ${sfuWorkers} --simulcast ${simulcast}\`) carries a routed session: every stream goes
through the SFU. In headless Chromium (Debian), one page publishes the fake camera at 640x480, ${frameRate} fps with
OpenTok.js; a second page subscribes ${subscribes} times in a row (after one unmeasured warm-up, 0.5 s apart,
unsubscribing after each). A sample runs from the \`subscribe()\` call to the first video frame a \`<video>\` fed with
the received track presents (\`requestVideoFrameCallback\`), timed the same way for both clients. Everything stays
on 127.0.0.1. Goal (issue 7): p50 < ${GOAL_P50_MS} ms.

| Subscriber client | Samples | **First frame p50 (ms)** | p95 (ms) | min / max (ms) | "Subscribed" p50 (ms) |
|---|---|---|---|---|---|
${rows.join('\n')}

"Subscribed" is the client's own completion: Parley's \`subscribe()\` promise, OpenTok.js's completion callback.
Machine load averages (1 / 5 / 15 min): ${loadStart.join(' / ')} at the start, ${loadEnd.join(' / ')} at the end.
Chromium, the SFU and the server share ${machine.length} cores, so the figures grow with the machine's load.
`;
}

const deadline = setTimeout(() => {
  process.stderr.write('ttff benchmark: abandoned after 10 minutes\n');
  process.exit(1);
}, 600_000);
deadline.unref();

const { results, loadStart, loadEnd } = await run();
const generatedAt = new Date().toISOString();
await mkdir(outDir, { recursive: true });
const machine = cpus();
const report = {
  generatedAt,
  machine: {
    cpus: machine.length,
    cpuModel: machine[0]?.model.trim() ?? 'unknown',
    node: process.version,
    loadAverageStart: loadStart,
    loadAverageEnd: loadEnd,
  },
  config: {
    subscribes,
    warmUpSubscribes: 1,
    publisher: { client: 'opentok', resolution: '640x480', frameRate },
    sfuWorkers: Number(sfuWorkers),
    simulcast: simulcast === 'on',
  },
  goal: { p50Ms: GOAL_P50_MS },
  results,
};
await writeFile(join(outDir, 'ttff.json'), `${JSON.stringify(report, null, 2)}\n`);
await writeFile(join(outDir, 'ttff.md'), markdown(results, loadStart, loadEnd, generatedAt));
process.stdout.write(`wrote ${join(outDir, 'ttff.md')}\n`);
clearTimeout(deadline);
