import { describe, expect, it } from 'vitest';
import { createCcxtExchange } from './ccxt-exchange.js';
import { createCcxtStream } from './ccxt-stream.js';

// Building a client makes no request: these check the configuration ccxt is given.
describe('ccxt clients from options', () => {
  it('uses Binance by default, and any ccxt exchange id', () => {
    expect(createCcxtExchange().id).toBe('binance');
    expect(createCcxtExchange({ exchangeId: 'kraken' }).id).toBe('kraken');
    expect(createCcxtStream({ exchangeId: 'okx' }).client.id).toBe('okx');
  });

  it('passes the API key, secret and request timeout to ccxt', () => {
    const { client } = createCcxtExchange({ apiKey: 'key-1', secret: 'secret-1', timeoutMs: 1_234 });
    expect({ apiKey: client.apiKey, secret: client.secret, timeout: client.timeout }).toEqual({ apiKey: 'key-1', secret: 'secret-1', timeout: 1_234 });
  });

  it("switches to the exchange's testnet with sandbox", () => {
    const api = createCcxtExchange({ sandbox: true }).client.urls.api as Record<string, string>;
    expect(api.public).toBe('https://testnet.binance.vision/api/v3');
    expect((createCcxtExchange().client.urls.api as Record<string, string>).public).toBe('https://api.binance.com/api/v3');
  });

  it('points every REST URL at apiUrl, and leaves the WebSocket URLs (of the pro client it builds) alone', () => {
    const api = createCcxtExchange({ apiUrl: 'http://127.0.0.1:9999/' }).client.urls.api as Record<string, unknown>;
    expect(api.public).toBe('http://127.0.0.1:9999/api/v3');
    expect(api.fapiPublic).toBe('http://127.0.0.1:9999/fapi/v1');
    const rest = Object.values(api).filter((url): url is string => typeof url === 'string');
    expect(rest.length).toBeGreaterThan(10);
    expect(rest.filter((url) => !url.startsWith('http://127.0.0.1:9999/'))).toEqual([]);
    expect((api.ws as { 'ws-api': { spot: string } })['ws-api'].spot).toMatch(/^wss:\/\/ws-api\.binance\.com/);
  });

  it('refuses an unknown exchange id or a bad URL, naming it', () => {
    expect(() => createCcxtExchange({ exchangeId: 'no-such-exchange' })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', message: 'ccxt has no exchange "no-such-exchange"' }));
    expect(() => createCcxtStream({ exchangeId: 'no-such-exchange' })).toThrow('ccxt pro has no exchange "no-such-exchange"');
    expect(() => createCcxtExchange({ apiUrl: 'ftp://example.org' })).toThrow(/apiUrl/);
  });
});
