import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { buildApp } from './build-app.js';
import { startTestServer } from '../testing/test-server.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('rate limit shared through Redis', () => {
  it('holds across two server instances that share Redis', async () => {
    const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    const server = await startTestServer({ redis, rateLimit: { max: 4, windowMs: 60_000 } });
    const twin = await buildApp(server.context);
    const headers = { authorization: `Bearer ${server.tokens.bob}` };
    const statuses: number[] = [];
    for (let index = 0; index < 6; index += 1) {
      const app = index % 2 === 0 ? server.app : twin;
      statuses.push((await app.inject({ method: 'GET', url: '/api/v1/portfolio', headers })).statusCode);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
    const health = await server.call(undefined, { method: 'GET', url: '/health' });
    expect(health.json()).toMatchObject({ status: 'ok', dependencies: { database: 'up', redis: 'up' } });
    await twin.close();
    await server.close();
    redis.disconnect();
  });
});
