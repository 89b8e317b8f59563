import { opinionSchema, SimulatedClock, type AssistantContext } from '@ia-agents/core';
import { buildCandles, buildSnapshot } from '@ia-agents/core/testing';
import { describe, expect, it } from 'vitest';
import { volumeBreakout } from './volume-breakout.js';

const context: AssistantContext = { decisionId: 't', round: 1, signal: new AbortController().signal, clock: new SimulatedClock(0), hasModel: false, generate: () => Promise.reject(new Error('no model')) };

describe('volume-breakout (a plug-in tested with @ia-agents/core/testing)', () => {
  it('buys a breakout on volume and holds in a range', async () => {
    const flat = buildCandles({ closes: Array.from({ length: 30 }, (_, i) => 100 + (i % 2)) });
    const breakout = [...flat.slice(0, -1), { ...flat.at(-1)!, close: 110, high: 110.5, volume: 5000 }];
    const buy = opinionSchema.parse(await volumeBreakout().analyze(buildSnapshot({ candles: breakout }), context));
    expect(buy.action).toBe('BUY');
    expect(buy.evidence[0]).toMatchObject({ name: 'breakout', value: 1, stance: 'bullish' });
    const hold = opinionSchema.parse(await volumeBreakout().analyze(buildSnapshot({ candles: flat }), context));
    expect(hold.action).toBe('HOLD');
  });
});
