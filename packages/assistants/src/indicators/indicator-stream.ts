import { AdxStream } from './adx.js';
import { AtrStream } from './atr.js';
import { BollingerStream, type BollingerOptions } from './bollinger.js';
import { CciStream } from './cci.js';
import { EmaStream } from './ema.js';
import { MacdStream, type MacdOptions } from './macd.js';
import { RsiStream } from './rsi.js';
import { SmaStream } from './sma.js';
import { StochasticStream, type StochasticOptions } from './stochastic.js';
import type { PriceBar } from './types.js';
import { WilliamsRStream } from './williams-r.js';

/** Periods of every indicator in an IndicatorStream. */
export interface IndicatorSettings {
  /** SMA period. @default 20 */
  smaPeriod?: number;
  /** Fast EMA period. @default 20 */
  emaFastPeriod?: number;
  /** Slow EMA period. @default 50 */
  emaSlowPeriod?: number;
  /** RSI period. @default 14 */
  rsiPeriod?: number;
  /** MACD periods. @default 12/26/9 */
  macd?: MacdOptions;
  /** Bollinger settings. @default 20 periods, 2 standard deviations */
  bollinger?: BollingerOptions;
  /** Stochastic settings. @default 14/3 */
  stochastic?: StochasticOptions;
  /** Williams %R period. @default 14 */
  williamsRPeriod?: number;
  /** CCI period. @default 20 */
  cciPeriod?: number;
  /** ADX period. @default 14 */
  adxPeriod?: number;
  /** ATR period. @default 14 */
  atrPeriod?: number;
}

/** The latest value of every indicator (NaN while an indicator warms up). */
export interface IndicatorValues {
  /** Candles seen. */
  count: number;
  /** Last close. */
  close: number;
  /** Simple moving average of closes. */
  sma: number;
  /** Fast exponential moving average. */
  emaFast: number;
  /** Slow exponential moving average. */
  emaSlow: number;
  /** RSI in [0, 100]. */
  rsi: number;
  /** MACD line. */
  macd: number;
  /** MACD signal line. */
  macdSignal: number;
  /** MACD histogram. */
  macdHistogram: number;
  /** Lower Bollinger band. */
  bollingerLower: number;
  /** Middle Bollinger band. */
  bollingerMiddle: number;
  /** Upper Bollinger band. */
  bollingerUpper: number;
  /** Stochastic %K. */
  stochasticK: number;
  /** Stochastic %D. */
  stochasticD: number;
  /** Williams %R in [-100, 0]. */
  williamsR: number;
  /** Commodity channel index. */
  cci: number;
  /** Average directional index. */
  adx: number;
  /** +DI. */
  plusDi: number;
  /** -DI. */
  minusDi: number;
  /** Average true range. */
  atr: number;
}

/**
 * Every indicator the assistants use, updated together from one candle at a time in O(1) each
 * (CCI: O(period)). Feed closed candles in time order; read `values` (updated in place, no
 * allocation per candle) or `snapshot()` (a copy).
 * @example
 * const indicators = new IndicatorStream();
 * for (const candle of candles) indicators.update(candle);
 * console.log(indicators.values.rsi, indicators.values.atr);
 */
export class IndicatorStream {
  /** Latest values, updated in place by `update`. */
  readonly values: IndicatorValues = emptyValues();
  readonly #sma: SmaStream;
  readonly #emaFast: EmaStream;
  readonly #emaSlow: EmaStream;
  readonly #rsi: RsiStream;
  readonly #macd: MacdStream;
  readonly #bollinger: BollingerStream;
  readonly #stochastic: StochasticStream;
  readonly #williamsR: WilliamsRStream;
  readonly #cci: CciStream;
  readonly #adx: AdxStream;
  readonly #atr: AtrStream;

  constructor(settings: IndicatorSettings = {}) {
    this.#sma = new SmaStream(settings.smaPeriod ?? 20);
    this.#emaFast = new EmaStream(settings.emaFastPeriod ?? 20);
    this.#emaSlow = new EmaStream(settings.emaSlowPeriod ?? 50);
    this.#rsi = new RsiStream(settings.rsiPeriod ?? 14);
    this.#macd = new MacdStream(settings.macd);
    this.#bollinger = new BollingerStream(settings.bollinger);
    this.#stochastic = new StochasticStream(settings.stochastic);
    this.#williamsR = new WilliamsRStream(settings.williamsRPeriod ?? 14);
    this.#cci = new CciStream(settings.cciPeriod ?? 20);
    this.#adx = new AdxStream(settings.adxPeriod ?? 14);
    this.#atr = new AtrStream(settings.atrPeriod ?? 14);
  }

  /** Feeds one closed candle to every indicator. */
  update(candle: PriceBar): IndicatorValues {
    this.updateHlc(candle.high, candle.low, candle.close);
    return this.values;
  }

  /** Same as `update`, from bare numbers (for column data). */
  updateHlc(high: number, low: number, close: number): void {
    const v = this.values;
    v.count += 1;
    v.close = close;
    v.sma = this.#sma.update(close);
    v.emaFast = this.#emaFast.update(close);
    v.emaSlow = this.#emaSlow.update(close);
    v.rsi = this.#rsi.update(close);
    this.#macd.update(close);
    v.macd = this.#macd.macd;
    v.macdSignal = this.#macd.signal;
    v.macdHistogram = this.#macd.histogram;
    this.#bollinger.update(close);
    v.bollingerLower = this.#bollinger.lower;
    v.bollingerMiddle = this.#bollinger.middle;
    v.bollingerUpper = this.#bollinger.upper;
    this.#stochastic.update(high, low, close);
    v.stochasticK = this.#stochastic.k;
    v.stochasticD = this.#stochastic.d;
    v.williamsR = this.#williamsR.update(high, low, close);
    v.cci = this.#cci.update(high, low, close);
    v.adx = this.#adx.update(high, low, close);
    v.plusDi = this.#adx.pdi;
    v.minusDi = this.#adx.mdi;
    v.atr = this.#atr.update(high, low, close);
  }

  /** A copy of the latest values. */
  snapshot(): IndicatorValues {
    return { ...this.values };
  }
}

function emptyValues(): IndicatorValues {
  const nan = Number.NaN;
  return { count: 0, close: nan, sma: nan, emaFast: nan, emaSlow: nan, rsi: nan, macd: nan, macdSignal: nan, macdHistogram: nan, bollingerLower: nan, bollingerMiddle: nan, bollingerUpper: nan, stochasticK: nan, stochasticD: nan, williamsR: nan, cci: nan, adx: nan, plusDi: nan, minusDi: nan, atr: nan };
}

/**
 * The latest value of every indicator over a series of candles (streams through them once).
 * @example
 * const { rsi, macdHistogram, atr } = computeIndicators(snapshot.candles);
 */
export function computeIndicators(candles: readonly PriceBar[], settings: IndicatorSettings = {}): IndicatorValues {
  const stream = new IndicatorStream(settings);
  for (const candle of candles) stream.updateHlc(candle.high, candle.low, candle.close);
  return stream.snapshot();
}
