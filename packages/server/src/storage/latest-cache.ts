import type { Portfolio } from '@ia-agents/core';

/**
 * The latest portfolio valuation of each user, kept in memory by a store that is the only writer
 * of its database (SQLite): GET /portfolio is the hottest route. A write bumps the user's
 * generation, so a read that raced with it never caches the older value.
 */
export class LatestPortfolioCache {
  readonly #values = new Map<string, Portfolio | undefined>();
  readonly #generations = new Map<string, number>();

  /** The cached value (`has` tells a cached "none" from a miss). */
  lookup(userId: string): { has: boolean; value: Portfolio | undefined } {
    return { has: this.#values.has(userId), value: this.#values.get(userId) };
  }

  /** The user's write generation, to pass to `fill`. */
  generation(userId: string): number {
    return this.#generations.get(userId) ?? 0;
  }

  /** Caches a value read at `generation`, unless a write happened since. */
  fill(userId: string, generation: number, value: Portfolio | undefined): void {
    if (this.generation(userId) === generation) this.#values.set(userId, value);
  }

  /** Forgets the user's value (after a write). */
  invalidate(userId: string): void {
    this.#generations.set(userId, this.generation(userId) + 1);
    this.#values.delete(userId);
  }
}
