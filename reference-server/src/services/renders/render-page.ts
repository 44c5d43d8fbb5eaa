/**
 * One render's page: a fresh browser context at the render's resolution, the page loaded, the client
 * injected and the tab published into the session (`page-agent.ts`). {@link RenderPage.open} resolves with
 * the stream once it is live; afterwards `ended` reports what ends the render from the page's side (the
 * connection force-disconnected, the stream force-unpublished, the page crashed or navigated away, the
 * browser exited). {@link RenderPage.close} leaves the session and closes the context.
 */
import { EventEmitter } from 'node:events';
import type { BrowserContext, Page } from 'playwright-core';
import type { Resolution } from '../../recording/layouts.js';
import { resolutionSize } from '../../recording/layouts.js';
import type { BrowserLease, RenderBrowsers } from './chromium.js';
import { CLIENT_GLOBAL, clientBundle } from './client-bundle.js';
import { RenderError } from './errors.js';
import { type AgentPublished, type AgentReport, agentDisconnect, agentPublish } from './page-agent.js';

/** How the render ended, as seen from the page. */
export interface PageEnd {
  /** `stopRequested`: a moderator removed it from the session; `failed`: it broke. */
  kind: 'stopRequested' | 'failed';
  /** For `failed`, a description of the error. */
  reason: string;
}

/** Events of a {@link RenderPage}. */
export type RenderPageEvents = {
  /** The render ended from the page's side, after it published. Emitted at most once. */
  ended: [end: PageEnd];
};

/** What {@link RenderPage.open} needs. */
export interface RenderPageOptions {
  browsers: RenderBrowsers;
  url: string;
  resolution: Resolution;
  /** The server's public origin, which the client joins through. */
  serverUrl: string;
  /** The project ID the client joins with (it must match the token's format). */
  projectId: string;
  sessionId: string;
  token: string;
  name: string;
  /** How long the page may take to load, ms. */
  loadTimeoutMs: number;
  /** Receives the page's console errors and warnings (operators debug failing pages with them). */
  onConsole?: (level: string, text: string) => void;
}

/** Thrown by {@link RenderPage.open}; `message` is the render's `failed` reason. */
export class RenderPageError extends Error {
  override readonly name = 'RenderPageError';
}

const REPORT_BINDING = '__parleyRenderReport';

/** See the file comment. */
export class RenderPage extends EventEmitter<RenderPageEvents> {
  readonly #lease: BrowserLease;
  readonly #context: BrowserContext;
  readonly #page: Page;
  #published: AgentPublished | null = null;
  /** Listens on the shared browser, so it is removed when the page closes. */
  readonly #onBrowserExit = (): void => this.#end('failed', 'The render browser exited');
  #closing: Promise<void> | null = null;
  #ended = false;

  private constructor(lease: BrowserLease, context: BrowserContext, page: Page) {
    super();
    this.#lease = lease;
    this.#context = context;
    this.#page = page;
  }

  /** The stream and connection, once published. */
  get published(): AgentPublished | null {
    return this.#published;
  }

  /**
   * Opens the page and publishes it. `onCreated` receives the page as soon as it exists, so the caller
   * can close it while it is still starting (the pending `open` then rejects). Rejects with a
   * {@link RenderPageError} whose message is the reason to report, or with the browsers' `RenderError`.
   */
  static async open(options: RenderPageOptions, onCreated: (page: RenderPage) => void): Promise<RenderPage> {
    const url = new URL(options.url);
    const lease = await options.browsers.acquire(url);
    const { width, height } = resolutionSize(options.resolution);
    let context: BrowserContext;
    try {
      // The client's requests must reach Parley whatever the page's Content-Security-Policy says.
      context = await lease.browser.newContext({ viewport: { width, height }, bypassCSP: true });
    } catch (error) {
      await lease.release();
      throw new RenderPageError(`The browser could not open a page: ${firstLine(error)}`, { cause: error });
    }
    let render: RenderPage | undefined;
    try {
      await context.exposeBinding(REPORT_BINDING, (_source, report: AgentReport) => {
        if (render) render.#onReport(report);
      });
      const page = await context.newPage();
      render = new RenderPage(lease, context, page);
      onCreated(render);
      await render.#start(options, url, width, height);
      return render;
    } catch (error) {
      if (render) await render.close();
      else {
        await context.close().catch(() => undefined);
        await lease.release();
      }
      if (error instanceof RenderPageError || error instanceof RenderError) throw error;
      throw new RenderPageError(`The page could not be published: ${firstLine(error)}`, { cause: error });
    }
  }

  /** Leaves the session and closes the page. Idempotent. */
  close(): Promise<void> {
    this.#ended = true;
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #start(options: RenderPageOptions, url: URL, width: number, height: number): Promise<void> {
    const page = this.#page;
    page.on('console', (message) => {
      const level = message.type();
      if (level === 'error' || level === 'warning') options.onConsole?.(level, message.text());
    });
    page.on('crash', () => this.#end('failed', 'The rendered page crashed'));
    page.on('close', () => this.#end('failed', 'The rendered page was closed by the browser'));
    this.#context.browser()?.on('disconnected', this.#onBrowserExit);
    let response: Awaited<ReturnType<Page['goto']>>;
    try {
      response = await page.goto(url.href, { waitUntil: 'load', timeout: options.loadTimeoutMs });
    } catch (error) {
      if (this.#closing) throw new RenderPageError('The render was closed while its page was loading');
      const timedOut = (error as Error).name === 'TimeoutError';
      throw new RenderPageError(
        timedOut
          ? `The page ${url.href} did not load within ${Math.round(options.loadTimeoutMs / 1000)} seconds`
          : `The page ${url.href} could not be loaded: ${loadErrorText(error)}`,
        { cause: error },
      );
    }
    if (response && response.status() >= 400) {
      throw new RenderPageError(`The page ${url.href} answered HTTP ${response.status()}`);
    }
    await page.addScriptTag({ content: await clientBundle() });
    const published = await page
      .evaluate(agentPublish, {
        clientGlobal: CLIENT_GLOBAL,
        reportBinding: REPORT_BINDING,
        serverUrl: options.serverUrl,
        projectId: options.projectId,
        sessionId: options.sessionId,
        token: options.token,
        name: options.name,
        width,
        height,
      })
      .catch((error: unknown) => {
        if (this.#closing) throw new RenderPageError('The render was closed while it was publishing');
        throw new RenderPageError(`The page could not be published into the session: ${firstLine(error)}`, {
          cause: error,
        });
      });
    this.#published = published;
    // The agent lives in this document: a new document ends it (and the client's connection with it).
    // History API changes keep the document, and fire no `domcontentloaded`.
    page.on('domcontentloaded', () => {
      this.#end('failed', `The rendered page navigated away to ${page.url()}`);
    });
  }

  /** What the agent reports; reports caused by {@link close} arrive after `#ended` is set and are ignored. */
  #onReport(report: AgentReport): void {
    if (report.type === 'mediaStopped') {
      this.#end('failed', 'The capture of the rendered page stopped');
    } else if (report.reason === 'forceDisconnected' || report.reason === 'forceUnpublished') {
      this.#end('stopRequested', report.reason);
    } else if (report.type === 'streamDestroyed' && report.reason === 'sessionDisconnected') {
      // The session's own report follows, with the real reason.
    } else if (report.type === 'streamDestroyed') {
      this.#end('failed', `The render's stream ended (${report.reason})`);
    } else {
      this.#end('failed', `The render lost its connection to the session (${report.reason})`);
    }
  }

  /** Reports the end once, and only for a render that published and is not being closed. */
  #end(kind: PageEnd['kind'], reason: string): void {
    if (this.#ended || !this.#published) return;
    this.#ended = true;
    this.emit('ended', { kind, reason });
  }

  async #close(): Promise<void> {
    // Leaving first ends the stream at once for everyone; closing the page alone would leave the server
    // waiting for the WebSocket to time out.
    if (this.#published && !this.#page.isClosed()) {
      await Promise.race([
        this.#page.evaluate(agentDisconnect).catch(() => undefined),
        new Promise((resolve) => setTimeout(resolve, 2000).unref()),
      ]);
    }
    this.#context.browser()?.off('disconnected', this.#onBrowserExit);
    await this.#context.close().catch(() => undefined);
    await this.#lease.release();
  }
}

/** The first line of an error's message (Playwright appends call logs). */
function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return (message.split('\n')[0] ?? message).replace(/^page\.\w+: /, '');
}

/** The network error of a failed navigation (`net::ERR_NAME_NOT_RESOLVED`), else its first line. */
function loadErrorText(error: unknown): string {
  const line = firstLine(error);
  return /net::ERR_[A-Z_]+/.exec(line)?.[0] ?? line;
}
