import type { Candle } from '@ia-agents/core';
import { AtrStream } from '../indicators/atr.js';
import { SmaStream } from '../indicators/sma.js';

/** Thresholds of the market monitor and its trigger. */
export interface MarketWatchSettings {
  /** Candles over which the price change is measured. @default 6 */
  windowCandles?: number;
  /** |price change| over the window that raises an alert. @default 0.03 */
  priceChangeThreshold?: number;
  /** Candles of the volume moving average. @default 20 */
  volumePeriod?: number;
  /** Volume / its moving average that counts as an anomaly. @default 3 */
  volumeRatioThreshold?: number;
  /** ATR period. @default 14 */
  atrPeriod?: number;
  /** Candles of the long ATR average the current ATR is compared to. @default 50 */
  volatilityBaselinePeriod?: number;
  /** Current true range / ATR, or ATR / its long average, that counts as a spike. @default 2.5 */
  volatilityRatioThreshold?: number;
}

/** What the watch sees after a candle. */
export interface MarketWatchReading {
  /** Close now / close `windowCandles` ago - 1 (NaN until the window is full). */
  priceChange: number;
  /** Volume / its moving average before this candle (NaN during warm-up). */
  volumeRatio: number;
  /** max(true range / previous ATR, ATR / its long average) (NaN during warm-up). */
  volatilityRatio: number;
  /** Reasons to alert, empty when calm. */
  alerts: string[];
}

/**
 * The market monitor's streaming state, O(1) per candle: a ring of closes for the window change,
 * a volume SMA, and ATR with its long average. Used by MarketMonitor on a snapshot and by
 * `marketMonitorTrigger` on the engine's live candle stream, so both say the same thing.
 */
export class MarketWatch {
  readonly #settings: Required<MarketWatchSettings>;
  readonly #closes: Float64Array;
  readonly #volume: SmaStream;
  readonly #atr: AtrStream;
  readonly #atrBaseline: SmaStream;
  #count = 0;

  constructor(settings: MarketWatchSettings = {}) {
    this.#settings = { windowCandles: 6, priceChangeThreshold: 0.03, volumePeriod: 20, volumeRatioThreshold: 3, atrPeriod: 14, volatilityBaselinePeriod: 50, volatilityRatioThreshold: 2.5, ...settings };
    this.#closes = new Float64Array(this.#settings.windowCandles + 1);
    this.#volume = new SmaStream(this.#settings.volumePeriod);
    this.#atr = new AtrStream(this.#settings.atrPeriod);
    this.#atrBaseline = new SmaStream(this.#settings.volatilityBaselinePeriod);
  }

  /** Feeds one closed candle. */
  update(candle: Candle): MarketWatchReading {
    const s = this.#settings;
    const size = this.#closes.length;
    this.#closes[this.#count % size] = candle.close;
    this.#count += 1;
    const priceChange = this.#count >= size ? candle.close / this.#closes[this.#count % size]! - 1 : Number.NaN;
    const volumeAverage = this.#volume.value;
    this.#volume.update(candle.volume);
    const volumeRatio = this.#volume.count > s.volumePeriod && volumeAverage > 0 ? candle.volume / volumeAverage : Number.NaN;
    const volatilityRatio = this.#volatility(candle);
    const alerts: string[] = [];
    if (Math.abs(priceChange) >= s.priceChangeThreshold) alerts.push(`price ${priceChange > 0 ? 'up' : 'down'} ${(Math.abs(priceChange) * 100).toFixed(1)}% over ${s.windowCandles} candles`);
    if (volumeRatio >= s.volumeRatioThreshold) alerts.push(`volume ${volumeRatio.toFixed(1)}x its ${s.volumePeriod}-candle average`);
    if (volatilityRatio >= s.volatilityRatioThreshold) alerts.push(`volatility spike ${volatilityRatio.toFixed(1)}x normal`);
    return { priceChange, volumeRatio, volatilityRatio, alerts };
  }

  #volatility(candle: Candle): number {
    const previousAtr = this.#atr.value;
    const baseline = this.#atrBaseline.value;
    const atr = this.#atr.update(candle.high, candle.low, candle.close);
    if (!Number.isNaN(atr)) this.#atrBaseline.update(atr);
    const rangeRatio = previousAtr > 0 ? this.#atr.trueRange / previousAtr : Number.NaN;
    const levelRatio = baseline > 0 ? atr / baseline : Number.NaN;
    if (Number.isNaN(rangeRatio)) return levelRatio;
    return Number.isNaN(levelRatio) ? rangeRatio : Math.max(rangeRatio, levelRatio);
  }
}
