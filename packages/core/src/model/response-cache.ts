import { createHash } from 'node:crypto';

/** Stores model responses by key so that a rerun makes no new model calls. */
export interface ResponseCache {
  /** The cached raw text, when present. */
  get(key: string): Promise<string | undefined> | string | undefined;
  /** Stores raw text under key. */
  set(key: string, text: string): Promise<void> | void;
}

/** An in-process cache (a Map). */
export function createMemoryResponseCache(): ResponseCache & { readonly size: number } {
  const entries = new Map<string, string>();
  return {
    get: (key) => entries.get(key),
    set: (key, text) => void entries.set(key, text),
    get size() {
      return entries.size;
    },
  };
}

/** The cache key: sha256 of provider, model, and everything that shapes the answer. */
export function responseCacheKey(parts: Record<string, unknown>): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}
