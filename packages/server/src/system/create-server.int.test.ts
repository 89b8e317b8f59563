import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { backtestCandles, bundledCandlesPath, runBacktest } from '@ia-agents/exchange';
import type { Fill } from '@ia-agents/core';
import { TradingEnsembleModel, buildTrainingSet, createFeatureEngineer, createTrainingPool } from '@ia-agents/ml';
import { startFakeOllama } from '@ia-agents/assistants/testing';
import { loadModel } from './model-file.js';
import { convenedTeam, defaultTeam } from './team-module.js';
import { loadConfig } from '../config/load-config.js';
import { administer, dropDatabase, freshDatabase } from '../testing/postgres-databases.js';
import { createServer } from './create-server.js';

function config(overrides: Record<string, unknown> = {}) {
  const folder = mkdtempSync(join(tmpdir(), 'ia-agents-server-'));
  return loadConfig({ environment: {}, overrides: { port: 0, sqliteFile: join(folder, 'db.sqlite'), replaySpeed: 2000, replayWarmup: 100, schedulerEnabled: false, logLevel: 'silent', ...overrides } });
}

// Beside the package, so that a module's import of @ia-agents/core resolves as in a user's project.
const modules = mkdtempSync(join(fileURLToPath(new URL('../..', import.meta.url)), '.team-'));
afterAll(() => rmSync(modules, { recursive: true, force: true }));

/** A user's team module: a trend follower convened when the close crosses its 20-candle mean. */
const TREND_TEAM = [
  "import { defineAssistant } from '@ia-agents/core';",
  'const mean = (closes) => closes.reduce((sum, close) => sum + close, 0) / closes.length;',
  '// (It notes how many candles it was built from, for the test.)',
  "export default (candles) => (globalThis.trendTeamCandles = candles.get('BTC/USDT').length, {",
  "  assistants: [defineAssistant({ id: 'trend', analyze: (snapshot) => {",
  '    const closes = snapshot.candles.slice(-20).map((candle) => candle.close);',
  '    const up = closes.at(-1) > mean(closes);',
  "    return { assistantId: 'trend', action: up ? 'BUY' : 'SELL', confidence: 0.8, reasoning: up ? 'above its 20-candle mean' : 'below its 20-candle mean' };",
  '  } })],',
  '  trigger: () => { const closes = []; let above; return { update(candle) {',
  '    closes.push(candle.close); if (closes.length > 20) closes.shift(); if (closes.length < 20) return false;',
  "    const now = candle.close > mean(closes); const crossed = above !== undefined && now !== above; above = now; return crossed ? 'crossed its mean' : false;",
  '  } }; },',
  '  consensus: { maxRounds: 1, weights: { trend: 2 } },',
  '});',
].join('\n');

/** What a fill did, without the ids a run gives it. */
const trade = (fill: Fill) => ({ side: fill.side, timestamp: fill.timestamp, price: fill.price, amount: fill.amount, fee: fill.fee });

/** Starts a server and returns the first decision it stores (the oldest), then closes it. */
async function firstDecision(server: Awaited<ReturnType<typeof createServer>>) {
  await server.listen();
  const store = server.store.forUser(server.owner.user.id);
  let decisions = await store.listDecisions();
  for (let attempt = 0; attempt < 300 && decisions.length === 0; attempt += 1) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    decisions = await store.listDecisions();
  }
  await server.close();
  expect(decisions.length).toBeGreaterThan(0);
  return decisions.at(-1)!;
}

/** Starts a replay server, waits until it has replayed every candle, and reads its fills (oldest first) and decisions. */
async function replayed(server: Awaited<ReturnType<typeof createServer>>) {
  await server.listen();
  for (let attempt = 0; attempt < 1200 && server.account.status() !== 'finished'; attempt += 1) await new Promise((resolve) => setTimeout(resolve, 100));
  expect(server.account.status()).toBe('finished');
  const store = server.store.forUser(server.owner.user.id);
  return { fills: (await store.listFills({ limit: 100_000 })).reverse(), decisions: await store.listDecisions({ limit: 100_000 }) };
}

describe('createServer on the embedded defaults', () => {
  it('replays the bundled candles through the seven assistants into the API', async () => {
    const server = await createServer(config());
    const url = await server.listen();
    const headers = { authorization: `Bearer ${server.owner.issuedToken}` };
    let decisions: { id: string; rounds: { opinions: { assistantId: string }[] }[] }[] = [];
    for (let attempt = 0; attempt < 300 && decisions.length === 0; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      decisions = ((await (await fetch(`${url}/api/v1/decisions`, { headers })).json()) as { decisions: typeof decisions }).decisions;
    }
    expect(decisions.length).toBeGreaterThan(0);
    expect(decisions[0]!.rounds[0]!.opinions.map((opinion) => opinion.assistantId).sort()).toEqual(['auditor', 'executor', 'fundamental-analyst', 'market-monitor', 'risk-manager', 'strategist', 'technical-analyst']);
    const health = (await (await fetch(`${url}/health`)).json()) as { status: string; accounts: Record<string, string> };
    expect(health.status).toBe('ok');
    expect(Object.keys(health.accounts)).toEqual([server.owner.user.id]);
    await server.close();
    expect(server.account.status()).toMatch(/stopped|finished/);
  });

  it("applies the owner's saved weights and risk limits to the running engine at once, and again after a restart", async () => {
    const settings = config({ adminToken: 'iaa_test-admin-token-config-0123' });
    const first = await createServer(settings);
    const before = first.account.engine.consensus.options.weights;
    const put = await first.app.inject({ method: 'PUT', url: '/api/v1/config', headers: { authorization: 'Bearer iaa_test-admin-token-config-0123' }, payload: { assistantWeights: { strategist: 2 }, riskLimits: { minConfidence: 0.9 } } });
    expect(put.statusCode).toBe(200);
    expect(first.account.engine.riskLimits.minConfidence).toBe(0.9);
    expect(first.account.engine.consensus.options.weights.strategist).toBe(before.strategist! * 2);
    await first.close();
    const second = await createServer(settings);
    expect(second.account.engine.riskLimits.minConfidence).toBe(0.9);
    expect(second.account.engine.consensus.options.weights.strategist).toBe(before.strategist! * 2);
    expect(second.account.engine.consensus.options.weights['technical-analyst']).toBe(before['technical-analyst']);
    await second.close();
  });

  it('runs an account from one server at a time: a second on the same database refuses to start, naming why, and starts once the first has closed', async () => {
    const settings = config({ adminToken: 'iaa_test-admin-token-single-0123' });
    const first = await createServer(settings);
    await expect(createServer(settings)).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringContaining(`Another server is running on the SQLite database ${settings.sqliteFile}`) });
    // The refused start left the first server's data and API alone.
    expect((await first.app.inject({ method: 'GET', url: '/api/v1/decisions', headers: { authorization: 'Bearer iaa_test-admin-token-single-0123' } })).statusCode).toBe(200);
    await first.close();
    const second = await createServer(settings);
    expect(second.owner.user.id).toBe(first.owner.user.id);
    await second.close();
  });

  it('stops trading when PostgreSQL ends the connection holding its account, refuses orders while another server may trade it, and trades again once it holds the account again', async () => {
    const url = await freshDatabase('lease');
    const database = new URL(url).pathname.slice(1);
    const other = new pg.Client({ connectionString: url });
    try {
      const token = 'iaa_test-admin-token-lease-012345';
      const headers = { authorization: `Bearer ${token}` };
      const settings = config({ databaseUrl: url, replaySpeed: 1, leaseRetryMs: 100, adminToken: token });
      const first = await createServer(settings);
      const stages: string[] = [];
      first.account.bus.on('engine-error', ({ stage }) => void stages.push(stage));
      await first.listen();
      await expect(createServer(settings)).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('on this PostgreSQL database') });
      const lost = first.account;
      // Another session waits for the account's lock: PostgreSQL hands it over as soon as the first server's session ends.
      await other.connect();
      const taken = other.query('SELECT pg_advisory_lock(727002, hashtext($1))', [first.owner.user.id]);
      // The session holding the lock ends (a database restart, a network cut).
      await administer(`SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND classid = 727002 AND granted AND database = (SELECT oid FROM pg_database WHERE datname = '${database}')`);
      await taken;
      for (let attempt = 0; attempt < 100 && lost.status() !== 'stopped'; attempt += 1) await new Promise((resolve) => setTimeout(resolve, 50));
      expect([lost.status(), stages]).toEqual(['stopped', ['account-lease']]);
      // The API takes no order for an account another server may be trading.
      const refused = await first.app.inject({ method: 'POST', url: '/api/v1/orders', headers, payload: { symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 0.001 } });
      expect([refused.statusCode, refused.json().code]).toEqual([409, 'CONFLICT']);
      // Ten retry periods later, the other still holds the account: nothing was taken back.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect(first.account).toBe(lost);
      // The other lets go: the first server takes the account again, built anew, and trades.
      await other.end();
      for (let attempt = 0; attempt < 100 && (first.account === lost || first.account.status() !== 'running'); attempt += 1) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(first.account).not.toBe(lost);
      expect(first.account.status()).toBe('running');
      expect((await first.app.inject({ method: 'GET', url: '/api/v1/portfolio', headers })).statusCode).toBe(200);
      // The same bus: what listened before hears the new account.
      first.account.bus.emit('engine-error', { error: new Error('probe'), stage: 'probe' });
      expect(stages).toEqual(['account-lease', 'probe']);
      // It holds the lease for real again.
      await expect(createServer(settings)).rejects.toMatchObject({ code: 'CONFLICT' });
      await first.close();
      expect(first.account.status()).toBe('stopped');
    } finally {
      await other.end().catch(() => undefined);
      await dropDatabase(url);
    }
  });

  it('runs a team module (TEAM_MODULE, --team): in replay mode it trades what its backtest on the same candles traded', async () => {
    const team = join(modules, 'trend.mjs');
    writeFileSync(team, TREND_TEAM);
    const settings = config({ team, adminToken: 'iaa_test-admin-token-team-0123' });
    expect(loadConfig({ environment: { TEAM_MODULE: team } }).team).toBe(team);
    const server = await createServer(settings);
    expect(server.account.assistantIds).toEqual(['trend']);
    // Built from the replay file's candles, as a backtest of that file builds it.
    expect((globalThis as { trendTeamCandles?: number }).trendTeamCandles).toBe(backtestCandles({ data: [{ symbol: 'BTC/USDT', bundled: 'binance_BTC-USDT_1h' }] }).get('BTC/USDT')!.length);
    // The module's recommended weight, times the owner's saved one once it is set.
    expect(server.account.engine.consensus.options.weights).toEqual({ trend: 2 });
    const { fills, decisions } = await replayed(server);
    const put = await server.app.inject({ method: 'PUT', url: '/api/v1/config', headers: { authorization: 'Bearer iaa_test-admin-token-team-0123' }, payload: { assistantWeights: { trend: 1.5 } } });
    expect(put.statusCode).toBe(200);
    expect(server.account.engine.consensus.options.weights).toEqual({ trend: 3 });
    await server.close();
    // The same module backtested on the same candles, the server's warm-up as the backtest's.
    const data = [{ symbol: 'BTC/USDT', path: bundledCandlesPath('binance_BTC-USDT_1h') }];
    const candles = backtestCandles({ data }).get('BTC/USDT')!;
    const { default: build } = (await import(team)) as { default: (candles: Map<string, unknown>) => { assistants: never[]; trigger: never; consensus: never } };
    const backtest = await runBacktest({ data, ...build(backtestCandles({ data })), tradeFrom: candles[settings.replayWarmup - 1]!.timestamp + 3_600_000 });
    expect(backtest.fills.length).toBeGreaterThan(4);
    expect(fills.map(trade)).toEqual(backtest.fills.map(trade));
    // Its trigger alone convened the team (no decideEvery by default with a module), the module's assistant decided.
    expect(decisions).toHaveLength(backtest.engine.decisions);
    expect(new Set(decisions.flatMap((decision) => decision.rounds.flatMap((round) => round.opinions.map((opinion) => opinion.assistantId))))).toEqual(new Set(['trend']));
  });

  it('trades in its default replay what a backtest of the seven assistants, learning as the server does, trades on the same candles after the same warm-up', async () => {
    // The first 2,500 bundled Coinbase 4h candles: long enough for outcomes to move the weights.
    const path = join(modules, 'coinbase-4h.csv');
    writeFileSync(path, readFileSync(bundledCandlesPath('coinbase_BTC-USD_4h'), 'utf8').split('\n').slice(0, 2501).join('\n'));
    const data = [{ symbol: 'BTC/USD', path }];
    const settings = config({ symbols: ['BTC/USD'], timeframe: '4h', replayFile: path, replaySpeed: 100_000 });
    const server = await createServer(settings);
    const { fills, decisions } = await replayed(server);
    await server.close();
    const candles = backtestCandles({ data });
    const { assistants, consensus, trigger } = convenedTeam(defaultTeam, { module: false, timeframe: '4h' })(candles);
    const backtest = await runBacktest({ data, assistants, consensus: consensus!, trigger: trigger!, learning: true, tradeFrom: candles.get('BTC/USD')![settings.replayWarmup - 1]!.timestamp + 4 * 3_600_000 });
    expect(backtest.fills.length).toBeGreaterThan(0);
    expect(fills.map(trade)).toEqual(backtest.fills.map(trade));
    expect(decisions).toHaveLength(backtest.engine.decisions);
  });

  it('runs a model ia-agents train saved (MODEL_FILE): the strategist weighs its forecast, the warm-up covers what it needs, and it trades what the backtest with the model trades', async () => {
    // A small ensemble trained on the first 1,200 bundled Coinbase 4h candles, saved as the CLI saves it.
    const history = backtestCandles({ data: [{ bundled: 'coinbase_BTC-USD_4h' }] }).get('BTC/USD')!;
    const featureEngineer = createFeatureEngineer();
    const model = await new TradingEnsembleModel({ id: 'server-test', direction: { trees: 10 }, magnitude: { trees: 4 }, risk: { trees: 4 } }).train(buildTrainingSet(history.slice(0, 1200), { featureEngineer }), { pool: createTrainingPool({ threads: 1 }) });
    const file = join(modules, 'model.json');
    writeFileSync(file, JSON.stringify(model));
    // The next 1,300 candles, replayed.
    const path = join(modules, 'coinbase-4h-later.csv');
    writeFileSync(path, ['timestamp_ms,open,high,low,close,volume', ...history.slice(1200, 2500).map((c) => [c.timestamp, c.open, c.high, c.low, c.close, c.volume].join(','))].join('\n'));
    const settings = config({ symbols: ['BTC/USD'], timeframe: '4h', replayFile: path, replaySpeed: 100_000, model: file });
    expect(loadConfig({ environment: { MODEL_FILE: file } }).model).toBe(file);
    const server = await createServer(settings);
    const { fills, decisions } = await replayed(server);
    await server.close();
    // The warm-up was raised from 100 to the model's 400 candles, and every decision after it carries the forecast.
    const data = [{ symbol: 'BTC/USD', path }];
    const candles = backtestCandles({ data });
    expect(decisions.length).toBeGreaterThan(0);
    expect(Math.min(...decisions.map((decision) => decision.createdAt))).toBeGreaterThan(candles.get('BTC/USD')![399]!.timestamp);
    const strategist = decisions.map((decision) => decision.rounds[0]!.opinions.find((opinion) => opinion.assistantId === 'strategist')!);
    expect(strategist.every((opinion) => opinion.evidence.some((evidence) => evidence.name === 'ml_prediction' && evidence.detail!.startsWith('server-test: ')))).toBe(true);
    const { assistants, consensus, trigger } = convenedTeam(defaultTeam, { module: false, timeframe: '4h' })(candles);
    const backtest = await runBacktest({ data, assistants, consensus: consensus!, trigger: trigger!, learning: true, predictor: loadModel(file), tradeFrom: candles.get('BTC/USD')![399]!.timestamp + 4 * 3_600_000 });
    expect(backtest.fills.length).toBeGreaterThan(0);
    expect(fills.map(trade)).toEqual(backtest.fills.map(trade));
    expect(decisions).toHaveLength(backtest.engine.decisions);
    // A replay of the candles the model learnt from would trade a future it has seen: refused.
    const learnt = join(modules, 'coinbase-4h-learnt.csv');
    writeFileSync(learnt, ['timestamp_ms,open,high,low,close,volume', ...history.slice(0, 1300).map((c) => [c.timestamp, c.open, c.high, c.low, c.close, c.volume].join(','))].join('\n'));
    await expect(createServer({ ...settings, replayFile: learnt })).rejects.toThrow(/^Invalid server configuration: model: the model server-test learnt from the candles of 2016-\S+ \S+ to 2016-\S+ \S+ UTC .* and trading starts at 2016-\S+ \S+: it would trade on a future the model has seen.* \(replayFile\)$/);
    // A file that is not a model stops the start, naming it.
    const notModel = join(modules, 'not-a-model.json');
    writeFileSync(notModel, '{"format":"something else"}');
    await expect(createServer({ ...settings, model: notModel })).rejects.toThrow(`Invalid server configuration: model: ${notModel} is not a model ia-agents train saved: `);
  });

  it('lets the seven assistants reason with the model at OLLAMA_URL (a local server speaking Ollama\'s API), and by their rules when it fails', async () => {
    // Agrees with each assistant's rule-based reading, quoted back from the prompt, and says so.
    const ollama = await startFakeOllama({
      models: ['qwen2.5:7b'],
      reply: (request) => {
        const [, action = 'HOLD', confidence = '0.5'] = /rule-based reading is (BUY|SELL|HOLD) with confidence ([\d.]+)/.exec(JSON.stringify(request.messages)) ?? [];
        return { content: JSON.stringify({ action, confidence: Number(confidence), reasoning: `(local model) the evidence reads ${action}` }), promptEvalCount: 120, evalCount: 30 };
      },
    });
    try {
      const settings = config({ ollamaUrl: ollama.url, ollamaModel: 'qwen2.5:7b' });
      expect(loadConfig({ environment: { OLLAMA_URL: ollama.url, OLLAMA_MODEL: 'qwen2.5:7b' } })).toMatchObject({ ollamaUrl: ollama.url, ollamaModel: 'qwen2.5:7b' });
      const first = await firstDecision(await createServer(settings));
      expect(first.usage.totalTokens).toBeGreaterThan(0);
      const opinions = first.rounds[0]!.opinions;
      expect(opinions).toHaveLength(7);
      expect(opinions.filter((opinion) => opinion.reasoning.includes('(local model) the evidence reads')).length).toBeGreaterThan(0);
      expect(ollama.requests.length).toBeGreaterThan(0);
      expect(ollama.requests.filter((request) => request.path === '/api/chat').every((request) => request.body?.model === 'qwen2.5:7b')).toBe(true);
    } finally {
      await ollama.close();
    }
    // The model server gone: the assistants decide by their rules, saying so (degraded).
    const unserved = await firstDecision(await createServer(config({ ollamaUrl: ollama.url, ollamaModel: 'qwen2.5:7b' })));
    expect(unserved.rounds[0]!.opinions).toHaveLength(7);
    expect(unserved.rounds[0]!.opinions.some((opinion) => opinion.degraded)).toBe(true);
    expect(unserved.usage.totalTokens).toBe(0);
  });

  it('names a team module that cannot be used, and leaves nothing open behind it', async () => {
    const settings = config({ team: join(modules, 'missing.mjs') });
    await expect(createServer(settings)).rejects.toThrow(`Invalid server configuration: team: no file ${join(modules, 'missing.mjs')}`);
    const empty = join(modules, 'empty.mjs');
    writeFileSync(empty, 'export default { assistants: [] };');
    await expect(createServer({ ...settings, team: empty })).rejects.toThrow(`Invalid server configuration: team: ${empty} gave no assistants`);
    // The account was not left held: a server on the same database starts.
    const server = await createServer({ ...settings, team: undefined });
    expect(server.account.assistantIds).toHaveLength(7);
    await server.close();
  });

  it('refuses live trading without an encryption key, naming the key', async () => {
    await expect(createServer(config({ mode: 'live' }))).rejects.toThrow('Invalid server configuration: encryptionKey: live trading needs ENCRYPTION_KEY');
  });

  it('keeps a given ADMIN_TOKEN across restarts and issues none', async () => {
    const settings = config({ adminToken: 'iaa_test-admin-token-0123456789' });
    for (let start = 0; start < 2; start += 1) {
      const server = await createServer(settings);
      expect(server.owner.issuedToken).toBeUndefined();
      const me = await server.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: 'Bearer iaa_test-admin-token-0123456789' } });
      expect(me.json()).toMatchObject({ user: { username: 'admin' }, role: 'admin' });
      await server.close();
    }
  });
});
