import { afterEach, describe, expect, it } from 'vitest';
import ccxt from 'ccxt';
import { isIaAgentsError } from '@ia-agents/core';
import { describeExchangeContract } from '../testing/exchange-contract.js';
import { CcxtExchange } from './ccxt-exchange.js';
import { FakeBinance } from '../testing/fake-binance-server.js';

async function connect(options: { attempts?: number; timeoutMs?: number } = {}) {
  const server = new FakeBinance();
  const base = await server.start();
  const client = new ccxt.binance({ apiKey: 'test-key', secret: 'test-secret', timeout: options.timeoutMs ?? 2_000, enableRateLimit: false, options: { fetchMarkets: { types: ['spot'] }, fetchCurrencies: false, fetchMargins: false } });
  const api = client.urls.api as Record<string, string>;
  for (const key of Object.keys(api)) api[key] = api[key]!.replace(/^https:\/\/[^/]+/, base);
  const sleeps: number[] = [];
  const exchange = new CcxtExchange({ client, attempts: options.attempts ?? 3, backoffMs: 100, sleep: async (ms) => void sleeps.push(ms) });
  return { server, exchange, sleeps };
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
  return { exchange, symbol: 'BTC/USDT', price: 1_000, settle: async () => {}, close: () => server.stop() };
});

describe('CcxtExchange (real ccxt against a local Binance REST server)', () => {
  let stop: (() => Promise<void>) | undefined;
  afterEach(async () => stop?.());

  it('reads the market rules from exchangeInfo and rounds before sending', async () => {
    const { server, exchange } = await connect();
    stop = () => server.stop();
    expect(await exchange.fetchMarket('BTC/USDT')).toEqual({ symbol: 'BTC/USDT', base: 'BTC', quote: 'USDT', amountStep: 0.00001, priceStep: 0.01, minAmount: 0.00001, minNotional: 5 });
    const order = await exchange.createOrder({ clientOrderId: 'round-1', symbol: 'BTC/USDT', side: 'buy', type: 'limit', amount: 0.1234567, price: 90.123 });
    expect(server.sent('POST', '/api/v3/order')[0]!.params).toMatchObject({ symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', quantity: '0.12345', price: '90.12', newClientOrderId: 'round-1' });
    expect(order).toMatchObject({ clientOrderId: 'round-1', status: 'open', amount: 0.12345, price: 90.12 });
  });

  it('refuses an order under the minimum notional before anything is sent', async () => {
    const { server, exchange } = await connect();
    stop = () => server.stop();
    expect(await codeOf(exchange.createOrder({ clientOrderId: 'tiny', symbol: 'BTC/USDT', side: 'buy', type: 'limit', amount: 0.01, price: 100 }))).toBe('INVALID_ORDER');
    expect(server.sent('POST', '/api/v3/order')).toHaveLength(0);
  });

  it('translates -2010 to INSUFFICIENT_FUNDS and -1013 to INVALID_ORDER without retrying', async () => {
    const { server, exchange } = await connect();
    stop = () => server.stop();
    expect(await codeOf(exchange.createOrder({ clientOrderId: 'big', symbol: 'BTC/USDT', side: 'buy', type: 'limit', amount: 500, price: 100 }))).toBe('INSUFFICIENT_FUNDS');
    server.faults.push({ path: '/api/v3/order', method: 'POST', kind: 'binance-error', code: -1013, msg: 'Filter failure: NOTIONAL' });
    expect(await codeOf(exchange.createOrder({ clientOrderId: 'filter', symbol: 'BTC/USDT', side: 'buy', type: 'limit', amount: 1, price: 100 }))).toBe('INVALID_ORDER');
    expect(server.sent('POST', '/api/v3/order')).toHaveLength(2);
  });

  it('retries 429 and 5xx with exponential backoff, then gives up with the right code', async () => {
    const { server, exchange, sleeps } = await connect();
    stop = () => server.stop();
    await exchange.fetchMarket('BTC/USDT');
    server.faults.push({ path: '/api/v3/account', kind: 'status', status: 429, body: '{"code":-1003,"msg":"Too many requests."}' }, { path: '/api/v3/account', kind: 'status', status: 503, body: 'Service Unavailable' });
    expect((await exchange.fetchBalance()).USDT).toEqual({ free: 10_000, used: 0, total: 10_000 });
    expect(server.sent('GET', '/api/v3/account')).toHaveLength(3);
    expect(sleeps).toEqual([100, 200]);
    server.faults.push(...[1, 2, 3].map(() => ({ path: '/api/v3/account', kind: 'status' as const, status: 429, body: '{"code":-1003,"msg":"Too many requests."}' })));
    expect(await codeOf(exchange.fetchBalance())).toBe('EXCHANGE_RATE_LIMITED');
  });

  it('times out a hanging call and retries it', async () => {
    const { server, exchange } = await connect({ timeoutMs: 300 });
    stop = () => server.stop();
    await exchange.fetchMarket('BTC/USDT');
    server.faults.push({ path: '/api/v3/ticker/24hr', kind: 'hang' });
    expect((await exchange.fetchTicker('BTC/USDT')).last).toBe(100);
    expect(server.sent('GET', '/api/v3/ticker/24hr')).toHaveLength(2);
  });

  it('looks an order up by origClientOrderId when the connection drops after the exchange accepted it, and never sends it twice', async () => {
    const { server, exchange } = await connect();
    stop = () => server.stop();
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
    stop = () => server.stop();
    await exchange.fetchMarket('BTC/USDT');
    server.faults.push({ path: '/api/v3/order', method: 'POST', kind: 'status', status: 502, body: 'Bad Gateway' });
    const order = await exchange.createOrder({ clientOrderId: 'lost-1', symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 0.2 });
    expect(server.sent('POST', '/api/v3/order')).toHaveLength(2);
    expect(server.orders.filter((candidate) => candidate.clientOrderId === 'lost-1')).toHaveLength(1);
    expect(order.status).toBe('filled');
  });

  it('reports ORDER_STATE_UNKNOWN when neither the send nor the lookup can be completed', async () => {
    const { server, exchange } = await connect({ attempts: 1 });
    stop = () => server.stop();
    await exchange.fetchMarket('BTC/USDT');
    // The first GET is the pre-send lookup (tolerated), the second the lookup after the drop.
    server.faults.push({ path: '/api/v3/order', method: 'POST', kind: 'drop-after-accept' }, ...[1, 2].map(() => ({ path: '/api/v3/order', method: 'GET', kind: 'status' as const, status: 503, body: '' })));
    expect(await codeOf(exchange.createOrder({ clientOrderId: 'unknown-1', symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 0.1 }))).toBe('ORDER_STATE_UNKNOWN');
    expect(server.sent('POST', '/api/v3/order')).toHaveLength(1);
  });
});
