/**
 * ccxt's own recorded Binance fixtures (fixtures/ccxt, provenance in its README) run against the
 * real ccxt client and our adapter, with a local server in place of api.binance.com.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it, onTestFinished } from 'vitest';
import { SimulatedClock } from '@ia-agents/core';
import { startLocalBinance } from '../testing/local-binance.js';
import { CcxtExchange } from './ccxt-exchange.js';

interface RequestCase { description: string; method: string; url: string; input: unknown[]; output?: string | null }
interface ResponseCase { description: string; method: string; input: unknown[]; httpResponse: unknown; parsedResponse: unknown }
const load = <T>(name: string): T => JSON.parse(readFileSync(new URL(`../../fixtures/ccxt/${name}`, import.meta.url), 'utf8')) as T;
const requestFile = load<{ skipKeys: string[]; methods: Record<string, RequestCase[]> }>('binance_request_spot_subset.json');
const responseFile = load<{ methods: Record<string, ResponseCase[]> }>('binance_response_spot_subset.json');

const NOW = 1_750_000_000_000;
async function connect() {
  const binance = await startLocalBinance();
  onTestFinished(binance.stop);
  binance.rest.balances = { USDT: { free: 1_000_000, locked: 0 }, BTC: { free: 10, locked: 0 }, LTC: { free: 10, locked: 0 } };
  const client = binance.createClient();
  const exchange = new CcxtExchange({ client, attempts: 1, clock: new SimulatedClock(NOW) });
  await client.loadMarkets();
  return { server: binance.rest, client, exchange };
}

/** Fixture arguments as ccxt's runner passes them: JSON null is an omitted argument. */
const args = (input: unknown[]) => input.map((value) => (value === null ? undefined : value));

/** Parameters of an urlencoded string without the keys that change on every call. */
function withoutSkipKeys(encoded: string): Record<string, string> {
  return Object.fromEntries([...new URLSearchParams(encoded)].filter(([key]) => !requestFile.skipKeys.includes(key)));
}

/** Unified calls that go through our adapter; the other fixtures run through ccxt with our configuration. */
const THROUGH_ADAPTER: Record<string, (exchange: CcxtExchange) => Promise<unknown>> = {
  'Spot limit buy order': (exchange) => exchange.createOrder({ clientOrderId: 'fixture-limit', symbol: 'LTC/USDT', side: 'buy', type: 'limit', amount: 0.2, price: 50 }),
  'Spot limit buy with postOnly': (exchange) => exchange.createOrder({ clientOrderId: 'fixture-maker', symbol: 'LTC/USDT', side: 'buy', type: 'limit', amount: 0.2, price: 50, postOnly: true }),
  'spot order with weird amount': (exchange) => exchange.createOrder({ clientOrderId: 'fixture-amount', symbol: 'BTC/USDT', side: 'buy', type: 'limit', amount: 0.0007856509959147719, price: 55_000 }),
  'spot order with weird price/amount': (exchange) => exchange.createOrder({ clientOrderId: 'fixture-price', symbol: 'LTC/USDT', side: 'buy', type: 'limit', amount: 0.4234234234, price: 55.324242343 }),
  'Spot cancelOrder': (exchange) => exchange.cancelOrder('464950', 'LTC/USDT'),
  'Spot fetchOrder': (exchange) => exchange.fetchOrder('465138', 'LTC/USDT'),
  'Spot one orders': (exchange) => exchange.fetchOpenOrders('LTC/USDT'),
  'Spot fetch balance': (exchange) => exchange.fetchBalance(),
  'Fetch OHLCV - spot': (exchange) => exchange.fetchOHLCV('BTC/USDT', '1m', 1699381234000, 5),
  'fetch spot orderbook': (exchange) => exchange.fetchOrderBook('BTC/USDT', 5),
  'spot orderbook': (exchange) => exchange.fetchOrderBook('BTC/USDT'),
  'spot ticker': (exchange) => exchange.fetchTicker('BTC/USDT'),
  'Spot fetchMyTrades': (exchange) => exchange.fetchFills('LTC/USDT'),
};

// The linear (USDⓈ-M futures) case needs futures markets, which a spot-only client never loads.
const requestCases = Object.values(requestFile.methods).flat().filter((entry) => !entry.url.includes('fapi.binance.com'));

describe('request building: ccxt recorded Binance requests', () => {
  it('covers every call our adapter makes', () => {
    expect(requestCases.filter((entry) => entry.description in THROUGH_ADAPTER).map((entry) => entry.description).sort()).toEqual(Object.keys(THROUGH_ADAPTER).sort());
  });

  it.each(requestCases.map((entry) => [`${entry.method}: ${entry.description}`, entry] as const))('%s', async (_name, entry) => {
    const { server, client, exchange } = await connect();
    const expected = new URL(entry.url);
    const viaAdapter = THROUGH_ADAPTER[entry.description];
    const call = viaAdapter !== undefined ? viaAdapter(exchange) : (client as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>)[entry.method]!(...args(entry.input));
    // What the server answers is beside the point here; the response tests check parsing.
    await call.catch(() => undefined);
    const sent = server.requests.filter((request) => request.path === expected.pathname).at(-1);
    expect(sent, `no request reached ${expected.pathname}`).toBeDefined();
    expect(withoutSkipKeys(sent!.query)).toEqual(withoutSkipKeys(expected.search.slice(1)));
    expect(withoutSkipKeys(sent!.body)).toEqual(withoutSkipKeys(entry.output ?? ''));
    if (entry.method === 'createOrder' && viaAdapter !== undefined) expect(sent!.method).toBe('POST');
  });
});

/** ccxt's unified values without the keys it leaves empty (its runner treats null and undefined alike). */
function defined(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(defined);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== null && entry !== undefined).map(([key, entry]) => [key, defined(entry)]));
}

const responseCases = Object.values(responseFile.methods).flat();
const responseCase = (description: string): ResponseCase => responseCases.find((entry) => entry.description === description)!;
const PATHS: Record<string, string> = { createOrder: 'POST /api/v3/order', fetchOrder: 'GET /api/v3/order', fetchOpenOrders: 'GET /api/v3/openOrders', fetchMyTrades: 'GET /api/v3/myTrades', fetchBalance: 'GET /api/v3/account', fetchOHLCV: 'GET /api/v3/klines', fetchOrderBook: 'GET /api/v3/depth', fetchOrders: 'GET /api/v3/allOrders', fetchTrades: 'GET /api/v3/aggTrades', fetchTicker: 'GET /api/v3/ticker/24hr' };

describe('response parsing: ccxt recorded Binance responses', () => {
  const spotCases = responseCases.filter((entry) => !String(entry.input[0]).includes(':'));

  it.each(spotCases.map((entry) => [`ccxt parses ${entry.method}: ${entry.description} as recorded`, entry] as const))('%s', async (_name, entry) => {
    const { server, client } = await connect();
    server.responses.set(PATHS[entry.method]!, [entry.httpResponse]);
    const parsed = await (client as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>)[entry.method]!(...args(entry.input));
    expect(defined(JSON.parse(JSON.stringify(parsed)))).toEqual(defined(entry.parsedResponse));
  });

  it('createOrder: a resting limit order', async () => {
    const { server, exchange } = await connect();
    server.responses.set('POST /api/v3/order', [responseCase('spot +selfTradePrevention +iceberg').httpResponse]);
    const order = await exchange.createOrder({ clientOrderId: 'x-R4BD3S824d31be3228a348eaa0a303', symbol: 'SOL/USDT', side: 'buy', type: 'limit', amount: 0.05, price: 241 });
    expect(order).toEqual({ id: '9780331417', clientOrderId: 'x-R4BD3S824d31be3228a348eaa0a303', symbol: 'SOL/USDT', side: 'buy', type: 'limit', amount: 0.05, filled: 0, remaining: 0.05, status: 'open', createdAt: 1737635557417, updatedAt: 1737635557417, price: 241 });
  });

  it('fetchOrder: a filled market sell with its average price', async () => {
    const { server, exchange } = await connect();
    server.responses.set('GET /api/v3/order', [responseCase('Fetch spot closed order').httpResponse]);
    expect(await exchange.fetchOrder('3397148653', 'LTC/USDT')).toEqual({
      id: '3397148653', clientOrderId: 'x-R4BD3S825806ed40c861260428a48c', symbol: 'LTC/USDT', side: 'sell', type: 'market', amount: 0.1, filled: 0.1, remaining: 0, status: 'filled', createdAt: 1679571174472, updatedAt: 1679571174472, price: 90.8, averagePrice: 90.8,
    });
  });

  it('fetchOpenOrders: a LIMIT_MAKER order is a post-only limit order', async () => {
    const { server, exchange } = await connect();
    server.responses.set('GET /api/v3/openOrders', [responseCase('Fetch spot open orders').httpResponse]);
    expect(await exchange.fetchOpenOrders('LTC/USDT')).toEqual([{ id: '3811057334', clientOrderId: 'x-R4BD3S82102a551f8c1642bba06728', symbol: 'LTC/USDT', side: 'buy', type: 'limit', amount: 0.2, filled: 0, remaining: 0.2, status: 'open', createdAt: 1699380855570, updatedAt: 1699380855570, price: 50, postOnly: true }]);
  });

  it('cancelOrder: a CANCELED order (the recorded fetchOrders body) is cancelled', async () => {
    const { server, exchange } = await connect();
    server.responses.set('DELETE /api/v3/order', [(responseCase('fetch spot orders').httpResponse as unknown[])[0]]);
    expect(await exchange.cancelOrder('3854801792', 'LTC/USDT')).toEqual({ id: '3854801792', clientOrderId: 'x-R4BD3S82d1481ae59ba59326d82c8a', symbol: 'LTC/USDT', side: 'buy', type: 'limit', amount: 0.1, filled: 0, remaining: 0.1, status: 'cancelled', createdAt: 1701856395927, updatedAt: 1706883268013, price: 50 });
  });

  it('fetchBalance: assets with a balance, free/used/total', async () => {
    const { server, exchange } = await connect();
    server.responses.set('GET /api/v3/account', [responseCase('Spot balance').httpResponse]);
    expect(await exchange.fetchBalance()).toEqual({ LTC: { free: 0.919741, used: 0, total: 0.919741 }, ETH: { free: 0.02229833, used: 0, total: 0.02229833 } });
  });

  it('fetchOHLCV: 12-field klines become candles', async () => {
    const { server, exchange } = await connect();
    server.responses.set('GET /api/v3/klines', [responseCase('Spot OHLCV with since and limit').httpResponse]);
    expect(await exchange.fetchOHLCV('BTC/USDT', '1h', 1706628191000, 3)).toEqual([
      { timestamp: 1706630400000, open: 43519.34, high: 43936, low: 43171, close: 43488.71, volume: 20.55495 },
      { timestamp: 1706634000000, open: 43488.71, high: 43832.08, low: 43084, close: 43374.8, volume: 21.80865 },
      { timestamp: 1706637600000, open: 43374.81, high: 44048, low: 43062, close: 43361.11, volume: 23.66547 },
    ]);
  });

  it('fetchOrderBook: levels as numbers, stamped with our clock (Binance sends no time)', async () => {
    const { server, exchange } = await connect();
    server.responses.set('GET /api/v3/depth', [responseCase('spot orderbook').httpResponse]);
    expect(await exchange.fetchOrderBook('BTC/USDT', 2)).toEqual({ symbol: 'BTC/USDT', timestamp: NOW, bids: [[42574.3, 0.0107], [42574.2, 0.00646]], asks: [[42574.31, 0.0087], [42574.8, 0.00893]] });
  });

  it('fetchFills: a recorded trade becomes a fill; its client order id is looked up once by order id', async () => {
    const { server, exchange } = await connect();
    server.responses.set('GET /api/v3/myTrades', [responseCase('Spot private trade').httpResponse]);
    // The recorded order body, as the trade's order (3784695242) placed by someone else.
    const order = { ...(responseCase('Fetch spot closed order').httpResponse as Record<string, unknown>), orderId: '3784695242', clientOrderId: 'placed-elsewhere' };
    server.responses.set('GET /api/v3/order', [order]);
    const fill = { id: '309520010', orderId: '3784695242', clientOrderId: 'placed-elsewhere', symbol: 'LTC/USDT', side: 'sell', price: 69.63, amount: 0.2, fee: { cost: 0.013926, currency: 'USDT' }, liquidity: 'taker', timestamp: 1698138992358 };
    expect(await exchange.fetchFills('LTC/USDT')).toEqual([fill]);
    expect(server.sent('GET', '/api/v3/order').map((request) => request.params.orderId)).toEqual(['3784695242']);
    server.responses.set('GET /api/v3/myTrades', [responseCase('Spot private trade').httpResponse]);
    expect(await exchange.fetchFills('LTC/USDT')).toEqual([fill]);
    expect(server.sent('GET', '/api/v3/order')).toHaveLength(1);
  });

  it('fetchTicker: last, bid, ask, 24 h volume and change', async () => {
    const { server, exchange } = await connect();
    server.responses.set('GET /api/v3/ticker/24hr', [responseCase('public spot ticker').httpResponse]);
    expect(await exchange.fetchTicker('BTC/USDT')).toEqual({ symbol: 'BTC/USDT', timestamp: 1710328245391, last: 73369.84, bid: 73369.83, ask: 73369.84, baseVolume: 72140.348628, percentage: 1.647 });
  });
});
