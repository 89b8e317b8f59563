import { FakeBinance } from './fake-binance-server.js';
import { FakeBinanceStream } from './fake-binance-stream.js';
import { createLocalBinanceClient, type LocalBinanceClientOptions } from './local-binance-client.js';

/** A ccxt pro Binance client (REST and streams), as `createLocalBinanceClient` builds it. */
export type LocalBinanceClient = ReturnType<typeof createLocalBinanceClient>;

/** A local Binance: both servers on 127.0.0.1, their URLs, and ccxt clients pointed at them. */
export interface LocalBinance {
  /** The REST server: klines, orders, balances, faults, the request log. */
  rest: FakeBinance;
  /** The WebSocket server: stream subscriptions, kline/ticker/depth events, the user-data stream (each order change of `rest`), dropped connections. */
  ws: FakeBinanceStream;
  /** Base URL of the REST server (`http://127.0.0.1:<port>`). */
  restUrl: string;
  /** Base URL of the stream server (`ws://127.0.0.1:<port>`). */
  wsUrl: string;
  /** A new real ccxt pro Binance client on both servers (test keys, spot only); `stop` closes it. */
  createClient(options?: Omit<LocalBinanceClientOptions, 'restUrl' | 'wsUrl'>): LocalBinanceClient;
  /** Closes the clients made by `createClient`, then both servers; calling it again does nothing. */
  stop(): Promise<void>;
}

/**
 * Starts a local Binance (`FakeBinance` for REST, `FakeBinanceStream` for streams) on ephemeral
 * ports, for tests that run the real ccxt client, feeds or a whole server against Binance's
 * protocol without leaving 127.0.0.1. Stop it when the test ends.
 * @example
 * const binance = await startLocalBinance();
 * onTestFinished(binance.stop);
 * binance.rest.klines.set('BTCUSDT 1m', candles);
 * const exchange = createCcxtExchange({ client: binance.createClient() });
 */
export async function startLocalBinance(): Promise<LocalBinance> {
  const rest = new FakeBinance();
  const ws = new FakeBinanceStream();
  const [restUrl, wsUrl] = [await rest.start(), await ws.start()];
  // Binance tells the account's user-data stream of every order change.
  rest.onOrderUpdate = (order, execution) => ws.executionReport(order, execution);
  const clients: LocalBinanceClient[] = [];
  let stopped: Promise<void> | undefined;
  const stop = async () => {
    for (const client of clients) await client.close();
    await ws.stop();
    await rest.stop();
  };
  return {
    rest,
    ws,
    restUrl,
    wsUrl,
    createClient: (options = {}) => {
      const client = createLocalBinanceClient({ ...options, restUrl, wsUrl });
      clients.push(client);
      return client;
    },
    stop: () => (stopped ??= stop()),
  };
}
