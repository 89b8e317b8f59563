import { describe, expect, it } from 'vitest';
import { createRandom } from '@ia-agents/core';
import { backoffDelay, jitterSchema } from './backoff.js';

describe('backoffDelay', () => {
  it('doubles from the base at every attempt up to the cap, exactly without jitter', () => {
    const plain = { baseMs: 500, maxMs: 3_000, jitter: 0, random: () => 0.7 };
    expect([1, 2, 3, 4, 5].map((attempt) => backoffDelay(attempt, plain))).toEqual([500, 1_000, 2_000, 3_000, 3_000]);
    expect(backoffDelay(30, { baseMs: 500, jitter: 0, random: Math.random })).toBe(500 * 2 ** 29);
  });

  it('draws each delay from the top `jitter` share of it: spread out, never above the plain delay nor below its floor', () => {
    const random = createRandom(7);
    const delays = Array.from({ length: 1_000 }, () => backoffDelay(3, { baseMs: 500, jitter: 0.5, random: () => random.next() }));
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(1_000);
    expect(Math.max(...delays)).toBeLessThanOrEqual(2_000);
    // Spread over the whole range, not clustered: both ends are reached within 5 %, and most values are distinct.
    expect(Math.min(...delays)).toBeLessThan(1_050);
    expect(Math.max(...delays)).toBeGreaterThan(1_950);
    expect(new Set(delays).size).toBeGreaterThan(500);
    expect(backoffDelay(3, { baseMs: 500, maxMs: 1_500, jitter: 1, random: () => 0.25 })).toBe(1_125);
  });

  it('takes a jitter share in [0, 1], 0.5 by default', () => {
    expect(jitterSchema.parse(undefined)).toBe(0.5);
    expect(jitterSchema.safeParse(1.5).success).toBe(false);
    expect(jitterSchema.safeParse(-0.1).success).toBe(false);
  });
});
