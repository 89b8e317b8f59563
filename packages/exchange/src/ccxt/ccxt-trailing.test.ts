import { describe, expect, it } from 'vitest';
import type { OrderRequest } from '@ia-agents/core';
import type { CcxtMarket } from './ccxt-mapping.js';
import { trailingDelta } from './ccxt-trailing.js';

const filter = { filterType: 'TRAILING_DELTA', minTrailingAboveDelta: 20, maxTrailingAboveDelta: 500, minTrailingBelowDelta: 10, maxTrailingBelowDelta: 2000 };
const market = (info: Record<string, unknown> = { filters: [filter] }, spot = true): CcxtMarket => ({ id: 'BTCUSDT', symbol: 'BTC/USDT', base: 'BTC', quote: 'USDT', precision: {}, limits: {}, spot, info });
const request = (side: 'buy' | 'sell', trailingPercent: number): OrderRequest => ({ clientOrderId: 't', symbol: 'BTC/USDT', side, type: 'trailing-stop', amount: 1, trailingPercent });
const codeOf = (run: () => unknown) => {
  try {
    run();
    return 'returned';
  } catch (error) {
    return (error as { code: string }).code;
  }
};

describe('trailingDelta (Binance spot trailing stops)', () => {
  it('turns the fraction into whole BIPS', () => {
    expect(trailingDelta('binance', market(), request('sell', 0.02))).toBe(200);
    expect(trailingDelta('binance', market(), request('sell', 0.01234))).toBe(123);
    expect(trailingDelta('binance', market(), request('sell', 0.00105))).toBe(11);
  });

  it("checks a sell against the filter's below bounds and a buy against its above bounds", () => {
    expect(trailingDelta('binance', market(), request('sell', 0.001))).toBe(10);
    expect(codeOf(() => trailingDelta('binance', market(), request('buy', 0.001)))).toBe('INVALID_ORDER');
    expect(trailingDelta('binance', market(), request('sell', 0.1))).toBe(1_000);
    expect(() => trailingDelta('binance', market(), request('buy', 0.1))).toThrow("trailingPercent 0.1 (1000 BIPS) is outside BTC/USDT's trailing range 0.2 % to 5 %");
    expect(trailingDelta('binance', market(), request('buy', 0.05))).toBe(500);
  });

  it('refuses a distance that rounds to 0 BIPS even without a filter', () => {
    expect(codeOf(() => trailingDelta('binance', market({}), request('sell', 0.00004)))).toBe('INVALID_ORDER');
    expect(trailingDelta('binance', market({}), request('sell', 0.5))).toBe(5_000);
  });

  it('is NOT_SUPPORTED on another exchange, a market that is not spot, or one that does not allow trailing stops', () => {
    expect(codeOf(() => trailingDelta('kraken', market(), request('sell', 0.02)))).toBe('NOT_SUPPORTED');
    expect(codeOf(() => trailingDelta('binance', market({ filters: [filter] }, false), request('sell', 0.02)))).toBe('NOT_SUPPORTED');
    expect(codeOf(() => trailingDelta('binance', market({ filters: [filter], allowTrailingStop: false }), request('sell', 0.02)))).toBe('NOT_SUPPORTED');
  });
});
