import type { Assistant } from '../assistant/assistant.js';
import { defineAssistant } from '../assistant/define-assistant.js';
import type { Action, EvidenceInput, OpinionInput } from '../schemas/index.js';
import { sleep } from './scripted-model.js';

/** One scripted round: an action and confidence, or a failure. */
export type ScriptedTurn = { action: Action; confidence?: number; evidence?: EvidenceInput[]; veto?: string; vetoActions?: ('BUY' | 'SELL')[]; abstain?: boolean } | 'throw' | 'hang' | 'invalid';

/** Settings of a scripted assistant. */
export interface ScriptedAssistantSettings {
  /** Id. */
  id: string;
  /** What to answer in round 1, 2, ...; the last turn repeats. */
  turns: readonly ScriptedTurn[];
  /** Milliseconds each answer takes. @default 0 */
  latencyMs?: number;
}

/** An assistant that answers from a script, for consensus tests. */
export function createScriptedAssistant(settings: ScriptedAssistantSettings): Assistant & { readonly callCount: number } {
  let calls = 0;
  const answer = async (round: number, signal: AbortSignal): Promise<OpinionInput> => {
    calls += 1;
    const turn = settings.turns[Math.min(round - 1, settings.turns.length - 1)]!;
    if (turn === 'hang') await new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }));
    if ((settings.latencyMs ?? 0) > 0) await sleep(settings.latencyMs!, signal);
    if (turn === 'throw') throw new Error(`${settings.id} failed on purpose`);
    if (turn === 'invalid') return { assistantId: settings.id, action: 'MAYBE', confidence: 2, reasoning: 'invalid' } as unknown as OpinionInput;
    if (turn === 'hang') throw new Error('unreachable');
    return { assistantId: settings.id, action: turn.action, confidence: turn.confidence ?? 0.8, reasoning: `${settings.id} says ${turn.action} in round ${round}`, evidence: turn.evidence ?? [], ...(turn.veto === undefined ? {} : { veto: turn.veto }), ...(turn.vetoActions === undefined ? {} : { vetoActions: turn.vetoActions }), abstain: turn.abstain ?? false };
  };
  const assistant = defineAssistant({
    id: settings.id,
    analyze: (_snapshot, context) => answer(context.round, context.signal),
    debate: (_own, _others, _snapshot, context) => answer(context.round, context.signal),
  });
  return Object.defineProperty(assistant, 'callCount', { get: () => calls }) as Assistant & { readonly callCount: number };
}
