/**
 * Headless Chromium whose fake microphone speaks: a phrase synthesised with espeak-ng (as the reference
 * server's captions tests do), converted by ffmpeg to a WAV file with silence around it, and played in a
 * loop as the microphone (`--use-file-for-fake-audio-capture`). The network is guarded by the reference
 * server's browser harness (`loopback-guard.ts`): every request that is not to 127.0.0.1 is aborted and
 * recorded, and DNS resolves nothing else.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';
import {
  CHROMIUM_BASE_FLAGS,
  CHROMIUM_FAKE_MEDIA_FLAGS,
  CHROMIUM_LOOPBACK_FLAGS,
  CHROMIUM_LOOPBACK_ONLY_RESOLVER,
  CHROMIUM_NO_BACKGROUND_THROTTLING_FLAGS,
  CHROMIUM_PATH,
} from '../../../../../reference-server/src/browser/chromium-flags.js';
import { guardLoopback } from '../../../../../reference-server/test/browser/loopback-guard.js';

/** A browser speaking through its fake microphone. */
export interface SpeechBrowser {
  context: BrowserContext;
  /** URLs of requests that tried to leave 127.0.0.1 (aborted). */
  offLoopback: string[];
  close(): Promise<void>;
}

/**
 * Writes `text` spoken by espeak-ng to `{directory}/speech.wav`: 48 kHz mono 16-bit PCM, with half a
 * second of silence before and 1.5 s after (the recogniser's voice detection needs both to end an
 * utterance, so that each loop yields a final caption).
 */
export function writeSpeechWav(directory: string, text: string): string {
  const raw = join(directory, 'espeak.wav');
  const wav = join(directory, 'speech.wav');
  execFileSync('espeak-ng', ['-v', 'en-us', '-s', '130', '-w', raw, text]);
  execFileSync('ffmpeg', [
    '-loglevel',
    'error',
    '-y',
    '-i',
    raw,
    '-af',
    'adelay=500,apad=pad_dur=1.5',
    '-ar',
    '48000',
    '-ac',
    '1',
    '-c:a',
    'pcm_s16le',
    wav,
  ]);
  return wav;
}

/** Launches Chromium with `text` as its microphone. Close it in `afterAll`/`finally`. */
export async function launchSpeechBrowser(text: string): Promise<SpeechBrowser> {
  const directory = await mkdtemp(join(tmpdir(), 'parley-speech-browser-'));
  const offLoopback: string[] = [];
  let context: BrowserContext;
  try {
    const wav = writeSpeechWav(directory, text);
    context = await chromium.launchPersistentContext(join(directory, 'profile'), {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: [
        ...CHROMIUM_BASE_FLAGS,
        ...CHROMIUM_FAKE_MEDIA_FLAGS,
        // Played in a loop (no `%noloop` suffix), so the speaker keeps talking until the test ends.
        `--use-file-for-fake-audio-capture=${wav}`,
        ...CHROMIUM_LOOPBACK_FLAGS,
        CHROMIUM_LOOPBACK_ONLY_RESOLVER,
        // Two participant pages share the browser; background pages must keep their timers.
        ...CHROMIUM_NO_BACKGROUND_THROTTLING_FLAGS,
      ],
    });
  } catch (error) {
    await rm(directory, { recursive: true, force: true });
    throw error;
  }
  await guardLoopback(context, offLoopback);
  return {
    context,
    offLoopback,
    async close() {
      await context.close().catch(() => {});
      await rm(directory, { recursive: true, force: true });
    },
  };
}
