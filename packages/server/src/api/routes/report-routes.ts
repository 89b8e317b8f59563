import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { assistantAccuracy, performanceReport } from '../../reports/performance.js';
import { subjectUserId } from '../auth.js';
import type { AppContext } from '../app-context.js';
import { listQuery, listQuerySchema, ownerQuerySchema } from './schemas.js';

/** Performance, equity curve, assistant accuracy and the audit log (seed `reports.py`). */
export function reportRoutes(context: AppContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.get('/reports/performance', { schema: { tags: ['reports'], summary: 'Return, Sharpe, drawdown, win rate', querystring: ownerQuerySchema } }, async (request) => {
      const store = context.store.forUser(subjectUserId(request, request.query.userId));
      return performanceReport(await store.listPortfolios({ limit: 100_000 }), await store.listOutcomes({ limit: 1000 }));
    });

    app.get('/reports/equity', { schema: { tags: ['reports'], summary: 'Equity curve', querystring: ownerQuerySchema } }, async (request) => {
      const curve = await context.store.forUser(subjectUserId(request, request.query.userId)).listPortfolios({ limit: 100_000 });
      return { points: curve.map((item) => ({ timestamp: item.timestamp, equity: item.equity })) };
    });

    app.get('/reports/assistants', { schema: { tags: ['reports'], summary: 'Per-assistant accuracy', querystring: ownerQuerySchema } }, async (request) => ({
      assistants: assistantAccuracy(await context.store.forUser(subjectUserId(request, request.query.userId)).listAssistantRecords()),
    }));

    app.get('/audit', { schema: { tags: ['reports'], summary: 'The append-only audit log, newest first', querystring: listQuerySchema } }, async (request) => ({
      entries: await context.store.forUser(subjectUserId(request, request.query.userId)).listAudit(listQuery(request.query)),
    }));
  };
}
