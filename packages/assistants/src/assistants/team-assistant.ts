import { BaseAssistant, reviseByEvidence, type AssistantContext, type MarketSnapshot, type MaybePromise, type Opinion, type OpinionInput, type TokenUsage, type TradeOutcome } from '@ia-agents/core';
import { analysisPrompt, debatePrompt, modelOpinionSchema, ROLE_PROMPTS, type ModelOpinion } from './prompts.js';
import { ReliabilityRecord } from './reliability-record.js';

/**
 * Base of the seven assistants: a rule-based `rules()` reading of the snapshot that every
 * subclass writes, interpreted by the language model when one is configured (schema-checked, one
 * repair retry in core; on failure the rule-based opinion, marked `degraded`), a debate that
 * revises from the others' evidence, and a reliability record fed by outcomes.
 */
export abstract class TeamAssistant extends BaseAssistant {
  /** Hits and misses of this assistant's past opinions against realised outcomes. */
  readonly record = new ReliabilityRecord();

  /** The deterministic reading of a snapshot: action, confidence, reasoning and evidence. */
  protected abstract rules(snapshot: MarketSnapshot, context: AssistantContext): Promise<OpinionInput> | OpinionInput;

  /**
   * Round 1: rules, then the model's interpretation when there is a model. Without a model the
   * answer is as synchronous as the rules (a rule-based team decides without promises).
   */
  override analyze(snapshot: MarketSnapshot, context: AssistantContext): MaybePromise<OpinionInput> {
    const rules = this.rules(snapshot, context);
    if (!context.hasModel) return rules;
    return Promise.resolve(rules).then((reading) => this.withModel(context, reading, () => analysisPrompt(snapshot, reading.evidence ?? [], reading)));
  }

  /** Rounds 2..n: revise from the others' evidence (by rule, or by the model when there is one). */
  override debate(own: Opinion, others: readonly Opinion[], _snapshot: MarketSnapshot, context: AssistantContext): MaybePromise<OpinionInput> {
    const revised = reviseByEvidence(own, others);
    if (!context.hasModel || others.length === 0) return revised;
    return this.withModel(context, { ...revised, evidence: own.evidence }, () => debatePrompt(own, others));
  }

  /** Records whether the opinion matched the best action in hindsight. */
  override learnFromOutcome(outcome: TradeOutcome, own: Opinion | undefined): void {
    if (own !== undefined) this.record.add(own.action === outcome.bestAction);
  }

  /**
   * Merges the model's answer into the rule-based opinion. The evidence (computed numbers) always
   * stays the rules'; subclasses override to protect more (the risk manager keeps its veto).
   */
  protected acceptModel(rules: OpinionInput, model: ModelOpinion, usage: TokenUsage): OpinionInput {
    return { ...rules, action: model.action, confidence: model.confidence, reasoning: model.reasoning, usage, degraded: false };
  }

  async #askModel(context: AssistantContext, prompt: string) {
    return context.generate({ schema: modelOpinionSchema, system: ROLE_PROMPTS[this.role] ?? `You are the ${this.role} of a trading team.`, prompt });
  }

  private async withModel(context: AssistantContext, rules: OpinionInput, prompt: () => string): Promise<OpinionInput> {
    try {
      const { object, usage } = await this.#askModel(context, prompt());
      return this.acceptModel(rules, object, usage);
    } catch (error) {
      // Cancellation (timeout, budget, caller) is not a model failure: let the consensus see it.
      if (context.signal.aborted) throw error;
      return { ...rules, degraded: true, reasoning: `${rules.reasoning} [model interpretation failed (${(error as Error).message.slice(0, 200)}); rule-based opinion]` };
    }
  }
}
