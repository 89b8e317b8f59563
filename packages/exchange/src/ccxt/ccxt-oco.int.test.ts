import { describe, expect, it, onTestFinished } from 'vitest';
import ccxt from 'ccxt';
import { isIaAgentsError, type OcoRequest } from '@ia-agents/core';
import { BINANCE_SPOT_EXCHANGE_INFO } from '../testing/binance-exchange-info.js';
import { startLocalBinance } from '../testing/local-binance.js';
import { CcxtExchange } from './ccxt-exchange.js';

const OCO_PATH = '/api/v3/orderList/oco';
const TOO_MANY = '{"code":-1003,"msg":"Too much request weight used; current limit is 6000 request weight per 1 MINUTE."}';

/** A Binance account holding 0.5 BTC at a last price of 100 USDT, behind the real ccxt client. */
async function connect(options: { attempts?: number; timeoutMs?: number } = {}) {
  const binance = await startLocalBinance();
  onTestFinished(binance.stop);
  binance.rest.balances.BTC = { free: 0.5, locked: 0 };
  const client = binance.createClient({ timeoutMs: options.timeoutMs ?? 2_000 });
  const sleeps: number[] = [];
  const exchange = new CcxtExchange({ client, attempts: options.attempts ?? 3, backoffMs: 100, sleep: async (ms) => void sleeps.push(ms), random: () => 0 });
  return { server: binance.rest, exchange, sleeps, client };
}

function oco(overrides: Partial<OcoRequest> = {}): OcoRequest {
  return { symbol: 'BTC/USDT', amount: 0.5, stopLoss: { clientOrderId: 'sl-1', stopPrice: 90 }, takeProfit: { clientOrderId: 'tp-1', stopPrice: 110 }, decisionId: 'decision-1', ...overrides };
}

async function failure(promise: Promise<unknown>): Promise<{ code: string; message: string; details: Record<string, unknown>; issues: unknown[] }> {
  try {
    await promise;
  } catch (error) {
    if (isIaAgentsError(error)) return { code: error.code, message: error.message, details: error.details, issues: error.issues };
    throw error;
  }
  throw new Error('expected a failure, the call resolved');
}

describe('CcxtExchange.createOcoOrder (Binance orderList/oco through the real ccxt client, against a local Binance)', () => {
  it('places both legs as one order list that reserves the holding once: a separate sell of it is refused', async () => {
    const { server, exchange } = await connect();
    expect(exchange.supportsOco).toBe(true);
    const [stopLoss, takeProfit] = await exchange.createOcoOrder(oco());

    expect(server.sent('POST', OCO_PATH)).toHaveLength(1);
    expect(server.sent('POST', OCO_PATH)[0]!.params).toMatchObject({
      symbol: 'BTCUSDT', side: 'SELL', quantity: '0.5', newOrderRespType: 'RESULT',
      aboveType: 'TAKE_PROFIT', aboveStopPrice: '110', aboveClientOrderId: 'tp-1',
      belowType: 'STOP_LOSS', belowStopPrice: '90', belowClientOrderId: 'sl-1',
    });
    expect(server.sent('POST', OCO_PATH)[0]!.params.signature).toMatch(/^[0-9a-f]{64}$/);
    const leg = { symbol: 'BTC/USDT', side: 'sell', amount: 0.5, filled: 0, remaining: 0.5, status: 'open', decisionId: 'decision-1' };
    expect(stopLoss).toMatchObject({ ...leg, clientOrderId: 'sl-1', type: 'stop-loss', stopPrice: 90 });
    expect(takeProfit).toMatchObject({ ...leg, clientOrderId: 'tp-1', type: 'take-profit', stopPrice: 110 });
    expect(stopLoss.id).not.toBe(takeProfit.id);

    // 0.5 BTC reserved for the two legs together, not 1 BTC.
    expect((await exchange.fetchBalance()).BTC).toEqual({ free: 0, used: 0.5, total: 0.5 });
    const separate = await failure(exchange.createOrder({ clientOrderId: 'separate-sell', symbol: 'BTC/USDT', side: 'sell', type: 'limit', amount: 0.5, price: 120 }));
    expect(separate.code).toBe('INSUFFICIENT_FUNDS');

    const open = await exchange.fetchOpenOrders('BTC/USDT');
    expect(open.map(({ clientOrderId, type, stopPrice, amount, status }) => ({ clientOrderId, type, stopPrice, amount, status }))).toEqual([
      { clientOrderId: 'sl-1', type: 'stop-loss', stopPrice: 90, amount: 0.5, status: 'open' },
      { clientOrderId: 'tp-1', type: 'take-profit', stopPrice: 110, amount: 0.5, status: 'open' },
    ]);
    expect(await exchange.fetchOrderByClientId('tp-1', 'BTC/USDT')).toMatchObject({ id: takeProfit.id, type: 'take-profit', stopPrice: 110, status: 'open' });
  });

  it.each([
    { leg: 'take-profit', price: 111, filled: 'tp-1', expired: 'sl-1' },
    { leg: 'stop-loss', price: 89, filled: 'sl-1', expired: 'tp-1' },
  ])('when the $leg fills, Binance cancels the other leg', async ({ price, filled, expired }) => {
    const { server, exchange } = await connect();
    await exchange.createOcoOrder(oco());
    server.tradeAt(price);

    expect(await exchange.fetchOrderByClientId(filled, 'BTC/USDT')).toMatchObject({ status: 'filled', filled: 0.5, remaining: 0 });
    expect(await exchange.fetchOrderByClientId(expired, 'BTC/USDT')).toMatchObject({ status: 'cancelled', filled: 0 });
    expect(await exchange.fetchOpenOrders('BTC/USDT')).toEqual([]);
    const balances = await exchange.fetchBalance();
    expect(balances.BTC).toBeUndefined();
    expect(balances.USDT!.total).toBeCloseTo(10_000 + 0.5 * price, 8);
  });

  it('cancelling one leg cancels the list and frees the holding once', async () => {
    const { exchange } = await connect();
    const [stopLoss] = await exchange.createOcoOrder(oco());
    expect((await exchange.cancelOrder(stopLoss.id, 'BTC/USDT')).status).toBe('cancelled');
    expect(await exchange.fetchOpenOrders('BTC/USDT')).toEqual([]);
    expect((await exchange.fetchBalance()).BTC).toEqual({ free: 0.5, used: 0, total: 0.5 });
  });

  it('is idempotent on the two client order ids: the same request again, or after a restart, returns the same two orders', async () => {
    const { server, exchange, client } = await connect();
    const first = await exchange.createOcoOrder(oco());
    expect((await exchange.createOcoOrder(oco())).map((order) => order.id)).toEqual(first.map((order) => order.id));

    // A new process (nothing remembered) finds both legs on the exchange by client order id.
    const restarted = new CcxtExchange({ client, attempts: 1 });
    const again = await restarted.createOcoOrder(oco());
    expect(again.map(({ id, clientOrderId, type, status }) => ({ id, clientOrderId, type, status }))).toEqual(first.map(({ id, clientOrderId, type, status }) => ({ id, clientOrderId, type, status })));
    expect(server.sent('GET', '/api/v3/order').map((request) => request.params.origClientOrderId)).toEqual(['sl-1', 'sl-1', 'tp-1']);
    expect(server.sent('POST', OCO_PATH)).toHaveLength(1);
    expect(server.orderLists).toHaveLength(1);
  });

  it('refuses a client order id that already names another order, sending nothing', async () => {
    const { server, exchange } = await connect();
    await exchange.createOrder({ clientOrderId: 'sl-1', symbol: 'BTC/USDT', side: 'buy', type: 'limit', amount: 0.1, price: 50 });
    const refused = await failure(exchange.createOcoOrder(oco()));
    expect(refused).toMatchObject({ code: 'INVALID_ORDER', details: { clientOrderId: 'sl-1', takeProfitClientOrderId: 'tp-1' } });
    expect(refused.message).toContain('client order id sl-1 belongs to order');
    expect(server.sent('POST', OCO_PATH)).toHaveLength(0);
  });

  it('rounds the amount down to the lot step and the prices to the tick before sending', async () => {
    const { server, exchange } = await connect();
    const [stopLoss, takeProfit] = await exchange.createOcoOrder(oco({ amount: 0.1234567, stopLoss: { clientOrderId: 'sl-r', stopPrice: 90.123 }, takeProfit: { clientOrderId: 'tp-r', stopPrice: 110.456 } }));
    expect(server.sent('POST', OCO_PATH)[0]!.params).toMatchObject({ quantity: '0.12345', belowStopPrice: '90.12', aboveStopPrice: '110.46' });
    expect([stopLoss.amount, stopLoss.stopPrice, takeProfit.stopPrice]).toEqual([0.12345, 90.12, 110.46]);
  });

  it.each([
    { why: 'under the lot step', request: oco({ amount: 0.000004 }), details: { rule: 'amountStep', amountStep: 0.00001 } },
    { why: 'under the minimum notional at the stop-loss', request: oco({ amount: 0.05 }), details: { rule: 'minNotional', notional: 4.5, minNotional: 5, clientOrderId: 'sl-1' } },
    { why: 'with both prices on one tick', request: oco({ stopLoss: { clientOrderId: 'sl-1', stopPrice: 99.996 }, takeProfit: { clientOrderId: 'tp-1', stopPrice: 99.999 } }), details: { rule: 'priceStep', stopLoss: 100, takeProfit: 100 } },
  ])('refuses an OCO $why before sending (INVALID_ORDER naming the rule)', async ({ request, details }) => {
    const { server, exchange } = await connect();
    expect(await failure(exchange.createOcoOrder(request))).toMatchObject({ code: 'INVALID_ORDER', details });
    expect(server.sent('POST', OCO_PATH)).toHaveLength(0);
  });

  it('refuses malformed input with VALIDATION_FAILED naming the field, before any request', async () => {
    const { server, exchange } = await connect();
    const inverted = await failure(exchange.createOcoOrder(oco({ stopLoss: { clientOrderId: 'sl-1', stopPrice: 120 } })));
    expect(inverted).toMatchObject({ code: 'VALIDATION_FAILED', issues: [{ path: ['takeProfit', 'stopPrice'], message: 'the take-profit (110) must be above the stop-loss (120)' }] });
    expect(inverted.message).toBe('Invalid OCO order request: takeProfit.stopPrice: the take-profit (110) must be above the stop-loss (120)');
    const negative = await failure(exchange.createOcoOrder({ ...oco(), amount: -1 }));
    expect(negative).toMatchObject({ code: 'VALIDATION_FAILED', issues: [{ path: ['amount'] }] });
    expect(server.requests).toEqual([]);
  });

  it('retries a 429 after its Retry-After and a 502 after looking the legs up, placing one list', async () => {
    const { server, exchange, sleeps } = await connect();
    await exchange.fetchMarket('BTC/USDT');
    server.faults.push(
      { path: OCO_PATH, method: 'POST', kind: 'status', status: 429, body: TOO_MANY, headers: { 'Retry-After': '2' } },
      { path: OCO_PATH, method: 'POST', kind: 'status', status: 502, body: 'Bad Gateway' },
    );
    const [stopLoss, takeProfit] = await exchange.createOcoOrder(oco());
    expect([stopLoss.status, takeProfit.status]).toEqual(['open', 'open']);
    expect(server.sent('POST', OCO_PATH)).toHaveLength(3);
    // Once before the first send, once after the 502 (it may have been placed); not after the 429, a refusal.
    expect(server.sent('GET', '/api/v3/order')).toHaveLength(2);
    expect(sleeps).toEqual([2_000, 200]);
    expect(server.orderLists).toHaveLength(1);
  });

  it('gives up on a rate limit that asks for longer than maxRetryAfterMs, with EXCHANGE_RATE_LIMITED', async () => {
    const { server, exchange, sleeps } = await connect();
    server.faults.push({ path: OCO_PATH, method: 'POST', kind: 'status', status: 429, body: TOO_MANY, headers: { 'Retry-After': '600' } });
    expect(await failure(exchange.createOcoOrder(oco()))).toMatchObject({ code: 'EXCHANGE_RATE_LIMITED', details: { operation: 'createOcoOrder', retryAfterMs: 600_000, clientOrderId: 'sl-1' } });
    expect(server.sent('POST', OCO_PATH)).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it.each([
    { fault: 'hang-after-accept' as const, timeoutMs: 300 },
    { fault: 'drop-after-accept' as const, timeoutMs: 2_000 },
  ])('looks the legs up by client order id after a $fault, and never sends the list twice', async ({ fault, timeoutMs }) => {
    const { server, exchange } = await connect({ timeoutMs });
    await exchange.fetchMarket('BTC/USDT');
    server.faults.push({ path: OCO_PATH, method: 'POST', kind: fault });
    const [stopLoss, takeProfit] = await exchange.createOcoOrder(oco());
    expect([stopLoss, takeProfit]).toMatchObject([{ clientOrderId: 'sl-1', type: 'stop-loss', stopPrice: 90, status: 'open', decisionId: 'decision-1' }, { clientOrderId: 'tp-1', type: 'take-profit', stopPrice: 110, status: 'open', decisionId: 'decision-1' }]);
    expect(server.sent('POST', OCO_PATH)).toHaveLength(1);
    expect(server.sent('GET', '/api/v3/order').map((request) => request.params.origClientOrderId)).toEqual(['sl-1', 'sl-1', 'tp-1']);
    expect(server.orderLists).toHaveLength(1);
  });

  it('reports ORDER_STATE_UNKNOWN, sending nothing more, when neither the send nor the lookup can be completed', async () => {
    const { server, exchange } = await connect({ attempts: 1 });
    await exchange.fetchMarket('BTC/USDT');
    // The first GET, the lookup before sending, finds nothing; the lookup after the drop fails.
    server.faults.push({ path: OCO_PATH, method: 'POST', kind: 'drop-after-accept' }, { path: '/api/v3/order', method: 'GET', kind: 'status', status: 503, body: '', after: 1 });
    expect(await failure(exchange.createOcoOrder(oco()))).toMatchObject({ code: 'ORDER_STATE_UNKNOWN', details: { clientOrderId: 'sl-1', takeProfitClientOrderId: 'tp-1' } });
    expect(server.sent('POST', OCO_PATH)).toHaveLength(1);
  });

  it('translates -2010 insufficient balance to INSUFFICIENT_FUNDS and a price relationship refusal to INVALID_ORDER, retrying neither', async () => {
    const { server, exchange } = await connect();
    expect((await failure(exchange.createOcoOrder(oco({ amount: 0.6 })))).code).toBe('INSUFFICIENT_FUNDS');
    // Binance wants take-profit > last price > stop-loss; the last price is 100.
    const relationship = await failure(exchange.createOcoOrder(oco({ stopLoss: { clientOrderId: 'sl-2', stopPrice: 101 }, takeProfit: { clientOrderId: 'tp-2', stopPrice: 110 } })));
    expect(relationship.code).toBe('INVALID_ORDER');
    expect(relationship.message).toContain('The relationship of the prices for the orders is not correct.');
    expect(server.sent('POST', OCO_PATH)).toHaveLength(2);
    expect(server.orderLists).toHaveLength(0);
  });

  it('fails with NOT_SUPPORTED, sending nothing, on a market where Binance allows no OCO', async () => {
    const { server, exchange } = await connect();
    const info = structuredClone(BINANCE_SPOT_EXCHANGE_INFO);
    info.symbols[0]!.ocoAllowed = false;
    server.responses.set('GET /api/v3/exchangeInfo', [info]);
    expect(await failure(exchange.createOcoOrder(oco()))).toMatchObject({ code: 'NOT_SUPPORTED', message: 'createOcoOrder BTC/USDT: BTC/USDT does not allow OCO orders (ocoAllowed is false); protect the position with the stop-loss alone', details: { operation: 'createOcoOrder', exchangeId: 'binance' } });
    expect(server.sent('POST', OCO_PATH)).toHaveLength(0);
  });
});

describe('CcxtExchange on an exchange without native OCO', () => {
  it('says so through supportsOco and fails createOcoOrder with NOT_SUPPORTED before any request', async () => {
    const client = new ccxt.kraken({ apiKey: 'key', secret: 'c2VjcmV0' });
    let requests = 0;
    client.fetch = async () => {
      requests += 1;
      throw new Error('no request expected');
    };
    const exchange = new CcxtExchange({ client, attempts: 1 });
    expect(exchange.supportsOco).toBe(false);
    const refused = await failure(exchange.createOcoOrder(oco()));
    expect(refused).toEqual({ code: 'NOT_SUPPORTED', message: 'createOcoOrder BTC/USDT: kraken has no one-cancels-the-other order through this adapter (supportsOco is false); protect the position with the stop-loss alone', details: { operation: 'createOcoOrder', exchangeId: 'kraken', symbol: 'BTC/USDT' }, issues: [] });
    expect(requests).toBe(0);
  });
});
