import ccxt from 'ccxt';
import { ExchangeError } from '@ia-agents/core';

/** A ccxt client as we use it (the real `ccxt.Exchange`). */
export type CcxtClient = InstanceType<typeof ccxt.Exchange>;

/** What it takes to build a ccxt client. */
export interface CcxtClientSettings {
  exchangeId: string;
  apiKey?: string | undefined;
  secret?: string | undefined;
  sandbox: boolean;
  /** Replaces the scheme and host of every REST URL (a mirror, a proxy, a local server). */
  apiUrl?: string | undefined;
  timeoutMs: number;
  ccxtOptions: Record<string, unknown>;
}

type Constructor = new (config: Record<string, unknown>) => CcxtClient;

/**
 * Builds a ccxt client by exchange id: the REST client, or with `pro` the ccxt pro client (REST
 * plus the `watch*` streams). Fails with CONFIG_INVALID for an id ccxt does not know.
 */
export function buildCcxtClient(settings: CcxtClientSettings, options: { pro?: boolean } = {}): CcxtClient {
  const registry = (options.pro === true ? ccxt.pro : ccxt) as unknown as Record<string, Constructor | undefined>;
  const Exchange = registry[settings.exchangeId];
  if (typeof Exchange !== 'function') throw new ExchangeError('CONFIG_INVALID', `ccxt${options.pro === true ? ' pro' : ''} has no exchange "${settings.exchangeId}"`, { details: { exchangeId: settings.exchangeId } });
  const client = new Exchange({ apiKey: settings.apiKey, secret: settings.secret, timeout: settings.timeoutMs, enableRateLimit: true, options: settings.ccxtOptions });
  if (settings.sandbox) client.setSandboxMode(true);
  if (settings.apiUrl !== undefined) client.urls.api = withOrigin(client.urls.api, settings.apiUrl.replace(/\/+$/, ''));
  return client;
}

/** Every http(s) URL in ccxt's (possibly nested) `urls.api` with its scheme and host replaced (ws URLs stay). */
function withOrigin(urls: unknown, origin: string): never {
  if (typeof urls === 'string') return urls.replace(/^https?:\/\/[^/]+/, origin) as never;
  if (urls === null || typeof urls !== 'object') return urls as never;
  return Object.fromEntries(Object.entries(urls).map(([key, value]) => [key, withOrigin(value, origin)])) as never;
}

/**
 * ccxt keeps the promise of a failed market load and hands it to every later call on the client
 * (`marketsLoading`), so one failed first request (the exchange unreachable for a moment) left the
 * client failing for good: nothing was retried. After a failure, a load that did not succeed is
 * forgotten, and the next call loads the markets again.
 */
export function forgetFailedMarketLoad(client: CcxtClient): void {
  const loading = client as unknown as { markets?: unknown; marketsLoading?: unknown };
  if (loading.markets === undefined && loading.marketsLoading !== undefined) loading.marketsLoading = undefined;
}

interface WsClientLike {
  future(messageHash: string): Promise<unknown>;
}
const QUIETED = new WeakSet<object>();

/**
 * ccxt pro rejects some futures that nobody awaits: Binance's failed user-data subscription (a
 * refused signature) rejects its `authenticate:signature:spot` future beside the request's own,
 * and Node ends the process on an unhandled rejection. Every future of this client's sockets is
 * marked handled here; whoever awaits one still gets its rejection (watchOrders does, and throws).
 */
export function quietUnawaitedFutures(client: CcxtClient): void {
  if (QUIETED.has(client)) return;
  QUIETED.add(client);
  const clients = client as unknown as { client(url: string): WsClientLike };
  const socketOf = clients.client.bind(client);
  clients.client = (url: string) => {
    const socket = socketOf(url);
    if (!QUIETED.has(socket)) {
      QUIETED.add(socket);
      const future = socket.future.bind(socket);
      socket.future = (messageHash: string) => {
        const promise = future(messageHash);
        promise.catch(() => undefined);
        return promise;
      };
    }
    return socket;
  };
}
