import { riskLimitsSchema, timeframeToMs, type AssistantContext, type BaseAssistantSettings, type Decision, type EvidenceInput, type MarketSnapshot, type Opinion, type OpinionInput, type RiskLimits } from '@ia-agents/core';
import { netScore, round } from './evidence.js';
import { TeamAssistant } from './team-assistant.js';

/** One audited item: who, when, and what was wrong (empty `flags` = clean). */
export interface AuditRecord {
  /** Decision id. */
  decisionId: string;
  /** Round audited (0 for a final decision). */
  round: number;
  /** Assistant audited, or `decision`. */
  subject: string;
  /** Problems found. */
  flags: string[];
}

/** Settings of the Auditor. */
export interface AuditorSettings extends BaseAssistantSettings {
  /** |net evidence| against an action that counts as a contradiction. @default 0.2 */
  contradictionMargin?: number;
  /** Audit records kept (oldest dropped first). @default 10000 */
  maxTrail?: number;
}

/**
 * Checks every opinion against its own evidence (a BUY whose cited evidence points down is
 * flagged), against the rules of a sane plan (stop on the right side of entry, size within the
 * limits) and final decisions against the RiskLimits; keeps the audit trail. In debate it leans to
 * HOLD in proportion to what it flagged, so a contradictory opinion loses support.
 * @example
 * const auditor = new Auditor();
 * const flags = auditor.auditOpinion(opinion, limits);
 */
export class Auditor extends TeamAssistant {
  readonly role = 'auditor';
  /** Every audit, oldest first. */
  readonly trail: AuditRecord[] = [];
  readonly #settings: AuditorSettings;

  constructor(settings: AuditorSettings = {}) {
    super({ ...settings, defaultId: 'auditor' });
    this.#settings = settings;
  }

  /** Flags for one opinion. */
  auditOpinion(opinion: Pick<Opinion, 'action' | 'confidence' | 'evidence' | 'plan'>, limits: RiskLimits = riskLimitsSchema.parse({})): string[] {
    const flags: string[] = [];
    const margin = this.#settings.contradictionMargin ?? 0.2;
    const net = netScore(opinion.evidence);
    if (opinion.action === 'BUY' && net <= -margin) flags.push(`BUY contradicts its own evidence (net ${net.toFixed(2)})`);
    if (opinion.action === 'SELL' && net >= margin) flags.push(`SELL contradicts its own evidence (net ${net.toFixed(2)})`);
    if (opinion.action !== 'HOLD' && opinion.confidence >= 0.7 && opinion.evidence.length === 0) flags.push(`${opinion.action} at confidence ${opinion.confidence} cites no evidence`);
    flags.push(...planFlags(opinion.action, opinion.plan, limits));
    return flags;
  }

  /** Audits a final decision against the limits and the votes; the record joins the trail. */
  auditDecision(decision: Decision, limits: RiskLimits = riskLimitsSchema.parse({})): AuditRecord {
    const flags: string[] = [];
    if (decision.action !== 'HOLD' && decision.confidence < limits.minConfidence) flags.push(`${decision.action} at confidence ${decision.confidence} below the minimum ${limits.minConfidence}`);
    if (decision.action !== 'HOLD' && decision.veto !== undefined) flags.push(`${decision.action} despite a veto by ${decision.veto.assistantId}`);
    const voted = decision.votes.filter((vote) => vote.action === decision.action).reduce((sum, vote) => sum + vote.effectiveWeight, 0);
    const total = decision.votes.reduce((sum, vote) => sum + vote.effectiveWeight, 0);
    if (decision.action !== 'HOLD' && total > 0 && voted / total < 0.5) flags.push(`${decision.action} carried only ${(100 * voted / total).toFixed(0)}% of the final vote`);
    flags.push(...planFlags(decision.action, decision.plan, limits));
    return this.#record({ decisionId: decision.id, round: 0, subject: 'decision', flags });
  }

  protected rules(snapshot: MarketSnapshot, _context: AssistantContext): OpinionInput {
    const evidence = dataChecks(snapshot);
    const problems = evidence.filter((item) => item.stance === 'bearish');
    return { assistantId: this.id, action: 'HOLD', confidence: problems.length > 0 ? 0.5 : 0.1, abstain: problems.length === 0, reasoning: problems.length > 0 ? `Data problems: ${problems.map((item) => item.detail).join('; ')}.` : 'Data complete and current.', evidence };
  }

  /** Audits the others' opinions; flagged BUY/SELL opinions make it lean to HOLD. */
  override async debate(own: Opinion, others: readonly Opinion[], snapshot: MarketSnapshot, context: AssistantContext): Promise<OpinionInput> {
    const limits = snapshot.riskLimits ?? riskLimitsSchema.parse({});
    const evidence: EvidenceInput[] = [...own.evidence.filter((item) => !item.name.startsWith('audit:'))];
    let flagged = 0;
    for (const other of others) {
      const flags = this.auditOpinion(other, limits);
      this.#record({ decisionId: context.decisionId, round: context.round, subject: other.assistantId, flags });
      if (flags.length === 0) continue;
      flagged += 1;
      evidence.push({ name: `audit:${other.assistantId}`, value: flags.join('; '), stance: 'neutral', weight: 1, detail: flags.join('; ') });
    }
    if (flagged === 0) return { ...own, reasoning: `No opinion contradicts its evidence or the limits (${others.length} audited).`, evidence };
    return { ...own, action: 'HOLD', abstain: false, confidence: round(Math.min(0.8, 0.3 + 0.15 * flagged)), reasoning: `${flagged} opinion(s) flagged: ${evidence.filter((item) => item.name.startsWith('audit:')).map((item) => `${item.name.slice(6)}: ${item.value}`).join(' | ')}.`, evidence };
  }

  #record(entry: AuditRecord): AuditRecord {
    this.trail.push(entry);
    const max = this.#settings.maxTrail ?? 10_000;
    if (this.trail.length > max) this.trail.splice(0, this.trail.length - max);
    return entry;
  }
}

function planFlags(action: Opinion['action'], plan: Opinion['plan'], limits: RiskLimits): string[] {
  if (plan === undefined) return [];
  const flags: string[] = [];
  const { entry, stopLoss, takeProfit, sizeFraction } = plan;
  if (sizeFraction !== undefined && sizeFraction > limits.maxPositionFraction) flags.push(`size ${sizeFraction} above the position limit ${limits.maxPositionFraction}`);
  if (entry === undefined) return flags;
  if (action === 'BUY' && stopLoss !== undefined && stopLoss >= entry) flags.push(`BUY stop-loss ${stopLoss} is not below entry ${entry}`);
  if (action === 'BUY' && takeProfit !== undefined && takeProfit <= entry) flags.push(`BUY take-profit ${takeProfit} is not above entry ${entry}`);
  if (action === 'SELL' && stopLoss !== undefined && stopLoss <= entry) flags.push(`SELL stop-loss ${stopLoss} is not above entry ${entry}`);
  return flags;
}

function dataChecks(snapshot: MarketSnapshot): EvidenceInput[] {
  const step = timeframeToMs(snapshot.timeframe);
  let gaps = 0;
  for (let i = 1; i < snapshot.candles.length; i++) if (snapshot.candles[i]!.timestamp - snapshot.candles[i - 1]!.timestamp !== step) gaps += 1;
  const lastClose = snapshot.candles.at(-1)!.timestamp + step;
  const staleness = (snapshot.timestamp - lastClose) / step;
  return [
    { name: 'data_gaps', value: gaps, stance: gaps > 0 ? 'bearish' : 'neutral', weight: gaps > 0 ? 0.5 : 0.1, detail: `${gaps} gap(s) between the ${snapshot.candles.length} candles` },
    { name: 'data_staleness', value: round(staleness, 2), stance: staleness > 1 ? 'bearish' : 'neutral', weight: staleness > 1 ? 0.5 : 0.1, detail: `last candle closed ${staleness.toFixed(1)} candle(s) before the decision time` },
  ];
}
