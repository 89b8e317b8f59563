import { evidenceBalance, type Action, type AssistantContext, type BaseAssistantSettings, type EvidenceInput, type MarketSnapshot, type Opinion, type OpinionInput, type TradePlan } from '@ia-agents/core';
import { computeIndicators } from '../indicators/indicator-stream.js';
import { netScore, pct, round, scoreToAction } from './evidence.js';
import { TeamAssistant } from './team-assistant.js';

/** Settings of the Strategist. */
export interface StrategistSettings extends BaseAssistantSettings {
  /** Stop distance in ATRs. @default 2 */
  stopAtr?: number;
  /** Take-profit distance as a multiple of the stop distance (reward/risk). @default 2 */
  rewardRisk?: number;
  /** Size proposed at full conviction, fraction of equity (the risk manager may size it down). @default 0.2 */
  maxSizeFraction?: number;
  /**
   * Weight of an ML prediction at full confidence, against the strategist's two trend signals
   * together (which then weigh 0.5 each). @default 1
   */
  predictionWeight?: number;
}

/**
 * Builds the trade plan: reads trend (EMA20/EMA50, MACD) and, when the snapshot carries one, the
 * ML prediction (`snapshot.prediction`, weighted by its confidence); in debate it folds in the
 * others' evidence. For BUY/SELL it proposes entry (last close), an ATR stop, a take-profit at a
 * reward/risk multiple, and a size that grows with conviction.
 * @example
 * const strategist = new Strategist({ stopAtr: 1.5, rewardRisk: 3 });
 */
export class Strategist extends TeamAssistant {
  readonly role = 'strategist';
  readonly #settings: StrategistSettings;

  constructor(settings: StrategistSettings = {}) {
    super({ ...settings, defaultId: 'strategist' });
    this.#settings = settings;
  }

  protected rules(snapshot: MarketSnapshot, _context: AssistantContext): OpinionInput {
    const values = computeIndicators(snapshot.candles);
    const evidence: EvidenceInput[] = [];
    const prediction = snapshot.prediction;
    const own = prediction === undefined ? 1 : 0.5;
    if (Number.isFinite(values.emaSlow)) evidence.push({ name: 'trend_ema', value: round(values.emaFast / values.emaSlow - 1, 6), stance: values.emaFast > values.emaSlow ? 'bullish' : 'bearish', weight: own, detail: 'EMA20 vs EMA50' });
    if (Number.isFinite(values.macdHistogram)) evidence.push({ name: 'momentum_macd', value: round(values.macdHistogram, 6), stance: values.macdHistogram > 0 ? 'bullish' : 'bearish', weight: own, detail: 'MACD histogram' });
    if (prediction !== undefined) {
      const stance = prediction.action === 'BUY' ? 'bullish' : prediction.action === 'SELL' ? 'bearish' : 'neutral';
      evidence.push({ name: 'ml_prediction', value: round(prediction.expectedReturn, 6), stance, weight: round(Math.min(1, (this.#settings.predictionWeight ?? 1) * prediction.confidence)), detail: `${prediction.modelId ?? 'model'}: ${prediction.action} p(up) ${prediction.probabilities.up.toFixed(2)} p(down) ${prediction.probabilities.down.toFixed(2)}, expected ${pct(prediction.expectedReturn, 2)} over ${prediction.horizon} candles` });
    }
    const { action, confidence: raw } = scoreToAction(netScore(evidence), { threshold: 0.3 });
    // Two trend signals alone are thin evidence: without a forecast, conviction is capped at 0.8.
    const confidence = prediction === undefined ? Math.min(raw, 0.8) : raw;
    return this.#withPlan(snapshot, { assistantId: this.id, action, confidence, reasoning: `Trend and momentum${prediction === undefined ? '' : ' and the ML forecast'} give ${action}.`, evidence }, values.atr);
  }

  /** Revises with the others' evidence and rebuilds the plan for the action it ends on. */
  override async debate(own: Opinion, others: readonly Opinion[], snapshot: MarketSnapshot, context: AssistantContext): Promise<OpinionInput> {
    const revised = await super.debate(own, others, snapshot, context);
    const balance = evidenceBalance(others);
    const total = balance.BUY + balance.SELL + balance.HOLD || 1;
    const reasoning = `${revised.reasoning} Team evidence: BUY ${pct(balance.BUY / total, 0)}, SELL ${pct(balance.SELL / total, 0)}, HOLD ${pct(balance.HOLD / total, 0)}.`;
    return this.#withPlan(snapshot, { ...revised, reasoning }, computeIndicators(snapshot.candles).atr);
  }

  #withPlan(snapshot: MarketSnapshot, opinion: OpinionInput, atr: number): OpinionInput {
    const { plan: _old, ...rest } = opinion;
    const plan = this.#plan(opinion.action, opinion.confidence, snapshot.candles.at(-1)!.close, atr);
    return plan === undefined ? rest : { ...rest, plan };
  }

  #plan(action: Action, confidence: number, entry: number, atr: number): TradePlan | undefined {
    if (action === 'HOLD' || !Number.isFinite(atr) || atr <= 0) return undefined;
    const distance = (this.#settings.stopAtr ?? 2) * atr;
    const reward = distance * (this.#settings.rewardRisk ?? 2);
    const sizeFraction = round(Math.max(0.01, (this.#settings.maxSizeFraction ?? 0.2) * confidence));
    if (action === 'BUY') return { entry, stopLoss: round(Math.max(entry * 0.01, entry - distance), 8), takeProfit: round(entry + reward, 8), sizeFraction };
    return { entry, stopLoss: round(entry + distance, 8), takeProfit: round(Math.max(entry * 0.01, entry - reward), 8), sizeFraction };
  }
}
