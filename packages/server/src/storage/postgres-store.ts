import pg from 'pg';
import { PostgresDriver } from './postgres-driver.js';
import { SqlServerStore, type SqlServerStoreSettings } from './sql-server-store.js';

/** Settings of a PostgresStore. */
export interface PostgresStoreSettings extends SqlServerStoreSettings {
  /** `postgres://user:password@host:port/database`. */
  connectionString: string;
  /** Schema holding the tables (created when missing); lets tests and tenants share a database. @default 'public' */
  schema?: string;
  /** Most pooled connections. @default 10 */
  maxConnections?: number;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * The seed's PostgreSQL schema (users, user_config, portfolio, positions, decisions, orders, plus
 * fills, outcomes, assistant records, api tokens and an append-only audit_log) behind `pg`, with
 * versioned migrations. Money columns are NUMERIC.
 * @example
 * const store = new PostgresStore({ connectionString: process.env.DATABASE_URL! });
 * await store.migrate();
 */
export class PostgresStore extends SqlServerStore {
  readonly dialect = 'postgres' as const;
  /** Schema of the tables. */
  readonly schema: string;
  readonly #pool: pg.Pool;

  constructor(settings: PostgresStoreSettings) {
    const schema = settings.schema ?? 'public';
    if (!SCHEMA_NAME.test(schema)) throw new RangeError(`PostgreSQL schema name must match ${SCHEMA_NAME.source}, received "${schema}"`);
    const pool = new pg.Pool({ connectionString: settings.connectionString, max: settings.maxConnections ?? 10, options: `-c search_path=${schema}` });
    pool.on('error', () => undefined); // an idle client's error surfaces on its next query instead of crashing the process
    super(new PostgresDriver(pool), settings);
    this.schema = schema;
    this.#pool = pool;
  }

  protected override migrationLock(): string {
    return 'SELECT pg_advisory_xact_lock(727001)';
  }

  override async migrate(): Promise<void> {
    await this.driver.exec(`CREATE SCHEMA IF NOT EXISTS ${this.schema}`);
    await super.migrate();
  }

  /** Drops the schema and everything in it (tests). */
  async dropSchema(): Promise<void> {
    await this.#pool.query(`DROP SCHEMA IF EXISTS ${this.schema} CASCADE`);
  }
}
