import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { subjectUserId } from '../auth.js';
import type { AppContext } from '../app-context.js';
import { ownerQuerySchema } from './schemas.js';

/** Assistants: status, health and weights (seed `assistants.py`). */
export function assistantRoutes(context: AppContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.get('/assistants', { schema: { tags: ['assistants'], summary: 'The team: status, errors, configured weight and learned reliability', querystring: ownerQuerySchema } }, async (request) => {
      const userId = subjectUserId(request, request.query.userId);
      const account = context.accounts.get(userId);
      const config = await context.store.getUserConfig(userId);
      const records = new Map((await context.store.forUser(userId).listAssistantRecords()).map((record) => [record.assistantId, record]));
      const errors = await context.metrics.assistantErrors.get();
      const ids = account?.assistantIds ?? [...records.keys()];
      return {
        status: account?.status() ?? 'stopped',
        assistants: ids.map((id) => {
          const record = records.get(id);
          const failures = errors.values.filter((value) => value.labels.assistant === id).reduce((sum, value) => sum + value.value, 0);
          // The weight the running engine counts (recommended × the user's); the user's alone when stopped.
          return { id, weight: account?.engine.consensus.weightOf(id) ?? config?.assistantWeights[id] ?? 1, reliability: record?.reliability ?? 0.5, outcomes: record?.outcomes ?? 0, correct: record?.correct ?? 0, abstentions: failures, health: account === undefined ? 'stopped' : 'active' };
        }),
      };
    });

    app.get('/assistants/weights', { schema: { tags: ['assistants'], summary: 'Configured weights and learned reliabilities', querystring: ownerQuerySchema } }, async (request) => {
      const userId = subjectUserId(request, request.query.userId);
      const config = await context.store.getUserConfig(userId);
      return { configured: config?.assistantWeights ?? {}, learned: await context.store.forUser(userId).listAssistantRecords() };
    });
  };
}
