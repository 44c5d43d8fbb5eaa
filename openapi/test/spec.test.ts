import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { createSpecAjv, validateAt } from './ajv.js';
import {
  deref,
  isObject,
  type JsonObject,
  listOperationExamples,
  listOperations,
  listSchemas,
  operationMedia,
  operationParameters,
} from './spec-walk.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bundledPath = join(root, 'generated', 'parley.json');

/**
 * Every operation the Vonage Video REST surface has (plus Parley's client-protocol and operations
 * endpoints). If one is renamed or dropped, this list must change too — deliberately.
 */
const REQUIRED_OPERATIONS = [
  'createSession',
  'listConnections',
  'forceDisconnect',
  'listStreams',
  'getStream',
  'setStreamLayoutClasses',
  'sendSignal',
  'sendSignalToConnection',
  'muteStream',
  'muteAll',
  'startArchive',
  'listArchives',
  'getArchive',
  'stopArchive',
  'deleteArchive',
  'setArchiveLayout',
  'updateArchiveStreams',
  'downloadArchive',
  'startBroadcast',
  'listBroadcasts',
  'getBroadcast',
  'stopBroadcast',
  'setBroadcastLayout',
  'updateBroadcastStreams',
  'getHlsFile',
  'dial',
  'playDtmf',
  'playDtmfToConnection',
  'startRender',
  'listRenders',
  'getRender',
  'stopRender',
  'startCaptions',
  'stopCaptions',
  'connectAudio',
  'listCallbacks',
  'registerCallback',
  'deleteCallback',
  'createProject',
  'listProjects',
  'getProject',
  'updateProject',
  'deleteProject',
  'refreshProjectSecret',
  'setArchiveStorage',
  'deleteArchiveStorage',
  'getSessionInfo',
  'getSessionInfoProxied',
  'connectSignaling',
  'getClientConfig',
  'postClientLog',
  'postClientLogProxied',
  'getHealth',
  'getReadiness',
  'getMetrics',
];

const REQUIRED_WEBHOOKS = [
  'connectionCreated',
  'connectionDestroyed',
  'streamCreated',
  'streamDestroyed',
  'sessionCreated',
  'sessionDestroyed',
  'archiveStatus',
  'broadcastStatus',
  'sipCallEvent',
  'renderStatus',
  'captionsStatus',
];

let doc: JsonObject;

beforeAll(() => {
  doc = JSON.parse(readFileSync(bundledPath, 'utf8')) as JsonObject;
});

describe('the bundled document', () => {
  it('is up to date with the YAML sources (run `pnpm --filter @parley/openapi generate`)', () => {
    const fresh = join(mkdtempSync(join(tmpdir(), 'parley-spec-')), 'parley.json');
    execFileSync(process.execPath, [join(root, 'scripts', 'bundle.mjs'), '--out', fresh], { cwd: root });
    expect(readFileSync(fresh, 'utf8')).toBe(readFileSync(bundledPath, 'utf8'));
  }, 60_000);

  it('is OpenAPI 3.1', () => {
    expect(doc.openapi).toMatch(/^3\.1\./);
  });
});

describe('operations', () => {
  it('cover the whole API surface', () => {
    const ids = listOperations(doc)
      .filter((op) => op.section === 'paths')
      .map((op) => op.operation.operationId);
    for (const id of REQUIRED_OPERATIONS) expect(ids, `operation ${id}`).toContain(id);
    const webhooks = Object.keys(isObject(doc.webhooks) ? doc.webhooks : {});
    expect(webhooks.sort()).toEqual([...REQUIRED_WEBHOOKS].sort());
  });

  it('each have an operationId, one tag, a summary and a real description', () => {
    const problems: string[] = [];
    for (const op of listOperations(doc)) {
      const { operationId, summary, description, tags } = op.operation;
      const name = `${op.method.toUpperCase()} ${op.key}`;
      if (typeof operationId !== 'string') problems.push(`${name}: no operationId`);
      if (!Array.isArray(tags) || tags.length !== 1) problems.push(`${name}: needs exactly one tag`);
      if (typeof summary !== 'string' || summary.length < 5) problems.push(`${name}: no summary`);
      if (typeof description !== 'string' || description.length < 40)
        problems.push(`${name}: description too short`);
    }
    expect(problems).toEqual([]);
  });

  it('document 401, 403 and 429 wherever they authenticate', () => {
    const problems: string[] = [];
    for (const op of listOperations(doc).filter((o) => o.section === 'paths')) {
      const security = op.operation.security ?? doc.security;
      const authenticated =
        Array.isArray(security) && security.some((s) => isObject(s) && Object.keys(s).length > 0);
      if (!authenticated) continue;
      const responses = isObject(op.operation.responses) ? op.operation.responses : {};
      for (const status of ['401', '403', '429']) {
        if (!(status in responses))
          problems.push(`${String(op.operation.operationId)}: no ${status} response`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('accept an Idempotency-Key on every authenticated POST', () => {
    const problems: string[] = [];
    for (const op of listOperations(doc).filter((o) => o.section === 'paths' && o.method === 'post')) {
      const security = op.operation.security ?? doc.security;
      const authenticated =
        Array.isArray(security) && security.some((s) => isObject(s) && Object.keys(s).length > 0);
      if (!authenticated) continue;
      const names = operationParameters(doc, op).map(({ param }) => String(param.name).toLowerCase());
      if (!names.includes('idempotency-key')) problems.push(String(op.operation.operationId));
    }
    expect(problems).toEqual([]);
  });

  it('have an example for every request and response body', () => {
    const problems: string[] = [];
    for (const op of listOperations(doc)) {
      for (const { media, where } of operationMedia(doc, op)) {
        const schema = deref(doc, media.schema);
        const hasExample =
          'example' in media ||
          (isObject(media.examples) && Object.keys(media.examples).length > 0) ||
          (isObject(schema) && (Array.isArray(schema.examples) || 'example' in schema));
        if (!hasExample) problems.push(`${String(op.operation.operationId)} ${where}`);
      }
    }
    expect(problems).toEqual([]);
  });
});

describe('schemas', () => {
  it('describe every property', () => {
    const problems: string[] = [];
    for (const { schema, pointer } of listSchemas(doc)) {
      if (!isObject(schema.properties)) continue;
      // Properties inside cross-field rules constrain properties defined (and described) by the
      // enclosing schema; they are not definitions of their own.
      if (/\/(if|then|else|not|contains)(\/|$)/.test(pointer)) continue;
      for (const [name, raw] of Object.entries(schema.properties)) {
        const property = isObject(raw) ? raw : {};
        // A branch of a cross-field rule may refine a property defined above without restating it
        // (e.g. `rtmp: {minItems: 1}` inside an `anyOf` branch); that refinement is not a definition.
        const refinesOnly = !['type', '$ref', 'const', 'enum', 'oneOf', 'anyOf', 'allOf'].some(
          (k) => k in property,
        );
        if (refinesOnly && /\/(anyOf|oneOf|allOf)\/\d+$/.test(pointer)) continue;
        const target = deref(doc, property);
        const described =
          typeof property.description === 'string' ||
          (isObject(target) && typeof target.description === 'string');
        if (!described) problems.push(`${pointer}/properties/${name}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('hold examples that satisfy them', () => {
    const ajv = createSpecAjv(doc);
    const problems: string[] = [];
    for (const { schema, pointer } of listSchemas(doc)) {
      if (Array.isArray(schema.examples)) {
        schema.examples.forEach((value, i) => {
          const error = validateAt(ajv, pointer, value);
          if (error) problems.push(`${pointer} examples[${i}]: ${error}`);
        });
      }
    }
    expect(problems).toEqual([]);
  });
});

describe('examples of operations', () => {
  it('validate against their schemas', () => {
    const ajv = createSpecAjv(doc);
    const problems: string[] = [];
    for (const example of listOperationExamples(doc)) {
      const schema = deref(doc, { $ref: `#${example.schemaPointer}` });
      if (!isObject(schema)) continue;
      const error = validateAt(ajv, example.schemaPointer, example.value);
      if (error) problems.push(`${example.where}: ${error}`);
    }
    expect(problems).toEqual([]);
  });
});
