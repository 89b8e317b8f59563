import ccxt from 'ccxt';
import { ExchangeError, isIaAgentsError, type ErrorCode } from '@ia-agents/core';

/** ccxt error classes to our codes, most specific first (ccxt's classes inherit from each other). */
const TABLE: [new (...args: never[]) => Error, ErrorCode][] = [
  // Binance's -1021 (the request's timestamp outside its window): refused before anything was done,
  // so not a network error whose outcome is unknown (ccxt files it under NetworkError).
  [ccxt.InvalidNonce, 'EXCHANGE_ERROR'],
  [ccxt.InsufficientFunds, 'INSUFFICIENT_FUNDS'],
  [ccxt.OrderNotFound, 'ORDER_NOT_FOUND'],
  [ccxt.InvalidOrder, 'INVALID_ORDER'],
  [ccxt.BadSymbol, 'MARKET_NOT_FOUND'],
  [ccxt.AuthenticationError, 'EXCHANGE_AUTH'],
  [ccxt.PermissionDenied, 'EXCHANGE_AUTH'],
  [ccxt.RateLimitExceeded, 'EXCHANGE_RATE_LIMITED'],
  [ccxt.DDoSProtection, 'EXCHANGE_RATE_LIMITED'],
  [ccxt.RequestTimeout, 'TIMEOUT'],
  [ccxt.OnMaintenance, 'EXCHANGE_UNAVAILABLE'],
  [ccxt.ExchangeNotAvailable, 'EXCHANGE_UNAVAILABLE'],
  [ccxt.NetworkError, 'EXCHANGE_NETWORK'],
];

/** Binance error codes that ccxt leaves as a generic ExchangeError. */
const BINANCE_CODES: Record<string, ErrorCode> = {
  '-1013': 'INVALID_ORDER',
  '-1111': 'INVALID_ORDER',
  '-2010': 'INSUFFICIENT_FUNDS',
  '-2011': 'ORDER_NOT_FOUND',
  '-2013': 'ORDER_NOT_FOUND',
  '-2014': 'EXCHANGE_AUTH',
  '-2015': 'EXCHANGE_AUTH',
  '-1003': 'EXCHANGE_RATE_LIMITED',
};

function codeInMessage(message: string): ErrorCode | undefined {
  const match = /"code"\s*:\s*(-\d+)/.exec(message);
  return match === null ? undefined : BINANCE_CODES[match[1]!];
}

/**
 * The one place where ccxt errors become ours: an ExchangeError with a stable code, the ccxt
 * error as `cause`, and what was being done in `details`.
 */
export function translateCcxtError(error: unknown, operation: string, details: Record<string, unknown> = {}): ExchangeError {
  if (error instanceof ExchangeError) return error;
  if (isIaAgentsError(error)) return new ExchangeError(error.code, error.message, { cause: error, details });
  const found = TABLE.find(([type]) => error instanceof type);
  const message = error instanceof Error ? error.message : String(error);
  const code: ErrorCode = found?.[1] ?? codeInMessage(message) ?? 'EXCHANGE_ERROR';
  return new ExchangeError(code, `${operation} failed: ${message}`, { cause: error, details: { operation, ccxtError: error instanceof Error ? error.name : typeof error, ...details } });
}

/** Whether the outcome of a sent request is unknown (it may have reached the exchange). */
export function isAmbiguous(error: ExchangeError): boolean {
  return error.code === 'EXCHANGE_NETWORK' || error.code === 'TIMEOUT' || error.code === 'EXCHANGE_UNAVAILABLE';
}
