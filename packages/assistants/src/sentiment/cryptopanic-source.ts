import { ValidationError, fromZodIssues, type NewsItem } from '@ia-agents/core';
import { z } from 'zod';
import { fetchText, redactUrl, type HttpSourceSettings, type NewsQuery, type NewsSource } from './news-source.js';

/** Settings of a CryptoPanicSource. */
export interface CryptoPanicSourceSettings extends HttpSourceSettings {
  /** Your CryptoPanic API token. */
  authToken: string;
  /** API base URL. @default 'https://cryptopanic.com' */
  baseUrl?: string;
  /** Path of the posts endpoint. @default '/api/v1/posts/' */
  path?: string;
  /** CryptoPanic `filter` (rising, hot, bullish, bearish, important, ...). */
  filter?: string;
  /** CryptoPanic `kind`: news, media or all. */
  kind?: 'news' | 'media' | 'all';
  /** Only public posts (`public=true`). @default true */
  public?: boolean;
}

/** The parts of a CryptoPanic post we read (the API sends more). */
const postSchema = z.object({
  id: z.union([z.number(), z.string()]),
  kind: z.string().optional(),
  title: z.string().min(1),
  published_at: z.string().refine((value) => !Number.isNaN(Date.parse(value)), 'not a date'),
  url: z.string().optional(),
  domain: z.string().optional(),
  source: z.object({ title: z.string().optional(), domain: z.string().optional() }).optional(),
  currencies: z.array(z.object({ code: z.string() })).nullish(),
  votes: z.object({ positive: z.number().optional(), negative: z.number().optional() }).partial().optional(),
});
const pageSchema = z.object({ results: z.array(postSchema) });

/**
 * News from CryptoPanic's posts API (`GET /api/v1/posts/?auth_token=...&currencies=BTC`).
 * Items carry CryptoPanic's community votes as a prior sentiment when there are any
 * ((positive - negative) / (positive + negative)).
 * @example
 * const source = new CryptoPanicSource({ authToken: process.env.CRYPTOPANIC_TOKEN! });
 * const items = await source.fetchNews({ currencies: ['BTC'] });
 */
export class CryptoPanicSource implements NewsSource {
  readonly specificationVersion = 'v1';
  readonly id = 'cryptopanic';
  readonly #settings: CryptoPanicSourceSettings;

  constructor(settings: CryptoPanicSourceSettings) {
    if (settings.authToken.length === 0) throw new ValidationError('CryptoPanic settings', [{ path: ['authToken'], message: 'an API token is required' }]);
    this.#settings = settings;
  }

  /** Fetches the first page of posts. */
  async fetchNews(query: NewsQuery = {}): Promise<NewsItem[]> {
    const url = this.#url(query);
    const text = await fetchText(url, `CryptoPanic ${redactUrl(url)}`, this.#settings, query.signal, 'application/json');
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new ValidationError('CryptoPanic response', [{ path: [], message: `not JSON (${(error as Error).message})` }], { code: 'DATA_INVALID' });
    }
    const page = pageSchema.safeParse(json);
    if (!page.success) throw new ValidationError('CryptoPanic response', fromZodIssues(page.error.issues), { code: 'DATA_INVALID' });
    return page.data.results.map(toNewsItem);
  }

  #url(query: NewsQuery): string {
    const settings = this.#settings;
    const url = new URL(settings.path ?? '/api/v1/posts/', settings.baseUrl ?? 'https://cryptopanic.com');
    url.searchParams.set('auth_token', settings.authToken);
    if (query.currencies !== undefined && query.currencies.length > 0) url.searchParams.set('currencies', query.currencies.join(','));
    if (settings.filter !== undefined) url.searchParams.set('filter', settings.filter);
    if (settings.kind !== undefined) url.searchParams.set('kind', settings.kind);
    if (settings.public ?? true) url.searchParams.set('public', 'true');
    return url.toString();
  }
}

function toNewsItem(post: z.infer<typeof postSchema>): NewsItem {
  const positive = post.votes?.positive ?? 0;
  const negative = post.votes?.negative ?? 0;
  const item: NewsItem = {
    id: `cryptopanic:${post.id}`,
    source: post.source?.domain ?? post.domain ?? 'cryptopanic',
    kind: post.kind === 'media' ? 'social' : 'news',
    title: post.title,
    publishedAt: Date.parse(post.published_at),
    currencies: (post.currencies ?? []).map((currency) => currency.code),
  };
  if (post.url !== undefined) item.url = post.url;
  if (positive + negative > 0) item.sentiment = (positive - negative) / (positive + negative);
  return item;
}
