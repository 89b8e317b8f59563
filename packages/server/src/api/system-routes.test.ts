import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCredentialCipher } from '../security/credential-cipher.js';
import { SqliteStore } from '../storage/sqlite-store.js';
import { startTestServer } from '../testing/test-server.js';

describe('system routes and security', () => {
  it('reports health and Prometheus metrics of what the engines did', async () => {
    const server = await startTestServer();
    const health = await server.call(undefined, { method: 'GET', url: '/health' });
    expect(health.json()).toEqual({ status: 'ok', dependencies: { database: 'up', redis: 'not-configured' }, accounts: { [server.users.alice.id]: 'finished', [server.users.bob.id]: 'finished' } });
    await server.call('bob', { method: 'GET', url: '/api/v1/portfolio' });
    const metrics = await server.call(undefined, { method: 'GET', url: '/metrics' });
    expect(metrics.headers['content-type']).toMatch(/^text\/plain/);
    const decisions = (await server.store.forUser(server.users.alice.id).listDecisions()).length + (await server.store.forUser(server.users.bob.id).listDecisions()).length;
    const counted = [...metrics.body.matchAll(/^iaa_decisions_total\{[^}]*\} (\d+)$/gm)].reduce((sum, match) => sum + Number(match[1]), 0);
    expect(counted).toBe(decisions);
    expect(metrics.body).toMatch(/^iaa_decisions_total\{action="HOLD",outcome="escalated"\} \d+$/m);
    expect(metrics.body).toMatch(/^iaa_orders_total\{side="buy",status="open"\} \d+$/m);
    expect(metrics.body).toMatch(/^iaa_assistant_latency_seconds_count\{assistant="technical-analyst",phase="analysis"\} \d+$/m);
    expect(metrics.body).toMatch(/^iaa_http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/portfolio",status="200"\} 1$/m);
    expect(metrics.body).toMatch(new RegExp(`^iaa_equity\\{user="${server.users.bob.id}"\\} \\d`, 'm'));
    await server.close();
  });

  it('serves the OpenAPI document at /docs', async () => {
    const server = await startTestServer();
    const document = (await server.call(undefined, { method: 'GET', url: '/docs/json' })).json<{ openapi: string; paths: Record<string, Record<string, { requestBody?: unknown }>> }>();
    expect(document.openapi).toBe('3.0.3');
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/api/v1/portfolio', '/api/v1/decisions/{id}', '/api/v1/escalations/{id}/approve', '/api/v1/triggers/consensus', '/health', '/metrics']));
    expect(document.paths['/api/v1/orders']?.post?.requestBody).toBeDefined();
    await server.close();
  });

  it('stores exchange keys encrypted: the key is nowhere in the database files', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'ia-agents-keys-'));
    const store = new SqliteStore({ filename: join(folder, 'db.sqlite') });
    const key = randomBytes(32).toString('hex');
    const server = await startTestServer({ store, cipher: createCredentialCipher(key) });
    const apiKey = 'BINANCE-API-KEY-0123456789abcdef';
    const secret = 'BINANCE-SECRET-fedcba9876543210';
    const response = await server.call('bob', { method: 'PUT', url: '/api/v1/config/exchange-credentials', payload: { exchange: 'binance', apiKey, secret } });
    expect(response.json()).toEqual({ exchange: 'binance', stored: true });
    const sealed = await store.getExchangeCredentials(server.users.bob.id, 'binance');
    expect(JSON.parse(createCredentialCipher(key).open(sealed!, `${server.users.bob.id}:binance`))).toEqual({ apiKey, secret });
    await server.close();
    const bytes = readdirSync(folder).map((file) => readFileSync(join(folder, file)).toString('latin1')).join('');
    expect(bytes).toContain('binance');
    expect(bytes).not.toContain(apiKey);
    expect(bytes).not.toContain(secret);
  });

  it('refuses to store keys when no encryption key is configured', async () => {
    const server = await startTestServer();
    const response = await server.call('bob', { method: 'PUT', url: '/api/v1/config/exchange-credentials', payload: { exchange: 'binance', apiKey: 'a', secret: 'b' } });
    expect(response.json()).toEqual({ statusCode: 409, code: 'CONFLICT', message: 'No ENCRYPTION_KEY is configured: exchange credentials cannot be stored', issues: [] });
    await server.close();
  });
});
