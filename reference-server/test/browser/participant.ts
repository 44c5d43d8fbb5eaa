/**
 * One OpenTok.js participant in a test page, driven from Node: typed wrappers around the page's `window.T`
 * (see `page-api.js`) and waits on the events it records.
 */
import type { Page } from 'playwright-core';

/** An event recorded by the page. */
export interface PageEvent {
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
}

/** What a subscriber has received. */
export interface ReceivedMedia {
  framesDecoded: number;
  frameWidth: number;
  audioPackets: number;
  videoCodec: string;
}

/** The page API as seen from `page.evaluate`. */
interface PageApi {
  events: PageEvent[];
  connect(apiKey: string, sessionId: string, token: string): Promise<string>;
  capabilities(): Record<string, number>;
  publish(name: string): Promise<string>;
  subscribe(streamId: string): Promise<string>;
  received(streamId: string): Promise<ReceivedMedia | null>;
  publishAudio(streamId: string, on: boolean): void;
  audioMuted(streamId: string): boolean | null;
  signal(type: string, data: string, to?: string): Promise<void>;
  forceDisconnect(connectionId: string): Promise<void>;
  forceUnpublish(streamId: string): Promise<void>;
  forceMuteStream(streamId: string): Promise<void>;
  forceMuteAll(excluded: string[]): Promise<void>;
  disableForceMute(): Promise<void>;
  disconnect(): void;
}

/** The page's global scope, as typed from Node (the functions below run in the page). */
type PageGlobal = { T: PageApi };

/** A participant page. */
export class Participant {
  connectionId = '';
  constructor(readonly page: Page) {}

  async connect(apiKey: string, sessionId: string, token: string): Promise<string> {
    this.connectionId = await this.page.evaluate(
      ([k, s, t]) => (globalThis as unknown as PageGlobal).T.connect(k, s, t),
      [apiKey, sessionId, token] as const,
    );
    return this.connectionId;
  }

  /** Connects and expects the attempt to fail; resolves with the error message. */
  async connectFails(apiKey: string, sessionId: string, token: string): Promise<string> {
    return this.page.evaluate(
      ([k, s, t]) =>
        (globalThis as unknown as PageGlobal).T.connect(k, s, t).then(
          () => 'connected',
          (error: Error) => error.message,
        ),
      [apiKey, sessionId, token] as const,
    );
  }

  capabilities(): Promise<Record<string, number>> {
    return this.page.evaluate(() => (globalThis as unknown as PageGlobal).T.capabilities());
  }

  publish(name: string): Promise<string> {
    return this.page.evaluate((n) => (globalThis as unknown as PageGlobal).T.publish(n), name);
  }

  /** Publishes and expects failure; resolves with the error message. */
  publishFails(name: string): Promise<string> {
    return this.page.evaluate(
      (n) =>
        (globalThis as unknown as PageGlobal).T.publish(n).then(
          () => 'published',
          (error: Error) => error.message,
        ),
      name,
    );
  }

  subscribe(streamId: string): Promise<string> {
    return this.page.evaluate((id) => (globalThis as unknown as PageGlobal).T.subscribe(id), streamId);
  }

  subscribeFails(streamId: string): Promise<string> {
    return this.page.evaluate(
      (id) =>
        (globalThis as unknown as PageGlobal).T.subscribe(id).then(
          () => 'subscribed',
          (error: Error) => error.message,
        ),
      streamId,
    );
  }

  received(streamId: string): Promise<ReceivedMedia | null> {
    return this.page.evaluate((id) => (globalThis as unknown as PageGlobal).T.received(id), streamId);
  }

  /** Waits until the subscriber of `streamId` decoded more than `frames` frames and audio. */
  async waitForMedia(streamId: string, frames = 10, timeoutMs = 20_000): Promise<ReceivedMedia> {
    const deadline = Date.now() + timeoutMs;
    let last: ReceivedMedia | null = null;
    while (Date.now() < deadline) {
      last = await this.received(streamId);
      if (last && last.framesDecoded > frames && last.frameWidth > 0 && last.audioPackets > 0) return last;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    throw new Error(`no media on ${streamId} after ${timeoutMs} ms: ${JSON.stringify(last)}`);
  }

  signal(type: string, data: string, to?: string): Promise<void> {
    return this.page.evaluate(
      ([t, d, c]) => (globalThis as unknown as PageGlobal).T.signal(t, d, c ?? undefined),
      [type, data, to ?? null] as const,
    );
  }

  /** Runs a moderation call and resolves with 'ok' or the error message. */
  moderate(
    action: 'forceDisconnect' | 'forceUnpublish' | 'forceMuteStream' | 'forceMuteAll' | 'disableForceMute',
    target?: string | string[],
  ): Promise<string> {
    return this.page.evaluate(
      ([a, t]) => {
        const T = (globalThis as unknown as PageGlobal).T;
        const run = (): Promise<void> => {
          switch (a) {
            case 'forceDisconnect':
              return T.forceDisconnect(t as string);
            case 'forceUnpublish':
              return T.forceUnpublish(t as string);
            case 'forceMuteStream':
              return T.forceMuteStream(t as string);
            case 'forceMuteAll':
              return T.forceMuteAll((t as string[] | null) ?? []);
            default:
              return T.disableForceMute();
          }
        };
        return Promise.resolve()
          .then(run)
          .then(
            () => 'ok',
            (error: { message?: string; name?: string }) =>
              `${error.name ?? 'Error'}: ${error.message ?? String(error)}`,
          );
      },
      [action, target ?? null] as const,
    );
  }

  audioMuted(streamId: string): Promise<boolean | null> {
    return this.page.evaluate((id) => (globalThis as unknown as PageGlobal).T.audioMuted(id), streamId);
  }

  publishAudio(streamId: string, on: boolean): Promise<void> {
    return this.page.evaluate(
      ([id, value]) => (globalThis as unknown as PageGlobal).T.publishAudio(id, value),
      [streamId, on] as const,
    );
  }

  disconnect(): Promise<void> {
    return this.page.evaluate(() => (globalThis as unknown as PageGlobal).T.disconnect());
  }

  events(): Promise<PageEvent[]> {
    return this.page.evaluate(() => (globalThis as unknown as PageGlobal).T.events);
  }

  /** Waits for an event of `type` whose fields include `fields`; resolves with it. */
  async waitForEvent(type: string, fields: Partial<PageEvent> = {}, timeoutMs = 15_000): Promise<PageEvent> {
    try {
      const handle = await this.page.waitForFunction(
        ([t, f]) =>
          (globalThis as unknown as PageGlobal).T.events.find(
            (e) =>
              e.type === t &&
              Object.entries(f).every(([k, v]) => (e as unknown as Record<string, unknown>)[k] === v),
          ),
        [type, fields] as const,
        { timeout: timeoutMs, polling: 100 },
      );
      return (await handle.jsonValue()) as PageEvent;
    } catch (error) {
      const seen = await this.events().catch(() => []);
      throw new Error(
        `no ${type} event matching ${JSON.stringify(fields)}; events: ${JSON.stringify(seen)}`,
        {
          cause: error,
        },
      );
    }
  }
}
