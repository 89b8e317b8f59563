import { afterEach, describe, expect, it } from 'vitest';
import { startReplayServer } from '../test-support/replay-server.js';
import { CryptoPanicSource } from './cryptopanic-source.js';
import { FeedSource } from './feed-source.js';
import { ATOM_FEED, CRYPTOPANIC_POSTS, RSS_FEED } from './recorded-payloads.js';
import { failure } from '../test-support/failure.js';

let closeServer: (() => Promise<void>) | undefined;
afterEach(async () => {
  await closeServer?.();
  closeServer = undefined;
});

async function replay(routes: Parameters<typeof startReplayServer>[0]) {
  const server = await startReplayServer(routes);
  closeServer = server.close;
  return server;
}

describe('CryptoPanicSource', () => {
  it('asks /api/v1/posts/ with token, currencies and filters, and maps posts to news items', async () => {
    const server = await replay({ '/api/v1/posts/': { contentType: 'application/json', body: CRYPTOPANIC_POSTS } });
    const source = new CryptoPanicSource({ authToken: 'tok-123', baseUrl: server.url, filter: 'hot', kind: 'news' });
    const items = await source.fetchNews({ currencies: ['BTC', 'ETH'] });
    expect(server.requests).toHaveLength(1);
    expect(Object.fromEntries(server.requests[0]!.query)).toEqual({ auth_token: 'tok-123', currencies: 'BTC,ETH', filter: 'hot', kind: 'news', public: 'true' });
    expect(items).toEqual([
      { id: 'cryptopanic:8312001', source: 'cointelegraph.com', kind: 'news', title: 'Bitcoin plunges below $4,000 as global markets crash', publishedAt: Date.UTC(2020, 2, 12, 22, 15), currencies: ['BTC'], url: 'https://cryptopanic.com/news/8312001/Bitcoin-plunges-below-4000-as-global-markets-crash', sentiment: -0.8 },
      { id: 'cryptopanic:8312044', source: 'youtube.com', kind: 'social', title: 'Is this the bottom? BTC analysis', publishedAt: Date.UTC(2020, 2, 13, 8), currencies: ['BTC'], url: 'https://cryptopanic.com/news/8312044/Is-this-the-bottom-BTC-analysis' },
      { id: 'cryptopanic:8312107', source: 'coindesk.com', kind: 'news', title: 'Ethereum and Bitcoin rebound as buyers return', publishedAt: Date.UTC(2020, 2, 14, 11, 30), currencies: ['BTC', 'ETH'], url: 'https://cryptopanic.com/news/8312107/Ethereum-and-Bitcoin-rebound-as-buyers-return', sentiment: 4 / 6 },
    ]);
  });

  it('reports an HTTP error as SOURCE_UNAVAILABLE without leaking the token', async () => {
    const server = await replay({ '/api/v1/posts/': { status: 403, contentType: 'application/json', body: '{"status":"Forbidden","info":"Token not found"}' } });
    const error = await failure(new CryptoPanicSource({ authToken: 'secret-token', baseUrl: server.url }).fetchNews());
    expect(error.code).toBe('SOURCE_UNAVAILABLE');
    expect(error.message).toContain('HTTP 403');
    expect(error.message).not.toContain('secret-token');
  });

  it('rejects a payload of the wrong shape naming the bad fields', async () => {
    const server = await replay({ '/api/v1/posts/': { contentType: 'application/json', body: '{"results":[{"id":1,"title":"","published_at":"yesterday"}]}' } });
    const error = await failure(new CryptoPanicSource({ authToken: 't', baseUrl: server.url }).fetchNews());
    expect(error.code).toBe('DATA_INVALID');
    expect(error.message).toContain('results.0.title');
    expect(error.message).toContain('results.0.published_at: not a date');
  });

  it('times out a slow server with TIMEOUT', async () => {
    const server = await replay({ '/api/v1/posts/': { contentType: 'application/json', body: CRYPTOPANIC_POSTS, delayMs: 5_000 } });
    const error = await failure(new CryptoPanicSource({ authToken: 't', baseUrl: server.url, timeoutMs: 50 }).fetchNews());
    expect(error.code).toBe('TIMEOUT');
  });
});

describe('FeedSource', () => {
  it('reads RSS 2.0 items (CDATA, entities, guid or link as id) and tags currencies', async () => {
    const server = await replay({ '/rss': { contentType: 'application/rss+xml; charset=utf-8', body: RSS_FEED } });
    const source = new FeedSource({ url: `${server.url}/rss`, id: 'example-news' });
    const items = await source.fetchNews();
    expect(server.requests[0]!.accept).toContain('application/rss+xml');
    expect(items).toEqual([
      { id: 'news-example-48121', source: 'example-news', kind: 'news', title: 'Bitcoin slumps 30% in a day, worst drop since 2013', url: 'https://news.example.org/markets/bitcoin-slumps', summary: 'Crypto & stocks tumble together as liquidations mount.', publishedAt: Date.UTC(2020, 2, 12, 21, 4), currencies: ['BTC'] },
      { id: 'https://news.example.org/markets/ether-fees', source: 'example-news', kind: 'news', title: 'Ether gas fees fall as network activity cools', url: 'https://news.example.org/markets/ether-fees', summary: 'Ethereum users pay less.', publishedAt: Date.UTC(2020, 2, 13, 9, 30), currencies: ['ETH'] },
      { id: 'https://news.example.org/economy/rate-cut', source: 'example-news', kind: 'news', title: 'Central banks announce coordinated rate cut', url: 'https://news.example.org/economy/rate-cut', publishedAt: Date.UTC(2020, 2, 15, 22), currencies: [] },
    ]);
    expect((await source.fetchNews({ currencies: ['eth'] })).map((item) => item.id)).toEqual(['https://news.example.org/markets/ether-fees']);
  });

  it('reads Atom entries (alternate link, published or updated date)', async () => {
    const server = await replay({ '/atom': { contentType: 'application/atom+xml', body: ATOM_FEED } });
    const items = await new FeedSource({ url: `${server.url}/atom` }).fetchNews();
    expect(items.map((item) => [item.id, item.url, item.publishedAt, item.currencies, item.source])).toEqual([
      ['urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a', 'https://atom.example.org/2020/03/miners', Date.UTC(2020, 2, 16, 10), ['BTC'], new URL(server.url).host],
      ['urn:uuid:1225c695-cfb8-4ebb-bbbb-80da344efa6b', 'https://atom.example.org/2020/03/listing', Date.UTC(2020, 2, 16, 18, 30, 2), [], new URL(server.url).host],
    ]);
    expect(items[1]!.summary).toBe('<p>A token is listed.</p>');
  });

  it('names what is wrong with a broken feed', async () => {
    const server = await replay({
      '/html': { contentType: 'text/html', body: '<html><body>Not a feed</body></html>' },
      '/bad-item': { contentType: 'application/rss+xml', body: '<rss version="2.0"><channel><item><title>No date</title><link>https://x.example/1</link></item></channel></rss>' },
      '/down': { status: 503, contentType: 'text/plain', body: 'maintenance' },
    });
    expect((await failure(new FeedSource({ url: `${server.url}/html` }).fetchNews())).message).toContain('neither an RSS <rss><channel> nor an Atom <feed> document');
    const bad = await failure(new FeedSource({ url: `${server.url}/bad-item` }).fetchNews());
    expect(bad.code).toBe('DATA_INVALID');
    expect(bad.message).toContain('item.0.date: missing or unreadable publication date');
    expect((await failure(new FeedSource({ url: `${server.url}/down` }).fetchNews())).code).toBe('SOURCE_UNAVAILABLE');
  });
});
