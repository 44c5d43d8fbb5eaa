#!/usr/bin/env node
// Bundles the multi-file spec (parley.yaml + paths/ + components/ + webhooks/) into one JSON document,
// `generated/parley.json`, which the server SDK's type generator and the reference server's validator read.
// Usage: node scripts/bundle.mjs [--out FILE]   (default: generated/parley.json)
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outArg = process.argv.indexOf('--out');
const out = outArg > 0 ? resolve(process.argv[outArg + 1]) : join(root, 'generated', 'parley.json');

mkdirSync(dirname(out), { recursive: true });
const redocly = join(root, 'node_modules', '.bin', 'redocly');
execFileSync(
  redocly,
  [
    'bundle',
    process.env.PARLEY_SPEC_ROOT ?? 'parley.yaml',
    '--config',
    'redocly.yaml',
    '--ext',
    'json',
    '-o',
    out,
  ],
  {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
  },
);
// Re-serialise with a trailing newline so the file is stable under formatters and diffs.
const doc = JSON.parse(readFileSync(out, 'utf8'));
writeFileSync(out, `${JSON.stringify(doc, null, 2)}\n`);
