import { ExchangeError, type Candle, type OrderBook, type Ticker } from '@ia-agents/core';
import type { SymbolState } from './paper-order.js';

/**
 * What the paper exchange answers about the market from what it has been handed (candles and
 * order books). Each returns undefined when it has nothing, so the exchange can ask its
 * market-data source instead.
 */

/** Ticker from the latest candle (and book). */
export function tickerFrom(state: SymbolState | undefined, now: number): Ticker | undefined {
  if (state?.last === undefined) return undefined;
  const bid = state.book?.bids[0]?.[0];
  const ask = state.book?.asks[0]?.[0];
  return { symbol: state.symbol, timestamp: now, last: state.last.close, baseVolume: state.last.volume, ...(bid === undefined ? {} : { bid }), ...(ask === undefined ? {} : { ask }) };
}

/** The latest order book, cut to `limit` levels a side. */
export function orderBookFrom(state: SymbolState | undefined, limit: number | undefined): OrderBook | undefined {
  const book = state?.book;
  return book === undefined ? undefined : { ...book, bids: book.bids.slice(0, limit), asks: book.asks.slice(0, limit) };
}

/** Copies of the recent candles (the ring holds the last `historyLimit`), from `since`, at most `limit`. */
export function candlesFrom(state: SymbolState | undefined, since: number | undefined, limit: number | undefined): Candle[] | undefined {
  if (state === undefined || state.history.size === 0) return undefined;
  const seen = state.history.toArray().filter((candle) => since === undefined || candle.timestamp >= since);
  return (limit === undefined ? seen : seen.slice(0, limit)).map((candle) => ({ ...candle }));
}

/** The error when neither the exchange nor a market-data source knows a symbol. */
export function noMarketData(what: string, symbol: string): ExchangeError {
  return new ExchangeError('MARKET_NOT_FOUND', `paper exchange has ${what} of ${symbol}`, { details: { symbol } });
}
