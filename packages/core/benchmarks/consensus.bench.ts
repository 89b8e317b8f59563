/**
 * Consensus benchmarks (npm run bench -w @ia-agents/core):
 * 1. A decision with 7 model-backed assistants and 3 rounds at a scripted model latency L: wall time
 *    in units of L and model calls, beside a sequential chain (one call at a time) and the seed's
 *    all-pairs debate, measured in the same run with the same model.
 * 2. Engine overhead per decision with 7 rule-based assistants and no model, beside the bare cost of
 *    calling the 7 assistants' analysis directly.
 */
import { z } from 'zod';
import { createConsensusManager, createTradingEngine, defineAssistant, everyCandle, generateObject, SimulatedClock, type Assistant, type Candle, type LanguageModel } from '@ia-agents/core';
import { TestExchange, buildCandles, buildSnapshot, createArrayFeed, createScriptedModel } from '@ia-agents/core/testing';

const L = 50;
const N = 7;
const ROUNDS = 3;
const reply = z.object({ action: z.enum(['BUY', 'SELL', 'HOLD']), confidence: z.number(), reasoning: z.string() });
const actions = ['BUY', 'SELL', 'HOLD'] as const;
const splitModel = () => createScriptedModel({ latencyMs: L, replies: (_call, index) => ({ action: actions[index % 3]!, confidence: 0.6, reasoning: 'split view' }) });

function modelAssistant(id: string, model: LanguageModel): Assistant {
  const ask = async (prompt: string, context: Parameters<Assistant['analyze']>[1]) => ({ assistantId: id, ...(await context.generate({ schema: reply, prompt })).object });
  return defineAssistant({ id, model, analyze: (_s, context) => ask(`${id}: analyse`, context), debate: (own, others, _s, context) => ask(`${id}: revise ${own.action} given ${others.length} views`, context) });
}

async function timed<T>(run: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await run();
  return { ms: performance.now() - start, value };
}

async function ours() {
  const model = splitModel();
  const team = Array.from({ length: N }, (_, i) => modelAssistant(`a${i}`, model));
  const consensus = createConsensusManager({ assistants: team, options: { maxRounds: ROUNDS, earlyStop: false, threshold: 0.99 } });
  const { ms } = await timed(() => consensus.decide(buildSnapshot()));
  return { ms, calls: model.calls.length, concurrency: model.maxConcurrency };
}

/** TradingAgents-style chain: every assistant's call waits for the previous one. */
async function sequentialChain() {
  const model = splitModel();
  const { ms } = await timed(async () => {
    for (let round = 1; round <= ROUNDS; round++) for (let i = 0; i < N; i++) await generateObject({ model, schema: reply, prompt: `a${i} round ${round}` });
  });
  return { ms, calls: model.calls.length };
}

/** The seed's debate: round 1 in parallel; each debate round, every assistant asks questions, every other answers, then it states its position, one call at a time (n·(n+1) calls a round). */
async function seedAllPairs() {
  const model = splitModel();
  const call = (prompt: string) => generateObject({ model, schema: reply, prompt });
  const { ms } = await timed(async () => {
    await Promise.all(Array.from({ length: N }, (_, i) => call(`a${i} analyse`)));
    for (let round = 2; round <= ROUNDS; round++) {
      for (let i = 0; i < N; i++) {
        await call(`a${i} questions`);
        for (let j = 0; j < N; j++) if (j !== i) await call(`a${j} answers a${i}`);
        await call(`a${i} position`);
      }
    }
  });
  return { ms, calls: model.calls.length };
}

function ruleTeam(): Assistant[] {
  const lookbacks = [5, 10, 20, 30, 50, 100, 150];
  return lookbacks.map((n, i) =>
    defineAssistant({
      id: `rule-${i}`,
      analyze: ({ candles }) => {
        const last = candles.at(-1)!.close;
        const mean = candles.slice(-n).reduce((sum, candle) => sum + candle.close, 0) / Math.min(n, candles.length);
        const gap = last / mean - 1;
        return { assistantId: `rule-${i}`, action: gap > 0.002 ? 'BUY' : gap < -0.002 ? 'SELL' : 'HOLD', confidence: Math.min(1, 0.5 + Math.abs(gap) * 20), reasoning: `gap ${gap}`, evidence: [{ name: `gap_${n}`, value: gap, stance: gap > 0 ? 'bullish' : 'bearish' }] };
      },
    }),
  );
}

async function engineOverhead(decisions: number) {
  const candles: Candle[] = buildCandles({ count: decisions + 200, timeframe: '1m', volatility: 0.002, seed: 3 });
  const team = ruleTeam();
  const snapshot = buildSnapshot({ candles: candles.slice(0, 200), timeframe: '1m' });
  const bare = await timed(async () => {
    for (let k = 0; k < decisions; k++) for (const assistant of team) await assistant.analyze(snapshot, {} as never);
  });
  const engine = createTradingEngine({ exchange: new TestExchange({ cash: 100_000 }), feed: createArrayFeed({ candles: { 'BTC/USDT': candles }, timeframe: '1m' }), assistants: team, trigger: everyCandle, clock: new SimulatedClock(), consensus: { maxRounds: 3 }, learning: true });
  const full = await timed(() => engine.run());
  return { perDecisionUs: (full.ms * 1000) / full.value.decisions, bareUs: (bare.ms * 1000) / decisions, decisions: full.value.decisions, rounds: full.value };
}

await ours(); // warm-up: JIT and schema conversion
const mine = await ours();
const chain = await sequentialChain();
const seed = await seedAllPairs();
console.log(`consensus, ${N} assistants x ${ROUNDS} rounds, model latency L = ${L} ms`);
console.log(`  IA-AGENTS          ${(mine.ms / L).toFixed(2)} L  ${mine.calls} calls (${(mine.calls / ROUNDS).toFixed(1)} a round), ${mine.concurrency} in flight at most`);
console.log(`  sequential chain   ${(chain.ms / L).toFixed(2)} L  ${chain.calls} calls   -> ours is ${(chain.ms / mine.ms).toFixed(1)}x faster`);
console.log(`  seed all-pairs     ${(seed.ms / L).toFixed(2)} L  ${seed.calls} calls  -> ours is ${(seed.ms / mine.ms).toFixed(1)}x faster, ${(seed.calls / mine.calls).toFixed(1)}x fewer calls`);
await engineOverhead(2000);
const overhead = await engineOverhead(20_000);
console.log(`engine, 7 rule-based assistants, no model: ${overhead.perDecisionUs.toFixed(1)} µs per decision (${overhead.decisions} decisions, up to 3 rounds each)`);
console.log(`  baseline: the 7 analyses called directly ${overhead.bareUs.toFixed(1)} µs -> engine overhead ${(overhead.perDecisionUs - overhead.bareUs).toFixed(1)} µs, ratio ${(overhead.perDecisionUs / overhead.bareUs).toFixed(1)}x`);
