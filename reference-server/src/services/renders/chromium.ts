/**
 * The headless Chromium that renders pages: one browser per server process, launched on the first render
 * and relaunched if it dies, with a fresh context (viewport, no shared cookies) per render.
 *
 * Capture works by the page capturing its own tab (`getDisplayMedia({ preferCurrentTab: true })`) with
 * `--auto-accept-this-tab-capture`. Chromium exposes `getDisplayMedia` only to secure contexts (https,
 * and http on loopback or `localhost`), so a render of a plain-http page on another host gets a browser
 * of its own whose `--unsafely-treat-insecure-origin-as-secure` names that origin, closed with the render.
 *
 * `--use-fake-ui-for-media-stream` is deliberately absent: with it Chromium answers `getDisplayMedia` with
 * the whole screen (which a headless server does not have) instead of the tab.
 */
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import type { Browser } from 'playwright-core';
import {
  CHROMIUM_BASE_FLAGS,
  CHROMIUM_LOOPBACK_FLAGS,
  CHROMIUM_NO_BACKGROUND_THROTTLING_FLAGS,
  CHROMIUM_PATH,
} from '../../browser/chromium-flags.js';
import { RenderError } from './errors.js';

/** The flags every render browser runs with. */
export const CHROMIUM_FLAGS: readonly string[] = [
  '--headless',
  ...CHROMIUM_BASE_FLAGS,
  // The page captures its own tab without a picker.
  '--auto-accept-this-tab-capture',
  // The render's browser runs beside the server: loopback is a path to its media (and, on a host whose
  // only interface is loopback, the only one), and host candidates are announced as addresses, not as
  // mDNS names the server cannot resolve (the page has no camera permission, so Chromium would hide them).
  ...CHROMIUM_LOOPBACK_FLAGS,
  '--disable-features=WebRtcHideLocalIpsWithMdns',
  // Rendered pages play media and animate without anyone clicking.
  '--autoplay-policy=no-user-gesture-required',
  // A render is never the focused window: its timers and rendering must not be throttled.
  ...CHROMIUM_NO_BACKGROUND_THROTTLING_FLAGS,
];

/** The default browser: Debian's Chromium. */
export const DEFAULT_CHROMIUM_PATH = CHROMIUM_PATH;

/** A browser lent to one render; `release()` when the render ends. */
export interface BrowserLease {
  browser: Browser;
  release(): Promise<void>;
}

/** The logging the browser pool does; a pino logger fits. */
export interface BrowserLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

/** Options of {@link RenderBrowsers}. */
export interface RenderBrowsersOptions {
  /** The Chromium executable; null when none is configured (renders then fail to start). */
  executablePath: string | null;
  /** Extra flags, after {@link CHROMIUM_FLAGS} (tests add host-resolver rules). */
  extraFlags?: readonly string[];
  logger?: BrowserLogger;
}

const NO_LOGGER: BrowserLogger = { info: () => undefined, warn: () => undefined };

/**
 * Whether Chromium treats `url`'s origin as potentially trustworthy without help: https, and http on
 * loopback addresses or `localhost` names.
 */
export function isSecureOrigin(url: URL): boolean {
  if (url.protocol === 'https:') return true;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127\./.test(host);
}

/** See the file comment. */
export class RenderBrowsers {
  readonly #options: RenderBrowsersOptions;
  readonly #logger: BrowserLogger;
  #shared: Promise<Browser> | null = null;
  readonly #dedicated = new Set<Browser>();
  #closed = false;

  constructor(options: RenderBrowsersOptions) {
    this.#options = options;
    this.#logger = options.logger ?? NO_LOGGER;
  }

  /** The executable in use, or null. */
  get executablePath(): string | null {
    return this.#options.executablePath;
  }

  /**
   * Throws `RENDERER_UNAVAILABLE`, saying how to configure one, unless a Chromium executable is configured
   * and can be run.
   */
  async assertAvailable(): Promise<void> {
    const path = this.#options.executablePath;
    if (path === null) {
      throw new RenderError(
        'RENDERER_UNAVAILABLE',
        `This server has no browser for Experience Composer renders: install Chromium (${DEFAULT_CHROMIUM_PATH}) or start the server with --chromium <path> (PARLEY_CHROMIUM)`,
      );
    }
    try {
      await access(path, constants.X_OK);
    } catch (error) {
      throw new RenderError(
        'RENDERER_UNAVAILABLE',
        `The browser for Experience Composer renders, ${path}, cannot be run: install Chromium there or start the server with --chromium <path> (PARLEY_CHROMIUM)`,
        { cause: error },
      );
    }
  }

  /** A browser able to capture `url`'s tab. Throws `RENDERER_UNAVAILABLE` when none can be launched. */
  async acquire(url: URL): Promise<BrowserLease> {
    if (this.#closed) throw new RenderError('INTERNAL', 'The render browsers are shut down');
    await this.assertAvailable();
    if (isSecureOrigin(url)) {
      return { browser: await this.#sharedBrowser(), release: async () => undefined };
    }
    const browser = await this.#launch([`--unsafely-treat-insecure-origin-as-secure=${url.origin}`]);
    this.#dedicated.add(browser);
    return {
      browser,
      release: async () => {
        this.#dedicated.delete(browser);
        await browser.close().catch(() => undefined);
      },
    };
  }

  /** Closes every browser. */
  async close(): Promise<void> {
    this.#closed = true;
    const shared = this.#shared;
    this.#shared = null;
    const browsers = [...this.#dedicated];
    this.#dedicated.clear();
    if (shared) browsers.push(...(await shared.then((b) => [b]).catch(() => [])));
    await Promise.all(browsers.map((b) => b.close().catch(() => undefined)));
  }

  #sharedBrowser(): Promise<Browser> {
    if (!this.#shared) {
      const launching = this.#launch([]);
      this.#shared = launching;
      launching.then(
        (browser) => {
          browser.on('disconnected', () => {
            // The next render launches a new one; renders of the dead one fail on their own.
            if (this.#shared === launching) this.#shared = null;
            if (!this.#closed) this.#logger.warn({}, 'The render browser exited');
          });
        },
        () => {
          // A failed launch is retried by the next render.
          if (this.#shared === launching) this.#shared = null;
        },
      );
    }
    return this.#shared;
  }

  async #launch(flags: readonly string[]): Promise<Browser> {
    const executablePath = this.#options.executablePath ?? DEFAULT_CHROMIUM_PATH;
    let chromium: typeof import('playwright-core').chromium;
    try {
      ({ chromium } = await import('playwright-core'));
    } catch (error) {
      throw new RenderError(
        'RENDERER_UNAVAILABLE',
        'Experience Composer renders need the playwright-core package; reinstall the server with its dependencies',
        { cause: error },
      );
    }
    try {
      const browser = await chromium.launch({
        executablePath,
        headless: true,
        args: [...CHROMIUM_FLAGS, ...(this.#options.extraFlags ?? []), ...flags],
        // Playwright mutes the browsers it launches; a render keeps the audio path of a desktop Chromium.
        ignoreDefaultArgs: ['--mute-audio'],
      });
      this.#logger.info({ executablePath, version: browser.version() }, 'Render browser launched');
      return browser;
    } catch (error) {
      throw new RenderError(
        'RENDERER_UNAVAILABLE',
        `The browser for Experience Composer renders (${executablePath}) could not be started: ${(error as Error).message.split('\n')[0]}`,
        { cause: error },
      );
    }
  }
}
