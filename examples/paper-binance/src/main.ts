/**
 * Live paper trading on Binance: real market data (the websocket kline stream, or REST polling
 * with `--poll`) flows into the trading engine; the default team of seven assistants debates and
 * votes; orders go to a PaperExchange that fills them from the same live candles. No API key is
 * needed (market data is public) and no real order is ever sent.
 *
 *   npm start -w @ia-agents/example-paper-binance -- [--symbol BTC/USDT] [--timeframe 1m] [--minutes 10] [--poll] [--dry-run]
 *
 * Without internet (CI), with `--dry-run` or with IA_AGENTS_OFFLINE=1 it prints what it would do
 * and exits 0.
 */
import { Agent } from 'node:http';
import { connect } from 'node:net';
import { parseArgs } from 'node:util';
import { createDefaultTeam, marketMonitorTrigger } from '@ia-agents/assistants';
import { createEventBus, createTradingEngine, systemClock, timeframeSchema, type MarketFeed } from '@ia-agents/core';
import { createCcxtExchange, createCcxtStream, createPaperExchange, createPollingFeed, createStreamingFeed, type CcxtStream } from '@ia-agents/exchange';

const { values } = parseArgs({
  options: {
    symbol: { type: 'string', default: 'BTC/USDT' },
    timeframe: { type: 'string', default: '1m' },
    minutes: { type: 'string', default: '10' },
    cash: { type: 'string', default: '10000' },
    poll: { type: 'boolean', default: false },
    'dry-run': { type: 'boolean', default: false },
  },
});
const symbol = values.symbol;
const timeframe = timeframeSchema.parse(values.timeframe);
const minutes = Number(values.minutes);
const cash = Number(values.cash);
const quote = symbol.split('/')[1] ?? 'USDT';

/** Whether api.binance.com answers a TCP connection within `timeoutMs`. */
function reachable(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: timeoutMs });
    const finish = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => finish(true));
    socket.once('timeout', () => finish(false));
    socket.once('error', () => finish(false));
  });
}

/** Points the ccxt client's REST (and stream) URLs at another host. */
function redirect(target: CcxtStream, rest: string, ws: string | undefined): void {
  const api = target.client.urls.api as Record<string, unknown>;
  for (const [key, value] of Object.entries(api)) if (typeof value === 'string') api[key] = value.replace(/^https:\/\/[^/]+/, rest);
  if (ws === undefined) return;
  // ccxt tells spot streams by "/stream" in the URL, and needs an http agent for plain ws://.
  (api.ws as Record<string, string>).spot = `${ws}/stream/ws`;
  target.client.httpAgent = new Agent();
}

function plan(reason: string): void {
  console.log(`paper-binance: ${reason}; not connecting. With internet this example would:`);
  console.log(`  1. load Binance's markets and the last 200 closed ${timeframe} candles of ${symbol} over REST (ccxt, no API key)`);
  console.log(`  2. ${values.poll ? `poll REST fetchOHLCV after each ${timeframe} close` : `subscribe to the ${symbol.replace('/', '').toLowerCase()}@kline_${timeframe} websocket stream (ccxt pro), reconnecting and back-filling over REST after a drop`}`);
  console.log(`  3. hand every closed candle to the engine: the default team of 7 assistants debates and votes when the market monitor triggers`);
  console.log(`  4. place the team's orders on a PaperExchange with ${cash} ${quote} (fees, slippage, fills from the live candles), never on Binance`);
  console.log(`  5. stop after ${minutes} minutes and print the portfolio`);
}

const offline = process.env.IA_AGENTS_OFFLINE === '1' || process.env.IA_AGENTS_OFFLINE === 'true';
if (values['dry-run'] || offline) {
  plan(values['dry-run'] ? '--dry-run' : 'IA_AGENTS_OFFLINE is set');
  process.exit(0);
}
// IA_AGENTS_BINANCE_REST_URL / IA_AGENTS_BINANCE_WS_URL point the client elsewhere (a proxy, a
// relay, or the local Binance servers of this example's test).
const restUrl = process.env.IA_AGENTS_BINANCE_REST_URL;
const wsUrl = process.env.IA_AGENTS_BINANCE_WS_URL;
if (restUrl === undefined && !(await reachable('api.binance.com', 443, 3_000))) {
  plan('api.binance.com is not reachable (no internet?)');
  process.exit(0);
}

const stream: CcxtStream = createCcxtStream({ ccxtOptions: { fetchMarkets: { types: ['spot'] }, fetchCurrencies: false }, onReconnect: ({ attempt, delayMs, error }) => console.log(`stream dropped (${error.code}); reconnect #${attempt} in ${delayMs} ms`) });
if (restUrl !== undefined) redirect(stream, restUrl, wsUrl);
// One ccxt pro client for the stream and for REST (markets, warm-up, back-fill).
const binance = createCcxtExchange({ client: stream.client });
const feed: MarketFeed = values.poll
  ? createPollingFeed({ exchange: binance, symbols: [symbol], timeframe, warmup: 200, onError: (error) => console.log(`poll failed, retrying: ${String(error)}`) })
  : createStreamingFeed({ stream, exchange: binance, symbols: [symbol], timeframe, warmup: 200 });

// On the wall clock, like the engine: orders are stamped when they were decided. A buy's fee is
// charged in the asset bought, as Binance does, so the paper holdings are what Binance would hold.
const paper = createPaperExchange({ balances: { [quote]: cash }, quoteCurrency: quote, clock: systemClock, buyFeeIn: 'base', marketData: binance });
// Binance's lot and price steps and minimums: paper orders are rounded and refused as there.
await paper.loadMarkets([symbol]);
const bus = createEventBus();
const team = createDefaultTeam();
const engine = createTradingEngine({ exchange: paper, feed, assistants: team.assistants, consensus: team.consensus, trigger: marketMonitorTrigger(), bus, quoteCurrency: quote });

bus.on('data-gap', ({ from, missing }) => console.log(`gap: ${missing} candle(s) missing from ${new Date(from).toISOString()}`));
bus.on('decision-make', ({ decision }) => console.log(`${new Date().toISOString()} decision ${decision.action} (confidence ${decision.confidence.toFixed(2)}, consensus ${decision.consensusReached})`));
bus.on('order-fill', ({ fill }) => console.log(`  paper fill: ${fill.side} ${fill.amount} ${fill.symbol} @ ${fill.price}`));
bus.on('engine-error', ({ error, stage }) => console.log(`engine error at ${stage}: ${error.message}`));

let candles = 0;
const stop = new AbortController();
process.once('SIGINT', () => {
  console.log('stopping...');
  stop.abort();
});
// A timer of our own rather than AbortSignal.any([AbortSignal.timeout(...)]): Node may collect the
// timeout signal inside the combined one before it fires, and the run would never end.
const deadline = setTimeout(() => stop.abort(), minutes * 60_000);
const signal = stop.signal;
console.log(`paper trading ${symbol} ${timeframe} on live Binance data for ${minutes} min (${values.poll ? 'REST polling' : 'websocket stream'}); Ctrl-C to stop`);
for await (const event of feed.events({ signal })) {
  await engine.handle(event, signal);
  if (event.type === 'candles') {
    candles += event.candles.length;
    const last = event.candles.at(-1)!;
    console.log(`${new Date(last.timestamp).toISOString()} close ${last.close} (${candles} candles so far)`);
  }
}
clearTimeout(deadline);
await stream.close();
const portfolio = paper.getPortfolio();
console.log(`\nsummary: ${JSON.stringify(engine.summary)}`);
console.log(`portfolio: equity ${portfolio.equity.toFixed(2)} ${quote}, cash ${portfolio.cash.toFixed(2)} ${quote}, ${portfolio.positions.length} position(s)`);
