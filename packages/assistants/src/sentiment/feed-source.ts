import { ValidationError, type NewsItem } from '@ia-agents/core';
import { XMLParser } from 'fast-xml-parser';
import { fetchText, type HttpSourceSettings, type NewsQuery, type NewsSource } from './news-source.js';

/** Settings of a FeedSource. */
export interface FeedSourceSettings extends HttpSourceSettings {
  /** Feed URL (RSS 2.0 or Atom 1.0). */
  url: string;
  /** Source id for the items. @default the feed URL's host */
  id?: string;
  /**
   * Currency codes to tag items with when their title or summary mentions them (feeds do not tag).
   * @default { BTC: ['bitcoin', 'btc'], ETH: ['ethereum', 'eth', 'ether'] }
   */
  keywords?: Record<string, readonly string[]>;
}

const DEFAULT_KEYWORDS: Record<string, readonly string[]> = { BTC: ['bitcoin', 'btc'], ETH: ['ethereum', 'eth', 'ether'] };

type XmlNode = Record<string, unknown>;

/**
 * News from an RSS 2.0 or Atom feed, parsed with fast-xml-parser. Items are tagged with the
 * currencies their text mentions; `fetchNews({ currencies })` keeps only items about those.
 * @example
 * const source = new FeedSource({ url: 'https://www.coindesk.com/arc/outboundfeeds/rss/' });
 * const items = await source.fetchNews({ currencies: ['BTC'] });
 */
export class FeedSource implements NewsSource {
  readonly specificationVersion = 'v1';
  readonly id: string;
  readonly #settings: FeedSourceSettings;
  readonly #parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', textNodeName: '#text', processEntities: true });

  constructor(settings: FeedSourceSettings) {
    this.#settings = settings;
    this.id = settings.id ?? new URL(settings.url).host;
  }

  /** Fetches and parses the feed. */
  async fetchNews(query: NewsQuery = {}): Promise<NewsItem[]> {
    const text = await fetchText(this.#settings.url, `feed ${this.#settings.url}`, this.#settings, query.signal, 'application/rss+xml, application/atom+xml, application/xml, text/xml');
    const items = this.parse(text);
    const wanted = query.currencies?.map((code) => code.toUpperCase());
    return wanted === undefined || wanted.length === 0 ? items : items.filter((item) => item.currencies.some((code) => wanted.includes(code)));
  }

  /** Parses RSS or Atom text into news items (exposed for feeds read from elsewhere). */
  parse(xml: string): NewsItem[] {
    let document: XmlNode;
    try {
      document = this.#parser.parse(xml, true) as XmlNode;
    } catch (error) {
      throw new ValidationError(`feed ${this.#settings.url}`, [{ path: [], message: `not well-formed XML (${(error as Error).message})` }], { code: 'DATA_INVALID' });
    }
    const rss = (document.rss as XmlNode | undefined)?.channel as XmlNode | undefined;
    const atom = document.feed as XmlNode | undefined;
    if (rss !== undefined) return list(rss.item).map((item, index) => this.#fromRss(item, index));
    if (atom !== undefined) return list(atom.entry).map((entry, index) => this.#fromAtom(entry, index));
    throw new ValidationError(`feed ${this.#settings.url}`, [{ path: [], message: 'neither an RSS <rss><channel> nor an Atom <feed> document' }], { code: 'DATA_INVALID' });
  }

  #fromRss(item: XmlNode, index: number): NewsItem {
    const title = textOf(item.title);
    const link = textOf(item.link);
    const published = Date.parse(textOf(item.pubDate) ?? textOf(item['dc:date']) ?? '');
    return this.#item(index, ['item', index], { id: textOf(item.guid) ?? link, title, link, summary: textOf(item.description), published });
  }

  #fromAtom(entry: XmlNode, index: number): NewsItem {
    const links = list(entry.link);
    const link = (links.find((candidate) => candidate['@rel'] === undefined || candidate['@rel'] === 'alternate')?.['@href'] as string | undefined) ?? undefined;
    const published = Date.parse(textOf(entry.published) ?? textOf(entry.updated) ?? '');
    return this.#item(index, ['entry', index], { id: textOf(entry.id) ?? link, title: textOf(entry.title), link, summary: textOf(entry.summary) ?? textOf(entry.content), published });
  }

  #item(_index: number, path: (string | number)[], fields: { id: string | undefined; title: string | undefined; link: string | undefined; summary: string | undefined; published: number }): NewsItem {
    const issues = [];
    if (fields.title === undefined || fields.title.length === 0) issues.push({ path: [...path, 'title'], message: 'missing title' });
    if (Number.isNaN(fields.published)) issues.push({ path: [...path, 'date'], message: 'missing or unreadable publication date' });
    if (fields.id === undefined) issues.push({ path: [...path, 'id'], message: 'no guid, id or link' });
    if (issues.length > 0) throw new ValidationError(`feed ${this.#settings.url}`, issues, { code: 'DATA_INVALID' });
    const item: NewsItem = { id: fields.id!, source: this.id, kind: 'news', title: fields.title!, publishedAt: fields.published, currencies: this.#currencies(`${fields.title} ${fields.summary ?? ''}`) };
    if (fields.link !== undefined) item.url = fields.link;
    if (fields.summary !== undefined) item.summary = fields.summary;
    return item;
  }

  #currencies(text: string): string[] {
    const words = new Set(text.toLowerCase().split(/[^a-z0-9]+/));
    return Object.entries(this.#settings.keywords ?? DEFAULT_KEYWORDS)
      .filter(([, keywords]) => keywords.some((keyword) => words.has(keyword)))
      .map(([code]) => code);
  }
}

function list(value: unknown): XmlNode[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]) as XmlNode[];
}

/** Text of an element that may carry attributes (`{ '#text': ... }`) or CDATA. */
function textOf(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string' || typeof value === 'number') return String(value).trim();
  if (typeof value === 'object' && '#text' in value) return textOf((value as XmlNode)['#text']);
  return undefined;
}
