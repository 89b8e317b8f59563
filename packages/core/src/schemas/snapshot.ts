import { z } from 'zod';
import { candleSchema, newsItemSchema, orderBookSchema, tickerSchema, timeframeSchema, timeframeToMs } from './market.js';
import { predictionSchema } from './decision.js';
import { portfolioSchema, riskLimitsSchema } from './trading.js';

/**
 * Everything the assistants may look at for one decision. `candles` holds closed candles only,
 * oldest first: the engine never includes a candle that closes after `timestamp`.
 */
export const marketSnapshotSchema = z
  .object({
    /** Unified symbol, e.g. `BTC/USDT`. */
    symbol: z.string().min(1),
    /** Timeframe of `candles`. */
    timeframe: timeframeSchema,
    /** Decision time, UTC milliseconds. */
    timestamp: z.number().int().nonnegative(),
    /** Closed candles, oldest first, at least one. */
    candles: z.array(candleSchema).min(1),
    /** Latest ticker, when known. */
    ticker: tickerSchema.optional(),
    /** Latest order book, when known. */
    orderBook: orderBookSchema.optional(),
    /** Recent news and social posts. */
    news: z.array(newsItemSchema).default([]),
    /** Relative change of the market capitalisation over the last day, when known. */
    marketCapChange: z.number().finite().optional(),
    /** The trader's portfolio at decision time, when known. */
    portfolio: portfolioSchema.optional(),
    /** The hard risk limits in force. */
    riskLimits: riskLimitsSchema.optional(),
    /** A machine-learning forecast, when a predictor is configured. */
    prediction: predictionSchema.optional(),
  })
  .superRefine((snapshot, context) => {
    const length = timeframeToMs(snapshot.timeframe);
    let previous = -1;
    snapshot.candles.forEach((candle, index) => {
      if (candle.timestamp <= previous) {
        context.addIssue({ code: 'custom', path: ['candles', index, 'timestamp'], message: 'candles must be in strictly increasing time order' });
      }
      if (candle.timestamp + length > snapshot.timestamp) {
        context.addIssue({ code: 'custom', path: ['candles', index, 'timestamp'], message: `candle closes at ${candle.timestamp + length}, after the decision time ${snapshot.timestamp}` });
      }
      previous = candle.timestamp;
    });
  });
export type MarketSnapshot = z.infer<typeof marketSnapshotSchema>;
export type MarketSnapshotInput = z.input<typeof marketSnapshotSchema>;
