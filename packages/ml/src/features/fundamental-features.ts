import type { NewsItem } from '@ia-agents/core';

/** Names of the optional fundamental features, in column order. Each value has a `_missing` flag. */
export const FUNDAMENTAL_FEATURES = [
  'news_sentiment',
  'news_sentiment_missing',
  'social_sentiment',
  'social_sentiment_missing',
  'market_cap_change',
  'market_cap_change_missing',
] as const;

/** One observation of the market-capitalisation change. */
export interface MarketCapObservation {
  /** When it was observed, UTC milliseconds. */
  timestamp: number;
  /** Relative change over the last day, e.g. 0.02 for +2 %. */
  change: number;
}

/** Fundamental data that goes with the candles, when known. */
export interface FundamentalData {
  /** News and social items; only those with a `sentiment` score count. */
  news?: readonly NewsItem[];
  /** Market-cap change observations, any order. */
  marketCap?: readonly MarketCapObservation[];
}

/**
 * Mean sentiment of the items of one kind published in `(closeTime - windowMs, closeTime]` of each
 * candle, NaN when there is none: an empty window is missing, not neutral.
 */
function windowedSentiment(closeTimes: Float64Array, items: readonly NewsItem[], kind: NewsItem['kind'], windowMs: number): Float64Array {
  const scored = items.filter((item) => item.kind === kind && item.sentiment !== undefined).sort((a, b) => a.publishedAt - b.publishedAt);
  const out = new Float64Array(closeTimes.length).fill(Number.NaN);
  let start = 0;
  let end = 0;
  let sum = 0;
  for (let i = 0; i < closeTimes.length; i++) {
    const close = closeTimes[i]!;
    while (end < scored.length && scored[end]!.publishedAt <= close) sum += scored[end++]!.sentiment!;
    while (start < end && scored[start]!.publishedAt <= close - windowMs) sum -= scored[start++]!.sentiment!;
    if (end > start) out[i] = sum / (end - start);
  }
  return out;
}

/** The latest market-cap change observed at or before each close and not older than `windowMs`, else NaN. */
function latestMarketCap(closeTimes: Float64Array, observations: readonly MarketCapObservation[], windowMs: number): Float64Array {
  const sorted = [...observations].sort((a, b) => a.timestamp - b.timestamp);
  const out = new Float64Array(closeTimes.length).fill(Number.NaN);
  let next = 0;
  for (let i = 0; i < closeTimes.length; i++) {
    while (next < sorted.length && sorted[next]!.timestamp <= closeTimes[i]!) next++;
    const latest = sorted[next - 1];
    if (latest !== undefined && latest.timestamp > closeTimes[i]! - windowMs) out[i] = latest.change;
  }
  return out;
}

function missingFlags(values: Float64Array): Float64Array {
  return values.map((value) => (Number.isNaN(value) ? 1 : 0));
}

/** Computes the fundamental feature columns for candles closing at `closeTimes`. */
export function computeFundamentalColumns(closeTimes: Float64Array, data: FundamentalData, windowMs: number): Record<(typeof FUNDAMENTAL_FEATURES)[number], Float64Array> {
  const news = windowedSentiment(closeTimes, data.news ?? [], 'news', windowMs);
  const social = windowedSentiment(closeTimes, data.news ?? [], 'social', windowMs);
  const marketCap = latestMarketCap(closeTimes, data.marketCap ?? [], windowMs);
  return {
    news_sentiment: news,
    news_sentiment_missing: missingFlags(news),
    social_sentiment: social,
    social_sentiment_missing: missingFlags(social),
    market_cap_change: marketCap,
    market_cap_change_missing: missingFlags(marketCap),
  };
}
