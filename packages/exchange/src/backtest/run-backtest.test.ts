import { describe, expect, it } from 'vitest';
import { defineAssistant, type Candle } from '@ia-agents/core';
import { backtestResultToJson, runBacktest, type BacktestProgress } from './run-backtest.js';
import { renderBacktestReport } from './report-html.js';

const HOUR = 3_600_000;

function wave(count: number, phase = 0): Candle[] {
  return Array.from({ length: count }, (_, index) => {
    const open = 100 + 20 * Math.sin((index + phase) / 15);
    const close = 100 + 20 * Math.sin((index + phase + 1) / 15);
    return { timestamp: index * HOUR, open, close, high: Math.max(open, close) + 0.5, low: Math.min(open, close) - 0.5, volume: 1_000 };
  });
}

describe('runBacktest', () => {
  it('runs the default strategy on the bundled data and gives byte-identical JSON on rerun', async () => {
    const progress: BacktestProgress[] = [];
    const first = await runBacktest({ data: [{ bundled: 'binance_BTC-USDT_1h' }], onProgress: (update) => progress.push(update) });
    const second = await runBacktest({ data: [{ bundled: 'binance_BTC-USDT_1h' }] });
    expect(backtestResultToJson(second)).toBe(backtestResultToJson(first));
    expect(first).toMatchObject({ symbols: ['BTC/USDT'], timeframe: '1h', quoteCurrency: 'USDT', candles: 585, gaps: 0 });
    expect(first.metrics.initialEquity).toBe(10_000);
    expect(first.metrics.fills).toBeGreaterThan(0);
    // Bought at the first open (7986.86), valued at the last close (7457.86).
    expect(first.buyAndHold.finalEquity).toBeCloseTo((10_000 / 7986.86) * 7457.86, 6);
    expect(progress.at(-1)).toEqual({ processed: 585, total: 585, fraction: 1 });
    expect(progress.length).toBeGreaterThan(50);
  });

  it('fills at the next open by default: no trade uses the price of the candle it was decided on', async () => {
    const candles = wave(300);
    const result = await runBacktest({ data: [{ symbol: 'WAV/USD', candles, timeframe: '1h' }], exchange: { slippage: { model: 'fixed', bps: 0 }, volumeShare: null } });
    expect(result.fills.length).toBeGreaterThan(2);
    for (const fill of result.fills) {
      const candle = candles.find((candidate) => candidate.timestamp === fill.timestamp)!;
      expect(fill.price).toBe(candle.open);
    }
  });

  it('trades several symbols in one run and values them in the shared quote currency', async () => {
    const buyer = defineAssistant({ id: 'always-buy', analyze: (snapshot) => ({ assistantId: 'always-buy', action: 'BUY', confidence: 1, reasoning: `buy ${snapshot.symbol}` }) });
    const result = await runBacktest({
      data: [{ symbol: 'AAA/USD', candles: wave(50), timeframe: '1h' }, { symbol: 'BBB/USD', candles: wave(50, 40), timeframe: '1h' }],
      assistants: [buyer],
      riskLimits: { maxPositionFraction: 0.4, minConfidence: 0 },
    });
    expect(new Set(result.fills.map((fill) => fill.symbol))).toEqual(new Set(['AAA/USD', 'BBB/USD']));
    expect(result.candles).toBe(100);
    expect(result.series.time).toHaveLength(50);
  });

  it('refuses symbols with different quote currencies and bad numbers, naming the field', async () => {
    await expect(runBacktest({ data: [{ symbol: 'A/USD', candles: wave(5) }, { symbol: 'B/EUR', candles: wave(5) }] })).rejects.toThrow(/data: all symbols must share one quote currency, got USD, EUR/);
    await expect(runBacktest({ initialCash: -1 })).rejects.toThrow(/initialCash/);
  });

  it('writes a self-contained HTML report with the chart library inlined', async () => {
    const result = await runBacktest({ data: [{ bundled: 'binance_BTC-USDT_1h' }] });
    const html = renderBacktestReport(result, { title: 'BTC <test>' });
    expect(html).toContain('<title>BTC &#60;test&#62;</title>');
    expect(html).toMatch(/var uPlot=|uPlot=function|function uPlot/);
    expect(html).not.toMatch(/<script[^>]+src=/);
    expect(html).not.toMatch(/<link[^>]+href=/);
    const data = JSON.parse(/<script id="report-data" type="application\/json">(.*?)<\/script>/s.exec(html)![1]!) as { equity: number[][] };
    expect(data.equity[1]).toEqual(result.series.equity);
    expect(renderBacktestReport(result, { title: 'BTC <test>' })).toBe(html);
  });
});
