/**
 * One Parley-client participant in a Chromium page, driven from Node. The page and the built bundle are
 * served from a loopback origin of their own, so every call to the Parley server is a real cross-origin
 * request and WebSocket.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BrowserContext, Page } from 'playwright-core';

/** An event recorded by the page. */
export interface RecordedEvent {
  type: string;
  at: number;
  connectionId?: string;
  streamId?: string;
  reason?: string;
  signalType?: string;
  data?: string;
  from?: string | null;
  active?: boolean;
  property?: string;
  value?: unknown;
  /** `streamCreated`: the stream's `hasCaptions`. */
  hasCaptions?: boolean;
  /** `captionReceived`: the text and whether it is final. */
  caption?: string;
  isFinal?: boolean;
}

/** A client error as the page reports it. */
export interface PageError {
  code: number;
  name: string;
  message: string;
}

type PageApi = Record<string, (...args: never[]) => unknown> & { events: RecordedEvent[] };
const PAGE_SCRIPT = readFileSync(new URL('./parley-page.js', import.meta.url), 'utf8');

/** The loopback HTTP server of the test page and the bundle (a real server: Chromium's local-network rules). */
export interface PageServer {
  origin: string;
  close(): Promise<void>;
}

/** Serves the test page, its script and the bundle on 127.0.0.1 (port 0). */
export async function servePages(bundle: string): Promise<PageServer> {
  const files: Record<string, [string, string]> = {
    '/': [
      'text/html',
      '<!doctype html><meta charset="utf-8"><title>parley</title><script type="module" src="/parley-page.js"></script>',
    ],
    '/parley-page.js': ['text/javascript', PAGE_SCRIPT],
    '/parley-client.js': ['text/javascript', bundle],
  };
  const server = createServer((request, response) => {
    const file = files[(request.url ?? '/').split('?')[0] ?? '/'];
    if (!file) {
      response.statusCode = 404;
      response.end();
      return;
    }
    response.setHeader('content-type', file[0]);
    response.end(file[1]);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A page running the Parley client. */
export class ParleyParticipant {
  connectionId = '';
  private constructor(readonly page: Page) {}

  /** Opens a page of `pages` (see {@link servePages}) with the client loaded. */
  static async open(context: BrowserContext, pages: PageServer): Promise<ParleyParticipant> {
    const page = await context.newPage();
    await page.goto(`${pages.origin}/`);
    await page.waitForFunction(() => (globalThis as { ready?: boolean }).ready === true);
    return new ParleyParticipant(page);
  }

  async connect(
    apiUrl: string,
    projectId: string,
    sessionId: string,
    token: string,
    secret?: string,
  ): Promise<string> {
    this.connectionId = await this.page.evaluate(
      ([u, p, s, t, x]) =>
        (globalThis as unknown as { P: PageApi }).P.connect?.(
          ...([u, p, s, t, x] as never[]),
        ) as Promise<string>,
      [apiUrl, projectId, sessionId, token, secret] as const,
    );
    return this.connectionId;
  }

  connectError(
    apiUrl: string,
    projectId: string,
    sessionId: string,
    token: string,
  ): Promise<PageError | null> {
    return this.page.evaluate(
      ([u, p, s, t]) =>
        (globalThis as unknown as { P: PageApi }).P.connectError?.(
          ...([u, p, s, t] as never[]),
        ) as Promise<PageError | null>,
      [apiUrl, projectId, sessionId, token] as const,
    );
  }

  /** Calls a page API method. */
  call<T>(method: string, ...args: unknown[]): Promise<T> {
    return this.page.evaluate(
      ([m, a]) => (globalThis as unknown as { P: PageApi }).P[m as string]?.(...(a as never[])) as T,
      [method, args] as const,
    );
  }

  /** Waits until the subscriber of `streamId` has decoded `frames` video frames. */
  async waitForMedia(streamId: string, frames = 10, timeoutMs = 20_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const media = await this.call<{
        framesDecoded: number;
        frameWidth: number;
        audioPackets: number;
      } | null>('received', streamId);
      if (media && media.framesDecoded >= frames) return media;
      if (Date.now() > deadline) throw new Error(`no media for ${streamId}: ${JSON.stringify(media)}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  events(): Promise<RecordedEvent[]> {
    return this.page.evaluate(() => (globalThis as unknown as { P: PageApi }).P.events);
  }

  /** Waits for an event whose fields include `fields`. */
  async waitForEvent(
    type: string,
    fields: Partial<RecordedEvent> = {},
    timeoutMs = 15_000,
  ): Promise<RecordedEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = (await this.events()).find(
        (event) =>
          event.type === type &&
          Object.entries(fields).every(([key, value]) => event[key as keyof RecordedEvent] === value),
      );
      if (found) return found;
      if (Date.now() > deadline) {
        throw new Error(`no ${type} ${JSON.stringify(fields)}; saw ${JSON.stringify(await this.events())}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
