import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { buildPaperState } from '../testing/fixtures.js';
import { holdInAnotherProcess, killHard } from '../testing/lease-holder.js';
import { administer, TEST_DATABASE_URL } from '../testing/postgres-databases.js';
import { describeStoreContract } from '../testing/store-contract.js';
import { PostgresStore } from './postgres-store.js';


describeStoreContract('PostgresStore', async () => {
  const store = new PostgresStore({ connectionString: TEST_DATABASE_URL, schema: `store_${randomBytes(6).toString('hex')}`, maxConnections: 4 });
  await store.migrate();
  return {
    store,
    raw: (sql) => store.rawExec(sql),
    cleanup: async () => {
      await store.dropSchema();
      await store.close();
    },
  };
});

describe('PostgresStore.holdAccount', () => {
  it('lets one store at a time hold a user\'s account, any number of users at once, and frees it with the holder\'s connection', async () => {
    const schema = `lease_${randomBytes(6).toString('hex')}`;
    const [first, second] = [0, 1].map(() => new PostgresStore({ connectionString: TEST_DATABASE_URL, schema, maxConnections: 2 }));
    const alice = await first!.holdAccount('alice');
    await expect(second!.holdAccount('alice')).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('Another server is running the trading account of user alice on this PostgreSQL database') });
    const bob = await second!.holdAccount('bob');
    await alice.release();
    await alice.release();
    const taken = await second!.holdAccount('alice');
    await expect(first!.holdAccount('alice')).rejects.toMatchObject({ code: 'CONFLICT' });
    await Promise.all([taken.release(), bob.release()]);
    await (await first!.holdAccount('alice')).release();
    await Promise.all([first!.close(), second!.close()]);
  });

  it('is free again once the process that held it is killed (SIGKILL: no release ran)', async () => {
    const schema = `lease_${randomBytes(6).toString('hex')}`;
    const holder = await holdInAnotherProcess(`new PostgresStore({ connectionString: ${JSON.stringify(TEST_DATABASE_URL)}, schema: '${schema}' })`);
    const store = new PostgresStore({ connectionString: TEST_DATABASE_URL, schema });
    await expect(store.holdAccount('alice')).rejects.toMatchObject({ code: 'CONFLICT' });
    await killHard(holder);
    // PostgreSQL ends the session when its socket closes, a moment after the process.
    for (let attempt = 0; ; attempt += 1) {
      const lease = await store.holdAccount('alice').catch((error: unknown) => (attempt < 100 ? undefined : Promise.reject(error)));
      if (lease !== undefined) {
        await lease.release();
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await store.close();
  });

  it('lets no paper-account save land once the lease is lost, not even one in flight when its connection ended', async () => {
    const schema = `lease_${randomBytes(6).toString('hex')}`;
    // Three connections: the lease's, the other server's lease's and one for the reads.
    const store = new PostgresStore({ connectionString: TEST_DATABASE_URL, schema, maxConnections: 3 });
    await store.migrate();
    const user = await store.createUser({ username: 'alice', email: 'alice@example.com' });
    const lost: Error[] = [];
    const lease = await store.holdAccount(user.id, { onLost: (error) => lost.push(error) });
    const first = await buildPaperState();
    await lease.savePaperAccount({ quoteCurrency: 'USDT', state: first, updatedAt: 10 });
    // Another session locks the saved row: the lease's next save waits in the database, in flight.
    const blocker = new pg.Client({ connectionString: TEST_DATABASE_URL, options: `-c search_path=${schema}` });
    await blocker.connect();
    await blocker.query('BEGIN');
    await blocker.query('SELECT 1 FROM paper_accounts WHERE user_id = $1 FOR UPDATE', [user.id]);
    const inFlight = lease.savePaperAccount({ quoteCurrency: 'USDT', state: await buildPaperState({ cash: 7_000 }), updatedAt: 20 });
    const outcome = inFlight.then(() => 'saved', (error: unknown) => error);
    const holder = `SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND classid = 727002 AND objid = (hashtext('${user.id}')::bigint & 4294967295)::oid AND granted`;
    const waiting = async () => (await blocker.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE pid IN (${holder}) AND wait_event_type = 'Lock'`)).rows[0]!.n;
    for (let attempt = 0; (await waiting()) === 0; attempt += 1) {
      if (attempt > 200) throw new Error('the lease\'s save never waited on the locked row');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    // The lease's session ends (a network cut, a restarted proxy): PostgreSQL drops its lock.
    await administer(`SELECT pg_terminate_backend(pid) FROM (${holder}) AS held`);
    expect(await outcome).toMatchObject({ code: 'CONFLICT' });
    await blocker.query('ROLLBACK');
    await blocker.end();
    expect(lost).toHaveLength(1);
    expect(await store.getPaperAccount(user.id)).toEqual({ quoteCurrency: 'USDT', state: first, updatedAt: 10 });
    // Another server takes the account and saves; this lease saves nothing over it.
    const taken = await store.holdAccount(user.id);
    const theirs = await buildPaperState({ cash: 8_000 });
    await taken.savePaperAccount({ quoteCurrency: 'USDT', state: theirs, updatedAt: 30 });
    await expect(lease.savePaperAccount({ quoteCurrency: 'USDT', state: first, updatedAt: 40 })).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await store.getPaperAccount(user.id)).toEqual({ quoteCurrency: 'USDT', state: theirs, updatedAt: 30 });
    await lease.release();
    await taken.release();
    await store.dropSchema();
    await store.close();
  });
});
