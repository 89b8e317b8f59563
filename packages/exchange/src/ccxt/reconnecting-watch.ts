import ccxt from 'ccxt';
import { AbortError, type ExchangeError } from '@ia-agents/core';
import { forgetFailedMarketLoad, type CcxtClient } from './ccxt-client.js';
import { translateCcxtError } from './translate-error.js';
import { backoffDelay } from '../util/backoff.js';

/** A stream's reconnection, as reported to `onReconnect`. */
export interface StreamReconnect {
  /** `watchOHLCV`, `watchTicker`, `watchOrderBook` or `watchOrders`. */
  operation: string;
  /** Symbol of the stream (empty for the account's order stream). */
  symbol: string;
  /** Reconnection number since the last update. */
  attempt: number;
  /** Delay before reconnecting, ms. */
  delayMs: number;
  /** Why the stream dropped. */
  error: ExchangeError;
}

/** How a watch reconnects. */
export interface ReconnectPolicy {
  /** Reconnections in a row before the watch gives up (any update resets the count). */
  reconnectAttempts: number;
  /** First delay before reconnecting, doubled each time up to `maxBackoffMs`, then jittered. */
  backoffMs: number;
  /** Longest delay between reconnections (before jitter). */
  maxBackoffMs: number;
  /** Share of each delay that is randomised (see `jitterSchema`). */
  jitter: number;
  /** Draws the jitter, a float in [0, 1). */
  random: () => number;
  /** Sleeps between reconnections. */
  sleep: (milliseconds: number) => Promise<void>;
  /** Called before each reconnection. */
  onReconnect?: ((reconnect: StreamReconnect) => void) | undefined;
}

const RECONNECTABLE = new Set(['EXCHANGE_NETWORK', 'TIMEOUT', 'EXCHANGE_UNAVAILABLE', 'EXCHANGE_RATE_LIMITED']);

/** Resolves `promise`, or rejects with an AbortError when `signal` aborts first. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  if (signal.aborted) return Promise.reject(new AbortError('stream aborted'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new AbortError('stream aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** Yielded by `reconnectingWatch` after each reconnection's backoff, before it watches again. */
export const RESUMED: unique symbol = Symbol('resumed');

/**
 * Repeats one ccxt pro watch call, yielding each value, until `signal` aborts or the client is
 * closed. A retryable failure (network, timeout, exchange unavailable, rate limit) reconnects after
 * a backoff (ccxt opens a new socket and subscribes again at the next call), yielding `RESUMED`
 * first: updates in between may be lost. Any other failure, or one reconnection too many, is
 * thrown translated.
 */
export async function* reconnectingWatch<T>(client: CcxtClient, operation: string, symbol: string, watch: () => Promise<T>, policy: ReconnectPolicy, signal: AbortSignal | undefined): AsyncGenerator<T | typeof RESUMED> {
  let failures = 0;
  // A function, not a narrowed property: the signal can abort while a watch is pending.
  const aborted = () => signal?.aborted === true;
  while (!aborted()) {
    let value: T;
    try {
      value = await abortable(watch(), signal);
    } catch (error) {
      if (aborted() || error instanceof ccxt.ExchangeClosedByUser) return;
      forgetFailedMarketLoad(client);
      const translated = translateCcxtError(error, operation, symbol === '' ? {} : { symbol });
      if (!RECONNECTABLE.has(translated.code) || failures >= policy.reconnectAttempts) throw translated;
      failures += 1;
      const delayMs = backoffDelay(failures, { baseMs: policy.backoffMs, maxMs: policy.maxBackoffMs, jitter: policy.jitter, random: policy.random });
      policy.onReconnect?.({ operation, symbol, attempt: failures, delayMs, error: translated });
      await policy.sleep(delayMs);
      if (aborted()) return;
      yield RESUMED;
      continue;
    }
    failures = 0;
    yield value;
  }
}
