// A team module: the one file `ia-agents backtest --team`, `ia-agents lookahead --team` and
// `ia-agents serve --team` (or TEAM_MODULE) all load. Its default export builds the team from the
// run's candles (unused here: everything it needs comes from the snapshot each decision sees).
import { defineAssistant, type Candle, type TriggerFactory } from '@ia-agents/core';

const FAST = 12;
const SLOW = 48;
const mean = (values: readonly number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;

/** Long while the 12-candle mean of the close is above the 48-candle mean, flat otherwise; surer the wider the gap. */
const trend = defineAssistant({
  id: 'trend',
  analyze: (snapshot) => {
    const closes = snapshot.candles.slice(-SLOW).map((candle) => candle.close);
    if (closes.length < SLOW) return { assistantId: 'trend', action: 'HOLD', confidence: 0, reasoning: `fewer than ${SLOW} candles` };
    const gap = mean(closes.slice(-FAST)) / mean(closes) - 1;
    return { assistantId: 'trend', action: gap > 0 ? 'BUY' : 'SELL', confidence: Math.min(1, 0.6 + Math.abs(gap) * 20), reasoning: `the ${FAST}-candle mean is ${(gap * 100).toFixed(2)} % from the ${SLOW}-candle mean` };
  },
});

/** Convenes the team when the two means cross (it keeps the last SLOW closes: a warm-up of 48 candles or more is enough). */
const crossing: TriggerFactory = () => {
  const closes: number[] = [];
  let above: boolean | undefined;
  return {
    update: (candle) => {
      closes.push(candle.close);
      if (closes.length > SLOW) closes.shift();
      if (closes.length < SLOW) return false;
      const now = mean(closes.slice(-FAST)) > mean(closes);
      const crossed = above !== undefined && now !== above;
      above = now;
      return crossed ? (now ? 'fast mean crossed above' : 'fast mean crossed below') : false;
    },
  };
};

export default (_candles: ReadonlyMap<string, readonly Candle[]>) => ({ assistants: [trend], trigger: crossing, consensus: { maxRounds: 1 } });
