import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkOrderRequest, orderRequestSchema, parseOrderRequest } from '../index.js';

const request = fc.record(
  {
    clientOrderId: fc.oneof(fc.string({ minLength: 0, maxLength: 40 }), fc.constant(7)),
    symbol: fc.constantFrom('BTC/USDT', '', 'ETH/BTC'),
    side: fc.constantFrom('buy', 'sell', 'hold'),
    type: fc.constantFrom('market', 'limit', 'stop-loss', 'take-profit', 'trailing-stop', 'iceberg'),
    amount: fc.oneof(fc.double({ min: -1, max: 10 }), fc.constant(Number.NaN), fc.constant(Number.POSITIVE_INFINITY)),
    price: fc.oneof(fc.constant(undefined), fc.double({ min: -1, max: 100 })),
    stopPrice: fc.oneof(fc.constant(undefined), fc.double({ min: -1, max: 100 })),
    trailingPercent: fc.oneof(fc.constant(undefined), fc.double({ min: -0.5, max: 1.5 })),
    postOnly: fc.oneof(fc.constant(undefined), fc.boolean(), fc.constant('yes')),
    decisionId: fc.oneof(fc.constant(undefined), fc.string(), fc.constant(3)),
    extra: fc.oneof(fc.constant(undefined), fc.constant('x')),
  },
  { requiredKeys: ['clientOrderId', 'symbol', 'side', 'type', 'amount'] },
);

describe('parseOrderRequest', () => {
  it('accepts and rejects exactly what orderRequestSchema does, with the same result (property)', () => {
    fc.assert(
      fc.property(request, (input) => {
        const clean = Object.fromEntries(Object.entries(input).filter(([key, value]) => !(key === 'extra' && value === undefined)));
        const expected = orderRequestSchema.safeParse(clean);
        if (expected.success) {
          expect(parseOrderRequest(clean)).toEqual(expected.data);
          expect(checkOrderRequest(clean)).toEqual(expected.data);
        } else {
          expect(() => parseOrderRequest(clean)).toThrow(/Invalid order request/);
          expect(() => checkOrderRequest(clean)).toThrow(/Invalid order request/);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('takes post-only for limit orders only, naming the field', () => {
    expect(parseOrderRequest({ clientOrderId: 'a', symbol: 'BTC/USDT', side: 'buy', type: 'limit', amount: 1, price: 10, postOnly: true })).toMatchObject({ postOnly: true });
    expect(() => parseOrderRequest({ clientOrderId: 'a', symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 1, postOnly: true })).toThrow('Invalid order request: postOnly: only a limit order can be post-only, not a market order');
  });

  it('names the bad field', () => {
    expect(() => parseOrderRequest({ clientOrderId: 'a', symbol: 'BTC/USDT', side: 'buy', type: 'limit', amount: 1 })).toThrow('Invalid order request: price: a limit order needs a price');
  });

  it('checkOrderRequest hands a valid request back as the same object, not a copy', () => {
    const valid = { clientOrderId: 'dec-1-o', symbol: 'BTC/USDT', side: 'buy', type: 'limit', amount: 0.5, price: 40_000, decisionId: 'dec-1' };
    expect(checkOrderRequest(valid)).toBe(valid);
    expect(parseOrderRequest(valid)).not.toBe(valid);
    expect(parseOrderRequest(valid)).toEqual(valid);
  });
});
