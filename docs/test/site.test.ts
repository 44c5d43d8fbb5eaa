/**
 * The built site in headless Chromium: every guide page, the API reference and the SDK reference load
 * without console errors or failed requests, every internal link resolves, the API reference lists every
 * operation and webhook of the spec, and search finds things. Screenshots of the home page and of the API
 * reference are written to `docs/test-results/` as artifacts of the run.
 *
 * One build, one static server and one browser serve every check, so the cost is paid once.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_BASE_FLAGS, CHROMIUM_PATH } from '../../reference-server/src/browser/chromium-flags.js';
import { DOCS_ROOT } from '../src/build/paths.js';
import { type BuildResult, buildSite } from '../src/build/site.js';
import { type StaticServer, startStaticServer } from '../src/serve/static-server.js';

const CHROMIUM = process.env.PARLEY_CHROMIUM ?? CHROMIUM_PATH;
const ARTIFACTS = join(DOCS_ROOT, 'test-results');

let workDir: string;
let siteDir: string;
let build: BuildResult;
let server: StaticServer;
let context: BrowserContext;

/** What went wrong while a page loaded. */
interface PageProblems {
  consoleErrors: string[];
  failedRequests: string[];
}

/** Opens `path` in a fresh tab and reports its console errors and failed requests. */
async function open(
  path: string,
  waitUntil: 'load' | 'networkidle' = 'load',
): Promise<{ page: Page; problems: PageProblems }> {
  const page = await context.newPage();
  const problems: PageProblems = { consoleErrors: [], failedRequests: [] };
  page.on('console', (message) => {
    if (message.type() === 'error') problems.consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => problems.consoleErrors.push(`uncaught: ${error.message}`));
  page.on('requestfailed', (request) => {
    problems.failedRequests.push(`${request.url()} (${request.failure()?.errorText ?? 'failed'})`);
  });
  page.on('response', (response) => {
    if (response.status() >= 400)
      problems.failedRequests.push(`${response.url()} (HTTP ${response.status()})`);
  });
  await page.goto(`${server.url}/${path}`, { waitUntil });
  return { page, problems };
}

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'parley-docs-test-'));
  siteDir = join(workDir, 'site');
  build = await buildSite({ outDir: siteDir });
  server = await startStaticServer({ root: siteDir, port: 0 });
  context = await chromium.launchPersistentContext(join(workDir, 'profile'), {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: [...CHROMIUM_BASE_FLAGS],
  });
  mkdirSync(ARTIFACTS, { recursive: true });
});

afterAll(async () => {
  await context?.close();
  await server?.close();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

describe('the documentation site', () => {
  it('loads every guide page without console errors or failed requests', async () => {
    expect(build.pages.length).toBeGreaterThanOrEqual(13);
    const failures: string[] = [];
    for (const path of build.pages) {
      const { page, problems } = await open(path);
      const title = await page.locator('main h1').textContent();
      if (!title) failures.push(`${path}: no <h1>`);
      for (const error of problems.consoleErrors) failures.push(`${path}: console error: ${error}`);
      for (const request of problems.failedRequests) failures.push(`${path}: request failed: ${request}`);
      await page.close();
    }
    expect(failures).toEqual([]);
  });

  it('resolves every internal link of the guides', async () => {
    const targets = new Map<string, string>();
    for (const path of build.pages) {
      const { page } = await open(path);
      const hrefs = await page.$$eval('a[href]', (links) =>
        links.map((link) => (link as HTMLAnchorElement).href),
      );
      await page.close();
      for (const href of hrefs) {
        const url = new URL(href);
        if (url.origin !== server.url) continue;
        url.hash = '';
        if (!targets.has(url.href)) targets.set(url.href, path);
      }
    }
    expect(targets.size).toBeGreaterThan(build.pages.length);
    const broken: string[] = [];
    for (const [url, from] of targets) {
      const response = await fetch(url);
      await response.arrayBuffer();
      if (response.status !== 200) broken.push(`${from} → ${url}: HTTP ${response.status}`);
    }
    expect(broken).toEqual([]);
  });

  it('lists every operation and webhook of the spec in the API reference', async () => {
    const { page, problems } = await open('api/index.html', 'networkidle');
    // Redoc renders one tag at a time; visit each tag's route and collect the section ids it renders.
    const tags = await page.$$eval('[data-section-id]', (elements) =>
      elements.map((element) => element.getAttribute('data-section-id') ?? ''),
    );
    const tagRoutes = [...new Set(tags.filter((id) => /^\/[a-z0-9-]+$/.test(id)))];
    expect(tagRoutes.length).toBeGreaterThan(10);
    const sections = new Set<string>();
    for (const route of tagRoutes) {
      // Redoc routes in the page (hash changes), so no reload is needed between tags.
      await page.evaluate((hash) => {
        window.location.hash = hash;
      }, route);
      await page.waitForSelector(`[data-section-id^="${route}/"]`, { timeout: 10_000 });
      for (const id of await page.$$eval('[data-section-id]', (elements) =>
        elements.map((element) => element.getAttribute('data-section-id') ?? ''),
      )) {
        sections.add(id);
      }
    }
    const missing = build.operations
      .filter(
        (operation) => ![...sections].some((id) => id.endsWith(`/${operation.operationId.toLowerCase()}`)),
      )
      .map((operation) => operation.operationId);
    expect(missing).toEqual([]);
    expect(problems.consoleErrors).toEqual([]);
    expect(problems.failedRequests).toEqual([]);

    await page.goto(`${server.url}/api/index.html`, { waitUntil: 'networkidle' });
    await page.screenshot({ path: join(ARTIFACTS, 'api-reference.png') });
    await page.close();
  });

  it('loads the SDK reference and documents the client and its resources', async () => {
    const { page, problems } = await open('sdk/index.html', 'networkidle');
    const text = (await page.textContent('body')) ?? '';
    expect(text).toContain('Parley');
    expect(text).toContain('WebhookReceiver');
    expect(problems.consoleErrors).toEqual([]);
    expect(problems.failedRequests).toEqual([]);
    await page.close();
  });

  it('finds sections and operations with the search box', async () => {
    const { page, problems } = await open('index.html');
    await page.screenshot({ path: join(ARTIFACTS, 'home.png'), fullPage: true });
    await page.fill('#search-input', 'archive');
    const results = page.locator('#search-results li a');
    await results.first().waitFor({ timeout: 10_000 });
    const hrefs = await results.evaluateAll((links) => links.map((link) => link.getAttribute('href') ?? ''));
    expect(hrefs.length).toBeGreaterThan(3);
    expect(hrefs.some((href) => href.startsWith('recording-and-broadcasting.html'))).toBe(true);
    expect(hrefs.some((href) => href.startsWith('api/index.html#/archives/'))).toBe(true);

    await page.fill('#search-input', 'zzzxqj');
    await expect.poll(() => page.locator('#search-results .search-empty').count()).toBe(1);

    await page.fill('#search-input', 'webhook signature');
    await results.first().click();
    await page.waitForURL(/webhooks\.html/);
    expect(problems.consoleErrors).toEqual([]);
    await page.close();
  });
});
