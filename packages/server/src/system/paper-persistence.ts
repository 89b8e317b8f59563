import { silentLogger, systemClock, type Clock, type EventBus, type EventName, type Logger } from '@ia-agents/core';
import type { PaperExchange } from '@ia-agents/exchange';
import type { ServerStore } from '../storage/server-store.js';

/** What a paper account is saved from and to. */
export interface PaperPersistenceSettings {
  /** Owner of the account. */
  userId: string;
  /** Where the snapshot goes (`paper_accounts`). */
  store: ServerStore;
  /** The paper exchange saved. */
  exchange: PaperExchange;
  /** Quote currency saved with it. */
  quoteCurrency: string;
  /** The account's bus: its order and portfolio events mark the exchange changed; save errors go to it. */
  bus: EventBus;
  /** Stamps `updated_at`. @default systemClock */
  clock?: Clock;
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
  /** Stops listening and saves the exchange once more; later changes are not saved. */
  close(): Promise<void>;
}

// Every event after which the exchange holds something new: an order placed, filled or cancelled
// (by the engine, the API or a candle), and a candle's marks (the account samples its equity each
// candle). A rejected order may still have used an order number.
const CHANGES: readonly EventName[] = ['order-place', 'order-fill', 'order-cancel', 'order-reject', 'portfolio-update'];

/**
 * Keeps a paper exchange's snapshot in the store: saved at most once per `intervalMs` after the
 * events that change it (so a crash loses at most that much), and always on `close()` (so a
 * clean shutdown loses nothing). Saves never overlap; a failed one is reported on the bus as
 * `engine-error` (stage `paper-save`), logged, and retried with the next change or `close()`.
 * @example
 * const persistence = persistPaperAccount({ userId, store, exchange, quoteCurrency: 'USDT', bus: account.bus });
 * await account.stop();
 * await persistence.close();
 */
export function persistPaperAccount(settings: PaperPersistenceSettings): PaperPersistence {
  const { userId, store, exchange, quoteCurrency, bus } = settings;
  const clock = settings.clock ?? systemClock;
  const timers = settings.timers ?? globalThis;
  const logger = settings.logger ?? silentLogger;
  let dirty = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let saving: Promise<void> = Promise.resolve();

  const save = async (): Promise<void> => {
    if (!dirty) return;
    dirty = false;
    try {
      await store.savePaperAccount(userId, { quoteCurrency, state: exchange.snapshot(), updatedAt: clock.now() });
    } catch (error) {
      dirty = true;
      bus.emit('engine-error', { error: error as Error, stage: 'paper-save' });
      logger.error({ err: error, userId }, 'saving the paper account failed');
    }
  };
  const flush = (): Promise<void> => (saving = saving.then(save));
  const changed = (): void => {
    dirty = true;
    timer ??= timers.setTimeout(() => {
      timer = undefined;
      void flush();
    }, settings.intervalMs ?? 1000);
  };
  for (const event of CHANGES) bus.on(event, changed);

  return {
    flush,
    async close() {
      for (const event of CHANGES) bus.off(event, changed);
      if (timer !== undefined) timers.clearTimeout(timer);
      timer = undefined;
      // Saved whatever the events said: a shutdown is rare, and a change no event announced is kept too.
      dirty = true;
      await flush();
    },
  };
}
