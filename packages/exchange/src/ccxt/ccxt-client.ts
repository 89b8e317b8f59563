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
  return client;
}
