import type { LanguageModel } from '../model/language-model.js';
import type { Action, MarketSnapshot, Opinion, OpinionInput, TradeOutcome } from '../schemas/index.js';
import type { Assistant, AssistantContext, MaybePromise } from './assistant.js';

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

  abstract analyze(snapshot: MarketSnapshot, context: AssistantContext): MaybePromise<OpinionInput>;

  /**
   * Default debate: weigh the others' evidence, not only their votes. Evidence items pointing to
   * each action are summed (by weight × the author's confidence); the assistant keeps its action
   * with its confidence moved toward the balance, and changes its mind only when the others'
   * evidence for another action outweighs its own view by a clear margin.
   */
  debate(own: Opinion, others: readonly Opinion[], _snapshot: MarketSnapshot, _context: AssistantContext): MaybePromise<OpinionInput> {
    return reviseByEvidence(own, others);
  }

  /** Default: nothing to adapt; reliability is tracked by the engine from the votes. */
  learnFromOutcome(_outcome: TradeOutcome, _own: Opinion | undefined): MaybePromise<void> {}
}

const STANCE_ACTION = { bullish: 'BUY', bearish: 'SELL', neutral: 'HOLD' } as const;
const DEBATE_MARK = ' | debate: ';

/**
 * Support for each action among opinions: each opinion counts its confidence, half for the action
 * it votes and half spread over what its evidence points to (by evidence weight), so that an
 * assistant is moved by the others' facts, not only by their votes. Sums to the total confidence.
 */
export function evidenceBalance(opinions: readonly Opinion[]): Record<Action, number> {
  const balance: Record<Action, number> = { BUY: 0, SELL: 0, HOLD: 0 };
  for (const opinion of opinions) {
    if (opinion.abstain) continue;
    const total = opinion.evidence.reduce((sum, item) => sum + item.weight, 0);
    const voteShare = total > 0 ? 0.5 : 1;
    balance[opinion.action] += voteShare * opinion.confidence;
    if (total === 0) continue;
    for (const item of opinion.evidence) balance[STANCE_ACTION[item.stance]] += 0.5 * (item.weight / total) * opinion.confidence;
  }
  return balance;
}

/**
 * The revision rule of the default debate, exported so that custom assistants can reuse it. The
 * assistant changes its action only when the others' support for another action beats its own by
 * `margin` and exceeds its own confidence; otherwise it keeps its action and moves its confidence
 * by how much the others support it (up when above an even split, down when below).
 */
export function reviseByEvidence(own: Opinion, others: readonly Opinion[], margin = 0.4): OpinionInput {
  if (others.length === 0 || own.abstain) return own;
  const balance = evidenceBalance(others);
  const total = balance.BUY + balance.SELL + balance.HOLD;
  if (total === 0) return own;
  const support = balance[own.action] / total;
  const [leader, leaderWeight] = (Object.entries(balance) as [Action, number][]).reduce((best, entry) => (entry[1] > best[1] ? entry : best));
  const leaderShare = leaderWeight / total;
  const base = own.reasoning.split(DEBATE_MARK)[0]!;
  if (leader !== own.action && leaderShare - support >= margin && own.confidence < leaderShare) {
    const confidence = round(Math.min(own.confidence, leaderShare));
    return { ...own, action: leader, confidence, reasoning: `${base}${DEBATE_MARK}changed to ${leader}: the others' votes and evidence support it ${pct(leaderShare)}, ${own.action} ${pct(support)}.` };
  }
  const confidence = round(clamp(own.confidence + 0.2 * (support - 1 / 3)));
  return { ...own, confidence, reasoning: `${base}${DEBATE_MARK}the others' votes and evidence support ${own.action} ${pct(support)}.` };
}

const clamp = (value: number) => Math.min(1, Math.max(0, value));
const round = (value: number) => Math.round(value * 1e4) / 1e4;
const pct = (value: number) => `${Math.round(value * 100)}%`;
