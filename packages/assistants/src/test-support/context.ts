import { SimulatedClock, type AssistantContext } from '@ia-agents/core';
import { buildSnapshot } from '@ia-agents/core/testing';
import type { Candle, MarketSnapshot, MarketSnapshotInput } from '@ia-agents/core';
import { loadCandles } from './fixtures.js';

/** A context for calling an assistant directly, without a model (test-only helper). */
export function ruleContext(round = 1): AssistantContext {
  return {
    decisionId: 'test-decision',
    round,
    signal: new AbortController().signal,
    clock: new SimulatedClock(0),
    hasModel: false,
    generate: () => Promise.reject(new Error('no model in this context')),
  };
}

let coinbase: Candle[] | undefined;

/** A snapshot of the 200 Coinbase BTC-USD 4h candles that close at or before `end` (ISO). */
export function coinbaseSnapshot(end: string, overrides: Partial<MarketSnapshotInput> = {}, count = 200): MarketSnapshot {
  coinbase ??= loadCandles('coinbase_BTC-USD_4h');
  const index = coinbase.findIndex((candle) => candle.timestamp >= Date.parse(end));
  return buildSnapshot({ symbol: 'BTC/USD', timeframe: '4h', candles: coinbase.slice(index - count, index), ...overrides });
}

/** The whole Coinbase BTC-USD 4h series. */
export function coinbaseCandles(): Candle[] {
  coinbase ??= loadCandles('coinbase_BTC-USD_4h');
  return coinbase;
}
