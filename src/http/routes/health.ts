import type { FastifyInstance } from 'fastify';
import type { Store } from '../../store/store.ts';

/** 200 while the database answers, 503 otherwise: what a load balancer should probe. */
export function healthRoutes(app: FastifyInstance, store: Store): void {
  app.get('/healthz', async (request, reply) => {
    try {
      await store.ping();
      return { status: 'ok', database: store.dialect.name };
    } catch (error) {
      request.log.warn({ err: error }, 'health check: database unavailable');
      reply.code(503).header('retry-after', '5');
      return { status: 'unavailable', database: store.dialect.name };
    }
  });
}
