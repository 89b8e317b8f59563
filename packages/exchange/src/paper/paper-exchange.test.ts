import { describe, expect, it } from 'vitest';
import { ExchangeError, SimulatedClock, type Candle } from '@ia-agents/core';
import { describeExchangeContract } from '../testing/exchange-contract.js';
import { createPaperExchange, PaperExchange } from './paper-exchange.js';

const HOUR = 3_600_000;
const candle = (index: number, open: number, high: number, low: number, close: number, volume = 1_000): Candle => ({ timestamp: index * HOUR, open, high, low, close, volume });
const flat = { makerFee: 0, takerFee: 0, slippage: { model: 'fixed' as const, bps: 0 }, volumeShare: null };

describeExchangeContract('PaperExchange', async () => {
  const exchange = createPaperExchange({ balances: { USDT: 10_000 } });
  let index = 0;
  exchange.onCandle('BTC/USDT', candle(index, 100, 101, 99, 100));
  return {
    exchange,
    symbol: 'BTC/USDT',
    price: 100,
    settle: async () => {
      index += 1;
      exchange.onCandle('BTC/USDT', candle(index, 100, 101, 99, 100));
    },
  };
});

describe('PaperExchange market orders', () => {
  it('fills at the next candle open by default, never on the candle it was decided on', async () => {
    const exchange = createPaperExchange({ ...flat, balances: { USDT: 1_000 } });
    exchange.onCandle('BTC/USDT', candle(0, 100, 105, 95, 102));
    const order = await exchange.createOrder({ clientOrderId: 'm1', symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 2 });
    expect(order.status).toBe('open');
    const fills = exchange.onCandle('BTC/USDT', candle(1, 103, 110, 101, 108));
    expect(fills).toEqual([expect.objectContaining({ price: 103, amount: 2, timestamp: HOUR, liquidity: 'taker', orderId: order.id })]);
    expect((await exchange.fetchBalance())).toEqual({ USDT: { free: 794, used: 0, total: 794 }, BTC: { free: 2, used: 0, total: 2 } });
  });

  it("fills at the signal candle's close with fill: 'signal-close'", async () => {
    const exchange = createPaperExchange({ ...flat, fill: 'signal-close', balances: { USDT: 1_000 } });
    exchange.onCandle('BTC/USDT', candle(0, 100, 105, 95, 102));
    const order = await exchange.createOrder({ clientOrderId: 'm1', symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 2 });
    expect(order).toMatchObject({ status: 'filled', averagePrice: 102, filled: 2, remaining: 0 });
  });

  it('charges the taker fee and fixed slippage against the trader', async () => {
    const exchange = createPaperExchange({ balances: { USDT: 1_000 }, takerFee: 0.001, slippage: { model: 'fixed', bps: 10 }, volumeShare: null });
    exchange.onCandle('BTC/USDT', candle(0, 100, 101, 99, 100));
    await exchange.createOrder({ clientOrderId: 'm1', symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 1 });
    const [fill] = exchange.onCandle('BTC/USDT', candle(1, 100, 101, 99, 100));
    expect(fill!.price).toBeCloseTo(100.1, 10);
    expect(fill!.fee.cost).toBeCloseTo(0.1001, 10);
    expect((await exchange.fetchBalance()).USDT!.total).toBeCloseTo(1_000 - 100.1 - 0.1001, 9);
  });

  it("charges a buy's fee in the asset bought with buyFeeIn 'base' (Binance's way): the holding, its entry price and the protection sized from it", async () => {
    const exchange = createPaperExchange({ ...flat, takerFee: 0.001, buyFeeIn: 'base', fill: 'signal-close', balances: { USDT: 1_000 } });
    exchange.onCandle('BTC/USDT', candle(0, 100, 100, 100, 100));
    const bought = exchange.placeOrder({ clientOrderId: 'b', symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 1 });
    expect(bought).toMatchObject({ status: 'filled', filled: 1, fee: { cost: 0.001, currency: 'BTC' } });
    expect(exchange.fillsOf('b')[0]!.fee).toEqual({ cost: 0.001, currency: 'BTC' });
    const balances = await exchange.fetchBalance();
    expect(balances.USDT!.total).toBe(900);
    expect(balances.BTC!.total).toBeCloseTo(0.999, 12);
    const [position] = exchange.getPortfolio().positions;
    expect(position!.amount).toBeCloseTo(0.999, 12);
    expect(position!.averageEntryPrice).toBeCloseTo(100 / 0.999, 9);
    // Selling the whole bought amount is refused (0.001 BTC went to the fee); selling what is held pays the fee in cash.
    expect(() => exchange.placeOrder({ clientOrderId: 's1', symbol: 'BTC/USDT', side: 'sell', type: 'market', amount: 1 })).toThrow(/needs 1 BTC, 0\.999/);
    const sold = exchange.placeOrder({ clientOrderId: 's2', symbol: 'BTC/USDT', side: 'sell', type: 'market', amount: balances.BTC!.total });
    expect(sold.fee).toEqual({ cost: expect.closeTo(0.0999, 9), currency: 'USDT' });
    expect((await exchange.fetchBalance()).USDT!.total).toBeCloseTo(900 + 99.9 - 0.0999, 9);
    // A buy reserves no cash for a fee it pays in the asset bought: all the cash buys.
    const allIn = createPaperExchange({ ...flat, takerFee: 0.001, buyFeeIn: 'base', balances: { USDT: 1_000 } });
    allIn.onCandle('BTC/USDT', candle(0, 100, 100, 100, 100));
    allIn.placeOrder({ clientOrderId: 'all', symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 10 });
    expect((await allIn.fetchBalance()).USDT).toEqual({ free: 0, used: 1_000, total: 1_000 });
  });

  it('sells what is free when asked for a hair more (float dust of an amount summed elsewhere), and refuses more than that', async () => {
    const exchange = createPaperExchange({ ...flat, fill: 'signal-close', balances: { USDT: 0, BTC: 0.30000000000000004 - 0.1 } });
    exchange.onCandle('BTC/USDT', candle(0, 100, 100, 100, 100));
    const held = (await exchange.fetchBalance()).BTC!.free;
    // 0.1 + 0.1 summed elsewhere is 0.2, a hair above the 0.20000000000000004 - ... held here.
    const asked = held * (1 + 1e-12);
    expect(asked).toBeGreaterThan(held);
    expect(exchange.placeOrder({ clientOrderId: 'dust', symbol: 'BTC/USDT', side: 'sell', type: 'market', amount: asked })).toMatchObject({ status: 'filled', amount: held, filled: held });
    expect((await exchange.fetchBalance()).BTC!.total).toBe(0);
    const more = createPaperExchange({ ...flat, balances: { USDT: 0, BTC: 1 } });
    more.onCandle('BTC/USDT', candle(0, 100, 100, 100, 100));
    expect(() => more.placeOrder({ clientOrderId: 'more', symbol: 'BTC/USDT', side: 'sell', type: 'market', amount: 1.000001 })).toThrow(/needs 1\.000001 BTC, 1 is free/);
  });

  it('makes volume-aware slippage grow with the share of the candle taken, inside the candle range', async () => {
    const run = async (amount: number) => {
      const exchange = createPaperExchange({ balances: { USDT: 1_000_000 }, takerFee: 0, slippage: { model: 'volume', bps: 2, impactBps: 100 }, volumeShare: null });
      exchange.onCandle('BTC/USDT', candle(0, 100, 101, 99, 100));
      await exchange.createOrder({ clientOrderId: 'm', symbol: 'BTC/USDT', side: 'buy', type: 'market', amount });
      return exchange.onCandle('BTC/USDT', candle(1, 100, 100.5, 99, 100, 100))[0]!.price;
    };
    expect(await run(1)).toBeCloseTo(100 * (1 + (2 + 100 * Math.sqrt(0.01)) / 10_000), 10);
    expect(await run(100)).toBe(100.5);
  });

  it('fills partially when the order is larger than its share of the candle volume', async () => {
    const exchange = createPaperExchange({ ...flat, volumeShare: 0.1, balances: { USDT: 100_000 } });
    exchange.onCandle('BTC/USDT', candle(0, 100, 100, 100, 100, 50));
    const order = await exchange.createOrder({ clientOrderId: 'm', symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 8 });
    expect(exchange.onCandle('BTC/USDT', candle(1, 100, 100, 100, 100, 50))[0]!.amount).toBe(5);
    expect(await exchange.fetchOrder(order.id, 'BTC/USDT')).toMatchObject({ status: 'partially-filled', filled: 5, remaining: 3 });
    expect(exchange.onCandle('BTC/USDT', candle(2, 100, 100, 100, 100, 50))[0]!.amount).toBe(3);
    expect((await exchange.fetchOrder(order.id, 'BTC/USDT')).status).toBe('filled');
  });

  it('walks the order book depth when a book is known, leaving the rest for the next candle', async () => {
    const exchange = createPaperExchange({ ...flat, takerFee: 0.001, balances: { USDT: 100_000 } });
    exchange.onCandle('BTC/USDT', candle(0, 100, 100, 100, 100));
    exchange.onOrderBook({ symbol: 'BTC/USDT', timestamp: 0, bids: [[99, 1]], asks: [[100, 1], [101, 2]] });
    const order = await exchange.createOrder({ clientOrderId: 'm', symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 4 });
    expect(order).toMatchObject({ status: 'partially-filled', filled: 3, remaining: 1, averagePrice: (100 + 202) / 3 });
    // The book's liquidity is used up until the next book arrives: two orders never take the same level.
    expect((await exchange.fetchOrderBook('BTC/USDT')).asks).toEqual([]);
  });

  it('fills at the level itself when one book level is taken (the volume-weighted price no longer rounds out of the book)', async () => {
    const exchange = createPaperExchange({ ...flat, balances: { USDT: 100_000 } });
    exchange.onCandle('BTC/USDT', candle(0, 100.1, 100.1, 100.1, 100.1));
    exchange.onOrderBook({ symbol: 'BTC/USDT', timestamp: 0, bids: [[100, 5]], asks: [[100.1, 5]] });
    // 0.01 * 100.1 / 0.01 is 100.09999999999998 in floating point.
    const order = exchange.placeOrder({ clientOrderId: 'one-level', symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 0.01 });
    expect(exchange.fillsOf('one-level').map((fill) => fill.price)).toEqual([100.1]);
    expect(order.averagePrice).toBe(100.1);
  });

  it('stops filling market orders against a book taken before the latest candle opened', async () => {
    const exchange = createPaperExchange({ ...flat, balances: { USDT: 100_000 } });
    exchange.onCandle('BTC/USDT', candle(0, 100, 100, 100, 100));
    exchange.onOrderBook({ symbol: 'BTC/USDT', timestamp: 0, bids: [[99.9, 5]], asks: [[100, 5]] });
    // The market has moved on to 80; the book of the first hour still offers 100.
    exchange.onCandle('BTC/USDT', candle(1, 80, 80, 80, 80));
    const order = exchange.placeOrder({ clientOrderId: 'fresh-only', symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 1 });
    expect(order.status).toBe('open');
    expect(exchange.onCandle('BTC/USDT', candle(2, 81, 81, 81, 81)).map((fill) => fill.price)).toEqual([81]);
    // A book taken during the current candle is used again.
    exchange.onOrderBook({ symbol: 'BTC/USDT', timestamp: 2 * HOUR + 1_000, bids: [[80.9, 5]], asks: [[81.1, 5]] });
    expect(exchange.placeOrder({ clientOrderId: 'from-book', symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 1 })).toMatchObject({ status: 'filled', averagePrice: 81.1 });
  });

  it('cancels the rest of a market buy whose next-open cost outruns the funds', async () => {
    const exchange = createPaperExchange({ ...flat, balances: { USDT: 100 } });
    exchange.onCandle('BTC/USDT', candle(0, 10, 10, 10, 10));
    const order = await exchange.createOrder({ clientOrderId: 'm', symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 10 });
    exchange.onCandle('BTC/USDT', candle(1, 20, 20, 20, 20));
    const after = await exchange.fetchOrder(order.id, 'BTC/USDT');
    expect(after).toMatchObject({ status: 'cancelled', reason: 'insufficient funds at fill time' });
    expect(after.filled).toBeCloseTo(5, 9);
    const balance = await exchange.fetchBalance();
    expect(balance.USDT!.total).toBeGreaterThanOrEqual(0);
    expect(balance.USDT!.used).toBe(0);
  });
});

describe('PaperExchange reservations under part fills', () => {
  it('pays a part fill that gapped above its reservation from free cash, then from the rest of its own reservation, and never spends money it does not hold', async () => {
    // A market buy of 9.9 BTC reserves 990 of the 1,000 USDT at 100 and is filled 3 BTC a candle (30 %
    // of the volume) while the price gaps to 107: each part costs more than its share of the
    // reservation, and the 10 USDT free cannot make up the difference. The rest of the order used to
    // keep reserving more cash than there was, and the last part spent it (the ledger then clamped the
    // negative balance to 0: money made out of nothing).
    const exchange = createPaperExchange({ ...flat, volumeShare: 0.3, balances: { USDT: 1_000 } });
    exchange.onCandle('BTC/USDT', candle(0, 100, 100, 100, 100, 10));
    await exchange.createOrder({ clientOrderId: 'm', symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 9.9 });
    let cash = 1_000;
    for (const [index, price] of [107, 107, 107, 99].entries()) {
      for (const fill of exchange.onCandle('BTC/USDT', candle(index + 1, price, price, price, price, 10))) cash -= fill.amount * fill.price;
      const usdt = (await exchange.fetchBalance()).USDT!;
      expect(usdt.total).toBeCloseTo(cash, 9);
      expect(usdt.total).toBeGreaterThanOrEqual(0);
      // What stays reserved is there: the order's reservation never exceeds the cash.
      expect(usdt.used).toBeLessThanOrEqual(usdt.total + 1e-9);
    }
    // The last part buys what the 37 USDT left pay for (0.37 BTC at 99), and the rest is cancelled.
    expect(await exchange.fetchOrderByClientId('m', 'BTC/USDT')).toMatchObject({ status: 'cancelled', reason: 'insufficient funds at fill time' });
    expect(cash).toBeCloseTo(0, 6);
  });
});

describe('PaperExchange conditional orders', () => {
  const setup = async (request: Parameters<PaperExchange['placeOrder']>[0], balances = { USDT: 10_000, BTC: 10 }) => {
    const exchange = createPaperExchange({ ...flat, makerFee: 0.0002, takerFee: 0.001, balances });
    exchange.onCandle('BTC/USDT', candle(0, 100, 100, 100, 100));
    const order = exchange.placeOrder(request);
    return { exchange, order };
  };

  it('fills a buy limit at its price as maker when the low trades through it', async () => {
    const { exchange } = await setup({ clientOrderId: 'l', symbol: 'BTC/USDT', side: 'buy', type: 'limit', amount: 1, price: 95 });
    expect(exchange.onCandle('BTC/USDT', candle(1, 99, 100, 96, 98))).toEqual([]);
    const [fill] = exchange.onCandle('BTC/USDT', candle(2, 98, 99, 94, 97));
    expect(fill).toMatchObject({ price: 95, liquidity: 'maker' });
    expect(fill!.fee.cost).toBeCloseTo(95 * 0.0002, 12);
  });

  it('refuses a post-only order that would take now, against the book or else the last close, placing and locking nothing', async () => {
    const exchange = createPaperExchange({ ...flat, makerFee: 0.0002, takerFee: 0.001, balances: { USDT: 10_000, BTC: 10 } });
    exchange.onCandle('BTC/USDT', candle(0, 100, 101, 99, 100));
    const before = await exchange.fetchBalance();
    await expect(exchange.createOrder({ clientOrderId: 'p1', symbol: 'BTC/USDT', side: 'buy', type: 'limit', amount: 1, price: 100, postOnly: true })).rejects.toMatchObject({ code: 'INVALID_ORDER', message: 'BTC/USDT order p1: post-only buy at 100 would take liquidity now (the last close is 100)', details: { rule: 'postOnly' } });
    exchange.onOrderBook({ symbol: 'BTC/USDT', timestamp: 0, bids: [[99.5, 3]], asks: [[100.5, 3]] });
    await expect(exchange.createOrder({ clientOrderId: 'p2', symbol: 'BTC/USDT', side: 'sell', type: 'limit', amount: 1, price: 99.5, postOnly: true })).rejects.toThrow('post-only sell at 99.5 would take liquidity now (the best bid is 99.5)');
    // Above the last close but under the best ask: the book decides, and the buy rests.
    expect(await exchange.createOrder({ clientOrderId: 'p3', symbol: 'BTC/USDT', side: 'buy', type: 'limit', amount: 1, price: 100.2, postOnly: true })).toMatchObject({ status: 'open', postOnly: true });
    expect((await exchange.fetchOpenOrders()).map((order) => order.clientOrderId)).toEqual(['p3']);
    expect((await exchange.fetchBalance()).USDT!.total).toBe(before.USDT!.total);
    expect(() => exchange.placeOrder({ clientOrderId: 'p4', symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 1, postOnly: true } as never)).toThrow('postOnly: only a limit order can be post-only, not a market order');
  });

  it('fills a resting post-only order as a maker: at its price when the market trades through it, at the open (inside the candle) when a later candle opens through it', async () => {
    const { exchange } = await setup({ clientOrderId: 'p', symbol: 'BTC/USDT', side: 'buy', type: 'limit', amount: 1, price: 95, postOnly: true });
    const { exchange: other } = await setup({ clientOrderId: 'o', symbol: 'BTC/USDT', side: 'buy', type: 'limit', amount: 1, price: 97, postOnly: true });
    expect(other.onCandle('BTC/USDT', candle(1, 99, 100, 96, 98))[0]).toMatchObject({ price: 97, liquidity: 'maker' });
    expect(exchange.onCandle('BTC/USDT', candle(1, 99, 100, 96, 98))).toEqual([]);
    // Resting since the candle before: the gap down went through it, a maker all the same.
    const [fill] = exchange.onCandle('BTC/USDT', candle(2, 93, 94, 90, 92));
    expect(fill).toMatchObject({ price: 93, liquidity: 'maker', amount: 1 });
    expect(fill!.fee.cost).toBeCloseTo(93 * 0.0002, 12);
    // Closed, from the archive: still marked post-only.
    expect(await exchange.fetchOrderByClientId('p', 'BTC/USDT')).toMatchObject({ status: 'filled', postOnly: true });
  });

  it('refuses a post-only order placed between candles that the next open would fill as a taker (it reaches the market there), releasing its funds', async () => {
    const { exchange } = await setup({ clientOrderId: 'p', symbol: 'BTC/USDT', side: 'sell', type: 'limit', amount: 2, price: 103, postOnly: true });
    expect((await exchange.fetchBalance()).BTC).toEqual({ free: 8, used: 2, total: 10 });
    expect(exchange.onCandle('BTC/USDT', candle(1, 104, 106, 103, 105))).toEqual([]);
    expect(await exchange.fetchOrderByClientId('p', 'BTC/USDT')).toMatchObject({ status: 'rejected', filled: 0, reason: 'post-only: the market opened at 104, through its price 103: it would have taken liquidity' });
    expect((await exchange.fetchBalance()).BTC).toEqual({ free: 10, used: 0, total: 10 });
    // A plain limit order in the same place fills at that open as a taker.
    const plain = exchange.placeOrder({ clientOrderId: 'q', symbol: 'BTC/USDT', side: 'sell', type: 'limit', amount: 2, price: 104 });
    expect(plain.status).toBe('open');
    expect(exchange.onCandle('BTC/USDT', candle(2, 106, 107, 105, 106))[0]).toMatchObject({ price: 106, liquidity: 'taker' });
  });

  it('keeps a resting post-only order post-only across a restart', async () => {
    const { exchange } = await setup({ clientOrderId: 'p', symbol: 'BTC/USDT', side: 'buy', type: 'limit', amount: 1, price: 95, postOnly: true });
    exchange.onCandle('BTC/USDT', candle(1, 99, 100, 96, 98));
    const restored = createPaperExchange({ ...flat, makerFee: 0.0002, takerFee: 0.001, balances: {}, state: JSON.parse(JSON.stringify(exchange.snapshot())) });
    expect(await restored.fetchOrderByClientId('p', 'BTC/USDT')).toMatchObject({ status: 'open', postOnly: true });
    expect(restored.onCandle('BTC/USDT', candle(2, 93, 94, 90, 92))[0]).toMatchObject({ price: 93, liquidity: 'maker' });
  });

  it('fills a sell limit at the open when the candle gaps above it: a taker when it reaches the market there, a maker when it was resting on the book', async () => {
    const { exchange } = await setup({ clientOrderId: 'l', symbol: 'BTC/USDT', side: 'sell', type: 'limit', amount: 1, price: 105 });
    expect(exchange.onCandle('BTC/USDT', candle(1, 110, 112, 108, 111))[0]).toMatchObject({ price: 110, liquidity: 'taker' });
    const { exchange: resting } = await setup({ clientOrderId: 'r', symbol: 'BTC/USDT', side: 'sell', type: 'limit', amount: 1, price: 105 });
    expect(resting.onCandle('BTC/USDT', candle(1, 101, 104, 100, 103))).toEqual([]);
    const [fill] = resting.onCandle('BTC/USDT', candle(2, 110, 112, 108, 111));
    expect(fill).toMatchObject({ price: 110, liquidity: 'maker' });
    expect(fill!.fee.cost).toBeCloseTo(110 * 0.0002, 12);
  });

  it('triggers a stop-loss at its stop, or at the open when the candle gaps through it', async () => {
    const first = await setup({ clientOrderId: 's', symbol: 'BTC/USDT', side: 'sell', type: 'stop-loss', amount: 1, stopPrice: 95 });
    expect(first.exchange.onCandle('BTC/USDT', candle(1, 99, 100, 96, 97))).toEqual([]);
    expect(first.exchange.onCandle('BTC/USDT', candle(2, 97, 98, 93, 94))[0]).toMatchObject({ price: 95 });
    const gap = await setup({ clientOrderId: 's', symbol: 'BTC/USDT', side: 'sell', type: 'stop-loss', amount: 1, stopPrice: 95 });
    expect(gap.exchange.onCandle('BTC/USDT', candle(1, 90, 91, 88, 89))[0]).toMatchObject({ price: 90 });
  });

  it('triggers a sell take-profit when the high reaches it', async () => {
    const { exchange } = await setup({ clientOrderId: 't', symbol: 'BTC/USDT', side: 'sell', type: 'take-profit', amount: 1, stopPrice: 110 });
    expect(exchange.onCandle('BTC/USDT', candle(1, 101, 109, 100, 108))).toEqual([]);
    expect(exchange.onCandle('BTC/USDT', candle(2, 108, 115, 107, 112))[0]).toMatchObject({ price: 110 });
  });

  it('moves a trailing stop up with the highs and fires on the pull-back', async () => {
    const { exchange } = await setup({ clientOrderId: 'tr', symbol: 'BTC/USDT', side: 'sell', type: 'trailing-stop', amount: 1, trailingPercent: 0.1 });
    expect(exchange.onCandle('BTC/USDT', candle(1, 100, 120, 95, 118))).toEqual([]);
    expect(exchange.onCandle('BTC/USDT', candle(2, 118, 119, 109, 110))).toEqual([]);
    expect(exchange.onCandle('BTC/USDT', candle(3, 110, 111, 100, 101))[0]!.price).toBeCloseTo(108, 10);
  });

  it('turns a stop with a limit price into a limit order once triggered', async () => {
    const { exchange } = await setup({ clientOrderId: 'sl', symbol: 'BTC/USDT', side: 'buy', type: 'stop-loss', amount: 1, stopPrice: 105, price: 106 });
    expect(exchange.onCandle('BTC/USDT', candle(1, 108, 110, 107, 109))).toEqual([]);
    expect(exchange.onCandle('BTC/USDT', candle(2, 109, 109, 104, 105))[0]).toMatchObject({ price: 106, liquidity: 'maker' });
  });
});

describe('PaperExchange accounting', () => {
  it('tracks average entry, realised and unrealised PnL, peak and day-start equity', async () => {
    const exchange = createPaperExchange({ ...flat, fill: 'signal-close', takerFee: 0.01, balances: { USDT: 1_000 } });
    exchange.onCandle('BTC/USDT', candle(0, 100, 100, 100, 100));
    exchange.placeOrder({ clientOrderId: 'b1', symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 2 });
    exchange.onCandle('BTC/USDT', candle(1, 200, 200, 200, 200));
    exchange.placeOrder({ clientOrderId: 'b2', symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 1 });
    exchange.placeOrder({ clientOrderId: 's1', symbol: 'BTC/USDT', side: 'sell', type: 'market', amount: 1 });
    exchange.onCandle('BTC/USDT', candle(25, 150, 150, 150, 150));
    const portfolio = exchange.getPortfolio();
    const entry = (2 * 101 + 202) / 3;
    expect(portfolio.positions).toEqual([{ symbol: 'BTC/USDT', amount: 2, averageEntryPrice: entry, markPrice: 150, realizedPnl: 200 - entry - 2, unrealizedPnl: (150 - entry) * 2, openedAt: 0 }]);
    expect(portfolio.cash).toBeCloseTo(1_000 - 202 - 202 + 198, 9);
    expect(portfolio.equity).toBeCloseTo(portfolio.cash + 300, 9);
    expect(portfolio.peakEquity).toBeCloseTo(1_000 - 202 + 400, 9);
    expect(portfolio.dayStartEquity).toBeCloseTo(1_000 - 202 - 202 + 198 + 400, 9);
  });

  it('returns the same order for the same client order id and places nothing twice', async () => {
    const exchange = createPaperExchange({ balances: { USDT: 1_000 } });
    exchange.onCandle('BTC/USDT', candle(0, 100, 100, 100, 100));
    const first = exchange.placeOrder({ clientOrderId: 'same', symbol: 'BTC/USDT', side: 'buy', type: 'limit', amount: 1, price: 90 });
    const second = exchange.placeOrder({ clientOrderId: 'same', symbol: 'BTC/USDT', side: 'buy', type: 'limit', amount: 5, price: 80 });
    expect(second).toEqual(first);
    expect(await exchange.fetchOpenOrders()).toHaveLength(1);
    expect((await exchange.fetchBalance()).USDT!.used).toBeCloseTo(90 * 1.001, 9);
  });

  it('rounds to the market steps and refuses orders under the minimums before placing them', async () => {
    const exchange = createPaperExchange({ balances: { USDT: 1_000 }, markets: { 'BTC/USDT': { symbol: 'BTC/USDT', base: 'BTC', quote: 'USDT', amountStep: 0.001, priceStep: 0.01, minNotional: 10 } } });
    exchange.onCandle('BTC/USDT', candle(0, 100, 100, 100, 100));
    expect(exchange.placeOrder({ clientOrderId: 'r', symbol: 'BTC/USDT', side: 'buy', type: 'limit', amount: 0.12345, price: 90.1234 })).toMatchObject({ amount: 0.123, price: 90.12 });
    expect(() => exchange.placeOrder({ clientOrderId: 'small', symbol: 'BTC/USDT', side: 'buy', type: 'limit', amount: 0.05, price: 90 })).toThrow(/notional 4.5 is below the minimum 10/);
    expect(await exchange.fetchOrderByClientId('small', 'BTC/USDT')).toBeUndefined();
  });

  it('answers the synchronous calls the engine uses exactly as their asynchronous twins', async () => {
    const exchange = createPaperExchange({ ...flat, balances: { USDT: 10_000 }, volumeShare: 0.5 });
    exchange.onCandle('BTC/USDT', candle(0, 100, 100, 100, 100, 4));
    const order = exchange.placeOrder({ clientOrderId: 'p1', symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 5 });
    exchange.placeOrder({ clientOrderId: 'l1', symbol: 'BTC/USDT', side: 'buy', type: 'limit', amount: 1, price: 50 });
    expect(exchange.openOrderCount()).toBe((await exchange.fetchOpenOrders()).length);
    expect(exchange.openOrderCount()).toBe(2);
    exchange.onCandle('BTC/USDT', candle(1, 101, 101, 101, 101, 4));
    exchange.onCandle('BTC/USDT', candle(2, 102, 102, 102, 102, 4));
    exchange.onCandle('BTC/USDT', candle(3, 103, 103, 103, 103, 4));
    // Filled 2 + 2 + 1 over the next three candles (half of each candle's volume of 4).
    const fills = exchange.fillsOf('p1');
    expect(fills.map((fill) => fill.amount)).toEqual([2, 2, 1]);
    expect(fills).toEqual((await exchange.fetchFills('BTC/USDT')).filter((fill) => fill.clientOrderId === 'p1'));
    expect(exchange.orderByClientId('p1')).toEqual(await exchange.fetchOrderByClientId('p1', 'BTC/USDT'));
    expect(exchange.orderByClientId('p1')).toMatchObject({ id: order.id, status: 'filled', filled: 5 });
    expect(exchange.openOrderCount()).toBe(1);
    expect(exchange.fillsOf('unknown')).toEqual([]);
    expect(exchange.orderByClientId('unknown')).toBeUndefined();
    // Copies: changing what was returned changes nothing inside.
    fills[0]!.amount = 99;
    exchange.orderByClientId('p1')!.status = 'cancelled';
    expect(exchange.fillsOf('p1')[0]!.amount).toBe(2);
    expect(exchange.orderByClientId('p1')!.status).toBe('filled');
  });

  it('hands out the order of a fill at placement as it is, and nothing done to it reaches the exchange', async () => {
    const exchange = createPaperExchange({ ...flat, fill: 'signal-close', balances: { USDT: 10_000 } });
    exchange.onCandle('BTC/USDT', candle(0, 100, 100, 100, 100));
    const placed = exchange.placeOrder({ clientOrderId: 'at-once', symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 2 });
    const before = structuredClone(placed);
    expect(placed).toMatchObject({ status: 'filled', filled: 2 });
    // The caller scribbles on what it got: the exchange's order, its fills and its idempotency stay whole.
    Object.assign(placed, { clientOrderId: 'other', status: 'cancelled', filled: 0, createdAt: Number.MAX_SAFE_INTEGER });
    expect(exchange.orderByClientId('at-once')).toEqual(before);
    expect(exchange.fillsOf('at-once').map((fill) => fill.amount)).toEqual([2]);
    expect(exchange.fillsOf('other')).toEqual([]);
    expect(exchange.placeOrder({ clientOrderId: 'at-once', symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 2 })).toEqual(before);
    expect((await exchange.fetchFills()).length).toBe(1);
  });

  it('ignores a candle no newer than the last one of its symbol (a warm-up replayed after a restart): nothing moves, nothing fills twice', async () => {
    const options = { balances: { USDT: 100_000 }, volumeShare: 0.1 };
    const candleAt = (index: number, close: number): Candle => ({ timestamp: index * HOUR, open: close, high: close * 1.01, low: close * 0.99, close, volume: 1 });
    const exchange = createPaperExchange(options);
    exchange.onCandle('BTC/USDT', candleAt(0, 40_000));
    await exchange.createOrder({ clientOrderId: 'big', symbol: 'BTC/USDT', side: 'buy', type: 'limit', amount: 0.5, price: 40_000 });
    exchange.onCandle('BTC/USDT', candleAt(1, 39_900));
    exchange.onCandle('BTC/USDT', candleAt(2, 41_000));
    const saved = exchange.snapshot();
    expect(saved.fills.map((fill) => fill.amount)).toEqual([0.1]);
    const restarted = createPaperExchange({ ...options, state: saved });
    // The warm-up: an older high close (it would raise the peak equity) and the candle whose volume filled the order.
    for (const old of [candleAt(0, 40_000), candleAt(1, 39_900), candleAt(2, 41_000)]) expect(restarted.onCandle('BTC/USDT', old)).toEqual([]);
    expect(restarted.snapshot()).toEqual(saved);
    expect(restarted.onCandle('BTC/USDT', candleAt(3, 39_950)).map((fill) => [fill.clientOrderId, fill.amount])).toEqual([['big', 0.1]]);
    // Another symbol keeps its own last candle.
    expect(restarted.onCandle('ETH/USDT', candleAt(0, 2_000))).toEqual([]);
    expect(restarted.getPortfolio().timestamp).toBe(3 * HOUR);
  });

  it("follows the market-data source's market rules once loaded: rounds to its steps and refuses under its minimums, as that exchange would", async () => {
    let asked = 0;
    const rules = { symbol: 'BTC/USDT', base: 'BTC', quote: 'USDT', amountStep: 0.001, priceStep: 0.01, minAmount: 0.001, minNotional: 5 };
    const unused = () => Promise.reject(new Error('not used here'));
    const marketData = { fetchMarket: async () => (asked++, rules), fetchTicker: unused, fetchOrderBook: unused, fetchOHLCV: unused };
    const exchange = createPaperExchange({ ...flat, fill: 'signal-close', balances: { USDT: 10_000 }, marketData });
    exchange.onCandle('BTC/USDT', candle(0, 100, 100, 100, 100));
    // Before the rules are loaded, the synchronous path knows none; createOrder loads them itself.
    expect(exchange.placeOrder({ clientOrderId: 'raw', symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 0.12345 }).amount).toBe(0.12345);
    expect((await exchange.createOrder({ clientOrderId: 'rounded', symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 0.12345 })).amount).toBe(0.123);
    await expect(exchange.createOrder({ clientOrderId: 'tiny', symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 0.01 })).rejects.toMatchObject({ code: 'INVALID_ORDER', details: { rule: 'minNotional' } });
    // Loaded once; the engine's synchronous path follows them too.
    await exchange.loadMarkets(['BTC/USDT']);
    expect(exchange.placeOrder({ clientOrderId: 'sync', symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 0.2468 }).amount).toBe(0.246);
    expect(asked).toBe(1);
    // Rules given in the options win over the source's.
    const configured = createPaperExchange({ ...flat, balances: { USDT: 10_000 }, marketData, markets: { 'BTC/USDT': { ...rules, amountStep: 0.1 } } });
    configured.onCandle('BTC/USDT', candle(0, 100, 100, 100, 100));
    await configured.loadMarkets(['BTC/USDT']);
    expect(configured.placeOrder({ clientOrderId: 'mine', symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 0.25 }).amount).toBe(0.2);
    expect(asked).toBe(1);
  });

  it('asks again for market rules it could not load, with the next candles, until they are in', async () => {
    let answers = 0;
    const rules = { symbol: 'BTC/USDT', base: 'BTC', quote: 'USDT', amountStep: 0.001, priceStep: 0.01, minAmount: 0.001, minNotional: 5 };
    const unused = () => Promise.reject(new Error('not used here'));
    // Unreachable twice (the start, then the first candle's retry), then the rules.
    const marketData = { fetchMarket: async () => (answers++ < 2 ? Promise.reject(new ExchangeError('EXCHANGE_NETWORK', 'unreachable')) : rules), fetchTicker: unused, fetchOrderBook: unused, fetchOHLCV: unused };
    const exchange = createPaperExchange({ ...flat, fill: 'signal-close', balances: { USDT: 10_000 }, marketData });
    await expect(exchange.loadMarkets(['BTC/USDT'])).rejects.toMatchObject({ code: 'EXCHANGE_NETWORK' });
    exchange.onCandle('BTC/USDT', candle(0, 100, 100, 100, 100));
    await new Promise((resolve) => setImmediate(resolve));
    expect(exchange.placeOrder({ clientOrderId: 'raw', symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 0.12345 }).amount).toBe(0.12345);
    exchange.onCandle('BTC/USDT', candle(1, 100, 100, 100, 100));
    await new Promise((resolve) => setImmediate(resolve));
    expect(exchange.placeOrder({ clientOrderId: 'rounded', symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 0.12345 }).amount).toBe(0.123);
    // Loaded: no more asking.
    exchange.onCandle('BTC/USDT', candle(2, 100, 100, 100, 100));
    await new Promise((resolve) => setImmediate(resolve));
    expect(answers).toBe(3);
  });

  it('finds every order by its exchange id, also after a restart', async () => {
    const exchange = createPaperExchange({ ...flat, balances: { USDT: 10_000 } });
    exchange.onCandle('BTC/USDT', candle(0, 100, 100, 100, 100));
    const orders = [1, 2, 3].map((n) => exchange.placeOrder({ clientOrderId: `f${n}`, symbol: 'BTC/USDT', side: 'buy', type: 'limit', amount: 1, price: 90 - n }));
    for (const order of orders) expect(await exchange.fetchOrder(order.id, 'BTC/USDT')).toEqual(order);
    await expect(exchange.fetchOrder('paper-99', 'BTC/USDT')).rejects.toMatchObject({ code: 'ORDER_NOT_FOUND' });
    await expect(exchange.fetchOrder(orders[0]!.id, 'ETH/USDT')).rejects.toMatchObject({ code: 'ORDER_NOT_FOUND' });
    const restarted = createPaperExchange({ ...flat, state: exchange.snapshot() });
    expect(await restarted.cancelOrder(orders[1]!.id, 'BTC/USDT')).toMatchObject({ clientOrderId: 'f2', status: 'cancelled' });
    expect(restarted.openOrderCount()).toBe(2);
  });

  it('keeps closed orders and fills whole: by id, by client id, idempotent, not cancellable, through a restart', async () => {
    const exchange = createPaperExchange({ ...flat, fill: 'signal-close', balances: { USDT: 10_000 } });
    exchange.onCandle('BTC/USDT', candle(0, 100, 100, 100, 100));
    // Filled at once (closed on placement), a resting limit cancelled, a resting limit filled by a later candle.
    const filled = exchange.placeOrder({ clientOrderId: 'k1', symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 2, decisionId: 'dec-1' });
    const resting = exchange.placeOrder({ clientOrderId: 'k2', symbol: 'BTC/USDT', side: 'buy', type: 'limit', amount: 1, price: 80 });
    const cancelled = await exchange.cancelOrder(resting.id, 'BTC/USDT');
    exchange.placeOrder({ clientOrderId: 'k3', symbol: 'BTC/USDT', side: 'sell', type: 'limit', amount: 1, price: 110 });
    const later = exchange.onCandle('BTC/USDT', candle(1, 100, 115, 99, 112));
    const sold = (await exchange.fetchOrderByClientId('k3', 'BTC/USDT'))!;
    expect(sold).toMatchObject({ status: 'filled', averagePrice: 110 });
    for (const order of [filled, cancelled, sold]) {
      expect(await exchange.fetchOrder(order.id, 'BTC/USDT')).toStrictEqual(order);
      expect(exchange.orderByClientId(order.clientOrderId)).toStrictEqual(order);
      await expect(exchange.cancelOrder(order.id, 'BTC/USDT')).rejects.toMatchObject({ code: 'ORDER_NOT_FOUND' });
    }
    // The same client order id again returns the closed order and places nothing.
    expect(exchange.placeOrder({ clientOrderId: 'k1', symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 5 })).toStrictEqual(filled);
    const fills = await exchange.fetchFills();
    expect(fills).toHaveLength(2);
    expect(fills[1]).toStrictEqual(later[0]);
    expect(exchange.fillsOf('k1')).toStrictEqual([fills[0]]);
    expect(fills[0]).toMatchObject({ id: `${filled.id}-1`, orderId: filled.id, clientOrderId: 'k1', price: 100, amount: 2 });
    const restarted = createPaperExchange({ ...flat, fill: 'signal-close', state: JSON.parse(JSON.stringify(exchange.snapshot())) });
    for (const order of [filled, cancelled, sold]) expect(await restarted.fetchOrder(order.id, 'BTC/USDT')).toEqual(order);
    expect(await restarted.fetchFills()).toStrictEqual(fills);
    expect(JSON.stringify(restarted.snapshot())).toBe(JSON.stringify(exchange.snapshot()));
  });

  it('leaves out of a snapshot, on request, the orders closed before a time and their fills; restored from it, the account goes on the same', async () => {
    const settings = { ...flat, volumeShare: 0.1 };
    const exchange = createPaperExchange({ ...settings, balances: { USDT: 10_000 } });
    exchange.onCandle('BTC/USDT', candle(0, 100, 100, 100, 100));
    exchange.placeOrder({ clientOrderId: 'old-buy', symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 3 });
    exchange.placeOrder({ clientOrderId: 'old-cancelled', symbol: 'BTC/USDT', side: 'buy', type: 'limit', amount: 1, price: 50 });
    await exchange.cancelOrder(exchange.orderByClientId('old-cancelled')!.id, 'BTC/USDT');
    exchange.onCandle('BTC/USDT', candle(1, 100, 100, 99, 100));
    // Part filled early (a tenth of a thin candle) and still open: kept with its early fill.
    exchange.placeOrder({ clientOrderId: 'resting', symbol: 'BTC/USDT', side: 'sell', type: 'limit', amount: 2, price: 120 });
    exchange.onCandle('BTC/USDT', candle(2, 100, 121, 99, 110, 10));
    exchange.placeOrder({ clientOrderId: 'new-buy', symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 1 });
    exchange.onCandle('BTC/USDT', candle(3, 110, 112, 108, 111));
    expect(exchange.orderByClientId('resting')).toMatchObject({ status: 'partially-filled', filled: 1 });
    // Now is the latest candle's open (no clock): three hours; closed more than an hour ago goes.
    const recent = exchange.snapshot({ keepClosedFor: HOUR });
    expect(recent.orders.map((saved) => saved.order.clientOrderId)).toEqual(['resting', 'new-buy']);
    expect(recent.fills.map((fill) => fill.clientOrderId)).toEqual(['resting', 'new-buy']);
    const restored = createPaperExchange({ ...settings, state: JSON.parse(JSON.stringify(recent)) });
    const whole = createPaperExchange({ ...settings, state: JSON.parse(JSON.stringify(exchange.snapshot())) });
    for (const account of [restored, whole]) {
      account.placeOrder({ clientOrderId: 'after', symbol: 'BTC/USDT', side: 'sell', type: 'market', amount: 0.5 });
      account.onCandle('BTC/USDT', candle(4, 111, 125, 110, 115, 10));
    }
    expect(await restored.fetchBalance()).toEqual(await whole.fetchBalance());
    expect(restored.getPortfolio()).toEqual(whole.getPortfolio());
    expect(restored.orderByClientId('after')).toEqual(whole.orderByClientId('after'));
    expect(restored.orderByClientId('resting')).toEqual(whole.orderByClientId('resting'));
    expect(restored.orderByClientId('old-buy')).toBeUndefined();
    // A whole snapshot is what it was.
    expect(exchange.snapshot({})).toEqual(exchange.snapshot());
  });

  it('refuses invalid options naming the field', () => {
    expect(() => new PaperExchange({ takerFee: -1 })).toThrow(/takerFee/);
    expect(() => new PaperExchange({ slippage: { model: 'fixed', bps: -3 } })).toThrow(/slippage\.bps/);
  });

  it('uses the injected clock for order and fill times', async () => {
    const clock = new SimulatedClock(HOUR);
    const exchange = createPaperExchange({ ...flat, clock, balances: { USDT: 1_000 } });
    exchange.onCandle('BTC/USDT', candle(0, 100, 100, 100, 100));
    expect(exchange.placeOrder({ clientOrderId: 'c', symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 1 }).createdAt).toBe(HOUR);
    clock.set(2 * HOUR);
    expect(exchange.onCandle('BTC/USDT', candle(1, 100, 100, 100, 100))[0]!.timestamp).toBe(HOUR);
  });
});

describe('PaperExchange one-cancels-the-other', () => {
  const held = () => {
    const exchange = createPaperExchange({ ...flat, balances: { USDT: 1_000 } });
    exchange.onCandle('BTC/USDT', candle(0, 100, 100, 100, 100));
    exchange.placeOrder({ clientOrderId: 'entry', symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 2 });
    exchange.onCandle('BTC/USDT', candle(1, 100, 100, 100, 100));
    return exchange;
  };
  const pair = { symbol: 'BTC/USDT', amount: 2, stopLoss: { clientOrderId: 'sl', stopPrice: 90 }, takeProfit: { clientOrderId: 'tp', stopPrice: 120 } };

  it('reserves the holding once for both legs: a third sell finds nothing free', async () => {
    const exchange = held();
    const [stopLoss, takeProfit] = exchange.placeOcoOrder(pair);
    expect([stopLoss, takeProfit].map((order) => [order.type, order.status, order.stopPrice])).toEqual([['stop-loss', 'open', 90], ['take-profit', 'open', 120]]);
    expect((await exchange.fetchBalance()).BTC).toEqual({ free: 0, used: 2, total: 2 });
    expect(() => exchange.placeOrder({ clientOrderId: 'more', symbol: 'BTC/USDT', side: 'sell', type: 'market', amount: 1 })).toThrow(expect.objectContaining({ code: 'INSUFFICIENT_FUNDS' }));
    // Placed one by one, the second leg is refused: that is why the pair exists.
    const separate = held();
    separate.placeOrder({ clientOrderId: 'sl', symbol: 'BTC/USDT', side: 'sell', type: 'stop-loss', amount: 2, stopPrice: 90 });
    expect(() => separate.placeOrder({ clientOrderId: 'tp', symbol: 'BTC/USDT', side: 'sell', type: 'take-profit', amount: 2, stopPrice: 120 })).toThrow(expect.objectContaining({ code: 'INSUFFICIENT_FUNDS' }));
  });

  it('cancels the stop-loss when the take-profit fills, and sells the holding once', async () => {
    const exchange = held();
    exchange.placeOcoOrder(pair);
    const fills = exchange.onCandle('BTC/USDT', candle(2, 110, 125, 105, 121));
    expect(fills.map((fill) => [fill.clientOrderId, fill.amount, fill.price])).toEqual([['tp', 2, 120]]);
    expect(exchange.orderByClientId('sl')).toMatchObject({ status: 'cancelled', reason: 'one-cancels-the-other: tp filled', updatedAt: 2 * HOUR });
    expect(exchange.openOrderCount()).toBe(0);
    expect((await exchange.fetchBalance()).BTC).toEqual({ free: 0, used: 0, total: 0 });
    expect(exchange.onCandle('BTC/USDT', candle(3, 80, 85, 70, 75))).toEqual([]);
  });

  it('fills only the stop-loss when one candle reaches both (the cautious reading of a wide candle)', () => {
    const exchange = held();
    exchange.placeOcoOrder(pair);
    const fills = exchange.onCandle('BTC/USDT', candle(2, 100, 130, 80, 100));
    expect(fills.map((fill) => [fill.clientOrderId, fill.amount])).toEqual([['sl', 2]]);
    expect(exchange.orderByClientId('tp')!.status).toBe('cancelled');
    expect(exchange.holding('BTC/USDT')).toBe(0);
  });

  it('fills the leg the candle opens through, though the other is reached later in the candle: a gap up takes profit at the open, a gap down stops out at the open', () => {
    const up = held();
    up.placeOcoOrder(pair);
    // Opens at 125, over the take-profit (120), then falls through the stop-loss (90).
    expect(up.onCandle('BTC/USDT', candle(2, 125, 126, 85, 88)).map((fill) => [fill.clientOrderId, fill.amount, fill.price])).toEqual([['tp', 2, 125]]);
    expect(up.orderByClientId('sl')).toMatchObject({ status: 'cancelled', reason: 'one-cancels-the-other: tp filled' });
    const down = held();
    down.placeOcoOrder(pair);
    expect(down.onCandle('BTC/USDT', candle(2, 85, 126, 84, 121)).map((fill) => [fill.clientOrderId, fill.amount, fill.price])).toEqual([['sl', 2, 85]]);
    expect(down.orderByClientId('tp')!.status).toBe('cancelled');
  });

  it('cancels both legs when either is cancelled, releasing the holding', async () => {
    const exchange = held();
    const [, takeProfit] = exchange.placeOcoOrder(pair);
    await exchange.cancelOrder(takeProfit.id, 'BTC/USDT');
    expect(exchange.orderByClientId('sl')).toMatchObject({ status: 'cancelled', reason: 'one-cancels-the-other: tp cancelled' });
    expect((await exchange.fetchBalance()).BTC).toEqual({ free: 2, used: 0, total: 2 });
  });

  it('returns the same pair for the same request, refuses a reused id and a take-profit under the stop', () => {
    const exchange = held();
    const first = exchange.placeOcoOrder(pair);
    expect(exchange.placeOcoOrder(pair)).toEqual(first);
    expect(exchange.openOrderCount()).toBe(2);
    expect(() => exchange.placeOcoOrder({ ...pair, stopLoss: { clientOrderId: 'entry', stopPrice: 90 }, takeProfit: { clientOrderId: 'tp2', stopPrice: 120 } })).toThrow(/entry belongs to another order/);
    expect(() => exchange.placeOcoOrder({ ...pair, stopLoss: { clientOrderId: 'x1', stopPrice: 130 }, takeProfit: { clientOrderId: 'x2', stopPrice: 120 } })).toThrow(/takeProfit\.stopPrice/);
    expect(exchange.openOrderCount()).toBe(2);
  });

  it('keeps the pair across a restart', () => {
    const exchange = held();
    exchange.placeOcoOrder(pair);
    const restarted = createPaperExchange({ ...flat, state: JSON.parse(JSON.stringify(exchange.snapshot())) });
    expect(restarted.onCandle('BTC/USDT', candle(2, 95, 96, 85, 88)).map((fill) => fill.clientOrderId)).toEqual(['sl']);
    expect(restarted.orderByClientId('tp')!.status).toBe('cancelled');
    expect(restarted.openOrderCount()).toBe(0);
  });
});

describe('PaperExchange fill timing on any clock', () => {
  it('fills an order placed between two candles from the next candle handed in, never from a candle it was decided on', () => {
    // The wall clock of paper trading: the order is placed 1.5 s after candle 0 closed.
    const clock = new SimulatedClock(HOUR + 1_500);
    const exchange = createPaperExchange({ ...flat, clock, balances: { USDT: 1_000 } });
    exchange.onCandle('BTC/USDT', candle(0, 100, 100, 100, 100));
    exchange.placeOrder({ clientOrderId: 'm', symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 1 });
    // Candle 0 again (a stale repeat) does not fill it; candle 1 (opened 1.5 s before the order) does, at its open.
    expect(exchange.onCandle('BTC/USDT', candle(0, 100, 100, 100, 100))).toEqual([]);
    const [fill] = exchange.onCandle('BTC/USDT', candle(1, 101, 102, 100, 101));
    expect(fill).toMatchObject({ price: 101, timestamp: HOUR + 1_500 });
  });
});

describe('PaperExchange snapshot and restore', () => {
  it('continues after a restart with the same orders, balances and idempotency', async () => {
    const options = { ...flat, balances: { USDT: 1_000 } };
    const original = createPaperExchange(options);
    original.onCandle('BTC/USDT', candle(0, 100, 100, 100, 100));
    original.placeOrder({ clientOrderId: 'b', symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 2 });
    original.onCandle('BTC/USDT', candle(1, 100, 100, 100, 100));
    original.placeOrder({ clientOrderId: 'l', symbol: 'BTC/USDT', side: 'sell', type: 'limit', amount: 1, price: 120 });
    const saved = JSON.parse(JSON.stringify(original.snapshot())) as ReturnType<PaperExchange['snapshot']>;

    const restored = createPaperExchange({ ...options, state: saved });
    expect(await restored.fetchBalance()).toEqual(await original.fetchBalance());
    expect(restored.getPortfolio()).toEqual(original.getPortfolio());
    expect(restored.placeOrder({ clientOrderId: 'l', symbol: 'BTC/USDT', side: 'sell', type: 'limit', amount: 1, price: 120 }).id).toBe('paper-2');
    expect(restored.placeOrder({ clientOrderId: 'n', symbol: 'BTC/USDT', side: 'buy', type: 'limit', amount: 1, price: 50 }).id).toBe('paper-3');
    expect(restored.onCandle('BTC/USDT', candle(2, 110, 125, 105, 121))[0]).toMatchObject({ clientOrderId: 'l', price: 120 });
  });

  it('refuses a corrupted snapshot naming the field', () => {
    const state = createPaperExchange().snapshot();
    expect(() => createPaperExchange({ state: { ...state, balances: { USDT: { total: -5, used: 0 } } } })).toThrow(/balances\.USDT\.total/);
  });
});
