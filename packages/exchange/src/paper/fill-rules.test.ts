import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { candleExecution, executesAtOpen, type RuleOrder } from './fill-rules.js';
import { uniform } from './paper-arbitraries.js';

describe('executesAtOpen (property-based)', () => {
  it('says the open alone executes an order when, and only when, the candle takes it at its open', () => {
    const orderArbitrary = fc.record({
      side: fc.constantFrom('buy' as const, 'sell' as const),
      type: fc.constantFrom('market' as const, 'limit' as const, 'stop-loss' as const, 'take-profit' as const, 'trailing-stop' as const),
      level: uniform(80, 120),
      limit: fc.option(uniform(80, 120), { nil: undefined }),
      trailingPercent: uniform(0.005, 0.1),
      triggered: fc.boolean(),
      extreme: fc.option(uniform(80, 120), { nil: Number.NaN }),
    });
    const candleArbitrary = fc.record({ open: uniform(80, 120), up: uniform(0, 15), down: uniform(0, 15), close: uniform(0, 1) });
    fc.assert(
      fc.property(orderArbitrary, candleArbitrary, (drawn, shape) => {
        const high = shape.open + shape.up;
        const low = shape.open - shape.down;
        const candle = { timestamp: 0, open: shape.open, high, low, close: low + (high - low) * shape.close, volume: 1 };
        const order: RuleOrder = {
          side: drawn.side,
          type: drawn.type,
          price: drawn.type === 'limit' ? drawn.level : drawn.type === 'market' ? undefined : drawn.limit,
          stopPrice: drawn.type === 'stop-loss' || drawn.type === 'take-profit' ? drawn.level : undefined,
          trailingPercent: drawn.type === 'trailing-stop' ? drawn.trailingPercent : undefined,
          triggered: drawn.type !== 'market' && drawn.type !== 'limit' && drawn.triggered,
          extreme: drawn.extreme,
        };
        const atOpen = executesAtOpen(order, candle);
        // An order whose trailing reference is not set yet takes the open as its reference: not a gap.
        const execution = candleExecution({ ...order }, candle);
        if (Number.isNaN(order.extreme) && order.type === 'trailing-stop' && !order.triggered) {
          expect(atOpen).toBe(false);
          return;
        }
        // Executed by the open: at the open. Taken at the open as a taker (a gap, a marketable order): by the open.
        // (A resting limit that happens to sit at the open price fills there as a maker, inside the candle.)
        if (atOpen) expect(execution?.price).toBe(candle.open);
        if (execution !== undefined && execution.price === candle.open && execution.liquidity === 'taker') expect(atOpen).toBe(true);
      }),
      { numRuns: 5_000, seed: 20261214 },
    );
  });
});
