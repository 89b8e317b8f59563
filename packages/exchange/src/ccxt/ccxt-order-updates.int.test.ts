/**
 * CcxtExchange.watchOrderUpdates: the account's order changes through the real ccxt pro client's
 * `watchOrders`, which on Binance spot subscribes over the WebSocket API with a signed
 * `userDataStream.subscribe.signature`, against the local Binance (its REST orders push
 * executionReports to the stream).
 */
import ccxt from 'ccxt';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { OrderUpdate } from '@ia-agents/core';
import { startLocalBinance } from '../testing/local-binance.js';
import { createLocalBinanceClient } from '../testing/local-binance-client.js';
import { CcxtExchange } from './ccxt-exchange.js';
import type { StreamReconnect } from './reconnecting-watch.js';

async function connect(options: { secret?: string } = {}) {
  const binance = await startLocalBinance();
  onTestFinished(binance.stop);
  binance.rest.price = 100;
  const client = binance.createClient();
  if (options.secret !== undefined) client.secret = options.secret;
  const reconnects: StreamReconnect[] = [];
  const exchange = new CcxtExchange({ client, attempts: 2, backoffMs: 5, random: () => 0, onReconnect: (reconnect) => void reconnects.push(reconnect) });
  const controller = new AbortController();
  const updates: OrderUpdate[] = [];
  const following = (async () => {
    for await (const update of exchange.watchOrderUpdates({ signal: controller.signal })) updates.push(update);
  })();
  onTestFinished(async () => {
    controller.abort();
    await following.catch(() => undefined);
  });
  return { binance, exchange, updates, reconnects, following, stop: () => controller.abort() };
}

const until = async (done: () => boolean) => {
  for (let attempt = 0; attempt < 300 && !done(); attempt += 1) await new Promise((resolve) => setTimeout(resolve, 10));
};

describe('CcxtExchange.watchOrderUpdates (ccxt pro watchOrders, local Binance WebSocket API)', () => {
  it('subscribes with a signed request and yields each change of the account orders: placed, filled, cancelled, with client order id, symbol, status, the trade and the order as a REST read gives it', async () => {
    const { binance, exchange, updates } = await connect();
    expect(exchange.supportsOrderUpdates).toBe(true);
    await binance.ws.userDataSubscribed();
    await exchange.createOrder({ symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 1, clientOrderId: 'entry-o' });
    const resting = await exchange.createOrder({ symbol: 'BTC/USDT', side: 'sell', type: 'limit', amount: 0.5, price: 120, clientOrderId: 'exit-o' });
    await exchange.cancelOrder(resting.id, 'BTC/USDT');
    await until(() => updates.length === 3);
    // The trade comes with its update, as fetchFills returns it, and the order as fetchOrderByClientId
    // reads it then (the engine records both without asking).
    const [bought] = await exchange.fetchFills('BTC/USDT');
    expect(bought).toMatchObject({ clientOrderId: 'entry-o', side: 'buy', amount: 1, price: 100, fee: { cost: 0, currency: 'BTC' } });
    const read = (clientOrderId: string) => exchange.fetchOrderByClientId(clientOrderId, 'BTC/USDT');
    expect(updates).toEqual([
      { clientOrderId: 'entry-o', symbol: 'BTC/USDT', status: 'filled', fill: bought, order: await read('entry-o'), resumed: false },
      { clientOrderId: 'exit-o', symbol: 'BTC/USDT', status: 'open', order: resting, resumed: false },
      { clientOrderId: 'exit-o', symbol: 'BTC/USDT', status: 'cancelled', order: await read('exit-o'), resumed: false },
    ]);
    expect(binance.ws.requests).toMatchObject([{ method: 'userDataStream.subscribe.signature', connection: 1 }]);
  });

  it('states stop-loss, take-profit and trailing-stop orders as a REST read does (their Binance type, the trailing distance), without the last trade\'s commission as the order\'s fee', async () => {
    const { binance, exchange, updates } = await connect();
    await binance.ws.userDataSubscribed();
    await exchange.createOrder({ symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 3, clientOrderId: 'held-o' });
    const placed = [
      await exchange.createOrder({ symbol: 'BTC/USDT', side: 'sell', type: 'stop-loss', amount: 1, stopPrice: 90, clientOrderId: 'sl-o' }),
      await exchange.createOrder({ symbol: 'BTC/USDT', side: 'sell', type: 'take-profit', amount: 1, stopPrice: 110, clientOrderId: 'tp-o' }),
      await exchange.createOrder({ symbol: 'BTC/USDT', side: 'sell', type: 'trailing-stop', amount: 1, trailingPercent: 0.02, clientOrderId: 'ts-o' }),
    ];
    expect(placed.map((order) => order.type)).toEqual(['stop-loss', 'take-profit', 'trailing-stop']);
    await until(() => updates.length === 4);
    for (const order of placed) expect(updates.find((update) => update.clientOrderId === order.clientOrderId)!.order).toEqual(await exchange.fetchOrderByClientId(order.clientOrderId, 'BTC/USDT'));
    // The market falls through the stop-loss: its update states the filled order, as read then.
    binance.rest.tradeAt(89);
    await until(() => updates.some((update) => update.clientOrderId === 'sl-o' && update.status === 'filled'));
    const filled = updates.find((update) => update.clientOrderId === 'sl-o' && update.status === 'filled')!;
    expect(filled.order).toEqual(await exchange.fetchOrderByClientId('sl-o', 'BTC/USDT'));
    expect(filled.order).toMatchObject({ type: 'stop-loss', status: 'filled', filled: 1 });
    expect(filled.order!.fee).toBeUndefined();
  });

  it('after the socket drops: reports the reconnection, yields resumed, subscribes again on a new connection and streams on', async () => {
    const { binance, exchange, updates, reconnects } = await connect();
    await binance.ws.userDataSubscribed();
    binance.ws.dropConnections();
    await until(() => updates.length === 1);
    expect(updates).toEqual([{ resumed: true }]);
    expect(reconnects).toMatchObject([{ operation: 'watchOrders', symbol: '', attempt: 1, delayMs: 5 }]);
    expect(reconnects[0]!.error.code).toBe('EXCHANGE_NETWORK');
    await binance.ws.userDataSubscribed(2);
    await exchange.createOrder({ symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 1, clientOrderId: 'after-o' });
    await until(() => updates.length === 2);
    expect(updates[1]).toEqual({ clientOrderId: 'after-o', symbol: 'BTC/USDT', status: 'filled', fill: (await exchange.fetchFills('BTC/USDT'))[0], order: await exchange.fetchOrderByClientId('after-o', 'BTC/USDT'), resumed: false });
    expect(binance.ws.requests.map((request) => request.connection)).toEqual([1, 2]);
  });

  it('fails at once, without reconnecting, when Binance refuses the signature', async () => {
    const { following, updates, reconnects } = await connect({ secret: 'not-the-secret' });
    const error = await following.then(() => undefined, (failure: unknown) => failure);
    expect(error).toMatchObject({ code: 'EXCHANGE_AUTH' });
    expect(String((error as Error).message)).toContain('Signature for this request is not valid');
    expect(updates).toEqual([]);
    expect(reconnects).toEqual([]);
  });

  it('ends when its signal aborts, and when the exchange is closed', async () => {
    const first = await connect();
    await first.binance.ws.userDataSubscribed();
    first.stop();
    await expect(first.following).resolves.toBeUndefined();
    const second = await connect();
    await second.binance.ws.userDataSubscribed();
    await second.exchange.close();
    await expect(second.following).resolves.toBeUndefined();
  });

  it('says when it cannot stream: without keys, on a REST-only client, or with orderUpdates off (NOT_SUPPORTED, nothing opened)', async () => {
    const binance = await startLocalBinance();
    onTestFinished(binance.stop);
    const keyless = new ccxt.pro.binance({});
    const rest = createLocalBinanceClient({ restUrl: binance.restUrl });
    const plain = new ccxt.binance({ apiKey: 'k', secret: 's' });
    expect(new CcxtExchange({ client: keyless }).supportsOrderUpdates).toBe(false);
    expect(new CcxtExchange({ client: plain }).supportsOrderUpdates).toBe(false);
    expect(new CcxtExchange({ client: rest, orderUpdates: false }).supportsOrderUpdates).toBe(false);
    expect(new CcxtExchange({ client: binance.createClient() }).supportsOrderUpdates).toBe(true);
    const off = new CcxtExchange({ client: rest, orderUpdates: false });
    await expect(off.watchOrderUpdates({ signal: new AbortController().signal }).next()).rejects.toMatchObject({ code: 'NOT_SUPPORTED' });
    expect(binance.ws.connectionsOpened).toBe(0);
  });
});
