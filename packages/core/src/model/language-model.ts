import type { TokenUsage } from '../schemas/index.js';

/** A chat message handed to a language model. */
export interface LanguageModelMessage {
  /** Who speaks. */
  role: 'system' | 'user' | 'assistant';
  /** What is said. */
  content: string;
}

/** A JSON Schema object (draft 2020-12 or 7) describing the expected output. */
export type JsonSchema = Record<string, unknown>;

/** The one low-level call a language model implements. */
export interface LanguageModelCallOptions {
  /** The conversation, system prompt first when there is one. */
  messages: LanguageModelMessage[];
  /** `json` asks for an object matching `schema`; `text` for free text. */
  responseFormat: { type: 'json'; schema: JsonSchema; name?: string } | { type: 'text' };
  /** Sampling temperature. */
  temperature?: number;
  /** Upper bound on generated tokens. */
  maxOutputTokens?: number;
  /** Cancels the call. */
  abortSignal?: AbortSignal;
}

/** What the low-level call returns. */
export interface LanguageModelResult {
  /** The raw text the model produced (JSON text for `json` calls). */
  text: string;
  /** Tokens the model reported. */
  usage: TokenUsage;
  /** Why generation stopped, when the provider says. */
  finishReason?: 'stop' | 'length' | 'error' | 'other';
}

/**
 * A language model provider, version 1. Implementations make one call and translate their own
 * errors to `ModelError`; validation, repair, timeout, caching and budgets live in `generateObject`.
 */
export interface LanguageModel {
  /** Interface version. */
  readonly specificationVersion: 'v1';
  /** Provider name, e.g. `ollama`. */
  readonly provider: string;
  /** Model name, e.g. `llama3:8b`. */
  readonly modelId: string;
  /** Performs one generation. */
  doGenerate(options: LanguageModelCallOptions): Promise<LanguageModelResult>;
}
