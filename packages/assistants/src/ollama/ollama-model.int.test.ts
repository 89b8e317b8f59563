import { createServer } from 'node:net';
import { createConsensusManager, generateObject, SimulatedClock } from '@ia-agents/core';
import { buildCandles, buildSnapshot } from '@ia-agents/core/testing';
import { TechnicalAnalyst } from '../assistants/technical-analyst.js';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startFakeOllama, type FakeOllama, type FakeOllamaSettings } from '../testing/fake-ollama.js';
import { OllamaModel } from './ollama-model.js';
import { failure } from '../test-support/failure.js';

const opinion = z.object({ action: z.enum(['BUY', 'SELL', 'HOLD']), confidence: z.number().min(0).max(1), reasoning: z.string() });
const schema = z.toJSONSchema(opinion) as Record<string, unknown>;
const VALID = '{"action":"BUY","confidence":0.7,"reasoning":"RSI 28 is oversold and MACD turned up"}';

let server: FakeOllama | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(settings: FakeOllamaSettings): Promise<FakeOllama> {
  server = await startFakeOllama(settings);
  return server;
}

const call = { messages: [{ role: 'system' as const, content: 'You are a technical analyst.' }, { role: 'user' as const, content: 'RSI 28, MACD histogram +3.1' }], responseFormat: { type: 'json' as const, schema }, temperature: 0.1, maxOutputTokens: 300 };

describe('OllamaModel against a server speaking Ollama /api/chat', () => {
  it('sends model, messages, JSON-schema format and options, and reads text and token counts', async () => {
    const fake = await start({ reply: { content: VALID, promptEvalCount: 120, evalCount: 33 } });
    const model = new OllamaModel({ host: fake.url, model: 'llama3:8b', options: { num_ctx: 4096 }, keepAlive: '5m' });
    const result = await model.doGenerate(call);
    expect(result).toEqual({ text: VALID, usage: { inputTokens: 120, outputTokens: 33, totalTokens: 153 }, finishReason: 'stop' });
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]).toMatchObject({ method: 'POST', path: '/api/chat' });
    expect(fake.requests[0]!.body).toEqual({ model: 'llama3:8b', messages: call.messages, format: schema, options: { num_ctx: 4096, temperature: 0.1, num_predict: 300 }, keep_alive: '5m', stream: false });
  });

  it('reassembles a streamed (NDJSON) answer and takes the counts from the final chunk', async () => {
    const fake = await start({ reply: { content: VALID, promptEvalCount: 80, evalCount: 25, doneReason: 'length' } });
    const result = await new OllamaModel({ host: fake.url, stream: true }).doGenerate(call);
    expect(result).toEqual({ text: VALID, usage: { inputTokens: 80, outputTokens: 25, totalTokens: 105 }, finishReason: 'length' });
    expect(fake.requests[0]!.body).toMatchObject({ stream: true, format: schema });
  });

  it('omits format for free-text calls', async () => {
    const fake = await start({ reply: { content: 'hello' } });
    const result = await new OllamaModel({ host: fake.url }).doGenerate({ messages: [{ role: 'user', content: 'hi' }], responseFormat: { type: 'text' } });
    expect(result.text).toBe('hello');
    expect(fake.requests[0]!.body).not.toHaveProperty('format');
    expect(fake.requests[0]!.body!.options).toEqual({});
  });

  it('malformed model output goes through one repair round in generateObject, showing the model its mistake', async () => {
    const fake = await start({ reply: (_request, index) => ({ content: index === 0 ? '{"action":"BUY","confidence":' : VALID }) });
    const result = await generateObject({ model: new OllamaModel({ host: fake.url }), schema: opinion, prompt: 'analyse', temperature: 0.2 });
    expect(result.object).toEqual(JSON.parse(VALID));
    expect(result.repairs).toBe(1);
    expect(result.usage).toEqual({ inputTokens: 84, outputTokens: 34, totalTokens: 118 });
    const second = fake.requests[1]!.body!.messages as { role: string; content: string }[];
    expect(second.map((message) => message.role)).toEqual(['user', 'assistant', 'user']);
    expect(second[2]!.content).toContain('not valid JSON');
  });

  it('twice-invalid output fails with MODEL_OUTPUT_INVALID', async () => {
    const fake = await start({ reply: { content: '{"action":"MAYBE","confidence":2,"reasoning":""}' } });
    const error = await failure(generateObject({ model: new OllamaModel({ host: fake.url }), schema: opinion, prompt: 'analyse' }));
    expect(error.code).toBe('MODEL_OUTPUT_INVALID');
    expect(fake.requests).toHaveLength(2);
  });

  it('a body that is not JSON becomes MODEL_ERROR', async () => {
    const fake = await start({ reply: { rawBody: '{"model":"llama3:8b","message":' } });
    const error = await failure(new OllamaModel({ host: fake.url }).doGenerate(call));
    expect(error.code).toBe('MODEL_ERROR');
    expect(error.message).toContain('ollama:llama3:8b');
  });

  it('a slow server fails with TIMEOUT after timeoutMs, and an aborted call with ABORTED', async () => {
    const fake = await start({ reply: { content: VALID, delayMs: 10_000 } });
    const slow = await failure(new OllamaModel({ host: fake.url, timeoutMs: 100 }).doGenerate(call));
    expect(slow.code).toBe('TIMEOUT');
    expect(slow.message).toContain('did not answer within 100 ms');
    const controller = new AbortController();
    const pending = new OllamaModel({ host: fake.url, stream: true }).doGenerate({ ...call, abortSignal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    expect((await failure(pending)).code).toBe('ABORTED');
  });

  it('a model that is not pulled gives MODEL_NOT_FOUND naming it', async () => {
    const fake = await start({ models: ['mistral:7b'] });
    const error = await failure(new OllamaModel({ host: fake.url, model: 'llama3:8b' }).doGenerate(call));
    expect(error.code).toBe('MODEL_NOT_FOUND');
    expect(error.message).toContain('model "llama3:8b" not found');
    expect(error.retryable).toBe(false);
  });

  it('a server error gives MODEL_ERROR with the status', async () => {
    const fake = await start({ reply: { status: 500, error: 'llama runner process has terminated' } });
    const error = await failure(new OllamaModel({ host: fake.url, stream: true }).doGenerate(call));
    expect(error.code).toBe('MODEL_ERROR');
    expect(error.details).toEqual({ status: 500 });
    expect(error.message).toContain('llama runner process has terminated');
  });

  it('a refused connection gives MODEL_UNAVAILABLE (retryable)', async () => {
    const port = await freePort();
    const error = await failure(new OllamaModel({ host: `http://127.0.0.1:${port}` }).doGenerate(call));
    expect(error.code).toBe('MODEL_UNAVAILABLE');
    expect(error.details).toEqual({ code: 'ECONNREFUSED' });
    expect(error.retryable).toBe(true);
  });

  it('lists pulled models from /api/tags', async () => {
    const fake = await start({ models: ['llama3:8b', 'qwen2.5:7b'] });
    expect(await new OllamaModel({ host: fake.url }).listModels()).toEqual(['llama3:8b', 'qwen2.5:7b']);
    expect(fake.requests[0]).toEqual({ method: 'GET', path: '/api/tags', body: undefined });
  });
});

describe('an assistant interpreting through OllamaModel', () => {
  const snapshot = buildSnapshot({ candles: buildCandles({ count: 120, drift: 0.003, seed: 5 }) });
  const decide = (model: OllamaModel) => createConsensusManager({ assistants: [new TechnicalAnalyst({ model, temperature: 0.1 })], options: { maxRounds: 1 }, clock: new SimulatedClock(0), createId: () => 'd' }).decide(snapshot);

  it('sends the role prompt and the computed evidence, and takes the model opinion with Ollama token counts', async () => {
    const fake = await start({ reply: { content: '{"action":"HOLD","confidence":0.55,"reasoning":"overbought oscillators offset the trend"}', promptEvalCount: 700, evalCount: 30 } });
    const decision = await decide(new OllamaModel({ host: fake.url, stream: true }));
    const opinion = decision.rounds[0]!.opinions[0]!;
    expect(opinion).toMatchObject({ action: 'HOLD', confidence: 0.55, reasoning: 'overbought oscillators offset the trend', degraded: false, usage: { inputTokens: 700, outputTokens: 30, totalTokens: 730 } });
    expect(decision.usage.totalTokens).toBe(730);
    const body = fake.requests[0]!.body!;
    expect(body.options).toEqual({ temperature: 0.1 });
    const messages = body.messages as { role: string; content: string }[];
    expect(messages[0]!.content).toContain('technical analyst');
    expect(messages[1]!.content).toContain('- macd_histogram = ');
    expect((body.format as { properties: Record<string, unknown> }).properties).toHaveProperty('action');
  });

  it('falls back to its rules, marked degraded, when the model is not pulled', async () => {
    const fake = await start({ models: ['other:1b'] });
    const opinion = (await decide(new OllamaModel({ host: fake.url }))).rounds[0]!.opinions[0]!;
    expect(opinion.degraded).toBe(true);
    expect(opinion.reasoning).toContain('model not found');
    expect(opinion.evidence).toHaveLength(9);
  });
});

/** A port nothing listens on: bind one, then release it. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}
