/**
 * The network guard of every test browser: requests that are not to 127.0.0.1 are aborted and recorded,
 * and WebSockets opened elsewhere are recorded, so a test can assert that nothing left the machine (its
 * `offLoopback` list stays empty). One copy for the reference server's OpenTok.js harness and the client
 * SDK's browsers (`packages/client/test/e2e`), which already import this folder's harness.
 */
import type { BrowserContext, Page } from 'playwright-core';

/** Whether a URL stays on this machine: 127.0.0.1, or a `data:`, `blob:` or `about:` URL. */
export function isLoopback(url: string): boolean {
  try {
    const { protocol, hostname } = new URL(url);
    if (protocol === 'data:' || protocol === 'blob:' || protocol === 'about:') return true;
    return hostname === '127.0.0.1';
  } catch {
    return false;
  }
}

/** Records in `offLoopback` the URL of every WebSocket `page` opens off loopback. */
export function recordOffLoopbackWebSockets(page: Page, offLoopback: string[]): void {
  page.on('websocket', (ws) => {
    if (!isLoopback(ws.url())) offLoopback.push(ws.url());
  });
}

/**
 * Guards a browser context: every request off loopback is aborted (`blockedbyclient`) and its URL pushed
 * to `offLoopback`, as is the URL of every WebSocket its pages open off loopback.
 */
export async function guardLoopback(context: BrowserContext, offLoopback: string[]): Promise<void> {
  await context.route('**/*', async (route) => {
    const url = route.request().url();
    if (isLoopback(url)) return route.continue();
    offLoopback.push(url);
    return route.abort('blockedbyclient');
  });
  context.on('page', (page) => recordOffLoopbackWebSockets(page, offLoopback));
}
