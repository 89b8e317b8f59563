import { ADX, ATR, BollingerBands, CCI, EMA, MACD, RSI, SMA, Stochastic, WilliamsR } from 'technicalindicators';
import { describe, expect, it } from 'vitest';
import { loadCandles, loadTtr } from '../test-support/fixtures.js';
import { adxSeries, atr, bollinger, cci, ema, IndicatorStream, macdSeries, rsi, sma, stochastic, williamsR, type IndicatorValues } from './index.js';

const DATASETS = ['binance_BTC-USDT_1h', 'bitstamp_BTC-USD_1d', 'bittrex_ETH-BTC_5m'] as const;

function columnsOf(name: string) {
  const candles = loadCandles(name);
  return { candles, high: candles.map((c) => c.high), low: candles.map((c) => c.low), close: candles.map((c) => c.close) };
}

/** Every batch column we compute, keyed by its TTR column name. */
function ours(data: ReturnType<typeof columnsOf>): Record<string, Float64Array> {
  const m = macdSeries(data.close);
  const bb = bollinger(data.close);
  const st = stochastic(data);
  const ad = adxSeries(data);
  return {
    sma_20: sma(data.close, 20), ema_20: ema(data.close, 20), ema_50: ema(data.close, 50), rsi_14: rsi(data.close, 14),
    macd_12_26_9: m.macd, macd_signal_12_26_9: m.signal, macd_hist_12_26_9: m.histogram,
    bb_lower_20_2: bb.lower, bb_middle_20_2: bb.middle, bb_upper_20_2: bb.upper,
    stoch_k_14: st.k, stoch_d_14_3: st.d, williams_r_14: williamsR(data), cci_20: cci(data), atr_14: atr(data),
    adx_14: ad.adx, pdi_14: ad.pdi, mdi_14: ad.mdi,
  };
}

/** Relative error with a floor at the column's typical magnitude, so values crossing zero compare sensibly. */
function worstError(actual: ArrayLike<number>, expected: ArrayLike<number>, from = 0): number {
  const magnitudes = Array.from(expected).filter(Number.isFinite).map(Math.abs).sort((a, b) => a - b);
  const scale = magnitudes[Math.floor(magnitudes.length / 2)] ?? 1;
  let worst = 0;
  for (let i = from; i < expected.length; i++) {
    if (Number.isNaN(expected[i]!)) continue;
    worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!) / Math.max(Math.abs(expected[i]!), scale));
  }
  return worst;
}

describe.each(DATASETS)('indicators on %s', (name) => {
  const data = columnsOf(name);
  const ttr = loadTtr(name);
  const computed = ours(data);

  it('starts every indicator at the same row as R TTR', () => {
    for (const [column, values] of Object.entries(computed)) {
      const firstOurs = Array.from(values).findIndex((value) => !Number.isNaN(value));
      const firstTtr = ttr[column]!.findIndex((value) => !Number.isNaN(value));
      expect({ column, first: firstOurs }).toEqual({ column, first: firstTtr });
    }
  });

  it.each(['sma_20', 'ema_20', 'ema_50', 'rsi_14', 'macd_12_26_9', 'macd_signal_12_26_9', 'macd_hist_12_26_9', 'bb_lower_20_2', 'bb_middle_20_2', 'bb_upper_20_2', 'stoch_k_14', 'stoch_d_14_3', 'williams_r_14', 'cci_20', 'atr_14'])('%s equals R TTR to 1e-9 from the first row', (column) => {
    expect(worstError(computed[column]!, ttr[column]!)).toBeLessThan(1e-9);
  });

  it('ADX, +DI and -DI equal R TTR to 1e-9 once the seeding has decayed (row 350 on)', () => {
    for (const column of ['adx_14', 'pdi_14', 'mdi_14']) expect(worstError(computed[column]!, ttr[column]!, 350)).toBeLessThan(1e-9);
    // ...and differ in the first rows, because TTR's wilderSum seeds differently (documented in the README).
    expect(worstError(computed.adx_14!, ttr.adx_14!)).toBeGreaterThan(1e-3);
  });

  it('equals technicalindicators from its first output row (RSI: within its 2-decimal rounding)', () => {
    const { high, low, close } = data;
    const align = (values: number[]) => [...new Array<number>(close.length - values.length).fill(Number.NaN), ...values];
    const pick = <T>(rows: T[], key: keyof T) => align(rows.map((row) => row[key] as number));
    const macd = MACD.calculate({ values: close, fastPeriod: 12, slowPeriod: 26, signalPeriod: 9, SimpleMAOscillator: false, SimpleMASignal: false });
    const bands = BollingerBands.calculate({ values: close, period: 20, stdDev: 2 });
    const stoch = Stochastic.calculate({ high, low, close, period: 14, signalPeriod: 3 });
    const adx = ADX.calculate({ high, low, close, period: 14 });
    const pairs: [string, number[]][] = [
      ['sma_20', align(SMA.calculate({ values: close, period: 20 }))],
      ['ema_20', align(EMA.calculate({ values: close, period: 20 }))],
      ['macd_12_26_9', pick(macd, 'MACD')],
      ['bb_upper_20_2', pick(bands, 'upper')],
      ['bb_lower_20_2', pick(bands, 'lower')],
      ['stoch_k_14', pick(stoch, 'k')],
      ['williams_r_14', align(WilliamsR.calculate({ high, low, close, period: 14 }))],
      ['cci_20', align(CCI.calculate({ high, low, close, period: 20 }))],
      ['atr_14', align(ATR.calculate({ high, low, close, period: 14 }))],
      ['adx_14', pick(adx, 'adx')],
      ['pdi_14', pick(adx, 'pdi')],
    ];
    for (const [column, reference] of pairs) expect({ column, error: worstError(computed[column]!, reference) < 1e-9 }).toEqual({ column, error: true });
    const rsiReference = align(RSI.calculate({ values: close, period: 14 }));
    const rsiGap = Math.max(...rsiReference.map((value, i) => (Number.isNaN(value) ? 0 : Math.abs(value - computed.rsi_14![i]!))));
    expect(rsiGap).toBeLessThanOrEqual(0.005 + 1e-9);
    expect(rsiGap).toBeGreaterThan(0); // technicalindicators rounds; we do not
  });

  it('streams candle by candle to exactly the batch values', () => {
    const stream = new IndicatorStream();
    const keys: [keyof IndicatorValues, string][] = [['sma', 'sma_20'], ['emaFast', 'ema_20'], ['emaSlow', 'ema_50'], ['rsi', 'rsi_14'], ['macd', 'macd_12_26_9'], ['macdSignal', 'macd_signal_12_26_9'], ['macdHistogram', 'macd_hist_12_26_9'], ['bollingerLower', 'bb_lower_20_2'], ['bollingerUpper', 'bb_upper_20_2'], ['stochasticK', 'stoch_k_14'], ['stochasticD', 'stoch_d_14_3'], ['williamsR', 'williams_r_14'], ['cci', 'cci_20'], ['adx', 'adx_14'], ['plusDi', 'pdi_14'], ['minusDi', 'mdi_14'], ['atr', 'atr_14']];
    const mismatches: string[] = [];
    data.candles.forEach((candle, i) => {
      stream.update(candle);
      for (const [key, column] of keys) if (!Object.is(stream.values[key], computed[column]![i])) mismatches.push(`${key}@${i}`);
    });
    expect(mismatches).toEqual([]);
    expect(stream.values.count).toBe(data.candles.length);
  });
});

describe('indicator edge cases', () => {
  const flat = { high: new Array<number>(40).fill(100), low: new Array<number>(40).fill(100), close: new Array<number>(40).fill(100) };

  it('gives neutral values on a market that does not move (where TTR gives NaN)', () => {
    expect(stochastic(flat).k[39]).toBe(50);
    expect(williamsR(flat)[39]).toBe(-50);
    expect(rsi(flat.close)[39]).toBe(50);
    expect(cci(flat)[39]).toBe(0);
    expect(adxSeries(flat).adx[39]).toBe(0);
    expect(bollinger(flat.close).upper[39]).toBe(100);
  });

  it('rejects bad periods and mismatched columns with a clear message', () => {
    expect(() => sma([1, 2, 3], 0)).toThrow('SMA period must be an integer >= 1, received 0');
    expect(() => ema([1, 2, 3], 2.5)).toThrow(RangeError);
    expect(() => atr({ high: [1, 2], low: [1], close: [1, 2] })).toThrow('high, low and close must have the same length (received 2, 1, 2)');
  });

  it('does not drift over a long stream (running sums are re-summed exactly)', () => {
    let price = 30_000;
    let seed = 7;
    const closes = Array.from({ length: 120_000 }, () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      price *= 1 + (seed / 2 ** 31 - 0.5) * 0.004;
      return price;
    });
    const averages = sma(closes, 20);
    const bands = bollinger(closes);
    for (const i of [19, 50_000, 119_999]) {
      const window = closes.slice(i - 19, i + 1);
      const mean = window.reduce((sum, x) => sum + x, 0) / 20;
      const sd = Math.sqrt(window.reduce((sum, x) => sum + (x - mean) ** 2, 0) / 20);
      expect(Math.abs(averages[i]! - mean) / mean).toBeLessThan(1e-12);
      expect(Math.abs(bands.upper[i]! - (mean + 2 * sd)) / mean).toBeLessThan(1e-12);
    }
  });

  it('rolling extremes follow the window exactly (against a naive scan)', () => {
    let seed = 3;
    const highs = Array.from({ length: 500 }, () => ((seed = (seed * 48_271) % 2_147_483_647) % 1000) + 1);
    const lows = highs.map((h) => h - 1 / 2);
    const k = stochastic({ high: highs, low: lows, close: highs }).k;
    for (let i = 13; i < 500; i++) {
      const hh = Math.max(...highs.slice(i - 13, i + 1));
      const ll = Math.min(...lows.slice(i - 13, i + 1));
      expect(k[i]).toBeCloseTo((100 * (highs[i]! - ll)) / (hh - ll), 9);
    }
  });
});
