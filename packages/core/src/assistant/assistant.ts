import type { z } from 'zod';
import type { Clock } from '../interfaces/clock.js';
import type { LanguageModel } from '../model/language-model.js';
import type { GenerateObjectResult } from '../model/generate-object.js';
import type { MarketSnapshot, Opinion, OpinionInput, TradeOutcome } from '../schemas/index.js';

/** A value, or a promise of it: what an assistant (or a simulated exchange) may return. */
export type MaybePromise<T> = T | Promise<T>;

/** What an assistant may use during one call. */
export interface AssistantContext {
  /** Decision being made. */
  decisionId: string;
  /** Round number: 1 analysis, 2.. debate. */
  round: number;
  /** Cancelled on timeout, budget exhaustion or the caller's abort. */
  signal: AbortSignal;
  /** Time source. */
  clock: Clock;
  /**
   * Generates a schema-checked object with the assistant's model, counting tokens against the
   * decision's budget and using the response cache. Throws ModelError when no model is configured.
   */
  generate<S extends z.ZodType>(options: AssistantGenerateOptions<S>): Promise<GenerateObjectResult<z.output<S>>>;
  /** Whether a language model is available to this assistant. */
  hasModel: boolean;
}

/** Options of AssistantContext.generate. */
export interface AssistantGenerateOptions<S extends z.ZodType> {
  /** Output schema. */
  schema: S;
  /** System prompt. */
  system?: string;
  /** User prompt. */
  prompt: string;
  /** Sampling temperature (defaults to the assistant's). */
  temperature?: number;
}

/** The contract every assistant meets. */
export interface Assistant {
  /** Unique id, e.g. `technical-analyst`. */
  readonly id: string;
  /** Role, e.g. `technical-analyst` (several assistants may share a role). */
  readonly role: string;
  /** The language model this assistant uses, when any. */
  readonly model?: LanguageModel;
  /** Sampling temperature for its model calls. */
  readonly temperature?: number;
  /**
   * Round 1: an independent opinion from the snapshot. An assistant with nothing to wait for (rules
   * over the candles) may answer synchronously: a team that does runs its whole decision without a
   * promise, which is what makes backtests fast.
   */
  analyze(snapshot: MarketSnapshot, context: AssistantContext): MaybePromise<OpinionInput>;
  /** Rounds 2..n: a revised opinion after seeing the others' current opinions and evidence. */
  debate(own: Opinion, others: readonly Opinion[], snapshot: MarketSnapshot, context: AssistantContext): MaybePromise<OpinionInput>;
  /** Feedback once the outcome of a decision it took part in is known. */
  learnFromOutcome(outcome: TradeOutcome, own: Opinion | undefined): MaybePromise<void>;
}
