/**
 * The recogniser on real synthetic speech (espeak-ng): partial hypotheses while the words are spoken,
 * then a final result that contains them; no partials when they are off; a clear failure when the
 * recogniser cannot run. Skipped, with the reason, where espeak-ng or PocketSphinx is missing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../recording/testing/media-checks.js';
import {
  defaultModelsDirectory,
  defaultPythonPath,
  KNOWN_LANGUAGE_MODELS,
  type LanguageModel,
  probeRecognizer,
} from './languages.js';
import { type RecognitionResult, SpeechRecognizer } from './recognizer.js';
import { PHRASE_WORDS, speechPcm, speechTestsUnavailable } from './testing/speech.js';

const unavailable = await speechTestsUnavailable();
const probe = await probeRecognizer({
  pythonPath: defaultPythonPath(),
  modelsDirectory: defaultModelsDirectory(),
});
const model: LanguageModel | undefined = probe.available ? probe.languages.get('en-US') : undefined;

const running: SpeechRecognizer[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((recognizer) => recognizer.close()));
});

/** Feeds the speech in 100 ms chunks and returns what the recogniser reported once it has exited. */
async function recognise(partials: boolean): Promise<RecognitionResult[]> {
  const results: RecognitionResult[] = [];
  const recognizer = new SpeechRecognizer({
    python: defaultPythonPath(),
    model: model as LanguageModel,
    partials,
    onResult: (result) => results.push(result),
  });
  running.push(recognizer);
  const samples = speechPcm();
  for (let offset = 0; offset < samples.length; offset += 1600)
    recognizer.push(samples.subarray(offset, offset + 1600));
  await waitFor(() => results.some((result) => result.isFinal), 20_000, 'a final result');
  await recognizer.close();
  return results;
}

describe.skipIf(unavailable !== null)(
  `SpeechRecognizer${unavailable ? ` (skipped: ${unavailable})` : ''}`,
  () => {
    it('reports partial hypotheses, then a final result containing the spoken words', async () => {
      const results = await recognise(true);
      const finals = results.filter((result) => result.isFinal);
      expect(results.some((result) => !result.isFinal)).toBe(true);
      // Partials come before the final of their utterance.
      expect(results.findIndex((result) => result.isFinal)).toBeGreaterThan(0);
      expect(finals.map((result) => result.text).join(' ')).toMatch(
        new RegExp(`\\b(${PHRASE_WORDS.join('|')})\\b`),
      );
    }, 30_000);

    it('reports only final results when partials are off', async () => {
      const results = await recognise(false);
      expect(results.length).toBeGreaterThan(0);
      expect(results.every((result) => result.isFinal)).toBe(true);
    }, 30_000);
  },
);

describe('SpeechRecognizer failures', () => {
  it('reports a recogniser that cannot be started', async () => {
    const failures: string[] = [];
    const recognizer = new SpeechRecognizer({
      python: '/nonexistent/python3',
      model: KNOWN_LANGUAGE_MODELS[0] as LanguageModel,
      partials: true,
      onResult: () => undefined,
      onFailure: (reason) => failures.push(reason),
    });
    running.push(recognizer);
    await waitFor(() => failures.length > 0, 5000, 'the failure');
    expect(failures).toEqual([expect.stringMatching(/recogniser could not be started: .*ENOENT/)]);
  });
});
