import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { isIaAgentsError } from '@ia-agents/core';
import { startLocalBinance } from '../testing/local-binance.js';
import type { Fault } from '../testing/fake-binance-server.js';
import { CcxtExchange } from './ccxt-exchange.js';

/** What can go wrong around one createOrder: on its send, on the lookups around it, or nothing. */
const faults = {
  none: [],
  'send dropped after accept': [{ path: '/api/v3/order', method: 'POST', kind: 'drop-after-accept' }],
  'send hung after accept': [{ path: '/api/v3/order', method: 'POST', kind: 'hang-after-accept' }],
  'send hung before accept': [{ path: '/api/v3/order', method: 'POST', kind: 'hang' }],
  'send 502': [{ path: '/api/v3/order', method: 'POST', kind: 'status', status: 502, body: 'Bad Gateway' }],
  'send 429': [{ path: '/api/v3/order', method: 'POST', kind: 'status', status: 429, body: '{"code":-1003,"msg":"Too many requests."}' }],
  'lookup 503': [{ path: '/api/v3/order', method: 'GET', kind: 'status', status: 503, body: '' }],
  'dropped, then the lookup 503': [{ path: '/api/v3/order', method: 'POST', kind: 'drop-after-accept' }, { path: '/api/v3/order', method: 'GET', kind: 'status', status: 503, body: '', after: 1 }],
  'everything 503': [1, 2, 3, 4].map(() => ({ path: '/api/v3/order', kind: 'status', status: 503, body: '' })),
} satisfies Record<string, Fault[]>;

/** The same faults on Binance's order-list endpoint, for one-cancels-the-other pairs (their lookups go to GET /api/v3/order). */
const ocoFaults = Object.fromEntries(Object.entries(faults).map(([name, list]) => [name, list.map((fault: Fault) => (fault.path === '/api/v3/order' && fault.method === 'POST' ? { ...fault, path: '/api/v3/orderList/oco' } : fault))])) as Record<keyof typeof faults, Fault[]>;

const faultName = fc.constantFrom(...(Object.keys(faults) as (keyof typeof faults)[]));
const operation = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('place' as const), id: fc.integer({ min: 0, max: 2 }), fault: faultName }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('oco' as const), id: fc.integer({ min: 0, max: 1 }), fault: faultName }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('restart' as const) }) },
);

/** Errors after which the caller does not know the order was placed, and retries with the same client order id. */
const RETRYABLE_OUTCOMES = new Set(['ORDER_STATE_UNKNOWN', 'EXCHANGE_UNAVAILABLE', 'EXCHANGE_NETWORK', 'TIMEOUT', 'EXCHANGE_RATE_LIMITED']);

describe('CcxtExchange idempotency against a local Binance (property-based)', () => {
  it('never places a second order or order list for a client order id, whatever fails around the sends and however often the process restarts', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(operation, { minLength: 3, maxLength: 8 }), async (operations) => {
        const binance = await startLocalBinance();
        // Enough BTC for every pair the sequence may place.
        binance.rest.balances.BTC = { free: 10, locked: 0 };
        try {
          const adapter = () => new CcxtExchange({ client: binance.createClient({ timeoutMs: 150 }), attempts: 3, backoffMs: 0, random: () => 0 });
          let exchange = adapter();
          const answered = new Map<string, string>();
          for (const step of operations) {
            if (step.kind === 'restart') {
              // A new process: a new adapter and client, nothing remembered.
              exchange = adapter();
              continue;
            }
            if (step.kind === 'oco') {
              const [stopLossId, takeProfitId] = [`pair-${step.id}-sl`, `pair-${step.id}-tp`];
              binance.rest.faults.push(...ocoFaults[step.fault].map((fault) => ({ ...fault })));
              try {
                const legs = await exchange.createOcoOrder({ symbol: 'BTC/USDT', amount: 0.1, stopLoss: { clientOrderId: stopLossId, stopPrice: 90 }, takeProfit: { clientOrderId: takeProfitId, stopPrice: 110 } });
                expect(legs.map((leg) => leg.clientOrderId)).toEqual([stopLossId, takeProfitId]);
                for (const leg of legs) {
                  expect(leg.id).toBe(answered.get(leg.clientOrderId) ?? leg.id);
                  answered.set(leg.clientOrderId, leg.id);
                }
              } catch (error) {
                if (!isIaAgentsError(error) || !RETRYABLE_OUTCOMES.has(error.code)) throw error;
              }
              binance.rest.faults.length = 0;
              // One order list a pair, whatever failed.
              expect(binance.rest.orders.filter((order) => order.clientOrderId === stopLossId).length).toBeLessThanOrEqual(1);
              expect(binance.rest.orderLists.filter((list) => binance.rest.orders.some((order) => order.orderListId === list.orderListId && order.clientOrderId === stopLossId)).length).toBeLessThanOrEqual(1);
              continue;
            }
            const clientOrderId = `order-${step.id}`;
            binance.rest.faults.push(...faults[step.fault].map((fault) => ({ ...fault })));
            try {
              const order = await exchange.createOrder({ clientOrderId, symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 0.1 });
              expect(order.clientOrderId).toBe(clientOrderId);
              // The same client order id always answers with the same order.
              expect(order.id).toBe(answered.get(clientOrderId) ?? order.id);
              answered.set(clientOrderId, order.id);
            } catch (error) {
              if (!isIaAgentsError(error) || !RETRYABLE_OUTCOMES.has(error.code)) throw error;
            }
            binance.rest.faults.length = 0;
            for (const id of [0, 1, 2]) expect(binance.rest.orders.filter((order) => order.clientOrderId === `order-${id}`).length).toBeLessThanOrEqual(1);
          }
          // Once the network is fine again, a retry of every id returns the order the exchange holds, or places the one it never got.
          const calm = adapter();
          for (const id of [0, 1, 2]) {
            const clientOrderId = `order-${id}`;
            const held = binance.rest.orders.find((order) => order.clientOrderId === clientOrderId);
            const order = await calm.createOrder({ clientOrderId, symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 0.1 });
            if (held !== undefined) expect(order.id).toBe(String(held.orderId));
            expect(binance.rest.orders.filter((candidate) => candidate.clientOrderId === clientOrderId)).toHaveLength(1);
          }
          for (const id of [0, 1]) {
            const request = { symbol: 'BTC/USDT', amount: 0.1, stopLoss: { clientOrderId: `pair-${id}-sl`, stopPrice: 90 }, takeProfit: { clientOrderId: `pair-${id}-tp`, stopPrice: 110 } };
            const held = binance.rest.orders.find((order) => order.clientOrderId === request.stopLoss.clientOrderId);
            const legs = await calm.createOcoOrder(request);
            if (held !== undefined) expect(legs[0].id).toBe(String(held.orderId));
            expect(binance.rest.orders.filter((candidate) => candidate.clientOrderId === request.stopLoss.clientOrderId || candidate.clientOrderId === request.takeProfit.clientOrderId)).toHaveLength(2);
          }
        } finally {
          await binance.stop();
        }
      }),
      { numRuns: 25, seed: 20261207 },
    );
  }, 120_000);
});
