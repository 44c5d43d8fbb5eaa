/**
 * `ignoredAuth` for every authenticated operation of the spec: missing, malformed, expired, wrongly
 * signed and `alg: none` credentials get 401 in every auth style the credentials allow; valid credentials
 * used on another project's path get 403.
 */
import { randomUUID } from 'node:crypto';
import { describe } from 'vitest';
import { BROKEN_AUTH } from '../auth/rest-jwt.js';
import { ignoredAuth } from '../checks/index.js';
import { runContext } from '../harness/context.js';
import { contractTest } from '../harness/contract-test.js';
import { exampleBody, placeholderPathParams } from '../harness/examples.js';
import { isAnonymous } from '../spec/operations.js';

const { spec } = runContext();

describe('authentication', () => {
  for (const operation of spec.operations) {
    if (operation.kind !== 'path' || isAnonymous(operation)) continue;
    const account = operation.security.some((r) => r.includes('accountJwt'));
    const hasProjectPath = operation.parameters.some((p) => p.in === 'path' && p.name === 'projectId');
    contractTest(
      `${operation.operationId} refuses broken credentials`,
      { operations: [operation.operationId], needs: account ? ['account'] : [] },
      async (h) => {
        const path = placeholderPathParams(h.spec, operation);
        const body = exampleBody(h.spec, operation);
        const base = { path, ...(body !== undefined ? { body } : {}) };
        for (const client of h.apis) {
          const scheme = account ? 'account' : client.style;
          for (const broken of BROKEN_AUTH) {
            const response = await h.send(
              operation.operationId,
              { ...base, auth: { scheme, broken } },
              client,
            );
            ignoredAuth(h.spec, response, broken);
          }
          if (!account && hasProjectPath) {
            // Valid credentials, someone else's project in the path.
            const foreign =
              client.style === 'vonage'
                ? randomUUID()
                : String(10_000_000 + Math.floor(Math.random() * 89_999_999));
            const response = await h.send(
              operation.operationId,
              { ...base, path: { ...path, projectId: foreign } },
              client,
            );
            ignoredAuth(h.spec, response, 'foreignProject');
          }
          if (account) break; // account credentials do not depend on the project auth style
        }
      },
    );
  }
});
