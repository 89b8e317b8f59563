import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createConsensusManager, createEventBus, createMemoryResponseCache, defineAssistant, runSteps, type Assistant, type Decision, type LanguageModel } from '../index.js';
import { buildCandles, buildSnapshot, createScriptedAssistant, createScriptedModel } from '../testing/index.js';

const snapshot = buildSnapshot();
const say = (id: string, ...turns: Parameters<typeof createScriptedAssistant>[0]['turns']) => createScriptedAssistant({ id, turns });
const buy = { action: 'BUY' as const, confidence: 0.8 };
const sell = { action: 'SELL' as const, confidence: 0.8 };
const hold = { action: 'HOLD' as const, confidence: 0.8 };

const replySchema = z.object({ action: z.enum(['BUY', 'SELL', 'HOLD']), confidence: z.number().min(0).max(1), reasoning: z.string() });
function modelAssistant(id: string, model: LanguageModel): Assistant {
  const ask = async (context: Parameters<Assistant['analyze']>[1]) => {
    const { object } = await context.generate({ schema: replySchema, prompt: `You are ${id}. Round ${context.round}. Decide.` });
    return { assistantId: id, ...object };
  };
  return defineAssistant({ id, model, analyze: (_s, context) => ask(context), debate: (_o, _others, _s, context) => ask(context) });
}

describe('ConsensusManager', () => {
  it('decides BUY in one round when everyone agrees', async () => {
    const team = [say('a', buy), say('b', buy), say('c', buy)];
    const decision = await createConsensusManager({ assistants: team }).decide(snapshot);
    expect(decision.action).toBe('BUY');
    expect(decision.consensusReached).toBe(true);
    expect(decision.escalated).toBe(false);
    expect(decision.rounds).toHaveLength(1);
    expect(decision.rounds[0]!.share).toBe(1);
    expect(decision.confidence).toBeCloseTo(0.8, 10);
    expect(team.map((a) => a.callCount)).toEqual([1, 1, 1]);
  });

  it('escalates a split vote after maxRounds with HOLD and the leaning action', async () => {
    const bus = createEventBus();
    const escalations: string[] = [];
    bus.on('decision-escalate', ({ reason }) => escalations.push(reason));
    const team = [say('a', buy), say('b', sell), say('c', hold)];
    const decision = await createConsensusManager({ assistants: team, bus, options: { maxRounds: 3, threshold: 0.6 } }).decide(snapshot);
    expect(decision).toMatchObject({ action: 'HOLD', escalated: true, consensusReached: false });
    expect(decision.rounds).toHaveLength(3);
    expect(decision.escalationReason).toMatch(/no consensus after 3 round/);
    expect(escalations).toHaveLength(1);
  });

  it('stops early once a debate round reaches consensus', async () => {
    const team = [say('a', buy), say('b', sell, buy), say('c', hold, buy)];
    const decision = await createConsensusManager({ assistants: team, options: { maxRounds: 5, threshold: 0.7 } }).decide(snapshot);
    expect(decision.rounds.map((r) => r.reached)).toEqual([false, true]);
    expect(decision.action).toBe('BUY');
    expect(team.map((a) => a.callCount)).toEqual([2, 2, 2]);
  });

  it('lets configured weights change the outcome', async () => {
    const team = () => [say('a', buy), say('b', sell), say('c', sell)];
    const equal = await createConsensusManager({ assistants: team(), options: { maxRounds: 1 } }).decide(snapshot);
    const weighted = await createConsensusManager({ assistants: team(), options: { maxRounds: 1, weights: { a: 3 } } }).decide(snapshot);
    expect(equal.action).toBe('SELL');
    expect(weighted.action).toBe('BUY');
    expect(weighted.votes.find((v) => v.assistantId === 'a')).toMatchObject({ weight: 3, reliability: 0.5, effectiveWeight: 3 * 0.5 * 0.8 });
  });

  it('lets learned reliability change the outcome', async () => {
    const team = [say('a', buy), say('b', sell)];
    const decision = await createConsensusManager({ assistants: team, options: { maxRounds: 1 }, reliability: (id) => (id === 'a' ? 0.9 : 0.2) }).decide(snapshot);
    expect(decision.action).toBe('BUY');
  });

  it('blocks BUY when an assistant with veto rights vetoes, and records why', async () => {
    const bus = createEventBus();
    const vetoes: string[] = [];
    bus.on('decision-veto', ({ reason }) => vetoes.push(reason));
    const team = [say('a', buy), say('b', buy), say('risk', { action: 'HOLD', confidence: 0.9, veto: 'drawdown limit reached' })];
    const decision = await createConsensusManager({ assistants: team, bus, options: { vetoes: ['risk'] } }).decide(snapshot);
    expect(decision.action).toBe('HOLD');
    expect(decision.proposedAction).toBe('BUY');
    expect(decision.veto).toEqual({ assistantId: 'risk', reason: 'drawdown limit reached', blockedAction: 'BUY' });
    expect(vetoes).toEqual(['drawdown limit reached']);
  });

  it('lets a veto limited to BUY block buying but not selling', async () => {
    const guard = { action: 'HOLD' as const, confidence: 0.9, veto: 'crash under way', vetoActions: ['BUY' as const] };
    const sellers = await createConsensusManager({ assistants: [say('a', sell), say('b', sell), say('risk', guard)], options: { vetoes: ['risk'] } }).decide(snapshot);
    const buyers = await createConsensusManager({ assistants: [say('a', buy), say('b', buy), say('risk', guard)], options: { vetoes: ['risk'] } }).decide(snapshot);
    expect(sellers).toMatchObject({ action: 'SELL' });
    expect(sellers.veto).toBeUndefined();
    expect(buyers).toMatchObject({ action: 'HOLD', proposedAction: 'BUY', veto: { blockedAction: 'BUY', reason: 'crash under way' } });
  });

  it('keeps a deliberate abstention out of the vote so that "no view" does not dilute the others into HOLD', async () => {
    const noView = { action: 'HOLD' as const, confidence: 0.2, abstain: true };
    const team = [say('a', buy), say('b', buy), say('executor', noView), say('auditor', noView), say('news', noView)];
    const decision = await createConsensusManager({ assistants: team, options: { quorum: 1 } }).decide(snapshot);
    expect(decision).toMatchObject({ action: 'BUY', consensusReached: true, confidence: 0.8 });
    expect(decision.votes.map((vote) => vote.assistantId)).toEqual(['a', 'b']);
    expect(decision.rounds[0]!.opinions).toHaveLength(5);
    const diluted = await createConsensusManager({ assistants: [say('a', buy), say('b', buy), say('executor', hold), say('auditor', hold), say('news', hold)], options: { maxRounds: 1 } }).decide(snapshot);
    expect(diluted.action).toBe('HOLD');
  });

  it('ignores a veto from an assistant without veto rights', async () => {
    const team = [say('a', buy), say('b', buy), say('c', { action: 'HOLD', confidence: 0.2, veto: 'no' })];
    const decision = await createConsensusManager({ assistants: team }).decide(snapshot);
    expect(decision.action).toBe('BUY');
    expect(decision.veto).toBeUndefined();
  });

  it('records a throwing, a timed-out and an invalid assistant as abstentions left out of the vote', async () => {
    const team = [say('a', buy), say('b', buy), say('thrower', 'throw'), say('sleeper', 'hang'), say('liar', 'invalid')];
    const decision = await createConsensusManager({ assistants: team, options: { timeoutMs: 50, quorum: 0.4 } }).decide(snapshot);
    const round = decision.rounds[0]!;
    expect(round.abstentions.map((a) => [a.assistantId, a.reason])).toEqual([
      ['thrower', 'error'],
      ['sleeper', 'timeout'],
      ['liar', 'invalid-output'],
    ]);
    expect(round.abstentions[2]!.message).toMatch(/action/);
    expect(round.votes.map((v) => v.assistantId)).toEqual(['a', 'b']);
    expect(round.share).toBe(1);
    expect(decision.action).toBe('BUY');
  });

  it('fails with a typed error naming the abstainers when the quorum is lost', async () => {
    const team = [say('a', buy), say('b', 'throw'), say('c', 'throw')];
    const manager = createConsensusManager({ assistants: team, options: { quorum: 0.5 } });
    await expect(manager.decide(snapshot)).rejects.toMatchObject({ code: 'QUORUM_NOT_MET', message: expect.stringMatching(/1 of 3 .* 2 needed.*b \(error/) });
  });

  it('lets debate revise positions from the others\' evidence', async () => {
    const bullish = [{ name: 'rsi_14', value: 25, stance: 'bullish' as const }, { name: 'macd', value: 1, stance: 'bullish' as const }];
    const doubter = defineAssistant({ id: 'doubter', analyze: () => ({ assistantId: 'doubter', action: 'SELL', confidence: 0.3, reasoning: 'a hunch', evidence: [{ name: 'hunch', value: null, stance: 'bearish' }] }) });
    const team = [say('a', { ...buy, evidence: bullish }), say('b', { ...buy, evidence: bullish }), doubter];
    const decision = await createConsensusManager({ assistants: team, options: { threshold: 0.9, maxRounds: 2 } }).decide(snapshot);
    const [first, second] = decision.rounds;
    expect(first!.opinions.find((o) => o.assistantId === 'doubter')!.action).toBe('SELL');
    const revised = second!.opinions.find((o) => o.assistantId === 'doubter')!;
    expect(revised.action).toBe('BUY');
    expect(revised.reasoning).toMatch(/a hunch \| debate: changed to BUY/);
    expect(decision.action).toBe('BUY');
  });

  it('keeps a complete transcript and emits every round and opinion', async () => {
    const bus = createEventBus();
    const seen: string[] = [];
    bus.on('round-start', ({ round }) => seen.push(`start ${round}`));
    bus.on('opinion-give', ({ round, opinion }) => seen.push(`${round}:${opinion.assistantId}`));
    bus.on('round-end', ({ round }) => seen.push(`end ${round.round}`));
    const team = [say('a', buy, buy), say('b', sell, sell)];
    const decision = await createConsensusManager({ assistants: team, bus, options: { maxRounds: 2, threshold: 0.9 }, createId: () => 'd-1' }).decide(snapshot);
    expect(seen).toEqual(['start 1', '1:a', '1:b', 'end 1', 'start 2', '2:a', '2:b', 'end 2']);
    expect(decision.id).toBe('d-1');
    expect(decision.rounds.map((r) => [r.round, r.phase, r.opinions.map((o) => `${o.assistantId}:${o.action}`)])).toEqual([
      [1, 'analysis', ['a:BUY', 'b:SELL']],
      [2, 'debate', ['a:BUY', 'b:SELL']],
    ]);
    expect(decision.createdAt).toBe(snapshot.timestamp);
  });

  it('has every assistant of a round in flight at once: one model latency per round, one call each', async () => {
    const model = createScriptedModel({ replies: [{ action: 'BUY', confidence: 0.6, reasoning: 'trend' }], latencyMs: 20 });
    const team = Array.from({ length: 7 }, (_, i) => modelAssistant(`m${i}`, model));
    const split = (call: { messages: { content: string }[] }, index: number) => ({ action: index % 3 === 0 ? 'BUY' : index % 3 === 1 ? 'SELL' : 'HOLD', confidence: 0.5, reasoning: 'split', call: call.messages.length });
    const splitModel = createScriptedModel({ replies: split, latencyMs: 20 });
    const splitTeam = Array.from({ length: 7 }, (_, i) => modelAssistant(`s${i}`, splitModel));
    await createConsensusManager({ assistants: team }).decide(snapshot);
    const escalated = await createConsensusManager({ assistants: splitTeam, options: { maxRounds: 3, threshold: 0.99 } }).decide(snapshot);
    expect(model.maxConcurrency).toBe(7);
    expect(model.calls).toHaveLength(7);
    expect(splitModel.maxConcurrency).toBe(7);
    expect(splitModel.calls).toHaveLength(21);
    expect(escalated.rounds).toHaveLength(3);
  });

  it('holds calls beyond the concurrency bound back in a queue', async () => {
    const model = createScriptedModel({ replies: [{ action: 'BUY', confidence: 0.6, reasoning: 'trend' }], latencyMs: 5 });
    const team = Array.from({ length: 7 }, (_, i) => modelAssistant(`m${i}`, model));
    const decision = await createConsensusManager({ assistants: team, options: { concurrency: 3 } }).decide(snapshot);
    expect(model.maxConcurrency).toBe(3);
    expect(model.calls).toHaveLength(7);
    expect(decision.action).toBe('BUY');
  });

  it('stops and escalates once the token budget is spent', async () => {
    const model = createScriptedModel({ replies: [{ action: 'BUY', confidence: 0.6, reasoning: 'x' }], usage: { inputTokens: 60, outputTokens: 40, totalTokens: 100 } });
    const team = Array.from({ length: 3 }, (_, i) => modelAssistant(`m${i}`, model));
    const decision = await createConsensusManager({ assistants: team, options: { tokenBudget: 250 } }).decide(snapshot);
    expect(decision.escalated).toBe(true);
    expect(decision.action).toBe('HOLD');
    expect(decision.escalationReason).toMatch(/^TOKEN_BUDGET_EXCEEDED: .*300 tokens, over its budget of 250/);
    expect(decision.usage.totalTokens).toBe(300);
  });

  it('serves a rerun from the response cache without new model calls', async () => {
    const cache = createMemoryResponseCache();
    const model = createScriptedModel({ replies: [{ action: 'SELL', confidence: 0.7, reasoning: 'down' }] });
    const run = () => createConsensusManager({ assistants: [modelAssistant('m1', model), modelAssistant('m2', model)], cache, createId: () => 'same' }).decide(snapshot);
    const first = await run();
    const second = await run();
    expect(model.calls).toHaveLength(2);
    expect(cache.size).toBe(2);
    expect(second.usage.totalTokens).toBe(0);
    expect({ ...second, usage: first.usage, completedAt: 0, rounds: second.rounds.map((r) => ({ ...r, startedAt: 0, endedAt: 0 })) }).toEqual({ ...first, completedAt: 0, rounds: first.rounds.map((r) => ({ ...r, startedAt: 0, endedAt: 0 })) });
  });

  it('rejects bad options with the field named', () => {
    expect(() => createConsensusManager({ assistants: [say('a', buy)], options: { threshold: 1.5 } })).toThrow(/consensus options: threshold: .*1/);
    expect(() => createConsensusManager({ assistants: [say('a', buy)], options: { vetoes: ['ghost'] } })).toThrow(/options\.vetoes: no assistant with id ghost/);
    expect(() => createConsensusManager({ assistants: [say('a', buy), say('a', sell)] })).toThrow(/assistants\.1\.id: duplicate assistant id a/);
    expect(() => createConsensusManager({ assistants: [say('a', buy)], options: { maxround: 2 } as never })).toThrow(/Unrecognized key.*maxround/);
  });

  it('rejects a bad snapshot with the field named, and one that looks ahead', async () => {
    const manager = createConsensusManager({ assistants: [say('a', buy)] });
    const candles = buildCandles({ count: 5 });
    const broken = { ...snapshot, candles: candles.map((c, i) => (i === 2 ? { ...c, high: c.low / 2 } : c)) };
    await expect(manager.decide(broken)).rejects.toMatchObject({ code: 'SNAPSHOT_INVALID', issues: expect.arrayContaining([expect.objectContaining({ path: ['candles', 2, 'high'] })]) });
    const ahead = { ...snapshot, candles, timestamp: candles.at(-1)!.timestamp + 1 };
    await expect(manager.decide(ahead)).rejects.toThrow(/candles\.4\.timestamp: candle closes at .* after the decision time/);
  });

  it('aborts with AbortError', async () => {
    const controller = new AbortController();
    const manager = createConsensusManager({ assistants: [say('a', 'hang'), say('b', 'hang')] });
    const pending = manager.decide(snapshot, { signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toMatchObject({ code: 'ABORTED' });
  });

  describe('decideSteps', () => {
    const rule = (id: string, action: 'BUY' | 'SELL' | 'HOLD') => defineAssistant({ id, analyze: () => ({ assistantId: id, action, confidence: 0.9, reasoning: `${id} rule` }) });

    it('decides without a promise when every assistant answers synchronously', () => {
      const manager = createConsensusManager({ assistants: [rule('a', 'BUY'), rule('b', 'BUY'), rule('c', 'SELL')], options: { maxRounds: 2, threshold: 0.6 } });
      const result = runSteps(manager.decideSteps(snapshot));
      expect(result).not.toBeInstanceOf(Promise);
      expect((result as Decision).action).toBe('BUY');
      expect((result as Decision).rounds[0]!.opinions.map((opinion) => opinion.assistantId)).toEqual(['a', 'b', 'c']);
    });

    it('gives the same decision as decide() for the same team and snapshot', async () => {
      const team = () => [rule('a', 'BUY'), rule('b', 'SELL'), rule('c', 'HOLD')];
      const options = { maxRounds: 3, threshold: 0.6 };
      const eager = runSteps(createConsensusManager({ assistants: team(), options, createId: () => 'd1' }).decideSteps(snapshot)) as Decision;
      const awaited = await createConsensusManager({ assistants: team(), options, createId: () => 'd1' }).decide(snapshot);
      expect({ ...eager, completedAt: 0, rounds: eager.rounds.map((r) => ({ ...r, startedAt: 0, endedAt: 0 })) }).toEqual({ ...awaited, completedAt: 0, rounds: awaited.rounds.map((r) => ({ ...r, startedAt: 0, endedAt: 0 })) });
    });

    it('waits for a slow assistant in a mixed team, and its timeout still makes it abstain', async () => {
      const slow = say('slow', 'hang');
      const manager = createConsensusManager({ assistants: [rule('a', 'BUY'), rule('b', 'BUY'), slow], options: { timeoutMs: 50, quorum: 0.5 } });
      const result = runSteps(manager.decideSteps(snapshot));
      expect(result).toBeInstanceOf(Promise);
      const decision = await result;
      expect(decision.action).toBe('BUY');
      expect(decision.rounds[0]!.abstentions).toEqual([expect.objectContaining({ assistantId: 'slow', reason: 'timeout' })]);
    });

    it('throws a quorum error synchronously when a synchronous team cannot decide', () => {
      const broken = defineAssistant({ id: 'x', analyze: () => { throw new Error('no data'); } });
      const manager = createConsensusManager({ assistants: [broken, rule('a', 'BUY')], options: { quorum: 1 } });
      expect(() => runSteps(manager.decideSteps(snapshot))).toThrow(/1 of 2 assistants gave an opinion/);
    });
  });
});
