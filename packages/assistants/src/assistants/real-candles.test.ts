import { createConsensusManager, defineAssistant, SimulatedClock } from '@ia-agents/core';
import { describe, expect, it } from 'vitest';
import { coinbaseCandles, coinbaseSnapshot, ruleContext } from '../test-support/context.js';
import { createDefaultTeam, teamReliability } from './team.js';
import { MarketMonitor, marketMonitorTrigger } from './market-monitor.js';
import { RiskManager } from './risk-manager.js';
import { Strategist } from './strategist.js';
import { TechnicalAnalyst } from './technical-analyst.js';

// Coinbase BTC-USD 4h (ta4j, MIT). 12 March 2020 ("Black Thursday"): BTC fell from ~7,900 to ~4,000.
const CRASH = '2020-03-12T12:00:00Z';
const CALM = '2019-11-01T00:00:00Z';
const RALLY = '2020-05-01T00:00:00Z';

const buyer = defineAssistant({ id: 'eager-buyer', analyze: () => ({ assistantId: 'eager-buyer', action: 'BUY', confidence: 0.95, reasoning: 'buy the dip', evidence: [{ name: 'dip', value: -0.25, stance: 'bullish' }] }), debate: (own) => own });

describe('assistants on real candles (Coinbase BTC-USD 4h)', () => {
  it('in the March 2020 crash the monitor alerts and leans SELL with the drop', async () => {
    const opinion = await new MarketMonitor().analyze(coinbaseSnapshot(CRASH), ruleContext());
    expect(opinion.alert).toBe(true);
    expect(opinion.action).toBe('SELL');
    const change = opinion.evidence!.find((item) => item.name === 'price_change_window')!;
    expect(change.value).toBeLessThan(-0.2);
    expect(change.stance).toBe('bearish');
    expect(opinion.reasoning).toContain('volatility spike');
  });

  it('in the crash the risk manager vetoes, and the consensus blocks a BUY', async () => {
    const snapshot = coinbaseSnapshot(CRASH);
    const risk = new RiskManager();
    const opinion = await risk.analyze(snapshot, ruleContext());
    expect(opinion.veto).toMatch(/^risk: volatility spike: ATR \d\.\dx its 50-candle average/);
    expect(opinion.plan).toBeUndefined();
    const consensus = createConsensusManager({ assistants: [buyer, risk], options: { vetoes: ['risk-manager'], weights: { 'eager-buyer': 5 } }, clock: new SimulatedClock(0), createId: () => 'crash-1' });
    const decision = await consensus.decide(snapshot);
    expect(decision.action).toBe('HOLD');
    expect(decision.proposedAction).toBe('BUY');
    expect(decision.veto).toEqual({ assistantId: 'risk-manager', reason: opinion.veto, blockedAction: 'BUY' });
  });

  it('in a calm market nothing alerts, nothing is vetoed, and the risk manager proposes a volatility-scaled size', async () => {
    const snapshot = coinbaseSnapshot(CALM);
    const monitor = await new MarketMonitor().analyze(snapshot, ruleContext());
    const risk = new RiskManager();
    const opinion = await risk.analyze(snapshot, ruleContext());
    expect(monitor.alert).toBe(false);
    expect(opinion.veto).toBeUndefined();
    const { atrFraction, sizeFraction } = risk.assess(snapshot);
    expect(sizeFraction).toBeCloseTo(Math.min(0.25, 0.01 / (2 * atrFraction)), 4);
    expect(opinion.plan).toEqual({ sizeFraction });
  });

  it('in the May 2020 rally the technical analyst and strategist say BUY with a sane plan, and the team agrees', async () => {
    const snapshot = coinbaseSnapshot(RALLY);
    const technical = await new TechnicalAnalyst().analyze(snapshot, ruleContext());
    expect(technical.action).toBe('BUY');
    expect(technical.evidence!.map((item) => item.name)).toEqual(['rsi_14', 'macd_histogram', 'bollinger_percent_b', 'ema_trend', 'price_vs_sma', 'stochastic_k', 'williams_r', 'cci_20', 'adx_14']);
    const strategy = await new Strategist().analyze(snapshot, ruleContext());
    const close = snapshot.candles.at(-1)!.close;
    expect(strategy.action).toBe('BUY');
    expect(strategy.plan!.entry).toBe(close);
    expect(strategy.plan!.stopLoss).toBeLessThan(close);
    expect(strategy.plan!.takeProfit! - close).toBeCloseTo(2 * (close - strategy.plan!.stopLoss!), 4);
    const { assistants, consensus } = createDefaultTeam();
    const decision = await createConsensusManager({ assistants, options: consensus, clock: new SimulatedClock(0), createId: () => 'rally-1' }).decide(snapshot);
    expect(decision.action).toBe('BUY');
    expect(decision.veto).toBeUndefined();
    // The strategist's plan, sized down to the risk manager's proposal.
    const riskSize = new RiskManager().assess(snapshot).sizeFraction;
    expect(decision.plan!.sizeFraction).toBe(Math.min(riskSize, strategy.plan!.sizeFraction!));
  });

  it('the full team in the crash does not buy', async () => {
    const { assistants, consensus } = createDefaultTeam();
    const decision = await createConsensusManager({ assistants, options: consensus, clock: new SimulatedClock(0), createId: () => 'crash-2' }).decide(coinbaseSnapshot(CRASH));
    expect(decision.action).not.toBe('BUY');
    expect(decision.rounds[0]!.opinions.find((opinion) => opinion.assistantId === 'market-monitor')!.alert).toBe(true);
  });

  it('the same decision twice gives the same transcript (deterministic)', async () => {
    const run = async () => {
      const { assistants, consensus } = createDefaultTeam();
      return createConsensusManager({ assistants, options: consensus, clock: new SimulatedClock(0), createId: () => 'same' }).decide(coinbaseSnapshot(RALLY));
    };
    expect(await run()).toEqual(await run());
  });

  it('the streaming trigger fires on the March 2020 crash and agrees with the monitor candle by candle', () => {
    const candles = coinbaseCandles();
    const start = candles.findIndex((candle) => candle.timestamp >= Date.parse('2020-02-01T00:00:00Z'));
    const end = candles.findIndex((candle) => candle.timestamp >= Date.parse('2020-04-01T00:00:00Z'));
    const trigger = marketMonitorTrigger()('BTC/USD');
    const monitor = new MarketMonitor();
    const fired: number[] = [];
    let alerting = 0;
    for (let i = 0; i < end; i++) {
      const reason = trigger.update(candles[i]!);
      if (i < start) continue;
      const monitorSays = monitor.shouldAnalyze({ candles: candles.slice(0, i + 1) });
      if (monitorSays !== false) alerting += 1;
      // The trigger fires only where the monitor alerts, with the same reason (it may stay quiet in a cooldown).
      if (reason !== false) expect(reason).toBe(monitorSays);
      if (reason !== false) fired.push(candles[i]!.timestamp);
    }
    expect(fired).toContain(Date.parse('2020-03-12T08:00:00Z'));
    expect(fired.length).toBeGreaterThan(0);
    expect(fired.length).toBeLessThan(alerting);
  });
});

describe('createDefaultTeam', () => {
  it('gives the seven assistants, the risk-manager veto, weights, per-assistant models and a reliability source', async () => {
    const { createScriptedModel } = await import('@ia-agents/core/testing');
    const { consensusOptionsSchema } = await import('@ia-agents/core');
    const strategistModel = createScriptedModel({ replies: [{ action: 'HOLD', confidence: 0.5, reasoning: 'x' }], modelId: 'strategist-model' });
    const { assistants, consensus } = createDefaultTeam({ models: { strategist: strategistModel }, weights: { auditor: 2 } });
    expect(assistants.map((assistant) => assistant.id)).toEqual(['market-monitor', 'technical-analyst', 'fundamental-analyst', 'risk-manager', 'strategist', 'executor', 'auditor']);
    expect(assistants.map((assistant) => assistant.model?.modelId)).toEqual([undefined, undefined, undefined, undefined, 'strategist-model', undefined, undefined]);
    expect(assistants.map((assistant) => assistant.temperature)).toEqual([0.1, 0.1, 0.2, 0.1, 0.2, 0.1, 0.1]);
    const options = consensusOptionsSchema.parse(consensus);
    expect(options.vetoes).toEqual(['risk-manager']);
    expect(options.weights.auditor).toBe(2);
    expect(options.weights['technical-analyst']).toBe(1.5);
    const reliability = teamReliability(assistants);
    expect(reliability('technical-analyst')).toBe(0.5);
    await assistants[1]!.learnFromOutcome({ decisionId: 'd', symbol: 'BTC/USD', action: 'BUY', entryPrice: 1, exitPrice: 2, priceReturn: 1, bestAction: 'BUY', openedAt: 0, closedAt: 1 }, { assistantId: 'technical-analyst', action: 'BUY', confidence: 0.7, reasoning: '', evidence: [], alert: false, degraded: false, abstain: false });
    expect(reliability('technical-analyst')).toBeCloseTo(0.55, 12);
    expect(reliability('unknown')).toBe(0.5);
  });
});
