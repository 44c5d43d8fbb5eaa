import { describe, expect, it } from 'vitest';
import { MINI_DOC, miniSpec } from './fixtures/mini-spec.js';
import { isAnonymous, responseFor } from './spec/operations.js';
import { ContractSpec } from './spec.js';

describe('ContractSpec', () => {
  const spec = miniSpec();

  it('indexes path operations and webhooks with merged parameters, bodies, responses and security', () => {
    expect(spec.operations.map((o) => `${o.kind} ${o.operationId}`)).toEqual([
      // Paths in document order, methods in OpenAPI's order (get before post).
      'path listWidgets',
      'path createWidget',
      'path deleteWidget',
      'path health',
      'webhook widgetCreated',
    ]);
    const create = spec.operation('createWidget');
    expect(create.parameters.map((p) => `${p.in}.${p.name}`)).toEqual([
      'path.projectId',
      'header.Idempotency-Key',
    ]);
    expect(create.requestBody).toMatchObject({
      required: true,
      content: [{ mediaType: 'application/json' }],
    });
    expect(create.responses.map((r) => r.status)).toEqual(['200', '400', '401', '403']);
    expect(create.security).toEqual([['bearer']]);
    expect(isAnonymous(spec.operation('health'))).toBe(true);
    expect(isAnonymous(create)).toBe(false);
  });

  it('finds the documented response by exact status, then range, then default', () => {
    const create = spec.operation('createWidget');
    expect(responseFor(create, 400)?.status).toBe('400');
    expect(responseFor(create, 404)).toBeNull();
  });

  it('validates strictly and explains every violation', () => {
    expect(spec.validate('/components/schemas/Widget', { id: 'w', mode: 'composed' })).toBeNull();
    const errors = spec.validate('/components/schemas/Widget', { id: 1, mode: 'other' });
    expect(errors).toEqual(
      expect.arrayContaining([
        '/id must be string',
        expect.stringMatching(/^\/mode must be equal to one of the allowed values/),
      ]),
    );
  });

  it('names unknown operations and refuses documents that are not bundled OpenAPI', () => {
    expect(() => spec.operation('nope')).toThrow('The spec has no operation "nope"');
    expect(() => new ContractSpec({ openapi: '3.1.0' })).toThrow(/not a bundled OpenAPI document/);
    const twice = structuredClone(MINI_DOC) as {
      paths: Record<string, Record<string, { operationId?: string }>>;
    };
    (twice.paths['/healthz'] as Record<string, { operationId?: string }>).get = {
      ...twice.paths['/healthz']?.get,
      operationId: 'createWidget',
    };
    expect(() => new ContractSpec(twice as never)).toThrow('operationId createWidget is used twice');
  });
});
