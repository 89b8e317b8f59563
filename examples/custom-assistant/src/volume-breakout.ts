import { defineAssistant, type Assistant } from '@ia-agents/core';

/**
 * A custom assistant: BUY when the last close breaks above the highest high of the previous
 * `lookback` candles on above-average volume, SELL on the mirror-image breakdown, HOLD otherwise.
 * It cites the numbers it computed as evidence, so the team can debate them.
 */
export function volumeBreakout(lookback = 20): Assistant {
  return defineAssistant({
    id: 'volume-breakout',
    analyze: (snapshot) => {
      const candles = snapshot.candles;
      const last = candles.at(-1)!;
      const window = candles.slice(-lookback - 1, -1);
      const highest = Math.max(...window.map((candle) => candle.high));
      const lowest = Math.min(...window.map((candle) => candle.low));
      const volumeRatio = last.volume / (window.reduce((sum, candle) => sum + candle.volume, 0) / window.length);
      const up = last.close > highest && volumeRatio > 1.2;
      const down = last.close < lowest && volumeRatio > 1.2;
      return {
        assistantId: 'volume-breakout',
        action: up ? 'BUY' : down ? 'SELL' : 'HOLD',
        confidence: up || down ? Math.min(0.9, 0.5 + (volumeRatio - 1) / 4) : 0.3,
        reasoning: `close ${last.close} vs ${lookback}-candle range ${lowest}-${highest}, volume ${volumeRatio.toFixed(2)}x average`,
        evidence: [
          { name: 'breakout', value: up ? 1 : down ? -1 : 0, stance: up ? 'bullish' : down ? 'bearish' : 'neutral' },
          { name: 'volume_ratio', value: volumeRatio, stance: 'neutral', weight: 0.5 },
        ],
      };
    },
  });
}
