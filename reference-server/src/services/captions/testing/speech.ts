/**
 * Test support (not a test file): real speech for the captions tests. Words are synthesised with
 * espeak-ng and encoded by ffmpeg, as 16 kHz PCM (for the recogniser alone) or as Opus packets that an
 * in-process client publishes into a session through the SFU, with the `caption1` channel on as
 * OpenTok.js's `publishCaptions: true` does.
 *
 * The phrase is one PocketSphinx's US English model recognises reliably from espeak-ng's voice
 * (checked by hand: "three three three yes yes yes" comes back word for word); longer or rarer words
 * come back garbled, which says more about the synthetic voice than about the pipeline.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { readOggOpus } from '../../../sfu/werift/testing/media-files.js';
import type { ProjectRecord } from '../../../store/types.js';
import { SessionClient } from '../../audio-connector/session-client.js';
import { defaultModelsDirectory, defaultPythonPath, probeRecognizer } from '../languages.js';

/** The spoken phrase. */
export const PHRASE = 'three three three. yes yes yes.';

/** Words of {@link PHRASE}; a final caption must contain at least one. */
export const PHRASE_WORDS = ['three', 'yes'] as const;

/** Why the captions media tests cannot run here, or null when espeak-ng, ffmpeg and the recogniser are present. */
export async function speechTestsUnavailable(): Promise<string | null> {
  if (spawnSync('espeak-ng', ['--version']).status !== 0)
    return 'espeak-ng is not installed (apt-get install espeak-ng)';
  if (spawnSync('ffmpeg', ['-version']).status !== 0) return 'ffmpeg is not installed';
  const probe = await probeRecognizer({
    pythonPath: defaultPythonPath(),
    modelsDirectory: defaultModelsDirectory(),
  });
  return probe.available ? null : probe.reason;
}

/** Synthesises `text`, converts it with ffmpeg's output `args` and reads the output file with `read`. */
function synthesise<T>(
  text: string,
  outputName: string,
  args: readonly string[],
  read: (path: string) => T,
): T {
  const directory = mkdtempSync(join(tmpdir(), 'parley-speech-'));
  try {
    const wav = join(directory, 'speech.wav');
    execFileSync('espeak-ng', ['-v', 'en-us', '-s', '130', '-w', wav, text]);
    const output = join(directory, outputName);
    // Half a second of silence before and 1.5 s after: the recogniser's voice detection needs both.
    execFileSync('ffmpeg', [
      '-loglevel',
      'error',
      '-y',
      '-i',
      wav,
      '-af',
      'adelay=500,apad=pad_dur=1.5',
      ...args,
      output,
    ]);
    return read(output);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

/** `text` as 16 kHz mono PCM samples. */
export function speechPcm(text: string = PHRASE): Int16Array {
  const bytes = synthesise(text, 'speech.raw', ['-ar', '16000', '-ac', '1', '-f', 's16le'], (path) =>
    readFileSync(path),
  );
  const samples = new Int16Array(bytes.length >> 1);
  for (let i = 0; i < samples.length; i++) samples[i] = bytes.readInt16LE(i * 2);
  return samples;
}

/** `text` as 20 ms Opus packets at 48 kHz. */
export function speechOpus(text: string = PHRASE): Buffer[] {
  const args = ['-ar', '48000', '-ac', '1', '-c:a', 'libopus', '-b:a', '32k', '-frame_duration', '20'];
  return synthesise(text, 'speech.ogg', [...args, '-application', 'voip'], (path) =>
    readOggOpus(path).map((frame) => frame.data),
  );
}

/** A client publishing speech, in a loop, into a session. */
export interface SpeechStream {
  client: SessionClient;
  streamId: string;
  close(): Promise<void>;
}

/**
 * Joins `sessionId` as an in-process publisher and sends `packets` (20 ms each) over and over, paced in
 * real time, on an audio stream whose `caption1` channel is on.
 */
export async function publishSpeech(
  app: FastifyInstance,
  project: ProjectRecord,
  sessionId: string,
  streamId: string,
  packets: readonly Buffer[],
): Promise<SpeechStream> {
  const session = app.realtime.registry.open({
    sessionId,
    project: { applicationId: project.applicationId, apiKey: project.apiKey },
    mediaMode: 'routed',
    e2ee: false,
  });
  const client = SessionClient.join({
    registry: app.realtime.registry,
    session,
    connectionId: `speaker-${streamId}`,
    token: {
      format: 't1',
      applicationId: project.applicationId,
      apiKey: project.apiKey,
      sessionId,
      role: 'publisher',
      connectionData: '',
      initialLayoutClassList: [],
      issuedAt: null,
      expiresAt: Date.now() / 1000 + 3600,
      nonce: null,
    },
    userAgent: 'captions test speaker',
    now: Date.now,
    onEnded: () => undefined,
  });
  const publisher = await client.publishAudio(streamId, 'speaker');
  // What OpenTok.js sends for `publishCaptions: true`: the stream's caption channel, turned on.
  const stream = session.stream(streamId);
  if (!stream) throw new Error(`stream ${streamId} is not in the session`);
  stream.channels.set('caption1', { id: 'caption1', type: 'data', active: false, attributes: {} });
  session.updateChannel(stream, 'caption1', { active: true });
  const started = performance.now();
  let sent = 0;
  const timer = setInterval(() => {
    const due = Math.floor((performance.now() - started) / 20);
    for (; sent < due; sent++) publisher.sendOpus(packets[sent % packets.length] as Buffer);
  }, 20);
  return {
    client,
    streamId,
    async close() {
      clearInterval(timer);
      await client.leave();
    },
  };
}
