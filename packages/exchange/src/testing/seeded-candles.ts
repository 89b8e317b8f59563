import type { Candle } from '@ia-agents/core';

/** mulberry32, as in `benchmarks/gen-candles.cjs`. */
function mulberry32(seed: number): () => number {
  let state = seed;
  return () => {
    state |= 0;
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The seeded synthetic 1-minute candles of the benchmark generator (`benchmarks/gen-candles.cjs`,
 * geometric Brownian motion, sigma 0.001 a bar), computed in memory with the same arithmetic, so
 * a test gets the exact candles of the benchmark file without reading it. Timestamps are in ms.
 * @example const candles = generateSeededCandles(200_000, 42);
 */
export function generateSeededCandles(count: number, seed = 42): Candle[] {
  const random = mulberry32(seed);
  const uniform53 = () => {
    let value: number;
    do value = (Math.floor(random() * 67108864) * 134217728 + Math.floor(random() * 134217728)) / 9007199254740992;
    while (value <= 0);
    return value;
  };
  let spare: number | null = null;
  const gauss = () => {
    if (spare !== null) {
      const value = spare;
      spare = null;
      return value;
    }
    const radius = Math.sqrt(-2 * Math.log(uniform53()));
    const angle = 2 * Math.PI * uniform53();
    spare = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  };
  const round6 = (value: number) => Math.round(value * 1e6) / 1e6;
  const round3 = (value: number) => Math.round(value * 1e3) / 1e3;
  const sigma = 0.001;
  const start = Date.UTC(2020, 0, 1);
  const candles: Candle[] = new Array<Candle>(count);
  let previousClose = 100;
  for (let index = 0; index < count; index++) {
    const open = previousClose;
    const close = round6(open * Math.exp(sigma * gauss()));
    const high = round6(Math.max(open, close) * Math.exp(Math.abs(0.5 * sigma * gauss())));
    const low = round6(Math.min(open, close) * Math.exp(-Math.abs(0.5 * sigma * gauss())));
    const volume = round3(1000 * Math.exp(0.5 * gauss()));
    candles[index] = { timestamp: start + 60_000 * index, open, high, low, close, volume };
    previousClose = close;
  }
  return candles;
}
