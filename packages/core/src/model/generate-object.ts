import { z } from 'zod';
import { AbortError, ModelError, TimeoutError, fromZodIssues, formatIssues, isIaAgentsError } from '../errors/index.js';
import type { TokenUsage } from '../schemas/index.js';
import type { JsonSchema, LanguageModel, LanguageModelMessage, LanguageModelResult } from './language-model.js';
import { responseCacheKey, type ResponseCache } from './response-cache.js';

/** Options of generateObject. */
export interface GenerateObjectOptions<S extends z.ZodType> {
  /** The model to call. */
  model: LanguageModel;
  /** Schema the output must match; converted to JSON Schema for the model. */
  schema: S;
  /** Name of the output, for providers that want one. */
  schemaName?: string;
  /** System prompt. */
  system?: string;
  /** User prompt. */
  prompt: string;
  /** Sampling temperature. */
  temperature?: number;
  /** Upper bound on generated tokens. */
  maxOutputTokens?: number;
  /** Per-call time limit in milliseconds. @default 60000 */
  timeoutMs?: number;
  /** Cancels the call. */
  abortSignal?: AbortSignal;
  /** Repair attempts after invalid output (the model is shown its mistake). @default 1 */
  maxRepairs?: number;
  /** Response cache; a hit makes no model call and costs no tokens. */
  cache?: ResponseCache;
  /** Called with the usage of every model call, before validation (for budgets). */
  onUsage?: (usage: TokenUsage) => void;
}

/** The validated object and what it cost. */
export interface GenerateObjectResult<T> {
  /** The validated output. */
  object: T;
  /** Tokens spent (zero on a cache hit). */
  usage: TokenUsage;
  /** Whether the answer came from the cache. */
  cached: boolean;
  /** Repair calls made. */
  repairs: number;
}

const ZERO_USAGE: TokenUsage = { inputTokens: 0, outputTokens: 0, totalTokens: 0 };

/** Adds two usages. */
export function addUsage(a: TokenUsage, b: TokenUsage): TokenUsage {
  return { inputTokens: a.inputTokens + b.inputTokens, outputTokens: a.outputTokens + b.outputTokens, totalTokens: a.totalTokens + b.totalTokens };
}

/**
 * Asks a model for an object matching a zod schema: converts the schema to JSON Schema, validates
 * the answer, retries once with the validation errors, enforces a timeout and an abort signal,
 * reports usage and serves repeated prompts from a cache.
 * @example
 * const { object } = await generateObject({ model, schema: opinionSchema, prompt: 'Analyse BTC' });
 */
export async function generateObject<S extends z.ZodType>(options: GenerateObjectOptions<S>): Promise<GenerateObjectResult<z.output<S>>> {
  const jsonSchema = toJsonSchema(options.schema);
  const messages: LanguageModelMessage[] = [];
  if (options.system !== undefined) messages.push({ role: 'system', content: options.system });
  messages.push({ role: 'user', content: options.prompt });
  const key = options.cache === undefined ? undefined : responseCacheKey({ provider: options.model.provider, model: options.model.modelId, temperature: options.temperature, schema: jsonSchema, messages });

  if (key !== undefined && options.cache !== undefined) {
    const hit = await options.cache.get(key);
    if (hit !== undefined) {
      const parsed = parseText(options.schema, hit);
      if (parsed.success) return { object: parsed.data, usage: ZERO_USAGE, cached: true, repairs: 0 };
    }
  }

  let usage = ZERO_USAGE;
  const maxRepairs = options.maxRepairs ?? 1;
  for (let attempt = 0; ; attempt += 1) {
    const result = await callWithTimeout(options, messages, jsonSchema);
    usage = addUsage(usage, result.usage);
    options.onUsage?.(result.usage);
    const parsed = parseText(options.schema, result.text);
    if (parsed.success) {
      if (key !== undefined && options.cache !== undefined) await options.cache.set(key, result.text);
      return { object: parsed.data, usage, cached: false, repairs: attempt };
    }
    if (attempt >= maxRepairs) {
      throw new ModelError('MODEL_OUTPUT_INVALID', `${options.model.provider}:${options.model.modelId} returned invalid output after ${attempt + 1} attempt(s): ${parsed.problem}`, { details: { text: result.text.slice(0, 2000) } });
    }
    messages.push({ role: 'assistant', content: result.text });
    messages.push({ role: 'user', content: `Your answer was invalid: ${parsed.problem}. Reply again with only a JSON object that matches the schema.` });
  }
}

const jsonSchemas = new WeakMap<z.ZodType, JsonSchema>();

/** The JSON Schema of a zod schema, converted once per schema. */
export function toJsonSchema(schema: z.ZodType): JsonSchema {
  let converted = jsonSchemas.get(schema);
  if (converted === undefined) {
    converted = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
    jsonSchemas.set(schema, converted);
  }
  return converted;
}

function parseText<S extends z.ZodType>(schema: S, text: string): { success: true; data: z.output<S> } | { success: false; problem: string } {
  let value: unknown;
  try {
    value = JSON.parse(stripFences(text));
  } catch (error) {
    return { success: false, problem: `not valid JSON (${(error as Error).message})` };
  }
  const result = schema.safeParse(value);
  return result.success ? { success: true, data: result.data } : { success: false, problem: formatIssues(fromZodIssues(result.error.issues)) };
}

/** Models sometimes wrap JSON in markdown fences; accept that. */
function stripFences(text: string): string {
  const match = /^\s*```(?:json)?\s*([\s\S]*?)\s*```\s*$/.exec(text);
  return match?.[1] ?? text;
}

async function callWithTimeout(options: GenerateObjectOptions<z.ZodType>, messages: LanguageModelMessage[], schema: JsonSchema): Promise<LanguageModelResult> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const controller = new AbortController();
  const outer = options.abortSignal;
  if (outer?.aborted) throw new AbortError();
  const onAbort = () => controller.abort(new AbortError());
  outer?.addEventListener('abort', onAbort, { once: true });
  const timer = setTimeout(() => controller.abort(new TimeoutError(`${options.model.provider}:${options.model.modelId} did not answer within ${timeoutMs} ms`)), timeoutMs);
  try {
    const call = options.model.doGenerate({
      messages: [...messages],
      responseFormat: { type: 'json', schema, ...(options.schemaName === undefined ? {} : { name: options.schemaName }) },
      ...(options.temperature === undefined ? {} : { temperature: options.temperature }),
      ...(options.maxOutputTokens === undefined ? {} : { maxOutputTokens: options.maxOutputTokens }),
      abortSignal: controller.signal,
    });
    return await raceAbort(call, controller.signal);
  } catch (error) {
    if (controller.signal.aborted && isIaAgentsError(controller.signal.reason)) throw controller.signal.reason;
    if (isIaAgentsError(error)) throw error;
    throw new ModelError('MODEL_ERROR', `${options.model.provider}:${options.model.modelId} failed: ${(error as Error).message}`, { cause: error });
  } finally {
    clearTimeout(timer);
    outer?.removeEventListener('abort', onAbort);
  }
}

/** Resolves with the promise, or rejects as soon as the signal aborts (a model that ignores its signal cannot hang us). */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
