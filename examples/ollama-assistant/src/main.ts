import { createDefaultTeam, OllamaModel } from '@ia-agents/assistants';
import { startFakeOllama, type FakeOllama } from '@ia-agents/assistants/testing';
import { createConsensusManager, SimulatedClock } from '@ia-agents/core';
import { buildCandles, buildSnapshot } from '@ia-agents/core/testing';

// With OLLAMA_HOST set (e.g. http://127.0.0.1:11434 after `ollama pull llama3:8b`) this talks to a
// real Ollama. Without it, a local server speaking Ollama's /api/chat answers, so the example runs
// offline: it agrees with each assistant's rule-based reading, quoted back from the prompt.
let fake: FakeOllama | undefined;
if (process.env.OLLAMA_HOST === undefined) {
  fake = await startFakeOllama({
    reply: (request) => {
      const prompt = JSON.stringify(request.messages);
      const [, action = 'HOLD', confidence = '0.5'] = /rule-based reading is (BUY|SELL|HOLD) with confidence ([\d.]+)/.exec(prompt) ?? [];
      return { content: JSON.stringify({ action, confidence: Number(confidence), reasoning: `(fake llama3) I read the evidence as ${action}.` }), promptEvalCount: Math.round(prompt.length / 4), evalCount: 40 };
    },
  });
}

const model = new OllamaModel({ host: process.env.OLLAMA_HOST ?? fake!.url, model: process.env.OLLAMA_MODEL ?? 'llama3:8b', timeoutMs: 60_000 });
console.log(`Models on ${model.host}: ${(await model.listModels()).join(', ')}`);

const { assistants, consensus } = createDefaultTeam({ model });
const manager = createConsensusManager({ assistants, options: { ...consensus, tokenBudget: 50_000 }, clock: new SimulatedClock(0) });
const decision = await manager.decide(buildSnapshot({ candles: buildCandles({ count: 150, drift: 0.001, seed: 3 }) }));

for (const opinion of decision.rounds[0]!.opinions) console.log(`${opinion.assistantId.padEnd(20)} ${opinion.action.padEnd(4)} ${opinion.confidence.toFixed(2)} degraded=${opinion.degraded}  ${opinion.reasoning.slice(0, 80)}`);
console.log(`\nDecision: ${decision.action} after ${decision.rounds.length} round(s); tokens ${decision.usage.totalTokens}`);
await fake?.close();
