import { ConfigError, type Candle, type TriggerFactory } from '@ia-agents/core';
import { createSmaCrossover } from '../strategies/sma-crossover.js';
import { backtestFeed, type BacktestData } from './run-backtest.js';

/** Options of `checkWarmup`. */
export interface WarmupCheckOptions {
  /** Markets, as for `runBacktest`. @default the bundled Coinbase BTC/USD 4h candles */
  data?: BacktestData[];
  /** Skip candles opening before this time, UTC ms. */
  from?: number;
  /** Skip candles opening at or after this time, UTC ms. */
  to?: number;
  /** The trigger that convenes the team. @default the SMA(10)/SMA(30) crossover's */
  trigger?: TriggerFactory;
  /**
   * Candles of history a live start gives the engine before it trades: the live feeds' `warmup`
   * (the server's `REPLAY_WARMUP`). @default 200
   */
  warmup?: number;
  /** Live starts tried per market: a count spread over its candles, or open times (UTC ms). @default 4 */
  starts?: number | number[];
}

/** One candle on which a trigger started late answered otherwise than with all the history. */
export interface WarmupDifference {
  /** The candle's open time, UTC ms. */
  time: number;
  /** The trigger's answer with all the history before it (a reason, or false: not convened). */
  full: string | false;
  /** Its answer when it started `warmup` candles before the start. */
  started: string | false;
}

/** One simulated live start of one market. */
export interface WarmupStart {
  symbol: string;
  /** Open time of the first candle the started run trades on, UTC ms. */
  start: number;
  /** Candles compared (from the start to the end of the data). */
  compared: number;
  /** Candles on which either run convened the team. */
  convened: number;
  /** The first candle on which the answers differ. */
  first?: WarmupDifference;
  /** The last one: from the candle after it on, both answer alike. */
  last?: WarmupDifference;
  /** Candles that differ in all. */
  differing: number;
}

/** What `checkWarmup` found. */
export interface WarmupReport {
  /** True when every start answered exactly as the full history did, on every candle. */
  ok: boolean;
  /** The warm-up tried, in candles. */
  warmup: number;
  starts: WarmupStart[];
}

/**
 * Checks that a live start decides when the backtest does. A backtest's trigger has seen all the
 * history before each candle; a live engine's has seen only the feed's warm-up. A trigger whose
 * state reaches further back (an exponential average, a cooldown counted from its last firing)
 * convenes the team at other candles for a while after a live start, so that live results differ
 * from the backtest's for reasons no one sees. For several starts per market this runs the trigger
 * from `warmup` candles before the start, as a live feed does, beside the trigger run on all the
 * history, and reports where their answers differ and from when on they agree. (What the team
 * sees when convened is the snapshot of the last `lookback` candles, the same in both runs once
 * `warmup` >= `lookback`; the account may differ, which is not a matter of history.)
 * @example
 * const report = checkWarmup({ data: [{ bundled: 'coinbase_BTC-USD_1h' }], trigger: marketMonitorTrigger(), warmup: 60 });
 * for (const start of report.starts) console.log(start.symbol, start.differing, start.last?.time);
 */
export function checkWarmup(options: WarmupCheckOptions = {}): WarmupReport {
  const warmup = options.warmup ?? 200;
  if (!(Number.isInteger(warmup) && warmup >= 0)) throw new ConfigError('warm-up check options', [{ path: ['warmup'], message: `expected a whole number of candles (0 or more), received ${warmup}` }]);
  const trigger = options.trigger ?? createSmaCrossover().trigger;
  const feed = backtestFeed(options);
  const starts: WarmupStart[] = [];
  for (const [symbol, series] of feed.series) {
    const candles = series.candles;
    const full = answers(trigger(symbol), candles, 0);
    for (const position of startPositions(candles, warmup, options.starts)) {
      const started = answers(trigger(symbol), candles, position - warmup);
      starts.push(compare(symbol, candles, position, full, started));
    }
  }
  return { ok: starts.every((start) => start.differing === 0), warmup, starts };
}

/** The trigger's answer for every candle from `from` on (earlier positions stay undefined). */
function answers(trigger: ReturnType<TriggerFactory>, candles: readonly Candle[], from: number): (string | false)[] {
  const result = new Array<string | false>(candles.length);
  for (let position = Math.max(0, from); position < candles.length; position += 1) result[position] = trigger.update(candles[position]!);
  return result;
}

function compare(symbol: string, candles: readonly Candle[], start: number, full: readonly (string | false)[], started: readonly (string | false)[]): WarmupStart {
  const result: WarmupStart = { symbol, start: candles[start]!.timestamp, compared: candles.length - start, convened: 0, differing: 0 };
  for (let position = start; position < candles.length; position += 1) {
    const ours = full[position]!;
    const theirs = started[position]!;
    if (ours !== false || theirs !== false) result.convened += 1;
    if (ours === theirs) continue;
    const difference = { time: candles[position]!.timestamp, full: ours, started: theirs };
    result.first ??= difference;
    result.last = difference;
    result.differing += 1;
  }
  return result;
}

/** Positions of the starts: given open times found among the candles, or a count spread after the first warm-up. */
function startPositions(candles: readonly Candle[], warmup: number, starts: number | number[] | undefined): number[] {
  if (Array.isArray(starts)) {
    return starts.map((time, index) => {
      const position = candles.findIndex((candle) => candle.timestamp === time);
      if (position < warmup) {
        throw new ConfigError('warm-up check options', [{ path: ['starts', index], message: position < 0 ? `no candle opens at ${time}` : `the start at ${time} has ${position} candles before it, fewer than the warm-up of ${warmup}` }]);
      }
      return position;
    });
  }
  const count = starts ?? 4;
  if (!(Number.isInteger(count) && count >= 1)) throw new ConfigError('warm-up check options', [{ path: ['starts'], message: `expected a whole number of starts (at least 1) or a list of times, received ${count}` }]);
  const room = candles.length - warmup;
  if (room < count + 1) throw new ConfigError('warm-up check options', [{ path: ['starts'], message: `${count} starts after a warm-up of ${warmup} need more than ${warmup + count + 1} candles, the data has ${candles.length}` }]);
  return Array.from({ length: count }, (_, index) => warmup + Math.floor((room * (index + 1)) / (count + 1)));
}

/** The report as text: one line a start. */
export function formatWarmupReport(report: WarmupReport): string {
  const iso = (time: number) => new Date(time).toISOString().slice(0, 16);
  const said = (answer: string | false) => (answer === false ? 'not convened' : `convened (${answer})`);
  const lines = [`Warm-up check (${report.warmup} candles before a live start): ${report.ok ? 'every start convenes the team where the backtest does' : 'a start convenes it elsewhere'}.`];
  for (const start of report.starts) {
    if (start.first === undefined) {
      lines.push(`  ${start.symbol} from ${iso(start.start)} UTC: the same on all ${start.compared} candles (${start.convened} convened)`);
      continue;
    }
    lines.push(`  ${start.symbol} from ${iso(start.start)} UTC: ${start.differing} of ${start.compared} candles differ, the last at ${iso(start.last!.time)} UTC`);
    lines.push(`    first at ${iso(start.first.time)} UTC: with all the history ${said(start.first.full)}; after the warm-up ${said(start.first.started)}`);
  }
  return lines.join('\n');
}
