import { AbortError } from '../errors/index.js';
import type { LanguageModel, LanguageModelCallOptions, LanguageModelResult } from '../model/language-model.js';
import type { TokenUsage } from '../schemas/index.js';

/** A scripted reply: text, an object (sent as JSON), an error to throw, or a function of the call. */
export type ScriptedReply = string | Record<string, unknown> | Error | ((call: LanguageModelCallOptions, index: number) => string | Record<string, unknown> | Error);

/** Settings of the scripted model. */
export interface ScriptedModelSettings {
  /** Replies in call order; the last one repeats when calls outnumber them. */
  replies: readonly ScriptedReply[] | ((call: LanguageModelCallOptions, index: number) => ScriptedReply);
  /** Milliseconds each call takes. @default 0 */
  latencyMs?: number;
  /** Usage reported per call. @default 10 input + 10 output tokens */
  usage?: TokenUsage;
  /** Model id. @default 'scripted' */
  modelId?: string;
}

/** A LanguageModel for tests that answers from a script and records every call. */
export interface ScriptedModel extends LanguageModel {
  /** Every call received, in order. */
  readonly calls: LanguageModelCallOptions[];
  /** Calls in flight right now. */
  readonly inFlight: number;
  /** The most calls that were in flight at once. */
  readonly maxConcurrency: number;
}

/**
 * Creates a scripted model.
 * @example const model = createScriptedModel({ replies: [{ action: 'BUY', confidence: 0.8, reasoning: 'up' }], latencyMs: 50 });
 */
export function createScriptedModel(settings: ScriptedModelSettings): ScriptedModel {
  const calls: LanguageModelCallOptions[] = [];
  const usage = settings.usage ?? { inputTokens: 10, outputTokens: 10, totalTokens: 20 };
  let inFlight = 0;
  let maxConcurrency = 0;
  const pick = (call: LanguageModelCallOptions, index: number): ScriptedReply => {
    if (typeof settings.replies === 'function') return settings.replies(call, index);
    const replies = settings.replies;
    return replies[Math.min(index, replies.length - 1)] ?? '';
  };
  return {
    specificationVersion: 'v1',
    provider: 'scripted',
    modelId: settings.modelId ?? 'scripted',
    calls,
    get inFlight() {
      return inFlight;
    },
    get maxConcurrency() {
      return maxConcurrency;
    },
    async doGenerate(call): Promise<LanguageModelResult> {
      const index = calls.length;
      calls.push(call);
      inFlight += 1;
      maxConcurrency = Math.max(maxConcurrency, inFlight);
      try {
        if ((settings.latencyMs ?? 0) > 0) await sleep(settings.latencyMs!, call.abortSignal);
        let reply = pick(call, index);
        if (typeof reply === 'function') reply = reply(call, index);
        if (reply instanceof Error) throw reply;
        return { text: typeof reply === 'string' ? reply : JSON.stringify(reply), usage, finishReason: 'stop' };
      } finally {
        inFlight -= 1;
      }
    },
  };
}

/** Waits, rejecting with AbortError when the signal fires. */
export function sleep(milliseconds: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new AbortError());
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, milliseconds);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new AbortError());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
