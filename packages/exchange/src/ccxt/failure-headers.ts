import type { CcxtClient } from './ccxt-client.js';

type RestResponseHandler = (response: unknown, ...rest: unknown[]) => unknown;

/** Headers of the HTTP response that each captured ccxt error was thrown for. */
const headersByError = new WeakMap<object, Record<string, unknown>>();
const capturing = new WeakSet<CcxtClient>();

/**
 * Makes a ccxt client tie every error it throws on an HTTP answer (429, 418, 5xx, an error body)
 * to that answer's headers, read back with `failureHeaders(error)`. ccxt itself keeps only the
 * client's latest headers (`last_response_headers`), which the answer to a concurrent request may
 * have replaced by the time the error is handled: its `Retry-After` would then be lost.
 *
 * Every REST answer passes through ccxt's `handleRestResponse(response, ...)`, which reads the
 * body and then throws from the exchange's `handleErrors` or from `handleHttpStatusCode`; it is
 * wrapped on this client instance, once however often this is called.
 */
export function captureFailureHeaders(client: CcxtClient): void {
  if (capturing.has(client)) return;
  capturing.add(client);
  const handle = client.handleRestResponse as RestResponseHandler;
  client.handleRestResponse = (response: unknown, ...rest: unknown[]) =>
    Promise.resolve(handle.call(client, response, ...rest)).catch((error: unknown) => {
      if (typeof error === 'object' && error !== null) headersByError.set(error, client.getResponseHeaders(response) as Record<string, unknown>);
      throw error;
    });
}

/** The headers of the response a ccxt error was thrown for (see `captureFailureHeaders`); undefined for an error without one (network, timeout, or a client not captured). */
export function failureHeaders(error: unknown): Record<string, unknown> | undefined {
  return typeof error === 'object' && error !== null ? headersByError.get(error) : undefined;
}
