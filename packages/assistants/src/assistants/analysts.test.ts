import { createConsensusManager, SimulatedClock, type Assistant, type NewsItem, type Opinion, type TradeOutcome } from '@ia-agents/core';
import { createScriptedModel, type ScriptedReply } from '@ia-agents/core/testing';
import { describe, expect, it } from 'vitest';
import type { NewsSource } from '../sentiment/news-source.js';
import { coinbaseSnapshot, ruleContext } from '../test-support/context.js';
import { FundamentalAnalyst } from './fundamental-analyst.js';
import { ROLE_PROMPTS } from './prompts.js';
import { RiskManager } from './risk-manager.js';
import { Strategist } from './strategist.js';
import { TechnicalAnalyst } from './technical-analyst.js';

const CRASH = '2020-03-12T12:00:00Z';
const RALLY = '2020-05-01T00:00:00Z';

/** Runs one analysis round through the real ConsensusManager (which gives assistants their model context). */
async function firstOpinion(assistant: Assistant, snapshot = coinbaseSnapshot(RALLY)): Promise<Opinion> {
  const decision = await createConsensusManager({ assistants: [assistant], options: { maxRounds: 1 }, clock: new SimulatedClock(0), createId: () => 'd' }).decide(snapshot);
  return decision.rounds[0]!.opinions[0]!;
}

function news(title: string, hoursBefore: number, snapshotTime: number, extra: Partial<NewsItem> = {}): NewsItem {
  return { id: title, source: 'test', kind: 'news', title, publishedAt: snapshotTime - hoursBefore * 3_600_000, currencies: ['BTC'], ...extra };
}

describe('model interpretation', () => {
  it('the model interprets the computed evidence; the evidence stays the computed one', async () => {
    const model = createScriptedModel({ replies: [{ action: 'SELL', confidence: 0.66, reasoning: 'RSI is high and ADX fading' }] });
    const rules = await new TechnicalAnalyst().analyze(coinbaseSnapshot(RALLY), ruleContext());
    const opinion = await firstOpinion(new TechnicalAnalyst({ model }));
    expect(opinion).toMatchObject({ action: 'SELL', confidence: 0.66, reasoning: 'RSI is high and ADX fading', degraded: false, usage: { inputTokens: 10, outputTokens: 10, totalTokens: 20 } });
    expect(opinion.evidence.map((item) => [item.name, item.value])).toEqual(rules.evidence!.map((item) => [item.name, item.value]));
    const call = model.calls[0]!;
    expect(call.temperature).toBe(0.1);
    expect(call.messages[0]).toEqual({ role: 'system', content: ROLE_PROMPTS['technical-analyst'] });
    expect(call.messages[1]!.content).toContain('- rsi_14 = ');
    expect(call.messages[1]!.content).toContain(`The rule-based reading is ${rules.action}`);
    expect(call.responseFormat).toMatchObject({ type: 'json' });
  });

  it('after invalid output and a failed repair it falls back to its rules, marked degraded', async () => {
    const model = createScriptedModel({ replies: ['{"action":"MAYBE"}', 'still not an opinion'] });
    const rules = await new Strategist().analyze(coinbaseSnapshot(RALLY), ruleContext());
    const opinion = await firstOpinion(new Strategist({ model }));
    expect(model.calls).toHaveLength(2);
    expect(opinion.degraded).toBe(true);
    expect(opinion.action).toBe(rules.action);
    expect(opinion.plan).toEqual(rules.plan);
    expect(opinion.reasoning).toContain('[model interpretation failed (');
  });

  it('a model cannot lift the risk manager veto', async () => {
    const model = createScriptedModel({ replies: [{ action: 'BUY', confidence: 0.99, reasoning: 'buy the dip' }] });
    const opinion = await firstOpinion(new RiskManager({ model }), coinbaseSnapshot(CRASH));
    expect(opinion.action).toBe('HOLD');
    expect(opinion.veto).toMatch(/^risk: volatility spike/);
    expect(opinion.reasoning).toContain('buy the dip');
  });
});

describe('FundamentalAnalyst', () => {
  const snapshotTime = coinbaseSnapshot(CRASH).timestamp;

  it('scores recent news with the lexicon, ignores old, future and other-asset news', async () => {
    const items = [
      news('Bitcoin plunges as global markets crash', 2, snapshotTime),
      news('Crypto lender halts withdrawals after hack', 5, snapshotTime, { currencies: [] }),
      news('Bitcoin soars to record high', -1, snapshotTime), // published after the decision time
      news('Bitcoin surges 20%', 48, snapshotTime), // older than the 24 h look-back
      news('Ether rallies', 1, snapshotTime, { currencies: ['ETH'] }),
    ];
    const opinion = await new FundamentalAnalyst().analyze(coinbaseSnapshot(CRASH, { news: items }), ruleContext());
    expect(opinion.action).toBe('SELL');
    expect(opinion.evidence![0]).toEqual({ name: 'news_count', value: 2, stance: 'neutral', weight: 0, detail: '2 item(s) within the look-back' });
    expect(opinion.evidence![1]).toMatchObject({ name: 'news_sentiment', stance: 'bearish' });
    expect(opinion.evidence![1]!.value as number).toBeLessThan(-0.5);
  });

  it('asks its sources for the asset, and reports a failing source without failing', async () => {
    const asked: unknown[] = [];
    const good: NewsSource = { specificationVersion: 'v1', id: 'good', fetchNews: async (query) => (asked.push(query?.currencies), [news('Bitcoin rebounds strongly, buyers return', 1, snapshotTime)]) };
    const bad: NewsSource = { specificationVersion: 'v1', id: 'bad', fetchNews: () => Promise.reject(new Error('HTTP 503')) };
    const opinion = await new FundamentalAnalyst({ sources: [good, bad] }).analyze(coinbaseSnapshot(CRASH, { marketCapChange: 0.05 }), ruleContext());
    expect(asked).toEqual([['BTC']]);
    // Within the cache window (same clock time) the source is not asked again.
    const analyst = new FundamentalAnalyst({ sources: [good] });
    await analyst.analyze(coinbaseSnapshot(CRASH), ruleContext());
    await analyst.analyze(coinbaseSnapshot(CRASH), ruleContext());
    expect(asked).toEqual([['BTC'], ['BTC']]);
    expect(opinion.action).toBe('BUY');
    expect(opinion.evidence).toContainEqual({ name: 'source_error', value: 'bad: HTTP 503', stance: 'neutral', weight: 0 });
    expect(opinion.evidence).toContainEqual({ name: 'market_cap_change', value: 0.5556, stance: 'bullish', weight: 0.5, detail: 'market cap 5.0% over a day (scaled to [-1, 1])' });
  });

  it('lets the model score headlines when it has one, and falls back to the lexicon when it fails', async () => {
    const items = [news('Bitcoin plunges as global markets crash', 1, snapshotTime)];
    const replies: ScriptedReply[] = [{ scores: [{ index: 0, sentiment: 0.9 }] }];
    const model = createScriptedModel({ replies });
    const scored = await firstOpinion(new FundamentalAnalyst({ model }), coinbaseSnapshot(CRASH, { news: items }));
    expect(scored.evidence.find((item) => item.name === 'news_sentiment')).toMatchObject({ value: 0.9, stance: 'bullish' });
    expect(model.calls[0]!.messages[1]!.content).toBe('Asset: BTC\nHeadlines:\n0. Bitcoin plunges as global markets crash');
    const broken = createScriptedModel({ replies: [new Error('connection refused')] });
    const fallback = await firstOpinion(new FundamentalAnalyst({ model: broken }), coinbaseSnapshot(CRASH, { news: items }));
    expect(fallback.degraded).toBe(true);
    expect(fallback.action).toBe('SELL');
  });
});

describe('Strategist with an ML prediction', () => {
  const prediction = (action: 'BUY' | 'SELL', confidence: number) => ({ action, confidence, probabilities: { up: action === 'BUY' ? confidence : 0.05, down: action === 'SELL' ? confidence : 0.05, flat: 0.05 }, expectedReturn: action === 'BUY' ? 0.02 : -0.02, risk: 0.03, horizon: 12, modelId: 'ensemble-test' });

  it('cites the forecast and lets a confident contrary forecast cancel the trend', async () => {
    const base = await new Strategist().analyze(coinbaseSnapshot(RALLY), ruleContext());
    const agreeing = await new Strategist().analyze(coinbaseSnapshot(RALLY, { prediction: prediction('BUY', 0.8) }), ruleContext());
    const contrary = await new Strategist().analyze(coinbaseSnapshot(RALLY, { prediction: prediction('SELL', 0.9) }), ruleContext());
    expect(base.action).toBe('BUY');
    expect(agreeing.action).toBe('BUY');
    expect(agreeing.confidence).toBeGreaterThan(base.confidence);
    expect(agreeing.evidence).toContainEqual(expect.objectContaining({ name: 'ml_prediction', value: 0.02, stance: 'bullish', weight: 0.8 }));
    expect(contrary.action).toBe('HOLD');
    expect(contrary.plan).toBeUndefined();
  });
});

describe('learning from outcomes', () => {
  it('keeps a reliability record and down-weights the signals that pointed the wrong way', async () => {
    const analyst = new TechnicalAnalyst();
    const snapshot = coinbaseSnapshot(RALLY);
    const own = { ...(await analyst.analyze(snapshot, ruleContext())), alert: false, degraded: false } as Opinion;
    const outcome: TradeOutcome = { decisionId: 'd', symbol: 'BTC/USD', action: own.action, entryPrice: 100, exitPrice: 90, priceReturn: -0.1, bestAction: 'SELL', openedAt: 0, closedAt: 1 };
    for (let i = 0; i < 5; i++) await analyst.learnFromOutcome(outcome, own);
    expect(analyst.record.total).toBe(5);
    expect(analyst.record.hitRate).toBe(0);
    const bullish = own.evidence.filter((item) => item.stance === 'bullish').map((item) => item.name);
    const after = await analyst.analyze(snapshot, ruleContext());
    for (const name of bullish) expect(after.evidence!.find((item) => item.name === name)!.weight).toBeLessThan(1);
    expect(after.confidence).toBeLessThanOrEqual(own.confidence);
  });
});
