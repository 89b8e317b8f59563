import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { holdInAnotherProcess, killHard } from '../testing/lease-holder.js';
import { TEST_DATABASE_URL } from '../testing/postgres-databases.js';
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
});
