export { CryptoPanicSource, type CryptoPanicSourceSettings } from './cryptopanic-source.js';
export { FeedSource, type FeedSourceSettings } from './feed-source.js';
export { FINANCIAL_LEXICON } from './financial-lexicon.js';
export { createLexiconScorer, LexiconScorer, type LexiconScorerSettings, type SentimentScore } from './lexicon-scorer.js';
export { headlineScoresSchema, scoreHeadlinesWithModel } from './model-scorer.js';
export type { HttpSourceSettings, NewsQuery, NewsSource } from './news-source.js';
