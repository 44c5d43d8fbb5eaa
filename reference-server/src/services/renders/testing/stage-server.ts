/**
 * Test support (not a test file): a loopback HTTP server for render tests. It serves a "stage" page (a
 * green canvas with a moving square and a tone, so the render has changing video and audio), a page that
 * changes its URL and then navigates away, a blank page for subscriber pages, and receives webhooks (`POST /hooks/...`), kept in order of arrival.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The stage's background colour, which subscribers look for in the render's video. */
export const STAGE_RGB = [0, 200, 0] as const;

const STAGE_HTML = `<!doctype html><html><head><meta charset="utf-8"><title>Render stage</title>
<style>html,body{margin:0;height:100%;overflow:hidden;background:rgb(${STAGE_RGB.join(',')})}canvas{display:block}</style>
</head><body><canvas id="stage"></canvas><script>
const canvas = document.getElementById('stage');
canvas.width = innerWidth; canvas.height = innerHeight;
const g = canvas.getContext('2d');
let x = 0;
setInterval(() => {
  g.fillStyle = 'rgb(${STAGE_RGB.join(',')})';
  g.fillRect(0, 0, canvas.width, canvas.height);
  g.fillStyle = 'rgb(250, 250, 250)';
  g.fillRect(canvas.width / 2 + (x++ % (canvas.width / 4)), canvas.height / 3, 40, 40);
}, 33);
const audio = new AudioContext();
const tone = audio.createOscillator();
tone.frequency.value = 440;
tone.connect(audio.destination);
tone.start();
</script></body></html>`;

/**
 * A page that changes its URL with the History API all the time (as single-page apps do) and, once the
 * test calls `hop()`, navigates to the blank page: a new document.
 */
const HOP_HTML = `<!doctype html><html><head><meta charset="utf-8"><title>Hopping stage</title></head>
<body style="margin:0;background:rgb(0,0,200)"><script>
let n = 0;
setInterval(async () => {
  history.pushState({}, '', '/hop?step=' + n++);
  const answer = await fetch('/hop-now');
  if ((await answer.text()) === 'yes') location.href = '/blank';
}, 200);
</script></body></html>`;

/** One webhook as received. */
export interface ReceivedHook {
  path: string;
  body: Record<string, unknown>;
}

/** The running server. */
export interface StageServer {
  /** `http://127.0.0.1:<port>`. */
  origin: string;
  /** The stage page's URL. */
  stageUrl: string;
  /** A blank page on the same origin. */
  blankUrl: string;
  /** A page that keeps changing its URL with the History API, and navigates away after {@link hop}. */
  hopUrl: string;
  /** Makes the hopping page navigate to the blank page. */
  hop(): void;
  /** Webhooks received so far. */
  hooks: ReceivedHook[];
  /** Resolves with the first webhook (received or future) matching `predicate`. */
  waitForHook(predicate: (hook: ReceivedHook) => boolean, timeoutMs?: number): Promise<ReceivedHook>;
  close(): Promise<void>;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Starts the server on 127.0.0.1, port 0. Close it in `afterAll`. */
export async function startStageServer(): Promise<StageServer> {
  const hooks: ReceivedHook[] = [];
  let hopNow = false;
  const waiters = new Set<() => void>();
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    if (request.method === 'POST' && path.startsWith('/hooks/')) {
      void readBody(request).then((text) => {
        hooks.push({ path, body: JSON.parse(text) as Record<string, unknown> });
        for (const wake of [...waiters]) wake();
        response.statusCode = 204;
        response.end();
      });
      return;
    }
    response.setHeader('content-type', 'text/html');
    if (path === '/stage') response.end(STAGE_HTML);
    else if (path === '/hop') response.end(HOP_HTML);
    else if (path === '/hop-now') response.end(hopNow ? 'yes' : 'no');
    else if (path === '/blank') response.end('<!doctype html><title>blank</title>');
    else {
      response.statusCode = 404;
      response.end('<!doctype html><title>Not found</title>');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    stageUrl: `${origin}/stage`,
    blankUrl: `${origin}/blank`,
    hopUrl: `${origin}/hop`,
    hop: () => {
      hopNow = true;
    },
    hooks,
    waitForHook(predicate, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const check = (): boolean => {
          const found = hooks.find(predicate);
          if (!found) return false;
          clearTimeout(timer);
          waiters.delete(wake);
          resolve(found);
          return true;
        };
        const wake = (): void => {
          check();
        };
        const timer = setTimeout(() => {
          waiters.delete(wake);
          reject(new Error(`no matching webhook within ${timeoutMs} ms; got ${JSON.stringify(hooks)}`));
        }, timeoutMs);
        waiters.add(wake);
        check();
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
