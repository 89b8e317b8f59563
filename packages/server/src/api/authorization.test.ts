import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../storage/server-store.js';
import { startTestServer, type TestServer } from '../testing/test-server.js';

/** Every /api/v1 route with the least role it needs. */
const ROUTES: { least: Role; request: InjectOptions }[] = [
  { least: 'viewer', request: { method: 'GET', url: '/api/v1/me' } },
  { least: 'admin', request: { method: 'GET', url: '/api/v1/users' } },
  { least: 'admin', request: { method: 'POST', url: '/api/v1/users', payload: { username: 'dave', email: 'dave@example.com' } } },
  { least: 'viewer', request: { method: 'GET', url: '/api/v1/config' } },
  { least: 'trader', request: { method: 'PUT', url: '/api/v1/config', payload: {} } },
  { least: 'trader', request: { method: 'PUT', url: '/api/v1/config/exchange-credentials', payload: { exchange: 'binance', apiKey: 'k', secret: 's' } } },
  { least: 'viewer', request: { method: 'GET', url: '/api/v1/portfolio' } },
  { least: 'viewer', request: { method: 'GET', url: '/api/v1/positions' } },
  { least: 'viewer', request: { method: 'GET', url: '/api/v1/portfolio/history' } },
  { least: 'viewer', request: { method: 'GET', url: '/api/v1/decisions' } },
  { least: 'viewer', request: { method: 'GET', url: '/api/v1/decisions/some-id' } },
  { least: 'viewer', request: { method: 'GET', url: '/api/v1/orders' } },
  { least: 'viewer', request: { method: 'GET', url: '/api/v1/orders/some-id' } },
  { least: 'trader', request: { method: 'POST', url: '/api/v1/orders', payload: { symbol: 'BTC/USDT', side: 'sell', amount: 0.0001 } } },
  { least: 'viewer', request: { method: 'GET', url: '/api/v1/escalations' } },
  { least: 'trader', request: { method: 'POST', url: '/api/v1/escalations/some-id/approve' } },
  { least: 'trader', request: { method: 'POST', url: '/api/v1/escalations/some-id/reject' } },
  { least: 'viewer', request: { method: 'GET', url: '/api/v1/assistants' } },
  { least: 'viewer', request: { method: 'GET', url: '/api/v1/assistants/weights' } },
  { least: 'viewer', request: { method: 'GET', url: '/api/v1/reports/performance' } },
  { least: 'viewer', request: { method: 'GET', url: '/api/v1/reports/equity' } },
  { least: 'viewer', request: { method: 'GET', url: '/api/v1/reports/assistants' } },
  { least: 'viewer', request: { method: 'GET', url: '/api/v1/audit' } },
  { least: 'trader', request: { method: 'POST', url: '/api/v1/triggers/monitoring' } },
  { least: 'trader', request: { method: 'POST', url: '/api/v1/triggers/consensus', payload: { symbol: 'BTC/USDT' } } },
  { least: 'trader', request: { method: 'POST', url: '/api/v1/triggers/learning' } },
];

const CALLERS = [
  { who: 'viewer', role: 'viewer' },
  { who: 'alice', role: 'trader' },
  { who: 'admin', role: 'admin' },
] as const;
const RANK: Record<Role, number> = { viewer: 0, trader: 1, admin: 2 };

describe('authorisation matrix', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it('refuses every route without a token, or with an unknown one', async () => {
    for (const { request } of ROUTES) {
      const anonymous = await server.call(undefined, request);
      expect([request.url, anonymous.json()]).toEqual([request.url, { statusCode: 401, code: 'UNAUTHENTICATED', message: 'Missing API token: send "Authorization: Bearer <token>"', issues: [] }]);
      const forged = await server.app.inject({ ...request, headers: { authorization: 'Bearer iaa_forged' } });
      expect([request.url, forged.statusCode]).toEqual([request.url, 401]);
    }
  });

  for (const { who, role } of CALLERS) {
    it(`lets a ${role} call exactly the routes of its role`, async () => {
      for (const { least, request } of ROUTES) {
        const response = await server.call(who, request);
        if (RANK[role] < RANK[least]) {
          expect([request.method, request.url, response.json()]).toEqual([request.method, request.url, { statusCode: 403, code: 'FORBIDDEN', message: `This route needs the ${least} role; the token has ${role}`, issues: [] }]);
        } else {
          expect([request.method, request.url, response.statusCode]).not.toEqual([request.method, request.url, 403]);
          expect([request.method, request.url, response.statusCode]).not.toEqual([request.method, request.url, 401]);
          expect(response.statusCode).toBeLessThan(500);
        }
      }
    });
  }

  it("hides someone else's resources: 404 by id, 403 by ?userId, even for a trader", async () => {
    const [bobDecision] = await server.store.forUser(server.users.bob.id).listDecisions({ limit: 1 });
    const [bobOrder] = await server.store.forUser(server.users.bob.id).listOrders({ limit: 1 });
    const [aliceEscalation] = await server.store.forUser(server.users.alice.id).listPendingEscalations({ limit: 1 });
    expect((await server.call('alice', { method: 'GET', url: `/api/v1/decisions/${bobDecision!.id}` })).json()).toEqual({ statusCode: 404, code: 'NOT_FOUND', message: `No decision ${bobDecision!.id}`, issues: [] });
    expect((await server.call('alice', { method: 'GET', url: `/api/v1/orders/${bobOrder!.clientOrderId}` })).statusCode).toBe(404);
    const approve = await server.call('bob', { method: 'POST', url: `/api/v1/escalations/${aliceEscalation!.id}/approve` });
    expect(approve.json()).toEqual({ statusCode: 404, code: 'NOT_FOUND', message: `No escalated decision ${aliceEscalation!.id}`, issues: [] });
    expect(await server.store.forUser(server.users.alice.id).getEscalationResolution(aliceEscalation!.id)).toBeUndefined();
    for (const url of ['/api/v1/portfolio', '/api/v1/decisions', '/api/v1/orders', '/api/v1/config', '/api/v1/audit']) {
      const response = await server.call('alice', { method: 'GET', url: `${url}?userId=${server.users.bob.id}` });
      expect([url, response.json()]).toEqual([url, { statusCode: 403, code: 'FORBIDDEN', message: "Only admins may read another user's data", issues: [] }]);
    }
    const viewerPortfolio = await server.call('viewer', { method: 'GET', url: '/api/v1/decisions' });
    expect(viewerPortfolio.json()).toEqual({ decisions: [] });
  });

  it("lets an admin read another user's data with ?userId", async () => {
    const decisions = await server.store.forUser(server.users.bob.id).listDecisions();
    const response = await server.call('admin', { method: 'GET', url: `/api/v1/decisions?userId=${server.users.bob.id}` });
    expect(response.json()).toEqual({ decisions });
  });

  it('does not let a trader issue a token above its role or for someone else', async () => {
    const above = await server.call('alice', { method: 'POST', url: '/api/v1/tokens', payload: { name: 'x', role: 'admin' } });
    expect(above.statusCode).toBe(403);
    const other = await server.call('alice', { method: 'POST', url: '/api/v1/tokens', payload: { name: 'x', role: 'viewer', userId: server.users.bob.id } });
    expect(other.statusCode).toBe(403);
    const own = await server.call('alice', { method: 'POST', url: '/api/v1/tokens', payload: { name: 'dashboard', role: 'viewer' } });
    expect(own.statusCode).toBe(201);
    const secret = own.json<{ token: string }>().token;
    const me = await server.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${secret}` } });
    expect(me.json()).toMatchObject({ user: server.users.alice, role: 'viewer' });
    const revoke = await server.app.inject({ method: 'DELETE', url: '/api/v1/tokens/self', headers: { authorization: `Bearer ${secret}` } });
    expect(revoke.statusCode).toBe(204);
    expect((await server.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${secret}` } })).statusCode).toBe(401);
  });
});
