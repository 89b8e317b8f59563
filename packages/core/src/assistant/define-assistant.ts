import type { LanguageModel } from '../model/language-model.js';
import type { MarketSnapshot, Opinion, OpinionInput, TradeOutcome } from '../schemas/index.js';
import type { Assistant, AssistantContext, MaybePromise } from './assistant.js';
import { BaseAssistant } from './base-assistant.js';

/** What defineAssistant takes: an id, a role and the analysis; everything else is optional. */
export interface AssistantSpec {
  /** Unique id. */
  id: string;
  /** Role. @default the id */
  role?: string;
  /** Language model, when the assistant uses one. */
  model?: LanguageModel;
  /** Sampling temperature. @default 0.1 */
  temperature?: number;
  /** Round 1: an independent opinion. */
  analyze(snapshot: MarketSnapshot, context: AssistantContext): Promise<OpinionInput> | OpinionInput;
  /** Rounds 2..n: revise after seeing the others. @default BaseAssistant's evidence-weighted revision */
  debate?(own: Opinion, others: readonly Opinion[], snapshot: MarketSnapshot, context: AssistantContext): Promise<OpinionInput> | OpinionInput;
  /** Feedback from outcomes. */
  learnFromOutcome?(outcome: TradeOutcome, own: Opinion | undefined): Promise<void> | void;
}

/**
 * Builds an assistant from plain functions.
 * @example
 * const momentum = defineAssistant({
 *   id: 'momentum',
 *   analyze: (snapshot) => {
 *     const [first, last] = [snapshot.candles[0]!, snapshot.candles.at(-1)!];
 *     const change = last.close / first.close - 1;
 *     return { assistantId: 'momentum', action: change > 0 ? 'BUY' : 'SELL', confidence: Math.min(1, Math.abs(change) * 10), reasoning: `moved ${change}` };
 *   },
 * });
 */
export function defineAssistant(spec: AssistantSpec): Assistant {
  return new DefinedAssistant(spec);
}

class DefinedAssistant extends BaseAssistant {
  readonly role: string;
  readonly #spec: AssistantSpec;

  constructor(spec: AssistantSpec) {
    super({ id: spec.id, defaultId: spec.id, ...(spec.model === undefined ? {} : { model: spec.model }), ...(spec.temperature === undefined ? {} : { temperature: spec.temperature }) });
    this.role = spec.role ?? spec.id;
    this.#spec = spec;
  }

  // Passed straight through: a synchronous spec keeps the decision synchronous.
  override analyze(snapshot: MarketSnapshot, context: AssistantContext): MaybePromise<OpinionInput> {
    return this.#spec.analyze(snapshot, context);
  }

  override debate(own: Opinion, others: readonly Opinion[], snapshot: MarketSnapshot, context: AssistantContext): MaybePromise<OpinionInput> {
    return this.#spec.debate === undefined ? super.debate(own, others, snapshot, context) : this.#spec.debate(own, others, snapshot, context);
  }

  override learnFromOutcome(outcome: TradeOutcome, own: Opinion | undefined): MaybePromise<void> {
    return this.#spec.learnFromOutcome?.(outcome, own);
  }
}
