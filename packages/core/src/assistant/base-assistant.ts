import type { LanguageModel } from '../model/language-model.js';
import type { Action, MarketSnapshot, Opinion, OpinionInput, TradeOutcome } from '../schemas/index.js';
import type { Assistant, AssistantContext } from './assistant.js';

/** Settings every assistant accepts. */
export interface BaseAssistantSettings {
  /** Unique id. @default the role */
  id?: string;
  /** Language model to interpret evidence with; without one the assistant reasons by rules. */
  model?: LanguageModel;
  /** Sampling temperature for model calls. @default 0.1 */
  temperature?: number;
}

/**
 * Base class of assistants. A subclass implements `analyze`; `debate` and `learnFromOutcome` have
 * sensible defaults that a subclass may override.
 */
export abstract class BaseAssistant implements Assistant {
  readonly id: string;
  abstract readonly role: string;
  readonly model?: LanguageModel;
  readonly temperature: number;

  constructor(settings: BaseAssistantSettings & { defaultId: string }) {
    this.id = settings.id ?? settings.defaultId;
    if (settings.model !== undefined) this.model = settings.model;
    this.temperature = settings.temperature ?? 0.1;
  }

  abstract analyze(snapshot: MarketSnapshot, context: AssistantContext): Promise<OpinionInput>;

  /**
   * Default debate: weigh the others' evidence, not only their votes. Evidence items pointing to
   * each action are summed (by weight × the author's confidence); the assistant keeps its action
   * with its confidence moved toward the balance, and changes its mind only when the others'
   * evidence for another action outweighs its own view by a clear margin.
   */
  async debate(own: Opinion, others: readonly Opinion[], _snapshot: MarketSnapshot, _context: AssistantContext): Promise<OpinionInput> {
    return reviseByEvidence(own, others);
  }

  /** Default: nothing to adapt; reliability is tracked by the engine from the votes. */
  async learnFromOutcome(_outcome: TradeOutcome, _own: Opinion | undefined): Promise<void> {}
}

const STANCE_ACTION = { bullish: 'BUY', bearish: 'SELL', neutral: 'HOLD' } as const;

/** Weighted support for each action from a set of opinions' evidence (or their bare votes). */
export function evidenceBalance(opinions: readonly Opinion[]): Record<Action, number> {
  const balance: Record<Action, number> = { BUY: 0, SELL: 0, HOLD: 0 };
  for (const opinion of opinions) {
    if (opinion.evidence.length === 0) {
      balance[opinion.action] += opinion.confidence;
      continue;
    }
    const total = opinion.evidence.reduce((sum, item) => sum + item.weight, 0) || 1;
    for (const item of opinion.evidence) balance[STANCE_ACTION[item.stance]] += (item.weight / total) * opinion.confidence;
  }
  return balance;
}

/** The revision rule of the default debate, exported so that custom assistants can reuse it. */
export function reviseByEvidence(own: Opinion, others: readonly Opinion[], persuasion = 0.25): OpinionInput {
  if (others.length === 0) return own;
  const balance = evidenceBalance(others);
  const total = balance.BUY + balance.SELL + balance.HOLD || 1;
  const support = balance[own.action] / total;
  const [leader, leaderWeight] = (Object.entries(balance) as [Action, number][]).reduce((best, entry) => (entry[1] > best[1] ? entry : best));
  const leaderShare = leaderWeight / total;
  // Persuaded: the others' evidence clearly favours another action and we were not sure ourselves.
  if (leader !== own.action && leaderShare - support > 0.35 && leaderShare * (1 - own.confidence) > persuasion) {
    const confidence = round(Math.min(own.confidence, leaderShare) * 0.9);
    return { ...own, action: leader, confidence, reasoning: `${own.reasoning} Revised to ${leader}: the others' evidence favours it (${pct(leaderShare)} against ${pct(support)} for ${own.action}).` };
  }
  const confidence = round(clamp(own.confidence + 0.2 * (support - (1 - support) / 2)));
  if (confidence === own.confidence) return own;
  return { ...own, confidence, reasoning: `${own.reasoning} After debate: ${pct(support)} of the others' evidence supports ${own.action}.` };
}

const clamp = (value: number) => Math.min(1, Math.max(0, value));
const round = (value: number) => Math.round(value * 1e4) / 1e4;
const pct = (value: number) => `${Math.round(value * 100)}%`;
