/**
 * A parent process for the tests of child lifetimes: it starts one child, prints `{"pid": …}` on
 * stdout, and stays up until the test kills it (`kill -9`) to see whether the child outlives it.
 * Run with `node --import tsx orphaning-parent.ts <mode>`; never imported.
 *
 * Modes: `helper` (`sleep 600` through `spawnChild`), `direct` (`sleep 600` through plain `spawn()`:
 * the control, which must survive), `ffmpeg` (an `FfmpegProcess` encoding a silent source in real
 * time, as a composer does), `sfu-worker` (an SFU worker process of the worker pool).
 */
import { spawn } from 'node:child_process';
import { FfmpegProcess } from '../../recording/compositor/ffmpeg-process.js';
import { resolveSfuEngineOptions } from '../../sfu/options.js';
import { WorkerProcess } from '../../sfu/workers/worker-process.js';
import { spawnChild } from '../child-processes.js';

async function startChild(mode: string | undefined): Promise<number | undefined> {
  switch (mode) {
    case 'helper':
      return spawnChild('sleep', ['600'], { stdio: 'ignore' }).pid;
    case 'direct':
      return spawn('sleep', ['600'], { stdio: 'ignore' }).pid;
    case 'ffmpeg': {
      const ffmpeg = new FfmpegProcess([
        ...['-hide_banner', '-nostdin', '-loglevel', 'error', '-nostats', '-progress', 'pipe:1'],
        ...['-re', '-f', 'lavfi', '-i', 'anullsrc', '-f', 'null', '-'],
      ]);
      // Once it encodes, as a composer's does: ffmpeg killed by SIGPIPE during its start-up would prove
      // nothing (it ignores SIGPIPE only once running).
      await new Promise((resolve) => ffmpeg.once('progress', resolve));
      return ffmpeg.pid;
    }
    case 'sfu-worker': {
      const options = resolveSfuEngineOptions({});
      const engine = { ...options, listenIps: [...options.listenIps], iceServers: [] };
      return (await WorkerProcess.start({ engine, statsIntervalMs: 1000, execArgv: [] })).pid;
    }
    default:
      throw new Error(`unknown mode ${mode}`);
  }
}

const pid = await startChild(process.argv[2]);
process.stdout.write(`${JSON.stringify({ pid })}\n`);
// Stay up until killed.
setInterval(() => undefined, 60_000);
