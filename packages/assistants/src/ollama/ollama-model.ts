import { AbortError, ModelError, isIaAgentsError, type LanguageModel, type LanguageModelCallOptions, type LanguageModelResult } from '@ia-agents/core';
import { Ollama, type ChatRequest, type ChatResponse, type Message } from 'ollama';

/** Settings of an OllamaModel. */
export interface OllamaModelSettings {
  /** Model name as Ollama knows it. @default 'llama3:8b' */
  model?: string;
  /** Ollama server URL. @default process.env.OLLAMA_HOST, else 'http://127.0.0.1:11434' */
  host?: string;
  /** Fetch implementation (for proxies and tests). @default globalThis.fetch */
  fetch?: typeof fetch;
  /** Extra HTTP headers (e.g. an Authorization header for a hosted Ollama). */
  headers?: Record<string, string>;
  /** Stream the answer (NDJSON) instead of waiting for one body. @default false */
  stream?: boolean;
  /** Time limit of one call in milliseconds; past it the call fails with code TIMEOUT. @default 120000 */
  timeoutMs?: number;
  /** How long Ollama keeps the model loaded after the call (e.g. '5m'). */
  keepAlive?: string | number;
  /** Other Ollama runtime options (num_ctx, top_p, seed, ...), merged under temperature/num_predict. */
  options?: Record<string, unknown>;
}

/**
 * A LanguageModel served by Ollama through the official `ollama` client: structured output with
 * Ollama's JSON-schema `format`, temperature and token limit per call, token usage from Ollama's
 * `prompt_eval_count`/`eval_count`, and every failure translated to a ModelError (MODEL_UNAVAILABLE
 * when the server cannot be reached, MODEL_NOT_FOUND for a model that is not pulled, TIMEOUT,
 * MODEL_ERROR otherwise). Validation and the repair retry are core's `generateObject`.
 * @example
 * const model = new OllamaModel({ model: 'llama3:8b', host: 'http://127.0.0.1:11434' });
 * const analyst = new TechnicalAnalyst({ model, temperature: 0.1 });
 */
export class OllamaModel implements LanguageModel {
  readonly specificationVersion = 'v1';
  readonly provider = 'ollama';
  readonly modelId: string;
  /** Server URL in use. */
  readonly host: string;
  readonly #settings: OllamaModelSettings;

  constructor(settings: OllamaModelSettings = {}) {
    this.modelId = settings.model ?? 'llama3:8b';
    this.host = settings.host ?? process.env.OLLAMA_HOST ?? 'http://127.0.0.1:11434';
    this.#settings = settings;
  }

  /** Performs one chat call. */
  async doGenerate(call: LanguageModelCallOptions): Promise<LanguageModelResult> {
    const timeoutMs = this.#settings.timeoutMs ?? 120_000;
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = call.abortSignal === undefined ? timeout : AbortSignal.any([call.abortSignal, timeout]);
    if (signal.aborted) throw this.#abortError(call.abortSignal, timeoutMs);
    try {
      const request = this.#request(call);
      const client = this.#client(signal);
      return this.#settings.stream === true ? await readStream(await client.chat({ ...request, stream: true })) : toResult(await client.chat({ ...request, stream: false }));
    } catch (error) {
      // Reading `timeout` here also keeps it alive while the call runs: a combined signal holds its
      // sources weakly, and a collected timeout signal would never fire.
      if (timeout.aborted || signal.aborted) throw this.#abortError(call.abortSignal, timeoutMs, error);
      throw this.#translate(error);
    }
  }

  /** Names of the models the server has pulled (`GET /api/tags`). */
  async listModels(): Promise<string[]> {
    try {
      const { models } = await this.#client(AbortSignal.timeout(this.#settings.timeoutMs ?? 120_000)).list();
      return models.map((model) => model.name);
    } catch (error) {
      throw this.#translate(error);
    }
  }

  #request(call: LanguageModelCallOptions): ChatRequest {
    const options: Record<string, unknown> = { ...this.#settings.options };
    if (call.temperature !== undefined) options.temperature = call.temperature;
    if (call.maxOutputTokens !== undefined) options.num_predict = call.maxOutputTokens;
    const request: ChatRequest = { model: this.modelId, messages: call.messages.map((message): Message => ({ role: message.role, content: message.content })), options: options as ChatRequest['options'] };
    if (call.responseFormat.type === 'json') request.format = call.responseFormat.schema;
    if (this.#settings.keepAlive !== undefined) request.keep_alive = this.#settings.keepAlive;
    return request;
  }

  /** A client whose every request carries the call's signal (the library does not take one per call). */
  #client(signal: AbortSignal): Ollama {
    const base = this.#settings.fetch ?? globalThis.fetch;
    const fetchWithSignal: typeof fetch = (input, init) => base(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, signal]) : signal });
    return new Ollama({ host: this.host, fetch: fetchWithSignal, ...(this.#settings.headers === undefined ? {} : { headers: this.#settings.headers }) });
  }

  #abortError(outer: AbortSignal | undefined, timeoutMs: number, cause?: unknown): Error {
    if (outer?.aborted) return isIaAgentsError(outer.reason) ? outer.reason : new AbortError(`ollama:${this.modelId} call was aborted`, { cause });
    return new ModelError('TIMEOUT', `ollama:${this.modelId} at ${this.host} did not answer within ${timeoutMs} ms`, { cause });
  }

  #translate(error: unknown): Error {
    if (isIaAgentsError(error)) return error;
    const where = `ollama:${this.modelId} at ${this.host}`;
    const status = (error as { status_code?: unknown }).status_code;
    const message = (error as Error).message ?? String(error);
    if (status === 404) return new ModelError('MODEL_NOT_FOUND', `${where}: model not found (${message}); pull it with \`ollama pull ${this.modelId}\``, { cause: error, details: { status } });
    if (typeof status === 'number') return new ModelError('MODEL_ERROR', `${where} answered HTTP ${status}: ${message}`, { cause: error, details: { status } });
    const code = networkCode(error);
    if (code !== undefined) return new ModelError('MODEL_UNAVAILABLE', `${where} cannot be reached (${code}); is \`ollama serve\` running?`, { cause: error, details: { code } });
    return new ModelError('MODEL_ERROR', `${where} failed: ${message}`, { cause: error });
  }
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT']);

/** The network error code behind a failed fetch (undici nests it in `cause`). */
function networkCode(error: unknown): string | undefined {
  for (let current: unknown = error, depth = 0; current !== undefined && current !== null && depth < 4; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function toResult(response: ChatResponse): LanguageModelResult {
  if (typeof response?.message?.content !== 'string') throw new ModelError('MODEL_ERROR', `ollama answered without message.content: ${JSON.stringify(response).slice(0, 200)}`);
  const inputTokens = response.prompt_eval_count ?? 0;
  const outputTokens = response.eval_count ?? 0;
  return { text: response.message.content, usage: { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens }, finishReason: finishReason(response.done_reason) };
}

async function readStream(chunks: AsyncIterable<ChatResponse>): Promise<LanguageModelResult> {
  let text = '';
  let last: ChatResponse | undefined;
  for await (const chunk of chunks) {
    text += chunk.message?.content ?? '';
    last = chunk;
  }
  if (last === undefined) throw new ModelError('MODEL_ERROR', 'ollama stream ended without any message');
  return toResult({ ...last, message: { ...last.message, content: text } });
}

function finishReason(reason: string | undefined): LanguageModelResult['finishReason'] {
  if (reason === 'stop' || reason === 'length') return reason;
  return reason === undefined ? undefined : 'other';
}

/**
 * Creates an OllamaModel.
 * @example
 * const model = createOllamaModel({ model: 'llama3:8b' });
 */
export function createOllamaModel(settings: OllamaModelSettings = {}): OllamaModel {
  return new OllamaModel(settings);
}
