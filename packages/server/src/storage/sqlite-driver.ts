import type BetterSqlite3 from 'better-sqlite3';
import type { SqlDriver, SqlRow, SqlValue } from './sql-driver.js';

type Database = BetterSqlite3.Database;
type Statement = BetterSqlite3.Statement;

/** Rewrites `$1` placeholders to better-sqlite3's named `@p1` form. */
function rewrite(sql: string): string {
  return sql.replace(/\$(\d+)/g, '@p$1');
}

function bind(params: readonly SqlValue[]): Record<string, string | number | null> {
  const named: Record<string, string | number | null> = {};
  params.forEach((value, index) => {
    named[`p${index + 1}`] = typeof value === 'boolean' ? (value ? 1 : 0) : value;
  });
  return named;
}

/**
 * better-sqlite3 behind the async driver interface. Calls run synchronously; a transaction holds
 * a lock so that no other call slips its statements into it between two awaits.
 */
export class SqliteDriver implements SqlDriver {
  readonly #database: Database;
  readonly #statements = new Map<string, Statement>();
  #lock: Promise<void> = Promise.resolve();
  #inTransaction = false;

  constructor(database: Database) {
    this.#database = database;
  }

  #prepare(sql: string): Statement {
    let statement = this.#statements.get(sql);
    if (statement === undefined) {
      statement = this.#database.prepare(rewrite(sql));
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  async #waitForLock(): Promise<void> {
    while (this.#inTransaction) await this.#lock;
  }

  async run(sql: string, params: readonly SqlValue[] = []): Promise<number> {
    await this.#waitForLock();
    return this.#prepare(sql).run(bind(params)).changes;
  }

  async all(sql: string, params: readonly SqlValue[] = []): Promise<SqlRow[]> {
    await this.#waitForLock();
    return this.#prepare(sql).all(bind(params)) as SqlRow[];
  }

  async exec(sql: string): Promise<void> {
    await this.#waitForLock();
    this.#database.exec(sql);
  }

  async transaction<T>(work: (driver: SqlDriver) => Promise<T>): Promise<T> {
    await this.#waitForLock();
    let release = (): void => undefined;
    this.#lock = new Promise<void>((resolve) => (release = resolve));
    this.#inTransaction = true;
    const inside: SqlDriver = {
      run: async (sql, params = []) => this.#prepare(sql).run(bind(params)).changes,
      all: async (sql, params = []) => this.#prepare(sql).all(bind(params)) as SqlRow[],
      exec: async (sql) => void this.#database.exec(sql),
      transaction: (nested) => nested(inside),
      close: async () => undefined,
    };
    try {
      this.#database.exec('BEGIN IMMEDIATE');
      const result = await work(inside);
      this.#database.exec('COMMIT');
      return result;
    } catch (error) {
      if (this.#database.inTransaction) this.#database.exec('ROLLBACK');
      throw error;
    } finally {
      this.#inTransaction = false;
      release();
    }
  }

  async close(): Promise<void> {
    await this.#waitForLock();
    if (this.#database.open) this.#database.close();
  }
}
