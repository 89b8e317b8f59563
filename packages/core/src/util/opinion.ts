import { opinionSchema, type Opinion } from '../schemas/decision.js';
import { parseWith } from './parse.js';

const ACTIONS = new Set(['BUY', 'SELL', 'HOLD']);
const STANCES = new Set(['bullish', 'bearish', 'neutral']);
const OPINION_KEYS = new Set(['assistantId', 'action', 'confidence', 'reasoning', 'evidence', 'plan', 'veto', 'vetoActions', 'abstain', 'alert', 'degraded', 'usage']);
const EVIDENCE_KEYS = new Set(['name', 'value', 'stance', 'weight', 'detail']);
const unit = (value: unknown): value is number => typeof value === 'number' && value >= 0 && value <= 1;
const optionalFlag = (value: unknown): boolean => value === undefined || typeof value === 'boolean';

function plainEvidence(item: unknown): boolean {
  if (typeof item !== 'object' || item === null) return false;
  const evidence = item as Record<string, unknown>;
  if (typeof evidence.name !== 'string' || evidence.name.length === 0 || !STANCES.has(evidence.stance as string)) return false;
  const value = evidence.value;
  if (!(value === null || typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value)))) return false;
  if (evidence.weight !== undefined && !unit(evidence.weight)) return false;
  if (evidence.detail !== undefined && typeof evidence.detail !== 'string') return false;
  for (const key in evidence) if (!EVIDENCE_KEYS.has(key)) return false;
  return true;
}

/** The common shape of an opinion (no plan, veto actions or usage), checked by hand. */
function plainOpinion(value: Record<string, unknown>): boolean {
  if (typeof value.assistantId !== 'string' || value.assistantId.length === 0) return false;
  if (!ACTIONS.has(value.action as string) || !unit(value.confidence) || typeof value.reasoning !== 'string') return false;
  if (value.plan !== undefined || value.vetoActions !== undefined || value.usage !== undefined) return false;
  if (value.veto !== undefined && (typeof value.veto !== 'string' || value.veto.length === 0)) return false;
  if (!optionalFlag(value.abstain) || !optionalFlag(value.alert) || !optionalFlag(value.degraded)) return false;
  if (value.evidence !== undefined && !(Array.isArray(value.evidence) && value.evidence.every(plainEvidence))) return false;
  for (const key in value) if (!OPINION_KEYS.has(key)) return false;
  return true;
}

/** A checked evidence item with its default weight (optional fields assigned, not spread: spreads are slow). */
function copyEvidence(item: Opinion['evidence'][number]): Opinion['evidence'][number] {
  const copy: Opinion['evidence'][number] = { name: item.name, value: item.value, stance: item.stance, weight: item.weight ?? 1 };
  if (item.detail !== undefined) copy.detail = item.detail;
  return copy;
}

/**
 * Validates an assistant's opinion: the common shape is checked by hand (a rule-based round stays
 * in microseconds), anything else goes to `opinionSchema` for the exact issues. Same result as
 * `opinionSchema.parse`, defaults included (a property test holds them equal).
 */
export function parseOpinion(value: unknown, what = 'opinion'): Opinion {
  if (typeof value === 'object' && value !== null && plainOpinion(value as Record<string, unknown>)) {
    const input = value as Record<string, unknown> & Pick<Opinion, 'assistantId' | 'action' | 'confidence' | 'reasoning'>;
    const evidence = ((input.evidence as Opinion['evidence'] | undefined) ?? []).map(copyEvidence);
    const opinion: Opinion = { assistantId: input.assistantId, action: input.action, confidence: input.confidence, reasoning: input.reasoning, evidence, alert: (input.alert as boolean | undefined) ?? false, degraded: (input.degraded as boolean | undefined) ?? false, abstain: (input.abstain as boolean | undefined) ?? false };
    if (input.veto !== undefined) opinion.veto = input.veto as string;
    return opinion;
  }
  return parseWith(opinionSchema, value, what);
}
