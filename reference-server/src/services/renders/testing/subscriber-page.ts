/**
 * Test support (not a test file): a second participant in its own headless Chromium, with `@parley/client`
 * injected into a blank page, that subscribes to a render's stream and reports what it receives: the
 * stream's name, the colour of a video pixel far from the stage's moving square, and the audio level.
 */
import { type Browser, chromium } from 'playwright-core';
import {
  CHROMIUM_BASE_FLAGS,
  CHROMIUM_LOOPBACK_FLAGS,
  CHROMIUM_LOOPBACK_ONLY_RESOLVER,
} from '../../../browser/chromium-flags.js';
import { CLIENT_GLOBAL, clientBundle } from '../client-bundle.js';

/** What the subscriber saw. */
export interface Received {
  name: string;
  width: number;
  height: number;
  /** RGBA of the pixel at (10, 10). */
  pixel: number[];
  /** The highest RMS level of the received audio over 1.5 s (0 for silence, about 0.7 for a full-scale tone). */
  audioLevel: number;
}

// biome-ignore lint/suspicious/noExplicitAny: the page's globals (the injected client, DOM) have no types here.
type PageGlobals = any;

/** A browser for subscriber pages. Close it in `afterAll`. */
export async function launchSubscriberBrowser(executablePath: string): Promise<Browser> {
  return chromium.launch({
    executablePath,
    headless: true,
    args: [
      ...CHROMIUM_BASE_FLAGS,
      '--use-fake-ui-for-media-stream',
      ...CHROMIUM_LOOPBACK_FLAGS,
      '--autoplay-policy=no-user-gesture-required',
      CHROMIUM_LOOPBACK_ONLY_RESOLVER,
    ],
  });
}

/** Joins with `token`, subscribes to `streamId` and samples its media. */
export async function receiveStream(
  browser: Browser,
  options: {
    pageUrl: string;
    serverUrl: string;
    apiKey: string;
    sessionId: string;
    token: string;
    streamId: string;
  },
): Promise<Received> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(options.pageUrl);
    await page.addScriptTag({ content: await clientBundle() });
    return await page.evaluate(
      async ({ clientGlobal, serverUrl, apiKey, sessionId, token, streamId }) => {
        const w = globalThis as PageGlobals;
        const session = w[clientGlobal].initSession(apiKey, sessionId, { url: serverUrl, logLevel: 'warn' });
        const created = new Promise<PageGlobals>((resolve) => {
          session.on('streamCreated', (event: PageGlobals) => {
            if (event.stream.streamId === streamId) resolve(event.stream);
          });
        });
        await session.connect(token);
        const stream = await created;
        const subscriber = await session.subscribe(stream);
        const video = w.document.createElement('video');
        video.muted = true;
        video.srcObject = subscriber.mediaStream;
        w.document.body.appendChild(video);
        await video.play();
        await new Promise<void>((resolve) => {
          video.requestVideoFrameCallback(() => resolve());
        });
        // Listen to the audio while the encoder settles past its first, blurry frames.
        const audio = new w.AudioContext();
        const analyser = audio.createAnalyser();
        audio.createMediaStreamSource(subscriber.mediaStream).connect(analyser);
        let audioLevel = 0;
        const samples = new Float32Array(analyser.fftSize);
        for (let i = 0; i < 15; i++) {
          await new Promise((resolve) => setTimeout(resolve, 100));
          analyser.getFloatTimeDomainData(samples);
          let sum = 0;
          for (const sample of samples) sum += sample * sample;
          audioLevel = Math.max(audioLevel, Math.sqrt(sum / samples.length));
        }
        await audio.close();
        const canvas = w.document.createElement('canvas');
        canvas.width = video.videoWidth;
        canvas.height = video.videoHeight;
        const g = canvas.getContext('2d');
        g.drawImage(video, 0, 0);
        const pixel = [...g.getImageData(10, 10, 1, 1).data] as number[];
        const result = {
          name: String(stream.name),
          width: video.videoWidth as number,
          height: video.videoHeight as number,
          pixel,
          audioLevel,
        };
        session.disconnect();
        return result;
      },
      { clientGlobal: CLIENT_GLOBAL, ...options },
    );
  } finally {
    await context.close();
  }
}
