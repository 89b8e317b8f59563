import { riskLimitsSchema, type AssistantContext, type BaseAssistantSettings, type EvidenceInput, type MarketSnapshot, type Opinion, type OpinionInput, type RiskLimits, type TokenUsage } from '@ia-agents/core';
import { AtrStream } from '../indicators/atr.js';
import { SmaStream } from '../indicators/sma.js';
import { pct, round } from './evidence.js';
import type { ModelOpinion } from './prompts.js';
import { TeamAssistant } from './team-assistant.js';

/** Settings of the RiskManager. */
export interface RiskManagerSettings extends BaseAssistantSettings {
  /** Limits used when the snapshot carries none. @default riskLimitsSchema defaults */
  limits?: Partial<RiskLimits>;
  /** Fraction of equity risked between entry and stop on one trade. @default 0.01 */
  riskPerTrade?: number;
  /** Stop distance in ATRs, for sizing. @default 2 */
  stopAtr?: number;
  /** ATR / close per candle above which new positions are vetoed. @default 0.08 */
  maxAtrFraction?: number;
  /** ATR / its 50-candle average above which new positions are vetoed (a volatility spike). @default 2 */
  maxVolatilityRatio?: number;
}

/** The risk figures of a snapshot. */
export interface RiskReading {
  /** ATR(14) / last close. */
  atrFraction: number;
  /** ATR now / its 50-candle average. */
  volatilityRatio: number;
  /** Value of all positions / equity. */
  exposure: number;
  /** Value of this symbol's position / equity. */
  symbolExposure: number;
  /** 1 - equity / peak equity. */
  drawdown: number;
  /** 1 - equity / day-start equity. */
  dailyLoss: number;
  /** Whether there is a position in this symbol to sell. */
  holding: boolean;
  /** Proposed size as a fraction of equity (0 when nothing may be added). */
  sizeFraction: number;
  /** Reasons that forbid adding risk. */
  breaches: string[];
}

/**
 * Measures volatility (ATR and its spikes), exposure, drawdown and daily loss against the
 * RiskLimits, proposes a position size (risk per trade over an ATR stop, capped by the limits and
 * the exposure room), and holds the veto: it sets `opinion.veto` (for BUY only, so that cutting risk
 * stays possible) whenever adding risk would break a limit. Within the limits it has no view on the
 * direction and abstains from the vote, carrying only its size proposal.
 * A model may reword its reasoning but can never lift the veto or raise the size.
 * @example
 * const risk = new RiskManager({ riskPerTrade: 0.005 });
 */
export class RiskManager extends TeamAssistant {
  readonly role = 'risk-manager';
  readonly #settings: RiskManagerSettings;

  constructor(settings: RiskManagerSettings = {}) {
    super({ ...settings, defaultId: 'risk-manager' });
    this.#settings = settings;
  }

  /** The risk figures for a snapshot. */
  assess(snapshot: MarketSnapshot): RiskReading {
    const limits = snapshot.riskLimits ?? riskLimitsSchema.parse(this.#settings.limits ?? {});
    const { atrFraction, volatilityRatio } = volatilityOf(snapshot);
    const reading = { atrFraction, volatilityRatio, ...portfolioFigures(snapshot) };
    const breaches = this.#breaches(reading, limits);
    const room = Math.min(limits.maxPositionFraction - reading.symbolExposure, limits.maxTotalExposure - reading.exposure);
    const bySize = Number.isFinite(atrFraction) && atrFraction > 0 ? (this.#settings.riskPerTrade ?? 0.01) / ((this.#settings.stopAtr ?? 2) * atrFraction) : limits.maxPositionFraction;
    const sizeFraction = breaches.length > 0 ? 0 : round(Math.max(0, Math.min(bySize, limits.maxPositionFraction, room)));
    if (sizeFraction <= 0 && breaches.length === 0) breaches.push(`no exposure room (exposure ${pct(reading.exposure)}, this symbol ${pct(reading.symbolExposure)})`);
    return { ...reading, sizeFraction, breaches };
  }

  protected rules(snapshot: MarketSnapshot, _context: AssistantContext): OpinionInput {
    const reading = this.assess(snapshot);
    const evidence = evidenceOf(reading);
    const plan = reading.sizeFraction > 0 ? { plan: { sizeFraction: reading.sizeFraction } } : {};
    if (reading.breaches.length === 0) {
      return { assistantId: this.id, action: 'HOLD', confidence: 0.25, abstain: true, reasoning: `Risk within limits; size up to ${pct(reading.sizeFraction)} of equity.`, evidence, ...plan };
    }
    const reason = reading.breaches.join('; ');
    return { assistantId: this.id, action: reading.holding ? 'SELL' : 'HOLD', confidence: 0.85, reasoning: `No new risk: ${reason}.`, evidence, veto: `risk: ${reason}`, vetoActions: ['BUY'], alert: true };
  }

  /** Debates like the others but never drops its veto or its abstention: limits are not opinions. */
  override async debate(own: Opinion, others: readonly Opinion[], snapshot: MarketSnapshot, context: AssistantContext): Promise<OpinionInput> {
    if (own.veto !== undefined || own.abstain) return own;
    return super.debate(own, others, snapshot, context);
  }

  protected override acceptModel(rules: OpinionInput, model: ModelOpinion, usage: TokenUsage): OpinionInput {
    // Limits are rules, not opinions: the model may explain, not loosen.
    if (rules.veto !== undefined) return { ...rules, reasoning: `${rules.reasoning} ${model.reasoning}`, usage };
    return { ...super.acceptModel(rules, model, usage), action: model.action === 'BUY' ? 'HOLD' : model.action };
  }

  #breaches(reading: Omit<RiskReading, 'sizeFraction' | 'breaches'>, limits: RiskLimits): string[] {
    const breaches: string[] = [];
    if (reading.drawdown >= limits.maxDrawdownFraction) breaches.push(`drawdown ${pct(reading.drawdown)} >= limit ${pct(limits.maxDrawdownFraction)}`);
    if (reading.dailyLoss >= limits.maxDailyLossFraction) breaches.push(`daily loss ${pct(reading.dailyLoss)} >= limit ${pct(limits.maxDailyLossFraction)}`);
    if (reading.exposure >= limits.maxTotalExposure) breaches.push(`exposure ${pct(reading.exposure)} >= limit ${pct(limits.maxTotalExposure)}`);
    if (reading.atrFraction >= (this.#settings.maxAtrFraction ?? 0.08)) breaches.push(`volatility ATR ${pct(reading.atrFraction)} of price per candle`);
    if (reading.volatilityRatio >= (this.#settings.maxVolatilityRatio ?? 2)) breaches.push(`volatility spike: ATR ${reading.volatilityRatio.toFixed(1)}x its 50-candle average`);
    return breaches;
  }
}

function volatilityOf(snapshot: MarketSnapshot): { atrFraction: number; volatilityRatio: number } {
  const atr = new AtrStream(14);
  const baseline = new SmaStream(50);
  let value = Number.NaN;
  for (const candle of snapshot.candles) {
    value = atr.update(candle.high, candle.low, candle.close);
    if (!Number.isNaN(value)) baseline.update(value);
  }
  const close = snapshot.candles.at(-1)!.close;
  return { atrFraction: value / close, volatilityRatio: value / baseline.value };
}

function portfolioFigures(snapshot: MarketSnapshot): Pick<RiskReading, 'exposure' | 'symbolExposure' | 'drawdown' | 'dailyLoss' | 'holding'> {
  const portfolio = snapshot.portfolio;
  if (portfolio === undefined || portfolio.equity <= 0) return { exposure: 0, symbolExposure: 0, drawdown: 0, dailyLoss: 0, holding: false };
  const value = (position: (typeof portfolio.positions)[number]) => position.amount * (position.symbol === snapshot.symbol ? snapshot.candles.at(-1)!.close : position.markPrice);
  const mine = portfolio.positions.find((position) => position.symbol === snapshot.symbol && position.amount > 0);
  return {
    exposure: portfolio.positions.reduce((sum, position) => sum + value(position), 0) / portfolio.equity,
    symbolExposure: mine === undefined ? 0 : value(mine) / portfolio.equity,
    drawdown: portfolio.peakEquity > 0 ? Math.max(0, 1 - portfolio.equity / portfolio.peakEquity) : 0,
    dailyLoss: portfolio.dayStartEquity > 0 ? Math.max(0, 1 - portfolio.equity / portfolio.dayStartEquity) : 0,
    holding: mine !== undefined,
  };
}

function evidenceOf(reading: RiskReading): EvidenceInput[] {
  const risky = reading.breaches.length > 0;
  const evidence: EvidenceInput[] = [];
  const add = (name: string, value: number, detail: string, bad: boolean) => {
    if (Number.isFinite(value)) evidence.push({ name, value: round(value, 6), stance: bad ? 'bearish' : 'neutral', weight: bad ? 1 : 0.3, detail });
  };
  add('atr_fraction', reading.atrFraction, `ATR(14) is ${pct(reading.atrFraction, 2)} of price`, reading.breaches.some((b) => b.startsWith('volatility ATR')));
  add('volatility_ratio', reading.volatilityRatio, `ATR is ${reading.volatilityRatio.toFixed(2)}x its 50-candle average`, reading.breaches.some((b) => b.startsWith('volatility spike')));
  add('exposure', reading.exposure, `positions are ${pct(reading.exposure)} of equity`, reading.breaches.some((b) => b.startsWith('exposure') || b.startsWith('no exposure')));
  add('drawdown', reading.drawdown, `equity is ${pct(reading.drawdown)} below its peak`, reading.breaches.some((b) => b.startsWith('drawdown')));
  add('daily_loss', reading.dailyLoss, `equity is ${pct(reading.dailyLoss)} below the day's start`, reading.breaches.some((b) => b.startsWith('daily loss')));
  evidence.push({ name: 'proposed_size', value: reading.sizeFraction, stance: 'neutral', weight: 0, detail: risky ? 'no new position' : `${pct(reading.sizeFraction)} of equity` });
  return evidence;
}
