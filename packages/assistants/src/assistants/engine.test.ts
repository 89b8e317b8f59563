import { createConsensusManager, createTradingEngine, runSteps, SimulatedClock, type Decision } from '@ia-agents/core';
import { buildSnapshot, createArrayFeed, TestExchange } from '@ia-agents/core/testing';
import { describe, expect, it } from 'vitest';
import { coinbaseCandles } from '../test-support/context.js';
import { marketMonitorTrigger } from './market-monitor.js';
import { TeamAssistant } from './team-assistant.js';
import { createDefaultTeam } from './team.js';

describe('the default team inside the TradingEngine, convened by the market-monitor trigger', () => {
  it('decides only when the monitor fires, trades, never buys into the March 2020 crash, and learns from outcomes', async () => {
    const candles = coinbaseCandles().filter((candle) => candle.timestamp >= Date.parse('2020-01-01T00:00:00Z') && candle.timestamp < Date.parse('2020-04-01T00:00:00Z'));
    const { assistants, consensus } = createDefaultTeam();
    const exchange = new TestExchange({ cash: 10_000, quoteCurrency: 'USD' });
    // Default risk limits: checkers with nothing to object to abstain instead of voting HOLD, so the
    // directional assistants' agreement is what the decision confidence measures.
    const engine = createTradingEngine({ exchange, feed: createArrayFeed({ candles: { 'BTC/USD': candles }, timeframe: '4h' }), assistants, consensus, trigger: marketMonitorTrigger(), clock: new SimulatedClock(0), quoteCurrency: 'USD' });
    const triggers: string[] = [];
    const decisions: Decision[] = [];
    engine.bus.on('analysis-trigger', ({ reason }) => void triggers.push(reason));
    engine.bus.on('decision-make', ({ decision }) => void decisions.push(decision));
    const summary = await engine.run();
    const holds = decisions.filter((decision) => decision.action === 'HOLD').length;
    expect(holds / decisions.length).toBeLessThan(0.8);

    expect(summary.candles).toBe(candles.length);
    expect(summary.decisions).toBe(triggers.length);
    expect(triggers.length).toBeGreaterThan(0);
    expect(triggers.length).toBeLessThan(candles.length / 3);
    const crash = decisions.filter((decision) => decision.createdAt >= Date.parse('2020-03-12T00:00:00Z') && decision.createdAt <= Date.parse('2020-03-13T12:00:00Z'));
    expect(crash.length).toBeGreaterThan(0);
    expect(crash.filter((decision) => decision.action === 'BUY')).toEqual([]);
    const buys = exchange.fills.filter((fill) => fill.side === 'buy').map((fill) => fill.timestamp);
    expect(buys.length).toBeGreaterThan(0);
    expect(buys.filter((time) => time >= Date.parse('2020-03-12T00:00:00Z') && time <= Date.parse('2020-03-13T12:00:00Z'))).toEqual([]);
    expect(summary.outcomes).toBeGreaterThan(0);
    const learned = assistants.filter((assistant) => assistant instanceof TeamAssistant && assistant.record.total > 0);
    expect(learned.length).toBe(7);
    expect(summary.errors).toBe(0);
  });

  it('decides synchronously without a model or news sources (what makes rule-based backtests fast), and with a promise when a source must be fetched', async () => {
    const snapshot = buildSnapshot({ candles: coinbaseCandles().slice(0, 200) });
    const { assistants, consensus } = createDefaultTeam();
    const decision = runSteps(createConsensusManager({ assistants, options: consensus }).decideSteps(snapshot));
    expect(decision).not.toBeInstanceOf(Promise);
    expect((decision as Decision).rounds[0]!.opinions).toHaveLength(7);
    const fetching = createDefaultTeam({ newsSources: [{ specificationVersion: 'v1', id: 'quiet', fetchNews: async () => [] }] });
    const later = runSteps(createConsensusManager({ assistants: fetching.assistants, options: fetching.consensus, createId: () => (decision as Decision).id }).decideSteps(snapshot));
    expect(later).toBeInstanceOf(Promise);
    const awaited = await later;
    // Same team, same snapshot: the same votes whichever way it ran.
    expect(awaited.rounds.map((round) => round.votes)).toEqual((decision as Decision).rounds.map((round) => round.votes));
  });
});
