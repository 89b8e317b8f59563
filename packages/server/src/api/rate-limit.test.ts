import { describe, expect, it } from 'vitest';
import { startTestServer } from '../testing/test-server.js';

describe('rate limit per token', () => {
  it('answers 429 with Retry-After past the limit, per token, and spares /health', async () => {
    const server = await startTestServer({ rateLimit: { max: 5, windowMs: 60_000 } });
    const statuses: number[] = [];
    for (let index = 0; index < 8; index += 1) statuses.push((await server.call('bob', { method: 'GET', url: '/api/v1/portfolio' })).statusCode);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429, 429]);
    const limited = await server.call('bob', { method: 'GET', url: '/api/v1/portfolio' });
    expect(limited.json()).toEqual({ statusCode: 429, code: 'RATE_LIMITED', message: 'Rate limit of 5 requests per 1 minute exceeded; retry in 60 s', issues: [] });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect((await server.call('alice', { method: 'GET', url: '/api/v1/portfolio' })).statusCode).toBe(200);
    expect((await server.call(undefined, { method: 'GET', url: '/health' })).statusCode).toBe(200);
    await server.close();
  });
});
