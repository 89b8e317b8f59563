import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteDriver } from './sqlite-driver.js';
import { SqlServerStore, type SqlServerStoreSettings } from './sql-server-store.js';

/** Settings of a SqliteStore. */
export interface SqliteStoreSettings extends SqlServerStoreSettings {
  /** Database file, or `:memory:`. Its folder is created when missing. @default './data/ia-agents.db' */
  filename?: string;
}

/**
 * The embedded default store: one SQLite file (better-sqlite3, WAL journal), zero set-up.
 * Call `migrate()` once before use (`openStore` does).
 * @example
 * const store = new SqliteStore({ filename: './data/ia-agents.db' });
 * await store.migrate();
 * await store.forUser(userId).saveDecision(decision);
 */
export class SqliteStore extends SqlServerStore {
  readonly dialect = 'sqlite' as const;
  /** The database file. */
  readonly filename: string;

  constructor(settings: SqliteStoreSettings = {}) {
    const filename = settings.filename ?? './data/ia-agents.db';
    if (filename !== ':memory:') mkdirSync(dirname(filename), { recursive: true });
    const database = new Database(filename);
    database.pragma('journal_mode = WAL');
    database.pragma('synchronous = NORMAL');
    database.pragma('foreign_keys = ON');
    database.pragma('busy_timeout = 5000');
    // The file is this process's own (WAL, one writer), so the latest valuation can be cached.
    super(new SqliteDriver(database), settings, { cacheLatestPortfolio: true });
    this.filename = filename;
  }
}
