/**
 * `negativeDataRejection` for every operation with a request body or parameters: each case generated
 * from the spec's constraints (see `src/negative/`) must get a documented 4xx with the error body —
 * never a 2xx, never a 5xx.
 */
import { describe } from 'vitest';
import { negativeDataRejection } from '../checks/index.js';
import { runContext } from '../harness/context.js';
import { contractTest } from '../harness/contract-test.js';
import { exampleBody, placeholderPathParams, requestMedia } from '../harness/examples.js';
import { generateBodyCases, generateParameterCases } from '../negative/index.js';

const { spec } = runContext();

describe('negative data', () => {
  for (const operation of spec.operations) {
    if (operation.kind !== 'path') continue;
    const media = requestMedia(operation);
    const body = exampleBody(spec, operation);
    const path = placeholderPathParams(spec, operation);
    const parameterCases = generateParameterCases(spec, operation, path);
    const bodyCases =
      media?.schemaPointer && body !== undefined
        ? generateBodyCases(spec, media.schemaPointer, body, {
            form: media.mediaType === 'application/x-www-form-urlencoded',
          })
        : [];
    if (parameterCases.length + bodyCases.length === 0) continue;
    const account = operation.security.some((r) => r.includes('accountJwt'));
    contractTest(
      `${operation.operationId} rejects ${bodyCases.length + parameterCases.length} invalid requests`,
      { operations: [operation.operationId], needs: account ? ['account'] : [], timeoutMs: 120_000 },
      async (h) => {
        const failures: string[] = [];
        const attempt = async (
          description: string,
          send: () => Promise<Parameters<typeof negativeDataRejection>[1]>,
        ) => {
          try {
            negativeDataRejection(h.spec, await send(), description);
          } catch (error) {
            failures.push((error as Error).message);
          }
        };
        for (const c of bodyCases) {
          await attempt(c.description, () => h.api.call(operation.operationId, { path, body: c.body }));
        }
        for (const c of parameterCases) {
          await attempt(c.description, () =>
            h.api.call(operation.operationId, {
              path: c.location === 'path' ? { ...path, [c.name]: c.value } : path,
              ...(c.location === 'query' ? { query: { [c.name]: c.value } } : {}),
              ...(body !== undefined ? { body } : {}),
            }),
          );
        }
        if (failures.length > 0)
          throw new Error(`${failures.length} invalid requests were not rejected:\n${failures.join('\n')}`);
      },
    );
  }
});
