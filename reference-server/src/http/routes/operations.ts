/**
 * Operations endpoints: `/healthz` (liveness), `/readyz` (readiness) and `/metrics` (Prometheus).
 * All three are anonymous, as the spec declares.
 */
import type { FastifyReply } from 'fastify';
import type { ResourceModule } from '../context.js';

/** The operations resource. */
export const operationsResource: ResourceModule = {
  name: 'operations',
  handlers: ({ lifecycle, metrics }) => ({
    async getHealth() {
      return { status: 'ok' };
    },

    async getReadiness(_request, reply: FastifyReply) {
      const report = await lifecycle.report();
      return reply.code(report.status === 'ready' ? 200 : 503).send(report);
    },

    async getMetrics(_request, reply: FastifyReply) {
      const text = await metrics.registry.metrics();
      return reply.type(metrics.registry.contentType).send(text);
    },
  }),
};
