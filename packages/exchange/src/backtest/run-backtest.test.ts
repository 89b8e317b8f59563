import { describe, expect, it } from 'vitest';
import { defineAssistant, type Candle } from '@ia-agents/core';
import { backtestResultToJson, runBacktest, type BacktestProgress } from './run-backtest.js';
import { formatBacktestSummary, renderBacktestReport } from './report-html.js';

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
    // Bought at the first open (7986.86) paying the 0.1 % taker fee, valued at the last close (7457.86).
    const held = ((10_000 * 0.999) / 7986.86) * 7457.86;
    expect(first.buyAndHold).toMatchObject({ initialEquity: 10_000, trades: 0, winRate: null, profitFactor: null, exposure: 1, fills: 1 });
    expect(first.buyAndHold.finalEquity).toBeCloseTo(held, 6);
    expect(first.buyAndHold.totalReturn).toBeCloseTo(held / 10_000 - 1, 12);
    expect(first.buyAndHold.feesPaid).toBeCloseTo(10, 12);
    expect(progress.at(-1)).toEqual({ processed: 585, total: 585, fraction: 1 });
    expect(progress.length).toBeGreaterThan(50);
  });

  it('fills at the next open by default: the team sees only closed candles, and an order decided on candle k fills at the open of k + 1', async () => {
    // Each open is 1 away from the previous close, so a fill at the signal's close would show.
    const candles = wave(300).map((candle, index) => ({ ...candle, open: candle.open + (index % 2 === 0 ? 1 : -1), high: candle.high + 1, low: candle.low - 1 }));
    const plan = new Map<number, 'BUY' | 'SELL'>([[50, 'BUY'], [80, 'SELL'], [120, 'BUY'], [200, 'SELL']]);
    const seen: { decidedAt: number; lastCandle: number }[] = [];
    const trader = defineAssistant({
      id: 'planned',
      analyze: (snapshot) => {
        const last = snapshot.candles.at(-1)!;
        seen.push({ decidedAt: snapshot.timestamp, lastCandle: last.timestamp });
        return { assistantId: 'planned', action: plan.get(last.timestamp / HOUR) ?? 'HOLD', confidence: 1, reasoning: 'planned' };
      },
    });
    const result = await runBacktest({ data: [{ symbol: 'WAV/USD', candles, timeframe: '1h' }], assistants: [trader], riskLimits: { minConfidence: 0 }, exchange: { slippage: { model: 'fixed', bps: 0 }, volumeShare: null } });
    expect(seen).toHaveLength(300);
    for (const { decidedAt, lastCandle } of seen) expect(lastCandle + HOUR).toBeLessThanOrEqual(decidedAt);
    expect(result.fills.map((fill) => [fill.side, fill.timestamp / HOUR, fill.price])).toEqual([
      ['buy', 51, candles[51]!.open],
      ['sell', 81, candles[81]!.open],
      ['buy', 121, candles[121]!.open],
      ['sell', 201, candles[201]!.open],
    ]);
  });

  it('reports the final balances by asset: the cash and holding its fills leave, the holding locked under its protective orders, worth the final equity', async () => {
    const candles = wave(300);
    const plan = new Map<number, 'BUY' | 'SELL'>([[50, 'BUY'], [80, 'SELL'], [200, 'BUY']]);
    const trader = defineAssistant({ id: 'planned', analyze: (snapshot) => ({ assistantId: 'planned', action: plan.get(snapshot.candles.at(-1)!.timestamp / HOUR) ?? 'HOLD', confidence: 1, reasoning: 'planned' }) });
    // Exits far out of the wave's range: placed with each entry, never triggered.
    const exits = defineAssistant({ id: 'exits', analyze: () => ({ assistantId: 'exits', action: 'HOLD', confidence: 1, abstain: true, reasoning: 'far exits', plan: { stopLoss: 10, takeProfit: 1_000 } }) });
    const result = await runBacktest({ data: [{ symbol: 'WAV/USD', candles, timeframe: '1h' }], assistants: [trader, exits], riskLimits: { minConfidence: 0 } });
    expect(result.fills.map((fill) => fill.side)).toEqual(['buy', 'sell', 'buy']);
    let [usd, wav] = [10_000, 0];
    for (const fill of result.fills) {
      const sign = fill.side === 'buy' ? 1 : -1;
      [usd, wav] = [usd - sign * fill.price * fill.amount, wav + sign * fill.amount];
      if (fill.fee.currency === 'USD') usd -= fill.fee.cost;
      else wav -= fill.fee.cost;
    }
    expect(Object.keys(result.balances)).toEqual(['USD', 'WAV']);
    expect(result.balances.USD).toEqual({ free: expect.closeTo(usd, 8), used: 0, total: expect.closeTo(usd, 8) });
    expect(result.balances.WAV).toEqual({ free: 0, used: expect.closeTo(wav, 12), total: expect.closeTo(wav, 12) });
    expect(result.metrics.finalEquity).toBeCloseTo(usd + wav * candles.at(-1)!.close, 6);
    expect((JSON.parse(backtestResultToJson(result)) as { balances: unknown }).balances).toEqual(result.balances);
  });

  it('uses the bundled Coinbase BTC/USD 4h candles and the SMA(10)/SMA(30) crossover when nothing is named', async () => {
    const result = await runBacktest({ to: Date.UTC(2017, 0, 1) });
    expect(result).toMatchObject({ symbols: ['BTC/USD'], timeframe: '4h', quoteCurrency: 'USD', start: Date.UTC(2016, 4, 18, 4) });
    expect(result.engine.decisions).toBeGreaterThan(0);
    expect(result.metrics.fills).toBeGreaterThan(0);
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
    await expect(runBacktest({ data: [{ bundled: 'binance_ETH-USDT_1h' as 'binance_BTC-USDT_1h' }] })).rejects.toThrow(/name: unknown "binance_ETH-USDT_1h"; one of coinbase_BTC-USD_4h, coinbase_BTC-USD_1h, binance_BTC-USDT_1h/);
  });

  it('refuses a model that learnt from the candles it would trade (or later ones), and runs one trained before them, its forecast in the snapshots', async () => {
    const forecasts: (string | undefined)[] = [];
    const reader = defineAssistant({ id: 'reader', analyze: (snapshot) => (forecasts.push(snapshot.prediction?.modelId), { assistantId: 'reader', action: 'HOLD', confidence: 0.5, reasoning: 'reads the forecast' }) });
    // A model whose last training row is the candle opening at hour 99, labels 3 candles ahead: it knows up to hour 102.
    const model = (lastCandle: number) => ({ specificationVersion: 'v1' as const, id: 'fixed', lookback: 5, training: { firstCandle: 0, lastCandle, horizon: 3 }, predict: () => ({ action: 'BUY' as const, confidence: 0.6, probabilities: { up: 0.5, down: 0.3, flat: 0.2 }, expectedReturn: 0.01, risk: 0.02, horizon: 3, modelId: 'fixed' }) });
    const data = [{ symbol: 'W/USD', candles: wave(200) }];
    await expect(runBacktest({ data, assistants: [reader], predictor: model(99 * HOUR) })).rejects.toMatchObject({ code: 'CONFIG_INVALID', issues: [{ path: ['predictor'], message: 'the model fixed learnt from the candles of 1970-01-01 00:00 to 1970-01-05 06:00 UTC (its last training row and 3 candle(s) of label), and trading starts at 1970-01-01 00:00: it would trade on a future the model has seen. Trade after 1970-01-05 06:00 (from, tradeFrom), or train on earlier candles' }] });
    // Trading from the candle opening at hour 102 (it closes after tradeFrom): still a candle the model learnt.
    await expect(runBacktest({ data, assistants: [reader], predictor: model(99 * HOUR), tradeFrom: 102 * HOUR })).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    // From hour 103 on (the candles before are warm-up), or from a later start: the model has not seen them.
    const after = await runBacktest({ data, assistants: [reader], predictor: model(99 * HOUR), tradeFrom: 103 * HOUR });
    expect(after.engine.decisions).toBe(97);
    expect(new Set(forecasts)).toEqual(new Set(['fixed']));
    await expect(runBacktest({ data, assistants: [reader], predictor: model(99 * HOUR), from: 103 * HOUR })).resolves.toMatchObject({ candles: 97 });
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
    expect(html).toContain(`<tr><th>Fees paid</th><td>${result.metrics.feesPaid.toFixed(2)} USDT</td><td>10.00 USDT</td></tr>`);
  });

  it('summarises every metric beside buy-and-hold as text', async () => {
    const result = await runBacktest({ data: [{ bundled: 'binance_BTC-USDT_1h' }] });
    const lines = formatBacktestSummary(result).split('\n');
    expect(lines[0]).toBe('BTC/USDT 1h, 2019-09-30T12:00 -> 2019-10-24T21:00 UTC, 585 candles');
    expect(lines.slice(2).map((line) => line.split(/ {2,}/)[0])).toEqual(['Final equity', 'Total return', 'CAGR', 'Annualised volatility', 'Sharpe', 'Sortino', 'Calmar', 'Max drawdown', 'Max drawdown duration', 'Round trips', 'Win rate', 'Profit factor', 'Exposure', 'Fills', 'Fees paid', 'Decisions', 'Data gaps']);
    expect(lines.find((line) => line.startsWith('Exposure'))).toMatch(/ 100\.00 %$/);
  });
});
