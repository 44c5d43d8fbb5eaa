/**
 * The published package works: build and `pnpm pack` the SDK, install the tarball into a fresh
 * project (offline: dependencies are linked from this workspace), import it from ESM and from CommonJS,
 * check that thrown errors are `instanceof` the exported classes, and type-check a consumer with tsc.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const workspaceRoot = join(packageDir, '..', '..');
let project: string;

function run(command: string, args: string[], cwd: string): string {
  return execFileSync(command, args, {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 120_000,
  });
}

function link(target: string, at: string): void {
  mkdirSync(dirname(at), { recursive: true });
  symlinkSync(target, at, 'dir');
}

/** A consumer script: a local server answering 404, a call through the SDK, and instanceof checks. */
const consumerBody = (importLine: string) => `${importLine}
const http = require_or_import_http();
const server = http.createServer((req, res) => {
  res.writeHead(404, { 'content-type': 'application/json', 'x-request-id': 'req-7' });
  res.end(JSON.stringify({ code: 40401, message: 'Archive not found' }));
});
server.listen(0, '127.0.0.1', async () => {
  const { port } = server.address();
  const video = new sdk.Parley({ apiKey: '47123456', apiSecret: 'secret', baseUrl: 'http://127.0.0.1:' + port, maxRetries: 0 });
  const out = {};
  try {
    await video.archives.retrieve('missing');
  } catch (error) {
    out.notFound = error instanceof sdk.NotFoundError;
    out.apiError = error instanceof sdk.APIError;
    out.root = error instanceof sdk.ParleyError;
    out.error = error instanceof Error;
    out.fields = [error.status, error.code, error.requestId, error.name];
  }
  try { sdk.decodeSessionId('nope'); } catch (error) { out.invalidArgument = error instanceof sdk.InvalidArgumentError; }
  out.token = (await video.tokens.generate('2_' + Buffer.from('1~47123456~~1~x~~').toString('base64url'))).slice(0, 3);
  out.version = sdk.SDK_VERSION;
  await video.close();
  server.close();
  console.log(JSON.stringify(out));
});
`;

beforeAll(() => {
  run(process.execPath, [join(packageDir, 'scripts', 'build.ts')], packageDir);
  project = mkdtempSync(join(tmpdir(), 'parley-sdk-consumer-'));
  run('pnpm', ['pack', '--pack-destination', project], packageDir);
  const tarball = readdirSync(project).find((name) => name.endsWith('.tgz'));
  const installed = join(project, 'node_modules', '@parley', 'server-sdk');
  mkdirSync(installed, { recursive: true });
  run('tar', ['-xzf', join(project, tarball ?? ''), '-C', installed, '--strip-components=1'], project);
  // Offline install: the SDK's one runtime dependency and the consumer's type packages, from this
  // workspace. Nothing else is linked, so a stray import of a dev dependency (jose, …) fails here.
  link(join(packageDir, 'node_modules', 'undici'), join(project, 'node_modules', 'undici'));
  link(
    join(workspaceRoot, 'node_modules', '@types', 'node'),
    join(project, 'node_modules', '@types', 'node'),
  );
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
  );
}, 180_000);

afterAll(() => {
  if (project) rmSync(project, { recursive: true, force: true });
});

const expected = {
  notFound: true,
  apiError: true,
  root: true,
  error: true,
  fields: [404, 40401, 'req-7', 'NotFoundError'],
  invalidArgument: true,
  token: 'eyJ',
  version: '0.1.0',
};

describe('the packed SDK', () => {
  it('ships only dist and the README', () => {
    const files = readdirSync(join(project, 'node_modules', '@parley', 'server-sdk')).sort();
    expect(files).toEqual(['README.md', 'dist', 'package.json']);
  });

  it('imports from ESM, and its errors are instanceof the exported classes', () => {
    const script = consumerBody(
      "import * as sdk from '@parley/server-sdk';\nimport * as httpModule from 'node:http';\nconst require_or_import_http = () => httpModule;",
    );
    writeFileSync(join(project, 'esm.mjs'), script);
    expect(JSON.parse(run(process.execPath, ['esm.mjs'], project))).toEqual(expected);
  });

  it('requires from CommonJS, with the same classes', () => {
    const script = consumerBody(
      "const sdk = require('@parley/server-sdk');\nconst require_or_import_http = () => require('node:http');",
    );
    writeFileSync(join(project, 'cjs.cjs'), script);
    expect(JSON.parse(run(process.execPath, ['cjs.cjs'], project))).toEqual(expected);
  });

  it('type-checks ESM and CommonJS consumers with tsc', () => {
    writeFileSync(
      join(project, 'consumer.ts'),
      `import { type Archive, NotFoundError, Parley, type WebhookEvent, WebhookReceiver } from '@parley/server-sdk';
const video = new Parley({ applicationId: 'app', privateKey: '-----BEGIN PRIVATE KEY-----' });
export async function newest(sessionId: string): Promise<Archive | undefined> {
  for await (const archive of video.archives.list({ sessionId })) return archive;
  return undefined;
}
export async function status(id: string): Promise<string> {
  try {
    const archive: Archive = await video.archives.retrieve(id);
    return archive.status;
  } catch (error) {
    if (error instanceof NotFoundError) return \`missing (\${error.code}, \${error.requestId})\`;
    throw error;
  }
}
export function kind(body: string, headers: Record<string, string>): WebhookEvent['event'] {
  return new WebhookReceiver('whsec_c2VjcmV0').verify(body, headers).event.event;
}
`,
    );
    writeFileSync(
      join(project, 'consumer.cts'),
      `import sdk = require('@parley/server-sdk');
export const video: sdk.Parley = new sdk.Parley({ apiKey: '1', apiSecret: 's' });
export const page: sdk.PagePromise<sdk.Broadcast> = video.broadcasts.list();
`,
    );
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'nodenext',
          target: 'es2023',
          strict: true,
          noEmit: true,
          types: ['node'],
        },
        files: ['consumer.ts', 'consumer.cts'],
      }),
    );
    const tsc = join(workspaceRoot, 'node_modules', 'typescript', 'bin', 'tsc');
    expect(() => run(process.execPath, [tsc, '-p', 'tsconfig.json'], project)).not.toThrow();
  }, 90_000); // a full tsc run over undici's and Node's types: slow on a loaded machine
});
