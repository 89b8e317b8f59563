import { silentLogger, systemClock, type Clock, type EventBus, type EventName, type Logger } from '@ia-agents/core';
import type { PaperExchange } from '@ia-agents/exchange';
import type { AccountLease, ServerStore } from '../storage/server-store.js';

/** What a paper account is saved from and to. */
export interface PaperPersistenceSettings {
  /** Owner of the account. */
  userId: string;
  /** Where the snapshot goes (`paper_accounts`). */
  store: ServerStore;
  /**
   * The lease the account runs under: saves then go through it (`AccountLease.savePaperAccount`),
   * so that none lands once it is lost, not even one in flight at that moment.
   */
  lease?: Pick<AccountLease, 'savePaperAccount'>;
  /** The paper exchange saved. */
  exchange: PaperExchange;
  /** Quote currency saved with it. */
  quoteCurrency: string;
  /** The account's bus: its order and portfolio events mark the exchange changed; save errors go to it. */
  bus: EventBus;
  /** Stamps `updated_at`. @default systemClock */
  clock?: Clock;
  /**
   * Orders that closed longer ago than this (by the exchange's clock) are left out of the saved
   * account with their fills (the store keeps them): the snapshot, saved before every order and
   * fill is recorded, then stays the size of the recent history however long the account runs.
   * @default 30 days
   */
  keepClosedMs?: number;
  /** Most one save per this many milliseconds; a change is saved at the latest this long after it. @default 1000 */
  intervalMs?: number;
  /** Timers (fake ones in tests). @default globalThis */
  timers?: Pick<typeof globalThis, 'setTimeout' | 'clearTimeout'>;
  /** Where save failures are logged. @default silentLogger */
  logger?: Logger;
}

/** A paper account being kept in the store. */
export interface PaperPersistence {
  /** Saves now if anything changed since the last save. */
  flush(): Promise<void>;
  /**
   * Saves the exchange as it is now, whatever the events said: resolves once a snapshot taken after
   * this call is in the store (a save queued and not yet begun is joined, not repeated). The
   * account awaits it before it records an order or a fill, so that the store never holds what
   * the saved paper account does not (see `createTradingAccount`'s `beforeRecord`).
   */
  saveNow(): Promise<void>;
  /** Stops listening and saves the exchange once more; later changes are not saved. */
  close(): Promise<void>;
  /**
   * Stops listening and saving without a last save, `saveNow` included (it then saves nothing):
   * the account is no longer this process's to save (its lease was lost, and another server may
   * be saving it now).
   */
  discard(): void;
}

// Every event after which the exchange holds something new: an order placed, filled or cancelled
// (by the engine, the API or a candle), and a candle's marks (the account samples its equity each
// candle). A rejected order may still have used an order number.
const CHANGES: readonly EventName[] = ['order-place', 'order-fill', 'order-cancel', 'order-reject', 'portfolio-update'];

/**
 * Keeps a paper exchange's snapshot in the store: before the account records an order or a fill
 * (`saveNow`, so that a crash at any point leaves the saved account at or ahead of the store's
 * records, and the restarted engine records what the store missed), at most once per `intervalMs`
 * after the other events that change it (a candle's marks and volume taken: a crash loses at most
 * that much of them), and always on `close()` (so a clean shutdown loses nothing). Saves never
 * overlap; a failed one is reported on the bus as `engine-error` (stage `paper-save`), logged, and
 * retried with the next change or `close()`.
 * @example
 * const persistence = persistPaperAccount({ userId, store, exchange, quoteCurrency: 'USDT', bus: account.bus });
 * await account.stop();
 * await persistence.close();
 */
export function persistPaperAccount(settings: PaperPersistenceSettings): PaperPersistence {
  const { userId, store, lease, exchange, quoteCurrency, bus } = settings;
  const clock = settings.clock ?? systemClock;
  const timers = settings.timers ?? globalThis;
  const logger = settings.logger ?? silentLogger;
  const keepClosedMs = settings.keepClosedMs ?? 30 * 24 * 3_600_000;
  let dirty = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let saving: Promise<void> = Promise.resolve();
  // A save queued behind the one running that has not taken its snapshot yet: later callers join it.
  let queued: Promise<void> | undefined;

  let discarded = false;
  const save = async (): Promise<void> => {
    if (!dirty || discarded) return;
    dirty = false;
    try {
      const account = { quoteCurrency, state: exchange.snapshot({ keepClosedFor: keepClosedMs }), updatedAt: clock.now() };
      await (lease === undefined ? store.savePaperAccount(userId, account) : lease.savePaperAccount(account));
    } catch (error) {
      dirty = true;
      // Discarded meanwhile (the lease was lost): the save was refused as it should be.
      if (discarded) return;
      bus.emit('engine-error', { error: error as Error, stage: 'paper-save' });
      logger.error({ err: error, userId }, 'saving the paper account failed');
    }
  };
  const enqueue = (): Promise<void> => {
    queued ??= saving = saving.then(() => {
      // The snapshot is taken as save() begins: a change from here on needs a save of its own.
      queued = undefined;
      return save();
    });
    return queued;
  };
  const flush = (): Promise<void> => (dirty ? enqueue() : saving);
  const changed = (): void => {
    dirty = true;
    timer ??= timers.setTimeout(() => {
      timer = undefined;
      void flush();
    }, settings.intervalMs ?? 1000);
  };
  for (const event of CHANGES) bus.on(event, changed);
  const stopListening = (): void => {
    for (const event of CHANGES) bus.off(event, changed);
    if (timer !== undefined) timers.clearTimeout(timer);
    timer = undefined;
  };

  return {
    flush,
    saveNow() {
      dirty = true;
      return enqueue();
    },
    discard() {
      discarded = true;
      stopListening();
    },
    async close() {
      stopListening();
      // Saved whatever the events said: a shutdown is rare, and a change no event announced is kept too.
      dirty = true;
      await enqueue();
    },
  };
}
