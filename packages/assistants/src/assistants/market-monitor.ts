import type { AssistantContext, BaseAssistantSettings, EvidenceInput, MarketSnapshot, OpinionInput, TriggerFactory } from '@ia-agents/core';
import { pct, round } from './evidence.js';
import { MarketWatch, type MarketWatchReading, type MarketWatchSettings } from './market-watch.js';
import { TeamAssistant } from './team-assistant.js';

/** Settings of the MarketMonitor. */
export type MarketMonitorSettings = BaseAssistantSettings & MarketWatchSettings;

/**
 * Watches price change over a window (3 % by default), volume against its moving average and
 * volatility spikes. It ALERTs (`opinion.alert`) when any fires; a sharp move makes it lean with
 * the move (a crash: SELL), otherwise it says HOLD with little weight. `shouldAnalyze` and
 * `marketMonitorTrigger` tell the engine when to convene the team.
 * @example
 * const monitor = new MarketMonitor({ priceChangeThreshold: 0.05 });
 * const opinion = await monitor.analyze(snapshot, context);
 */
export class MarketMonitor extends TeamAssistant {
  readonly role = 'market-monitor';
  readonly #watch: MarketWatchSettings;

  constructor(settings: MarketMonitorSettings = {}) {
    super({ ...settings, defaultId: 'market-monitor' });
    this.#watch = settings;
  }

  /** The watch's reading after the snapshot's last candle. */
  read(snapshot: Pick<MarketSnapshot, 'candles'>): MarketWatchReading {
    const watch = new MarketWatch(this.#watch);
    let reading: MarketWatchReading = { priceChange: Number.NaN, volumeRatio: Number.NaN, volatilityRatio: Number.NaN, alerts: [] };
    for (const candle of snapshot.candles) reading = watch.update(candle);
    return reading;
  }

  /** A reason to convene the team, or false. */
  shouldAnalyze(snapshot: Pick<MarketSnapshot, 'candles'>): string | false {
    const { alerts } = this.read(snapshot);
    return alerts.length === 0 ? false : alerts.join('; ');
  }

  protected rules(snapshot: MarketSnapshot, _context: AssistantContext): OpinionInput {
    const reading = this.read(snapshot);
    const threshold = this.#watch.priceChangeThreshold ?? 0.03;
    const evidence = evidenceOf(reading, threshold);
    const alert = reading.alerts.length > 0;
    const move = Number.isNaN(reading.priceChange) ? 0 : reading.priceChange;
    if (!alert || Math.abs(move) < threshold) {
      // A calm market is no view on the direction: abstain rather than dilute the vote into HOLD.
      return { assistantId: this.id, action: 'HOLD', confidence: alert ? 0.4 : 0.2, abstain: !alert, reasoning: alert ? `Alert: ${reading.alerts.join('; ')}; no directional move.` : 'Market calm: no price, volume or volatility alert.', evidence, alert };
    }
    const confidence = round(Math.min(0.9, 0.5 + Math.abs(move) / (threshold * 10)));
    return { assistantId: this.id, action: move > 0 ? 'BUY' : 'SELL', confidence, reasoning: `Alert: ${reading.alerts.join('; ')}.`, evidence, alert };
  }
}

function evidenceOf(reading: MarketWatchReading, threshold: number): EvidenceInput[] {
  const evidence: EvidenceInput[] = [];
  if (!Number.isNaN(reading.priceChange)) {
    const stance = reading.priceChange >= threshold ? 'bullish' : reading.priceChange <= -threshold ? 'bearish' : 'neutral';
    evidence.push({ name: 'price_change_window', value: round(reading.priceChange, 6), stance, weight: 1, detail: `price moved ${pct(reading.priceChange)} over the window` });
  }
  if (!Number.isNaN(reading.volumeRatio)) evidence.push({ name: 'volume_ratio', value: round(reading.volumeRatio), stance: 'neutral', weight: 0.5, detail: `volume is ${reading.volumeRatio.toFixed(2)}x its average` });
  if (!Number.isNaN(reading.volatilityRatio)) evidence.push({ name: 'volatility_ratio', value: round(reading.volatilityRatio), stance: 'neutral', weight: 0.5, detail: `volatility is ${reading.volatilityRatio.toFixed(2)}x normal` });
  return evidence;
}

/** Settings of marketMonitorTrigger. */
export interface MarketMonitorTriggerSettings extends MarketWatchSettings {
  /** Candles after a firing during which the same alert kinds do not fire again. @default 6 */
  cooldownCandles?: number;
}

/**
 * The market monitor as the engine's trigger: one O(1) MarketWatch per symbol, convening the team
 * when the price moves past the threshold over the window, volume spikes or volatility jumps. After
 * firing it stays quiet for `cooldownCandles` unless a new kind of alert appears, so a long sell-off
 * convenes the team every few candles rather than on every one.
 * @example
 * const engine = createTradingEngine({ ..., trigger: marketMonitorTrigger({ priceChangeThreshold: 0.03 }) });
 */
export function marketMonitorTrigger(settings: MarketMonitorTriggerSettings = {}): TriggerFactory {
  const cooldown = settings.cooldownCandles ?? 6;
  return () => {
    const watch = new MarketWatch(settings);
    let quietUntil = -1;
    let lastKinds = new Set<string>();
    let index = 0;
    return {
      update: (candle) => {
        const { alerts } = watch.update(candle);
        index += 1;
        const kinds = new Set(alerts.map((alert) => alert.split(' ')[0]!));
        const fresh = [...kinds].some((kind) => !lastKinds.has(kind));
        if (alerts.length === 0 || (index <= quietUntil && !fresh)) return false;
        quietUntil = index + cooldown;
        lastKinds = kinds;
        return alerts.join('; ');
      },
    };
  };
}
