import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Fill, Order } from '@ia-agents/core';
import { FillLog } from './fill-log.js';
import { OrderArchive } from './order-archive.js';
import type { PaperOrder } from './paper-order.js';

const maybe = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: undefined });
const price = fc.double({ min: 1e-6, max: 1e6, noNaN: true });

const paperOrder = (index: number) =>
  fc
    .record({
      side: fc.constantFrom('buy' as const, 'sell' as const),
      type: fc.constantFrom('market' as const, 'limit' as const, 'stop-loss' as const, 'take-profit' as const, 'trailing-stop' as const),
      status: fc.constantFrom('filled' as const, 'cancelled' as const, 'rejected' as const),
      amount: price,
      filled: fc.double({ min: 0, max: 1e6, noNaN: true }),
      time: fc.integer({ min: 0, max: 2 ** 42 }),
      price: maybe(price),
      stopPrice: maybe(price),
      trailingPercent: maybe(fc.double({ min: 0.001, max: 0.5, noNaN: true })),
      postOnly: fc.boolean(),
      decisionId: maybe(fc.string({ minLength: 1, maxLength: 12 })),
      averagePrice: maybe(price),
      fee: maybe(fc.record({ cost: fc.double({ min: 0, max: 100, noNaN: true }), currency: fc.constantFrom('USDT', 'BTC') })),
      reason: maybe(fc.string({ maxLength: 20 })),
      extreme: fc.oneof(price, fc.constant(Number.NaN)),
      locked: fc.double({ min: 0, max: 1e6, noNaN: true }),
      fillCount: fc.nat(20),
      after: fc.oneof(fc.integer({ min: 0, max: 2 ** 42 }), fc.constant(Number.NEGATIVE_INFINITY)),
      triggered: fc.boolean(),
      starved: fc.boolean(),
      oco: maybe(fc.string({ minLength: 1, maxLength: 12 })),
    })
    .map((r): PaperOrder => {
      const order: Order = { id: `paper-${index + 1}`, clientOrderId: `c-${index}`, symbol: 'BTC/USDT', side: r.side, type: r.type, amount: r.amount, filled: r.filled, remaining: 0, status: r.status, createdAt: r.time, updatedAt: r.time + 1, price: r.price, stopPrice: r.stopPrice, trailingPercent: r.trailingPercent, postOnly: r.postOnly ? true : undefined, decisionId: r.decisionId, averagePrice: r.averagePrice, fee: r.fee === undefined ? undefined : { cost: r.fee.cost, currency: r.fee.currency }, reason: r.reason };
      return { order, index, base: 'BTC', quote: 'USDT', side: r.side, type: r.type, price: r.price, stopPrice: r.stopPrice, trailingPercent: r.trailingPercent, postOnly: r.postOnly, triggered: r.triggered, extreme: r.extreme, locked: r.locked, fillCount: r.fillCount, starved: r.starved, after: r.after, oco: r.oco };
    });

describe('OrderArchive', () => {
  it('gives back every archived order field for field, in the same key order, whatever order they were archived in (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(200), { minLength: 1, maxLength: 40 }).chain((indexes) => fc.tuple(...[...new Set(indexes)].map((index) => paperOrder(index)))), (orders) => {
        const archive = new OrderArchive();
        for (const order of orders) archive.put(order.index, order);
        for (const order of orders) {
          const back = archive.get(order.index)!;
          expect(back).toStrictEqual(order);
          expect(Object.keys(back.order)).toEqual(Object.keys(order.order));
          expect(JSON.stringify(back.order)).toBe(JSON.stringify(order.order));
          expect(archive.id(order.index)).toBe(order.order.id);
        }
        const archived = new Set(orders.map((order) => order.index));
        for (let index = 0; index <= 200; index += 1) if (!archived.has(index)) expect(archive.get(index)).toBeUndefined();
      }),
      { numRuns: 200 },
    );
  });
});

describe('FillLog', () => {
  const fill = (index: number, orderId: string, id = `${orderId}-${index + 1}`): Fill => ({ id, orderId, clientOrderId: `c-${orderId}`, symbol: index % 2 === 0 ? 'BTC/USDT' : 'ETH/USDT', side: index % 3 === 0 ? 'sell' : 'buy', price: 100 + index / 7, amount: 0.5 + index / 3, fee: { cost: index / 11, currency: 'USDT' }, liquidity: index % 4 === 0 ? 'maker' : 'taker', timestamp: 1_700_000_000_000 + index * 60_000 });

  it('gives back every fill as it was given, in the same key order, with its id made from order id and number', () => {
    const log = new FillLog();
    const fills = Array.from({ length: 150 }, (_, index) => fill(index, `paper-${index}`));
    fills.forEach((given, index) => log.push(given, index + 1));
    expect(log.length).toBe(150);
    fills.forEach((given, index) => {
      expect(log.get(index)).toStrictEqual(given);
      expect(JSON.stringify(log.get(index))).toBe(JSON.stringify(given));
      expect(log.timestamp(index)).toBe(given.timestamp);
      expect(log.clientOrderId(index)).toBe(given.clientOrderId);
      expect(log.symbol(index)).toBe(given.symbol);
    });
  });

  it('keeps a saved fill whose id has another form as it is', () => {
    const log = new FillLog();
    const ordinary = fill(0, 'paper-1', 'paper-1-3');
    const foreign = fill(1, 'paper-2', 'trade-77');
    log.pushSaved(ordinary);
    log.pushSaved(foreign);
    expect(log.get(0)).toStrictEqual(ordinary);
    expect(log.get(1)).toStrictEqual(foreign);
  });
});
