import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../testing/test-server.js';

describe('input validation', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it('names every bad field of a body', async () => {
    const response = await server.call('bob', { method: 'POST', url: '/api/v1/orders', payload: { symbol: 'btc', side: 'hold', amount: -1, type: 'limit', extra: 1 } });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({
      statusCode: 400,
      code: 'VALIDATION_FAILED',
      message: 'Invalid request: body.symbol: expected BASE/QUOTE; body.side: Invalid option: expected one of "buy"|"sell"; body.amount: Too small: expected number to be >0; body.extra: Unrecognized key: "extra"',
      issues: [
        { path: ['body', 'symbol'], message: 'expected BASE/QUOTE' },
        { path: ['body', 'side'], message: 'Invalid option: expected one of "buy"|"sell"' },
        { path: ['body', 'amount'], message: 'Too small: expected number to be >0' },
        { path: ['body', 'extra'], message: 'Unrecognized key: "extra"' },
      ],
    });
  });

  it('names bad query and path parameters', async () => {
    const query = await server.call('bob', { method: 'GET', url: '/api/v1/decisions?limit=0&color=red' });
    expect(query.json()).toEqual({
      statusCode: 400,
      code: 'VALIDATION_FAILED',
      message: 'Invalid request: querystring.limit: Too small: expected number to be >=1; querystring.color: Unrecognized key: "color"',
      issues: [
        { path: ['querystring', 'limit'], message: 'Too small: expected number to be >=1' },
        { path: ['querystring', 'color'], message: 'Unrecognized key: "color"' },
      ],
    });
    const params = await server.call('bob', { method: 'GET', url: `/api/v1/decisions/${'x'.repeat(101)}` });
    expect(params.json()).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED', issues: [{ path: ['params', 'id'], message: 'Too big: expected string to have <=100 characters' }] });
  });

  it('answers malformed JSON, wrong content types, huge bodies and unknown routes without a 500', async () => {
    const json = await server.call('bob', { method: 'PUT', url: '/api/v1/config', headers: { 'content-type': 'application/json' }, payload: '{"riskLimits": ' });
    expect(json.json()).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED' });
    const type = await server.call('bob', { method: 'PUT', url: '/api/v1/config', headers: { 'content-type': 'text/plain' }, payload: 'hello' });
    expect(type.json()).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED' });
    const huge = await server.call('bob', { method: 'PUT', url: '/api/v1/config', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ assistantWeights: { a: 1 }, pad: 'x'.repeat(300_000) }) });
    expect(huge.json()).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED' });
    const missing = await server.call('bob', { method: 'GET', url: '/api/v1/nothing-here' });
    expect(missing.json()).toEqual({ statusCode: 404, code: 'NOT_FOUND', message: 'No route GET /api/v1/nothing-here', issues: [] });
  });

  it('validates the configuration a user saves, with core risk-limit bounds', async () => {
    const response = await server.call('bob', { method: 'PUT', url: '/api/v1/config', payload: { assistantWeights: { 'technical-analyst': -1 }, riskLimits: { maxPositionFraction: 2, maxLeverage: 3 }, customRules: [{ name: 'r', effect: 'block-all' }] } });
    expect(response.json<{ issues: unknown[] }>().issues).toEqual([
      { path: ['body', 'assistantWeights', 'technical-analyst'], message: 'Too small: expected number to be >=0' },
      { path: ['body', 'customRules', 0, 'effect'], message: 'Invalid option: expected one of "block-buy"|"block-sell"' },
      { path: ['body', 'riskLimits', 'maxPositionFraction'], message: 'Too big: expected number to be <=1' },
      { path: ['body', 'riskLimits', 'maxLeverage'], message: 'Unrecognized key: "maxLeverage"' },
    ]);
    expect(await server.store.getUserConfig(server.users.bob.id)).toBeUndefined();
    const good = await server.call('bob', { method: 'PUT', url: '/api/v1/config', payload: { assistantWeights: { 'technical-analyst': 2 }, riskLimits: { maxPositionFraction: 0.1 } } });
    expect(good.json()).toEqual({ userId: server.users.bob.id, assistantWeights: { 'technical-analyst': 2 }, customRules: [], riskLimits: { maxPositionFraction: 0.1 }, createdAt: 1_800_000_000_000, updatedAt: 1_800_000_000_000 });
    expect((await server.call('bob', { method: 'GET', url: '/api/v1/config' })).json()).toEqual(good.json());
  });
});
