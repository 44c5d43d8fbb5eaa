import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFlushingFfmpeg } from './flushing-ffmpeg.js';
import { readMp4Progress } from './fragmented-mp4.js';

const run = promisify(execFile);
let directory: string;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), "parley-flush's-"));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('writeFlushingFfmpeg', () => {
  it('inserts -flush_packets 1 before the last argument, keeping arguments with spaces and quotes', async () => {
    // `echo` stands in for ffmpeg so the arguments it receives can be read back.
    const wrapper = await writeFlushingFfmpeg(directory, '/bin/echo');
    const { stdout } = await run(wrapper, ['-i', "it's a file.sdp", '-f', 'mp4', 'out put.mp4']);
    expect(stdout).toBe("-i it's a file.sdp -f mp4 -flush_packets 1 out put.mp4\n");
    expect((await run(wrapper, [])).stdout).toBe('\n');
  });

  it('runs ffmpeg, which writes a fragmented MP4 readable to the end', async () => {
    const wrapper = await writeFlushingFfmpeg(directory);
    const output = join(directory, 'out.mp4');
    await run(wrapper, [
      ...[
        '-hide_banner',
        '-loglevel',
        'error',
        '-y',
        '-f',
        'lavfi',
        '-i',
        'testsrc=size=160x120:rate=25:duration=2',
      ],
      ...['-c:v', 'libx264', '-preset', 'ultrafast', '-g', '25', '-f', 'mp4'],
      ...['-movflags', '+frag_keyframe+empty_moov+default_base_moof', output],
    ]);
    expect((await readMp4Progress(output)).durationSeconds).toBeCloseTo(2, 1);
  }, 30_000);
});
