import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../testing/test-server.js';

describe('trading routes', () => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startTestServer();
  });
  afterEach(async () => {
    await server.close();
  });

  it('lists decisions with their full debate transcripts, newest first', async () => {
    const stored = await server.store.forUser(server.users.alice.id).listDecisions();
    expect(stored.length).toBe(3);
    const response = await server.call('alice', { method: 'GET', url: '/api/v1/decisions' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ decisions: stored });
    const first = stored[0]!;
    const escalated = stored.at(-1)!;
    expect(escalated.escalated).toBe(true);
    expect(escalated.rounds.map((round) => round.opinions.map((opinion) => opinion.assistantId))).toEqual([
      ['technical-analyst', 'risk-manager', 'strategist'],
      ['technical-analyst', 'risk-manager', 'strategist'],
    ]);
    const one = await server.call('alice', { method: 'GET', url: `/api/v1/decisions/${first.id}` });
    expect(one.json()).toEqual(first);
    const page = await server.call('alice', { method: 'GET', url: `/api/v1/decisions?limit=1&before=${first.createdAt}` });
    expect(page.json()).toEqual({ decisions: [stored[1]] });
  });

  it('places a manual order through the risk gate and records it', async () => {
    const response = await server.call('bob', { method: 'POST', url: '/api/v1/orders', payload: { clientOrderId: 'manual-1', symbol: 'BTC/USDT', side: 'sell', amount: 0.01 } });
    expect(response.statusCode).toBe(201);
    const order = response.json<{ createdAt: number; updatedAt: number; id: string }>();
    expect(order).toEqual({ id: order.id, clientOrderId: 'manual-1', symbol: 'BTC/USDT', side: 'sell', type: 'market', amount: 0.01, filled: 0, remaining: 0.01, status: 'open', createdAt: order.createdAt, updatedAt: order.updatedAt });
    expect((await server.call('bob', { method: 'GET', url: '/api/v1/orders/manual-1' })).json()).toEqual(order);
    const audit = await server.store.forUser(server.users.bob.id).listAudit({ limit: 2 });
    expect(audit.map((entry) => entry.action)).toEqual(['order-placed', 'manual-order']);
    expect(audit[1]!.actor).toBe(server.users.bob.id);
  });

  it('places a post-only limit order that rests, refuses one that would take (400 INVALID_ORDER, audited) and post-only on a market order (400, naming the field)', async () => {
    const resting = await server.call('bob', { method: 'POST', url: '/api/v1/orders', payload: { clientOrderId: 'maker-1', symbol: 'BTC/USDT', side: 'buy', type: 'limit', amount: 0.001, price: 1, postOnly: true } });
    expect(resting.statusCode).toBe(201);
    expect(resting.json()).toMatchObject({ clientOrderId: 'maker-1', type: 'limit', status: 'open', postOnly: true });
    expect(await server.store.forUser(server.users.bob.id).getOrder('maker-1')).toMatchObject({ postOnly: true });
    const taking = await server.call('bob', { method: 'POST', url: '/api/v1/orders', payload: { clientOrderId: 'maker-2', symbol: 'BTC/USDT', side: 'sell', type: 'limit', amount: 0.001, price: 1, postOnly: true } });
    expect(taking.json()).toMatchObject({ statusCode: 400, code: 'INVALID_ORDER', message: expect.stringContaining('post-only sell at 1 would take liquidity now'), details: { rule: 'postOnly' } });
    expect((await server.store.forUser(server.users.bob.id).listAudit({ limit: 1 }))[0]).toMatchObject({ action: 'manual-order-refused', subject: 'maker-2' });
    const market = await server.call('bob', { method: 'POST', url: '/api/v1/orders', payload: { symbol: 'BTC/USDT', side: 'buy', amount: 0.001, postOnly: true } });
    expect(market.statusCode).toBe(400);
    expect(market.json()).toMatchObject({ code: 'VALIDATION_FAILED', issues: [{ path: ['body', 'postOnly'], message: 'only a limit order can be post-only, not a market order' }] });
  });

  it("refuses an order that breaks the user's own risk limit or custom rule, and audits the refusal", async () => {
    const config = await server.call('bob', { method: 'PUT', url: '/api/v1/config', payload: { riskLimits: { maxOrderNotional: 100 }, customRules: [{ name: 'no-sells', effect: 'block-sell' }] } });
    expect(config.statusCode).toBe(200);
    const big = await server.call('bob', { method: 'POST', url: '/api/v1/orders', payload: { clientOrderId: 'big', symbol: 'BTC/USDT', side: 'buy', amount: 0.01 } });
    expect(big.statusCode).toBe(422);
    expect(big.json()).toMatchObject({ statusCode: 422, code: 'RISK_LIMIT_EXCEEDED', issues: [], details: { limit: 'maxOrderNotional' } });
    const sell = await server.call('bob', { method: 'POST', url: '/api/v1/orders', payload: { clientOrderId: 'sell', symbol: 'BTC/USDT', side: 'sell', amount: 0.001 } });
    expect(sell.json()).toEqual({ statusCode: 422, code: 'RISK_LIMIT_EXCEEDED', message: 'sell BTC/USDT refused by custom rule "no-sells"', issues: [], details: { rule: 'no-sells' } });
    expect(await server.store.forUser(server.users.bob.id).getOrder('big')).toBeUndefined();
    const audit = await server.store.forUser(server.users.bob.id).listAudit({ limit: 2 });
    expect(audit.map((entry) => [entry.action, entry.subject])).toEqual([['manual-order-refused', 'sell'], ['manual-order-refused', 'big']]);
  });

  it('approves an escalation once: it executes through the risk gate, a second answer conflicts', async () => {
    const pending = (await server.call('alice', { method: 'GET', url: '/api/v1/escalations' })).json<{ escalations: { id: string; proposedAction: string }[] }>().escalations;
    expect(pending.length).toBeGreaterThan(0);
    const target = pending[0]!;
    const approved = await server.call('alice', { method: 'POST', url: `/api/v1/escalations/${target.id}/approve`, payload: {} });
    expect(approved.statusCode).toBe(200);
    const body = approved.json<{ decision: { id: string; resolution: unknown }; order?: { clientOrderId: string; side: string; decisionId: string } }>();
    expect(body.decision.resolution).toEqual({ approved: true, by: server.users.alice.id, at: expect.any(Number) });
    expect(body.order).toMatchObject({ clientOrderId: `${target.id}-a`, side: 'buy', decisionId: target.id });
    const again = await server.call('alice', { method: 'POST', url: `/api/v1/escalations/${target.id}/reject` });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ statusCode: 409, code: 'CONFLICT', issues: [] });
    const remaining = (await server.call('alice', { method: 'GET', url: '/api/v1/escalations' })).json<{ escalations: { id: string }[] }>().escalations;
    expect(remaining.map((item) => item.id)).toEqual(pending.slice(1).map((item) => item.id));
  });

  it('rejects an escalation: recorded, nothing executed', async () => {
    const [target] = (await server.call('alice', { method: 'GET', url: '/api/v1/escalations' })).json<{ escalations: { id: string }[] }>().escalations;
    const ordersBefore = await server.store.forUser(server.users.alice.id).listOrders();
    const rejected = await server.call('alice', { method: 'POST', url: `/api/v1/escalations/${target!.id}/reject`, payload: { note: 'not today' } });
    expect(rejected.statusCode).toBe(200);
    expect(rejected.json<{ decision: { resolution: unknown } }>().decision.resolution).toEqual({ approved: false, by: server.users.alice.id, at: expect.any(Number) });
    expect(await server.store.forUser(server.users.alice.id).listOrders()).toEqual(ordersBefore);
  });

  it('starts a consensus for a symbol on demand and runs the learning loop', async () => {
    const response = await server.call('bob', { method: 'POST', url: '/api/v1/triggers/consensus', payload: { symbol: 'BTC/USDT' } });
    expect(response.statusCode).toBe(200);
    const { decision } = response.json<{ decision: { id: string; symbol: string; rounds: unknown[] } }>();
    expect(decision.symbol).toBe('BTC/USDT');
    expect(await server.store.forUser(server.users.bob.id).getDecision(decision.id)).toEqual(decision);
    const other = await server.call('bob', { method: 'POST', url: '/api/v1/triggers/consensus', payload: { symbol: 'ETH/USDT' } });
    expect(other.json()).toMatchObject({ statusCode: 404, code: 'MARKET_NOT_FOUND' });
    const learning = await server.call('bob', { method: 'POST', url: '/api/v1/triggers/learning' });
    const records = await server.store.forUser(server.users.bob.id).listAssistantRecords();
    expect(learning.json()).toEqual({ outcomes: expect.any(Number), records });
    const monitoring = await server.call('bob', { method: 'POST', url: '/api/v1/triggers/monitoring' });
    expect(monitoring.json<{ checks: { symbol: string }[] }>().checks.map((check) => check.symbol)).toEqual(['BTC/USDT']);
  });
});
