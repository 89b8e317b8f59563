import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Candle, Order } from '@ia-agents/core';
import { buildCandles } from '@ia-agents/core/testing';
import type { PaperExchange, PaperExchangeState } from '@ia-agents/exchange';
import { startLocalBinance, type LocalBinance } from '@ia-agents/exchange/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load-config.js';
import { openStore } from '../storage/open-store.js';
import { dropDatabase, freshDatabase } from '../testing/postgres-databases.js';
import type { ServerStore } from '../storage/server-store.js';
import { createServer, type IaAgentsServer } from './create-server.js';

const MINUTE = 60_000;
const TOKEN = 'iaa_paper-restart-token-0123456789';
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
    if (database === 'postgres') databaseUrl = await freshDatabase('paper_account');
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
    if (databaseUrl !== undefined) await dropDatabase(databaseUrl);
    databaseUrl = undefined;
  });

  const config = (database: { sqliteFile?: string; databaseUrl?: string } = {}) => loadConfig({ environment: {}, overrides: { mode: 'paper', port: 0, sqliteFile: join(folder, 'db.sqlite'), ...(databaseUrl === undefined ? {} : { databaseUrl }), timeframe: '1m', replayWarmup: 100, schedulerEnabled: false, logLevel: 'silent', adminToken: TOKEN, ...database } });
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

  it('after a crash at any write, the restarted account and its store agree: every order in its state, every fill once', async () => {
    // One crash point a trial, spread over the writes of the run below (about 30 after the warm-up:
    // audit entries, orders, the paper account's saves, fills, equity samples), and one after them all.
    const points = database === 'sqlite' ? [1, 2, 3, 4, 5, 6, 8, 10, 13, 17, 22, 1_000] : [3, 9, 1_000];
    for (const crashAt of points) {
      const trial = `crash at write ${crashAt}`;
      const sqliteFile = join(folder, `crash-${crashAt}.sqlite`);
      const url = databaseUrl === undefined ? undefined : await freshDatabase('paper_account');
      const trialConfig = () => config({ sqliteFile, ...(url === undefined ? {} : { databaseUrl: url }) });
      const crashable = crashableStore(await openStore({ ...(url === undefined ? {} : { databaseUrl: url }), sqliteFile }));
      const first = await createServer(trialConfig(), { ccxtClient: binance.createClient(), store: crashable.store });
      await first.listen();
      const warm = series.length;
      await until(() => first.account.engine.history('BTC/USDT').length >= warm, `the warm-up (${trial})`);
      crashable.arm(crashAt);
      // Orders until the crash: answered or failed, whatever the dead database lets through.
      const attempt = (payload: Record<string, unknown>) => first.app.inject({ method: 'POST', url: '/api/v1/orders', headers: { authorization: `Bearer ${TOKEN}` }, payload: { symbol: 'BTC/USDT', ...payload } });
      const fillsNow = paper(first).snapshot().fills.length;
      // Each step once the one before has happened; none after the crash (the dead process does nothing more).
      const fillsReach = (count: number, what: string) => until(() => crashable.crashed() || paper(first).snapshot().fills.length >= fillsNow + count, `${what} (${trial})`);
      const steps = [
        () => attempt({ side: 'buy', type: 'market', amount: 0.02 }),
        () => attempt({ side: 'buy', type: 'limit', amount: 0.01, price: series.at(-1)!.close * 0.9995 }),
        () => attempt({ side: 'buy', type: 'limit', amount: 0.01, price: 30_000 }),
        () => appendCandle(),
        () => fillsReach(2, 'the first fills'),
        () => attempt({ side: 'sell', type: 'market', amount: 0.015 }),
        () => appendCandle(),
        () => fillsReach(3, 'the sale'),
      ];
      for (const step of steps) if (!crashable.crashed()) await step();
      // Killed here at the latest: nothing the process still meant to write reaches the database.
      crashable.crash();
      await first.close();

      const second = await createServer(trialConfig(), { ccxtClient: binance.createClient() });
      await second.listen();
      await until(() => second.account.engine.history('BTC/USDT').length >= series.length, `the warm-up after the restart (${trial})`);
      await second.close();
      const account = paper(second).snapshot();
      const { fills, orders } = await reopened((store) => Promise.all([store.forUser(second.owner.user.id).listFills({ limit: 1_000 }), store.forUser(second.owner.user.id).listOrders({ limit: 1_000 })]).then(([fills, orders]) => ({ fills, orders })), url, sqliteFile);
      // The store has each fill the account made, once, and no fill the account did not make.
      expect(fills.map((fill) => fill.id).sort(), trial).toEqual(account.fills.map((fill) => fill.id).sort());
      // Every order of the account is in the store in the account's state.
      const stored = new Map(orders.map((order) => [order.clientOrderId, order]));
      for (const { order } of account.orders) expect([order.clientOrderId, stored.get(order.clientOrderId)?.status, stored.get(order.clientOrderId)?.filled], trial).toEqual([order.clientOrderId, order.status, order.filled]);
      // And every order the store has is the account's, in the same state (none it never took).
      const held = new Map(account.orders.map(({ order }) => [order.clientOrderId, order]));
      for (const order of orders) expect([order.clientOrderId, held.get(order.clientOrderId)?.status, held.get(order.clientOrderId)?.filled], trial).toEqual([order.clientOrderId, order.status, order.filled]);
      // No order filled beyond its amount (a fill applied twice would).
      for (const { order } of account.orders) expect(order.filled, trial).toBeLessThanOrEqual(order.amount * (1 + 1e-12));
      if (url !== undefined) await dropDatabase(url);
    }
  }, 240_000);

  /** Reads or writes the test's database with a store of its own. */
  async function reopened<T>(read: (store: ServerStore) => Promise<T>, url = databaseUrl, sqliteFile = join(folder, 'db.sqlite')): Promise<T> {
    const store = await openStore({ ...(url === undefined ? {} : { databaseUrl: url }), sqliteFile });
    try {
      return await read(store);
    } finally {
      await store.close();
    }
  }
});

/** Methods of a ServerStore or UserStore that write. */
const WRITES = /^(?:save|append|resolve|create|revoke|migrate)/;

/**
 * A store that a process killed at its n-th write would leave: the writes before it are in the
 * database, that one and every later one never reach it (they fail, as nothing answers a dead
 * process). Writes are counted from `arm(n)`; `crash()` kills at once.
 */
function crashableStore(inner: ServerStore): { store: ServerStore; arm(n: number): void; crash(): void; crashed(): boolean } {
  let left = Number.POSITIVE_INFINITY;
  const dead = () => Promise.reject(new Error('the process was killed'));
  const guard = <T extends object>(target: T): T =>
    new Proxy(target, {
      get(object, key) {
        const member: unknown = Reflect.get(object, key, object);
        if (typeof member !== 'function') return member;
        if (key === 'forUser') return (userId: string) => guard((member as ServerStore['forUser']).call(object, userId));
        if (typeof key !== 'string' || !WRITES.test(key)) return member.bind(object);
        return (...args: unknown[]) => ((left -= 1) < 0 ? dead() : (member as (...values: unknown[]) => Promise<unknown>).apply(object, args));
      },
    });
  return {
    store: guard(inner),
    arm: (n) => void (left = n - 1),
    crash: () => void (left = Number.NEGATIVE_INFINITY),
    crashed: () => left < 0,
  };
}
