import { ConfigError, SimulatedClock, everyNthCandle, systemClock, type Clock } from '@ia-agents/core';
import { createDefaultTeam, marketMonitorTrigger } from '@ia-agents/assistants';
import { bundledCandlesPath, createPaperExchange, createReplayFeed } from '@ia-agents/exchange';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import type { AppContext, TradingAccount } from '../api/app-context.js';
import { buildApp } from '../api/build-app.js';
import type { ServerConfig } from '../config/server-config.js';
import { ServerMetrics } from '../metrics/server-metrics.js';
import { createCredentialCipher } from '../security/credential-cipher.js';
import { openStore } from '../storage/open-store.js';
import type { ServerStore } from '../storage/server-store.js';
import { runLearningLoop } from './learning-loop.js';
import { runMonitoring } from './monitoring.js';
import { ensureOwner, type Owner } from './owner.js';
import { pacedFeed } from './paced-feed.js';
import { startScheduler, type Scheduler } from './scheduler.js';
import { createTradingAccount, type RunnableAccount } from './trading-account.js';

/** A built server: call `listen()` to serve and run, `close()` to stop everything. */
export interface IaAgentsServer {
  /** The Fastify app (use `app.inject` in tests). */
  app: FastifyInstance;
  /** Storage. */
  store: ServerStore;
  /** The owner and the token issued at this start, if any. */
  owner: Owner;
  /** The owner's trading account. */
  account: RunnableAccount;
  /** Everything the routes see. */
  context: AppContext;
  /** Starts the engine and the scheduler and listens; resolves to the URL. */
  listen(): Promise<string>;
  /** Stops the scheduler, the engine, the HTTP server and the connections. */
  close(): Promise<void>;
}

/**
 * The owner's saved configuration applied at start: their assistant weights multiply into the
 * team's, their risk limits override the server's (the API checks later changes on every order).
 */
async function ownerSettings(config: ServerConfig, store: ServerStore, owner: Owner): Promise<{ weights: Record<string, number>; riskLimits: Record<string, number> }> {
  const saved = await store.getUserConfig(owner.user.id);
  return { weights: saved?.assistantWeights ?? {}, riskLimits: { ...config.riskLimits, ...(saved?.riskLimits as Record<string, number> | undefined) } };
}

function replayAccount(config: ServerConfig, store: ServerStore, owner: Owner, metrics: ServerMetrics, saved: { weights: Record<string, number>; riskLimits: Record<string, number> }): RunnableAccount {
  if (config.symbols.length !== 1 && config.replayFile !== undefined) throw new ConfigError('server configuration', [{ path: ['symbols'], message: 'a replay file holds one symbol' }]);
  const symbol = config.symbols[0]!;
  const path = config.replayFile ?? bundledCandlesPath('binance_BTC-USDT_1h');
  if (config.replayFile === undefined && symbol !== 'BTC/USDT') throw new ConfigError('server configuration', [{ path: ['symbols'], message: `the bundled replay data is BTC/USDT; give replayFile for ${symbol}` }]);
  const feed = pacedFeed(createReplayFeed({ sources: [{ symbol, path }], batchSize: 100 }), { candlesPerSecond: config.replaySpeed, warmup: config.replayWarmup });
  const quote = symbol.split('/')[1]!;
  const { assistants, consensus } = createDefaultTeam();
  const teamWeights = (consensus.weights ?? {}) as Record<string, number>;
  const weights = Object.fromEntries(assistants.map((assistant) => [assistant.id, (teamWeights[assistant.id] ?? 1) * (saved.weights[assistant.id] ?? 1)]));
  return createTradingAccount({
    userId: owner.user.id,
    store,
    symbols: [symbol],
    exchange: createPaperExchange({ balances: { [quote]: config.initialCash }, quoteCurrency: quote }),
    feed,
    assistants,
    consensus: { ...consensus, ...config.consensus, weights },
    trigger: config.decideEvery > 1 ? everyNthCandle(config.decideEvery) : marketMonitorTrigger(),
    clock: new SimulatedClock(0),
    riskLimits: saved.riskLimits,
    quoteCurrency: quote,
    timeframe: config.timeframe,
    seed: config.seed,
    metrics,
    sampleEquity: true,
  });
}

function checkMode(config: ServerConfig): void {
  if (config.mode === 'live' && config.encryptionKey === undefined) {
    throw new ConfigError('server configuration', [{ path: ['encryptionKey'], message: 'live trading needs ENCRYPTION_KEY (32 bytes, hex or base64) to keep exchange keys encrypted' }]);
  }
  if (config.mode !== 'replay') {
    throw new ConfigError('server configuration', [{ path: ['mode'], message: `mode "${config.mode}" needs a ccxt exchange and live feed, which @ia-agents/exchange does not provide yet; use "replay"` }]);
  }
}

/**
 * Assembles the system from a configuration: store, Redis, metrics, the owner's trading account
 * (PaperExchange + replay feed + the seven assistants + the engine), the API and the scheduler.
 * @example
 * const server = await createServer(loadConfig());
 * console.log(await server.listen());
 */
export async function createServer(config: ServerConfig, options: { clock?: Clock } = {}): Promise<IaAgentsServer> {
  const clock = options.clock ?? systemClock;
  const cipher = config.encryptionKey === undefined ? undefined : createCredentialCipher(config.encryptionKey);
  checkMode(config);
  const store = await openStore({ ...(config.databaseUrl === undefined ? {} : { databaseUrl: config.databaseUrl }), sqliteFile: config.sqliteFile });
  const redis = config.redisUrl === undefined ? undefined : new Redis(config.redisUrl, { maxRetriesPerRequest: 2, lazyConnect: false });
  const metrics = new ServerMetrics();
  const owner = await ensureOwner(store, config.adminToken, clock);
  const account = replayAccount(config, store, owner, metrics, await ownerSettings(config, store, owner));
  const accounts = new Map<string, TradingAccount>([[owner.user.id, account]]);
  const context: AppContext = {
    store,
    accounts,
    metrics,
    clock,
    rateLimit: { max: config.rateLimitMax, windowMs: config.rateLimitWindowMs },
    dashboard: config.dashboard,
    logLevel: config.logLevel,
    learn: (userId) => runLearningLoop(store.forUser(userId), accounts.get(userId), clock),
    ...(cipher === undefined ? {} : { cipher }),
    ...(redis === undefined ? {} : { redis }),
  };
  const app = await buildApp(context);
  let scheduler: Scheduler | undefined;
  return {
    app,
    store,
    owner,
    account,
    context,
    async listen() {
      const url = await app.listen({ port: config.port, host: config.host });
      void account.start();
      if (config.schedulerEnabled) {
        scheduler = startScheduler([
          { name: 'monitoring', cron: config.monitoringCron, run: () => runMonitoring(account) },
          { name: 'learning', cron: config.learningCron, run: () => runLearningLoop(store.forUser(owner.user.id), account, clock) },
        ], (job, error) => app.log.error({ err: error, job }, `scheduled ${job} failed`));
      }
      return url;
    },
    async close() {
      scheduler?.stop();
      await account.stop();
      await app.close();
      await store.close();
      redis?.disconnect();
    },
  };
}
