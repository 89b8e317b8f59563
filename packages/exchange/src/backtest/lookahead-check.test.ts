import { describe, expect, it } from 'vitest';
import { defineAssistant, type Candle, type Trigger } from '@ia-agents/core';
import { readCandlesCsv } from '../feeds/candle-series.js';
import { bundledCandlesPath } from '../bundled-data.js';
import { checkLookahead, formatLookaheadReport } from './lookahead-check.js';

const HOUR = 3_600_000;
const data = [{ bundled: 'binance_BTC-USDT_1h' as const }];
// The bundled file the checks replay: 585 real hourly candles.
const candles = readCandlesCsv(bundledCandlesPath('binance_BTC-USDT_1h')).candles;
const exchange = { slippage: { model: 'fixed' as const, bps: 0 }, volumeShare: null };

/**
 * The classic look-ahead bug: a feature computed over the whole data set before the run, here
 * whether the next candle closes higher (a `shift(-1)`), read by an assistant as if it were known.
 */
function peekingTeam(given: ReadonlyMap<string, readonly Candle[]>) {
  const series = given.get('BTC/USDT')!;
  const nextClose = new Map(series.map((candle, index) => [candle.timestamp, series[index + 1]?.close]));
  const peeker = defineAssistant({
    id: 'peeker',
    analyze: (snapshot) => {
      const last = snapshot.candles.at(-1)!;
      const next = nextClose.get(last.timestamp);
      const action = next === undefined ? 'HOLD' : next > last.close ? 'BUY' : 'SELL';
      return { assistantId: 'peeker', action, confidence: 0.8, reasoning: 'the next close' };
    },
  });
  const honest = defineAssistant({ id: 'honest', analyze: () => ({ assistantId: 'honest', action: 'HOLD', confidence: 0.1, reasoning: 'no view' }) });
  return { assistants: [peeker, honest] };
}

describe('checkLookahead', () => {
  it('finds none in the SMA crossover: every decision before each cut is made again exactly, and the report is the same on rerun', async () => {
    const report = await checkLookahead({ data, exchange });
    expect(report.ok).toBe(true);
    expect(report.decisions).toBeGreaterThan(10);
    expect(report.cuts).toHaveLength(4);
    // Spread over the data on the candle grid, each comparing more decisions than the one before.
    const first = candles[0]!.timestamp;
    for (const cut of report.cuts) {
      expect((cut.cut - first) % HOUR).toBe(0);
      expect(cut.divergence).toBeUndefined();
    }
    expect(report.cuts.map((cut) => cut.compared)).toEqual([...report.cuts.map((cut) => cut.compared)].sort((a, b) => a - b));
    expect(report.cuts[0]!.compared).toBeGreaterThan(0);
    expect(report.cuts.at(-1)!.compared).toBeLessThan(report.decisions);
    expect(await checkLookahead({ data, exchange })).toEqual(report);
  });

  it('catches a feature that read the next candle: the last decision before each cut changes, and the assistant is named', async () => {
    const report = await checkLookahead({ data, exchange, team: peekingTeam, riskLimits: { minConfidence: 0 } });
    expect(report.ok).toBe(false);
    expect(report.cuts).toHaveLength(4);
    for (const cut of report.cuts) {
      // The decision on the candle that closes at the cut: the full run knew the next close, the shortened one did not.
      expect(cut.divergence).toMatchObject({ index: cut.compared - 1, assistants: ['peeker'] });
      expect(cut.divergence!.fields).toEqual(expect.arrayContaining(['opinions']));
      expect(cut.divergence!.full!.time).toBe(cut.cut);
      expect(cut.divergence!.shortened!.time).toBe(cut.cut);
      expect(cut.divergence!.full!.opinions.find((opinion) => opinion.assistantId === 'peeker')!.action).not.toBe('HOLD');
      expect(cut.divergence!.shortened!.opinions.find((opinion) => opinion.assistantId === 'peeker')!.action).toBe('HOLD');
    }
    const text = formatLookaheadReport(report).split('\n');
    expect(text[0]).toBe(`Look-ahead check: FOUND. ${report.decisions} decisions in the full run; 4 shortened runs.`);
    const first = report.cuts[0]!;
    expect(text.slice(1, 4)).toEqual([
      `  cut ${new Date(first.cut).toISOString().slice(0, 16)} UTC: decision ${first.compared} of ${first.compared} differs (BTC/USDT at ${new Date(first.cut).toISOString().slice(0, 16)} UTC; ${first.divergence!.fields.join(', ')})`,
      expect.stringMatching(/^ {4}with the later candles: (BUY|SELL) \((BUY|SELL) proposed, confidence \d\.\d{3}\); without them: HOLD \(HOLD proposed, confidence \d\.\d{3}\)$/),
      '    opinions that changed: peeker',
    ]);
  });

  it('catches a trigger that fired on the future: the full run made a decision that the shortened run never convened', async () => {
    // The first candle followed by a rise of more than 1 %, and a cut right after it.
    const jump = candles.findIndex((candle, index) => index > 100 && candles[index + 1] !== undefined && candles[index + 1]!.close > candle.close * 1.01);
    expect(jump).toBeGreaterThan(0);
    const cut = candles[jump + 1]!.timestamp;
    const team = (given: ReadonlyMap<string, readonly Candle[]>) => {
      const series = given.get('BTC/USDT')!;
      const rises = new Set(series.filter((candle, index) => series[index + 1] !== undefined && series[index + 1]!.close > candle.close * 1.01).map((candle) => candle.timestamp));
      const trigger = (): Trigger => ({ update: (candle) => (rises.has(candle.timestamp) ? 'a rise is coming' : false) });
      return { assistants: [defineAssistant({ id: 'buyer', analyze: () => ({ assistantId: 'buyer', action: 'BUY', confidence: 1, reasoning: 'told to' }) })], trigger };
    };
    const report = await checkLookahead({ data, exchange, team, cuts: [cut] });
    expect(report.ok).toBe(false);
    const [result] = report.cuts;
    expect(result!.cut).toBe(cut);
    expect(result!.divergence).toMatchObject({ index: result!.compared - 1, fields: ['missing'], full: { time: cut, action: 'BUY' } });
    expect(result!.divergence!.shortened).toBeUndefined();
  });

  it('stops when aborted during a run, with ABORTED and no report', async () => {
    let seen = 0;
    let abortAt = Number.POSITIVE_INFINITY;
    const controller = new AbortController();
    // The abort comes between two decisions (from the trigger): the run under way ends early, without an error of its own.
    const team = () => ({
      assistants: [defineAssistant({ id: 'holder', analyze: () => ({ assistantId: 'holder', action: 'HOLD', confidence: 0.5, reasoning: 'holding' }) })],
      trigger: (): Trigger => ({ update: () => {
        seen += 1;
        if (seen === abortAt) controller.abort();
        return seen % 10 === 0 ? 'tenth candle' : false;
      } }),
    });
    await checkLookahead({ data, exchange, team, cuts: 1 });
    const fullRun = candles.length;
    // Ten candles into the shortened run, after the full one.
    seen = 0;
    abortAt = fullRun + 10;
    await expect(checkLookahead({ data, exchange, team, cuts: 1, signal: controller.signal })).rejects.toMatchObject({ code: 'ABORTED', message: 'The look-ahead check was aborted' });
    expect(seen).toBe(fullRun + 10);
  });

  it('spreads its cuts over the candles that trade when the run begins with a warm-up (tradeFrom)', async () => {
    const tradeFrom = candles[300]!.timestamp;
    const report = await checkLookahead({ data, exchange, tradeFrom });
    expect(report.ok).toBe(true);
    for (const cut of report.cuts) {
      expect(cut.cut).toBeGreaterThan(tradeFrom);
      expect(cut.compared).toBeGreaterThan(0);
    }
    await expect(checkLookahead({ data, tradeFrom: candles[580]!.timestamp, cuts: 4 })).rejects.toMatchObject({ issues: [{ path: ['cuts'], message: '4 cuts need more than 5 candles, the data has 5 after its warm-up' }] });
  });

  it('refuses cuts that cannot shorten the run, naming the option', async () => {
    const first = candles[0]!.timestamp;
    const last = candles.at(-1)!.timestamp;
    await expect(checkLookahead({ data, cuts: [] })).rejects.toMatchObject({ code: 'CONFIG_INVALID', issues: [{ path: ['cuts'], message: 'give at least one cut' }] });
    await expect(checkLookahead({ data, cuts: [first + HOUR, first] })).rejects.toMatchObject({ code: 'CONFIG_INVALID', issues: [{ path: ['cuts', 1], message: expect.stringContaining(`after the first candle opens (${first})`) }] });
    await expect(checkLookahead({ data, cuts: [last + HOUR] })).rejects.toMatchObject({ issues: [{ path: ['cuts', 0] }] });
    await expect(checkLookahead({ data, cuts: 0 })).rejects.toMatchObject({ issues: [{ path: ['cuts'], message: expect.stringContaining('received 0') }] });
    await expect(checkLookahead({ data, cuts: 600 })).rejects.toMatchObject({ issues: [{ path: ['cuts'], message: '600 cuts need more than 601 candles, the data has 585' }] });
  });
});
