export { PaperExchange, createPaperExchange } from './paper/paper-exchange.js';
export { paperExchangeOptionsSchema, slippageSchema, type PaperExchangeOptions, type Slippage, type SlippageInput } from './paper/paper-options.js';
export { paperStateSchema, type PaperExchangeState } from './paper/paper-state.js';
export { checkCandles, parseCandlesCsv, readCandlesCsv, timeframeFromName, type CandleGap, type CandleSeries, type ParseCandlesOptions, type RowSource } from './feeds/candle-series.js';
export { createReplayFeed, replayFeedOptionsSchema, type ReplayFeed, type ReplayFeedOptions } from './feeds/replay-feed.js';
export { bundledCandles, bundledCandlesInfo, bundledCandlesPath, defaultBundledCandles, type BundledCandles, type BundledCandlesName } from './bundled-data.js';
export { roundToStep } from './util/precision.js';
