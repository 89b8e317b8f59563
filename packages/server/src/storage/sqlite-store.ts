import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { IaAgentsError } from '@ia-agents/core';
import Database from 'better-sqlite3';
import { SqliteDriver } from './sqlite-driver.js';
import type { AccountLease } from './server-store.js';
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

  /**
   * See `ServerStore.holdAccount`: an exclusive transaction kept open on `<database>.lock`, a small
   * SQLite file of its own (the operating system drops the lock with the process). One server per
   * database file, whatever the user. It is never lost while the process lives.
   */
  async holdAccount(userId: string): Promise<AccountLease> {
    if (this.filename === ':memory:') {
      let held = true;
      return { release: async () => void (held = false), savePaperAccount: this.leaseSave(userId, () => held) };
    }
    const file = `${this.filename}.lock`;
    const lock = new Database(file, { timeout: 0 });
    try {
      lock.exec('BEGIN EXCLUSIVE');
    } catch (error) {
      lock.close();
      if ((error as { code?: string }).code !== 'SQLITE_BUSY') throw error;
      throw new IaAgentsError('CONFLICT', `Another server is running on the SQLite database ${this.filename} (its lock file ${file} is held), so it cannot run the trading account of user ${userId}: stop it first`, { cause: error, details: { userId, file } });
    }
    return {
      savePaperAccount: this.leaseSave(userId, () => lock.open),
      release: async () => {
        if (!lock.open) return;
        lock.exec('ROLLBACK');
        lock.close();
      },
    };
  }
}
