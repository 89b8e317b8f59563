// npm run bench -w @ia-agents/server
// 1. GET /api/v1/portfolio on the real app vs a bare Fastify route, both in a child process,
//    loaded by autocannon from this process (2 cores: one each).
// 2. Decisions with full transcripts written to PostgreSQL through PostgresStore vs a
//    single-row insert loop on the same database.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import pg from 'pg';
import { PostgresStore } from '@ia-agents/server';
import { decision } from './fixtures.js';

const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const DURATION = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = 50;

interface HttpResult { name: string; requestsPerSecond: number; p50: number; p99: number; errors: number; non2xx: number }

async function startTarget(mode: 'app' | 'bare'): Promise<{ child: ChildProcess; port: number; token?: string }> {
  const file = fileURLToPath(new URL('./http-target.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', file, mode], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    child.stdout!.once('data', (data: Buffer) => resolve(data.toString()));
    child.once('exit', (code) => reject(new Error(`target exited with ${code}`)));
  });
  const [, port, , token] = line.trim().split(' ');
  return { child, port: Number(port), ...(token === undefined ? {} : { token }) };
}

async function load(url: string, headers: Record<string, string>, duration: number): Promise<autocannon.Result> {
  return autocannon({ url, connections: CONNECTIONS, duration, headers });
}

async function httpBench(mode: 'app' | 'bare'): Promise<HttpResult> {
  const target = await startTarget(mode);
  const url = `http://127.0.0.1:${target.port}/api/v1/portfolio`;
  const headers = target.token === undefined ? {} : { authorization: `Bearer ${target.token}` };
  await load(url, headers, 2); // warm-up: JIT, caches
  const result = await load(url, headers, DURATION);
  target.child.kill();
  return { name: mode === 'app' ? 'GET /api/v1/portfolio (auth, rate limit, zod, SQLite, metrics)' : 'bare Fastify route, same JSON', requestsPerSecond: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors: result.errors, non2xx: result.non2xx };
}

async function decisionsBench(count: number, concurrency: number): Promise<{ perSecond: number; count: number }> {
  const store = new PostgresStore({ connectionString: DATABASE_URL, schema: `bench_${randomBytes(4).toString('hex')}`, maxConnections: Math.min(concurrency, 16) });
  await store.migrate();
  const user = await store.createUser({ username: 'bench', email: 'bench@example.com' });
  const userStore = store.forUser(user.id);
  const decisions = Array.from({ length: count }, (_, index) => decision(`dec-${index}`, 1_700_000_000_000 + index * 1000));
  await Promise.all(decisions.slice(0, 200).map((item) => userStore.saveDecision({ ...item, id: `warm-${item.id}` })));
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < decisions.length) await userStore.saveDecision(decisions[next++]!);
  }));
  const seconds = (performance.now() - started) / 1000;
  const stored = (await userStore.listDecisions({ limit: 1 }))[0];
  if (stored?.rounds.length !== 3) throw new Error('decisions were not stored with their transcripts');
  await store.dropSchema();
  await store.close();
  return { perSecond: count / seconds, count };
}

async function insertLoopBaseline(count: number): Promise<number> {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  const table = `bench_rows_${randomBytes(4).toString('hex')}`;
  await client.query(`CREATE TABLE ${table} (id INTEGER PRIMARY KEY, created_at BIGINT NOT NULL)`);
  const started = performance.now();
  for (let index = 0; index < count; index += 1) await client.query(`INSERT INTO ${table} (id, created_at) VALUES ($1, $2)`, [index, Date.now()]);
  const perSecond = count / ((performance.now() - started) / 1000);
  await client.query(`DROP TABLE ${table}`);
  await client.end();
  return perSecond;
}

const round = (value: number) => Math.round(value).toLocaleString('en-US');

async function main(): Promise<void> {
  const bare = await httpBench('bare');
  const app = await httpBench('app');
  const baseline = await insertLoopBaseline(5000);
  const sequential = await decisionsBench(2000, 1);
  const concurrent = await decisionsBench(10_000, 16);
  const wide = await decisionsBench(20_000, 64);
  const results = { date: new Date().toISOString(), node: process.version, cores: availableParallelism(), durationSeconds: DURATION, connections: CONNECTIONS, http: [bare, app], postgres: { insertLoopBaseline: baseline, decisionsSequential: sequential.perSecond, decisionsConcurrent16: concurrent.perSecond, decisionsConcurrent64: wide.perSecond } };
  mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
  writeFileSync(new URL('./results/latest.json', import.meta.url), `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`| HTTP (${CONNECTIONS} connections, ${DURATION} s, server in a child process) | req/s | p50 ms | p99 ms | errors |\n|---|---|---|---|---|\n`);
  for (const item of [bare, app]) process.stdout.write(`| ${item.name} | ${round(item.requestsPerSecond)} | ${item.p50} | ${item.p99} | ${item.errors + item.non2xx} |\n`);
  process.stdout.write(`\n| PostgreSQL writes | per second |\n|---|---|\n| single-row insert loop (baseline, one connection) | ${round(baseline)} |\n| saveDecision with 3-round, 7-assistant transcript, one at a time | ${round(sequential.perSecond)} |\n| saveDecision, 16 concurrent writers | ${round(concurrent.perSecond)} |\n| saveDecision, 64 concurrent writers | ${round(wide.perSecond)} |\n`);
}

await main();
