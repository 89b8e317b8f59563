import type { EvidenceInput, MarketSnapshot, Opinion, OpinionInput } from '@ia-agents/core';
import { z } from 'zod';
import { describeEvidence } from './evidence.js';

/** The opinion fields a model may write: it interprets the evidence, it does not compute it. */
export const modelOpinionSchema = z.object({
  /** Recommended action. */
  action: z.enum(['BUY', 'SELL', 'HOLD']),
  /** Confidence in [0, 1]. */
  confidence: z.number().min(0).max(1),
  /** Short reasoning that cites the evidence by name. */
  reasoning: z.string().min(1).max(2000),
});
export type ModelOpinion = z.infer<typeof modelOpinionSchema>;

/** System prompt per role (seed section 3.3). */
export const ROLE_PROMPTS: Readonly<Record<string, string>> = {
  'market-monitor': 'You are the market monitor of a crypto trading team. You watch price changes, volume anomalies and volatility spikes, and say whether the market needs attention now.',
  'technical-analyst': 'You are the technical analyst of a crypto trading team. You read indicator values (RSI, MACD, Bollinger Bands, moving averages, Stochastic, Williams %R, CCI, ADX) and judge direction and strength.',
  'fundamental-analyst': 'You are the fundamental analyst of a crypto trading team. You judge news and social sentiment and market-capitalisation changes for their effect on price.',
  'risk-manager': 'You are the risk manager of a crypto trading team. You judge volatility, exposure, drawdown and daily loss against hard limits. You are conservative; the limits themselves are enforced by rules you cannot change.',
  strategist: 'You are the strategist of a crypto trading team. You combine the other analyses and any machine-learning forecast into a trade plan with entry, stop-loss, take-profit and size.',
  executor: 'You are the executor of a crypto trading team. You judge whether an order can be filled at a fair price given spread, depth and expected slippage.',
  auditor: 'You are the auditor of a crypto trading team. You check that every opinion follows from the evidence it cites and respects the rules and limits.',
};

const RULES = 'Use only the numbers given; never invent data. Reply with a JSON object {"action","confidence","reasoning"} only.';

/** The analysis prompt: the market context, the computed evidence and the rule-based reading. */
export function analysisPrompt(snapshot: MarketSnapshot, evidence: readonly EvidenceInput[], rules: OpinionInput): string {
  const last = snapshot.candles.at(-1)!;
  return [
    `Market: ${snapshot.symbol}, timeframe ${snapshot.timeframe}, last close ${last.close}, ${snapshot.candles.length} closed candles, time ${new Date(snapshot.timestamp).toISOString()}.`,
    'Computed evidence:',
    describeEvidence(evidence) || '- (none)',
    `The rule-based reading is ${rules.action} with confidence ${rules.confidence}: ${rules.reasoning}`,
    'Interpret the evidence and give your opinion. ' + RULES,
  ].join('\n');
}

/** The debate prompt: the assistant's own opinion and the others' positions with their evidence. */
export function debatePrompt(own: Opinion, others: readonly Opinion[]): string {
  const lines = others.map((other) => `* ${other.assistantId}: ${other.action} (confidence ${other.confidence}) — ${other.reasoning}\n${describeEvidence(other.evidence)}`);
  return [`Your opinion: ${own.action} (confidence ${own.confidence}) — ${own.reasoning}`, 'Your evidence:', describeEvidence(own.evidence), "The other assistants' positions and evidence:", ...lines, 'Revise your opinion if their evidence (not their votes) warrants it. ' + RULES].join('\n');
}
