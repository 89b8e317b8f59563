import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { holdInAnotherProcess, killHard } from '../testing/lease-holder.js';
import { describeStoreContract } from '../testing/store-contract.js';
import { SqliteStore } from './sqlite-store.js';

describeStoreContract('SqliteStore', async () => {
  const store = new SqliteStore({ filename: ':memory:' });
  await store.migrate();
  return { store, raw: (sql) => store.rawExec(sql), cleanup: () => store.close() };
});

describe('SqliteStore.holdAccount', () => {
  const file = () => join(mkdtempSync(join(tmpdir(), 'ia-agents-lease-')), 'db.sqlite');

  it('lets one store at a time hold the accounts of a database file, naming the file to whoever else asks', async () => {
    const filename = file();
    const [first, second] = [new SqliteStore({ filename }), new SqliteStore({ filename })];
    const lease = await first.holdAccount('alice');
    await expect(second.holdAccount('bob')).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringContaining(`Another server is running on the SQLite database ${filename} (its lock file ${filename}.lock is held)`) });
    // The database itself stays usable by both (the lock is a file of its own).
    await second.migrate();
    await first.createUser({ username: 'alice', email: 'alice@localhost' });
    await lease.release();
    await lease.release();
    const taken = await second.holdAccount('bob');
    await expect(first.holdAccount('alice')).rejects.toMatchObject({ code: 'CONFLICT' });
    await taken.release();
    await Promise.all([first.close(), second.close()]);
  });

  it('is free again once the process that held it is killed (SIGKILL: no release ran)', async () => {
    const filename = file();
    const holder = await holdInAnotherProcess(`new SqliteStore({ filename: ${JSON.stringify(filename)} })`);
    const store = new SqliteStore({ filename });
    await expect(store.holdAccount('alice')).rejects.toMatchObject({ code: 'CONFLICT' });
    await killHard(holder);
    await (await store.holdAccount('alice')).release();
    await store.close();
  });

  it('always gives it to an in-memory store (nothing to share)', async () => {
    const store = new SqliteStore({ filename: ':memory:' });
    await (await store.holdAccount('alice')).release();
    await (await store.holdAccount('alice')).release();
    await store.close();
  });
});
