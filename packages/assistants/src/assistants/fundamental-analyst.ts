import type { AssistantContext, BaseAssistantSettings, EvidenceInput, MarketSnapshot, MaybePromise, NewsItem, OpinionInput, TokenUsage } from '@ia-agents/core';
import { LexiconScorer } from '../sentiment/lexicon-scorer.js';
import { scoreHeadlinesWithModel } from '../sentiment/model-scorer.js';
import type { NewsSource } from '../sentiment/news-source.js';
import { pct, round, scoreToAction } from './evidence.js';
import { TeamAssistant } from './team-assistant.js';

/** Settings of the FundamentalAnalyst. */
export interface FundamentalAnalystSettings extends BaseAssistantSettings {
  /** Sources asked for news at each analysis, besides the snapshot's own `news`. @default [] */
  sources?: readonly NewsSource[];
  /** Lexicon scorer used without a model (or when the model fails). @default createLexiconScorer() */
  scorer?: LexiconScorer;
  /** Only news younger than this counts, milliseconds. @default 86400000 (24 h) */
  maxAgeMs?: number;
  /** Half-life of a headline's weight, milliseconds. @default 21600000 (6 h) */
  halfLifeMs?: number;
  /** |market-cap change| that counts as a signal. @default 0.03 */
  marketCapThreshold?: number;
  /** Reuse a source's answer for this long (by the context's clock), sparing rate-limited APIs. @default 60000 */
  sourceCacheMs?: number;
}

interface Scored {
  item: NewsItem;
  score: number;
  weight: number;
}

/** Scored headlines and how they were scored. */
interface HeadlineScores {
  scored: Omit<Scored, 'weight'>[];
  usage?: TokenUsage;
  degraded: boolean;
  method: string;
}

/**
 * Reads news and social sentiment from the snapshot and from pluggable sources (CryptoPanic,
 * RSS/Atom feeds), scored by the model when one is given and by the lexicon otherwise, weighted by
 * recency; adds the market-cap change when known. Only items published before the decision time
 * count (no look-ahead). A failing source is reported in the evidence, never fatal.
 * @example
 * const analyst = new FundamentalAnalyst({ sources: [new FeedSource({ url })] });
 */
export class FundamentalAnalyst extends TeamAssistant {
  readonly role = 'fundamental-analyst';
  readonly #settings: FundamentalAnalystSettings;
  readonly #scorer: LexiconScorer;
  readonly #cache = new Map<string, { at: number; items: NewsItem[] }>();

  constructor(settings: FundamentalAnalystSettings = {}) {
    super({ ...settings, defaultId: 'fundamental-analyst' });
    this.#settings = settings;
    this.#scorer = settings.scorer ?? new LexiconScorer();
  }

  /** The model already scored the headlines in `rules`; the opinion itself follows from those scores. */
  override analyze(snapshot: MarketSnapshot, context: AssistantContext): MaybePromise<OpinionInput> {
    return this.rules(snapshot, context);
  }

  /** Synchronous with neither news sources to fetch nor a model: the snapshot's news, scored by the lexicon. */
  protected rules(snapshot: MarketSnapshot, context: AssistantContext): MaybePromise<OpinionInput> {
    const asset = snapshot.symbol.split('/')[0]!.toUpperCase();
    if ((this.#settings.sources ?? []).length > 0 || context.hasModel) return this.#rulesFetched(snapshot, asset, context);
    return this.#opinion(snapshot, asset, { scored: this.#lexicon(this.#relevant(snapshot, asset, [])), degraded: false, method: 'lexicon' }, []);
  }

  async #rulesFetched(snapshot: MarketSnapshot, asset: string, context: AssistantContext): Promise<OpinionInput> {
    const { items, failures } = await this.#collect(snapshot, asset, context);
    return this.#opinion(snapshot, asset, await this.#score(items, asset, context), failures);
  }

  #opinion(snapshot: MarketSnapshot, asset: string, { scored, usage, degraded, method }: HeadlineScores, failures: string[]): OpinionInput {
    const evidence = this.#evidence(scored, snapshot, failures, method);
    const directional = evidence.filter((item) => item.name !== 'news_count' && item.name !== 'source_error');
    if (directional.length === 0) {
      return { assistantId: this.id, action: 'HOLD', confidence: 0.15, abstain: true, reasoning: `No recent news about ${asset} and no market-cap data.`, evidence, degraded, ...(usage === undefined ? {} : { usage }) };
    }
    const net = directional.reduce((sum, item) => sum + (item.value as number) * (item.weight ?? 1), 0) / directional.reduce((sum, item) => sum + (item.weight ?? 1), 0);
    const { action, confidence } = scoreToAction(net, { threshold: 0.15, floor: 0.45 });
    const reasoning = `Weighted ${method} sentiment of ${scored.length} recent item(s) about ${asset} is ${net.toFixed(2)}${snapshot.marketCapChange === undefined ? '' : `; market cap ${pct(snapshot.marketCapChange)} over a day`}.`;
    return { assistantId: this.id, action, confidence: round(Math.min(confidence, 0.3 + 0.1 * scored.length)), reasoning, evidence, degraded, ...(usage === undefined ? {} : { usage }) };
  }

  async #collect(snapshot: MarketSnapshot, asset: string, context: AssistantContext): Promise<{ items: NewsItem[]; failures: string[] }> {
    const failures: string[] = [];
    const fetched = await Promise.all((this.#settings.sources ?? []).map((source) => this.#fetch(source, asset, context, failures)));
    return { items: this.#relevant(snapshot, asset, fetched.flat()), failures };
  }

  /** The snapshot's and the fetched news about the asset within the look-back, once each, newest first. */
  #relevant(snapshot: MarketSnapshot, asset: string, fetched: NewsItem[]): NewsItem[] {
    const oldest = snapshot.timestamp - (this.#settings.maxAgeMs ?? 86_400_000);
    const byId = new Map<string, NewsItem>();
    for (const item of [...snapshot.news, ...fetched]) {
      const relevant = item.currencies.length === 0 || item.currencies.map((code) => code.toUpperCase()).includes(asset);
      if (relevant && item.publishedAt <= snapshot.timestamp && item.publishedAt >= oldest && !byId.has(item.id)) byId.set(item.id, item);
    }
    return [...byId.values()].sort((a, b) => b.publishedAt - a.publishedAt);
  }

  #lexicon(items: NewsItem[]): Omit<Scored, 'weight'>[] {
    return items.map((item) => ({ item, score: item.sentiment ?? this.#scorer.score(`${item.title} ${item.summary ?? ''}`).score }));
  }

  async #fetch(source: NewsSource, asset: string, context: AssistantContext, failures: string[]): Promise<NewsItem[]> {
    const key = `${source.id}:${asset}`;
    const now = context.clock.now();
    const cached = this.#cache.get(key);
    if (cached !== undefined && now - cached.at < (this.#settings.sourceCacheMs ?? 60_000)) return cached.items;
    try {
      const items = await source.fetchNews({ currencies: [asset], signal: context.signal });
      this.#cache.set(key, { at: now, items });
      return items;
    } catch (error) {
      if (context.signal.aborted) throw error;
      failures.push(`${source.id}: ${(error as Error).message}`);
      return [];
    }
  }

  async #score(items: NewsItem[], asset: string, context: AssistantContext): Promise<HeadlineScores> {
    const lexicon = () => this.#lexicon(items);
    if (!context.hasModel || items.length === 0) return { scored: lexicon(), degraded: false, method: 'lexicon' };
    try {
      const { scores, usage } = await scoreHeadlinesWithModel(context, asset, items.map((item) => item.title));
      const fallback = lexicon();
      return { scored: items.map((item, index) => ({ item, score: scores[index] ?? fallback[index]!.score })), usage, degraded: false, method: 'model' };
    } catch (error) {
      if (context.signal.aborted) throw error;
      return { scored: lexicon(), degraded: true, method: 'lexicon (model failed)' };
    }
  }

  #evidence(scored: Omit<Scored, 'weight'>[], snapshot: MarketSnapshot, failures: string[], method: string): EvidenceInput[] {
    const halfLife = this.#settings.halfLifeMs ?? 21_600_000;
    const weighted = scored.map(({ item, score }) => ({ item, score, weight: 0.5 ** ((snapshot.timestamp - item.publishedAt) / halfLife) }));
    const evidence: EvidenceInput[] = [{ name: 'news_count', value: scored.length, stance: 'neutral', weight: 0, detail: `${scored.length} item(s) within the look-back` }];
    if (weighted.length > 0) {
      const total = weighted.reduce((sum, entry) => sum + entry.weight, 0);
      const sentiment = weighted.reduce((sum, entry) => sum + entry.score * entry.weight, 0) / total;
      const stance = sentiment >= 0.15 ? 'bullish' : sentiment <= -0.15 ? 'bearish' : 'neutral';
      const top = [...weighted].sort((a, b) => Math.abs(b.score * b.weight) - Math.abs(a.score * a.weight))[0]!;
      evidence.push({ name: 'news_sentiment', value: round(sentiment), stance, weight: 1, detail: `${method}; strongest: "${top.item.title.slice(0, 120)}" (${top.score.toFixed(2)})` });
    }
    const change = snapshot.marketCapChange;
    const threshold = this.#settings.marketCapThreshold ?? 0.03;
    if (change !== undefined) evidence.push({ name: 'market_cap_change', value: round(Math.max(-1, Math.min(1, change / (threshold * 3))), 4), stance: change >= threshold ? 'bullish' : change <= -threshold ? 'bearish' : 'neutral', weight: 0.5, detail: `market cap ${pct(change)} over a day (scaled to [-1, 1])` });
    for (const failure of failures) evidence.push({ name: 'source_error', value: failure.slice(0, 200), stance: 'neutral', weight: 0 });
    return evidence;
  }
}
