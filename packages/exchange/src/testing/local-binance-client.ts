import { Agent } from 'node:http';
import ccxt from 'ccxt';

/** Options of `createLocalBinanceClient`. */
export interface LocalBinanceClientOptions {
  /** Base URL of the local REST server (`FakeBinance.start()`). */
  restUrl: string;
  /** Base URL of the local stream server (`FakeBinanceStream.start()`), for a ccxt pro client. */
  wsUrl?: string;
  /** Request timeout, ms. @default 2000 */
  timeoutMs?: number;
  /** Extra ccxt `options`. @default {} */
  options?: Record<string, unknown>;
}

/** The ccxt options our tests and examples use for spot only (no currencies, no margin calls). */
export const SPOT_ONLY_CCXT_OPTIONS = { fetchMarkets: { types: ['spot'] }, fetchCurrencies: false, fetchMargins: false } as const;

/**
 * A real ccxt Binance client (pro, so it streams too) whose REST and stream URLs point at local
 * servers: every line of ccxt's request building and parsing runs, nothing leaves 127.0.0.1.
 * @example
 * const server = new FakeBinance();
 * const client = createLocalBinanceClient({ restUrl: await server.start() });
 */
export function createLocalBinanceClient(settings: LocalBinanceClientOptions): InstanceType<typeof ccxt.pro.binance> {
  const client = new ccxt.pro.binance({ apiKey: 'test-key', secret: 'test-secret', timeout: settings.timeoutMs ?? 2_000, enableRateLimit: false, options: { ...SPOT_ONLY_CCXT_OPTIONS, ...settings.options } });
  const api = client.urls.api as Record<string, unknown>;
  for (const [key, value] of Object.entries(api)) if (typeof value === 'string') api[key] = value.replace(/^https:\/\/[^/]+/, settings.restUrl);
  if (settings.wsUrl !== undefined) {
    const streams = api.ws as Record<string, unknown>;
    // ccxt tells spot from contract streams by "/stream" in the URL, as in wss://stream.binance.com.
    for (const key of ['spot', 'margin']) streams[key] = `${settings.wsUrl}/stream/ws`;
    // The WebSocket API (orders over the socket, the signed user-data stream of watchOrders).
    streams['ws-api'] = { ...(streams['ws-api'] as Record<string, string>), spot: `${settings.wsUrl}/ws-api/v3` };
    // ccxt wants an http agent for plain ws:// URLs (what `loadHttpProxyAgent()` sets up).
    client.httpAgent = new Agent();
  }
  return client;
}
