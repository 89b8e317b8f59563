import { ReliabilityTracker, type AssistantRecord, type Clock, type TradeOutcome } from '@ia-agents/core';
import type { TradingAccount } from '../api/app-context.js';
import type { UserStore } from '../storage/server-store.js';

/** What a learning-loop run did. */
export interface LearningResult {
  /** Outcomes replayed. */
  outcomes: number;
  /** The learned records now in force. */
  records: AssistantRecord[];
}

async function allOutcomes(store: UserStore): Promise<TradeOutcome[]> {
  const outcomes: TradeOutcome[] = [];
  let before: number | undefined;
  for (;;) {
    const page = await store.listOutcomes({ limit: 1000, ...(before === undefined ? {} : { before }) });
    outcomes.push(...page);
    if (page.length < 1000) break;
    before = page.at(-1)!.closedAt;
  }
  return outcomes.reverse();
}

/**
 * The learning loop (seed workflow "Learning Loop"): rebuilds every assistant's reliability from
 * all stored outcomes, in time order, saves the records, and loads them into the running engine.
 * Rebuilding from scratch makes the run idempotent: running it twice gives the same weights.
 */
export async function runLearningLoop(store: UserStore, account: TradingAccount | undefined, clock: Clock): Promise<LearningResult> {
  const tracker = new ReliabilityTracker();
  const outcomes = await allOutcomes(store);
  let latest: AssistantRecord[] = [];
  const byId = new Map<string, AssistantRecord>();
  for (const outcome of outcomes) {
    const decision = await store.getDecision(outcome.decisionId);
    if (decision === undefined) continue;
    latest = tracker.update(decision, outcome, outcome.closedAt);
    for (const record of latest) byId.set(record.assistantId, record);
  }
  const records = [...byId.values()].map((record) => ({ ...record, updatedAt: clock.now() })).sort((a, b) => a.assistantId.localeCompare(b.assistantId));
  for (const record of records) await store.saveAssistantRecord(record);
  if (account !== undefined) {
    await account.engine.restore();
    if (records.length > 0) account.bus.emit('weights-update', { records });
  }
  await store.appendAudit({ timestamp: clock.now(), actor: 'learning-loop', action: 'weights-rebuild', data: { outcomes: outcomes.length, assistants: records.length } });
  return { outcomes: outcomes.length, records };
}
