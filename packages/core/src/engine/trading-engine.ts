import { ConsensusManager } from '../consensus/consensus-manager.js';
import { ReliabilityTracker } from '../consensus/reliability-tracker.js';
import { ConfigError, IaAgentsError, fromZodIssues, isIaAgentsError } from '../errors/index.js';
import { sleep } from '../util/sleep.js';
import { createEventBus, type EventBus } from '../events/event-bus.js';
import { systemClock, type Clock } from '../interfaces/clock.js';
import { isSimulatedExchange, type Exchange, type OrderUpdate, type SimulatedExchange } from '../interfaces/exchange.js';
import type { AuditEntry, Store } from '../interfaces/store.js';
import { RingBuffer } from '../util/ring-buffer.js';
import { isPromiseLike, runSteps, wait, type Steps } from '../util/steps.js';
import type { MarketEvent } from '../interfaces/market-feed.js';
import { createIdGenerator } from '../interfaces/random.js';
import type { Trigger } from '../interfaces/trigger.js';
import { everyCandle } from '../interfaces/trigger.js';
import { checkOrder, sizeDecision } from '../risk/risk-gate.js';
import { closedCandles, riskLimitsSchema, timeframeToMs, type Candle, type Decision, type Fill, type MarketSnapshot, type NewsItem, type OcoRequest, type Opinion, type Order, type OrderBook, type OrderRequest, type Portfolio, type RiskLimits, type RiskLimitsInput, type Ticker, type Timeframe, type TradePlan } from '../schemas/index.js';
import { engineOptionsSchema, type TradingEngineSettings } from './engine-settings.js';
import { buildLivePortfolio, type PortfolioMarks } from './live-portfolio.js';
import { OutcomeTracker } from './outcome-tracker.js';
import { silentLogger, type Logger } from '../logger.js';

/** Per-symbol state. */
interface SymbolState {
  symbol: string;
  timeframe: Timeframe;
  /** The last `lookback` closed candles (a ring: a backtest pushes a million without allocating). */
  history: RingBuffer<Candle>;
  count: number;
  trigger: Trigger;
  ticker?: Ticker;
  orderBook?: OrderBook;
}

/** Counts of what a run did. */
export interface EngineSummary {
  candles: number;
  decisions: number;
  escalations: number;
  vetoes: number;
  orders: number;
  rejections: number;
  fills: number;
  outcomes: number;
  errors: number;
}

/** What a decision led to. */
export interface ActionResult {
  decision: Decision;
  order?: Order;
  rejection?: string;
}

/**
 * One loop for backtest, paper and live: feed -> closed-candle snapshot -> trigger -> consensus ->
 * hard risk gate -> exchange -> store and events -> outcome tracking -> learning.
 * @example
 * const engine = createTradingEngine({ exchange, feed, assistants });
 * const summary = await engine.run();
 */
export class TradingEngine {
  readonly bus: EventBus;
  readonly consensus: ConsensusManager;
  readonly #settings: TradingEngineSettings;
  readonly #logger: Logger;
  readonly #options: ReturnType<typeof engineOptionsSchema.parse>;
  readonly #exchange: Exchange;
  readonly #clock: Clock;
  readonly #symbols = new Map<string, SymbolState>();
  readonly #outcomes: OutcomeTracker;
  readonly #escalations = new Map<string, Decision>();
  readonly #createId: (prefix: string) => string;
  readonly #news: NewsItem[] = [];
  readonly #marks: PortfolioMarks = { peakEquity: 0, dayStartEquity: 0, day: -1 };
  readonly #summary: EngineSummary = { candles: 0, decisions: 0, escalations: 0, vetoes: 0, orders: 0, rejections: 0, fills: 0, outcomes: 0, errors: 0 };
  /** Entry orders waiting to be filled before their protective orders go out, by client order id. */
  readonly #pendingProtection = new Map<string, TradePlan>();
  /** Live (not simulated) orders still open, by client order id: their fills are polled each candle. */
  readonly #liveOpen = new Map<string, string>();
  /** Fill ids already handled, so a polled fill is never recorded twice. */
  readonly #seenFills = new RecentSet(10_000);
  /** A live fill poll between candles, while it runs (see `#pollBetweenCandles`). */
  #polling: Promise<void> | undefined;
  /** An event is being handled by `run()`: a poll between candles waits. */
  #handling = false;
  /**
   * A poll asked for while the engine was busy, made as soon as it is not (see `#pollSoon`): of
   * every live order (`'all'`), or of the orders that updates named (by client order id, with the
   * latest update of each).
   */
  #pollWanted: 'all' | Map<string, OrderUpdate> | undefined;
  /** The fills that order updates brought, recorded by the next poll. */
  #updateFills: Fill[] = [];
  /** The orders as the latest update of each stated them (where updates state whole orders): the next poll reads them no second time. */
  #updateOrders = new Map<string, Order>();
  /** During a poll, the orders its fills were recorded with, as just read: its state pass reads them no second time. */
  #pollRead: Map<string, Order> | undefined;
  /** Escalations being answered right now. */
  readonly #resolving = new Set<string>();
  /**
   * Orders whose placement ended in ORDER_STATE_UNKNOWN on a live venue (the send failed in a way that
   * may have reached the exchange, and so did the lookup): looked up again with the fills, and
   * recorded as placed if the exchange has them, with the protection their plan asks for.
   */
  readonly #unresolved = new Map<string, { symbol: string; plan: TradePlan | undefined }>();
  /** Creation time of each live open order (where to start asking for its fills). */
  readonly #liveSince = new Map<string, number>();
  /** Open protective orders: client order id -> its sibling's, and the symbol. */
  readonly #protective = new Map<string, { sibling?: string; symbol: string }>();
  /** The caller's per-candle hook (a no-op when none). */
  readonly #onCandleHook: (symbol: string, candle: Candle, index: number) => void;
  /** The exchange when it is simulated, and the clock when it can be set: found once, read per candle batch. */
  readonly #simulatedExchange: SimulatedExchange | undefined;
  readonly #settableClock: (Clock & { set(time: number): void }) | undefined;
  /** Reused by the candle loop to say what a candle brought (one object, not one per event). */
  readonly #candleEvent: CandleEvent = { fills: NO_FILLS, outcomesDue: false, reason: false, index: 0 };
  /** Candles kept per symbol: the team's lookback, or the predictor's where it needs more. */
  readonly #historyLength: number;
  #reliability = new ReliabilityTracker();
  #riskLimits: RiskLimits;
  /** Taking over the open orders of an earlier process (once, before the first event or decision; retried after a failure). */
  #adoption: Promise<void> | undefined;
  /** Loading what an earlier process left in the store (see `#resumeFromStore`). */
  #resumption: Promise<void> | undefined;
  #resumed = false;
  #adopted = false;

  constructor(settings: TradingEngineSettings) {
    const { exchange, feed, assistants, consensus, trigger, store, bus, clock, riskLimits, predictor, cache, onCandle, logger, ...options } = settings;
    const parsedOptions = engineOptionsSchema.safeParse(options);
    if (!parsedOptions.success) throw new ConfigError('engine options', fromZodIssues(parsedOptions.error.issues));
    const parsedLimits = riskLimitsSchema.safeParse(riskLimits ?? {});
    if (!parsedLimits.success) throw new ConfigError('risk limits', fromZodIssues(parsedLimits.error.issues).map((issue) => ({ ...issue, path: ['riskLimits', ...issue.path] })));
    void [feed, trigger, store, predictor];
    // Kept in a field of fixed shape: read from the caller's settings object (shaped differently by
    // each caller), the candle loop's optimised code was thrown away when another caller ran.
    this.#onCandleHook = onCandle ?? noCandleHook;
    this.#logger = logger ?? silentLogger;
    this.#settings = settings;
    this.#options = parsedOptions.data;
    this.#riskLimits = parsedLimits.data;
    this.#exchange = exchange;
    this.#clock = clock ?? systemClock;
    this.#simulatedExchange = isSimulatedExchange(exchange) ? exchange : undefined;
    const settable = this.#clock as Partial<{ set(time: number): void }> & Clock;
    this.#settableClock = typeof settable.set === 'function' ? (settable as Clock & { set(time: number): void }) : undefined;
    this.bus = bus ?? createEventBus();
    // Stamped with the time the engine starts: a restarted process must not make the decision ids
    // (and so the client order ids) of the one before, which the exchange would answer with the old
    // orders instead of placing new ones. A backtest starts at its first candle: the same ids each run.
    this.#createId = createIdGenerator(this.#options.seed, this.#clock.now());
    this.consensus = new ConsensusManager({ assistants, ...(consensus === undefined ? {} : { options: consensus }), bus: this.bus, clock: this.#clock, createId: () => this.#createId('dec'), ...(cache === undefined ? {} : { cache }), reliability: (id) => this.reliability.reliability(id) });
    this.#outcomes = new OutcomeTracker(this.#options.outcomeHorizon, this.#options.outcomeDeadBand);
    this.#historyLength = Math.max(this.#options.lookback, predictor?.lookback ?? 0);
  }

  /** Counts so far. */
  get summary(): EngineSummary {
    return { ...this.#summary };
  }

  /** Decisions waiting for a person. */
  get pendingEscalations(): Decision[] {
    return [...this.#escalations.values()];
  }

  /** Closed candles kept for a symbol (oldest first). */
  history(symbol: string): readonly Candle[] {
    return this.#symbols.get(symbol)?.history.toArray() ?? [];
  }

  /** The hard limits in force. */
  get riskLimits(): RiskLimits {
    return this.#riskLimits;
  }

  /**
   * Replaces the hard limits (validated; unknown or bad fields name themselves in a ConfigError).
   * Takes effect from the next decision or order.
   */
  setRiskLimits(input: RiskLimitsInput): RiskLimits {
    const parsed = riskLimitsSchema.strict().safeParse(input);
    if (!parsed.success) throw new ConfigError('risk limits', fromZodIssues(parsed.error.issues).map((issue) => ({ ...issue, path: ['riskLimits', ...issue.path] })));
    this.#riskLimits = parsed.data;
    return parsed.data;
  }

  /** Learned reliability per assistant. */
  get reliability(): ReliabilityTracker {
    return this.#reliability;
  }

  /** Loads the learned reliabilities from the store, so a restarted process keeps what it learned. */
  async restore(): Promise<void> {
    const records = (await this.#settings.store?.listAssistantRecords()) ?? [];
    this.#reliability = new ReliabilityTracker({ records });
  }

  /** Consumes the feed to its end (or until `signal` aborts) and returns what happened. */
  async run(options: { signal?: AbortSignal } = {}): Promise<EngineSummary> {
    const feed = this.#settings.feed;
    if (feed === undefined) throw new ConfigError('engine', [{ path: ['feed'], message: 'run() needs a feed' }]);
    const adopting = this.#adopt();
    if (adopting !== undefined) await adopting;
    const resuming = this.#resumeFromStore();
    if (resuming !== undefined) await resuming;
    const feedOptions = options.signal === undefined ? {} : { signal: options.signal };
    const now = feed.eventsNow?.(feedOptions);
    if (now !== undefined) {
      // A feed with every event at hand: a promise only where a step waits for one.
      for (const event of now) {
        if (options.signal?.aborted) break;
        const pending = this.#handleEvent(event, options.signal);
        if (pending !== undefined) await pending;
      }
      return this.summary;
    }
    const polling = this.#pollBetweenCandles();
    const updates = this.#followOrderUpdates();
    try {
      for await (const event of feed.events(feedOptions)) {
        if (options.signal?.aborted) break;
        // An event waits for a poll that began while the engine waited (one step at a time).
        if (this.#polling !== undefined) await this.#polling;
        this.#handling = true;
        try {
          const pending = this.#handleEvent(event, options.signal);
          if (pending !== undefined) await pending;
        } finally {
          this.#handling = false;
        }
        this.#pollIfWanted();
      }
    } finally {
      polling?.stop();
      await updates?.stop();
      if (this.#polling !== undefined) await this.#polling;
    }
    return this.summary;
  }

  /**
   * On a live venue, every `fillPollMs` while no event is being handled: the fills of resting
   * orders (see `#pollLiveFills`). A tick finds the engine busy or a poll running: it waits for
   * the next. Undefined when there is nothing to poll (a simulation, or `fillPollMs` 0).
   */
  #pollBetweenCandles(): { stop(): void } | undefined {
    const every = this.#options.fillPollMs;
    if (this.#simulated !== undefined || every === 0) return undefined;
    const timer = setInterval(() => {
      if (!this.#handling && this.#polling === undefined) this.#startPoll(true);
    }, every);
    // A poll timer never keeps a process alive by itself.
    timer.unref?.();
    return { stop: () => clearInterval(timer) };
  }

  /**
   * On a live venue that pushes order updates (`watchOrderUpdates`), follows them while `run()`
   * runs: an update of an order the engine waits on (or the stream's return after a drop, when
   * updates may have been lost) asks for fills at once. The interval and after-batch polls go on
   * beside it, so a stream that fails costs time, never a fill: the failure is reported
   * (engine-error, stage `order-updates`), and one that may pass is followed again
   * `orderUpdatesRetryMs` later, with a poll, since updates were lost meanwhile.
   */
  #followOrderUpdates(): { stop(): Promise<void> } | undefined {
    const exchange = this.#exchange;
    if (this.#simulated !== undefined || exchange.watchOrderUpdates === undefined || exchange.supportsOrderUpdates === false) return undefined;
    const controller = new AbortController();
    const signal = controller.signal;
    const following = (async () => {
      for (let again = false; !signal.aborted; again = true) {
        if (again) this.#pollSoon();
        try {
          for await (const update of exchange.watchOrderUpdates!({ signal })) {
            const id = update.clientOrderId;
            // An update of one order asks for that order's fills and state only (what the update
            // does not already say); after a drop, for all.
            if (update.resumed) this.#pollSoon();
            else if (id !== undefined && (this.#liveOpen.has(id) || this.#unresolved.has(id))) {
              if (update.fill !== undefined) this.#updateFills.push(update.fill);
              if (update.order !== undefined) this.#updateOrders.set(id, update.order);
              this.#pollSoon(id, update);
            }
          }
          return;
        } catch (error) {
          if (signal.aborted) return;
          this.bus.emit('engine-error', { error: error as Error, stage: 'order-updates' });
          if (!(error instanceof IaAgentsError && error.retryable)) return;
          await sleep(this.#options.orderUpdatesRetryMs, signal);
        }
      }
    })();
    return {
      stop: async () => {
        controller.abort();
        await following;
      },
    };
  }

  /** Polls the order an update named (its client order id and the update) or all, now or once the event being handled or the poll running is done. */
  #pollSoon(clientOrderId?: string, update?: OrderUpdate): void {
    const wanted = this.#pollWanted;
    if (clientOrderId === undefined || update === undefined || wanted === 'all') this.#pollWanted = 'all';
    else (this.#pollWanted = wanted ?? new Map()).set(clientOrderId, update);
    this.#pollIfWanted();
  }

  /** Starts the poll asked for, if any, when no event is being handled and no poll runs. */
  #pollIfWanted(): void {
    if (this.#pollWanted !== undefined && !this.#handling && this.#polling === undefined) this.#startPoll();
  }

  /** Starts a poll between events of what was asked for, or of every live order (there is nothing to ask for without live orders). */
  #startPoll(all = false): void {
    const wanted = this.#pollWanted;
    this.#pollWanted = undefined;
    if (this.#liveOpen.size === 0 && this.#unresolved.size === 0) return;
    this.#polling = this.#pollLiveFills(all || wanted === 'all' ? undefined : wanted)
      // No caller to throw to: what `#pollLiveFills` does not report itself goes to the bus too.
      .catch((error: unknown) => void this.bus.emit('engine-error', { error: error as Error, stage: 'fill-poll' }))
      .finally(() => {
        this.#polling = undefined;
        this.#pollIfWanted();
      });
  }

  /** Processes one feed event (exposed for callers that drive the engine themselves). */
  async handle(event: MarketEvent, signal?: AbortSignal): Promise<void> {
    const adopting = this.#adopt();
    if (adopting !== undefined) await adopting;
    const resuming = this.#resumeFromStore();
    if (resuming !== undefined) await resuming;
    await this.#handleEvent(event, signal);
  }

  /**
   * One event: a batch of candles on a simulated exchange goes through the candle loop at once,
   * and through the step path only from the first candle that brings something (an interleaved
   * replay hands over one candle an event, and most bring nothing: no generator for those).
   * Returns a promise only when something is waited for.
   */
  #handleEvent(event: MarketEvent, signal: AbortSignal | undefined): void | Promise<void> {
    if (event.type !== 'candles' || this.#simulated === undefined || signal?.aborted === true) return runSteps(this.#onEvent(event, signal));
    const state = this.#state(event.symbol, event.timeframe);
    const act = event.warmup !== true;
    const position = this.#quietCandles(state, event.candles, 0, signal, this.#candleEvent, act);
    return position === event.candles.length ? undefined : runSteps(this.#onCandles(event.symbol, event.timeframe, event.candles, signal, act, position));
  }

  /**
   * Once, before the first event, what an earlier process left in the store: the decisions it made
   * and did not live to score (made within `outcomeHorizon` candles of its end) are tracked again,
   * so a restart loses no outcome to learn from; on a live venue, the peak equity and the day's
   * starting equity of its risk stops (see `#recordMarks`), so a restart lifts no drawdown or
   * daily-loss stop.
   */
  #resumeFromStore(): Promise<void> | undefined {
    if (this.#resumed) return undefined;
    const store = this.#settings.store;
    const live = this.#simulated === undefined;
    if (store === undefined || (!this.#options.learning && !live)) {
      this.#resumed = true;
      return undefined;
    }
    return (this.#resumption ??= this.#loadFromStore(store, live));
  }

  async #loadFromStore(store: Store, live: boolean): Promise<void> {
    try {
      if (this.#options.learning) await this.#loadUnscored(store);
      if (live) await this.#loadMarks(store);
    } catch (error) {
      if (!(error instanceof IaAgentsError)) throw error;
      this.bus.emit('engine-error', { error, stage: 'resume' });
    }
    this.#resumed = true;
  }

  async #loadUnscored(store: Store): Promise<void> {
    const scored = new Set((await store.listOutcomes({ limit: 2 * RESUMED_DECISIONS })).map((outcome) => outcome.decisionId));
    const length = timeframeToMs(this.#settings.feed?.timeframe ?? this.#options.timeframe);
    const decisions = await store.listDecisions({ limit: RESUMED_DECISIONS });
    // Oldest first, as the earlier process tracked them.
    for (const decision of decisions.reverse()) {
      if (scored.has(decision.id) || decision.price === undefined) continue;
      this.#outcomes.resume(decision, decision.price, length);
    }
  }

  /** The risk stops' references as the latest process on this venue recorded them (at least one entry a day: see `#recordMarks`). */
  async #loadMarks(store: Store): Promise<void> {
    let before: number | undefined;
    for (let page = 0; page < MARKS_PAGES; page += 1) {
      const entries = await store.listAudit(before === undefined ? { limit: MARKS_PAGE } : { limit: MARKS_PAGE, before });
      const found = entries.find((entry) => entry.action === MARKS_ACTION && entry.data.venue === this.#exchange.id);
      if (found !== undefined) {
        const { peakEquity, dayStartEquity, day } = found.data as { peakEquity: number; dayStartEquity: number; day: number };
        const marks = this.#marks;
        if (Number.isFinite(peakEquity)) marks.peakEquity = Math.max(marks.peakEquity, peakEquity);
        // The day's reference only within the same UTC day (a new day starts from its first valuation).
        if (day === Math.floor(this.#clock.now() / DAY_MS) && Number.isFinite(dayStartEquity)) {
          marks.day = day;
          marks.dayStartEquity = dayStartEquity;
        }
        return;
      }
      if (entries.length < MARKS_PAGE) return;
      before = entries.at(-1)!.timestamp;
    }
  }

  /** Takes over open orders once (see `#adoptOpenOrders`); nothing to wait for once done, or when a simulation holds none. */
  #adopt(): Promise<void> | undefined {
    if (this.#adopted) return undefined;
    // A simulation with nothing open and no store has nothing to take over (a backtest).
    if (this.#simulated?.openOrderCount() === 0 && this.#settings.store === undefined) {
      this.#adopted = true;
      return undefined;
    }
    return (this.#adoption ??= this.#adoptOpenOrders());
  }

  /**
   * Takes over what the exchange still holds open from an earlier process (a restart, or a paper
   * exchange restored from its snapshot): the engine's memory of its orders is gone, the orders are
   * not. Orders the store still has open that closed meanwhile get their final state and fills
   * recorded; resting orders on a live venue are polled for their fills again; the stop-loss and
   * take-profit legs the engine placed (`<entry>-sl`, `<entry>-tp`) are protection again, so that a
   * sale cancels them before selling the holding they reserve and a filled leg takes its sibling
   * away, and a leg whose sibling filled meanwhile is cancelled (it protects a holding that is gone).
   * When the exchange cannot answer, the next event or decision tries again (every step is idempotent).
   */
  async #adoptOpenOrders(): Promise<void> {
    try {
      const open = await this.#exchange.fetchOpenOrders();
      const openIds = new Set(open.map((order) => order.clientOrderId));
      await this.#reconcileStored(open);
      const store = this.#settings.store;
      for (const order of open) {
        // On a live venue, only the engine's orders: those it names, and those its store holds
        // (recorded late above when it had lost them). Other orders on the account are not its own
        // to watch, record or protect.
        if (this.#simulated === undefined && !OWN_ORDER.test(order.clientOrderId) && (store === undefined || (await store.getOrder(order.clientOrderId)) === undefined)) continue;
        const sibling = siblingLeg(order.clientOrderId);
        if (sibling !== undefined && order.side === 'sell' && !this.#protective.has(order.clientOrderId)) {
          if (openIds.has(sibling)) {
            this.#protective.set(order.clientOrderId, { symbol: order.symbol, sibling });
          } else if ((await runSteps(this.#orderByClientId(sibling, order.symbol)))?.status === 'filled') {
            await runSteps(this.#cancelQuietly(order.clientOrderId, order.symbol));
            continue;
          } else {
            this.#protective.set(order.clientOrderId, { symbol: order.symbol });
          }
        }
        if (this.#simulated === undefined && !this.#liveOpen.has(order.clientOrderId)) {
          this.#liveOpen.set(order.clientOrderId, order.symbol);
          this.#liveSince.set(order.clientOrderId, order.createdAt);
        }
        await this.#awaitProtection(order);
      }
    } catch (error) {
      if (!(error instanceof IaAgentsError)) throw error;
      this.#adoption = undefined;
      this.bus.emit('engine-error', { error, stage: 'adopt-open-orders' });
      return;
    }
    this.#adopted = true;
  }

  /**
   * The store caught up with the exchange, which holds what happened while no engine ran (a live
   * venue, or a paper account restored from a snapshot saved before each record). Orders the store
   * has as open that are no longer open (they filled or were cancelled meanwhile) get their fills
   * and final state; orders it has as closed without all their fills get the missing fills; orders
   * it never recorded (the earlier process stopped between the exchange taking them and the store
   * recording them) are recorded with their fills (see `#recordUnknown`). The latest
   * `RECONCILED_ORDERS` stored orders are looked at.
   */
  async #reconcileStored(open: readonly Order[]): Promise<void> {
    const store = this.#settings.store;
    if (store === undefined) return;
    const openById = new Map(open.map((order) => [order.clientOrderId, order]));
    const stored = await store.listOrders({ limit: RECONCILED_ORDERS });
    const recorded = await this.#recordedFills(store);
    // More filled than the store's fills of it say: the earlier process stopped between the fill and
    // its record (or asking for it had failed). The store's order record may be ahead of its fills.
    const fillsMissing = (order: Order, saved: Order): boolean =>
      recorded === undefined ? order.filled > saved.filled : order.updatedAt >= recorded.since && order.filled > (recorded.amounts.get(order.clientOrderId) ?? 0) * (1 + 1e-9);
    for (const saved of stored) {
      const isOpen = saved.status === 'open' || saved.status === 'partially-filled';
      if (!isOpen) {
        // Closed with fills the store does not have: recorded now, once.
        if (recorded !== undefined && fillsMissing(saved, saved)) await this.#recordMissingFills(saved, saved);
        continue;
      }
      // Still open, it may have filled in part meanwhile; closed, it gets its final state too.
      const stillOpen = openById.get(saved.clientOrderId);
      const current = stillOpen ?? (await this.#exchange.fetchOrderByClientId(saved.clientOrderId, saved.symbol));
      if (current === undefined) continue;
      if (fillsMissing(current, saved)) await this.#recordMissingFills(saved, current);
      if (stillOpen !== undefined) {
        if (current.filled !== saved.filled) await store.saveOrder(current);
        continue;
      }
      await store.saveOrder(current);
      await this.#protectLateEntry(current);
    }
    if (recorded !== undefined) await this.#recordUnknown(store, stored, open, recorded.newest);
  }

  /** The fills of `order` the exchange has and the engine has not seen (the store's count as seen), recorded with `current`. */
  async #recordMissingFills(order: Order, current: Order): Promise<void> {
    if (this.#exchange.fetchFills === undefined) return;
    const fills = await this.#exchange.fetchFills(order.symbol, order.createdAt);
    await runSteps(this.#onFills(fills.filter((fill) => fill.clientOrderId === order.clientOrderId && !this.#seenFills.has(fill.id)), current));
  }

  /**
   * Orders the exchange holds that the store never recorded: open ones, and those with fills since
   * the store's newest record (less `LIVE_FILL_OVERLAP_MS`). A simulated exchange holds only this
   * account's orders; on a live venue only the orders the engine names are taken (`<decision>-o`,
   * `-a`, `-sl`, `-tp`, and the API's `man-`) and the manual orders whose request the store has
   * (`manual-order` audit entries, written before the send, so a client order id the user chose is
   * known too): other trades on the account are not the engine's.
   */
  async #recordUnknown(store: Store, stored: readonly Order[], open: readonly Order[], newestFill: number | undefined): Promise<void> {
    const requested = await this.#manualRequests(store);
    const ours = (clientOrderId: string) => this.#simulated !== undefined || OWN_ORDER.test(clientOrderId) || requested.has(clientOrderId);
    const known = new Set(stored.map((order) => order.clientOrderId));
    const unknown = async (clientOrderId: string) => !known.has(clientOrderId) && ours(clientOrderId) && (await store.getOrder(clientOrderId)) === undefined;
    // Recorded with every fill it has so far (an open order too may be part filled).
    const record = async (order: Order) => {
      known.add(order.clientOrderId);
      await this.#audited('engine', 'order-recorded-late', order.clientOrderId, { orderId: order.id, symbol: order.symbol, status: order.status, filled: order.filled });
      await store.saveOrder(order);
      if (order.filled > 0) await this.#recordMissingFills(order, order);
    };
    for (const order of open) if (await unknown(order.clientOrderId)) await record(order);
    if (this.#exchange.fetchFills === undefined) return;
    // From the store's newest record: its newest fill, else its newest order, else its newest
    // decision (an order comes after its decision); a simulated exchange with nothing recorded at all
    // is this account's own from its first order.
    const newestRecord = newestFill ?? (stored.length > 0 ? Math.max(...stored.map((order) => order.createdAt)) : (await store.listDecisions({ limit: 1 }))[0]?.createdAt);
    // A manual order asked for before that record (or with none) is looked for from its request on.
    const firstRequest = requested.size === 0 ? undefined : Math.min(...[...requested.values()].map((request) => request.time));
    const since = newestRecord === undefined ? (firstRequest ?? (this.#simulated === undefined ? undefined : Number.NEGATIVE_INFINITY)) : Math.min(newestRecord, firstRequest ?? newestRecord);
    if (since === undefined) return;
    const symbols = new Set([...(this.#settings.feed?.symbols ?? []), ...stored.map((order) => order.symbol), ...[...requested.values()].map((request) => request.symbol)]);
    for (const symbol of symbols) {
      const fills = (await this.#exchange.fetchFills(symbol, since - LIVE_FILL_OVERLAP_MS)).filter((fill) => !this.#seenFills.has(fill.id));
      for (const clientOrderId of new Set(fills.map((fill) => fill.clientOrderId))) {
        if (!(await unknown(clientOrderId))) continue;
        const order = await this.#exchange.fetchOrderByClientId(clientOrderId, symbol);
        if (order === undefined) continue;
        await record(order);
        await this.#protectLateEntry(order);
      }
    }
  }

  /**
   * The manual orders the store has a request of (the latest `RECONCILED_ORDERS` audit entries) and
   * no order record: client order id -> when it was asked for, and its symbol.
   */
  async #manualRequests(store: Store): Promise<Map<string, { time: number; symbol: string }>> {
    const requested = new Map<string, { time: number; symbol: string }>();
    for (const entry of await store.listAudit({ limit: RECONCILED_ORDERS })) {
      const symbol = entry.data.symbol;
      if (entry.action !== 'manual-order' || entry.subject === undefined || typeof symbol !== 'string') continue;
      if ((await store.getOrder(entry.subject)) === undefined) requested.set(entry.subject, { time: entry.timestamp, symbol });
    }
    return requested;
  }

  /**
   * What the store has recorded as filled, by client order id (undefined when it cannot list its
   * fills); the fills it has count as seen, so that none is recorded or announced twice.
   */
  async #recordedFills(store: Store): Promise<{ amounts: Map<string, number>; since: number; newest: number | undefined } | undefined> {
    if (store.listFills === undefined) return undefined;
    const fills = await store.listFills({ limit: RECONCILED_FILLS });
    const amounts = new Map<string, number>();
    for (const fill of fills) {
      this.#seenFills.add(fill.id);
      amounts.set(fill.clientOrderId, (amounts.get(fill.clientOrderId) ?? 0) + fill.amount);
    }
    // A full list reaches back only so far: orders closed before its oldest fill are not judged by it.
    return { amounts, since: fills.length < RECONCILED_FILLS ? Number.NEGATIVE_INFINITY : Math.min(...fills.map((fill) => fill.timestamp)), newest: fills.length === 0 ? undefined : Math.max(...fills.map((fill) => fill.timestamp)) };
  }

  /** The stop-loss/take-profit plan of an entry the engine placed, from its decision in the store (undefined when it has none). */
  async #storedPlan(entry: Order): Promise<TradePlan | undefined> {
    const store = this.#settings.store;
    if (store === undefined || entry.side !== 'buy' || entry.decisionId === undefined || !ENTRY.test(entry.clientOrderId)) return undefined;
    const plan = (await store.getDecision(entry.decisionId))?.plan;
    return plan !== undefined && (plan.stopLoss !== undefined || plan.takeProfit !== undefined) ? plan : undefined;
  }

  /** An entry still open from an earlier process gets, once it fills, the protection its decision planned. */
  async #awaitProtection(entry: Order): Promise<void> {
    if (this.#pendingProtection.has(entry.clientOrderId)) return;
    const plan = await this.#storedPlan(entry);
    if (plan !== undefined) this.#pendingProtection.set(entry.clientOrderId, plan);
  }

  /**
   * An entry that filled while no engine ran never got the stop-loss and take-profit its decision
   * planned: they are placed now, unless a leg exists already.
   */
  async #protectLateEntry(entry: Order): Promise<void> {
    if (!closedWithFills(entry)) return;
    const plan = await this.#storedPlan(entry);
    if (plan === undefined) return;
    for (const suffix of ['-sl', '-tp']) if ((await this.#exchange.fetchOrderByClientId(`${entry.clientOrderId}${suffix}`, entry.symbol)) !== undefined) return;
    await runSteps(this.#protect(entry, plan));
  }

  // The decision path is written as step generators (see util/steps.ts): each `yield` is an await
  // that costs nothing when the value is already there. With rule-based assistants, a simulated
  // exchange and no store, a whole decision runs without a promise.

  *#onEvent(event: MarketEvent, signal?: AbortSignal): Steps<void> {
    switch (event.type) {
      case 'candles':
        return yield* this.#onCandles(event.symbol, event.timeframe, event.candles, signal, event.warmup !== true);
      case 'ticker':
        this.#state(event.ticker.symbol, this.#options.timeframe).ticker = event.ticker;
        return;
      case 'order-book':
        this.#state(event.orderBook.symbol, this.#options.timeframe).orderBook = event.orderBook;
        if (isSimulatedExchange(this.#exchange)) this.#exchange.onOrderBook?.(event.orderBook);
        return;
      case 'news':
        this.#news.push(...event.items);
        if (this.#news.length > 200) this.#news.splice(0, this.#news.length - 200);
        return;
      case 'gap':
        this.bus.emit('data-gap', { symbol: event.symbol, from: event.from, to: event.to, missing: event.missing });
        return;
    }
  }

  /**
   * Per candle: clock, simulated fills, history, trigger; the step path (fills to record, outcomes
   * to measure, a decision to make) only for the candles that bring one.
   */
  *#onCandles(symbol: string, timeframe: Timeframe, candles: readonly Candle[], signal: AbortSignal | undefined, act: boolean, processed?: number): Steps<void> {
    const state = this.#state(symbol, timeframe);
    const onCandle = this.#onCandleHook;
    const event = this.#candleEvent;
    // `processed`: the candle loop already went up to this candle, which brought what `event` says.
    let position = processed ?? 0;
    let ready = processed !== undefined;
    while (position < candles.length) {
      if (signal?.aborted) return;
      if (!ready) position = this.#quietCandles(state, candles, position, signal, event, act);
      ready = false;
      if (position === candles.length) break;
      const candle = candles[position]!;
      // Read before anything is awaited: another batch may reuse the event object meanwhile.
      const { fills, outcomesDue, reason, index } = event;
      if (fills.length > 0) yield* this.#onFills(fills);
      if (outcomesDue) yield* this.#collectOutcomes(symbol, index, candle, candle.timestamp + timeframeToMs(timeframe));
      if (reason !== false) {
        try {
          yield* this.#decideAndAct(state, reason, signal);
        } catch (error) {
          yield* this.#decisionFailed(state, error, signal);
        }
      }
      onCandle(symbol, candle, index);
      position += 1;
    }
    if (signal?.aborted) return;
    if (this.#simulated === undefined && (this.#liveOpen.size > 0 || this.#unresolved.size > 0)) yield this.#pollLiveFills();
  }

  /**
   * The hot loop, a plain method so that it is optimised like one: processes candles from `from`
   * until one brings fills, due outcomes or a trigger reason, and returns its position with what
   * it brought in `event` (or the batch length when none did). Without `act` (warm-up history)
   * the trigger still sees every candle, but its reasons convene no one.
   */
  #quietCandles(state: SymbolState, candles: readonly Candle[], from: number, signal: AbortSignal | undefined, event: CandleEvent, act: boolean): number {
    const symbol = state.symbol;
    const length = timeframeToMs(state.timeframe);
    const simulated = this.#simulatedExchange;
    const clock = this.#settableClock;
    // A simulated clock moves to each candle's close, never back: a process restarted at a later
    // time replays the candles before it as warm-up history, and they leave its clock where it is.
    let time = clock !== undefined ? clock.now() : 0;
    const onCandle = this.#onCandleHook;
    const history = state.history;
    const outcomes = this.#outcomes;
    const trigger = state.trigger;
    for (let position = from; position < candles.length; position += 1) {
      if (signal?.aborted) return candles.length;
      const candle = candles[position]!;
      if (clock !== undefined && candle.timestamp + length > time) {
        time = candle.timestamp + length;
        clock.set(time);
      }
      const fills = simulated === undefined ? NO_FILLS : simulated.onCandle(symbol, candle);
      history.push(candle);
      const index = state.count++;
      this.#summary.candles += 1;
      const outcomesDue = outcomes.isDue(symbol, index, candle.timestamp + length);
      const fired = trigger.update(candle);
      const reason = act ? fired : false;
      if (fills.length > 0 || outcomesDue || reason !== false) {
        event.fills = fills;
        event.outcomesDue = outcomesDue;
        event.reason = reason;
        event.index = index;
        return position;
      }
      onCandle(symbol, candle, index);
    }
    return candles.length;
  }

  /** The exchange when it is simulated (its synchronous calls make the fast path). */
  get #simulated(): SimulatedExchange | undefined {
    return this.#simulatedExchange;
  }

  /**
   * A live exchange fills resting orders (limits, stops) on its own time: ask it for the fills of
   * our open orders after each candle batch, record the new ones, and forget orders that closed.
   */
  async #pollLiveFills(only?: ReadonlyMap<string, OrderUpdate>): Promise<void> {
    const exchange = this.#exchange;
    // What was asked for before a poll of every order began, it answers.
    if (only === undefined) this.#pollWanted = undefined;
    const brought = this.#updateFills;
    this.#updateFills = [];
    // What the updates said of their orders counts as read by this poll: a closed one is final, and
    // one still working is read again where that matters.
    const read = this.#updateOrders;
    this.#updateOrders = new Map();
    this.#pollRead = read;
    try {
      await this.#resolveUnknown();
      // The fills the updates brought, recorded without asking for them (repeats are dropped by fill id).
      if (brought.length > 0) await runSteps(this.#onFills(brought.filter((fill) => this.#liveOpen.has(fill.clientOrderId))));
      if (this.#liveOpen.size === 0) return;
      // Of the orders named by updates, or all: the fills of their symbols where an update says an
      // order executed (or does not say) without bringing the trade (an update of a cancellation or
      // of an order still resting reports none: its trades came in updates of their own), and the
      // state of each order unless its update says it is still working.
      const wantsFills = (id: string) => {
        const update = only?.get(id);
        return update?.fill === undefined && (update?.status === undefined || update.status === 'filled' || update.status === 'partially-filled');
      };
      const wantsState = (id: string) => {
        const status = only?.get(id)?.status;
        return status !== 'open' && status !== 'partially-filled';
      };
      const symbols = only === undefined ? undefined : new Set([...only.keys()].filter(wantsFills).map((id) => this.#liveOpen.get(id)).filter((symbol) => symbol !== undefined));
      if (exchange.fetchFills !== undefined) {
        // Asked symbol by symbol, from the oldest open order of each (Binance lists trades of one symbol at a time).
        const since = new Map<string, number>();
        for (const [id, symbol] of this.#liveOpen) if (symbols === undefined || symbols.has(symbol)) since.set(symbol, Math.min(since.get(symbol) ?? Number.POSITIVE_INFINITY, this.#liveSince.get(id) ?? 0));
        for (const [symbol, from] of since) {
          const polledAt = this.#clock.now();
          const fills = await exchange.fetchFills(symbol, from);
          await runSteps(this.#onFills(fills.filter((fill) => this.#liveOpen.has(fill.clientOrderId))));
          // What filled before this poll is recorded: the next asks from a little before it (repeats
          // are dropped by fill id), not again from the oldest resting order's creation, days back.
          const next = polledAt - LIVE_FILL_OVERLAP_MS;
          for (const [id, of] of this.#liveOpen) if (of === symbol && (this.#liveSince.get(id) ?? 0) < next) this.#liveSince.set(id, next);
        }
      }
      for (const [clientOrderId, symbol] of [...this.#liveOpen]) {
        if (only !== undefined && !(only.has(clientOrderId) && wantsState(clientOrderId))) continue;
        // Read with a fill of this poll and closed then: final. Read still working (a later trade
        // may have closed it since): read again.
        const seen = read.get(clientOrderId);
        const order = seen !== undefined && seen.status !== 'open' && seen.status !== 'partially-filled' ? seen : await exchange.fetchOrderByClientId(clientOrderId, symbol);
        if (order !== undefined && order.status !== 'open' && order.status !== 'partially-filled') {
          this.#liveOpen.delete(clientOrderId);
          this.#liveSince.delete(clientOrderId);
          if (this.#settings.store !== undefined) await this.#settings.store.saveOrder(order);
          await runSteps(this.#afterFilled(order));
        }
      }
    } catch (error) {
      if (!(error instanceof IaAgentsError)) throw error;
      this.bus.emit('engine-error', { error, stage: 'fill-poll' });
    } finally {
      if (this.#pollRead === read) this.#pollRead = undefined;
    }
  }

  /**
   * Looks up the orders whose placement ended in ORDER_STATE_UNKNOWN: one the exchange has is
   * recorded as placed (its fills, its protection); one it says it never had is forgotten (the
   * rejection stands). A lookup that fails again is tried after the next candle batch.
   */
  async #resolveUnknown(): Promise<void> {
    for (const [clientOrderId, { symbol, plan }] of [...this.#unresolved]) {
      const order = await this.#exchange.fetchOrderByClientId(clientOrderId, symbol);
      this.#unresolved.delete(clientOrderId);
      await this.#audited('engine', order === undefined ? 'order-never-placed' : 'order-found', clientOrderId, order === undefined ? { symbol } : { orderId: order.id, symbol, status: order.status });
      if (order === undefined) continue;
      await runSteps(this.#recordOrder(order));
      const sibling = siblingLeg(clientOrderId);
      if (sibling !== undefined && (order.status === 'open' || order.status === 'partially-filled')) {
        // A protective leg: paired with its sibling when that one went out.
        const paired = this.#protective.has(sibling);
        this.#protective.set(clientOrderId, paired ? { symbol, sibling } : { symbol });
        if (paired) this.#protective.set(sibling, { symbol, sibling: clientOrderId });
      }
      if (plan === undefined || order.side !== 'buy') continue;
      if (closedWithFills(order)) await runSteps(this.#protect(order, plan));
      else if (order.status === 'open' || order.status === 'partially-filled') this.#pendingProtection.set(order.clientOrderId, plan);
    }
  }

  #state(symbol: string, timeframe: Timeframe): SymbolState {
    let state = this.#symbols.get(symbol);
    if (state === undefined) {
      state = { symbol, timeframe, history: new RingBuffer<Candle>(this.#historyLength), count: 0, trigger: (this.#settings.trigger ?? everyCandle)(symbol) };
      this.#symbols.set(symbol, state);
    }
    return state;
  }

  /** A decision the candle loop convened failed: counted, logged, told and audited; the run goes on (unless aborted). */
  *#decisionFailed(state: SymbolState, error: unknown, signal?: AbortSignal): Steps<void> {
    if (signal?.aborted) throw error;
    this.#summary.errors += 1;
    this.#logger.error({ symbol: state.symbol, code: isIaAgentsError(error) ? error.code : 'INTERNAL', err: error }, 'decision failed');
    this.bus.emit('engine-error', { error: error as Error, stage: 'decision', symbol: state.symbol });
    yield this.#audited('engine', 'decision-failed', undefined, { symbol: state.symbol, code: isIaAgentsError(error) ? error.code : 'INTERNAL', message: (error as Error).message });
  }

  /**
   * Convenes the team on a symbol now (API and scheduler triggers) and acts on the decision.
   * Fetches recent candles from the exchange when the engine has none for the symbol.
   */
  async decide(symbol: string, options: { reason?: string; signal?: AbortSignal; timeframe?: Timeframe } = {}): Promise<ActionResult> {
    const adopting = this.#adopt();
    if (adopting !== undefined) await adopting;
    const resuming = this.#resumeFromStore();
    if (resuming !== undefined) await resuming;
    const state = this.#state(symbol, options.timeframe ?? this.#options.timeframe);
    if (state.history.size === 0) {
      // One more than the lookback: the latest is usually the candle still forming. A candle older
      // than one the exchange has begun is closed, whatever this clock says (it may run a little behind).
      const candles = await this.#exchange.fetchOHLCV(symbol, state.timeframe, undefined, this.#historyLength + 1);
      for (const candle of closedCandles(candles, state.timeframe, this.#clock.now())) state.history.push(candle);
      state.count = state.history.size;
      if (state.history.size === 0) throw new IaAgentsError('SNAPSHOT_INVALID', `No closed ${state.timeframe} candle of ${symbol} to decide on: the exchange returned none`, { details: { symbol, timeframe: state.timeframe } });
    }
    return runSteps(this.#decideAndAct(state, options.reason ?? 'on demand', options.signal));
  }

  *#decideAndAct(state: SymbolState, reason: string, signal?: AbortSignal): Steps<ActionResult> {
    const store = this.#settings.store;
    const simulated = this.#simulated;
    // A simulated exchange values the portfolio at once; only a live one or a predictor is waited for.
    const snapshot = simulated !== undefined && this.#settings.predictor === undefined ? this.#snapshotWith(state, simulated.getPortfolio()) : yield* this.#snapshot(state);
    if (this.bus.wants('analysis-trigger')) this.bus.emit('analysis-trigger', { symbol: state.symbol, timestamp: snapshot.timestamp, reason });
    const decision = yield* this.consensus.decideSteps(snapshot, signal === undefined ? NOT_VALIDATED : { validate: false, signal });
    this.#summary.decisions += 1;
    if (this.#logger !== silentLogger) this.#logger.debug({ decisionId: decision.id, symbol: decision.symbol, action: decision.action, confidence: decision.confidence, escalated: decision.escalated, rounds: decision.rounds.length }, 'decision made');
    if (store !== undefined) {
      yield store.saveDecision(decision);
      yield this.#audited('engine', 'decision-made', decision.id, { symbol: decision.symbol, action: decision.action, proposedAction: decision.proposedAction, confidence: decision.confidence, escalated: decision.escalated, veto: decision.veto ?? null, trigger: reason });
    }
    const price = snapshot.candles.at(-1)!.close;
    if (this.#options.learning) this.#outcomes.track(decision, price, state.count - 1);
    if (decision.escalated) {
      this.#summary.escalations += 1;
      this.#escalations.set(decision.id, decision);
      yield* this.#expireEscalations();
      return { decision };
    }
    if (decision.veto !== undefined) this.#summary.vetoes += 1;
    if (decision.action === 'HOLD') return { decision };
    return yield* this.#execute(decision, decision.action, snapshot.portfolio!, price);
  }

  /** Keeps at most `maxPendingEscalations`: the oldest expire (a stale approval would trade at a price nobody saw). */
  *#expireEscalations(): Steps<void> {
    while (this.#escalations.size > this.#options.maxPendingEscalations) {
      const [id, decision] = this.#escalations.entries().next().value as [string, Decision];
      this.#escalations.delete(id);
      this.bus.emit('escalation-resolve', { decisionId: id, approved: false, by: 'expiry', timestamp: this.#clock.now() });
      yield this.#audited('engine', 'escalation-expired', id, { symbol: decision.symbol, proposedAction: decision.proposedAction });
    }
  }

  *#snapshot(state: SymbolState): Steps<MarketSnapshot> {
    const snapshot = this.#snapshotWith(state, yield* wait(this.portfolio()));
    const predictor = this.#settings.predictor;
    // Once the engine holds the candles the predictor needs (a backtest's first ones, a live start
    // with a shorter warm-up: no prediction, as the model could not make one).
    if (predictor !== undefined && state.history.size >= predictor.lookback) snapshot.prediction = yield* wait(predictor.predict(state.history.toArray().slice(-predictor.lookback), { symbol: state.symbol, timeframe: state.timeframe, news: this.#news }));
    return snapshot;
  }

  /** What the team sees: the closed candles, news about the symbol, the portfolio, the limits. */
  #snapshotWith(state: SymbolState, portfolio: Portfolio): MarketSnapshot {
    const kept = state.history.toArray();
    // A predictor that needs more history than the team sees keeps more: the team gets its lookback.
    const candles = kept.length > this.#options.lookback ? kept.slice(-this.#options.lookback) : kept;
    const snapshot: MarketSnapshot = {
      symbol: state.symbol,
      timeframe: state.timeframe,
      timestamp: Math.max(this.#clock.now(), candles.at(-1)!.timestamp + timeframeToMs(state.timeframe)),
      candles,
      news: this.#news.length === 0 ? [] : this.#news.filter((item) => item.currencies.length === 0 || item.currencies.some((code) => state.symbol.startsWith(`${code}/`))),
      portfolio,
      riskLimits: this.riskLimits,
    };
    // Optional fields are assigned, not spread: a conditional spread makes a slow object.
    if (state.ticker !== undefined) snapshot.ticker = state.ticker;
    if (state.orderBook !== undefined) snapshot.orderBook = state.orderBook;
    return snapshot;
  }

  /** The portfolio now: the simulated exchange's, or built from live balances and last prices. */
  async portfolio(): Promise<Portfolio> {
    if (isSimulatedExchange(this.#exchange)) return this.#exchange.getPortfolio();
    const prices = new Map([...this.#symbols.values()].map((state) => [state.symbol, state.history.last()?.close ?? state.ticker?.last ?? 0]));
    const { peakEquity, day } = this.#marks;
    const portfolio = buildLivePortfolio(await this.#exchange.fetchBalance(), prices, this.#options.quoteCurrency, this.#clock.now(), this.#marks);
    if (this.#marks.peakEquity !== peakEquity || this.#marks.day !== day) await this.#recordMarks();
    return portfolio;
  }

  /**
   * A live venue's risk references (peak equity, the day's starting equity) go to the audit log
   * each time they change, at least once a UTC day: a restarted process takes them back
   * (`#loadMarks`). Kept only in memory, a restart lifted the drawdown and daily-loss stops.
   */
  async #recordMarks(): Promise<void> {
    const { peakEquity, dayStartEquity, day } = this.#marks;
    try {
      await this.#audited('risk-gate', MARKS_ACTION, undefined, { venue: this.#exchange.id, peakEquity, dayStartEquity, day });
    } catch (error) {
      if (!(error instanceof IaAgentsError)) throw error;
      this.bus.emit('engine-error', { error, stage: 'risk-marks' });
    }
  }

  /** Sends the order a decision calls for, through the hard risk gate. */
  *#execute(decision: Decision, action: 'BUY' | 'SELL', portfolio: Portfolio, price: number, clientOrderId = `${decision.id}-o`): Steps<ActionResult> {
    const simulated = this.#simulated;
    const released = action === 'SELL' && this.#protective.size > 0 && (yield* this.#cancelProtection(decision.symbol));
    const openOrders = simulated !== undefined ? simulated.openOrderCount() : (yield* wait(this.#exchange.fetchOpenOrders())).length;
    // Cancelling protection may have released locked holdings: value the portfolio again then.
    const current = released ? yield* wait(this.portfolio()) : portfolio;
    const sized = sizeDecision(decision, { portfolio: current, price, limits: this.riskLimits, openOrders, feeRate: this.#options.feeRate }, action);
    if (!sized.ok) return yield* this.#reject(decision, clientOrderId, sized.reason, sized.limit !== undefined);
    try {
      const sent = this.#sendOrder({ clientOrderId, symbol: decision.symbol, side: sized.side, type: 'market', amount: sized.amount, decisionId: decision.id });
      const order = isPromiseLike(sent) ? ((yield sent) as Order) : sent;
      yield* this.#recordOrder(order);
      const plan = decision.plan;
      if (sized.side === 'buy' && plan !== undefined && (plan.stopLoss !== undefined || plan.takeProfit !== undefined)) {
        if (closedWithFills(order)) yield* this.#protect(order, plan);
        else this.#pendingProtection.set(order.clientOrderId, plan);
      }
      return { decision, order };
    } catch (error) {
      if (!(error instanceof IaAgentsError)) throw error;
      yield* this.#orderFailed(clientOrderId, decision.id, error);
      if (error.code === 'ORDER_STATE_UNKNOWN') this.#unresolved.set(clientOrderId, { symbol: decision.symbol, plan: sized.side === 'buy' ? decision.plan : undefined });
      return { decision, rejection: error.message };
    }
  }

  *#orderFailed(clientOrderId: string, decisionId: string | undefined, error: IaAgentsError): Steps<void> {
    this.#summary.rejections += 1;
    this.#logger.warn({ clientOrderId, code: error.code, reason: error.message }, 'order rejected');
    this.bus.emit('order-reject', { clientOrderId, reason: error.message });
    yield this.#audited('engine', 'order-rejected', clientOrderId, { decisionId: decisionId ?? null, code: error.code, message: error.message });
  }

  /**
   * Places the plan's stop-loss and take-profit for a filled entry; when one fills, the other is
   * cancelled. Both legs sell the same holding, so where the exchange offers one-cancels-the-other
   * they go out as one pair (each alone would reserve the whole holding and leave nothing for the
   * other); if the pair is refused, the stop-loss goes out alone.
   */
  *#protect(entry: Order, plan: TradePlan): Steps<void> {
    const simulated = this.#simulated;
    const pairs = simulated?.placeOcoOrder !== undefined || (this.#exchange.createOcoOrder !== undefined && this.#exchange.supportsOco !== false);
    // What the entry brought in: a fee charged in the base asset (Binance spot buys) was never held.
    const base = entry.symbol.split('/')[0]!;
    const brought = entry.fee !== undefined && entry.fee.currency === base ? entry.filled - entry.fee.cost : entry.filled;
    // No more than is free of it now: part may have been sold while the entry was still filling, and
    // earlier protection holds its own part.
    const amount = Math.min(brought, yield* this.#freeOf(base));
    if (!(amount > 0)) return;
    const placed: string[] = [];
    // The legs still to place one by one: both, none once they went out as a pair, the stop-loss alone if the pair was refused.
    let separate: Pick<TradePlan, 'stopLoss' | 'takeProfit'> = plan;
    if (pairs && plan.stopLoss !== undefined && plan.takeProfit !== undefined) {
      const request: OcoRequest = { symbol: entry.symbol, amount, stopLoss: { clientOrderId: `${entry.clientOrderId}-sl`, stopPrice: plan.stopLoss }, takeProfit: { clientOrderId: `${entry.clientOrderId}-tp`, stopPrice: plan.takeProfit } };
      if (entry.decisionId !== undefined) request.decisionId = entry.decisionId;
      try {
        const pair = simulated?.placeOcoOrder !== undefined ? simulated.placeOcoOrder(request) : yield* wait(this.#exchange.createOcoOrder!(request));
        for (const order of pair) {
          yield* this.#recordOrder(order);
          placed.push(order.clientOrderId);
        }
        separate = {};
      } catch (error) {
        if (!(error instanceof IaAgentsError)) throw error;
        yield* this.#orderFailed(request.takeProfit.clientOrderId, entry.decisionId, error);
        separate = { stopLoss: plan.stopLoss };
      }
    }
    const legs = [
      separate.stopLoss === undefined ? undefined : { clientOrderId: `${entry.clientOrderId}-sl`, type: 'stop-loss' as const, stopPrice: separate.stopLoss },
      separate.takeProfit === undefined ? undefined : { clientOrderId: `${entry.clientOrderId}-tp`, type: 'take-profit' as const, stopPrice: separate.takeProfit },
    ].filter((leg) => leg !== undefined);
    for (const leg of legs) {
      try {
        const request: OrderRequest = { ...leg, symbol: entry.symbol, side: 'sell', amount };
        if (entry.decisionId !== undefined) request.decisionId = entry.decisionId;
        const sent = this.#sendOrder(request);
        const order = isPromiseLike(sent) ? ((yield sent) as Order) : sent;
        yield* this.#recordOrder(order);
        placed.push(order.clientOrderId);
      } catch (error) {
        if (!(error instanceof IaAgentsError)) throw error;
        yield* this.#orderFailed(leg.clientOrderId, entry.decisionId, error);
        if (error.code === 'ORDER_STATE_UNKNOWN') this.#unresolved.set(leg.clientOrderId, { symbol: entry.symbol, plan: undefined });
      }
    }
    placed.forEach((id, index) => {
      const sibling = placed[1 - index];
      this.#protective.set(id, sibling === undefined ? { symbol: entry.symbol } : { symbol: entry.symbol, sibling });
    });
  }

  /** How much of an asset is free on the exchange (unbounded when a live venue cannot say right now). */
  *#freeOf(asset: string): Steps<number> {
    const simulated = this.#simulated;
    if (simulated !== undefined) return simulated.getPortfolio().balances[asset]?.free ?? 0;
    try {
      return (yield* wait(this.#exchange.fetchBalance()))[asset]?.free ?? 0;
    } catch (error) {
      if (!(error instanceof IaAgentsError)) throw error;
      return Number.POSITIVE_INFINITY;
    }
  }

  /** Cancels the open protective orders of a symbol (before the team sells it); true when there were some. */
  *#cancelProtection(symbol: string): Steps<boolean> {
    if (this.#protective.size === 0) return false;
    let cancelled = false;
    for (const [id, leg] of [...this.#protective]) {
      if (leg.symbol !== symbol) continue;
      this.#protective.delete(id);
      yield* this.#cancelQuietly(id, symbol);
      cancelled = true;
    }
    return cancelled;
  }

  /**
   * Places an order: at once on a simulated exchange (the order itself), else through
   * `createOrder` (a promise the caller yields). A plain method, not a step: one generator fewer per
   * decision.
   */
  #sendOrder(request: OrderRequest): Order | Promise<Order> {
    const simulated = this.#simulated;
    return simulated !== undefined ? simulated.placeOrder(request) : this.#exchange.createOrder(request);
  }

  /** An order by client order id: at once from a simulated exchange, else asked for. */
  *#orderByClientId(clientOrderId: string, symbol: string): Steps<Order | undefined> {
    const simulated = this.#simulated;
    return simulated !== undefined ? simulated.orderByClientId(clientOrderId) : yield* wait(this.#exchange.fetchOrderByClientId(clientOrderId, symbol));
  }

  *#cancelQuietly(clientOrderId: string, symbol: string): Steps<void> {
    // Read afresh, and no longer as the poll read it: the order is about to change.
    this.#pollRead?.delete(clientOrderId);
    const order = yield* this.#orderByClientId(clientOrderId, symbol);
    if (order?.status === 'cancelled') {
      // The exchange cancelled it itself (the other leg of a one-cancels-the-other pair filled): record that.
      if (this.#settings.store !== undefined) yield this.#settings.store.saveOrder(order);
      this.bus.emit('order-cancel', { order });
      return;
    }
    if (order === undefined || (order.status !== 'open' && order.status !== 'partially-filled')) return;
    try {
      const cancelled = yield* wait(this.#exchange.cancelOrder(order.id, symbol));
      if (this.#settings.store !== undefined) yield this.#settings.store.saveOrder(cancelled);
      this.bus.emit('order-cancel', { order: cancelled });
      yield this.#audited('engine', 'order-cancelled', clientOrderId, { orderId: order.id, symbol });
    } catch (error) {
      if (!(error instanceof IaAgentsError)) throw error;
      this.bus.emit('engine-error', { error, stage: 'cancel', symbol });
    }
  }

  *#reject(decision: Decision, clientOrderId: string, reason: string, byRisk: boolean): Steps<ActionResult> {
    if (byRisk) {
      this.#summary.rejections += 1;
      this.bus.emit('risk-reject', { decisionId: decision.id, symbol: decision.symbol, reason, timestamp: this.#clock.now() });
      yield this.#audited('risk-gate', 'order-refused', clientOrderId, { decisionId: decision.id, reason });
    }
    return { decision, rejection: reason };
  }

  *#recordOrder(order: Order): Steps<void> {
    const store = this.#settings.store;
    const simulated = this.#simulated;
    this.#summary.orders += 1;
    if (simulated === undefined && (order.status === 'open' || order.status === 'partially-filled')) {
      this.#liveOpen.set(order.clientOrderId, order.symbol);
      this.#liveSince.set(order.clientOrderId, order.createdAt);
    }
    if (store !== undefined) yield store.saveOrder(order);
    if (this.bus.wants('order-place')) this.bus.emit('order-place', { order });
    if (store !== undefined) yield this.#audited('engine', 'order-placed', order.clientOrderId, { orderId: order.id, symbol: order.symbol, side: order.side, type: order.type, amount: order.amount, status: order.status, decisionId: order.decisionId ?? null });
    if (order.status === 'rejected') this.bus.emit('order-reject', { order, clientOrderId: order.clientOrderId, reason: order.reason ?? 'rejected by the exchange' });
    // Orders that filled as they were placed (market orders at the signal close, live market orders)
    // report their fills here; later fills arrive with the candles.
    if (order.filled === 0) return;
    if (simulated !== undefined) return yield* this.#onFills(simulated.fillsOf(order.clientOrderId), order);
    if (this.#exchange.fetchFills === undefined) return;
    let fills: Fill[];
    try {
      fills = yield* wait(this.#exchange.fetchFills(order.symbol, order.createdAt));
    } catch (error) {
      // The order is placed whatever happens here: its fills are asked for again with the next
      // candle batch (a failure must not turn a placed order into a rejected one without protection).
      if (!(error instanceof IaAgentsError)) throw error;
      this.bus.emit('engine-error', { error, stage: 'fill-fetch', symbol: order.symbol });
      this.#liveOpen.set(order.clientOrderId, order.symbol);
      this.#liveSince.set(order.clientOrderId, order.createdAt);
      return;
    }
    yield* this.#onFills(fills.filter((fill) => fill.clientOrderId === order.clientOrderId), order);
  }

  /** Records fills; `known` is their order as just returned by the exchange (saves a lookup). */
  *#onFills(fills: readonly Fill[], known?: Order): Steps<void> {
    if (fills.length === 0) return;
    const store = this.#settings.store;
    // A simulation reports each fill once; fills asked of a live exchange may repeat.
    const simulated = this.#simulated;
    // Indexed, not for...of: in a generator the iterator's result objects are not optimised away.
    for (let position = 0; position < fills.length; position += 1) {
      const fill = fills[position]!;
      if (simulated === undefined && !this.#seenFills.add(fill.id)) continue;
      this.#summary.fills += 1;
      if (store !== undefined) yield store.saveFill(fill);
      // Its order as just returned, or closed as this poll read it or an update stated it (final), else asked for.
      const order = known?.clientOrderId === fill.clientOrderId ? known : (this.#closedInPoll(fill.clientOrderId) ?? (yield* this.#orderByClientId(fill.clientOrderId, fill.symbol)));
      if (order !== undefined) this.#pollRead?.set(order.clientOrderId, order);
      if (order !== undefined && store !== undefined) yield store.saveOrder(order);
      if (this.bus.wants('order-fill')) this.bus.emit('order-fill', order === undefined ? { fill } : { order, fill });
      // A closed order may bring protection; a protective leg's first fill, even a part, takes its sibling away.
      if (order !== undefined && (this.#pendingProtection.size > 0 || this.#protective.size > 0) && ((order.status !== 'open' && order.status !== 'partially-filled') || this.#protective.has(order.clientOrderId))) yield* this.#afterFilled(order);
    }
    // A valuation only for someone who keeps or watches it (a backtest without either skips it).
    if (simulated !== undefined && (store !== undefined || this.bus.wants('portfolio-update'))) {
      const portfolio = simulated.getPortfolio();
      if (store !== undefined) yield store.savePortfolio(portfolio);
      this.bus.emit('portfolio-update', { portfolio });
    }
  }

  /** An order closed as the running poll read it or an update stated it (a closed order's state is final). */
  #closedInPoll(clientOrderId: string): Order | undefined {
    const read = this.#pollRead?.get(clientOrderId);
    return read !== undefined && read.status !== 'open' && read.status !== 'partially-filled' ? read : undefined;
  }

  /**
   * An order that closed: an entry gets its protection for what it got (also when the rest was
   * cancelled: a part fill is a position all the same). A protective order that filled, even in
   * part, takes its sibling away: a one-cancels-the-other pair cancels the other leg as soon as one
   * executes at all (Binance, the paper exchange), and the cancellation is recorded now, not when
   * the leg has filled whole.
   */
  *#afterFilled(order: Order): Steps<void> {
    if (this.#pendingProtection.size > 0 && order.status !== 'open' && order.status !== 'partially-filled') {
      const plan = this.#pendingProtection.get(order.clientOrderId);
      if (plan !== undefined) {
        this.#pendingProtection.delete(order.clientOrderId);
        if (order.filled > 0) yield* this.#protect(order, plan);
      }
    }
    if (this.#protective.size === 0 || order.filled === 0) return;
    const leg = this.#protective.get(order.clientOrderId);
    if (leg !== undefined) {
      this.#protective.delete(order.clientOrderId);
      if (leg.sibling !== undefined) {
        this.#protective.delete(leg.sibling);
        yield* this.#cancelQuietly(leg.sibling, leg.symbol);
      }
    }
  }

  *#collectOutcomes(symbol: string, index: number, candle: Candle, close: number): Steps<void> {
    const store = this.#settings.store;
    const due = this.#outcomes.collect(symbol, index, candle.close, this.#clock.now(), close);
    for (let position = 0; position < due.length; position += 1) {
      const { decision, outcome } = due[position]!;
      this.#summary.outcomes += 1;
      if (store !== undefined) yield store.saveOutcome(outcome);
      this.bus.emit('outcome-record', { outcome });
      const records = this.reliability.update(decision, outcome, this.#clock.now());
      if (store !== undefined) for (const record of records) yield store.saveAssistantRecord(record);
      if (records.length > 0) this.bus.emit('weights-update', { records });
      const finals = new Map<string, Opinion>();
      for (let round = 0; round < decision.rounds.length; round += 1) {
        const opinions = decision.rounds[round]!.opinions;
        for (let index = 0; index < opinions.length; index += 1) finals.set(opinions[index]!.assistantId, opinions[index]!);
      }
      const learning = this.consensus.assistants.map((assistant) => assistant.learnFromOutcome(outcome, finals.get(assistant.id)));
      if (learning.some(isPromiseLike)) yield Promise.all(learning);
    }
  }

  /**
   * Approves or rejects an escalated decision. Approval executes the action the assistants leaned
   * to, through the same hard risk gate as every other order; rejection is recorded.
   */
  async resolveEscalation(decisionId: string, resolution: { approved: boolean; by: string }): Promise<ActionResult> {
    // Claimed before any await: two simultaneous answers cannot both execute the decision.
    if (this.#resolving.has(decisionId)) throw new IaAgentsError('CONFLICT', `Decision ${decisionId} is being answered already`, { details: { decisionId } });
    this.#resolving.add(decisionId);
    try {
      return await this.#resolve(decisionId, resolution);
    } finally {
      this.#resolving.delete(decisionId);
    }
  }

  async #resolve(decisionId: string, resolution: { approved: boolean; by: string }): Promise<ActionResult> {
    const found = this.#escalations.get(decisionId) ?? (await this.#settings.store?.getDecision(decisionId));
    if (found === undefined || !found.escalated) throw new IaAgentsError('NOT_FOUND', `No escalated decision ${decisionId}`, { details: { decisionId } });
    if (found.resolution !== undefined) throw new IaAgentsError('CONFLICT', `Decision ${decisionId} was already ${found.resolution.approved ? 'approved' : 'rejected'} by ${found.resolution.by}`, { details: { decisionId } });
    const decision: Decision = { ...found, resolution: { approved: resolution.approved, by: resolution.by, at: this.#clock.now() } };
    this.#escalations.delete(decisionId);
    if (this.#settings.store !== undefined) await this.#settings.store.saveDecision(decision);
    this.bus.emit('escalation-resolve', { decisionId, approved: resolution.approved, by: resolution.by, timestamp: this.#clock.now() });
    await this.#audited(resolution.by, resolution.approved ? 'escalation-approved' : 'escalation-rejected', decisionId, { proposedAction: decision.proposedAction });
    if (!resolution.approved || decision.proposedAction === 'HOLD') return { decision };
    const state = this.#symbols.get(decision.symbol);
    const price = state?.history.last()?.close ?? state?.ticker?.last ?? decision.price;
    if (price === undefined) throw new IaAgentsError('CONFLICT', `No price known for ${decision.symbol}`);
    return runSteps(this.#execute({ ...decision, confidence: Math.max(decision.confidence, this.riskLimits.minConfidence) }, decision.proposedAction, await this.portfolio(), price, `${decision.id}-a`));
  }

  /**
   * Checks a manual order against the hard limits, then places it. Throws RiskLimitError naming
   * the limit it would break.
   */
  async placeManualOrder(request: Parameters<Exchange['createOrder']>[0], actor: string): Promise<Order> {
    const state = this.#symbols.get(request.symbol);
    const price = request.price ?? state?.history.last()?.close ?? state?.ticker?.last ?? (await this.#exchange.fetchTicker(request.symbol)).last;
    const openOrders = (await this.#exchange.fetchOpenOrders()).length;
    checkOrder(request, { portfolio: await this.portfolio(), price, limits: this.riskLimits, openOrders, feeRate: this.#options.feeRate });
    await this.#audited(actor, 'manual-order', request.clientOrderId, { ...request });
    const order = await this.#exchange.createOrder(request);
    await runSteps(this.#recordOrder(order));
    return order;
  }

  /** Appends to the audit log; without a store, nothing to build and no promise to wait for. */
  #audited(actor: string, action: string, subject: string | undefined, data: Record<string, unknown>): Promise<void> | undefined {
    const store = this.#settings.store;
    if (store === undefined) return undefined;
    const entry: AuditEntry = { timestamp: this.#clock.now(), actor, action, data };
    if (subject !== undefined) entry.subject = subject;
    return store.appendAudit(entry);
  }
}

const noCandleHook = (): void => undefined;

/** Stored orders a restarted engine checks against the exchange (the latest; older ones are left as they are). */
const RECONCILED_ORDERS = 500;
/** Stored fills read after a restart to find orders whose fills were never recorded. */
const RECONCILED_FILLS = 5_000;
/** How far before the previous fill poll the next one asks from (clock differences, late trade records). */
const LIVE_FILL_OVERLAP_MS = 5 * 60_000;
/** Stored decisions looked at for outcomes an earlier process did not score. */
const RESUMED_DECISIONS = 500;
/** The audit action of a live venue's risk references, and how far back a restart looks for them. */
const MARKS_ACTION = 'risk-marks';
const MARKS_PAGE = 500;
const MARKS_PAGES = 10;
const DAY_MS = 86_400_000;

/** The client order id of an entry the engine placed for a decision (`<decision>-o`) or an approved escalation (`<decision>-a`). */
const ENTRY = /-[oa]$/;
/** Client order ids the engine gives (entries, protective legs) and the API's manual orders. */
const OWN_ORDER = /-(?:[oa]|sl|tp)$|^man-/;

/** The client order id of a protective leg the engine placed: `<entry>-sl` or `<entry>-tp`. */
const PROTECTIVE_LEG = /^(.+)-(sl|tp)$/;

/** An order that is over (filled, cancelled, rejected) after filling something: its fills make a position. */
function closedWithFills(order: Order): boolean {
  return order.status !== 'open' && order.status !== 'partially-filled' && order.filled > 0;
}

/** The other leg's client order id of a protective leg (`-sl` <-> `-tp`), or undefined for any other order. */
function siblingLeg(clientOrderId: string): string | undefined {
  const leg = PROTECTIVE_LEG.exec(clientOrderId);
  return leg === null ? undefined : `${leg[1]}-${leg[2] === 'sl' ? 'tp' : 'sl'}`;
}

/** What a candle brought that needs the step path. */
interface CandleEvent {
  fills: readonly Fill[];
  outcomesDue: boolean;
  reason: string | false;
  index: number;
}

const NO_FILLS: readonly Fill[] = [];

/** Decide options of the engine's own decisions: its snapshots are valid by construction. */
const NOT_VALIDATED = { validate: false } as const;

/**
 * A set that remembers the last `capacity` entries: the oldest is forgotten in O(1) (a ring of
 * keys), so the guard against recording a fill twice costs the same at the millionth fill.
 */
class RecentSet {
  readonly #set = new Set<string>();
  readonly #ring: string[] = [];
  #next = 0;

  constructor(readonly capacity: number) {}

  /** Whether a key is there. */
  has(key: string): boolean {
    return this.#set.has(key);
  }

  /** Adds a key; false when it was already there. */
  add(key: string): boolean {
    if (this.#set.has(key)) return false;
    if (this.#ring.length === this.capacity) {
      this.#set.delete(this.#ring[this.#next]!);
      this.#ring[this.#next] = key;
      this.#next = (this.#next + 1) % this.capacity;
    } else {
      this.#ring.push(key);
    }
    this.#set.add(key);
    return true;
  }
}

/** Builds a TradingEngine. */
export function createTradingEngine(settings: TradingEngineSettings): TradingEngine {
  return new TradingEngine(settings);
}
