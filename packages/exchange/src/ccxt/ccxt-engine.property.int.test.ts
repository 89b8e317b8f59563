/**
 * The live path under random network faults: the TradingEngine trading through CcxtExchange and the
 * real ccxt client against the local Binance, a scripted team, and faults on every endpoint the
 * engine uses, then a restart on a calm network. Nothing may be placed twice, placed unrecorded,
 * recorded wrongly, or filled without its fill recorded once.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { SimulatedClock, createTradingEngine, defineAssistant, type Candle, type OpinionInput } from '@ia-agents/core';
import { MemoryStore, createArrayFeed } from '@ia-agents/core/testing';
import { startLocalBinance } from '../testing/local-binance.js';
import type { Fault } from '../testing/fake-binance-server.js';
import { CcxtExchange } from './ccxt-exchange.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2025, 0, 1);

const faultKinds: Record<string, Fault[]> = {
  none: [],
  'order send dropped after accept': [{ path: '/api/v3/order', method: 'POST', kind: 'drop-after-accept' }],
  'order send 502': [{ path: '/api/v3/order', method: 'POST', kind: 'status', status: 502, body: 'Bad Gateway' }],
  'order send 429': [{ path: '/api/v3/order', method: 'POST', kind: 'status', status: 429, body: '{"code":-1003,"msg":"Too many requests."}' }],
  'order lookups 503': [1, 2, 3].map(() => ({ path: '/api/v3/order', method: 'GET', kind: 'status' as const, status: 503, body: '' })),
  'send dropped, lookups 503': [{ path: '/api/v3/order', method: 'POST', kind: 'drop-after-accept' }, ...[1, 2, 3].map(() => ({ path: '/api/v3/order', method: 'GET', kind: 'status' as const, status: 503, body: '' }))],
  'order list dropped after accept': [{ path: '/api/v3/orderList/oco', method: 'POST', kind: 'drop-after-accept' }],
  'trades 503': [1, 2].map(() => ({ path: '/api/v3/myTrades', method: 'GET', kind: 'status' as const, status: 503, body: '' })),
  'open orders 503': [1, 2].map(() => ({ path: '/api/v3/openOrders', method: 'GET', kind: 'status' as const, status: 503, body: '' })),
  'account 503': [1, 2].map(() => ({ path: '/api/v3/account', method: 'GET', kind: 'status' as const, status: 503, body: '' })),
};

const step = fc.record({
  move: fc.integer({ min: -30, max: 30 }).map((tenths) => tenths / 10),
  action: fc.constantFrom('BUY' as const, 'SELL' as const, 'HOLD' as const, 'HOLD' as const),
  protect: fc.boolean(),
  fault: fc.constantFrom(...Object.keys(faultKinds)),
});

describe('TradingEngine live on CcxtExchange under network faults (property-based, local Binance)', () => {
  it('places nothing twice, records every placed order with its final state, and every fill once, through faults and a restart', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 4, maxLength: 10 }), async (steps) => {
        const binance = await startLocalBinance();
        try {
          binance.rest.price = 100;
          let price = 100;
          const candles: Candle[] = steps.map((candleStep, index) => {
            price = Math.max(50, price + candleStep.move);
            return { timestamp: T0 + index * HOUR, open: price, high: price, low: price, close: price, volume: 10 };
          });
          const team = defineAssistant({
            id: 'team',
            analyze: (snapshot): OpinionInput => {
              const index = Math.round((snapshot.candles.at(-1)!.timestamp - T0) / HOUR);
              const scripted = steps[index] ?? steps[0]!;
              const close = snapshot.candles.at(-1)!.close;
              return { assistantId: 'team', action: scripted.action, confidence: 0.9, reasoning: 'scripted', ...(scripted.protect ? { plan: { sizeFraction: 0.2, stopLoss: close - 2, takeProfit: close + 2 } } : { plan: { sizeFraction: 0.2 } }) };
            },
          });
          const store = new MemoryStore();
          const adapter = () => new CcxtExchange({ client: binance.createClient({ timeoutMs: 300 }), attempts: 2, backoffMs: 0, random: () => 0 });
          const engine = createTradingEngine({
            exchange: adapter(),
            store,
            feed: createArrayFeed({ candles: { 'BTC/USDT': candles }, timeframe: '1h', batchSize: 1 }),
            assistants: [team],
            clock: new SimulatedClock(T0),
            learning: false,
            riskLimits: { minConfidence: 0 },
            onCandle: (_symbol, candle) => {
              binance.rest.tradeAt(candle.close);
              // Faults for whatever the engine sends about this candle.
              binance.rest.faults.length = 0;
              const index = Math.round((candle.timestamp - T0) / HOUR);
              binance.rest.faults.push(...(faultKinds[steps[index]!.fault] ?? []).map((fault) => ({ ...fault })));
            },
          });
          await engine.run();
          // A restart on a calm network: the engine takes over and settles what was in doubt.
          binance.rest.faults.length = 0;
          const calm = defineAssistant({ id: 'team', analyze: () => ({ assistantId: 'team', action: 'HOLD', confidence: 0.9, reasoning: 'wait' }) });
          const last = candles.at(-1)!;
          await createTradingEngine({
            exchange: adapter(),
            store,
            feed: createArrayFeed({ candles: { 'BTC/USDT': [1, 2].map((offset) => ({ ...last, timestamp: last.timestamp + offset * HOUR })) }, timeframe: '1h', batchSize: 1 }),
            assistants: [calm],
            clock: new SimulatedClock(last.timestamp + HOUR),
            learning: false,
          }).run();

          const venue = binance.rest.orders;
          // Nothing placed twice.
          const ids = venue.map((order) => order.clientOrderId);
          expect(new Set(ids).size).toBe(ids.length);
          // Every order at the venue is recorded, with the venue's status.
          const statusOf = { NEW: 'open', FILLED: 'filled', CANCELED: 'cancelled', EXPIRED: 'cancelled', PARTIALLY_FILLED: 'partially-filled' } as Record<string, string>;
          for (const order of venue) {
            const recorded = store.orders.get(order.clientOrderId);
            expect(recorded, `order ${order.clientOrderId} (${order.type} ${order.status}) is recorded`).toBeDefined();
            expect(recorded!.status, `status of ${order.clientOrderId}`).toBe(statusOf[order.status]);
          }
          // And nothing recorded as placed that the venue does not have.
          for (const recorded of store.orders.values()) expect(ids).toContain(recorded.clientOrderId);
          // Every fill recorded once: one trade a filled order here.
          const filled = venue.filter((order) => Number(order.executedQty) > 0).map((order) => order.clientOrderId).sort();
          expect([...store.fills.values()].map((fill) => fill.clientOrderId).sort()).toEqual(filled);
        } finally {
          await binance.stop();
        }
      }),
      { numRuns: 15, seed: 20261207 },
    );
  }, 120_000);
});
