import type { AssistantContext, BaseAssistantSettings, MarketSnapshot, Opinion, OpinionInput, TradeOutcome } from '@ia-agents/core';
import { computeIndicators, type IndicatorSettings } from '../indicators/indicator-stream.js';
import { netScore, round, scoreToAction, stanceSign } from './evidence.js';
import { ReliabilityRecord } from './reliability-record.js';
import { TeamAssistant } from './team-assistant.js';
import { technicalSignals, type SignalThresholds } from './technical-signals.js';

/** Settings of the TechnicalAnalyst. */
export interface TechnicalAnalystSettings extends BaseAssistantSettings, SignalThresholds {
  /** Indicator periods. @default RSI 14, MACD 12/26/9, Bollinger 20/2, EMA 20/50, SMA 20, ... */
  indicators?: IndicatorSettings;
  /** |net signal| needed for BUY/SELL. @default 0.2 */
  threshold?: number;
  /** Let each signal's weight follow its own track record (learned from outcomes). @default true */
  learnWeights?: boolean;
}

/**
 * Computes RSI, MACD, Bollinger Bands, EMA, SMA, Stochastic, Williams %R, CCI and ADX over the
 * snapshot's closed candles, turns each into a bullish/bearish/neutral signal, and scores them
 * into an action and confidence; the signals are its evidence. Each signal's weight follows its
 * own reliability, learned from outcomes (a signal that keeps pointing the wrong way counts less).
 * @example
 * const analyst = new TechnicalAnalyst({ rsiOversold: 25 });
 */
export class TechnicalAnalyst extends TeamAssistant {
  readonly role = 'technical-analyst';
  /** Learned reliability per signal name. */
  readonly signalRecords = new Map<string, ReliabilityRecord>();
  readonly #settings: TechnicalAnalystSettings;

  constructor(settings: TechnicalAnalystSettings = {}) {
    super({ ...settings, defaultId: 'technical-analyst' });
    this.#settings = settings;
  }

  protected rules(snapshot: MarketSnapshot, _context: AssistantContext): OpinionInput {
    const values = computeIndicators(snapshot.candles, this.#settings.indicators);
    const evidence = technicalSignals(values, this.#settings).map((signal) => ({ ...signal, weight: round(this.#weight(signal.name)) }));
    if (evidence.length === 0) return { assistantId: this.id, action: 'HOLD', confidence: 0.1, reasoning: `Only ${snapshot.candles.length} candles: every indicator is still warming up.`, evidence };
    const net = netScore(evidence);
    const { action, confidence } = scoreToAction(net, { threshold: this.#settings.threshold ?? 0.2 });
    const bullish = evidence.filter((item) => item.stance === 'bullish').map((item) => item.name);
    const bearish = evidence.filter((item) => item.stance === 'bearish').map((item) => item.name);
    const reasoning = `Net technical score ${net.toFixed(2)} from ${evidence.length} signals; bullish: ${bullish.join(', ') || 'none'}; bearish: ${bearish.join(', ') || 'none'}.`;
    return { assistantId: this.id, action, confidence, reasoning, evidence };
  }

  /** Besides its own record, scores each signal it cited against the best action in hindsight. */
  override async learnFromOutcome(outcome: TradeOutcome, own: Opinion | undefined): Promise<void> {
    await super.learnFromOutcome(outcome, own);
    if (own === undefined || this.#settings.learnWeights === false) return;
    const best = outcome.bestAction === 'BUY' ? 1 : outcome.bestAction === 'SELL' ? -1 : 0;
    for (const item of own.evidence) {
      const sign = stanceSign(item.stance);
      if (sign === 0 || best === 0) continue;
      const record = this.signalRecords.get(item.name) ?? new ReliabilityRecord();
      record.add(sign === best);
      this.signalRecords.set(item.name, record);
    }
  }

  /** 1 for a signal without a record; 2 × reliability after (0.5 reliability keeps weight 1), capped to [0.2, 1]. */
  #weight(name: string): number {
    const record = this.signalRecords.get(name);
    return record === undefined ? 1 : Math.min(1, Math.max(0.2, 2 * record.reliability));
  }
}
