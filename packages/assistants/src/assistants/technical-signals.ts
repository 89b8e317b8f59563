import type { EvidenceInput } from '@ia-agents/core';
import type { IndicatorValues } from '../indicators/indicator-stream.js';
import { round } from './evidence.js';

type Stance = EvidenceInput['stance'];

/** Oscillator thresholds of the technical analyst. */
export interface SignalThresholds {
  /** RSI at or below: oversold (bullish). @default 30 */
  rsiOversold?: number;
  /** RSI at or above: overbought (bearish). @default 70 */
  rsiOverbought?: number;
  /** ADX above which a trend counts. @default 25 */
  adxTrend?: number;
}

const band = (value: number, low: number, high: number): Stance => (value <= low ? 'bullish' : value >= high ? 'bearish' : 'neutral');

/**
 * Turns indicator values into scored signals (evidence), skipping indicators still warming up.
 * Oscillators (RSI, Stochastic, Williams %R, CCI, Bollinger) read mean reversion; MACD, the
 * moving averages and ADX read trend.
 */
export function technicalSignals(v: IndicatorValues, thresholds: SignalThresholds = {}): EvidenceInput[] {
  const t = { rsiOversold: 30, rsiOverbought: 70, adxTrend: 25, ...thresholds };
  const signals: EvidenceInput[] = [];
  const add = (name: string, value: number, stance: Stance, detail: string) => {
    if (Number.isFinite(value)) signals.push({ name, value: round(value, 6), stance, weight: 1, detail });
  };
  add('rsi_14', v.rsi, band(v.rsi, t.rsiOversold, t.rsiOverbought), `RSI ${v.rsi.toFixed(1)} (${t.rsiOversold}/${t.rsiOverbought} bands)`);
  add('macd_histogram', v.macdHistogram, v.macdHistogram > 0 ? 'bullish' : v.macdHistogram < 0 ? 'bearish' : 'neutral', 'MACD line minus signal');
  const percentB = (v.close - v.bollingerLower) / (v.bollingerUpper - v.bollingerLower);
  add('bollinger_percent_b', percentB, band(percentB, 0, 1), 'position of the close in the Bollinger bands (0 = lower, 1 = upper)');
  add('ema_trend', v.emaFast / v.emaSlow - 1, v.emaFast > v.emaSlow ? 'bullish' : 'bearish', 'EMA20 relative to EMA50');
  add('price_vs_sma', v.close / v.sma - 1, v.close > v.sma ? 'bullish' : v.close < v.sma ? 'bearish' : 'neutral', 'close relative to SMA20');
  add('stochastic_k', v.stochasticK, band(v.stochasticK, 20, 80), 'Stochastic %K (20/80 bands)');
  add('williams_r', v.williamsR, band(v.williamsR, -80, -20), 'Williams %R (-80/-20 bands)');
  add('cci_20', v.cci, band(v.cci, -100, 100), 'CCI (-100/100 bands)');
  const trending = v.adx >= t.adxTrend;
  add('adx_14', v.adx, trending ? (v.plusDi > v.minusDi ? 'bullish' : 'bearish') : 'neutral', trending ? `trend strength ADX ${v.adx.toFixed(1)}, +DI ${v.plusDi.toFixed(1)} vs -DI ${v.minusDi.toFixed(1)}` : `no trend (ADX ${v.adx.toFixed(1)} < ${t.adxTrend})`);
  return signals;
}
