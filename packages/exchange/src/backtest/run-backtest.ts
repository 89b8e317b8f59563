import { z } from 'zod';
import {
  ConfigError,
  SimulatedClock,
  createTradingEngine,
  parseWith,
  timeframeToMs,
  type Assistant,
  type Balances,
  type Candle,
  type ConsensusOptionsInput,
  type EngineSummary,
  type EventBus,
  type Fill,
  type Predictor,
  type RiskLimitsInput,
  type Timeframe,
  type TriggerFactory,
} from '@ia-agents/core';
import { bundledCandlesInfo, bundledCandlesPath, defaultBundledCandles, type BundledCandlesName } from '../bundled-data.js';
import { createReplayFeed, type ReplayFeed } from '../feeds/replay-feed.js';
import { PaperExchange } from '../paper/paper-exchange.js';
import type { PaperExchangeOptions } from '../paper/paper-options.js';
import { paperExchangeOptionsSchema, splitSymbol } from '../paper/paper-options.js';
import { createSmaCrossover } from '../strategies/sma-crossover.js';
import { EquityRecorder, type EquitySeries } from './equity-recorder.js';
import { roundTrips, tradeMetrics, type PerformanceMetrics, type RoundTrip, type TradeMetrics } from './metrics.js';

/** One market of a backtest: a bundled file, a CSV path, or candles. */
export type BacktestData =
  | { symbol?: string; bundled: BundledCandlesName; timeframe?: Timeframe }
  | { symbol: string; path: string; timeframe?: Timeframe; timeUnit?: 'ms' | 's' }
  | { symbol: string; candles: Candle[]; timeframe?: Timeframe };

/** Progress of a running backtest. */
export interface BacktestProgress {
  /** Candles processed. */
  processed: number;
  /** Candles in the run. */
  total: number;
  /** processed / total. */
  fraction: number;
}

const numbersSchema = z.object({
  /** Starting cash in the quote currency. @default 10000 */
  initialCash: z.number().finite().positive().default(10_000),
  /** Skip candles before this time, UTC ms. */
  from: z.number().int().nonnegative().optional(),
  /** Skip candles at or after this time, UTC ms. */
  to: z.number().int().nonnegative().optional(),
  /** Candles that close at or before this time, UTC ms, are warm-up: the engine learns from them and trades from the next (as a live feed treats what closed before it started). */
  tradeFrom: z.number().int().nonnegative().optional(),
  /** Annual risk-free rate for Sharpe and Sortino. @default 0 */
  riskFreeRate: z.number().finite().default(0),
  /** Points kept in the result's chart series. @default 2000 */
  chartPoints: z.number().int().min(10).default(2000),
  /** Candles kept in each snapshot. @default 200 */
  lookback: z.number().int().positive().default(200),
  /** Seed of the engine's ids. @default 1 */
  seed: z.number().int().default(1),
  /** Let the assistants learn from outcomes during the run. @default false */
  learning: z.boolean().default(false),
});

/** Options of `runBacktest`. */
export interface BacktestOptions extends z.input<typeof numbersSchema> {
  /** Markets to replay (one shared timeframe). @default the bundled Coinbase BTC/USD 4h candles */
  data?: BacktestData[];
  /** The team. @default an SMA(10)/SMA(30) crossover assistant with its crossover trigger */
  assistants?: readonly Assistant[];
  /** When to convene the team. @default the SMA crossover trigger when no assistants are given, else every candle */
  trigger?: TriggerFactory;
  /** Consensus options. */
  consensus?: ConsensusOptionsInput;
  /**
   * An ML forecaster (e.g. `createEnsemblePredictor` of @ia-agents/ml over a model `ia-agents train`
   * saved): its prediction goes into each snapshot once the engine holds its lookback of candles.
   */
  predictor?: Predictor;
  /** Hard risk limits. @default core's defaults */
  riskLimits?: RiskLimitsInput;
  /** Paper exchange settings (fees, slippage, fill mode, volume share); balances come from `initialCash`. */
  exchange?: Omit<PaperExchangeOptions, 'balances' | 'quoteCurrency' | 'clock' | 'marketData'>;
  /** Event bus to watch the run. */
  bus?: EventBus;
  /** Called about every 1 % of the candles and at the end. */
  onProgress?: (progress: BacktestProgress) => void;
  /** Stops the run early. */
  signal?: AbortSignal;
}

/** What a backtest produced: JSON-safe and byte-identical on rerun. */
export interface BacktestResult {
  /** Result format version. */
  version: 1;
  /** Symbols replayed. */
  symbols: string[];
  /** Candle timeframe. */
  timeframe: Timeframe;
  /** Currency of cash and equity. */
  quoteCurrency: string;
  /** Open time of the first candle. */
  start: number;
  /** Close time of the last candle. */
  end: number;
  /** Candles processed (all symbols). */
  candles: number;
  /** Missing-candle stretches found in the data. */
  gaps: number;
  /** Metrics of the strategy. */
  metrics: PerformanceMetrics & TradeMetrics;
  /**
   * The same figures for buying every symbol (equal cash split, taker fee paid) at its first open
   * and holding: no round trip closes, so `trades` is 0 and `winRate`/`profitFactor` are null.
   */
  buyAndHold: PerformanceMetrics & TradeMetrics;
  /** Round trips. */
  trades: RoundTrip[];
  /** Every fill. */
  fills: Fill[];
  /**
   * The paper account at the end, by asset in alphabetical order: `free`, `used` (locked in orders
   * still open, such as a protective stop) and `total`, in units of the asset.
   */
  balances: Balances;
  /** What the engine did. */
  engine: EngineSummary;
  /** Down-sampled series for charts. */
  series: EquitySeries;
}

/**
 * The replay feed of a backtest's data (no `data`: the bundled default; a bundled name becomes its
 * file, symbol and timeframe), within `from` and `to`: what `runBacktest` replays, and what the
 * look-ahead and warm-up checks read.
 */
export function backtestFeed(options: { data?: readonly BacktestData[] | undefined; from?: number | undefined; to?: number | undefined; tradeFrom?: number | undefined }): ReplayFeed {
  const sources = (options.data ?? [{ bundled: defaultBundledCandles }]).map((entry) => {
    if (!('bundled' in entry)) return entry;
    const info = bundledCandlesInfo(entry.bundled);
    return { symbol: entry.symbol ?? info.symbol, path: bundledCandlesPath(entry.bundled), timeframe: entry.timeframe ?? info.timeframe };
  });
  return createReplayFeed({ sources, ...(options.from === undefined ? {} : { from: options.from }), ...(options.to === undefined ? {} : { to: options.to }), ...(options.tradeFrom === undefined ? {} : { tradeFrom: options.tradeFrom }) });
}

/**
 * The candles of a backtest's data by symbol, oldest first (what a look-ahead check's `team` is
 * given), read from the data, or from its feed when the caller has built it already.
 */
export function backtestCandles(source: Parameters<typeof backtestFeed>[0] | ReplayFeed): Map<string, readonly Candle[]> {
  const feed = 'series' in source ? source : backtestFeed(source);
  return new Map([...feed.series].map(([symbol, series]) => [symbol, series.candles]));
}

function quoteOf(feed: ReplayFeed): string {
  const quotes = new Set(feed.symbols.map((symbol) => splitSymbol(symbol).quote));
  if (quotes.size !== 1) throw new ConfigError('backtest options', [{ path: ['data'], message: `all symbols must share one quote currency, got ${[...quotes].join(', ')}` }]);
  return [...quotes][0]!;
}

/**
 * Runs a backtest: the core TradingEngine + a replay feed + a PaperExchange + a simulated clock,
 * the same code path as paper and live trading. Orders decided on a closed candle fill at the next
 * candle's open unless `exchange.fill` is `signal-close`.
 * @example
 * const result = await runBacktest({ initialCash: 10_000 });
 * console.log(result.metrics.totalReturn, result.buyAndHold.totalReturn);
 */
export async function runBacktest(options: BacktestOptions = {}): Promise<BacktestResult> {
  const settings = parseWith(numbersSchema, pickNumbers(options), 'backtest options', 'CONFIG_INVALID');
  const feed = backtestFeed({ data: options.data, from: settings.from, to: settings.to, tradeFrom: settings.tradeFrom });
  const quoteCurrency = quoteOf(feed);
  const first = Math.min(...[...feed.series.values()].map((series) => series.candles[0]?.timestamp ?? Number.POSITIVE_INFINITY));
  if (!Number.isFinite(first)) throw new ConfigError('backtest options', [{ path: ['data'], message: 'no candles in the chosen range' }]);
  refuseLearntCandles(options.predictor, feed, settings.tradeFrom);
  const clock = new SimulatedClock(first);
  const exchange = new PaperExchange({ ...options.exchange, balances: { [quoteCurrency]: settings.initialCash }, quoteCurrency, clock });
  const strategy = options.assistants === undefined ? createSmaCrossover() : undefined;
  const total = [...feed.series.values()].reduce((sum, series) => sum + series.candles.length, 0);
  const takerFee = paperExchangeOptionsSchema.shape.takerFee.parse(options.exchange?.takerFee);
  const recorder = new EquityRecorder(exchange, feed, settings.initialCash, takerFee, total);
  const step = Math.max(1, Math.floor(total / 100));
  let processed = 0;
  const engine = createTradingEngine({
    exchange,
    feed,
    clock,
    assistants: options.assistants ?? [strategy!.assistant],
    ...(options.trigger !== undefined ? { trigger: options.trigger } : strategy === undefined ? {} : { trigger: strategy.trigger }),
    ...(options.consensus === undefined ? {} : { consensus: options.consensus }),
    ...(options.riskLimits === undefined ? {} : { riskLimits: options.riskLimits }),
    ...(options.bus === undefined ? {} : { bus: options.bus }),
    ...(options.predictor === undefined ? {} : { predictor: options.predictor }),
    quoteCurrency,
    feeRate: takerFee,
    lookback: settings.lookback,
    seed: settings.seed,
    learning: settings.learning,
    onCandle: (symbol, candle) => {
      recorder.record(symbol, candle);
      processed += 1;
      if (options.onProgress !== undefined && (processed % step === 0 || processed === total)) options.onProgress({ processed, total, fraction: processed / total });
    },
  });
  const summary = await engine.run(options.signal === undefined ? {} : { signal: options.signal });
  return summarize({ feed, exchange, recorder, summary, settings, quoteCurrency });
}

/**
 * What is wrong with trading from `firstTraded` (an open time) on `predictor`'s forecasts, when its
 * model learnt from that candle or later ones (their future is in it): a message naming when the
 * model's knowledge ends and the trading starts; undefined when it is fine or the predictor does not
 * say what it learnt from. `runBacktest` refuses such a predictor, the server's replay mode too.
 */
export function learntCandlesProblem(predictor: Predictor | undefined, firstTraded: number, candleLength: number): string | undefined {
  const training = predictor?.training;
  if (training === undefined) return undefined;
  const knownUntil = training.lastCandle + training.horizon * candleLength;
  if (firstTraded > knownUntil) return undefined;
  const iso = (time: number) => new Date(time).toISOString().slice(0, 16).replace('T', ' ');
  return `the model ${predictor!.id} learnt from the candles of ${iso(training.firstCandle)} to ${iso(knownUntil)} UTC (its last training row and ${training.horizon} candle(s) of label), and trading starts at ${iso(firstTraded)}: it would trade on a future the model has seen. Trade after ${iso(knownUntil)} (from, tradeFrom), or train on earlier candles`;
}

/** A model that learnt from candles this backtest trades (or from later ones) knows their future: refused. */
function refuseLearntCandles(predictor: Predictor | undefined, feed: ReplayFeed, tradeFrom: number | undefined): void {
  if (predictor?.training === undefined) return;
  const length = timeframeToMs(feed.timeframe);
  const firstTraded = Math.min(...[...feed.series.values()].map((series) => series.candles.find((candle) => tradeFrom === undefined || candle.timestamp + length > tradeFrom)?.timestamp ?? Number.POSITIVE_INFINITY));
  const problem = learntCandlesProblem(predictor, firstTraded, length);
  if (problem !== undefined) throw new ConfigError('backtest options', [{ path: ['predictor'], message: problem }]);
}

function pickNumbers(options: BacktestOptions): Record<string, unknown> {
  const { data: _data, assistants: _assistants, trigger: _trigger, consensus: _consensus, predictor: _predictor, riskLimits: _riskLimits, exchange: _exchange, bus: _bus, onProgress: _onProgress, signal: _signal, ...numbers } = options;
  return numbers;
}

interface Finished {
  feed: ReplayFeed;
  exchange: PaperExchange;
  recorder: EquityRecorder;
  summary: EngineSummary;
  settings: z.output<typeof numbersSchema>;
  quoteCurrency: string;
}

async function summarize({ feed, exchange, recorder, summary, settings, quoteCurrency }: Finished): Promise<BacktestResult> {
  const period = timeframeToMs(feed.timeframe);
  const fills = await exchange.fetchFills();
  const trips = roundTrips(fills);
  const curve = recorder.curve();
  const curveMetrics = recorder.metrics(settings.riskFreeRate);
  return {
    version: 1,
    symbols: [...feed.symbols],
    timeframe: feed.timeframe,
    quoteCurrency,
    start: curve.times[0] ?? 0,
    end: (curve.times.at(-1) ?? 0) + period,
    candles: summary.candles,
    gaps: [...feed.series.values()].reduce((sum, series) => sum + series.gaps.length, 0),
    metrics: { ...curveMetrics.strategy, ...tradeMetrics(trips, fills, recorder.exposedSamples, curve.times.length) },
    buyAndHold: {
      ...curveMetrics.buyAndHold,
      // Bought at the first open of the run, held to the end: in the market at every sample.
      trades: 0,
      winRate: null,
      profitFactor: null,
      exposure: curve.times.length > 0 ? 1 : 0,
      feesPaid: recorder.buyAndHoldFees,
      fills: recorder.buyAndHoldFills,
    },
    trades: trips,
    fills,
    balances: byAsset(await exchange.fetchBalance()),
    engine: summary,
    series: recorder.chartSeries(settings.chartPoints, fills),
  };
}

/** Balances with their assets in alphabetical order, so the JSON does not follow the order assets were first touched. */
function byAsset(balances: Balances): Balances {
  return Object.fromEntries(Object.keys(balances).sort().map((asset) => [asset, balances[asset]!]));
}

/** The result as stable, pretty JSON (the same run gives the same bytes). */
export function backtestResultToJson(result: BacktestResult): string {
  return `${JSON.stringify(result, null, 2)}\n`;
}
