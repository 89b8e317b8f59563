import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildCandles } from '@ia-agents/core/testing';
import { createPaperExchange, type CcxtExchange, type PaperExchange } from '@ia-agents/exchange';
import { startLocalBinance, type LocalBinance } from '@ia-agents/exchange/testing';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load-config.js';
import { openStore } from '../storage/open-store.js';
import { administer, dropDatabase, freshDatabase } from '../testing/postgres-databases.js';
import { createServer } from './create-server.js';

const MINUTE = 60_000;

describe('paper and live modes against a local Binance (real ccxt client)', () => {
  let binance: LocalBinance;
  let folder: string;
  beforeEach(async () => {
    binance = await startLocalBinance();
    // Binance's time stands at the test's start: it serves the candles up to the one forming then.
    // A minute that turns before the warm-up closes that candle and it is served, so the warm-up
    // finds its 100 closed candles whenever it runs.
    binance.rest.now = Date.now();
    const start = Math.floor(binance.rest.now / MINUTE) * MINUTE - 120 * MINUTE;
    binance.rest.klines.set('BTCUSDT 1m', buildCandles({ count: 122, timeframe: '1m', start, startPrice: 40_000, seed: 3 }));
    folder = mkdtempSync(join(tmpdir(), 'ia-agents-paper-'));
  });
  afterEach(() => binance.stop());

  const settings = (overrides: Record<string, unknown>) => loadConfig({ environment: {}, overrides: { port: 0, sqliteFile: join(folder, 'db.sqlite'), timeframe: '1m', replayWarmup: 100, schedulerEnabled: false, logLevel: 'silent', ...overrides } });

  it('paper with NEWS_FEEDS: the fundamental analyst reads the feed (a local server speaking RSS) at each decision, items of the last day about the asset', async () => {
    const hour = 3_600_000;
    const item = (title: string, ago: number) => `<item><title>${title}</title><link>https://news.example/${ago}</link><guid>${ago}</guid><pubDate>${new Date(Date.now() - ago).toUTCString()}</pubDate></item>`;
    const rss = `<?xml version="1.0"?><rss version="2.0"><channel><title>Local news</title>${item('Bitcoin rallies as ETF inflows surge to a record', 2 * hour)}${item('Bitcoin adoption grows, analysts bullish', 5 * hour)}${item('Ethereum upgrade delayed', hour)}${item('Bitcoin slumps', 3 * 24 * hour)}</channel></rss>`;
    const requests: string[] = [];
    const feed = createHttpServer((request, response) => {
      requests.push(request.url ?? '');
      response.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rss);
    });
    await new Promise<void>((resolve) => feed.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(feed.address() as AddressInfo).port}/rss`;
    try {
      expect(loadConfig({ environment: { NEWS_FEEDS: `${url}, https://other.example/atom` } }).newsFeeds).toEqual([url, 'https://other.example/atom']);
      const token = 'iaa_paper-news-admin-token-0123';
      const server = await createServer(settings({ mode: 'paper', newsFeeds: [url], adminToken: token }), { ccxtClient: binance.createClient() });
      await server.listen();
      for (let attempt = 0; attempt < 100 && server.account.engine.history('BTC/USDT').length < 100; attempt += 1) await new Promise((resolve) => setTimeout(resolve, 50));
      const answer = await server.app.inject({ method: 'POST', url: '/api/v1/triggers/consensus', headers: { authorization: `Bearer ${token}` }, payload: { symbol: 'BTC/USDT' } });
      await server.close();
      expect(answer.statusCode).toBe(200);
      const fundamental = (answer.json() as { decision: { rounds: { opinions: { assistantId: string; evidence: { name: string; value: unknown; stance: string; detail?: string }[] }[] }[] } }).decision.rounds[0]!.opinions.find((opinion) => opinion.assistantId === 'fundamental-analyst')!;
      // The two Bitcoin items of the last day (not Ethereum's, not the three-day-old one), both bullish.
      expect(fundamental.evidence.find((evidence) => evidence.name === 'news_count')).toMatchObject({ value: 2 });
      expect(fundamental.evidence.find((evidence) => evidence.name === 'news_sentiment')).toMatchObject({ stance: 'bullish' });
      expect(requests.length).toBeGreaterThan(0);
    } finally {
      await new Promise((resolve) => feed.close(resolve));
    }
  });

  it("paper: warms up from the exchange's REST klines and sends it no order", async () => {
    const server = await createServer(settings({ mode: 'paper' }), { ccxtClient: binance.createClient() });
    await server.listen();
    for (let attempt = 0; attempt < 100 && server.account.engine.history('BTC/USDT').length < 100; attempt += 1) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(server.account.engine.history('BTC/USDT').length).toBeGreaterThanOrEqual(100);
    expect(binance.rest.requests.some((request) => request.path === '/api/v3/klines' && request.params.symbol === 'BTCUSDT' && request.params.interval === '1m')).toBe(true);
    expect(binance.rest.requests.some((request) => request.path === '/api/v3/order')).toBe(false);
    await server.close();
  });

  it("paper with feed 'stream': warms up over REST, then takes the candles of Binance's kline stream as they close", async () => {
    const server = await createServer(settings({ mode: 'paper', feed: 'stream' }), { ccxtClient: binance.createClient() });
    await server.listen();
    for (let attempt = 0; attempt < 100 && server.account.engine.history('BTC/USDT').length < 100; attempt += 1) await new Promise((resolve) => setTimeout(resolve, 50));
    const warm = server.account.engine.history('BTC/USDT');
    expect(warm).toHaveLength(100);
    await binance.ws.subscribed('btcusdt@kline_1m');
    // The candle after the last one served over REST, then the one after it begins: the first has closed.
    const next = warm.at(-1)!.timestamp + MINUTE;
    const streamed = { timestamp: next, open: 41_000, high: 41_500, low: 40_900, close: 41_234.5, volume: 12 };
    binance.ws.kline('BTCUSDT', '1m', streamed, { closed: true });
    binance.ws.kline('BTCUSDT', '1m', { ...streamed, timestamp: next + MINUTE, close: 41_300 }, { closed: false });
    for (let attempt = 0; attempt < 100 && server.account.engine.history('BTC/USDT').at(-1)!.timestamp < next; attempt += 1) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(server.account.engine.history('BTC/USDT').at(-1)).toEqual(streamed);
    expect(binance.rest.requests.some((request) => request.path === '/api/v3/order')).toBe(false);
    await server.close();
    for (let attempt = 0; attempt < 100 && binance.ws.openConnections > 0; attempt += 1) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(binance.ws.openConnections).toBe(0);
  });

  it("paper with the order book stream (feed 'stream', orderBook): a market order fills against the exchange's depth, not from the candles", async () => {
    binance.rest.books.set('BTCUSDT', { bids: [[40_990, 1]], asks: [[41_000, 0.005], [41_100, 1]] });
    const token = 'iaa_paper-book-token-0123456789';
    const server = await createServer(settings({ mode: 'paper', feed: 'stream', orderBook: true, adminToken: token }), { ccxtClient: binance.createClient() });
    await server.listen();
    await binance.ws.subscribed('btcusdt@depth@100ms');
    const paper = server.exchange as PaperExchange;
    for (let attempt = 0; attempt < 100 && server.account.engine.history('BTC/USDT').length < 100; attempt += 1) await new Promise((resolve) => setTimeout(resolve, 50));
    for (let attempt = 0; attempt < 100 && (await paper.fetchOrderBook('BTC/USDT').catch(() => undefined)) === undefined; attempt += 1) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await paper.fetchOrderBook('BTC/USDT')).toMatchObject({ bids: [[40_990, 1]], asks: [[41_000, 0.005], [41_100, 1]] });
    const bought = await server.app.inject({ method: 'POST', url: '/api/v1/orders', headers: { authorization: `Bearer ${token}` }, payload: { symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 0.01 } });
    expect(bought.statusCode).toBe(201);
    // Half at the best ask, half at the next level: the average of the two, at once.
    expect(bought.json()).toMatchObject({ status: 'filled', averagePrice: 41_050 });
    await server.close();
  });

  it('refuses orderBook without the stream feed, naming both settings', async () => {
    await expect(createServer(settings({ mode: 'paper', orderBook: true }), { ccxtClient: binance.createClient() })).rejects.toThrow(/orderBook: order books come from the exchange's stream: set feed 'stream'/);
  });

  it("refuses feed 'stream' for an exchange without a kline stream, naming the setting, before asking the exchange anything", async () => {
    const client = binance.createClient();
    // As an exchange whose ccxt pro class has no watchOHLCV.
    (client.has as Record<string, unknown>).watchOHLCV = false;
    await expect(createServer(settings({ mode: 'paper', feed: 'stream' }), { ccxtClient: client })).rejects.toThrow(/feed: binance has no kline stream through ccxt pro \(watchOHLCV\): use feed 'poll'/);
    expect(binance.rest.requests).toEqual([]);
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

  it('live on the testnet (sandbox): the exchange is built on Binance\'s testnet URLs with the stored keys, REST and WebSocket API alike', async () => {
    const key = randomBytes(32).toString('hex');
    const token = 'iaa_live-sandbox-token-0123456789';
    const replay = await createServer(settings({ encryptionKey: key, adminToken: token }));
    await replay.app.inject({ method: 'PUT', url: '/api/v1/config/exchange-credentials', headers: { authorization: `Bearer ${token}` }, payload: { exchange: 'binance', apiKey: 'testnet-key', secret: 'testnet-secret' } });
    await replay.close();
    for (const sandbox of [true, false]) {
      // Built, not started: nothing is sent anywhere.
      const live = await createServer(settings({ mode: 'live', encryptionKey: key, adminToken: token, sandbox }));
      const client = (live.exchange as CcxtExchange).client;
      const api = client.urls.api as { public: string; private: string; ws: { 'ws-api': { spot: string } } };
      expect([client.isSandboxModeEnabled, client.apiKey]).toEqual([sandbox, 'testnet-key']);
      expect(api.private).toMatch(sandbox ? /^https:\/\/testnet\.binance\.vision\// : /^https:\/\/api\.binance\.com\//);
      expect(api.ws['ws-api'].spot).toMatch(sandbox ? /testnet/ : /^wss:\/\/ws-api\.binance\.com/);
      await live.close();
    }
  });

  it('paper on PostgreSQL: a server that lost its lease never saves over the paper account meanwhile, and takes the account back as the store holds it', async () => {
    const url = await freshDatabase('paperlease');
    const other = new pg.Client({ connectionString: url });
    const store = await openStore({ databaseUrl: url });
    const token = 'iaa_paper-lease-token-0123456789';
    const server = await createServer(settings({ mode: 'paper', databaseUrl: url, leaseRetryMs: 100, adminToken: token }), { ccxtClient: binance.createClient() });
    try {
      await server.listen();
      for (let attempt = 0; attempt < 100 && server.account.engine.history('BTC/USDT').length < 100; attempt += 1) await new Promise((resolve) => setTimeout(resolve, 50));
      // A manual buy: the paper account is saved before the store records it.
      const bought = await server.app.inject({ method: 'POST', url: '/api/v1/orders', headers: { authorization: `Bearer ${token}` }, payload: { symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 0.01 } });
      expect(bought.statusCode).toBe(201);
      // Its saves are over (the one a second after the buy's events included).
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      const userId = server.owner.user.id;
      const lost = server.account;
      const lostExchange = server.exchange as PaperExchange;
      // Another session takes the account's lock as the server's session ends.
      await other.connect();
      const taken = other.query('SELECT pg_advisory_lock(727002, hashtext($1))', [userId]);
      await administer(`SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND classid = 727002 AND granted AND database = (SELECT oid FROM pg_database WHERE datname = '${new URL(url).pathname.slice(1)}')`);
      await taken;
      for (let attempt = 0; attempt < 100 && lost.status() !== 'stopped'; attempt += 1) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(lost.status()).toBe('stopped');
      // Meanwhile the account is traded elsewhere: its saved paper account moves on (a buy).
      const saved = (await store.getPaperAccount(userId))!;
      const elsewhere: PaperExchange = createPaperExchange({ state: saved.state, fill: 'signal-close' });
      await elsewhere.createOrder({ clientOrderId: 'elsewhere-1', symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 0.01 });
      const traded = { ...saved, state: elsewhere.snapshot(), updatedAt: saved.updatedAt + 1 };
      await store.savePaperAccount(userId, traded);
      // A change to the lost account is still announced (as a step that ends after the loss would);
      // the server saves nothing over the other's account (well past the 1 s save delay).
      lost.bus.emit('portfolio-update', { portfolio: lostExchange.getPortfolio() });
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect(await store.getPaperAccount(userId)).toEqual(traded);
      // The other lets go: the server takes the account back, restored from the store.
      await other.end();
      for (let attempt = 0; attempt < 100 && (server.account === lost || server.account.status() !== 'running'); attempt += 1) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(server.account.status()).toBe('running');
      const restored = server.exchange as PaperExchange;
      expect(restored.orderByClientId('elsewhere-1')).toMatchObject({ status: 'filled' });
      expect(restored.getPortfolio().positions.map((position) => [position.symbol, position.amount])).toEqual(elsewhere.getPortfolio().positions.map((position) => [position.symbol, position.amount]));
      await server.close();
      // Closed, it saved the account it took back: the other's trade is in it.
      expect(createPaperExchange({ state: (await store.getPaperAccount(userId))!.state }).orderByClientId('elsewhere-1')).toMatchObject({ status: 'filled' });
    } finally {
      await server.close();
      await other.end().catch(() => undefined);
      await store.close();
      await dropDatabase(url);
    }
  });
});
