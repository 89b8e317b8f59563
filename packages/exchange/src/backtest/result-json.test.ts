import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { defineAssistant, type Assistant, type Candle } from '@ia-agents/core';
import { backtestResultToJson, runBacktest, type BacktestOptions } from './run-backtest.js';

const HOUR = 3_600_000;

function wave(count: number, phase = 0, start = 0): Candle[] {
  return Array.from({ length: count }, (_, index) => {
    const open = 100 + 20 * Math.sin((index + phase) / 15);
    const close = 100 + 20 * Math.sin((index + phase + 1) / 15);
    return { timestamp: (start + index) * HOUR, open, close, high: Math.max(open, close) + 0.5, low: Math.min(open, close) - 0.5, volume: 1_000 };
  });
}

/** Buys three decisions in seven and sells the rest: trades often, in every symbol. */
function flipper(): Assistant {
  let calls = 0;
  return defineAssistant({ id: 'flip', analyze: (snapshot) => ({ assistantId: 'flip', action: calls++ % 7 < 3 ? 'BUY' : 'SELL', confidence: 1, reasoning: `flip ${snapshot.symbol}` }) });
}

/**
 * The whole JSON of each run, pinned by its sha256: the equity sampling, metrics and chart series
 * are tuned for speed, and none of that may change a byte of a result. Runs cover one and several
 * markets, markets starting, ending and missing candles at different times (buy-and-hold values
 * a market at its cash share until its first candle), a from/to range, fills at the signal close,
 * a risk-free rate, down-sampled and full chart series, and a single candle.
 */
const runs: Record<string, { options: () => BacktestOptions; sha256: string }> = {
  'bundled Binance 1h, default strategy': {
    options: () => ({ data: [{ bundled: 'binance_BTC-USDT_1h' }] }),
    sha256: 'b310a9147ea483065ddbc5323eae80bf69cd1cf1fdfe89fd35f0438e1b22ab0c',
  },
  'bundled Coinbase 4h (the default), default strategy': {
    options: () => ({}),
    sha256: 'ce06528350d37bc1c738541cead6635f41db1b254a34d748099ef204216d656a',
  },
  'bundled Coinbase 1h, risk-free rate, 77 chart points, odd cash': {
    options: () => ({ data: [{ bundled: 'coinbase_BTC-USD_1h' }], riskFreeRate: 0.03, chartPoints: 77, initialCash: 1234.5 }),
    sha256: '9e908ec621941ad708dbf766285e962991d25567e68432aa70d0947ab31d3059',
  },
  'two markets, the second starting later with missing candles': {
    options: () => ({
      data: [
        { symbol: 'AAA/USD', candles: wave(300), timeframe: '1h' },
        { symbol: 'BBB/USD', candles: wave(200, 40, 50).filter((_, index) => index % 37 !== 5), timeframe: '1h' },
      ],
      assistants: [flipper()],
      riskLimits: { maxPositionFraction: 0.4, minConfidence: 0 },
      chartPoints: 40,
    }),
    sha256: 'd1a5d9b386f0c2c0bb901044e021c8730a5e2dbd4d30cc9224a1d13f033fecd0',
  },
  'three markets cut by from/to, filled at the signal close': {
    options: () => ({
      data: [
        { symbol: 'AAA/USD', candles: wave(300), timeframe: '1h' },
        { symbol: 'BBB/USD', candles: wave(100, 3, 250), timeframe: '1h' },
        { symbol: 'CCC/USD', candles: wave(30, 9), timeframe: '1h' },
      ],
      from: 20 * HOUR,
      to: 280 * HOUR,
      assistants: [flipper()],
      riskLimits: { maxPositionFraction: 0.3, minConfidence: 0 },
      exchange: { fill: 'signal-close' },
    }),
    sha256: '901607a64b40ea79f174a9c47c78ca257b0f36813b8f97c338aa0a3c3e123ec9',
  },
  'one candle': {
    options: () => ({ data: [{ symbol: 'AAA/USD', candles: wave(1), timeframe: '1h' }] }),
    sha256: 'c71c56f6dde1de44d4ac67b8bc36a9015cf6e3ed71afb81aa575c6473d1408e6',
  },
  'every candle in the chart series': {
    options: () => ({ data: [{ symbol: 'AAA/USD', candles: wave(40), timeframe: '1h' }], chartPoints: 20, assistants: [flipper()], riskLimits: { minConfidence: 0 } }),
    sha256: '72a0d68bb20116bf36059bc40c48f66dc6932b4d564a74e050fa49674204dcd6',
  },
};

describe('backtest result JSON', () => {
  for (const [name, { options, sha256 }] of Object.entries(runs)) {
    it(`is unchanged: ${name}`, async () => {
      const json = backtestResultToJson(await runBacktest(options()));
      expect(createHash('sha256').update(json).digest('hex')).toBe(sha256);
    });
  }
});
