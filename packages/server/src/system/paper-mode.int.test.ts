import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { buildCandles } from '@ia-agents/core/testing';
import { startLocalBinance, type LocalBinance } from '@ia-agents/exchange/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load-config.js';
import { createServer } from './create-server.js';

const MINUTE = 60_000;

describe('paper and live modes against a local Binance (real ccxt client)', () => {
  let binance: LocalBinance;
  let folder: string;
  beforeEach(async () => {
    binance = await startLocalBinance();
    const start = Math.floor(Date.now() / MINUTE) * MINUTE - 120 * MINUTE;
    binance.rest.klines.set('BTCUSDT 1m', buildCandles({ count: 120, timeframe: '1m', start, startPrice: 40_000, seed: 3 }));
    folder = mkdtempSync(join(tmpdir(), 'ia-agents-paper-'));
  });
  afterEach(() => binance.stop());

  const settings = (overrides: Record<string, unknown>) => loadConfig({ environment: {}, overrides: { port: 0, sqliteFile: join(folder, 'db.sqlite'), timeframe: '1m', replayWarmup: 100, schedulerEnabled: false, logLevel: 'silent', ...overrides } });

  it("paper: warms up from the exchange's REST klines and sends it no order", async () => {
    const server = await createServer(settings({ mode: 'paper' }), { ccxtClient: binance.createClient() });
    await server.listen();
    for (let attempt = 0; attempt < 100 && server.account.engine.history('BTC/USDT').length < 100; attempt += 1) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(server.account.engine.history('BTC/USDT').length).toBeGreaterThanOrEqual(100);
    expect(binance.rest.requests.some((request) => request.path === '/api/v3/klines' && request.params.symbol === 'BTCUSDT' && request.params.interval === '1m')).toBe(true);
    expect(binance.rest.requests.some((request) => request.path === '/api/v3/order')).toBe(false);
    await server.close();
  });

  it('live: refuses to start without stored credentials, and starts with them', async () => {
    const key = randomBytes(32).toString('hex');
    await expect(createServer(settings({ mode: 'live', encryptionKey: key }), { ccxtClient: binance.createClient() })).rejects.toThrow(/live trading needs binance credentials/);
    const replay = await createServer(settings({ encryptionKey: key, adminToken: 'iaa_live-test-token-0123456789' }));
    const stored = await replay.app.inject({ method: 'PUT', url: '/api/v1/config/exchange-credentials', headers: { authorization: 'Bearer iaa_live-test-token-0123456789' }, payload: { exchange: 'binance', apiKey: 'live-key', secret: 'live-secret' } });
    expect(stored.statusCode).toBe(200);
    await replay.close();
    const live = await createServer(settings({ mode: 'live', encryptionKey: key, adminToken: 'iaa_live-test-token-0123456789' }), { ccxtClient: binance.createClient() });
    expect(live.account.status()).toBe('starting');
    // Running, the account follows its user-data stream (fills as they happen); closing the server closes that socket.
    await live.listen();
    await binance.ws.userDataSubscribed();
    await live.close();
    for (let attempt = 0; attempt < 100 && binance.ws.openConnections > 0; attempt += 1) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(binance.ws.openConnections).toBe(0);
  });
});
