import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load-config.js';
import { createServer } from './create-server.js';

function config(overrides: Record<string, unknown> = {}) {
  const folder = mkdtempSync(join(tmpdir(), 'ia-agents-server-'));
  return loadConfig({ environment: {}, overrides: { port: 0, sqliteFile: join(folder, 'db.sqlite'), replaySpeed: 2000, replayWarmup: 100, schedulerEnabled: false, logLevel: 'silent', ...overrides } });
}

describe('createServer on the embedded defaults', () => {
  it('replays the bundled candles through the seven assistants into the API', async () => {
    const server = await createServer(config());
    const url = await server.listen();
    const headers = { authorization: `Bearer ${server.owner.issuedToken}` };
    let decisions: { id: string; rounds: { opinions: { assistantId: string }[] }[] }[] = [];
    for (let attempt = 0; attempt < 300 && decisions.length === 0; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      decisions = ((await (await fetch(`${url}/api/v1/decisions`, { headers })).json()) as { decisions: typeof decisions }).decisions;
    }
    expect(decisions.length).toBeGreaterThan(0);
    expect(decisions[0]!.rounds[0]!.opinions.map((opinion) => opinion.assistantId).sort()).toEqual(['auditor', 'executor', 'fundamental-analyst', 'market-monitor', 'risk-manager', 'strategist', 'technical-analyst']);
    const health = (await (await fetch(`${url}/health`)).json()) as { status: string; accounts: Record<string, string> };
    expect(health.status).toBe('ok');
    expect(Object.keys(health.accounts)).toEqual([server.owner.user.id]);
    await server.close();
    expect(server.account.status()).toMatch(/stopped|finished/);
  });

  it("applies the owner's saved weights and risk limits to the running engine at once, and again after a restart", async () => {
    const settings = config({ adminToken: 'iaa_test-admin-token-config-0123' });
    const first = await createServer(settings);
    const before = first.account.engine.consensus.options.weights;
    const put = await first.app.inject({ method: 'PUT', url: '/api/v1/config', headers: { authorization: 'Bearer iaa_test-admin-token-config-0123' }, payload: { assistantWeights: { strategist: 2 }, riskLimits: { minConfidence: 0.9 } } });
    expect(put.statusCode).toBe(200);
    expect(first.account.engine.riskLimits.minConfidence).toBe(0.9);
    expect(first.account.engine.consensus.options.weights.strategist).toBe(before.strategist! * 2);
    await first.close();
    const second = await createServer(settings);
    expect(second.account.engine.riskLimits.minConfidence).toBe(0.9);
    expect(second.account.engine.consensus.options.weights.strategist).toBe(before.strategist! * 2);
    expect(second.account.engine.consensus.options.weights['technical-analyst']).toBe(before['technical-analyst']);
    await second.close();
  });

  it('refuses live trading without an encryption key, naming the key', async () => {
    await expect(createServer(config({ mode: 'live' }))).rejects.toThrow('Invalid server configuration: encryptionKey: live trading needs ENCRYPTION_KEY');
  });

  it('keeps a given ADMIN_TOKEN across restarts and issues none', async () => {
    const settings = config({ adminToken: 'iaa_test-admin-token-0123456789' });
    for (let start = 0; start < 2; start += 1) {
      const server = await createServer(settings);
      expect(server.owner.issuedToken).toBeUndefined();
      const me = await server.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: 'Bearer iaa_test-admin-token-0123456789' } });
      expect(me.json()).toMatchObject({ user: { username: 'admin' }, role: 'admin' });
      await server.close();
    }
  });
});
