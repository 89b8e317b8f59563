import { FeedSource, OllamaModel } from '@ia-agents/assistants';
import { ConfigError, IaAgentsError, SimulatedClock, createEventBus, sleep, systemClock, timeframeToMs, type Candle, type Clock, type EventBus, type Logger, type Predictor } from '@ia-agents/core';
import { backtestCandles, bundledCandlesPath, learntCandlesProblem, createCcxtExchange, createCcxtStream, createPaperExchange, createPollingFeed, createReplayFeed, createStreamingFeed, type CcxtClient, type CcxtExchange, type PaperExchange } from '@ia-agents/exchange';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import type { AppContext, TradingAccount } from '../api/app-context.js';
import { buildApp } from '../api/build-app.js';
import type { ServerConfig } from '../config/server-config.js';
import { ServerMetrics } from '../metrics/server-metrics.js';
import { createCredentialCipher, type CredentialCipher } from '../security/credential-cipher.js';
import { openStore } from '../storage/open-store.js';
import type { AccountLease, ServerStore } from '../storage/server-store.js';
import { runLearningLoop } from './learning-loop.js';
import { runMonitoring } from './monitoring.js';
import { ensureOwner, type Owner } from './owner.js';
import { pacedFeed } from './paced-feed.js';
import { persistPaperAccount, type PaperPersistence } from './paper-persistence.js';
import { createRedisMarketCache } from './redis-market-cache.js';
import { startScheduler, type Scheduler } from './scheduler.js';
import { loadModel } from './model-file.js';
import { convenedTeam, loadTeam, sevenAssistants, type TeamBuilder, type TeamSetup } from './team-module.js';
import { createTradingAccount, type RunnableAccount } from './trading-account.js';

/** A built server: call `listen()` to serve and run, `close()` to stop everything. */
export interface IaAgentsServer {
  /** The Fastify app (use `app.inject` in tests). */
  app: FastifyInstance;
  /** Storage. */
  store: ServerStore;
  /** The owner and the token issued at this start, if any. */
  owner: Owner;
  /** The owner's trading account (built anew when the server takes its lost lease again). */
  readonly account: RunnableAccount;
  /** The account's venue: a PaperExchange in replay and paper modes, the ccxt exchange in live mode. */
  readonly exchange: Venue['exchange'];
  /** Everything the routes see. */
  context: AppContext;
  /** Starts the engine and the scheduler and listens; resolves to the URL. */
  listen(): Promise<string>;
  /** Stops the scheduler, the engine and the HTTP server, saves the paper account (paper mode), closes the connections; again, waits for the same. */
  close(): Promise<void>;
}

/**
 * The owner's saved configuration applied at start: their assistant weights multiply into the
 * team's, their risk limits override the server's (the API checks later changes on every order).
 */
async function ownerSettings(config: ServerConfig, store: ServerStore, owner: Owner): Promise<Saved> {
  const saved = await store.getUserConfig(owner.user.id);
  return { weights: saved?.assistantWeights ?? {}, riskLimits: { ...config.riskLimits, ...(saved?.riskLimits as Record<string, number> | undefined) } };
}

type Saved = { weights: Record<string, number>; riskLimits: Record<string, number> };

/**
 * What the account trades with: the team (the `team` module, or the seven assistants with
 * OLLAMA_URL's model and NEWS_FEEDS' news), convened as `decideEvery` says, and the `model`'s
 * predictor, with the warm-up raised to what the model needs. Loaded before anything is opened: a
 * module or model that cannot be loaded stops the start, naming why.
 */
async function tradingSetup(given: ServerConfig): Promise<{ config: ServerConfig; buildTeam: TeamBuilder; predictor: Predictor | undefined }> {
  const predictor = given.model === undefined ? undefined : loadModel(given.model, 'server configuration');
  const config = predictor !== undefined && predictor.lookback > given.replayWarmup ? { ...given, replayWarmup: predictor.lookback } : given;
  // A replay trades candles after its warm-up: a model that learnt from them would trade a future it has seen.
  if (predictor?.training !== undefined && config.mode === 'replay') {
    const replayed = backtestCandles({ data: [{ symbol: config.symbols[0]!, path: replayPath(config) }] }).get(config.symbols[0]!)!;
    const firstTraded = replayed[config.replayWarmup]?.timestamp ?? Number.POSITIVE_INFINITY;
    const problem = learntCandlesProblem(predictor, firstTraded, timeframeToMs(config.timeframe));
    if (problem !== undefined) throw new ConfigError('server configuration', [{ path: ['model'], message: `${problem} (replayFile)` }]);
  }
  // Each assistant falls back to its rules when a call to the model fails.
  const language = config.ollamaUrl === undefined ? {} : { model: new OllamaModel({ host: config.ollamaUrl, model: config.ollamaModel }) };
  // Only where the news is of the candles' time (not in a replay of past candles).
  const news = config.newsFeeds.length === 0 || config.mode === 'replay' ? {} : { newsSources: config.newsFeeds.map((url) => new FeedSource({ url })) };
  const seven = sevenAssistants({ ...language, ...news });
  const buildTeam = convenedTeam(await loadTeam(config.team, 'server configuration', seven), { decideEvery: config.decideEvery, module: config.team !== undefined, timeframe: config.timeframe });
  return { config, buildTeam, predictor };
}

/** Exchange, feed and clock of each mode. */
interface Venue {
  exchange: Parameters<typeof createTradingAccount>[0]['exchange'];
  feed: Parameters<typeof createTradingAccount>[0]['feed'];
  clock: Clock;
  /**
   * Paper mode: the exchange kept in `paper_accounts`, what it started from, and why the exchange's
   * market rules could not be loaded, if so (logged once the app's logger exists).
   */
  paper?: { exchange: PaperExchange; quote: string; start: PaperStart; rulesError?: string };
  /** Closes what the venue opened (the exchange client's sockets: the kline and order-update streams). */
  close?: () => Promise<void>;
}

/** How a paper account started: from its saved snapshot, or fresh (and why). */
type PaperStart = { restored: true; savedAt: number } | { restored: false; reason: 'none saved' | 'other quote currency'; savedQuote?: string };

/** The candles replay mode replays (its one symbol's), checked against the configured symbols. */
function replayPath(config: ServerConfig): string {
  const symbol = config.symbols[0]!;
  if (config.replayFile === undefined && symbol !== 'BTC/USDT') throw new ConfigError('server configuration', [{ path: ['symbols'], message: `the bundled replay data is BTC/USDT; give replayFile for ${symbol}` }]);
  if (config.symbols.length !== 1) throw new ConfigError('server configuration', [{ path: ['symbols'], message: 'replay mode trades one symbol' }]);
  return config.replayFile ?? bundledCandlesPath('binance_BTC-USDT_1h');
}

function replayVenue(config: ServerConfig, symbol: string, quote: string): Venue {
  const path = replayPath(config);
  // The paper exchange stamps orders on the engine's clock (each candle's close), not on candle opens.
  const clock = new SimulatedClock(0);
  return {
    exchange: createPaperExchange({ balances: { [quote]: config.initialCash }, quoteCurrency: quote, clock }),
    feed: pacedFeed(createReplayFeed({ sources: [{ symbol, path }], batchSize: 100 }), { candlesPerSecond: config.replaySpeed, warmup: config.replayWarmup }),
    clock,
  };
}

/**
 * The owner's paper exchange: continued from the saved account when its quote currency is the
 * configured one, else fresh with `initialCash`. A saved account that cannot be read stops the
 * start (ConfigError naming it) rather than being silently replaced by a fresh one.
 */
async function openPaperExchange(config: ServerConfig, store: ServerStore, owner: Owner, quote: string, marketData: PaperExchangeSettings['marketData']): Promise<{ exchange: PaperExchange; start: PaperStart }> {
  // On the wall clock, as the engine: an order shows when it was decided, not the open of the last
  // candle. On Binance a buy's fee is charged in the asset bought: the paper account does the same.
  const settings: PaperExchangeSettings = { balances: { [quote]: config.initialCash }, quoteCurrency: quote, marketData, clock: systemClock, buyFeeIn: config.exchange === 'binance' ? 'base' : 'quote' };
  try {
    const saved = await store.getPaperAccount(owner.user.id);
    if (saved === undefined) return { exchange: createPaperExchange(settings), start: { restored: false, reason: 'none saved' } };
    if (saved.quoteCurrency !== quote) return { exchange: createPaperExchange(settings), start: { restored: false, reason: 'other quote currency', savedQuote: saved.quoteCurrency } };
    // The restored exchange ignores the candles it had seen (the feed's warm-up hands them over again).
    return { exchange: createPaperExchange({ ...settings, state: saved.state }), start: { restored: true, savedAt: saved.updatedAt } };
  } catch (error) {
    if (!(error instanceof IaAgentsError && error.code === 'DATA_INVALID')) throw error;
    throw new ConfigError('server configuration', [{ path: ['mode'], message: `the saved paper account of ${owner.user.username} (paper_accounts row of user ${owner.user.id}) cannot be restored: ${error.message}. Delete that row to start over with initialCash` }], { cause: error });
  }
}

type PaperExchangeSettings = NonNullable<Parameters<typeof createPaperExchange>[0]>;

/**
 * The candles of paper and live modes: ccxt REST polling (`feed: 'poll'`), or the exchange's
 * websocket kline stream (`feed: 'stream'`: ccxt pro `watchOHLCV` on the exchange's own client,
 * REST for the warm-up and for the candles a reconnection missed), with its order books when
 * `orderBook` is on.
 */
function liveFeed(config: ServerConfig, exchange: CcxtExchange): Venue['feed'] {
  const settings = { symbols: config.symbols, timeframe: config.timeframe, warmup: config.replayWarmup };
  if (config.feed === 'poll') {
    if (config.orderBook) throw new ConfigError('server configuration', [{ path: ['orderBook'], message: "order books come from the exchange's stream: set feed 'stream'" }]);
    return createPollingFeed({ exchange, ...settings });
  }
  if (typeof (exchange.client as Partial<{ watchOHLCV: unknown }>).watchOHLCV !== 'function' || exchange.client.has.watchOHLCV !== true) {
    throw new ConfigError('server configuration', [{ path: ['feed'], message: `${config.exchange} has no kline stream through ccxt pro (watchOHLCV): use feed 'poll'` }]);
  }
  return createStreamingFeed({ stream: createCcxtStream({ client: exchange.client }), exchange, ...settings, ...(config.orderBook ? { orderBooks: {} } : {}) });
}

/** Paper: live candles from the exchange (see `liveFeed`), fills simulated by the owner's saved or a new PaperExchange. */
async function paperVenue(config: ServerConfig, store: ServerStore, owner: Owner, quote: string, client: CcxtClient | undefined, redis: Redis | undefined): Promise<Venue> {
  const market = createCcxtExchange({ exchangeId: config.exchange, sandbox: config.sandbox, ...(client === undefined ? {} : { client }) });
  const feed = liveFeed(config, market);
  // The paper exchange's tickers, books and rules go through Redis when configured; the feed
  // polls the exchange itself (it waits for new candles, which a cache must not hide).
  const marketData = redis === undefined ? market : createRedisMarketCache(market, redis, { exchangeId: config.exchange });
  const { exchange, start } = await openPaperExchange(config, store, owner, quote, marketData);
  // The exchange's lot and price steps and minimums, so that paper orders are rounded and refused as
  // there. An exchange unreachable at start is no reason not to start (the feed waits for it too):
  // the paper exchange asks again with the symbol's next candles.
  const rulesError = await exchange.loadMarkets(config.symbols).then(
    () => undefined,
    (error: unknown) => (error instanceof Error ? error.message : String(error)),
  );
  return {
    exchange,
    feed,
    clock: systemClock,
    paper: { exchange, quote, start, ...(rulesError === undefined ? {} : { rulesError }) },
    close: () => market.close(),
  };
}

/** Logs how the paper account started and keeps it saved from now on. */
function keepPaperAccount(venue: Venue, store: ServerStore, lease: AccountLease, owner: Owner, account: RunnableAccount, logger: Logger): PaperPersistence | undefined {
  if (venue.paper === undefined) return undefined;
  const { exchange, quote, start, rulesError } = venue.paper;
  const userId = owner.user.id;
  if (rulesError !== undefined) logger.warn({ userId, symbols: account.symbols, error: rulesError }, 'market rules not loaded yet: paper orders follow the exchange\'s steps and minimums once its next candles bring them');
  if (start.restored) logger.info({ userId, savedAt: new Date(start.savedAt).toISOString() }, 'paper account restored from paper_accounts');
  else if (start.reason === 'none saved') logger.info({ userId, quote }, 'new paper account with initialCash');
  else logger.warn({ userId, quote, savedQuote: start.savedQuote }, `the saved paper account is in ${start.savedQuote}, not ${quote}: a new one with initialCash replaces it`);
  return persistPaperAccount({ userId, store, lease, exchange, quoteCurrency: quote, bus: account.bus, logger });
}

/** Live: real orders with the owner's stored (encrypted) credentials. */
async function liveVenue(config: ServerConfig, store: ServerStore, owner: Owner, cipher: CredentialCipher, client: CcxtClient | undefined): Promise<Venue> {
  const sealed = await store.getExchangeCredentials(owner.user.id, config.exchange);
  if (sealed === undefined) throw new ConfigError('server configuration', [{ path: ['mode'], message: `live trading needs ${config.exchange} credentials: store them with PUT /api/v1/config/exchange-credentials (in replay mode) first` }]);
  const keys = JSON.parse(cipher.open(sealed, `${owner.user.id}:${config.exchange}`)) as { apiKey: string; secret: string };
  const exchange = createCcxtExchange({ exchangeId: config.exchange, sandbox: config.sandbox, apiKey: keys.apiKey, secret: keys.secret, ...(client === undefined ? {} : { client }) });
  return { exchange, feed: liveFeed(config, exchange), clock: systemClock, close: () => exchange.close() };
}

/** The team's recommended weights (its consensus options') times the user's saved ones. */
function teamWeights(team: TeamSetup, ids: readonly string[], userWeights: Record<string, number>): Record<string, number> {
  const recommended = (team.consensus?.weights ?? {}) as Record<string, number>;
  return Object.fromEntries(ids.map((id) => [id, (recommended[id] ?? 1) * (userWeights[id] ?? 1)]));
}

/**
 * The candles a team module is built from: in replay mode the replay file's (what a backtest of
 * that file gives it), else none yet (an empty list per symbol). Read only for a module: the seven
 * assistants take none.
 */
function teamCandles(config: ServerConfig): Map<string, readonly Candle[]> {
  if (config.team === undefined || config.mode !== 'replay') return new Map(config.symbols.map((symbol) => [symbol, []]));
  return backtestCandles({ data: [{ symbol: config.symbols[0]!, path: replayPath(config) }] });
}

function buildAccount(config: ServerConfig, store: ServerStore, owner: Owner, metrics: ServerMetrics, saved: Saved, venue: Venue, beforeRecord: (() => Promise<void>) | undefined, bus: EventBus, team: TeamSetup, predictor: Predictor | undefined): RunnableAccount {
  const quote = config.symbols[0]!.split('/')[1]!;
  const { assistants, consensus } = team;
  const weights = teamWeights(team, assistants.map((assistant) => assistant.id), saved.weights);
  return createTradingAccount({
    userId: owner.user.id,
    store,
    symbols: config.symbols,
    exchange: venue.exchange,
    ...(venue.feed === undefined ? {} : { feed: venue.feed }),
    assistants,
    consensus: { ...consensus, ...config.consensus, weights },
    ...(team.trigger === undefined ? {} : { trigger: team.trigger }),
    ...(predictor === undefined ? {} : { predictor }),
    clock: venue.clock,
    riskLimits: saved.riskLimits,
    quoteCurrency: quote,
    timeframe: config.timeframe,
    seed: config.seed,
    metrics,
    sampleEquity: true,
    bus,
    ...(beforeRecord === undefined ? {} : { beforeRecord }),
  });
}

async function venueFor(config: ServerConfig, store: ServerStore, owner: Owner, cipher: CredentialCipher | undefined, client: CcxtClient | undefined, redis: Redis | undefined): Promise<Venue> {
  const quote = config.symbols[0]!.split('/')[1]!;
  if (config.mode === 'replay') return replayVenue(config, config.symbols[0]!, quote);
  if (config.mode === 'paper') return paperVenue(config, store, owner, quote, client, redis);
  return liveVenue(config, store, owner, cipher!, client);
}

function checkMode(config: ServerConfig): void {
  if (config.mode === 'live' && config.encryptionKey === undefined) {
    throw new ConfigError('server configuration', [{ path: ['encryptionKey'], message: 'live trading needs ENCRYPTION_KEY (32 bytes, hex or base64) to keep exchange keys encrypted' }]);
  }
}

/** What `createServer` can be given besides its configuration. */
export interface CreateServerOptions {
  /** The API's clock (token expiry, audit times). @default systemClock */
  clock?: Clock;
  /** The ccxt client the exchange adapters use (a local exchange in tests). */
  ccxtClient?: CcxtClient;
  /** A store opened by the caller, used instead of the configuration's database; the server closes it. */
  store?: ServerStore;
}

/**
 * Assembles the system from a configuration: store, Redis, metrics, the owner's trading account
 * (PaperExchange + replay feed + the seven assistants or the `team` module + the engine), the API and the scheduler.
 * @example
 * const server = await createServer(loadConfig());
 * console.log(await server.listen());
 */
export async function createServer(given: ServerConfig, options: CreateServerOptions = {}): Promise<IaAgentsServer> {
  const clock = options.clock ?? systemClock;
  const cipher = given.encryptionKey === undefined ? undefined : createCredentialCipher(given.encryptionKey);
  checkMode(given);
  const { config, buildTeam, predictor } = await tradingSetup(given);
  const store = options.store ?? (await openStore({ ...(config.databaseUrl === undefined ? {} : { databaseUrl: config.databaseUrl }), sqliteFile: config.sqliteFile }));
  const redis = config.redisUrl === undefined ? undefined : new Redis(config.redisUrl, { maxRetriesPerRequest: 2, lazyConnect: false });
  const metrics = new ServerMetrics();
  // Paper: the account's exchange is saved before each order or fill is recorded (kept once the
  // API's logger exists); a lease lost while running stops the account until it is taken again.
  const kept: { paper?: PaperPersistence | undefined; lost?: (error: Error) => void } = {};
  const onLost = (error: Error) => kept.lost?.(error);
  let owner: Owner;
  let lease: AccountLease;
  try {
    owner = await ensureOwner(store, config.adminToken, clock);
    // One server per account: a second would trade it too (and overwrite its paper account).
    lease = await store.holdAccount(owner.user.id, { onLost });
  } catch (error) {
    await store.close();
    throw error;
  }
  // One bus for every account built here: WebSocket clients go on streaming after a rebuild.
  const bus = createEventBus();
  const openAccount = async (): Promise<{ account: RunnableAccount; venue: Venue; team: TeamSetup }> => {
    const team = buildTeam(teamCandles(config));
    const venue = await venueFor(config, store, owner, cipher, options.ccxtClient, redis);
    const beforeRecord = venue.paper === undefined ? undefined : () => kept.paper?.saveNow() ?? Promise.resolve();
    return { venue, team, account: buildAccount(config, store, owner, metrics, await ownerSettings(config, store, owner), venue, beforeRecord, bus, team, predictor) };
  };
  let current: { account: RunnableAccount; venue: Venue; team: TeamSetup };
  try {
    current = await openAccount();
  } catch (error) {
    await lease.release();
    await store.close();
    redis?.disconnect();
    throw error;
  }
  const accounts = new Map<string, TradingAccount>([[owner.user.id, current.account]]);
  const context: AppContext = {
    store,
    accounts,
    metrics,
    clock,
    rateLimit: { max: config.rateLimitMax, windowMs: config.rateLimitWindowMs },
    dashboard: config.dashboard,
    logLevel: config.logLevel,
    learn: (userId) => runLearningLoop(store.forUser(userId), accounts.get(userId), clock),
    // A saved configuration takes effect on the running engine at once (validated by core).
    applyConfig: (userId, saved) => {
      const running = accounts.get(userId);
      if (running === undefined) return;
      running.engine.setRiskLimits({ ...config.riskLimits, ...(saved.riskLimits as Record<string, number>) });
      running.engine.consensus.setWeights(teamWeights(current.team, running.assistantIds, saved.assistantWeights));
    },
    ...(cipher === undefined ? {} : { cipher }),
    ...(redis === undefined ? {} : { redis }),
  };
  const app = await buildApp(context);
  kept.paper = keepPaperAccount(current.venue, store, lease, owner, current.account, app.log);
  let listening = false;
  let closing = false;
  const retry = new AbortController();
  let retaking: Promise<void> | undefined;
  /** Takes the lease again (every `leaseRetryMs` until it holds it or the server closes), then builds the account anew and starts it. */
  const retake = async (): Promise<void> => {
    while (!closing) {
      await sleep(config.leaseRetryMs, retry.signal);
      if (closing) return;
      try {
        lease = await store.holdAccount(owner.user.id, { onLost });
      } catch (error) {
        app.log.warn({ err: error, userId: owner.user.id }, 'the account lease is not free yet: trying again');
        continue;
      }
      try {
        // Built from what the store and the exchange hold now, as at a start: another server may have traded meanwhile.
        current = await openAccount();
      } catch (error) {
        app.log.error({ err: error, userId: owner.user.id }, 'the account could not be built again: trying again');
        await lease.release();
        continue;
      }
      kept.paper = keepPaperAccount(current.venue, store, lease, owner, current.account, app.log);
      accounts.set(owner.user.id, current.account);
      app.log.info({ userId: owner.user.id }, 'the account lease is held again: trading resumes');
      if (listening) void current.account.start();
      return;
    }
  };
  kept.lost = (error) => {
    // Another server may take the account now: this one stops trading it rather than trade it
    // twice, takes no order through its API, and never saves over the paper account again.
    app.log.error({ err: error, userId: owner.user.id }, `the account lease was lost: trading stops until this server holds it again (tried every ${config.leaseRetryMs} ms)`);
    const lost = current;
    const lostLease = lease;
    accounts.delete(owner.user.id);
    kept.paper?.discard();
    kept.paper = undefined;
    bus.emit('engine-error', { error, stage: 'account-lease' });
    retaking = (async () => {
      // Gives its connection back (the lock went with the session).
      await lostLease.release().catch(() => undefined);
      await lost.account.stop();
      await lost.venue.close?.();
      await retake();
    })();
  };
  let scheduler: Scheduler | undefined;
  let closed: Promise<void> | undefined;
  /** Stops the scheduler, the engine and the HTTP server, saves the paper account (paper mode), closes the connections. */
  const shutDown = async (): Promise<void> => {
    closing = true;
    retry.abort();
    scheduler?.stop();
    await retaking;
    await current.account.stop();
    await app.close();
    // After the API closed: a manual order answered during shutdown is in the last save too.
    await kept.paper?.close();
    await current.venue.close?.();
    await lease.release();
    await store.close();
    redis?.disconnect();
  };
  return {
    app,
    store,
    owner,
    get account() {
      return current.account;
    },
    get exchange() {
      return current.venue.exchange;
    },
    context,
    async listen() {
      const url = await app.listen({ port: config.port, host: config.host });
      listening = true;
      if (accounts.has(owner.user.id)) void current.account.start();
      if (config.schedulerEnabled) {
        scheduler = startScheduler([
          // Nothing while the lease is lost: a decision could place an order another server places too.
          { name: 'monitoring', cron: config.monitoringCron, run: async () => {
            const account = accounts.get(owner.user.id);
            if (account !== undefined) await runMonitoring(account);
          } },
          { name: 'learning', cron: config.learningCron, run: () => runLearningLoop(store.forUser(owner.user.id), accounts.get(owner.user.id), clock) },
        ], (job, error) => app.log.error({ err: error, job }, `scheduled ${job} failed`));
      }
      return url;
    },
    close() {
      return (closed ??= shutDown());
    },
  };
}
