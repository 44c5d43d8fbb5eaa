import { describe, expect, it } from 'vitest';
import { isSecureOrigin, RenderBrowsers } from './chromium.js';

describe('isSecureOrigin', () => {
  it.each([
    ['https://app.example.com/stage', true],
    ['http://127.0.0.1:8080/', true],
    ['http://127.1.2.3/', true],
    ['http://localhost:3000/', true],
    ['http://stage.localhost/', true],
    ['http://[::1]:8080/', true],
    ['http://app.example.com/', false],
    ['http://10.0.0.5/', false],
  ])('%s → %s', (url, secure) => {
    expect(isSecureOrigin(new URL(url))).toBe(secure);
  });
});

describe('RenderBrowsers', () => {
  it('explains how to configure a browser when none is', async () => {
    const browsers = new RenderBrowsers({ executablePath: null });
    await expect(browsers.assertAvailable()).rejects.toMatchObject({
      kind: 'RENDERER_UNAVAILABLE',
      message: expect.stringContaining('--chromium <path>'),
    });
    await expect(browsers.acquire(new URL('https://a.example.test/'))).rejects.toMatchObject({
      kind: 'RENDERER_UNAVAILABLE',
    });
  });

  it('names a configured browser that cannot be run', async () => {
    const browsers = new RenderBrowsers({ executablePath: '/nonexistent/chromium' });
    await expect(browsers.assertAvailable()).rejects.toMatchObject({
      kind: 'RENDERER_UNAVAILABLE',
      message: expect.stringContaining('/nonexistent/chromium'),
    });
  });

  it('lends nothing once closed', async () => {
    const browsers = new RenderBrowsers({ executablePath: '/usr/bin/chromium' });
    await browsers.close();
    await expect(browsers.acquire(new URL('https://a.example.test/'))).rejects.toMatchObject({
      kind: 'INTERNAL',
    });
  });
});
