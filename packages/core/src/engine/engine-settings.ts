import { z } from 'zod';
import type { Assistant } from '../assistant/assistant.js';
import type { ConsensusOptionsInput } from '../consensus/consensus-options.js';
import type { EventBus } from '../events/event-bus.js';
import type { Logger } from '../logger.js';
import type { Clock } from '../interfaces/clock.js';
import type { Exchange } from '../interfaces/exchange.js';
import type { MarketFeed } from '../interfaces/market-feed.js';
import type { Predictor } from '../interfaces/predictor.js';
import type { Store } from '../interfaces/store.js';
import type { TriggerFactory } from '../interfaces/trigger.js';
import type { ResponseCache } from '../model/response-cache.js';
import type { Candle, RiskLimitsInput, Timeframe } from '../schemas/index.js';

/** Numeric and simple options of the engine, validated with defaults. */
export const engineOptionsSchema = z
  .object({
    /** Closed candles kept in each snapshot. @default 200 */
    lookback: z.number().int().min(1).max(100_000).default(200),
    /** Candles after a decision at which its outcome is measured. @default 12 */
    outcomeHorizon: z.number().int().min(1).default(12),
    /** Price moves within ±deadBand count as flat (HOLD was right). @default 0.002 */
    outcomeDeadBand: z.number().min(0).default(0.002),
    /** Currency portfolios are valued in. @default 'USDT' */
    quoteCurrency: z.string().min(1).default('USDT'),
    /** Fee rate the risk gate reserves cash for. @default 0.001 */
    feeRate: z.number().min(0).max(0.1).default(0.001),
    /**
     * Seed of the id generator (decision and order ids). Ids also carry the clock's time when the
     * engine was created, so a restarted process never repeats the ids of the one before, while a
     * backtest (its clock at the first candle) makes the same ids every run. @default 1
     */
    seed: z.number().int().default(1),
    /** Escalations kept waiting for a person; past this the oldest expire. @default 100 */
    maxPendingEscalations: z.number().int().min(1).default(100),
    /** Learn from outcomes (reliability and assistants' learnFromOutcome). @default true */
    learning: z.boolean().default(true),
    /**
     * On a live venue, the fills of resting orders (stop-loss, take-profit, limits) are asked for
     * after each candle batch and also every this many milliseconds while the engine waits for
     * the next candle, so that a stop-loss that filled is recorded and announced (and its
     * take-profit cancelled where the venue does not) within that time, not a candle later.
     * 0: after candle batches only. Simulated exchanges fill on candles and are never polled.
     * @default 15000
     */
    fillPollMs: z.number().int().min(0).default(15_000),
    /**
     * On a live venue that pushes order updates (`watchOrderUpdates`): after the stream failed on
     * something that may pass (network, timeout, the venue unavailable; reported as engine-error,
     * stage `order-updates`), the engine follows it again this many milliseconds later, for as long
     * as it runs. A failure that will not pass (refused keys) ends it; polling goes on either way.
     * @default 60000
     */
    orderUpdatesRetryMs: z.number().int().min(0).default(60_000),
    /** Timeframe for decisions asked on demand with no feed. @default '1h' */
    timeframe: z.custom<Timeframe>((value) => typeof value === 'string').default('1h'),
  })
  .strict();

/** What createTradingEngine takes. */
export interface TradingEngineSettings extends z.input<typeof engineOptionsSchema> {
  /** Where orders go. A SimulatedExchange is handed every closed candle before the assistants see it. */
  exchange: Exchange;
  /** Market data; optional when decisions are only asked on demand. */
  feed?: MarketFeed;
  /** The team. */
  assistants: readonly Assistant[];
  /** Consensus options (rounds, threshold, quorum, weights, vetoes, budget, timeouts). */
  consensus?: ConsensusOptionsInput;
  /** When to convene the team. @default every candle */
  trigger?: TriggerFactory;
  /** Persistence. */
  store?: Store;
  /** Event bus. @default a new one */
  bus?: EventBus;
  /** Time source; a SimulatedClock is moved to each candle's close. @default systemClock */
  clock?: Clock;
  /** Hard limits. */
  riskLimits?: RiskLimitsInput;
  /**
   * ML forecaster whose prediction goes into snapshots (`snapshot.prediction`, which the strategist
   * weighs). The engine keeps the predictor's `lookback` of candles when it is longer than its own
   * (the team still sees `lookback`), and asks for a prediction once it holds that many: before,
   * snapshots have none.
   */
  predictor?: Predictor;
  /** Model response cache. */
  cache?: ResponseCache;
  /** Where the engine logs decisions (debug), rejected orders (warn) and recoverable errors (error). @default silent */
  logger?: Logger;
  /** Called after every closed candle has been processed (equity sampling, progress). */
  onCandle?: (symbol: string, candle: Candle, index: number) => void;
}
