/**
 * Operations: health, readiness and metrics. Anonymous by the spec.
 */
import { describe, expect } from 'vitest';
import { contractTest } from '../harness/contract-test.js';

describe('operations', () => {
  contractTest('getHealth answers 200 without credentials', { operations: ['getHealth'] }, async (h) => {
    await h.expect('getHealth', 200);
  });

  contractTest(
    'getReadiness answers 200 (ready) or 503 (not ready) without credentials',
    { operations: ['getReadiness'] },
    async (h) => {
      await h.expect('getReadiness', [200, 503]);
    },
  );

  contractTest(
    'getMetrics exposes Prometheus text without credentials',
    { operations: ['getMetrics'] },
    async (h) => {
      const response = await h.expect('getMetrics', 200, { headers: { accept: 'text/plain' } });
      expect(response.text).toMatch(/^# (HELP|TYPE) /m);
    },
  );
});
