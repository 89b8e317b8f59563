import type { Pool, PoolClient } from 'pg';
import type { SqlDriver, SqlRow, SqlValue } from './sql-driver.js';

/** One connection behind the driver interface (a transaction's, a lease's). */
export function clientDriver(client: PoolClient): SqlDriver {
  const driver: SqlDriver = {
    run: async (sql, params = []) => (await client.query(sql, params as SqlValue[])).rowCount ?? 0,
    all: async (sql, params = []) => (await client.query(sql, params as SqlValue[])).rows as SqlRow[],
    exec: async (sql) => void (await client.query(sql)),
    transaction: (work) => work(driver),
    close: async () => undefined,
  };
  return driver;
}

/** node-postgres (`pg`) pool behind the driver interface. */
export class PostgresDriver implements SqlDriver {
  readonly #pool: Pool;

  constructor(pool: Pool) {
    this.#pool = pool;
  }

  async run(sql: string, params: readonly SqlValue[] = []): Promise<number> {
    return (await this.#pool.query(sql, params as SqlValue[])).rowCount ?? 0;
  }

  async all(sql: string, params: readonly SqlValue[] = []): Promise<SqlRow[]> {
    return (await this.#pool.query(sql, params as SqlValue[])).rows as SqlRow[];
  }

  async exec(sql: string): Promise<void> {
    await this.#pool.query(sql);
  }

  async transaction<T>(work: (driver: SqlDriver) => Promise<T>): Promise<T> {
    const client = await this.#pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(clientDriver(client));
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }
}
