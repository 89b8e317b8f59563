import type { Action, EvidenceInput } from '@ia-agents/core';

/** Sign of a stance: bullish +1, bearish -1, neutral 0. */
export function stanceSign(stance: EvidenceInput['stance']): number {
  return stance === 'bullish' ? 1 : stance === 'bearish' ? -1 : 0;
}

/** Net direction of a set of evidence in [-1, 1]: Σ weight × sign / Σ weight. */
export function netScore(evidence: readonly EvidenceInput[]): number {
  let total = 0;
  let net = 0;
  for (const item of evidence) {
    const weight = item.weight ?? 1;
    total += weight;
    net += weight * stanceSign(item.stance);
  }
  return total === 0 ? 0 : net / total;
}

/** Settings of scoreToAction. */
export interface ScoreRule {
  /** |net| needed for BUY/SELL. @default 0.2 */
  threshold?: number;
  /** Confidence at |net| = threshold. @default 0.5 */
  floor?: number;
}

/** Turns a net score into an action and a confidence (HOLD confidence grows as the score nears 0). */
export function scoreToAction(net: number, rule: ScoreRule = {}): { action: Action; confidence: number } {
  const threshold = rule.threshold ?? 0.2;
  const floor = rule.floor ?? 0.5;
  if (Math.abs(net) < threshold) return { action: 'HOLD', confidence: round(0.3 + 0.4 * (1 - Math.abs(net) / threshold)) };
  const strength = (Math.abs(net) - threshold) / (1 - threshold);
  return { action: net > 0 ? 'BUY' : 'SELL', confidence: round(floor + (0.95 - floor) * strength) };
}

/** Rounds to 4 decimals (stable transcripts). */
export function round(value: number, digits = 4): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** Formats a fraction as a percentage. */
export function pct(value: number, digits = 1): string {
  return `${(value * 100).toFixed(digits)}%`;
}

/** Lists the evidence in one line per item, for reasoning and prompts. */
export function describeEvidence(evidence: readonly EvidenceInput[]): string {
  return evidence.map((item) => `- ${item.name} = ${formatValue(item.value)} (${item.stance}, weight ${item.weight ?? 1})${item.detail === undefined ? '' : `: ${item.detail}`}`).join('\n');
}

function formatValue(value: EvidenceInput['value']): string {
  return typeof value === 'number' ? String(round(value, 6)) : String(value);
}
