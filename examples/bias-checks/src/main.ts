// Two ways a backtest lies, caught before they cost money, offline on 9 years of real Coinbase
// BTC/USD 4h candles shipped with @ia-agents/exchange.
// 1. Look-ahead: a feature computed over the whole file before the run. checkLookahead runs the
//    backtest again cut short; a decision that changes when the later candles are missing used them.
// 2. Warm-up: a trigger that needs more history than a live start gives it. checkWarmup runs it from
//    a live feed's warm-up beside the trigger that saw everything.
import { defineAssistant, type Candle, type TriggerFactory } from '@ia-agents/core';
import { checkLookahead, checkWarmup, formatLookaheadReport } from '@ia-agents/exchange';

const data = [{ bundled: 'coinbase_BTC-USD_4h' as const }];

/** Buys in the bottom fifth of the price range and sells in the top fifth: where in the range is decided by `range`. */
function rangeTrader(range: (candles: readonly Candle[]) => { low: number; high: number }) {
  return defineAssistant({
    id: 'range-trader',
    analyze: (snapshot) => {
      const close = snapshot.candles.at(-1)!.close;
      const { low, high } = range(snapshot.candles);
      const position = (close - low) / (high - low);
      const action = position < 0.2 ? 'BUY' : position > 0.8 ? 'SELL' : 'HOLD';
      return { assistantId: 'range-trader', action, confidence: 0.9, reasoning: `close at ${(position * 100).toFixed(0)} % of the range` };
    },
  });
}

// The bug: the range of every candle in the file, the years after each decision included.
const buggy = (candles: ReadonlyMap<string, readonly Candle[]>) => {
  const all = candles.get('BTC/USD')!;
  const whole = { low: Math.min(...all.map((candle) => candle.low)), high: Math.max(...all.map((candle) => candle.high)) };
  return { assistants: [rangeTrader(() => whole)] };
};
// The fix: the range of the candles the decision sees (its snapshot).
const fixed = () => ({ assistants: [rangeTrader((seen) => ({ low: Math.min(...seen.map((candle) => candle.low)), high: Math.max(...seen.map((candle) => candle.high)) }))] });

const common = { data, lookback: 180, riskLimits: { minConfidence: 0.5 } };
console.log('— range from the whole file (the bug)');
const caught = await checkLookahead({ ...common, team: (candles) => ({ ...buggy(candles), trigger: everyNth(6) }) });
console.log(formatLookaheadReport(caught));
console.log('\n— range from the decision\'s own candles (the fix)');
const clean = await checkLookahead({ ...common, team: () => ({ ...fixed(), trigger: everyNth(6) }) });
console.log(formatLookaheadReport(clean));

/** Convenes the team every n-th candle. */
function everyNth(n: number): TriggerFactory {
  return () => {
    let count = 0;
    return { update: () => (++count % n === 0 ? `every ${n} candles` : false) };
  };
}

// A 50-candle breakout trigger: it needs 50 candles of history to answer as a backtest does.
const breakout: TriggerFactory = () => {
  const highs: number[] = [];
  return {
    update: (candle) => {
      const fired = highs.length === 50 && candle.close > Math.max(...highs) ? 'new 50-candle high' : false;
      highs.push(candle.high);
      if (highs.length > 50) highs.shift();
      return fired;
    },
  };
};
console.log('\n— a 50-candle breakout trigger after a live start');
for (const warmup of [20, 50]) {
  const report = checkWarmup({ data, trigger: breakout, warmup });
  const worst = report.starts.reduce((most, start) => Math.max(most, start.differing), 0);
  console.log(`warm-up ${warmup} candles: ${report.ok ? 'every start convenes the team where the backtest does' : `up to ${worst} candles answered otherwise after a start`}`);
  if (report.ok !== (warmup >= 50)) throw new Error(`the warm-up check of ${warmup} candles should ${warmup >= 50 ? 'pass' : 'fail'}`);
}

if (caught.ok || !clean.ok) throw new Error('the look-ahead check should catch the bug and pass the fix');
console.log('\nBoth checks did what they should: the bug and the short warm-up are caught, the fixes pass.');
