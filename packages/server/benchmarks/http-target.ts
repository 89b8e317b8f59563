// Child process of the HTTP benchmark: serves either the real app (GET /api/v1/portfolio with
// auth, rate limit, validation, SQLite read, metrics) or a bare Fastify route returning the same
// JSON, and prints `port <n>` when ready.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { ServerMetrics, SqliteStore, buildApp, issueApiToken } from '@ia-agents/server';
import { portfolio } from './fixtures.js';

const mode = process.argv[2] ?? 'app';

async function main(): Promise<void> {
  if (mode === 'bare') {
    const app = Fastify();
    app.get('/api/v1/portfolio', async () => portfolio);
    await app.listen({ port: 0, host: '127.0.0.1' });
    process.stdout.write(`port ${(app.server.address() as { port: number }).port}\n`);
    return;
  }
  const store = new SqliteStore({ filename: join(mkdtempSync(join(tmpdir(), 'iaa-bench-')), 'bench.db') });
  await store.migrate();
  const user = await store.createUser({ username: 'bench', email: 'bench@example.com' });
  const { secret } = await issueApiToken(store, { userId: user.id, role: 'viewer', name: 'bench' });
  await store.forUser(user.id).savePortfolio(portfolio);
  const app = await buildApp({ store, accounts: new Map(), metrics: new ServerMetrics(), clock: { now: () => Date.now() }, rateLimit: { max: 100_000_000, windowMs: 60_000 }, dashboard: false, logLevel: false });
  await app.listen({ port: 0, host: '127.0.0.1' });
  process.stdout.write(`port ${(app.server.address() as { port: number }).port} token ${secret}\n`);
}

process.on('SIGINT', () => process.exit(0)); // lets --cpu-prof write its profile
void main();
