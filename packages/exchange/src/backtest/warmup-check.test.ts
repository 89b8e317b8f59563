import { describe, expect, it } from 'vitest';
import type { Candle, Trigger, TriggerFactory } from '@ia-agents/core';
import { readCandlesCsv } from '../feeds/candle-series.js';
import { bundledCandlesPath } from '../bundled-data.js';
import { createSmaCrossover } from '../strategies/sma-crossover.js';
import { checkWarmup, formatWarmupReport } from './warmup-check.js';

const HOUR = 3_600_000;
const data = [{ bundled: 'binance_BTC-USDT_1h' as const }];
const candles = readCandlesCsv(bundledCandlesPath('binance_BTC-USDT_1h')).candles;

/** Fires on a close above the highest of the 20 before it (a finite memory: 20 candles). */
const breakout: TriggerFactory = () => {
  const highs: number[] = [];
  return {
    update: (candle: Candle) => {
      const fired = highs.length === 20 && candle.close > Math.max(...highs) ? 'breakout' : false;
      highs.push(candle.high);
      if (highs.length > 20) highs.shift();
      return fired;
    },
  };
};

/** Fires on every 5th rising candle counted since it began: its phase depends on all the history. */
const everyFifthRise: TriggerFactory = (): Trigger => {
  let rises = 0;
  return { update: (candle) => (candle.close > candle.open && ++rises % 5 === 0 ? 'fifth rise' : false) };
};

describe('checkWarmup', () => {
  it('finds the SMA(10)/SMA(30) crossover convening the team at the same candles after a live start with 30 candles of warm-up', () => {
    const report = checkWarmup({ data, trigger: createSmaCrossover().trigger, warmup: 30 });
    expect(report).toMatchObject({ ok: true, warmup: 30 });
    expect(report.starts).toHaveLength(4);
    for (const start of report.starts) {
      expect(start).toMatchObject({ symbol: 'BTC/USDT', differing: 0 });
      expect(start.first).toBeUndefined();
      expect(start.convened).toBeGreaterThan(0);
      expect(start.compared).toBe(candles.length - candles.findIndex((candle) => candle.timestamp === start.start));
    }
    expect(report.starts.map((start) => start.start)).toEqual([...report.starts.map((start) => start.start)].sort((a, b) => a - b));
  });

  it('shows a warm-up shorter than the memory of the trigger: answers differ just after the start and agree from the 20th candle on', () => {
    const short = checkWarmup({ data, trigger: breakout, warmup: 5 });
    expect(short.ok).toBe(false);
    const differing = short.starts.filter((start) => start.differing > 0);
    expect(differing.length).toBeGreaterThan(0);
    for (const start of differing) {
      // Started 5 candles early, it has not seen 20 highs for the first 15 candles: silent where the full history fired.
      expect(start.first).toMatchObject({ full: 'breakout', started: false });
      expect(start.last!.time - start.start).toBeLessThan(15 * HOUR);
    }
    const text = formatWarmupReport(short).split('\n');
    expect(text[0]).toBe('Warm-up check (5 candles before a live start): a start convenes it elsewhere.');
    const at = (time: number) => new Date(time).toISOString().slice(0, 16);
    const shown = differing[0]!;
    expect(text).toContain(`  BTC/USDT from ${at(shown.start)} UTC: ${shown.differing} of ${shown.compared} candles differ, the last at ${at(shown.last!.time)} UTC`);
    expect(text).toContain(`    first at ${at(shown.first!.time)} UTC: with all the history convened (breakout); after the warm-up not convened`);
    const enough = checkWarmup({ data, trigger: breakout, warmup: 20 });
    expect(enough.ok).toBe(true);
    expect(formatWarmupReport(enough).split('\n')[1]).toMatch(/^ {2}BTC\/USDT from \S+ UTC: the same on all \d+ candles \(\d+ convened\)$/);
  });

  it('shows a trigger whose state reaches back to its first candle: a late start never falls back in step', () => {
    // Starts whose warm-up begins after a number of rises that is no multiple of 5: out of phase.
    const risesBefore = (position: number) => candles.slice(0, position).filter((candle) => candle.close > candle.open).length;
    const starts = [250, 300, 350, 400].filter((position) => risesBefore(position - 200) % 5 !== 0).map((position) => candles[position]!.timestamp);
    expect(starts.length).toBeGreaterThan(1);
    const report = checkWarmup({ data, trigger: everyFifthRise, warmup: 200, starts });
    expect(report.ok).toBe(false);
    for (const start of report.starts) {
      expect(start.differing).toBeGreaterThan(10);
      expect(start.last!.time).toBeGreaterThan(candles.at(-50)!.timestamp);
    }
  });

  it('takes start times, and names a bad option', () => {
    const at = candles[300]!.timestamp;
    expect(checkWarmup({ data, warmup: 30, starts: [at] }).starts).toMatchObject([{ start: at, compared: candles.length - 300 }]);
    expect(() => checkWarmup({ data, warmup: -1 })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', issues: [{ path: ['warmup'], message: 'expected a whole number of candles (0 or more), received -1' }] }));
    expect(() => checkWarmup({ data, warmup: 30, starts: [at, at + 1] })).toThrow(expect.objectContaining({ issues: [{ path: ['starts', 1], message: `no candle opens at ${at + 1}` }] }));
    expect(() => checkWarmup({ data, warmup: 400, starts: [at] })).toThrow(expect.objectContaining({ issues: [{ path: ['starts', 0], message: `the start at ${at} has 300 candles before it, fewer than the warm-up of 400` }] }));
    expect(() => checkWarmup({ data, starts: 0 })).toThrow(expect.objectContaining({ issues: [{ path: ['starts'], message: expect.stringContaining('received 0') }] }));
    expect(() => checkWarmup({ data, warmup: 500, starts: 100 })).toThrow(expect.objectContaining({ issues: [{ path: ['starts'], message: '100 starts after a warm-up of 500 need more than 601 candles, the data has 585' }] }));
  });
});
