import { IaAgentsError, TimeoutError, type NewsItem } from '@ia-agents/core';

/** What a news source is asked for. */
export interface NewsQuery {
  /** Currency codes the news should be about, e.g. `['BTC']`. */
  currencies?: readonly string[];
  /** Cancels the request. */
  signal?: AbortSignal;
}

/** A pluggable source of news and social posts (version 1). */
export interface NewsSource {
  /** Interface version. */
  readonly specificationVersion: 'v1';
  /** Short id, e.g. `cryptopanic` or a feed's host. */
  readonly id: string;
  /** The latest items, newest first. */
  fetchNews(query?: NewsQuery): Promise<NewsItem[]>;
}

/** HTTP settings shared by the sources. */
export interface HttpSourceSettings {
  /** Fetch implementation. @default globalThis.fetch */
  fetch?: typeof fetch;
  /** Time limit of one request, milliseconds. @default 15000 */
  timeoutMs?: number;
}

/** GETs a URL and returns the body text; network failures and non-2xx answers become SOURCE_UNAVAILABLE. */
export async function fetchText(url: string, what: string, settings: HttpSourceSettings, signal?: AbortSignal, accept = '*/*'): Promise<string> {
  const timeoutMs = settings.timeoutMs ?? 15_000;
  const timeout = AbortSignal.timeout(timeoutMs);
  const combined = signal === undefined ? timeout : AbortSignal.any([signal, timeout]);
  let response: Response;
  try {
    response = await (settings.fetch ?? globalThis.fetch)(url, { headers: { accept }, signal: combined });
  } catch (error) {
    if (timeout.aborted) throw new TimeoutError(`${what} did not answer within ${timeoutMs} ms`, { cause: error });
    throw new IaAgentsError('SOURCE_UNAVAILABLE', `${what} cannot be reached: ${(error as Error).message}`, { cause: error });
  }
  const body = await response.text();
  if (!response.ok) throw new IaAgentsError('SOURCE_UNAVAILABLE', `${what} answered HTTP ${response.status}: ${body.slice(0, 200)}`, { details: { status: response.status } });
  return body;
}

/** Removes secrets from a URL before it goes into an error message. */
export function redactUrl(url: string): string {
  return url.replace(/(auth_token=)[^&]+/, '$1***');
}
