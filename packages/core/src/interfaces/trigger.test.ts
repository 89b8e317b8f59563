import { describe, expect, it } from 'vitest';
import { anyTrigger, everyNthCandle, type TriggerFactory } from '../index.js';
import { buildCandles } from '../testing/index.js';

describe('anyTrigger', () => {
  it('fires when any trigger does, and feeds every trigger every candle', () => {
    const seen: number[] = [];
    const counting: TriggerFactory = () => ({ update: (candle) => (seen.push(candle.timestamp), false) });
    const trigger = anyTrigger(everyNthCandle(3), counting, everyNthCandle(5))('BTC/USDT');
    const fired = buildCandles({ count: 15 }).map((candle) => trigger.update(candle));
    expect(fired.map((reason, index) => (reason === false ? '' : `${index + 1}:${reason}`)).filter(Boolean)).toEqual(['3:every 3 candles', '5:every 5 candles', '6:every 3 candles', '9:every 3 candles', '10:every 5 candles', '12:every 3 candles', '15:every 3 candles']);
    expect(seen).toHaveLength(15);
  });
});
