/**
 * `pnpm bench`: token minting against the official SDKs, and per-request overhead against bare undici.
 * Writes `bench/results/latest.json` and `bench/results/latest.md`. Not a test: numbers vary by machine.
 * Run after `pnpm build` (it measures the built package).
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { Video as VonageVideo } from '@vonage/video';
import { Agent, request } from 'undici';

// The built package is measured; its types come from the sources so this file type-checks before a build.
const distEntry = new URL('../dist/esm/index.js', import.meta.url).href;
const { Parley } = (await import(distEntry)) as typeof import('../src/index.js');
const require = createRequire(import.meta.url);
const OpenTok = require('opentok') as new (
  k: string,
  s: string,
) => { generateToken(s: string, o?: object, t1?: boolean): string };

interface Result {
  name: string;
  opsPerSecond: number;
  microsecondsPerOp: number;
}

async function measure(name: string, op: () => unknown, seconds = 1): Promise<Result> {
  for (let i = 0; i < 200; i++) await op(); // warm-up
  let count = 0;
  const start = process.hrtime.bigint();
  const end = start + BigInt(Math.round(seconds * 1e9));
  while (process.hrtime.bigint() < end) {
    await op();
    count++;
  }
  const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  return {
    name,
    opsPerSecond: Math.round(count / elapsed),
    microsecondsPerOp: Math.round((elapsed / count) * 1e7) / 10,
  };
}

const apiKey = '47123456';
const apiSecret = '4f1e2d3c4b5a69788796a5b4c3d2e1f0a9b8c7d6';
const applicationId = '1c3f2d9e-8b7a-4c5d-9e0f-112233445566';
const privateKey = generateKeyPairSync('rsa', { modulusLength: 2048 })
  .privateKey.export({ type: 'pkcs8', format: 'pem' })
  .toString();
const sessionId = `2_${Buffer.from(`1~${apiKey}~~1700000000000~abc~${applicationId}~`).toString('base64url')}`;

const ours = new Parley({ applicationId, privateKey, apiKey, apiSecret });
const legacy = new Parley({ apiKey, apiSecret });
const opentok = new OpenTok(apiKey, apiSecret);
const vonage = new VonageVideo({ applicationId, privateKey });

const tokens: Result[] = [
  await measure('parley tokens.generateSync — Vonage RS256 JWT', () => ours.tokens.generateSync(sessionId)),
  await measure('parley tokens.generate (jose) — Vonage RS256 JWT', () => ours.tokens.generate(sessionId)),
  await measure('@vonage/video generateClientToken — RS256 JWT', () => vonage.generateClientToken(sessionId)),
  await measure('parley tokens.generateSync — legacy HS256 JWT', () => legacy.tokens.generateSync(sessionId)),
  await measure('parley tokens.generate (jose) — legacy HS256 JWT', () => legacy.tokens.generate(sessionId)),
  await measure('opentok generateToken — HS256 JWT', () => opentok.generateToken(sessionId)),
  await measure('parley tokens.generateSync — T1', () =>
    legacy.tokens.generateSync(sessionId, { format: 'T1' }),
  ),
  await measure('opentok generateToken — T1', () => opentok.generateToken(sessionId, {}, true)),
];

const body = JSON.stringify({ count: 0, items: [] });
const server = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(body);
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const agent = new Agent({ keepAliveTimeout: 10_000 });
const client = new Parley({ apiKey, apiSecret, baseUrl });
const requests: Result[] = [
  await measure('bare undici request (keep-alive)', async () => {
    const response = await request(`${baseUrl}/v2/project/${apiKey}/session/${sessionId}/stream`, {
      dispatcher: agent,
    });
    JSON.parse(await response.body.text());
  }),
  await measure('parley streams.list (signs a JWT per request)', () => client.streams.list(sessionId)),
];
await client.close();
await agent.close();
server.close();

const results = { node: process.version, date: new Date().toISOString(), tokens, requests };
const table = (rows: Result[]) =>
  [
    '| Operation | ops/s | µs/op |',
    '|---|---:|---:|',
    ...rows.map((r) => `| ${r.name} | ${r.opsPerSecond} | ${r.microsecondsPerOp} |`),
  ].join('\n');
const dir = new URL('./results/', import.meta.url);
mkdirSync(dir, { recursive: true });
writeFileSync(new URL('latest.json', dir), `${JSON.stringify(results, null, 2)}\n`);
writeFileSync(
  new URL('latest.md', dir),
  `# Server SDK benchmark\n\nNode ${process.version}, ${results.date}.\n\n## Client token minting\n\n${table(tokens)}\n\n## Request overhead (local server)\n\n${table(requests)}\n`,
);
console.log(`${table(tokens)}\n\n${table(requests)}`);
