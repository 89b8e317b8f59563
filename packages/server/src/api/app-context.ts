import type { Clock, EventBus, TradingEngine } from '@ia-agents/core';
import type { Redis } from 'ioredis';
import type { ServerMetrics } from '../metrics/server-metrics.js';
import type { CredentialCipher } from '../security/credential-cipher.js';
import type { ServerStore, UserConfig } from '../storage/server-store.js';

/** Lifecycle of an account's engine. */
export type AccountStatus = 'starting' | 'running' | 'finished' | 'stopped' | 'failed';

/** A running trading engine owned by one user: the API reads and drives it. */
export interface TradingAccount {
  /** Owner. */
  readonly userId: string;
  /** The engine (decide, resolveEscalation, placeManualOrder, portfolio). */
  readonly engine: TradingEngine;
  /** The engine's event bus (streamed over /ws to its owner). */
  readonly bus: EventBus;
  /** Symbols the account trades. */
  readonly symbols: readonly string[];
  /** Ids of the assistants of the team, in order. */
  readonly assistantIds: readonly string[];
  /** Current lifecycle state. */
  status(): AccountStatus;
}

/** What the HTTP app needs: storage, the running accounts and the server's services. */
export interface AppContext {
  /** Storage. */
  store: ServerStore;
  /** Running accounts by user id. */
  accounts: Map<string, TradingAccount>;
  /** Prometheus metrics. */
  metrics: ServerMetrics;
  /** Time source. */
  clock: Clock;
  /** Seals exchange credentials; absent when no key is configured. */
  cipher?: CredentialCipher;
  /** Shared Redis (rate limits), when configured. */
  redis?: Redis;
  /** Requests per token per window. */
  rateLimit: { max: number; windowMs: number };
  /** Serve the dashboard at `/`. */
  dashboard: boolean;
  /** Pino log level, or false for no logging. */
  logLevel: string | false;
  /** Applies a user's saved configuration (risk limits, weights) to their running engine. */
  applyConfig?: (userId: string, config: UserConfig) => void;
  /** Runs the learning loop for a user (rebuilds learned reliabilities from stored outcomes). */
  learn?: (userId: string) => Promise<unknown>;
}
