import { describe, expect, it } from 'vitest';
import { isIaAgentsError, type Exchange } from '@ia-agents/core';

/** What a contract run needs from one exchange implementation. */
export interface ExchangeContractHarness {
  /** The exchange under test, funded in the quote asset of `symbol`. */
  exchange: Exchange;
  /** A market the exchange trades. */
  symbol: string;
  /** A price near the market's, to size orders. */
  price: number;
  /** Lets market orders placed so far execute (paper: hand it a candle; live: nothing). */
  settle(): Promise<void>;
  /** Releases servers and sockets. */
  close?(): Promise<void>;
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return isIaAgentsError(error) ? error.code : `not a framework error: ${String(error)}`;
  }
  return 'resolved';
}

/**
 * The behaviour every `Exchange` must show, as a vitest suite: market rules, balances, market and
 * limit orders (post-only too), idempotent client order ids, cancellation, lookups, error codes, and where offered
 * one-cancels-the-other protection (one reservation for both legs, idempotent). Both
 * `PaperExchange` and `CcxtExchange` run it.
 * @example
 * describeExchangeContract('paper', async () => ({ exchange: createPaperExchange(), symbol: 'BTC/USDT', price: 100, settle: async () => {} }));
 */
export function describeExchangeContract(name: string, setup: () => Promise<ExchangeContractHarness>): void {
  const withHarness = (test: (harness: ExchangeContractHarness) => Promise<void>) => async () => {
    const harness = await setup();
    try {
      await test(harness);
    } finally {
      await harness.close?.();
    }
  };

  describe(`Exchange contract: ${name}`, () => {
    it('describes the market and the balances', withHarness(async ({ exchange, symbol }) => {
      const market = await exchange.fetchMarket(symbol);
      expect(`${market.base}/${market.quote}`).toBe(symbol);
      const balance = (await exchange.fetchBalance())[market.quote];
      expect(balance?.free).toBeGreaterThan(0);
      expect(balance!.total).toBeCloseTo(balance!.free + balance!.used, 8);
    }));

    it('fills a market buy and moves the balances', withHarness(async ({ exchange, symbol, price, settle }) => {
      const market = await exchange.fetchMarket(symbol);
      const before = await exchange.fetchBalance();
      const placed = await exchange.createOrder({ clientOrderId: 'contract-market-1', symbol, side: 'buy', type: 'market', amount: 0.01 });
      expect(placed).toMatchObject({ clientOrderId: 'contract-market-1', symbol, side: 'buy', type: 'market', amount: 0.01 });
      await settle();
      const order = await exchange.fetchOrder(placed.id, symbol);
      expect(order.status).toBe('filled');
      expect(order.filled).toBeCloseTo(0.01, 10);
      expect(order.averagePrice).toBeGreaterThan(price * 0.5);
      const after = await exchange.fetchBalance();
      expect(after[market.base]!.total - (before[market.base]?.total ?? 0)).toBeCloseTo(0.01, 10);
      expect(after[market.quote]!.total).toBeLessThan(before[market.quote]!.total);
    }));

    it('never places a second order for the same client order id', withHarness(async ({ exchange, symbol, price }) => {
      const request = { clientOrderId: 'contract-twice', symbol, side: 'buy' as const, type: 'limit' as const, amount: 0.01, price: price / 2 };
      const first = await exchange.createOrder(request);
      const second = await exchange.createOrder(request);
      expect(second.id).toBe(first.id);
      const open = await exchange.fetchOpenOrders(symbol);
      expect(open.filter((order) => order.clientOrderId === 'contract-twice')).toHaveLength(1);
      expect((await exchange.fetchOrderByClientId('contract-twice', symbol))?.id).toBe(first.id);
    }));

    it('keeps a limit order open, locks its funds and cancels it once', withHarness(async ({ exchange, symbol, price, settle }) => {
      const market = await exchange.fetchMarket(symbol);
      const placed = await exchange.createOrder({ clientOrderId: 'contract-limit', symbol, side: 'buy', type: 'limit', amount: 0.01, price: price / 2 });
      await settle();
      expect((await exchange.fetchOrder(placed.id, symbol)).status).toBe('open');
      expect((await exchange.fetchBalance())[market.quote]!.used).toBeGreaterThan(0);
      const cancelled = await exchange.cancelOrder(placed.id, symbol);
      expect(cancelled.status).toBe('cancelled');
      expect(await exchange.fetchOpenOrders(symbol)).toEqual([]);
      expect(await codeOf(exchange.cancelOrder(placed.id, symbol))).toBe('ORDER_NOT_FOUND');
    }));

    it('rests a post-only order below the market and refuses one that would take, with INVALID_ORDER and nothing placed', withHarness(async ({ exchange, symbol, price, settle }) => {
      const resting = await exchange.createOrder({ clientOrderId: 'contract-maker', symbol, side: 'buy', type: 'limit', amount: 0.01, price: price / 2, postOnly: true });
      await settle();
      expect(await exchange.fetchOrder(resting.id, symbol)).toMatchObject({ status: 'open', postOnly: true, type: 'limit' });
      expect(await codeOf(exchange.createOrder({ clientOrderId: 'contract-taker', symbol, side: 'buy', type: 'limit', amount: 0.01, price: price * 1.5, postOnly: true }))).toBe('INVALID_ORDER');
      expect(await exchange.fetchOrderByClientId('contract-taker', symbol)).toBeUndefined();
      expect((await exchange.fetchOpenOrders(symbol)).map((order) => order.clientOrderId)).toEqual(['contract-maker']);
    }));

    it('answers lookups of unknown orders', withHarness(async ({ exchange, symbol }) => {
      expect(await exchange.fetchOrderByClientId('contract-never-placed', symbol)).toBeUndefined();
      expect(await codeOf(exchange.fetchOrder('999999999', symbol))).toBe('ORDER_NOT_FOUND');
    }));

    it('refuses an order the balance cannot pay, with INSUFFICIENT_FUNDS', withHarness(async ({ exchange, symbol, price }) => {
      const market = await exchange.fetchMarket(symbol);
      const free = (await exchange.fetchBalance())[market.quote]!.free;
      const amount = Number(((free / price) * 10).toFixed(4));
      expect(await codeOf(exchange.createOrder({ clientOrderId: 'contract-too-big', symbol, side: 'buy', type: 'limit', amount, price }))).toBe('INSUFFICIENT_FUNDS');
    }));

    it('places a stop-loss and a take-profit as one-cancels-the-other, reserving the holding once (where offered)', withHarness(async ({ exchange, symbol, price, settle }) => {
      // An exchange without native OCO says so (`supportsOco: false`) or lacks the method.
      if (exchange.createOcoOrder === undefined || ('supportsOco' in exchange && exchange.supportsOco === false)) return;
      const market = await exchange.fetchMarket(symbol);
      await exchange.createOrder({ clientOrderId: 'contract-oco-entry', symbol, side: 'buy', type: 'market', amount: 0.01 });
      await settle();
      const held = (await exchange.fetchBalance())[market.base]!.free;
      const request = { symbol, amount: held, stopLoss: { clientOrderId: 'contract-oco-sl', stopPrice: price * 0.9 }, takeProfit: { clientOrderId: 'contract-oco-tp', stopPrice: price * 1.1 } };
      const [stopLoss, takeProfit] = await exchange.createOcoOrder(request);
      expect(stopLoss).toMatchObject({ clientOrderId: 'contract-oco-sl', symbol, side: 'sell', type: 'stop-loss', status: 'open' });
      expect(takeProfit).toMatchObject({ clientOrderId: 'contract-oco-tp', symbol, side: 'sell', type: 'take-profit', status: 'open' });
      expect((await exchange.fetchBalance())[market.base]!.used).toBeCloseTo(held, 10);
      expect((await exchange.createOcoOrder(request)).map((order) => order.id)).toEqual([stopLoss.id, takeProfit.id]);
      const open = await exchange.fetchOpenOrders(symbol);
      expect(open.filter((order) => order.clientOrderId.startsWith('contract-oco-')).map((order) => order.type).sort()).toEqual(['stop-loss', 'take-profit']);
      expect(await codeOf(exchange.createOrder({ clientOrderId: 'contract-oco-apart', symbol, side: 'sell', type: 'limit', amount: held, price: price * 2 }))).toBe('INSUFFICIENT_FUNDS');
    }));

    it('refuses a malformed request before sending anything, naming the field', withHarness(async ({ exchange, symbol }) => {
      expect(await codeOf(exchange.createOrder({ clientOrderId: 'contract-bad', symbol, side: 'buy', type: 'limit', amount: 0.01 }))).toBe('VALIDATION_FAILED');
    }));
  });
}
