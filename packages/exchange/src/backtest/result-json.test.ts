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
    sha256: 'add9f27ce3c995c1248126cb6caf91421e73eaead787bbf78820d5060ac86a94',
  },
  'bundled Coinbase 4h (the default), default strategy': {
    options: () => ({}),
    sha256: '56dc7e0dbe77677ac415a2e2d69653d023ed2a5e81086120b001650aee1e1da9',
  },
  'bundled Coinbase 1h, risk-free rate, 77 chart points, odd cash': {
    options: () => ({ data: [{ bundled: 'coinbase_BTC-USD_1h' }], riskFreeRate: 0.03, chartPoints: 77, initialCash: 1234.5 }),
    sha256: 'a681c4ee579c4c66b981a5693bdafd09035640e1dfbe178ed40b287d6579f729',
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
    sha256: 'f1387cc721237b4a727093c83ab8fcca980d037ba3a44f266e88442d59f29e90',
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
    sha256: 'f2c2c26f76e2b88a0eb2a1203e259de22a909e42562f151fbffcaa76762f6d76',
  },
  'one candle': {
    options: () => ({ data: [{ symbol: 'AAA/USD', candles: wave(1), timeframe: '1h' }] }),
    sha256: 'f90df7350db3c38cfe2c8dff20827738088e766f8e823650cdc920e063afb3ec',
  },
  'every candle in the chart series': {
    options: () => ({ data: [{ symbol: 'AAA/USD', candles: wave(40), timeframe: '1h' }], chartPoints: 20, assistants: [flipper()], riskLimits: { minConfidence: 0 } }),
    sha256: '3a085725f6afd1847886d7ccf6715a74cb1eb913e95ad604d9d5908ef9be323b',
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
