import type { Action, Opinion, Tally, Vote } from '../schemas/index.js';

/** Result of counting one round's opinions. */
export interface RoundCount {
  votes: Vote[];
  tally: Tally;
  leadingAction: Action;
  share: number;
  /** Weight × reliability of the leading voters × their confidence over all weight × reliability. */
  confidence: number;
  /** Whether the leader is alone at the top. */
  unique: boolean;
}

const ACTIONS: readonly Action[] = ['BUY', 'SELL', 'HOLD'];

/**
 * Weighted vote: each opinion counts weight × reliability × confidence; deliberate abstentions
 * count nothing. The share is the leading action's part of all counted weight; ties have no unique
 * leader. Confidence is the leading action's counted weight over the voters' weight × reliability:
 * how strongly the voting team, not the whole team, backs it.
 */
export function countVotes(opinions: readonly Opinion[], weightOf: (id: string) => number, reliabilityOf: (id: string) => number): RoundCount {
  const tally: Tally = { BUY: 0, SELL: 0, HOLD: 0 };
  const votes: Vote[] = [];
  let baseTotal = 0;
  for (const opinion of opinions) {
    if (opinion.abstain) continue;
    const weight = weightOf(opinion.assistantId);
    const reliability = reliabilityOf(opinion.assistantId);
    const effectiveWeight = weight * reliability * opinion.confidence;
    votes.push({ assistantId: opinion.assistantId, action: opinion.action, confidence: opinion.confidence, weight, reliability, effectiveWeight });
    tally[opinion.action] += effectiveWeight;
    baseTotal += weight * reliability;
  }
  const total = tally.BUY + tally.SELL + tally.HOLD;
  let leadingAction: Action = 'HOLD';
  for (const action of ACTIONS) if (tally[action] > tally[leadingAction]) leadingAction = action;
  const unique = total > 0 && ACTIONS.every((action) => action === leadingAction || tally[action] < tally[leadingAction]);
  const share = total > 0 ? tally[leadingAction] / total : 0;
  const confidence = baseTotal > 0 ? tally[leadingAction] / baseTotal : 0;
  return { votes, tally, leadingAction, share, confidence: Math.min(1, confidence), unique };
}
