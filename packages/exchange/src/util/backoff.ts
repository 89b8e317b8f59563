import { z } from 'zod';

/**
 * Share of each backoff delay that is randomised, in [0, 1]: the delay is drawn from
 * `[delay * (1 - jitter), delay]`. Clients dropped by the same outage then come back spread out
 * instead of all at once (which would trip the rate limit they are backing off from). 0 keeps the
 * plain doubling.
 */
export const jitterSchema = z.number().min(0).max(1).default(0.5);

/** Settings of `backoffDelay`. */
export interface Backoff {
  /** First delay, ms, doubled at every attempt. */
  baseMs: number;
  /** Longest delay before jitter, ms. @default no cap */
  maxMs?: number;
  /** See `jitterSchema`. */
  jitter: number;
  /** A float in [0, 1). */
  random: () => number;
}

/**
 * The delay before retry number `attempt` (1-based), whole ms: `baseMs * 2^(attempt - 1)`, capped
 * at `maxMs`, less a random share of at most `jitter` of it.
 * @example backoffDelay(2, { baseMs: 500, jitter: 0.5, random: Math.random }) // 500..1000
 */
export function backoffDelay(attempt: number, backoff: Backoff): number {
  const delay = Math.min(backoff.maxMs ?? Number.POSITIVE_INFINITY, backoff.baseMs * 2 ** (attempt - 1));
  return Math.round(delay * (1 - backoff.jitter * backoff.random()));
}
