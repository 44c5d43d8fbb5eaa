/**
 * Which caption languages this server can transcribe, and whether the speech recogniser is installed.
 *
 * Live captions run PocketSphinx offline (see `recognizer.py`). A language is offered only when its
 * acoustic model, language model and dictionary are installed; today that is US English, from Debian's
 * `pocketsphinx-en-us` package. The recogniser itself is the `python3-pocketsphinx` package run by the
 * system Python. {@link probeRecognizer} checks both, so `startCaptions` can refuse with a message that
 * names the missing package instead of failing later inside a stream.
 */
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { spawnChild } from '../../process/child-processes.js';

/** The model files of one language, relative to the models directory. */
export interface LanguageModel {
  /** The Vonage `languageCode` it serves. */
  languageCode: string;
  /** The acoustic model directory (`-hmm`). */
  acousticModel: string;
  /** The n-gram language model (`-lm`). */
  languageModel: string;
  /** The pronunciation dictionary (`-dict`). */
  dictionary: string;
  /** The Debian package that installs these files. */
  debianPackage: string;
}

/** The languages PocketSphinx has packaged models for, with paths relative to the models directory. */
export const KNOWN_LANGUAGE_MODELS: readonly LanguageModel[] = [
  {
    languageCode: 'en-US',
    acousticModel: 'en-us/en-us',
    languageModel: 'en-us/en-us.lm.bin',
    dictionary: 'en-us/cmudict-en-us.dict',
    debianPackage: 'pocketsphinx-en-us',
  },
];

/** Where Debian installs PocketSphinx models. */
export const DEFAULT_MODELS_DIRECTORY = '/usr/share/pocketsphinx/model';

/** The Debian package of the recogniser's Python bindings. */
export const RECOGNIZER_PACKAGE = 'python3-pocketsphinx';

/**
 * The Python that runs the recogniser: `PARLEY_CAPTIONS_PYTHON`, else the system `/usr/bin/python3`
 * (Debian's `python3-pocketsphinx` installs for it, and a `python3` earlier on PATH — pyenv, a venv —
 * usually cannot import it).
 */
export function defaultPythonPath(): string {
  return process.env.PARLEY_CAPTIONS_PYTHON ?? '/usr/bin/python3';
}

/** The models directory: `PARLEY_POCKETSPHINX_MODELS`, else {@link DEFAULT_MODELS_DIRECTORY}. */
export function defaultModelsDirectory(): string {
  return process.env.PARLEY_POCKETSPHINX_MODELS ?? DEFAULT_MODELS_DIRECTORY;
}

/** The recogniser as found on this machine. */
export type RecognizerProbe =
  | { available: true; python: string; languages: ReadonlyMap<string, LanguageModel> }
  | { available: false; reason: string };

/** Where {@link probeRecognizer} looks. */
export interface ProbeOptions {
  pythonPath: string;
  modelsDirectory: string;
}

/**
 * Checks that the Python bindings import and which language models are installed. The model paths
 * in the result are absolute. Never throws: a missing piece is reported in `reason`.
 */
export async function probeRecognizer(options: ProbeOptions): Promise<RecognizerProbe> {
  const bindings = await importsPocketsphinx(options.pythonPath);
  if (bindings !== null) {
    return {
      available: false,
      reason: `Live captions need the ${RECOGNIZER_PACKAGE} package (PocketSphinx for ${options.pythonPath}): ${bindings}. Install it with \`apt-get install ${RECOGNIZER_PACKAGE} pocketsphinx-en-us\``,
    };
  }
  const languages = new Map<string, LanguageModel>();
  for (const model of KNOWN_LANGUAGE_MODELS) {
    const absolute: LanguageModel = {
      ...model,
      acousticModel: join(options.modelsDirectory, model.acousticModel),
      languageModel: join(options.modelsDirectory, model.languageModel),
      dictionary: join(options.modelsDirectory, model.dictionary),
    };
    if (await allExist([absolute.acousticModel, absolute.languageModel, absolute.dictionary])) {
      languages.set(model.languageCode, absolute);
    }
  }
  if (languages.size === 0) {
    const packages = KNOWN_LANGUAGE_MODELS.map((model) => model.debianPackage).join(' or ');
    return {
      available: false,
      reason: `Live captions need a speech model: none is installed in ${options.modelsDirectory}. Install ${packages} (\`apt-get install pocketsphinx-en-us\`)`,
    };
  }
  return { available: true, python: options.pythonPath, languages };
}

async function allExist(paths: readonly string[]): Promise<boolean> {
  try {
    await Promise.all(paths.map((path) => access(path)));
    return true;
  } catch {
    return false;
  }
}

/** Null when `python -c "import pocketsphinx"` succeeds, else why it did not. */
function importsPocketsphinx(python: string): Promise<string | null> {
  return new Promise((resolve) => {
    const child = spawnChild(python, ['-c', 'import pocketsphinx'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (text: string) => {
      stderr += text;
    });
    child.once('error', (error) => resolve(`${python} could not be run (${error.message})`));
    child.once('close', (code) => {
      if (code === 0) resolve(null);
      else {
        const lastLine = stderr.trim().split('\n').at(-1) ?? `exit code ${code}`;
        resolve(`${python} cannot import pocketsphinx (${lastLine})`);
      }
    });
  });
}
