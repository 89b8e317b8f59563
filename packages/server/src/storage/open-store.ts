import { PostgresStore } from './postgres-store.js';
import type { ServerStore } from './server-store.js';
import { SqliteStore } from './sqlite-store.js';

/** Where to store data. */
export interface OpenStoreSettings {
  /** `postgres://...` for PostgreSQL; `sqlite:<file>`, a file path or undefined for SQLite. */
  databaseUrl?: string;
  /** SQLite file when `databaseUrl` is not set. @default './data/ia-agents.db' */
  sqliteFile?: string;
}

/**
 * Opens and migrates the store named by a `DATABASE_URL`: PostgreSQL for `postgres://` and
 * `postgresql://` URLs, the embedded SQLite file otherwise.
 * @example const store = await openStore({ databaseUrl: process.env.DATABASE_URL });
 */
export async function openStore(settings: OpenStoreSettings = {}): Promise<ServerStore> {
  const url = settings.databaseUrl;
  let store: ServerStore;
  if (url !== undefined && /^postgres(ql)?:\/\//.test(url)) {
    store = new PostgresStore({ connectionString: url });
  } else {
    const filename = url === undefined || url === '' ? settings.sqliteFile : url.replace(/^sqlite:(\/\/)?/, '');
    store = new SqliteStore(filename === undefined ? {} : { filename });
  }
  await store.migrate();
  return store;
}
