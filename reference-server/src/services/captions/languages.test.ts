/** The recogniser probe names the missing package, and offers only languages whose model is installed. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  defaultModelsDirectory,
  defaultPythonPath,
  probeRecognizer,
  RECOGNIZER_PACKAGE,
} from './languages.js';

const bindings = await probeRecognizer({
  pythonPath: defaultPythonPath(),
  modelsDirectory: defaultModelsDirectory(),
});

describe('probeRecognizer', () => {
  it('names python3-pocketsphinx when the Python cannot run or import it', async () => {
    const probe = await probeRecognizer({
      pythonPath: '/nonexistent/python3',
      modelsDirectory: defaultModelsDirectory(),
    });
    expect(probe).toEqual({ available: false, reason: expect.stringContaining(RECOGNIZER_PACKAGE) });
  });

  it.skipIf(!bindings.available)('names pocketsphinx-en-us when no model is installed', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'parley-models-'));
    try {
      const probe = await probeRecognizer({ pythonPath: defaultPythonPath(), modelsDirectory: empty });
      expect(probe).toEqual({ available: false, reason: expect.stringContaining('pocketsphinx-en-us') });
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it.skipIf(!bindings.available)('offers en-US with absolute model paths when it is installed', () => {
    if (!bindings.available) return;
    expect([...bindings.languages.keys()]).toEqual(['en-US']);
    expect(bindings.languages.get('en-US')?.acousticModel).toBe(
      join(defaultModelsDirectory(), 'en-us/en-us'),
    );
  });
});
