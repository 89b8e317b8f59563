import { describeStoreContract } from '../testing/store-contract.js';
import { SqliteStore } from './sqlite-store.js';

describeStoreContract('SqliteStore', async () => {
  const store = new SqliteStore({ filename: ':memory:' });
  await store.migrate();
  return { store, raw: (sql) => store.rawExec(sql), cleanup: () => store.close() };
});
