import { IaAgentsError } from '@ia-agents/core';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { subjectUserId } from '../auth.js';
import type { AppContext } from '../app-context.js';
import { ownerQuerySchema } from './schemas.js';

/** Portfolio, positions and the equity curve (seed `portfolio.py`). */
export function portfolioRoutes(context: AppContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.get('/portfolio', { schema: { tags: ['portfolio'], summary: 'Latest portfolio valuation', querystring: ownerQuerySchema } }, async (request) => {
      const userId = subjectUserId(request, request.query.userId);
      const saved = await context.store.forUser(userId).getLatestPortfolio();
      if (saved !== undefined) return saved;
      const account = context.accounts.get(userId);
      if (account === undefined) throw new IaAgentsError('NOT_FOUND', 'No portfolio yet');
      return account.engine.portfolio();
    });

    app.get('/positions', { schema: { tags: ['portfolio'], summary: 'Open positions', querystring: ownerQuerySchema } }, async (request) => ({
      positions: await context.store.forUser(subjectUserId(request, request.query.userId)).listPositions(),
    }));

    app.get(
      '/portfolio/history',
      { schema: { tags: ['portfolio'], summary: 'Equity curve, oldest first', querystring: ownerQuerySchema.extend({ since: z.coerce.number().int().nonnegative().optional(), limit: z.coerce.number().int().min(1).max(100_000).default(1000) }).strict() } },
      async (request) => {
        const store = context.store.forUser(subjectUserId(request, request.query.userId));
        const curve = await store.listPortfolios({ limit: request.query.limit, ...(request.query.since === undefined ? {} : { since: request.query.since }) });
        return { points: curve.map((item) => ({ timestamp: item.timestamp, equity: item.equity, cash: item.cash })) };
      },
    );
  };
}
