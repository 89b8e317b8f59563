import Sentiment from 'sentiment';
import { FINANCIAL_LEXICON } from './financial-lexicon.js';

/** A text's sentiment: a score in [-1, 1], its label, and the words that produced it. */
export interface SentimentScore {
  /** Score in [-1, 1]; negative is bearish. */
  score: number;
  /** Label from the score and the neutral band. */
  label: 'bullish' | 'bearish' | 'neutral';
  /** Words that carried a valence (as the lexicon saw them). */
  words: string[];
}

/** Settings of a LexiconScorer. */
export interface LexiconScorerSettings {
  /** Extra or overriding word valences (AFINN scale -5..5), merged over the financial lexicon. */
  extras?: Record<string, number>;
  /** Scores within (-band, band) are labelled neutral. @default 0.3 */
  neutralBand?: number;
  /**
   * Weight of general-language AFINN words (good, great, crisis...) relative to the market
   * vocabulary of the financial lexicon, which always counts fully. @default 0.5
   */
  generalWeight?: number;
}

/**
 * Scores headlines with AFINN-165 (the `sentiment` package) plus a financial lexicon: general-language words
 * count half, market words fully, and the summed valence is squashed with tanh(sum / 4) into [-1, 1]. Deterministic, no model needed.
 * @example
 * const scorer = createLexiconScorer();
 * scorer.score('Bitcoin surges to record high as ETF inflows jump'); // { score: 0.96, label: 'bullish', ... }
 */
export class LexiconScorer {
  readonly #engine = new Sentiment();
  readonly #extras: Record<string, number>;
  readonly #band: number;
  readonly #generalWeight: number;

  constructor(settings: LexiconScorerSettings = {}) {
    this.#extras = { ...FINANCIAL_LEXICON, ...settings.extras };
    this.#band = settings.neutralBand ?? 0.3;
    this.#generalWeight = settings.generalWeight ?? 0.5;
  }

  /** Scores one text. */
  score(text: string): SentimentScore {
    const result = this.#engine.analyze(text.replace(/https?:\/\/\S+/g, ' '), { extras: this.#extras });
    let sum = 0;
    // `calculation` holds each scored word with its (negation-adjusted) valence.
    for (const entry of result.calculation) {
      for (const [word, valence] of Object.entries(entry)) sum += word in this.#extras ? valence : valence * this.#generalWeight;
    }
    const score = Math.tanh(sum / 4);
    const label = score >= this.#band ? 'bullish' : score <= -this.#band ? 'bearish' : 'neutral';
    return { score, label, words: result.words };
  }
}

/**
 * Creates a LexiconScorer.
 * @example
 * const { score } = createLexiconScorer().score('ETH slumps after exchange hack');
 */
export function createLexiconScorer(settings: LexiconScorerSettings = {}): LexiconScorer {
  return new LexiconScorer(settings);
}
