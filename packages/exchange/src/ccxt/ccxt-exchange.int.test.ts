import { describe, expect, it, onTestFinished } from 'vitest';
import { SimulatedClock, isIaAgentsError, type Candle } from '@ia-agents/core';
import { describeExchangeContract } from '../testing/exchange-contract.js';
import { startLocalBinance } from '../testing/local-binance.js';
import type { CcxtClient } from './ccxt-client.js';
import { CcxtExchange, createCcxtExchange } from './ccxt-exchange.js';
import { createPaperExchange } from '../paper/paper-exchange.js';

async function connect(options: { attempts?: number; timeoutMs?: number; ohlcvPageSize?: number; now?: number; maxRetryAfterMs?: number; random?: () => number } = {}) {
  // No jitter drawn unless a test gives a source: the other tests' delays are the plain doubling.
  const binance = await startLocalBinance();
  onTestFinished(binance.stop);
  const sleeps: number[] = [];
  const exchange = new CcxtExchange({ client: binance.createClient({ timeoutMs: options.timeoutMs ?? 2_000 }), attempts: options.attempts ?? 3, backoffMs: 100, sleep: async (ms) => void sleeps.push(ms), random: options.random ?? (() => 0), ...(options.ohlcvPageSize === undefined ? {} : { ohlcvPageSize: options.ohlcvPageSize }), ...(options.maxRetryAfterMs === undefined ? {} : { maxRetryAfterMs: options.maxRetryAfterMs }), ...(options.now === undefined ? {} : { clock: new SimulatedClock(options.now) }) });
  return { server: binance.rest, exchange, sleeps };
}

/**
 * ccxt's transport (its `fetchImplementation`: real HTTP to the local server) that can hand ccxt
 * the answers of concurrent requests at once, failures first, as when they arrive in one network
 * read: the success's headers then reach ccxt after the failure was thrown, before it is handled.
 */
function deliverTogether(client: CcxtClient) {
  let holding = 0;
  let held: { status: number; release: () => void }[] = [];
  const delivered: { status: number; retryAfter: string | null }[] = [];
  client.fetchImplementation = async (url: string, init: RequestInit & { timeout?: number; agent?: unknown }) => {
    const { timeout: _timeout, agent: _agent, ...request } = init;
    const response = await fetch(url, request);
    const answer = { status: response.status, statusText: response.statusText, headers: response.headers, body: await response.text() };
    if (holding > 0) {
      const released = new Promise<void>((release) => held.push({ status: answer.status, release }));
      if (held.length === holding) {
        for (const entry of held.sort((left, right) => right.status - left.status)) entry.release();
        [holding, held] = [0, []];
      }
      await released;
      delivered.push({ status: answer.status, retryAfter: answer.headers.get('retry-after') });
    }
    return { status: answer.status, statusText: answer.statusText, headers: answer.headers, text: async () => answer.body };
  };
  return { delivered, holdNext: (count: number) => void (holding = count) };
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'resolved';
  } catch (error) {
    return isIaAgentsError(error) ? error.code : String(error);
  }
}

describeExchangeContract('CcxtExchange against a local Binance', async () => {
  const { server, exchange } = await connect();
  // At 1,000 USDT the contract's 0.01 BTC orders clear Binance's 5 USDT minimum notional.
  server.price = 1_000;
  return { exchange, symbol: 'BTC/USDT', price: 1_000, settle: async () => {} };
});

describe('CcxtExchange (real ccxt against a local Binance REST server)', () => {
  it('reads the market rules from exchangeInfo and rounds before sending', async () => {
    const { server, exchange } = await connect();
    expect(await exchange.fetchMarket('BTC/USDT')).toEqual({ symbol: 'BTC/USDT', base: 'BTC', quote: 'USDT', amountStep: 0.00001, priceStep: 0.01, minAmount: 0.00001, minNotional: 5 });
    const order = await exchange.createOrder({ clientOrderId: 'round-1', symbol: 'BTC/USDT', side: 'buy', type: 'limit', amount: 0.1234567, price: 90.123 });
    expect(server.sent('POST', '/api/v3/order')[0]!.params).toMatchObject({ symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', quantity: '0.12345', price: '90.12', newClientOrderId: 'round-1' });
    expect(order).toMatchObject({ clientOrderId: 'round-1', status: 'open', amount: 0.12345, price: 90.12 });
  });

  it('refuses an order under the minimum notional before anything is sent', async () => {
    const { server, exchange } = await connect();
    expect(await codeOf(exchange.createOrder({ clientOrderId: 'tiny', symbol: 'BTC/USDT', side: 'buy', type: 'limit', amount: 0.01, price: 100 }))).toBe('INVALID_ORDER');
    expect(server.sent('POST', '/api/v3/order')).toHaveLength(0);
  });

  it('translates -2010 to INSUFFICIENT_FUNDS and -1013 to INVALID_ORDER without retrying', async () => {
    const { server, exchange } = await connect();
    expect(await codeOf(exchange.createOrder({ clientOrderId: 'big', symbol: 'BTC/USDT', side: 'buy', type: 'limit', amount: 500, price: 100 }))).toBe('INSUFFICIENT_FUNDS');
    server.faults.push({ path: '/api/v3/order', method: 'POST', kind: 'binance-error', code: -1013, msg: 'Filter failure: NOTIONAL' });
    expect(await codeOf(exchange.createOrder({ clientOrderId: 'filter', symbol: 'BTC/USDT', side: 'buy', type: 'limit', amount: 1, price: 100 }))).toBe('INVALID_ORDER');
    expect(server.sent('POST', '/api/v3/order')).toHaveLength(2);
  });

  it('retries 429 and 5xx with exponential backoff, then gives up with the right code', async () => {
    const { server, exchange, sleeps } = await connect();
    await exchange.fetchMarket('BTC/USDT');
    server.faults.push({ path: '/api/v3/account', kind: 'status', status: 429, body: '{"code":-1003,"msg":"Too many requests."}' }, { path: '/api/v3/account', kind: 'status', status: 503, body: 'Service Unavailable' });
    expect((await exchange.fetchBalance()).USDT).toEqual({ free: 10_000, used: 0, total: 10_000 });
    expect(server.sent('GET', '/api/v3/account')).toHaveLength(3);
    expect(sleeps).toEqual([100, 200]);
    server.faults.push(...[1, 2, 3].map(() => ({ path: '/api/v3/account', kind: 'status' as const, status: 429, body: '{"code":-1003,"msg":"Too many requests."}' })));
    expect(await codeOf(exchange.fetchBalance())).toBe('EXCHANGE_RATE_LIMITED');
  });

  it('translates a rejected key, a timeout and an unknown market, retrying only what may succeed', async () => {
    const { server, exchange, sleeps } = await connect({ timeoutMs: 200, attempts: 2 });
    await exchange.fetchMarket('BTC/USDT');
    server.faults.push({ path: '/api/v3/account', kind: 'status', status: 401, body: '{"code":-2015,"msg":"Invalid API-key, IP, or permissions for action."}' });
    const auth = await exchange.fetchBalance().catch((error: unknown) => error);
    expect(auth).toMatchObject({ code: 'EXCHANGE_AUTH', retryable: false, details: { operation: 'fetchBalance' } });
    expect(server.sent('GET', '/api/v3/account')).toHaveLength(1);
    server.faults.push({ path: '/api/v3/ticker/24hr', kind: 'hang' }, { path: '/api/v3/ticker/24hr', kind: 'hang' });
    expect(await codeOf(exchange.fetchTicker('BTC/USDT'))).toBe('TIMEOUT');
    expect(server.sent('GET', '/api/v3/ticker/24hr')).toHaveLength(2);
    expect(sleeps).toEqual([100]);
    expect(await codeOf(exchange.fetchMarket('DOGE/USDT'))).toBe('MARKET_NOT_FOUND');
  });

  it('times out a hanging call and retries it', async () => {
    const { server, exchange } = await connect({ timeoutMs: 300 });
    await exchange.fetchMarket('BTC/USDT');
    server.faults.push({ path: '/api/v3/ticker/24hr', kind: 'hang' });
    expect((await exchange.fetchTicker('BTC/USDT')).last).toBe(100);
    expect(server.sent('GET', '/api/v3/ticker/24hr')).toHaveLength(2);
  });

  it('looks an order up by origClientOrderId when the connection drops after the exchange accepted it, and never sends it twice', async () => {
    const { server, exchange } = await connect();
    await exchange.fetchMarket('BTC/USDT');
    server.faults.push({ path: '/api/v3/order', method: 'POST', kind: 'drop-after-accept' });
    const order = await exchange.createOrder({ clientOrderId: 'ambiguous-1', symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 0.5 });
    expect(server.sent('POST', '/api/v3/order')).toHaveLength(1);
    expect(server.sent('GET', '/api/v3/order').at(-1)!.params).toMatchObject({ origClientOrderId: 'ambiguous-1', symbol: 'BTCUSDT' });
    expect(order).toMatchObject({ clientOrderId: 'ambiguous-1', status: 'filled', filled: 0.5 });
    expect(server.orders).toHaveLength(1);
    expect((await exchange.createOrder({ clientOrderId: 'ambiguous-1', symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 0.5 })).id).toBe(order.id);
    expect(server.sent('POST', '/api/v3/order')).toHaveLength(1);
  });

  it('resends only after the exchange confirms it never saw the order', async () => {
    const { server, exchange } = await connect();
    await exchange.fetchMarket('BTC/USDT');
    server.faults.push({ path: '/api/v3/order', method: 'POST', kind: 'status', status: 502, body: 'Bad Gateway' });
    const order = await exchange.createOrder({ clientOrderId: 'lost-1', symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 0.2 });
    expect(server.sent('POST', '/api/v3/order')).toHaveLength(2);
    expect(server.orders.filter((candidate) => candidate.clientOrderId === 'lost-1')).toHaveLength(1);
    expect(order.status).toBe('filled');
  });

  it('reports ORDER_STATE_UNKNOWN when neither the send nor the lookup can be completed', async () => {
    const { server, exchange } = await connect({ attempts: 1 });
    await exchange.fetchMarket('BTC/USDT');
    // The first GET, the lookup before sending, finds nothing; the lookup after the drop fails.
    server.faults.push({ path: '/api/v3/order', method: 'POST', kind: 'drop-after-accept' }, { path: '/api/v3/order', method: 'GET', kind: 'status', status: 503, body: '', after: 1 });
    expect(await codeOf(exchange.createOrder({ clientOrderId: 'unknown-1', symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 0.1 }))).toBe('ORDER_STATE_UNKNOWN');
    expect(server.sent('POST', '/api/v3/order')).toHaveLength(1);
  });

  it('returns an order placed before a restart instead of placing it again, and sends nothing while that cannot be checked', async () => {
    const { server, exchange } = await connect({ attempts: 2 });
    const request = { clientOrderId: 'before-restart', symbol: 'BTC/USDT', side: 'buy' as const, type: 'market' as const, amount: 0.1 };
    const placed = await exchange.createOrder(request);
    // A new process (a new adapter, nothing remembered) retries the same decision.
    const restarted = new CcxtExchange({ client: exchange.client, attempts: 2, backoffMs: 0 });
    expect((await restarted.createOrder(request)).id).toBe(placed.id);
    expect(server.sent('POST', '/api/v3/order')).toHaveLength(1);

    const again = new CcxtExchange({ client: exchange.client, attempts: 2, backoffMs: 0 });
    server.faults.push(...[1, 2].map(() => ({ path: '/api/v3/order', method: 'GET', kind: 'status' as const, status: 503, body: '' })));
    expect(await codeOf(again.createOrder({ ...request, clientOrderId: 'while-down' }))).toBe('EXCHANGE_UNAVAILABLE');
    expect(server.sent('POST', '/api/v3/order')).toHaveLength(1);
  });

  it('refuses an amount below the lot step or a market order under the minimum notional (priced from the ticker) before sending', async () => {
    const { server, exchange } = await connect();
    const lot = await exchange.createOrder({ clientOrderId: 'dust', symbol: 'BTC/USDT', side: 'buy', type: 'limit', amount: 0.000004, price: 100 }).catch((error: unknown) => error);
    expect(lot).toMatchObject({ code: 'INVALID_ORDER', details: { rule: 'amountStep', amountStep: 0.00001 } });
    const notional = await exchange.createOrder({ clientOrderId: 'small-market', symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 0.01 }).catch((error: unknown) => error);
    expect(notional).toMatchObject({ code: 'INVALID_ORDER', details: { rule: 'minNotional', notional: 1, minNotional: 5 } });
    expect(server.sent('GET', '/api/v3/ticker/24hr')).toHaveLength(1);
    expect(server.sent('POST', '/api/v3/order')).toHaveLength(0);
  });

  it('looks an order up instead of resending it when the send timed out after the exchange accepted it', async () => {
    const { server, exchange } = await connect({ timeoutMs: 300 });
    await exchange.fetchMarket('BTC/USDT');
    server.faults.push({ path: '/api/v3/order', method: 'POST', kind: 'hang-after-accept' });
    const order = await exchange.createOrder({ clientOrderId: 'slow-1', symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 0.3 });
    expect(order).toMatchObject({ clientOrderId: 'slow-1', status: 'filled', filled: 0.3 });
    expect(server.sent('POST', '/api/v3/order')).toHaveLength(1);
    expect(server.orders).toHaveLength(1);
  });

  it('sends a post-only order as Binance LIMIT_MAKER and reads it back post-only; one that would take is refused as INVALID_ORDER, sent once', async () => {
    const { server, exchange } = await connect();
    const resting = await exchange.createOrder({ clientOrderId: 'maker-1', symbol: 'BTC/USDT', side: 'buy', type: 'limit', amount: 0.1, price: server.price * 0.95, postOnly: true });
    expect(server.sent('POST', '/api/v3/order')[0]!.params).toMatchObject({ type: 'LIMIT_MAKER', side: 'BUY', newClientOrderId: 'maker-1' });
    expect(resting).toMatchObject({ type: 'limit', postOnly: true, status: 'open' });
    expect(await exchange.fetchOrderByClientId('maker-1', 'BTC/USDT')).toMatchObject({ type: 'limit', postOnly: true, status: 'open' });
    const taking = exchange.createOrder({ clientOrderId: 'maker-2', symbol: 'BTC/USDT', side: 'buy', type: 'limit', amount: 0.1, price: server.price * 1.01, postOnly: true });
    await expect(taking).rejects.toMatchObject({ code: 'INVALID_ORDER', message: expect.stringContaining('Order would immediately match and take.') });
    expect(server.sent('POST', '/api/v3/order').map((request) => request.params.newClientOrderId)).toEqual(['maker-1', 'maker-2']);
  });

  it('reads a stop-loss placed by createOrder back as a stop-loss (ccxt folds Binance STOP_LOSS into market) and fills it at its trigger', async () => {
    const { server, exchange } = await connect();
    server.balances.BTC = { free: 0.2, locked: 0 };
    const placed = await exchange.createOrder({ clientOrderId: 'stop-1', symbol: 'BTC/USDT', side: 'sell', type: 'stop-loss', amount: 0.2, stopPrice: 90 });
    expect(server.sent('POST', '/api/v3/order')[0]!.params).toMatchObject({ type: 'STOP_LOSS', stopPrice: '90', quantity: '0.2', newClientOrderId: 'stop-1' });
    expect(placed).toMatchObject({ type: 'stop-loss', stopPrice: 90, status: 'open' });
    expect((await exchange.fetchOpenOrders('BTC/USDT')).map((order) => order.type)).toEqual(['stop-loss']);
    server.tradeAt(89.5);
    expect(await exchange.fetchOrder(placed.id, 'BTC/USDT')).toMatchObject({ type: 'stop-loss', status: 'filled', filled: 0.2 });
    expect((await exchange.fetchBalance()).USDT!.total).toBeCloseTo(10_000 + 0.2 * 89.5, 8);
  });

  it('places a trailing stop as Binance STOP_LOSS with trailingDelta, reads it back as a trailing stop, and fills it where the paper exchange does', async () => {
    const { server, exchange } = await connect();
    server.price = 100;
    server.balances.BTC = { free: 0.2, locked: 0 };
    const placed = await exchange.createOrder({ clientOrderId: 'trail-1', symbol: 'BTC/USDT', side: 'sell', type: 'trailing-stop', amount: 0.2, trailingPercent: 0.02 });
    const sent = server.sent('POST', '/api/v3/order')[0]!.params;
    expect(sent).toMatchObject({ symbol: 'BTCUSDT', side: 'SELL', type: 'STOP_LOSS', quantity: '0.2', trailingDelta: '200', newClientOrderId: 'trail-1' });
    expect(sent.stopPrice).toBeUndefined();
    expect(placed).toMatchObject({ type: 'trailing-stop', trailingPercent: 0.02, status: 'open' });
    expect(placed.stopPrice).toBeUndefined();
    // Up to 105 (the stop follows to 102.9), back to 103.5 (held), down to 102.8 (past 2 % under the high: fills).
    const path = [105, 103.5, 102.8];
    for (const price of path.slice(0, 2)) server.tradeAt(price);
    expect(await exchange.fetchOrderByClientId('trail-1', 'BTC/USDT')).toMatchObject({ type: 'trailing-stop', status: 'open' });
    server.tradeAt(path[2]!);
    expect(await exchange.fetchOrderByClientId('trail-1', 'BTC/USDT')).toMatchObject({ type: 'trailing-stop', trailingPercent: 0.02, status: 'filled', filled: 0.2 });
    expect((await exchange.fetchBalance()).USDT!.total).toBeCloseTo(10_000 + 0.2 * 102.8, 8);
    // The paper exchange, given the same prices as candles, fills the same order at the same price;
    // both also fire on a price exactly 2 % under the high (102.9, which 105 * 0.98 misses by rounding).
    const paperFills = (prices: number[]) => {
      const paper = createPaperExchange({ balances: { BTC: 0.2, USDT: 0 }, quoteCurrency: 'USDT', makerFee: 0, takerFee: 0, slippage: { model: 'fixed', bps: 0 }, volumeShare: null });
      const flat = (index: number, price: number): Candle => ({ timestamp: Date.UTC(2024, 0, 1) + index * 60_000, open: price, high: price, low: price, close: price, volume: 10 });
      paper.onCandle('BTC/USDT', flat(0, 100));
      paper.placeOrder({ clientOrderId: 'trail', symbol: 'BTC/USDT', side: 'sell', type: 'trailing-stop', amount: 0.2, trailingPercent: 0.02 });
      return prices.flatMap((price, index) => paper.onCandle('BTC/USDT', flat(index + 1, price))).map((fill) => [fill.price, fill.amount]);
    };
    expect(paperFills(path)).toEqual([[102.8, 0.2]]);
    server.balances.BTC = { free: 0.2, locked: 0 };
    server.price = 100;
    await exchange.createOrder({ clientOrderId: 'trail-2', symbol: 'BTC/USDT', side: 'sell', type: 'trailing-stop', amount: 0.2, trailingPercent: 0.02 });
    for (const price of [105, 102.9]) server.tradeAt(price);
    expect(await exchange.fetchOrderByClientId('trail-2', 'BTC/USDT')).toMatchObject({ status: 'filled', averagePrice: 102.9 });
    expect(paperFills([105, 102.9])).toEqual([[102.9, 0.2]]);
  });

  it('sends a trailing stop with a limit as STOP_LOSS_LIMIT, rounds the distance to whole BIPS, and refuses one outside the symbol\'s trailing range before sending', async () => {
    const { server, exchange } = await connect();
    server.price = 100;
    const placed = await exchange.createOrder({ clientOrderId: 'trail-buy', symbol: 'BTC/USDT', side: 'buy', type: 'trailing-stop', amount: 0.5, price: 101.5, trailingPercent: 0.01234 });
    expect(server.sent('POST', '/api/v3/order')[0]!.params).toMatchObject({ side: 'BUY', type: 'STOP_LOSS_LIMIT', price: '101.5', timeInForce: 'GTC', trailingDelta: '123' });
    expect(placed).toMatchObject({ type: 'trailing-stop', trailingPercent: 0.0123, price: 101.5, status: 'open' });
    await exchange.cancelOrder(placed.id, 'BTC/USDT');
    expect((await exchange.fetchBalance()).USDT).toEqual({ free: 10_000, used: 0, total: 10_000 });
    for (const [trailingPercent, side] of [[0.0005, 'sell'], [0.25, 'buy']] as const) {
      server.balances.BTC = { free: 1, locked: 0 };
      const refused = await exchange.createOrder({ clientOrderId: `trail-${side}-x`, symbol: 'BTC/USDT', side, type: 'trailing-stop', amount: 0.1, trailingPercent }).catch((error: unknown) => error);
      expect(refused).toMatchObject({ code: 'INVALID_ORDER', details: { rule: 'trailingDelta', trailingDelta: trailingPercent * 10_000 } });
      expect((refused as Error).message).toContain(`trailingPercent ${trailingPercent} (${trailingPercent * 10_000} BIPS) is outside BTC/USDT's trailing range 0.1 % to 20 %`);
    }
    expect(server.sent('POST', '/api/v3/order')).toHaveLength(1);
  });

  it('cancels once whatever happens to the answer: a cancel whose answer is lost and is sent again answers with the cancelled order; a second cancel is still ORDER_NOT_FOUND', async () => {
    const { server, exchange } = await connect();
    server.balances.BTC = { free: 1, locked: 0 };
    const resting = await exchange.createOrder({ clientOrderId: 'rest-1', symbol: 'BTC/USDT', side: 'sell', type: 'limit', amount: 0.5, price: 120 });
    // Binance cancels it, then the connection drops before the answer: the retry hears -2011.
    server.faults.push({ path: '/api/v3/order', method: 'DELETE', kind: 'drop-after-accept' });
    expect(await exchange.cancelOrder(resting.id, 'BTC/USDT')).toMatchObject({ clientOrderId: 'rest-1', status: 'cancelled' });
    expect(server.sent('DELETE', '/api/v3/order')).toHaveLength(2);
    expect(server.balances.BTC).toEqual({ free: 1, locked: 0 });
    // Asked again, separately: the order is not open.
    expect(await codeOf(exchange.cancelOrder(resting.id, 'BTC/USDT'))).toBe('ORDER_NOT_FOUND');
    // A filled order whose cancel is sent twice (the first answer lost) is not reported cancelled.
    const filled = await exchange.createOrder({ clientOrderId: 'mkt-1', symbol: 'BTC/USDT', side: 'sell', type: 'market', amount: 0.1 });
    server.faults.push({ path: '/api/v3/order', method: 'DELETE', kind: 'status', status: 502, body: 'Bad Gateway' });
    expect(await codeOf(exchange.cancelOrder(filled.id, 'BTC/USDT'))).toBe('ORDER_NOT_FOUND');
  });

  it('finds every fill since a time however old it is and however many there are (Binance answers 1000 trades a request, 24 hours apart at most)', async () => {
    const DAY = 86_400_000;
    const start = Date.UTC(2025, 0, 1);
    const { server, exchange } = await connect({ now: start + 4 * DAY });
    // Three fills over three days: a stop-loss resting since day 0 fills on day 3.
    for (const [index, day] of [0, 1.5, 3].entries()) {
      server.orderTime = start + day * DAY;
      await exchange.createOrder({ clientOrderId: `day-${index}`, symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 0.5 });
    }
    expect((await exchange.fetchFills('BTC/USDT', start)).map((fill) => [fill.clientOrderId, fill.timestamp])).toEqual([0, 1.5, 3].map((day, index) => [`day-${index}`, start + day * DAY]));
    // 1,200 more over the next half day: more than one answer holds.
    const template = server.orders.at(-1)!;
    for (let index = 0; index < 1_200; index += 1) server.orders.push({ ...template, orderId: 50_000 + index, clientOrderId: `many-${index}`, time: start + 3 * DAY + index * 10_000, updateTime: start + 3 * DAY + index * 10_000 });
    const fills = await exchange.fetchFills('BTC/USDT', start + DAY);
    expect(fills).toHaveLength(1_202);
    expect(fills.slice(0, 2).map((fill) => fill.clientOrderId)).toEqual(['day-1', 'day-2']);
    expect(new Set(fills.map((fill) => fill.id)).size).toBe(1_202);
    expect(fills.map((fill) => fill.timestamp)).toEqual([...fills.map((fill) => fill.timestamp)].sort((a, b) => a - b));
    // No request spanned more than a day.
    for (const request of server.sent('GET', '/api/v3/myTrades')) {
      if (request.params.startTime !== undefined) expect(Number(request.params.endTime) - Number(request.params.startTime)).toBeLessThan(DAY);
    }
    // Since an hour ago (a just-placed order): one request for that window.
    server.orderTime = start + 4 * DAY - 30 * 60_000;
    await exchange.createOrder({ clientOrderId: 'recent', symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 0.5 });
    const asked = server.sent('GET', '/api/v3/myTrades').length;
    expect((await exchange.fetchFills('BTC/USDT', start + 4 * DAY - 60 * 60_000)).map((fill) => fill.clientOrderId)).toEqual(['recent']);
    expect(server.sent('GET', '/api/v3/myTrades').slice(asked).map((request) => Number(request.params.startTime))).toEqual([start + 4 * DAY - 60 * 60_000]);
  });

  it('loads the markets again after a first load failed: one unreachable moment does not break the client for good', async () => {
    const { server, exchange } = await connect({ attempts: 2 });
    const hour = Date.UTC(2024, 0, 1);
    server.klines.set('BTCUSDT 1h', [{ timestamp: hour, open: 1, high: 1, low: 1, close: 1, volume: 1 }]);
    server.faults.push(...[1, 2].map(() => ({ path: '/api/v3/exchangeInfo', kind: 'status' as const, status: 503, body: '' })));
    expect(await codeOf(exchange.fetchOHLCV('BTC/USDT', '1h', hour))).toBe('EXCHANGE_UNAVAILABLE');
    // ccxt kept the failed load and failed every later call with it; the exchange is back now.
    expect(await exchange.fetchOHLCV('BTC/USDT', '1h', hour)).toHaveLength(1);
    expect(server.sent('GET', '/api/v3/exchangeInfo')).toHaveLength(3);
  });

  it('measures the clock again when Binance refuses a request for its timestamp (-1021), and places the order once', async () => {
    const { server, exchange } = await connect();
    // Binance's clock is 10 s behind this machine's: every signed request is "ahead of the server's time".
    server.clockOffsetMs = -10_000;
    const order = await exchange.createOrder({ clientOrderId: 'skewed', symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 0.5 });
    expect(order).toMatchObject({ clientOrderId: 'skewed', status: 'filled' });
    expect(server.orders.filter((placed) => placed.clientOrderId === 'skewed')).toHaveLength(1);
    expect(server.sent('GET', '/api/v3/time')).toHaveLength(1);
    // Signed with Binance's time from then on.
    expect(Object.keys(await exchange.fetchBalance())).toContain('USDT');
    expect(server.sent('GET', '/api/v3/time')).toHaveLength(1);
  });

  it('pages through a long OHLCV history even when the exchange returns fewer candles a request than asked', async () => {
    const HOUR = 3_600_000;
    const T0 = Date.UTC(2024, 0, 1);
    const candles: Candle[] = Array.from({ length: 2_500 }, (_, index) => ({ timestamp: T0 + index * HOUR, open: 100, high: 102, low: 99, close: 101, volume: 1 + index }));
    // The last candle is still forming at `now`.
    const { server, exchange } = await connect({ now: T0 + 2_499 * HOUR + 60_000, ohlcvPageSize: 1000 });
    server.klines.set('BTCUSDT 1h', candles);
    server.klinesPerRequest = 300; // as Coinbase or OKX cap their pages

    const all = await exchange.fetchOHLCV('BTC/USDT', '1h', T0);
    expect(all.map((candle) => candle.timestamp)).toEqual(candles.map((candle) => candle.timestamp));
    expect(all[1_234]).toEqual(candles[1_234]);
    const starts = server.sent('GET', '/api/v3/klines').map((request) => Number(request.params.startTime));
    // Each request starts just after the last candle received; the one that reaches the forming candle is the last.
    expect(starts).toEqual([T0, ...[1, 2, 3, 4, 5, 6, 7, 8].map((page) => T0 + (page * 300 - 1) * HOUR + 1)]);

    const limited = await exchange.fetchOHLCV('BTC/USDT', '1h', T0 + 100 * HOUR, 1_000);
    expect(limited.map((candle) => (candle.timestamp - T0) / HOUR)).toEqual(Array.from({ length: 1_000 }, (_, index) => 100 + index));
  });

  it('reaches a mirror or local server through apiUrl, loading markets the way ccxt does by default', async () => {
    const binance = await startLocalBinance();
    onTestFinished(binance.stop);
    const server = binance.rest;
    server.klines.set('BTCUSDT 1d', [{ timestamp: Date.UTC(2024, 0, 1), open: 42_000, high: 43_000, low: 41_000, close: 42_500, volume: 10 }]);
    const exchange = createCcxtExchange({ apiUrl: `${binance.restUrl}/`, attempts: 1 });
    expect(await exchange.fetchOHLCV('BTC/USDT', '1d', Date.UTC(2024, 0, 1))).toEqual([{ timestamp: Date.UTC(2024, 0, 1), open: 42_000, high: 43_000, low: 41_000, close: 42_500, volume: 10 }]);
    expect(server.requests.map((request) => request.path)).toEqual(expect.arrayContaining(['/api/v3/exchangeInfo', '/api/v3/klines']));
  });
});

describe('CcxtExchange and Retry-After (429 and 418 from a local Binance)', () => {
  const TOO_MANY = '{"code":-1003,"msg":"Too much request weight used; current limit is 6000 request weight per 1 MINUTE."}';
  const BANNED = '{"code":-1003,"msg":"Way too much request weight used; IP banned until 1704070800000."}';

  it('waits the Retry-After seconds when they are longer than the backoff, the backoff when shorter', async () => {
    const { server, exchange, sleeps } = await connect();
    await exchange.fetchMarket('BTC/USDT');
    server.faults.push(
      { path: '/api/v3/account', kind: 'status', status: 429, body: TOO_MANY, headers: { 'Retry-After': '3' } },
      { path: '/api/v3/account', kind: 'status', status: 418, body: BANNED, headers: { 'retry-after': '0' } },
    );
    expect((await exchange.fetchBalance()).USDT).toEqual({ free: 10_000, used: 0, total: 10_000 });
    expect(server.sent('GET', '/api/v3/account')).toHaveLength(3);
    // 3 s asked after the first attempt (backoff 100 ms); 0 s after the second (backoff 200 ms).
    expect(sleeps).toEqual([3_000, 200]);
  });

  it('jitters each backoff within its upper half, and never waits less than a Retry-After', async () => {
    const draws = [0.5, 0.8, 0.99];
    const { server, exchange, sleeps } = await connect({ attempts: 4, random: () => draws.shift()! });
    await exchange.fetchMarket('BTC/USDT');
    server.faults.push(
      { path: '/api/v3/account', kind: 'status', status: 503, body: 'Service Unavailable' },
      { path: '/api/v3/account', kind: 'status', status: 503, body: 'Service Unavailable' },
      { path: '/api/v3/account', kind: 'status', status: 429, body: TOO_MANY, headers: { 'Retry-After': '1' } },
    );
    await exchange.fetchBalance();
    // 100 and 200 ms less 0.5 x 0.5 and 0.5 x 0.8 of themselves; the third (400 ms less 49.5 %) is below the 1 s asked.
    expect(sleeps).toEqual([75, 120, 1_000]);
    expect(draws).toEqual([]);
  });

  it('fails at once with EXCHANGE_RATE_LIMITED naming the wait when Retry-After is longer than maxRetryAfterMs', async () => {
    const { server, exchange, sleeps } = await connect({ maxRetryAfterMs: 60_000 });
    await exchange.fetchMarket('BTC/USDT');
    server.faults.push({ path: '/api/v3/account', kind: 'status', status: 418, body: BANNED, headers: { 'Retry-After': '7200' } });
    const error = await exchange.fetchBalance().catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'EXCHANGE_RATE_LIMITED', retryable: true, details: { operation: 'fetchBalance', retryAfterMs: 7_200_000 } });
    expect((error as Error).message).toMatch(/binance asks to wait 120 min \(Retry-After\), longer than maxRetryAfterMs \(1 min\): not retrying$/);
    expect((error as Error).message).toContain('418');
    expect(server.sent('GET', '/api/v3/account')).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('reads a Retry-After given as an HTTP date against the injected clock', async () => {
    const now = Date.UTC(2024, 0, 1, 12, 0, 0);
    const { server, exchange, sleeps } = await connect({ now });
    await exchange.fetchMarket('BTC/USDT');
    server.faults.push({ path: '/api/v3/account', kind: 'status', status: 429, body: TOO_MANY, headers: { 'Retry-After': new Date(now + 5_000).toUTCString() } });
    await exchange.fetchBalance();
    expect(sleeps).toEqual([5_000]);
  });

  it('keeps the Retry-After in the error when the attempts run out', async () => {
    const { server, exchange, sleeps } = await connect({ attempts: 2 });
    await exchange.fetchMarket('BTC/USDT');
    server.faults.push(...['2', '4'].map((seconds) => ({ path: '/api/v3/ticker/24hr', kind: 'status' as const, status: 429, body: TOO_MANY, headers: { 'Retry-After': seconds } })));
    const error = await exchange.fetchTicker('BTC/USDT').catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'EXCHANGE_RATE_LIMITED', details: { operation: 'fetchTicker', symbol: 'BTC/USDT', retryAfterMs: 4_000 } });
    expect((error as Error).message).toMatch(/binance asks to wait 4 s \(Retry-After\)$/);
    expect(sleeps).toEqual([2_000]);
  });

  it("waits its own 429's Retry-After when a concurrent request's answer reaches ccxt in between (regression: it was read from ccxt's latest headers, the 200's)", async () => {
    const { server, exchange, sleeps } = await connect();
    const transport = deliverTogether(exchange.client);
    await exchange.fetchMarket('BTC/USDT');
    server.faults.push({ path: '/api/v3/account', kind: 'status', status: 429, body: TOO_MANY, headers: { 'Retry-After': '3' } });
    transport.holdNext(2);
    const [balance, ticker] = await Promise.all([exchange.fetchBalance(), exchange.fetchTicker('BTC/USDT')]);
    expect(transport.delivered).toEqual([{ status: 429, retryAfter: '3' }, { status: 200, retryAfter: null }]);
    expect(balance.USDT).toEqual({ free: 10_000, used: 0, total: 10_000 });
    expect(ticker.last).toBe(100);
    expect(server.sent('GET', '/api/v3/account')).toHaveLength(2);
    expect(sleeps).toEqual([3_000]);
  });

  it('sends a rate-limited order again only after the Retry-After, and places it once', async () => {
    const { server, exchange, sleeps } = await connect();
    await exchange.fetchMarket('BTC/USDT');
    server.faults.push({ path: '/api/v3/order', method: 'POST', kind: 'status', status: 429, body: TOO_MANY, headers: { 'Retry-After': '2' } });
    const order = await exchange.createOrder({ clientOrderId: 'limited-1', symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 0.1 });
    expect(order).toMatchObject({ clientOrderId: 'limited-1', status: 'filled', filled: 0.1 });
    expect(server.sent('POST', '/api/v3/order')).toHaveLength(2);
    expect(server.orders.filter((placed) => placed.clientOrderId === 'limited-1')).toHaveLength(1);
    expect(sleeps).toEqual([2_000]);
  });
});
