/**
 * The parts of OpenTok.js that test page code (functions run in the page through `page.evaluate`) uses,
 * typed for the tests' TypeScript, which has no DOM types. The page loads OpenTok.js as the global `OT`.
 */
import type { Page } from 'playwright-core';

/** An OpenTok.js subscriber, as the tests read it. */
export interface OtSubscriber {
  on(event: string, handler: (event: { reason?: string }) => void): void;
  getRtcStatsReport(): Promise<
    Map<
      string,
      {
        type: string;
        kind?: string;
        frameWidth?: number;
        framesDecoded?: number;
        packetsLost?: number;
        nackCount?: number;
      }
    >
  >;
}

/** An OpenTok.js session, as the tests use it. */
export interface OtSession {
  streams: { get(id: string): unknown };
  publish(publisher: unknown, callback: (error?: Error) => void): void;
  subscribe(
    stream: unknown,
    element: unknown,
    options: object,
    callback: (error?: Error) => void,
  ): OtSubscriber;
}

/** The page's globals the tests use: OpenTok.js and the document to put its elements in. */
export interface OtPageGlobal {
  OT: {
    sessions: { find(predicate: () => boolean): OtSession };
    initPublisher(element: unknown, options: object): { stream: { streamId: string } };
  };
  document: { createElement(tag: string): unknown; body: { appendChild(element: unknown): void } };
}

/**
 * Publishes the page's fake camera at 1280x720 into its connected session (OpenTok.js sends three
 * simulcast layers at that size when the session asks for simulcast); resolves with the stream ID.
 */
export function publishHd(page: Page): Promise<string> {
  return page.evaluate(async () => {
    const { OT, document } = globalThis as unknown as OtPageGlobal;
    const session = OT.sessions.find(() => true);
    const element = document.createElement('div');
    document.body.appendChild(element);
    const publisher = OT.initPublisher(element, {
      insertMode: 'append',
      resolution: '1280x720',
      frameRate: 15,
      width: 320,
      height: 180,
    });
    await new Promise<void>((resolve, reject) =>
      session.publish(publisher, (error) => (error ? reject(error) : resolve())),
    );
    return publisher.stream.streamId;
  });
}
