import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createMemoryResponseCache, generateObject } from '../index.js';
import { createScriptedModel } from '../testing/index.js';

const schema = z.object({ action: z.enum(['BUY', 'SELL', 'HOLD']), confidence: z.number().min(0).max(1) });

describe('generateObject', () => {
  it('sends the JSON schema, system prompt and temperature, and validates the answer', async () => {
    const model = createScriptedModel({ replies: ['```json\n{"action":"BUY","confidence":0.7}\n```'] });
    const result = await generateObject({ model, schema, system: 'You are a trader.', prompt: 'Decide.', temperature: 0.2 });
    expect(result).toEqual({ object: { action: 'BUY', confidence: 0.7 }, usage: { inputTokens: 10, outputTokens: 10, totalTokens: 20 }, cached: false, repairs: 0 });
    const [call] = model.calls;
    expect(call!.messages).toEqual([{ role: 'system', content: 'You are a trader.' }, { role: 'user', content: 'Decide.' }]);
    expect(call!.temperature).toBe(0.2);
    expect(call!.responseFormat).toMatchObject({ type: 'json', schema: { type: 'object', properties: { action: { enum: ['BUY', 'SELL', 'HOLD'] } }, required: ['action', 'confidence'] } });
  });

  it('repairs once by showing the model its mistake, and counts both calls', async () => {
    const model = createScriptedModel({ replies: ['{"action":"MAYBE","confidence":0.5}', { action: 'SELL', confidence: 0.4 }] });
    const usages: number[] = [];
    const result = await generateObject({ model, schema, prompt: 'Decide.', onUsage: (usage) => usages.push(usage.totalTokens) });
    expect(result.object).toEqual({ action: 'SELL', confidence: 0.4 });
    expect(result.repairs).toBe(1);
    expect(result.usage.totalTokens).toBe(40);
    expect(usages).toEqual([20, 20]);
    expect(model.calls[1]!.messages.at(-1)!.content).toMatch(/^Your answer was invalid: action: /);
    expect(model.calls[1]!.messages.at(-2)).toEqual({ role: 'assistant', content: '{"action":"MAYBE","confidence":0.5}' });
  });

  it('gives up after the repair with MODEL_OUTPUT_INVALID naming the problem', async () => {
    const model = createScriptedModel({ replies: ['not json at all'] });
    await expect(generateObject({ model, schema, prompt: 'Decide.' })).rejects.toMatchObject({ code: 'MODEL_OUTPUT_INVALID', message: expect.stringMatching(/after 2 attempt\(s\): not valid JSON/) });
    expect(model.calls).toHaveLength(2);
  });

  it('times out a slow model and honours an abort signal', async () => {
    const slow = createScriptedModel({ replies: [{ action: 'BUY', confidence: 1 }], latencyMs: 10_000 });
    await expect(generateObject({ model: slow, schema, prompt: 'x', timeoutMs: 20 })).rejects.toMatchObject({ code: 'TIMEOUT' });
    const controller = new AbortController();
    const pending = generateObject({ model: slow, schema, prompt: 'x', abortSignal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toMatchObject({ code: 'ABORTED' });
  });

  it('translates a provider failure to MODEL_ERROR with its cause', async () => {
    const model = createScriptedModel({ replies: [new Error('socket hang up')] });
    await expect(generateObject({ model, schema, prompt: 'x' })).rejects.toMatchObject({ code: 'MODEL_ERROR', message: expect.stringMatching(/socket hang up/) });
  });

  it('serves the same prompt from the cache at no cost, and a different prompt from the model', async () => {
    const cache = createMemoryResponseCache();
    const model = createScriptedModel({ replies: [{ action: 'HOLD', confidence: 0.5 }] });
    await generateObject({ model, schema, prompt: 'same', cache });
    const hit = await generateObject({ model, schema, prompt: 'same', cache });
    await generateObject({ model, schema, prompt: 'different', cache });
    expect(hit).toEqual({ object: { action: 'HOLD', confidence: 0.5 }, usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0 }, cached: true, repairs: 0 });
    expect(model.calls.map((call) => call.messages.at(-1)!.content)).toEqual(['same', 'different']);
  });
});
