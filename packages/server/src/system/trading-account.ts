import { createEventBus, createTradingEngine, isSimulatedExchange, type Assistant, type EngineSummary, type EventBus, type Fill, type Order, type TradingEngineSettings } from '@ia-agents/core';
import type { AccountStatus, TradingAccount } from '../api/app-context.js';
import type { ServerMetrics } from '../metrics/server-metrics.js';
import type { ServerStore, UserStore } from '../storage/server-store.js';

/** What an account is built from. */
export interface TradingAccountSettings extends Omit<TradingEngineSettings, 'store' | 'bus' | 'assistants'> {
  /** Owner of the account's data. */
  userId: string;
  /** Storage (the account writes through `store.forUser(userId)`). */
  store: ServerStore;
  /** The team. */
  assistants: readonly Assistant[];
  /** Symbols traded. */
  symbols: readonly string[];
  /** Metrics to count the account's events and time its assistants. */
  metrics?: ServerMetrics;
  /**
   * Save and publish a portfolio valuation after every closed candle (simulated exchanges), so the
   * equity curve has a point per candle rather than one per fill. @default false
   */
  sampleEquity?: boolean;
  /**
   * Awaited before each order or fill the engine records: a paper account saves its exchange
   * first (see `persistPaperAccount`'s `saveNow`), as a real exchange holds an order before it
   * answers, so that a crash never leaves the store with what the saved exchange lacks.
   */
  beforeRecord?: () => Promise<void>;
  /**
   * The account's event bus: one the server keeps when it builds the account anew (after taking its
   * lease again), so that WebSocket clients stream the new account's events. @default a new bus
   */
  bus?: EventBus;
}

/** A TradingAccount that can be started and stopped. */
export interface RunnableAccount extends TradingAccount {
  /** Starts consuming the feed in the background; resolves when the run ends. */
  start(): Promise<EngineSummary | undefined>;
  /** Stops the feed, waits for the run to end, and stops counting the account's events in the metrics. */
  stop(): Promise<void>;
}

/**
 * One user's engine on one store: the engine writes the user's decisions, orders and fills
 * through the user-scoped store, and its events feed the metrics and the user's WebSocket.
 * @example
 * const account = createTradingAccount({ userId, store, exchange, feed, assistants, symbols: ['BTC/USDT'] });
 * void account.start();
 */
export function createTradingAccount(settings: TradingAccountSettings): RunnableAccount {
  const { userId, store, metrics, symbols, assistants, sampleEquity, beforeRecord, bus: sharedBus, ...engineSettings } = settings;
  const bus = sharedBus ?? createEventBus();
  const team = metrics === undefined ? assistants : assistants.map((assistant) => metrics.instrument(assistant));
  const userStore = beforeRecord === undefined ? store.forUser(userId) : recordingAfter(store.forUser(userId), beforeRecord);
  const exchange = engineSettings.exchange;
  const sample = sampleEquity === true && isSimulatedExchange(exchange) ? exchange : undefined;
  const onCandle: TradingEngineSettings['onCandle'] = sample === undefined ? engineSettings.onCandle : (symbol, candle, index) => {
    engineSettings.onCandle?.(symbol, candle, index);
    const portfolio = sample.getPortfolio();
    userStore.savePortfolio(portfolio).catch((error: unknown) => bus.emit('engine-error', { error: error as Error, stage: 'equity-sample', symbol }));
    bus.emit('portfolio-update', { portfolio });
  };
  const engine = createTradingEngine({ ...engineSettings, ...(onCandle === undefined ? {} : { onCandle }), assistants: team, bus, store: userStore });
  const unobserve = metrics?.observe(bus, userId);
  let status: AccountStatus = 'starting';
  const controller = new AbortController();
  let running: Promise<EngineSummary | undefined> | undefined;
  const account: RunnableAccount = {
    userId,
    engine,
    bus,
    symbols,
    assistantIds: assistants.map((assistant) => assistant.id),
    status: () => status,
    start() {
      running ??= (async () => {
        await engine.restore();
        status = 'running';
        try {
          const summary = await engine.run({ signal: controller.signal });
          status = controller.signal.aborted ? 'stopped' : 'finished';
          return summary;
        } catch (error) {
          status = controller.signal.aborted ? 'stopped' : 'failed';
          if (!controller.signal.aborted) bus.emit('engine-error', { error: error as Error, stage: 'run' });
          return undefined;
        }
      })();
      return running;
    },
    async stop() {
      controller.abort();
      await running;
      if (running === undefined) status = 'stopped';
      unobserve?.();
    },
  };
  return account;
}

/** The store with `first` awaited before every order and fill it records. */
function recordingAfter(store: UserStore, first: () => Promise<void>): UserStore {
  return new Proxy(store, {
    get(target, key) {
      if (key === 'saveOrder') return async (order: Order) => first().then(() => target.saveOrder(order));
      if (key === 'saveFill') return async (fill: Fill) => first().then(() => target.saveFill(fill));
      const member: unknown = Reflect.get(target, key, target);
      return typeof member === 'function' ? member.bind(target) : member;
    },
  });
}
