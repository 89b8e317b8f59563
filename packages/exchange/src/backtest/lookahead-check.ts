import { AbortError, ConfigError, createEventBus, timeframeToMs, type Assistant, type Candle, type ConsensusOptionsInput, type Decision, type TriggerFactory } from '@ia-agents/core';
import type { ReplayFeed } from '../feeds/replay-feed.js';
import { backtestFeed, runBacktest, type BacktestOptions } from './run-backtest.js';

/** Options of `checkLookahead`: a backtest's, and where to cut it. */
export interface LookaheadCheckOptions extends Omit<BacktestOptions, 'bus' | 'onProgress'> {
  /**
   * Where the shortened runs end: a count of cuts spread evenly over the candles that trade (within
   * `from` and `to`, after `tradeFrom`), or the times themselves (UTC ms; candles opening at or
   * after a cut are left out). @default 4
   */
  cuts?: number | number[];
  /**
   * Builds the team for each run from the candles that run replays (by symbol, after `from` and
   * the cut). Anything computed from the data before the run (features, a model's inputs, levels)
   * belongs here, computed from what it is given: a computation that uses the future then decides
   * differently once the future is cut off, and the check catches it. Also for an assistant or
   * trigger that keeps state from one run to the next. It may give the consensus options too.
   * @default the `assistants` and `trigger` given, reused
   */
  team?: (candles: ReadonlyMap<string, readonly Candle[]>) => { assistants: readonly Assistant[]; trigger?: TriggerFactory; consensus?: ConsensusOptionsInput };
  /** Stops the check (ABORTED): the run under way stops, and no report is made of it. */
  signal?: AbortSignal;
}

/** What one assistant said in one round, as compared. */
export interface OpinionDigest {
  round: number;
  assistantId: string;
  action: Decision['action'];
  confidence: number;
}

/** The parts of a decision compared between runs. */
export interface DecisionDigest {
  symbol: string;
  /** The decision's time (its snapshot's), UTC ms. */
  time: number;
  action: Decision['action'];
  proposedAction: Decision['action'];
  confidence: number;
  escalated: boolean;
  opinions: OpinionDigest[];
}

/** The first decision that a shortened run made differently (or did not make, or made alone). */
export interface LookaheadDivergence {
  /** Its position among the decisions made before the cut. */
  index: number;
  /** The full run's decision there; undefined when the full run had made all of its decisions. */
  full?: DecisionDigest;
  /** The shortened run's; undefined when it made fewer decisions. */
  shortened?: DecisionDigest;
  /** The compared fields that differ (`missing` when one run has no decision there). */
  fields: string[];
  /** Assistants whose opinions differ: where to look first. */
  assistants: string[];
}

/** One shortened run against the full one. */
export interface LookaheadCut {
  /** The shortened run left out the candles opening at or after this time, UTC ms. */
  cut: number;
  /** Decisions the full run made up to the cut, each compared with the shortened run's. */
  compared: number;
  /** The first difference, when there is one. */
  divergence?: LookaheadDivergence;
}

/** What `checkLookahead` found. */
export interface LookaheadReport {
  /** True when every shortened run decided exactly as the full run up to its cut. */
  ok: boolean;
  /** Decisions of the full run. */
  decisions: number;
  cuts: LookaheadCut[];
}

/**
 * Looks for look-ahead bias, the usual reason a backtest beats what live trading later earns: the
 * backtest runs once on all the data and again on the data cut short at several points, and every
 * decision made before a cut must come out the same both times (symbol, time, action, confidence,
 * each assistant's opinion in each round). A decision that changes when later candles are missing
 * used them: an assistant or trigger that reads the data outside its snapshot, a feature computed
 * over the whole file, an order of events that depends on the future. The engine itself shows
 * each decision only closed candles; this checks the code it runs.
 * @example
 * const report = await checkLookahead({ data: [{ bundled: 'binance_BTC-USDT_1h' }], assistants, trigger });
 * if (!report.ok) console.log(report.cuts.find((cut) => cut.divergence)?.divergence);
 */
export async function checkLookahead(options: LookaheadCheckOptions = {}): Promise<LookaheadReport> {
  const { cuts: cutOption, team, ...backtest } = options;
  // The data is read and checked once; each run replays its candles up to its cut.
  const feed = backtestFeed(backtest);
  const cuts = cutTimes(feed, backtest.tradeFrom, cutOption);
  const full = await decisionsOf(backtest, feed, team, undefined);
  const results: LookaheadCut[] = [];
  for (const cut of cuts) {
    // A decision belongs before the cut when its candle closed by then (its time is that close).
    const expected = full.filter((decision) => decision.time <= cut);
    const shortened = await decisionsOf(backtest, feed, team, cut);
    const divergence = firstDivergence(expected, shortened);
    results.push(divergence === undefined ? { cut, compared: expected.length } : { cut, compared: expected.length, divergence });
  }
  return { ok: results.every((result) => result.divergence === undefined), decisions: full.length, cuts: results };
}

/** The decisions of one backtest run, in the order they were made. */
async function decisionsOf(options: Omit<LookaheadCheckOptions, 'cuts' | 'team'>, feed: ReplayFeed, team: LookaheadCheckOptions['team'], to: number | undefined): Promise<DecisionDigest[]> {
  const bus = createEventBus();
  const made: DecisionDigest[] = [];
  bus.on('decision-make', ({ decision }) => void made.push(digest(decision)));
  const candles = new Map([...feed.series].map(([symbol, series]) => [symbol, series.candles.filter((candle) => to === undefined || candle.timestamp < to)]));
  const built = team?.(candles);
  const data = [...candles].map(([symbol, list]) => ({ symbol, candles: list, timeframe: feed.timeframe }));
  await runBacktest({ ...options, data, ...(built === undefined ? {} : { assistants: built.assistants, ...(built.trigger === undefined ? {} : { trigger: built.trigger }), ...(built.consensus === undefined ? {} : { consensus: built.consensus }) }), bus });
  // A run stopped early decided less: compared, it would read as a look-ahead.
  if (options.signal?.aborted === true) throw new AbortError('The look-ahead check was aborted', { cause: options.signal.reason });
  return made;
}

function digest(decision: Decision): DecisionDigest {
  return {
    symbol: decision.symbol,
    time: decision.createdAt,
    action: decision.action,
    proposedAction: decision.proposedAction,
    confidence: decision.confidence,
    escalated: decision.escalated,
    opinions: decision.rounds.flatMap((round) => round.opinions.map((opinion) => ({ round: round.round, assistantId: opinion.assistantId, action: opinion.action, confidence: opinion.confidence }))),
  };
}

const FIELDS = ['symbol', 'time', 'action', 'proposedAction', 'confidence', 'escalated'] as const;

function firstDivergence(full: readonly DecisionDigest[], shortened: readonly DecisionDigest[]): LookaheadDivergence | undefined {
  const length = Math.max(full.length, shortened.length);
  for (let index = 0; index < length; index += 1) {
    const ours = full[index];
    const theirs = shortened[index];
    if (ours === undefined || theirs === undefined) {
      const divergence: LookaheadDivergence = { index, fields: ['missing'], assistants: [] };
      if (ours !== undefined) divergence.full = ours;
      if (theirs !== undefined) divergence.shortened = theirs;
      return divergence;
    }
    const fields: string[] = FIELDS.filter((field) => ours[field] !== theirs[field]);
    const assistants = differingAssistants(ours.opinions, theirs.opinions);
    if (assistants.length > 0) fields.push('opinions');
    if (fields.length > 0) return { index, full: ours, shortened: theirs, fields, assistants };
  }
  return undefined;
}

/** Assistants whose opinion in some round differs, or who spoke in one run only. */
function differingAssistants(full: readonly OpinionDigest[], shortened: readonly OpinionDigest[]): string[] {
  const key = (opinion: OpinionDigest) => `${opinion.round}\u0000${opinion.assistantId}`;
  const theirs = new Map(shortened.map((opinion) => [key(opinion), opinion]));
  const differing = new Set<string>();
  for (const opinion of full) {
    const other = theirs.get(key(opinion));
    theirs.delete(key(opinion));
    if (other === undefined || other.action !== opinion.action || other.confidence !== opinion.confidence) differing.add(opinion.assistantId);
  }
  for (const opinion of theirs.values()) differing.add(opinion.assistantId);
  return [...differing].sort();
}

/** The cut times: given ones checked against the data's span, or a count spread evenly over it on the candle grid. */
function cutTimes(feed: ReplayFeed, tradeFrom: number | undefined, cuts: number | number[] | undefined): number[] {
  const times = [...feed.series.values()].flatMap((series) => (series.candles.length === 0 ? [] : [series.candles[0]!.timestamp, series.candles.at(-1)!.timestamp]));
  if (times.length === 0) throw new ConfigError('look-ahead check options', [{ path: ['data'], message: 'no candles in the chosen range' }]);
  const first = Math.min(...times);
  const last = Math.max(...times);
  const period = timeframeToMs(feed.timeframe);
  if (Array.isArray(cuts)) {
    if (cuts.length === 0) throw new ConfigError('look-ahead check options', [{ path: ['cuts'], message: 'give at least one cut' }]);
    cuts.forEach((cut, index) => {
      if (!(Number.isInteger(cut) && cut > first && cut <= last)) {
        throw new ConfigError('look-ahead check options', [{ path: ['cuts', index], message: `a cut must be a time (UTC ms) after the first candle opens (${first}) and no later than the last one opens (${last}), received ${cut}` }]);
      }
    });
    return [...cuts].sort((a, b) => a - b);
  }
  const count = cuts ?? 4;
  if (!(Number.isInteger(count) && count >= 1)) throw new ConfigError('look-ahead check options', [{ path: ['cuts'], message: `expected a whole number of cuts (at least 1) or a list of times, received ${count}` }]);
  // Spread over the candles that trade: a cut within the warm-up (`tradeFrom`) would compare no decision.
  const trading = [...feed.series.values()].flatMap((series) => series.candles.filter((candle) => candle.timestamp + period > (tradeFrom ?? Number.NEGATIVE_INFINITY)).slice(0, 1).map((candle) => candle.timestamp));
  const start = trading.length === 0 ? last : Math.min(...trading);
  const steps = Math.floor((last - start) / period);
  if (steps < count + 1) throw new ConfigError('look-ahead check options', [{ path: ['cuts'], message: `${count} cuts need more than ${count + 1} candles, the data has ${steps + 1}${tradeFrom === undefined ? '' : ' after its warm-up'}` }]);
  // On the candle grid, so that each cut falls between two candles.
  return Array.from({ length: count }, (_, index) => start + Math.round((steps * (index + 1)) / (count + 1)) * period);
}

/** The report as text: one line a cut, and the first difference spelled out. */
export function formatLookaheadReport(report: LookaheadReport): string {
  const iso = (time: number) => new Date(time).toISOString().slice(0, 16);
  const said = (digest: DecisionDigest | undefined) => (digest === undefined ? 'no decision' : `${digest.action} (${digest.proposedAction} proposed, confidence ${digest.confidence.toFixed(3)})`);
  const lines = [`Look-ahead check: ${report.ok ? 'none found' : 'FOUND'}. ${report.decisions} decisions in the full run; ${report.cuts.length} shortened runs.`];
  for (const cut of report.cuts) {
    const divergence = cut.divergence;
    if (divergence === undefined) {
      lines.push(`  cut ${iso(cut.cut)} UTC: the ${cut.compared} decisions before it are the same`);
      continue;
    }
    const where = divergence.full ?? divergence.shortened!;
    lines.push(`  cut ${iso(cut.cut)} UTC: decision ${divergence.index + 1} of ${cut.compared} differs (${where.symbol} at ${iso(where.time)} UTC; ${divergence.fields.join(', ')})`);
    lines.push(`    with the later candles: ${said(divergence.full)}; without them: ${said(divergence.shortened)}`);
    if (divergence.assistants.length > 0) lines.push(`    opinions that changed: ${divergence.assistants.join(', ')}`);
  }
  return lines.join('\n');
}
