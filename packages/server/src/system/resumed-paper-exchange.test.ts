import type { Candle } from '@ia-agents/core';
import { createPaperExchange } from '@ia-agents/exchange';
import { describe, expect, it } from 'vitest';
import { resumePaperExchange } from './resumed-paper-exchange.js';

const MINUTE = 60_000;
const candle = (index: number, close: number): Candle => ({ timestamp: index * MINUTE, open: close, high: close * 1.01, low: close * 0.99, close, volume: 1 });
const options = { balances: { USDT: 100_000 }, volumeShare: 0.1 };

describe('resumePaperExchange', () => {
  it('ignores the candles the saved exchange had seen (a warm-up after a restart) and trades on newer ones', async () => {
    const exchange = createPaperExchange(options);
    exchange.onCandle('BTC/USDT', candle(0, 40_000));
    await exchange.createOrder({ clientOrderId: 'big', symbol: 'BTC/USDT', side: 'buy', type: 'limit', amount: 0.5, price: 40_000 });
    exchange.onCandle('BTC/USDT', candle(1, 39_900));
    exchange.onCandle('BTC/USDT', candle(2, 41_000));
    const saved = exchange.snapshot();
    expect(saved.fills.map((fill) => fill.amount)).toEqual([0.1]);

    const resumed = resumePaperExchange(options, saved);
    // The warm-up: an older high close (it would raise the peak equity) and the candle whose volume filled the order.
    for (const old of [candle(0, 40_000), candle(1, 39_900), candle(2, 41_000)]) expect(resumed.onCandle('BTC/USDT', old)).toEqual([]);
    expect(resumed.snapshot()).toEqual(saved);
    expect(resumed.onCandle('BTC/USDT', candle(3, 39_950)).map((fill) => [fill.clientOrderId, fill.amount])).toEqual([['big', 0.1]]);
  });

  it('rejects a snapshot that is not one with DATA_INVALID', () => {
    expect(() => resumePaperExchange(options, { ...createPaperExchange(options).snapshot(), version: 2 as never })).toThrow(expect.objectContaining({ code: 'DATA_INVALID' }));
  });
});
