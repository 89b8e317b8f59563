/**
 * The wait an HTTP `Retry-After` header asks for, in ms: delay-seconds (`120`, Binance's form on
 * 429 and 418) or an HTTP date (RFC 9110), measured from `now`. Undefined when the headers carry
 * none or it cannot be read; a date in the past is 0.
 * @example retryAfterMs({ 'Retry-After': '3' }, Date.now()) // 3000
 */
export function retryAfterMs(headers: unknown, now: number): number | undefined {
  const value = headerValue(headers, 'retry-after');
  if (value === undefined) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  // Every HTTP date form starts with the day's name (`Mon, 01 Jan 2024 ...`); Date.parse alone takes `-5` for a year.
  if (!/^[A-Za-z]{3}/.test(value)) return undefined;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** A header by name, whatever its case (ccxt capitalises the names: `Retry-After`). */
function headerValue(headers: unknown, name: string): string | undefined {
  if (headers === null || typeof headers !== 'object') return undefined;
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== name) continue;
    const text = Array.isArray(value) ? value[0] : value;
    return typeof text === 'string' || typeof text === 'number' ? String(text).trim() : undefined;
  }
  return undefined;
}

/** A wait as a person reads it: `1500 ms`, `3 s`, `2 min 5 s`. */
export function formatWait(milliseconds: number): string {
  if (milliseconds < 1000) return `${milliseconds} ms`;
  const seconds = Math.round(milliseconds / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  return seconds % 60 === 0 ? `${minutes} min` : `${minutes} min ${seconds % 60} s`;
}
