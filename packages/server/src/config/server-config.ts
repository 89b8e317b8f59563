import { z } from 'zod';

const cron = z.string().min(9).describe('cron expression');

/** Everything the server can be told, with the embedded defaults. Unknown keys are errors. */
export const serverConfigSchema = z
  .object({
    /** TCP port of the API, dashboard and WebSocket. @default 8000 */
    port: z.number().int().min(0).max(65_535).default(8000),
    /** Interface to listen on. @default '127.0.0.1' */
    host: z.string().min(1).default('127.0.0.1'),
    /** Log level (pino). @default 'info' */
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** `postgres://...` selects PostgresStore; otherwise the SQLite file below. */
    databaseUrl: z.string().min(1).optional(),
    /** SQLite database file. @default './data/ia-agents.db' */
    sqliteFile: z.string().min(1).default('./data/ia-agents.db'),
    /** Redis for the shared rate limit and the market-data cache. */
    redisUrl: z.string().min(1).optional(),
    /**
     * `replay`: bundled (or given) candles on an accelerated clock into a PaperExchange;
     * `paper`: live exchange data, paper fills; `live`: real orders (needs encryptionKey). @default 'replay'
     */
    mode: z.enum(['replay', 'paper', 'live']).default('replay'),
    /** ccxt exchange id for paper and live modes. @default 'binance' */
    exchange: z.string().min(1).default('binance'),
    /**
     * Paper and live modes on the exchange's testnet (ccxt's sandbox mode; Binance: testnet.binance.vision):
     * live orders with testnet keys and no real money, to try live trading first. @default false
     */
    sandbox: z.boolean().default(false),
    /**
     * Where paper and live modes get their candles: `poll` asks the exchange's REST API after each
     * close; `stream` follows its websocket kline stream (ccxt pro `watchOHLCV`), with REST for the
     * warm-up and for the candles a dropped connection missed. @default 'poll'
     */
    feed: z.enum(['poll', 'stream']).default('poll'),
    /**
     * With `feed: 'stream'`, also follow each symbol's order book stream (20 levels, at most one
     * book a second) and hand it to the engine: in paper mode market orders then fill against the
     * exchange's real spread and depth rather than from candles. @default false
     */
    orderBook: z.boolean().default(false),
    /** Symbols traded. @default ['BTC/USDT'] */
    symbols: z.array(z.string().regex(/^[A-Z0-9]+\/[A-Z0-9]+$/, 'expected BASE/QUOTE')).min(1).default(['BTC/USDT']),
    /** Candle timeframe. @default '1h' */
    timeframe: z.enum(['1m', '3m', '5m', '15m', '30m', '1h', '2h', '4h', '6h', '8h', '12h', '1d']).default('1h'),
    /** Replay: a CSV `timestamp_ms,open,high,low,close,volume`; the bundled Binance BTC/USDT 1h file when absent. */
    replayFile: z.string().min(1).optional(),
    /** Replay: candles per second after the warm-up. @default 4 */
    replaySpeed: z.number().positive().max(100_000).default(4),
    /**
     * Candles of history the engine gets before it trades: replay feeds them at once before pacing
     * starts, paper and live fetch them at start. The default is the engine's snapshot lookback, so
     * that the first decisions after a start see the same history a backtest's do, and the market
     * monitor's trigger (its ATR and cooldown reach back) convenes the team at the same candles
     * (`checkWarmup` in @ia-agents/exchange: with 60, a start on the bundled Coinbase 1h candles
     * convened it once where a backtest did not). @default 200
     */
    replayWarmup: z.number().int().nonnegative().default(200),
    /** Starting paper balance in the quote currency. @default 10000 */
    initialCash: z.number().positive().default(10_000),
    /**
     * The team: an ES module whose default export is `(candles) => ({ assistants, trigger?, consensus? })`
     * or such an object, the same module `ia-agents backtest --team` and `ia-agents lookahead --team`
     * run, so that what trades is what was tested. The function gets the candles by symbol: in
     * replay mode the replay file's (as a backtest of that file does), in paper and live modes an
     * empty list per symbol (a team reads its history from the snapshots). A relative path is taken
     * from the working directory. The seven assistants with the market monitor's trigger when absent.
     */
    team: z.string().min(1).optional(),
    /**
     * A model `ia-agents train` saved (JSON): its forecast goes into every snapshot, where the
     * strategist weighs it, as `ia-agents backtest --model` runs it. The warm-up is raised to the
     * candles the model needs (400 for the ensemble) where `replayWarmup` is shorter.
     */
    model: z.string().min(1).optional(),
    /**
     * Besides the trigger's alerts, convene the team every n closed candles (0: the trigger alone).
     * @default 12 with the seven assistants; 0 with a `team` module (its trigger alone, as in its backtest)
     */
    decideEvery: z.number().int().nonnegative().optional(),
    /** 32-byte key (hex or base64) that encrypts exchange credentials; required in live mode. */
    encryptionKey: z.string().min(1).optional(),
    /** Bootstrap admin token; a random one is made and printed on the first start when absent. */
    adminToken: z.string().min(24).optional(),
    /** Requests per token per window. @default 600 */
    rateLimitMax: z.number().int().positive().default(600),
    /** Rate-limit window, milliseconds. @default 60000 */
    rateLimitWindowMs: z.number().int().positive().default(60_000),
    /**
     * After losing its account lease (PostgreSQL ended the connection holding it), how long the
     * server waits between attempts to take it again; once it holds it, the account is built anew
     * from the store and the exchange and trades again. @default 5000
     */
    leaseRetryMs: z.number().int().positive().default(5_000),
    /** Run the built-in scheduler (off when n8n or another orchestrator calls the trigger routes). @default true */
    schedulerEnabled: z.boolean().default(true),
    /** Market monitoring schedule (seed: every minute). @default '* * * * *' */
    monitoringCron: cron.default('* * * * *'),
    /** Learning loop schedule (seed: daily). @default '0 3 * * *' */
    learningCron: cron.default('0 3 * * *'),
    /**
     * News feeds (RSS 2.0 or Atom URLs) the fundamental analyst of the seven assistants reads at each
     * decision in paper and live modes (a replay of past candles would find no news of their time):
     * items about the traded asset from the last day, scored for sentiment. @default []
     */
    newsFeeds: z.array(z.url()).default([]),
    /** Ollama server for model-backed reasoning; rule-based assistants when absent. */
    ollamaUrl: z.url().optional(),
    /** Ollama model name. @default 'llama3:8b' */
    ollamaModel: z.string().min(1).default('llama3:8b'),
    /** Seed of ids and randomness. @default 1 */
    seed: z.number().int().default(1),
    /**
     * Hard risk limits of the engine (core RiskLimits; partial, the rest take core's defaults).
     * @default {}
     */
    riskLimits: z.record(z.string(), z.number()).default({}),
    /** Consensus options (core ConsensusOptions; partial). @default {} */
    consensus: z.record(z.string(), z.unknown()).default({}),
    /** Serve the dashboard at `/`. @default true */
    dashboard: z.boolean().default(true),
  })
  .strict();

/** The validated configuration. */
export type ServerConfig = z.infer<typeof serverConfigSchema>;
/** What a caller may give (defaults fill the rest). */
export type ServerConfigInput = z.input<typeof serverConfigSchema>;
