import { randomBytes } from 'node:crypto';
import { describeStoreContract } from '../testing/store-contract.js';
import { PostgresStore } from './postgres-store.js';

/** The PostgreSQL server of this machine (trust auth). */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

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
