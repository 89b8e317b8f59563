import type { AssistantRecord } from '../interfaces/store.js';
import type { Decision, TradeOutcome } from '../schemas/index.js';

/** Settings of the reliability tracker. */
export interface ReliabilityTrackerSettings {
  /** Weight kept by the past at each new outcome (exponential forgetting). @default 0.98 */
  decay?: number;
  /** Records to start from (e.g. loaded from the store). */
  records?: readonly AssistantRecord[];
}

/**
 * Learns how often each assistant's final vote matched the action that would have been right.
 * Reliability is the smoothed hit rate (Laplace prior: 0.5 with no track record), with older
 * outcomes fading so that an assistant that stops being right loses weight.
 */
export class ReliabilityTracker {
  readonly #decay: number;
  readonly #records = new Map<string, AssistantRecord & { weightedHits: number; weightedCount: number }>();

  constructor(settings: ReliabilityTrackerSettings = {}) {
    this.#decay = settings.decay ?? 0.98;
    for (const record of settings.records ?? []) {
      // The faded count depends only on how many outcomes there were (each fades the past, then adds
      // one): rebuilt as it grew. Taking the raw count instead made a restarted process forget slower.
      let weightedCount = 0;
      for (let outcome = 0; outcome < record.outcomes; outcome += 1) weightedCount = weightedCount * this.#decay + 1;
      this.#records.set(record.assistantId, { ...record, weightedHits: record.reliability * (weightedCount + 2) - 1, weightedCount });
    }
  }

  /** Reliability of an assistant in [0, 1]; 0.5 without a record. */
  reliability(assistantId: string): number {
    return this.#records.get(assistantId)?.reliability ?? 0.5;
  }

  /** Scores every final vote of a decision against its outcome; returns the changed records. */
  update(decision: Decision, outcome: TradeOutcome, timestamp: number): AssistantRecord[] {
    const changed: AssistantRecord[] = [];
    for (const vote of decision.votes) {
      const previous = this.#records.get(vote.assistantId) ?? { assistantId: vote.assistantId, outcomes: 0, correct: 0, reliability: 0.5, updatedAt: timestamp, weightedHits: 0, weightedCount: 0 };
      const hit = vote.action === outcome.bestAction ? 1 : 0;
      const weightedHits = previous.weightedHits * this.#decay + hit;
      const weightedCount = previous.weightedCount * this.#decay + 1;
      const next = { assistantId: vote.assistantId, outcomes: previous.outcomes + 1, correct: previous.correct + hit, reliability: (weightedHits + 1) / (weightedCount + 2), updatedAt: timestamp, weightedHits, weightedCount };
      this.#records.set(vote.assistantId, next);
      changed.push(toRecord(next));
    }
    return changed;
  }

  /** Every record. */
  records(): AssistantRecord[] {
    return [...this.#records.values()].map(toRecord);
  }
}

function toRecord(record: AssistantRecord): AssistantRecord {
  return { assistantId: record.assistantId, outcomes: record.outcomes, correct: record.correct, reliability: record.reliability, updatedAt: record.updatedAt };
}
