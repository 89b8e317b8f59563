/**
 * Payloads in the wire formats of CryptoPanic's posts API (v1), RSS 2.0 and Atom 1.0, written by
 * hand after the services' documented formats, for the protocol-level tests (test-only module).
 */
export const CRYPTOPANIC_POSTS = JSON.stringify({
  count: 3,
  next: 'https://cryptopanic.com/api/v1/posts/?auth_token=XXX&currencies=BTC&page=2',
  previous: null,
  results: [
    {
      kind: 'news', domain: 'cointelegraph.com',
      source: { title: 'Cointelegraph', region: 'en', domain: 'cointelegraph.com', path: null },
      title: 'Bitcoin plunges below $4,000 as global markets crash', published_at: '2020-03-12T22:15:00Z', slug: 'Bitcoin-plunges-below-4000',
      currencies: [{ code: 'BTC', title: 'Bitcoin', slug: 'bitcoin', url: 'https://cryptopanic.com/news/bitcoin/' }],
      id: 8312001, url: 'https://cryptopanic.com/news/8312001/Bitcoin-plunges-below-4000-as-global-markets-crash', created_at: '2020-03-12T22:15:31Z',
      votes: { negative: 9, positive: 1, important: 4, liked: 0, disliked: 3, lol: 0, toxic: 0, saved: 1, comments: 2 },
    },
    {
      kind: 'media', domain: 'youtube.com',
      source: { title: 'Crypto Daily', region: 'en', domain: 'youtube.com', path: null },
      title: 'Is this the bottom? BTC analysis', published_at: '2020-03-13T08:00:00Z', slug: 'Is-this-the-bottom',
      currencies: [{ code: 'BTC', title: 'Bitcoin', slug: 'bitcoin', url: 'https://cryptopanic.com/news/bitcoin/' }],
      id: 8312044, url: 'https://cryptopanic.com/news/8312044/Is-this-the-bottom-BTC-analysis', created_at: '2020-03-13T08:00:12Z',
      votes: { negative: 0, positive: 0, important: 0, liked: 0, disliked: 0, lol: 0, toxic: 0, saved: 0, comments: 0 },
    },
    {
      kind: 'news', domain: 'coindesk.com',
      source: { title: 'CoinDesk', region: 'en', domain: 'coindesk.com', path: null },
      title: 'Ethereum and Bitcoin rebound as buyers return', published_at: '2020-03-14T11:30:00Z', slug: 'Ethereum-and-Bitcoin-rebound',
      currencies: [{ code: 'BTC', title: 'Bitcoin', slug: 'bitcoin', url: 'https://cryptopanic.com/news/bitcoin/' }, { code: 'ETH', title: 'Ethereum', slug: 'ethereum', url: 'https://cryptopanic.com/news/ethereum/' }],
      id: 8312107, url: 'https://cryptopanic.com/news/8312107/Ethereum-and-Bitcoin-rebound-as-buyers-return', created_at: '2020-03-14T11:30:40Z',
      votes: { negative: 1, positive: 5, important: 0, liked: 2, disliked: 0, lol: 0, toxic: 0, saved: 0, comments: 1 },
    },
  ],
});

export const RSS_FEED = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom">
  <channel>
    <title>Crypto Markets</title>
    <link>https://news.example.org/</link>
    <description>Markets news</description>
    <atom:link href="https://news.example.org/rss" rel="self" type="application/rss+xml"/>
    <item>
      <title><![CDATA[Bitcoin slumps 30% in a day, worst drop since 2013]]></title>
      <link>https://news.example.org/markets/bitcoin-slumps</link>
      <guid isPermaLink="false">news-example-48121</guid>
      <pubDate>Thu, 12 Mar 2020 21:04:00 +0000</pubDate>
      <description>Crypto &amp; stocks tumble together as liquidations mount.</description>
      <dc:creator>Markets desk</dc:creator>
    </item>
    <item>
      <title>Ether gas fees fall as network activity cools</title>
      <link>https://news.example.org/markets/ether-fees</link>
      <guid isPermaLink="true">https://news.example.org/markets/ether-fees</guid>
      <pubDate>Fri, 13 Mar 2020 09:30:00 GMT</pubDate>
      <description>Ethereum users pay less.</description>
    </item>
    <item>
      <title>Central banks announce coordinated rate cut</title>
      <link>https://news.example.org/economy/rate-cut</link>
      <pubDate>Sun, 15 Mar 2020 22:00:00 GMT</pubDate>
    </item>
  </channel>
</rss>`;

export const ATOM_FEED = `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Chain Watch</title>
  <id>urn:uuid:60a76c80-d399-11d9-b93C-0003939e0af6</id>
  <updated>2020-03-16T18:30:02Z</updated>
  <link href="https://atom.example.org/"/>
  <entry>
    <title type="html">Bitcoin miners capitulate as hash rate drops</title>
    <link rel="alternate" type="text/html" href="https://atom.example.org/2020/03/miners"/>
    <link rel="replies" href="https://atom.example.org/2020/03/miners#comments"/>
    <id>urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a</id>
    <published>2020-03-16T10:00:00Z</published>
    <updated>2020-03-16T11:00:00Z</updated>
    <summary>Hash rate fell 15 percent over the week.</summary>
  </entry>
  <entry>
    <title>Exchange adds new listing</title>
    <link href="https://atom.example.org/2020/03/listing"/>
    <id>urn:uuid:1225c695-cfb8-4ebb-bbbb-80da344efa6b</id>
    <updated>2020-03-16T18:30:02Z</updated>
    <content type="html">&lt;p&gt;A token is listed.&lt;/p&gt;</content>
  </entry>
</feed>`;
