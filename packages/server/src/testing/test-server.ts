import { SimulatedClock, everyNthCandle } from '@ia-agents/core';
import { buildCandles, createArrayFeed, createScriptedAssistant, type ScriptedTurn } from '@ia-agents/core/testing';
import { createPaperExchange } from '@ia-agents/exchange';
import type { FastifyInstance, InjectOptions } from 'fastify';
import type { AppContext } from '../api/app-context.js';
import { buildApp } from '../api/build-app.js';
import { ServerMetrics } from '../metrics/server-metrics.js';
import { issueApiToken } from '../security/api-tokens.js';
import { SqliteStore } from '../storage/sqlite-store.js';
import type { Role, ServerStore, User } from '../storage/server-store.js';
import { createTradingAccount, type RunnableAccount } from '../system/trading-account.js';
import { runLearningLoop } from '../system/learning-loop.js';

/** Scripts: a team that agrees to buy, and one that never agrees (escalations). */
export const TEAMS: Record<'agree' | 'split', readonly { id: string; turns: ScriptedTurn[] }[]> = {
  agree: [
    { id: 'technical-analyst', turns: [{ action: 'BUY', confidence: 0.8 }] },
    { id: 'risk-manager', turns: [{ action: 'BUY', confidence: 0.7 }] },
    { id: 'strategist', turns: [{ action: 'BUY', confidence: 0.9 }] },
  ],
  split: [
    { id: 'technical-analyst', turns: [{ action: 'BUY', confidence: 0.9 }] },
    { id: 'risk-manager', turns: [{ action: 'SELL', confidence: 0.6 }] },
    { id: 'strategist', turns: [{ action: 'HOLD', confidence: 0.5 }] },
  ],
};

/** A paper account over 30 seeded hourly candles, convening every 10 candles. */
export function buildTestAccount(store: ServerStore, userId: string, team: keyof typeof TEAMS, metrics?: ServerMetrics, idSeed = 1): RunnableAccount {
  const candles = buildCandles({ count: 30, seed: 7, startPrice: 40_000 });
  return createTradingAccount({
    userId,
    store,
    symbols: ['BTC/USDT'],
    exchange: createPaperExchange({ balances: { USDT: 10_000 } }),
    feed: createArrayFeed({ candles: { 'BTC/USDT': candles }, timeframe: '1h', batchSize: 5 }),
    assistants: TEAMS[team].map((script) => createScriptedAssistant(script)),
    trigger: everyNthCandle(10),
    clock: new SimulatedClock(0),
    consensus: { maxRounds: 2 },
    seed: idSeed,
    ...(metrics === undefined ? {} : { metrics }),
  });
}

/** What `app.inject` resolves to. */
export interface InjectResponse {
  statusCode: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: string;
  json<T = unknown>(): T;
}

/** A test server: admin, two traders with finished paper runs (alice: escalations, bob: orders), a viewer. */
export interface TestServer {
  app: FastifyInstance;
  store: ServerStore;
  context: AppContext;
  users: Record<'admin' | 'alice' | 'bob' | 'viewer', User>;
  tokens: Record<'admin' | 'alice' | 'bob' | 'viewer', string>;
  /** `app.inject` with a bearer token. */
  call(who: keyof TestServer['tokens'] | undefined, options: InjectOptions): Promise<InjectResponse>;
  close(): Promise<void>;
}

/** Builds the test server; `overrides` changes the context (rate limit, cipher, redis). */
export async function startTestServer(overrides: Partial<AppContext> = {}): Promise<TestServer> {
  const store = overrides.store ?? new SqliteStore({ filename: ':memory:' });
  await store.migrate();
  const metrics = new ServerMetrics({ processMetrics: false });
  const users = {} as TestServer['users'];
  const tokens = {} as TestServer['tokens'];
  const roles: Record<keyof TestServer['users'], Role> = { admin: 'admin', alice: 'trader', bob: 'trader', viewer: 'viewer' };
  for (const [name, role] of Object.entries(roles) as [keyof TestServer['users'], Role][]) {
    users[name] = await store.createUser({ username: name, email: `${name}@example.com` });
    tokens[name] = (await issueApiToken(store, { userId: users[name].id, role, name: 'test' })).secret;
  }
  const alice = buildTestAccount(store, users.alice.id, 'split', metrics);
  const bob = buildTestAccount(store, users.bob.id, 'agree', metrics, 2);
  await Promise.all([alice.start(), bob.start()]);
  const accounts = new Map([alice, bob].map((account) => [account.userId, account]));
  const context: AppContext = {
    store,
    accounts,
    metrics,
    clock: { now: () => 1_800_000_000_000 },
    rateLimit: { max: 10_000, windowMs: 60_000 },
    dashboard: true,
    logLevel: false,
    learn: (userId) => runLearningLoop(store.forUser(userId), accounts.get(userId), context.clock),
    ...overrides,
  };
  const app = await buildApp(context);
  return {
    app,
    store,
    context,
    users,
    tokens,
    call: async (who, options) => app.inject({ ...options, headers: { ...options.headers, ...(who === undefined ? {} : { authorization: `Bearer ${tokens[who]}` }) } }),
    close: async () => {
      await app.close();
      await store.close();
    },
  };
}
