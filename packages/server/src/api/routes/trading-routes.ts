import { randomBytes } from 'node:crypto';
import { IaAgentsError, orderSideSchema, orderTypeSchema } from '@ia-agents/core';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { checkUserApproval, checkUserOrder, requireAccount } from '../account-guard.js';
import { caller, subjectUserId } from '../auth.js';
import type { AppContext } from '../app-context.js';
import { idParamsSchema, listQuery, listQuerySchema, ownerQuerySchema } from './schemas.js';

const positive = z.number().finite().positive();

/** Body of POST /orders: core's OrderRequest with an optional client order id. */
export const manualOrderSchema = z
  .object({
    clientOrderId: z.string().regex(/^[\w-]{1,36}$/, 'expected 1-36 letters, digits, _ or -').optional(),
    symbol: z.string().regex(/^[A-Z0-9]+\/[A-Z0-9]+$/, 'expected BASE/QUOTE'),
    side: orderSideSchema,
    type: orderTypeSchema.default('market'),
    amount: positive,
    price: positive.optional(),
    stopPrice: positive.optional(),
    trailingPercent: z.number().positive().lt(1).optional(),
    /** Limit orders: rest on the book as a maker, or be refused (Binance LIMIT_MAKER). */
    postOnly: z.boolean().optional(),
  })
  .strict()
  .superRefine((order, issues) => {
    if (order.postOnly === true && order.type !== 'limit') issues.addIssue({ code: 'custom', path: ['postOnly'], message: `only a limit order can be post-only, not a ${order.type} order` });
    if (order.type === 'limit' && order.price === undefined) issues.addIssue({ code: 'custom', path: ['price'], message: 'a limit order needs a price' });
    if ((order.type === 'stop-loss' || order.type === 'take-profit') && order.stopPrice === undefined) issues.addIssue({ code: 'custom', path: ['stopPrice'], message: `a ${order.type} order needs a stopPrice` });
    if (order.type === 'trailing-stop' && order.trailingPercent === undefined) issues.addIssue({ code: 'custom', path: ['trailingPercent'], message: 'a trailing-stop order needs trailingPercent' });
  });

// Body optional: an answer without a note may send no body at all.
const noteSchema = z.object({ note: z.string().max(500).optional() }).strict().nullish();

/** Decisions with transcripts, orders, manual orders and escalations (seed `trading.py`). */
export function tradingRoutes(context: AppContext): FastifyPluginAsyncZod {
  // One answer per escalation at a time: a second concurrent approval must not execute twice.
  const answering = new Set<string>();

  return async (app) => {
    app.get('/decisions', { schema: { tags: ['trading'], summary: 'Decisions, newest first, with their debate transcripts', querystring: listQuerySchema } }, async (request) => ({
      decisions: await context.store.forUser(subjectUserId(request, request.query.userId)).listDecisions(listQuery(request.query)),
    }));

    app.get('/decisions/:id', { schema: { tags: ['trading'], summary: 'One decision with its transcript', params: idParamsSchema, querystring: ownerQuerySchema } }, async (request) => {
      const store = context.store.forUser(subjectUserId(request, request.query.userId));
      const decision = await store.getDecision(request.params.id);
      if (decision === undefined) throw new IaAgentsError('NOT_FOUND', `No decision ${request.params.id}`);
      return decision;
    });

    app.get('/orders', { schema: { tags: ['trading'], summary: 'Orders, newest first', querystring: listQuerySchema } }, async (request) => ({
      orders: await context.store.forUser(subjectUserId(request, request.query.userId)).listOrders(listQuery(request.query)),
    }));

    app.get('/orders/:id', { schema: { tags: ['trading'], summary: 'One order by client order id', params: idParamsSchema, querystring: ownerQuerySchema } }, async (request) => {
      const order = await context.store.forUser(subjectUserId(request, request.query.userId)).getOrder(request.params.id);
      if (order === undefined) throw new IaAgentsError('ORDER_NOT_FOUND', `No order ${request.params.id}`);
      return order;
    });

    app.post('/orders', { config: { minRole: 'trader' }, schema: { tags: ['trading'], summary: 'Place a manual order through the risk gate', body: manualOrderSchema } }, async (request, reply) => {
      const auth = caller(request);
      const account = requireAccount(context, auth.user.id);
      const { clientOrderId, ...rest } = request.body;
      const order = { ...rest, clientOrderId: clientOrderId ?? `man-${randomBytes(8).toString('hex')}` };
      const store = context.store.forUser(auth.user.id);
      try {
        await checkUserOrder(context, account, order);
        const placed = await account.engine.placeManualOrder(order, auth.user.id);
        return await reply.code(201).send(placed);
      } catch (error) {
        await store.appendAudit({ timestamp: context.clock.now(), actor: auth.user.id, action: 'manual-order-refused', subject: order.clientOrderId, data: { ...order, reason: (error as Error).message } });
        throw error;
      }
    });

    app.get('/escalations', { schema: { tags: ['trading'], summary: 'Escalated decisions waiting for an answer', querystring: listQuerySchema } }, async (request) => ({
      escalations: await context.store.forUser(subjectUserId(request, request.query.userId)).listPendingEscalations(listQuery(request.query)),
    }));

    const answer = (approved: boolean) => async (request: { params: { id: string }; body: { note?: string | undefined } | null | undefined } & Parameters<typeof caller>[0]) => {
      const auth = caller(request);
      const store = context.store.forUser(auth.user.id);
      const id = request.params.id;
      const key = `${auth.user.id}:${id}`;
      if (answering.has(key)) throw new IaAgentsError('CONFLICT', `Escalation ${id} is being answered`);
      answering.add(key);
      try {
        const pending = await store.getDecision(id);
        if (pending === undefined || !pending.escalated) throw new IaAgentsError('NOT_FOUND', `No escalated decision ${id}`);
        const account = context.accounts.get(auth.user.id);
        if (account === undefined) {
          // No engine to execute through: a rejection is recorded; an approval cannot be carried out.
          if (approved) throw new IaAgentsError('CONFLICT', 'No trading account is running to execute the approval');
          await store.resolveEscalation({ decisionId: id, approved, by: auth.user.id, resolvedAt: context.clock.now(), ...(request.body?.note === undefined ? {} : { note: request.body.note }) });
          return { decision: await store.getDecision(id) };
        }
        if (approved) await checkUserApproval(context, account, pending.proposedAction);
        const result = await account.engine.resolveEscalation(id, { approved, by: auth.user.id });
        return { decision: result.decision, ...(result.order === undefined ? {} : { order: result.order }), ...(result.rejection === undefined ? {} : { rejection: result.rejection }) };
      } finally {
        answering.delete(key);
      }
    };

    const escalationSchema = { tags: ['trading'], params: idParamsSchema, body: noteSchema };
    app.post('/escalations/:id/approve', { config: { minRole: 'trader' }, schema: { ...escalationSchema, summary: 'Approve: executes the proposed action through the risk gate' } }, answer(true));
    app.post('/escalations/:id/reject', { config: { minRole: 'trader' }, schema: { ...escalationSchema, summary: 'Reject: recorded, nothing is executed' } }, answer(false));
  };
}
