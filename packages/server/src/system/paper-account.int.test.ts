import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Candle, Order } from '@ia-agents/core';
import { buildCandles } from '@ia-agents/core/testing';
import type { PaperExchange, PaperExchangeState } from '@ia-agents/exchange';
import { startLocalBinance, type LocalBinance } from '@ia-agents/exchange/testing';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load-config.js';
import { openStore } from '../storage/open-store.js';
import type { ServerStore } from '../storage/server-store.js';
import { createServer, type IaAgentsServer } from './create-server.js';

const MINUTE = 60_000;
const TOKEN = 'iaa_paper-restart-token-0123456789';
/** The PostgreSQL server of this machine (trust auth); each test gets a database of its own. */
const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function administer(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Waits until `check` holds (real time: the server polls a real local Binance). */
async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 50))) if (await check()) return;
  throw new Error(`timed out waiting for ${what}`);
}

describe.each(['sqlite', 'postgres'] as const)('paper mode keeps its account across restarts (local Binance, real ccxt client, %s)', (database) => {
  let binance: LocalBinance;
  let series: Candle[];
  let folder: string;
  let databaseUrl: string | undefined;
  beforeEach(async () => {
    if (database === 'postgres') {
      const name = `paper_account_${randomBytes(6).toString('hex')}`;
      await administer(`CREATE DATABASE ${name}`);
      const url = new URL(TEST_DATABASE_URL);
      url.pathname = `/${name}`;
      databaseUrl = url.toString();
    }
    binance = await startLocalBinance();
    // The exchange's candles end minutes ago, so the feed is never current and asks again every
    // few seconds: a candle the test appends reaches the engine at once, not at the next minute.
    const start = Math.floor(Date.now() / MINUTE) * MINUTE - 95 * MINUTE;
    series = buildCandles({ count: 85, timeframe: '1m', start, startPrice: 40_000, seed: 3 });
    binance.rest.klines.set('BTCUSDT 1m', series);
    folder = mkdtempSync(join(tmpdir(), 'ia-agents-paper-account-'));
  });
  afterEach(async () => {
    await binance.stop();
    if (databaseUrl !== undefined) await administer(`DROP DATABASE ${new URL(databaseUrl).pathname.slice(1)} WITH (FORCE)`);
    databaseUrl = undefined;
  });

  const config = () => loadConfig({ environment: {}, overrides: { mode: 'paper', port: 0, sqliteFile: join(folder, 'db.sqlite'), ...(databaseUrl === undefined ? {} : { databaseUrl }), timeframe: '1m', replayWarmup: 100, schedulerEnabled: false, logLevel: 'silent', adminToken: TOKEN } });
  const start = async (): Promise<IaAgentsServer> => createServer(config(), { ccxtClient: binance.createClient() });
  const paper = (server: IaAgentsServer) => server.exchange as PaperExchange;
  /** The next one-minute candle, still closed before now. */
  const appendCandle = () => {
    const last = series.at(-1)!;
    series.push({ ...last, timestamp: last.timestamp + MINUTE, open: last.close, high: last.close * 1.001, low: last.close * 0.999, close: last.close * 1.0005 });
  };
  const order = async (server: IaAgentsServer, payload: Record<string, unknown>): Promise<Order> => {
    const response = await server.app.inject({ method: 'POST', url: '/api/v1/orders', headers: { authorization: `Bearer ${TOKEN}` }, payload: { symbol: 'BTC/USDT', ...payload } });
    expect(response.statusCode).toBe(201);
    return response.json();
  };
  const filled = (server: IaAgentsServer, count: number) => until(() => paper(server).snapshot().fills.length >= count, `${count} fills`);

  it('restores balances, positions, open and closed orders and fills, saves within a second, and keeps trading', async () => {
    const first = await start();
    expect(first.store.dialect).toBe(database);
    await first.listen();
    await until(() => first.account.engine.history('BTC/USDT').length >= 85, 'the warm-up');
    const entry = await order(first, { side: 'buy', type: 'market', amount: 0.01 });
    const resting = await order(first, { side: 'buy', type: 'limit', amount: 0.01, price: 30_000 });
    appendCandle();
    await filled(first, 1);
    // A crash now loses nothing either: the change is in the database within a second.
    await until(async () => JSON.stringify((await first.store.getPaperAccount(first.owner.user.id))?.state) === JSON.stringify(paper(first).snapshot()), 'the debounced save', 3_000);
    await first.close();
    const before: PaperExchangeState = paper(first).snapshot();
    // Binance charges a buy's fee (0.1 % here) in the asset bought, and so does the paper account.
    expect(before.positions).toEqual([expect.objectContaining({ symbol: 'BTC/USDT', amount: expect.closeTo(0.00999, 12) })]);
    expect(before.fills[0]!.fee).toEqual({ cost: expect.closeTo(0.00001, 15), currency: 'BTC' });
    expect(before.orders.map((saved) => [saved.order.clientOrderId, saved.order.status])).toEqual([[entry.clientOrderId, 'filled'], [resting.clientOrderId, 'open']]);

    const second = await start();
    expect(paper(second).snapshot()).toEqual(before);
    expect(await paper(second).fetchOpenOrders()).toEqual([expect.objectContaining({ clientOrderId: resting.clientOrderId, id: resting.id, status: 'open' })]);
    await second.listen();
    await until(() => second.account.engine.history('BTC/USDT').length >= 86, 'the warm-up after the restart');
    // The warm-up hands the exchange candles it saw before the restart: they change nothing.
    expect(paper(second).snapshot()).toEqual(before);
    const exit = await order(second, { side: 'sell', type: 'market', amount: 0.004 });
    expect(before.orders.map((saved) => saved.order.id)).not.toContain(exit.id);
    expect(exit).toMatchObject({ clientOrderId: expect.stringMatching(/^man-/), status: 'open', amount: 0.004 });
    appendCandle();
    await filled(second, 2);
    await second.close();
    const after = paper(second).snapshot();
    expect(after.fills.slice(0, 1)).toEqual(before.fills);
    expect(after.fills[1]).toMatchObject({ clientOrderId: exit.clientOrderId, side: 'sell', amount: 0.004 });
    expect(after.positions).toEqual([expect.objectContaining({ symbol: 'BTC/USDT', amount: expect.closeTo(0.00599, 12) })]);
    expect(after.orders.find((saved) => saved.order.clientOrderId === resting.clientOrderId)?.order.status).toBe('open');

    const third = await start();
    expect(paper(third).snapshot()).toEqual(after);
    await third.close();
  }, 60_000);

  it('starts when Binance cannot give its market rules at start, and takes them with the next candles', async () => {
    // exchangeInfo fails as many times as the adapter tries at start.
    binance.rest.faults.push(...Array.from({ length: 4 }, () => ({ path: '/api/v3/exchangeInfo', kind: 'status' as const, status: 503, body: '' })));
    const server = await start();
    await server.listen();
    await until(() => server.account.engine.history('BTC/USDT').length >= 85, 'the warm-up');
    appendCandle();
    await until(() => server.account.engine.history('BTC/USDT').length >= 86, 'the next candle');
    // Rounded to Binance's lot step (0.00001), as Binance would.
    expect(await order(server, { side: 'buy', type: 'market', amount: 0.0123456 })).toMatchObject({ amount: 0.01234 });
    await server.close();
  }, 30_000);

  it('starts a fresh account with initialCash when the saved one is in another quote currency', async () => {
    const first = await start();
    await first.close();
    const saved = paper(first).snapshot();
    await reopened((store) => store.savePaperAccount(first.owner.user.id, { quoteCurrency: 'EUR', state: { ...saved, balances: { EUR: { total: 5, used: 0 } } }, updatedAt: 1 }));
    const second = await start();
    expect(paper(second).snapshot().balances).toEqual({ USDT: { total: 10_000, used: 0 } });
    await second.close();
    expect(await reopened((store) => store.getPaperAccount(second.owner.user.id))).toMatchObject({ quoteCurrency: 'USDT', state: { balances: { USDT: { total: 10_000, used: 0 } } } });
  });

  it('refuses to start over a saved account it cannot restore, naming it', async () => {
    const first = await start();
    await first.close();
    await reopened((store) => store.savePaperAccount(first.owner.user.id, { quoteCurrency: 'USDT', state: { ...paper(first).snapshot(), version: 2 as never }, updatedAt: 1 }));
    await expect(start()).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringContaining(`the saved paper account of admin (paper_accounts row of user ${first.owner.user.id}) cannot be restored: Invalid paper exchange state: version:`) });
    expect((await reopened((store) => store.getPaperAccount(first.owner.user.id)))?.state.version).toBe(2);
  });

  /** Reads or writes the test's database with a store of its own. */
  async function reopened<T>(read: (store: ServerStore) => Promise<T>): Promise<T> {
    const store = await openStore({ ...(databaseUrl === undefined ? {} : { databaseUrl }), sqliteFile: join(folder, 'db.sqlite') });
    try {
      return await read(store);
    } finally {
      await store.close();
    }
  }
});
