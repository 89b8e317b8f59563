import { IaAgentsError } from '@ia-agents/core';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { runMonitoring } from '../../system/monitoring.js';
import { requireAccount } from '../account-guard.js';
import { caller } from '../auth.js';
import type { AppContext } from '../app-context.js';

/** The steps the n8n workflows (and the built-in scheduler) call. */
export function triggerRoutes(context: AppContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.post('/triggers/monitoring', { config: { minRole: 'trader' }, schema: { tags: ['triggers'], summary: 'Run market monitoring: convene the team where the market moved' } }, async (request) => {
      const account = requireAccount(context, caller(request).user.id);
      return { checks: await runMonitoring(account) };
    });

    app.post(
      '/triggers/consensus',
      { config: { minRole: 'trader' }, schema: { tags: ['triggers'], summary: 'Start a consensus for a symbol now', body: z.object({ symbol: z.string().regex(/^[A-Z0-9]+\/[A-Z0-9]+$/, 'expected BASE/QUOTE') }).strict() } },
      async (request) => {
        const auth = caller(request);
        const account = requireAccount(context, auth.user.id);
        if (!account.symbols.includes(request.body.symbol)) throw new IaAgentsError('MARKET_NOT_FOUND', `This account does not trade ${request.body.symbol}`, { details: { symbols: account.symbols } });
        const result = await account.engine.decide(request.body.symbol, { reason: `api (${auth.user.username})` });
        return { decision: result.decision, ...(result.order === undefined ? {} : { order: result.order }), ...(result.rejection === undefined ? {} : { rejection: result.rejection }) };
      },
    );

    app.post('/triggers/learning', { config: { minRole: 'trader' }, schema: { tags: ['triggers'], summary: 'Run the learning loop' } }, async (request) => {
      const userId = caller(request).user.id;
      if (context.learn === undefined) throw new IaAgentsError('CONFLICT', 'No learning loop is configured');
      return context.learn(userId);
    });
  };
}
