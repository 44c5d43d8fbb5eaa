import { describe, expect, it } from 'vitest';
import { miniSpec } from '../fixtures/mini-spec.js';
import type { ApiResponse } from '../http/client.js';
import {
  CheckFailure,
  checkResponse,
  contentTypeConformance,
  declaredSkipHonesty,
  ensureResourceAvailability,
  idempotencyReplay,
  ignoredAuth,
  negativeDataRejection,
  notAServerError,
  responseSchemaConformance,
  statusCodeConformance,
  useAfterFree,
} from './index.js';

const spec = miniSpec();

/** A response of `operationId` as the HTTP client would report it. */
function response(
  operationId: string,
  status: number,
  body?: unknown,
  mediaType: string | null = 'application/json',
): ApiResponse {
  const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
  return {
    operation: spec.operation(operationId),
    method: 'POST',
    url: 'http://target.test/x',
    requestBody: undefined,
    status,
    headers: {},
    mediaType: text === '' ? null : mediaType,
    text,
    body: mediaType === 'application/json' && text !== '' && typeof body !== 'string' ? body : undefined,
  };
}

const fails = (fn: () => void, check: string): void => {
  expect(fn).toThrow(CheckFailure);
  expect(fn).toThrow(`[${check}]`);
};

describe('response checks', () => {
  it('notAServerError refuses 500 and undocumented 5xx', () => {
    fails(
      () => notAServerError(spec, response('createWidget', 500, { code: 50000, message: 'x' })),
      'notAServerError',
    );
    fails(
      () => notAServerError(spec, response('createWidget', 503, { code: 50300, message: 'x' })),
      'notAServerError',
    );
    expect(() =>
      notAServerError(spec, response('createWidget', 400, { code: 40001, message: 'x' })),
    ).not.toThrow();
  });

  it('statusCodeConformance refuses statuses the operation does not document', () => {
    fails(
      () => statusCodeConformance(spec, response('createWidget', 404, { code: 40401, message: 'x' })),
      'statusCodeConformance',
    );
    expect(() =>
      statusCodeConformance(spec, response('createWidget', 200, { id: 'w', mode: 'composed' })),
    ).not.toThrow();
  });

  it('contentTypeConformance wants a documented media type, and no body where none is documented', () => {
    fails(
      () => contentTypeConformance(spec, response('createWidget', 200, 'hello', 'text/html')),
      'contentTypeConformance',
    );
    fails(
      () => contentTypeConformance(spec, response('deleteWidget', 204, { unexpected: true })),
      'contentTypeConformance',
    );
    expect(() => contentTypeConformance(spec, response('deleteWidget', 204))).not.toThrow();
    expect(() => contentTypeConformance(spec, response('health', 200, 'ok', 'text/plain'))).not.toThrow();
  });

  it('responseSchemaConformance validates JSON bodies against the documented schema', () => {
    fails(
      () => responseSchemaConformance(spec, response('createWidget', 200, { id: 'w' })),
      'responseSchemaConformance',
    );
    fails(
      () => responseSchemaConformance(spec, response('createWidget', 200, '{not json', 'application/json')),
      'responseSchemaConformance',
    );
    expect(() =>
      responseSchemaConformance(spec, response('createWidget', 200, { id: 'w', mode: 'individual' })),
    ).not.toThrow();
  });

  it('checkResponse runs them all and returns the response', () => {
    const ok = response('createWidget', 200, { id: 'w', mode: 'composed' });
    expect(checkResponse(spec, ok)).toBe(ok);
  });
});

describe('chain checks', () => {
  it('negativeDataRejection wants a documented rejection with the error body', () => {
    const error = { code: 40001, message: 'body.size must be at most 10' };
    expect(() => negativeDataRejection(spec, response('createWidget', 400, error), 'size')).not.toThrow();
    fails(
      () => negativeDataRejection(spec, response('createWidget', 200, { id: 'w', mode: 'composed' }), 'size'),
      'negativeDataRejection',
    );
    fails(
      () => negativeDataRejection(spec, response('createWidget', 500, error), 'size'),
      'negativeDataRejection',
    );
    fails(
      () => negativeDataRejection(spec, response('createWidget', 401, error), 'size'),
      'negativeDataRejection',
    );
    fails(
      () => negativeDataRejection(spec, response('createWidget', 422, error), 'size'),
      'negativeDataRejection',
    );
    fails(
      () => negativeDataRejection(spec, response('createWidget', 400, { oops: true }), 'size'),
      'negativeDataRejection',
    );
  });

  it('ignoredAuth wants 401 for broken credentials and 403 for another project', () => {
    expect(() =>
      ignoredAuth(spec, response('createWidget', 401, { code: 40101, message: 'x' }), 'expired'),
    ).not.toThrow();
    expect(() =>
      ignoredAuth(spec, response('createWidget', 403, { code: 40301, message: 'x' }), 'foreignProject'),
    ).not.toThrow();
    fails(
      () => ignoredAuth(spec, response('createWidget', 200, { id: 'w', mode: 'composed' }), 'algNone'),
      'ignoredAuth',
    );
    fails(
      () => ignoredAuth(spec, response('createWidget', 401, { code: 40101, message: 'x' }), 'foreignProject'),
      'ignoredAuth',
    );
  });

  it('useAfterFree and ensureResourceAvailability judge reads after deletes and creates', () => {
    const deleted = response('deleteWidget', 204);
    expect(() =>
      useAfterFree(spec, deleted, response('deleteWidget', 404, { code: 40401, message: 'x' })),
    ).not.toThrow();
    fails(() => useAfterFree(spec, deleted, response('deleteWidget', 204)), 'useAfterFree');
    const created = response('createWidget', 200, { id: 'w', mode: 'composed' });
    expect(() =>
      ensureResourceAvailability(spec, created, response('listWidgets', 200, { count: 1, items: [] })),
    ).not.toThrow();
    fails(
      () =>
        ensureResourceAvailability(
          spec,
          created,
          response('listWidgets', 404, { code: 40401, message: 'x' }),
        ),
      'ensureResourceAvailability',
    );
  });

  it('idempotencyReplay wants the same status and body', () => {
    const first = response('createWidget', 200, { id: 'w1', mode: 'composed' });
    expect(() =>
      idempotencyReplay(spec, first, response('createWidget', 200, { id: 'w1', mode: 'composed' })),
    ).not.toThrow();
    fails(
      () => idempotencyReplay(spec, first, response('createWidget', 200, { id: 'w2', mode: 'composed' })),
      'idempotencyReplay',
    );
  });

  it('declaredSkipHonesty accepts exactly 501 with a 501xx error body', () => {
    expect(() =>
      declaredSkipHonesty(spec, response('createWidget', 501, { code: 50101, message: 'not yet' })),
    ).not.toThrow();
    fails(
      () => declaredSkipHonesty(spec, response('createWidget', 500, { code: 50000, message: 'boom' })),
      'declaredSkipHonesty',
    );
    fails(
      () => declaredSkipHonesty(spec, response('createWidget', 200, { id: 'w', mode: 'composed' })),
      'declaredSkipHonesty',
    );
    fails(
      () => declaredSkipHonesty(spec, response('createWidget', 501, { code: 40001, message: 'x' })),
      'declaredSkipHonesty',
    );
  });
});
