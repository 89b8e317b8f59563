import { IaAgentsError } from '@ia-agents/core';
import pg from 'pg';
import { clientDriver, PostgresDriver } from './postgres-driver.js';
import { guardDriver } from './sql-driver.js';
import type { AccountLease } from './server-store.js';
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
/** First key of the accounts' advisory locks (the migrations take 727001). */
const ACCOUNT_LOCK_SPACE = 727002;

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

  /** See `ServerStore.holdAccount`: a session advisory lock on a pooled connection kept for the lease. */
  async holdAccount(userId: string, options: { onLost?: (error: Error) => void } = {}): Promise<AccountLease> {
    const client = await this.#pool.connect();
    let state: 'taking' | 'held' | 'lost' | 'released' = 'taking';
    // The held connection's end is the lease's loss (PostgreSQL dropped the lock with the session).
    const lose = (error: Error) => {
      if (state !== 'held') return;
      state = 'lost';
      options.onLost?.(new IaAgentsError('CONFLICT', `The PostgreSQL connection holding the trading account of user ${userId} ended (${error.message}): another server may take the account`, { cause: error, details: { userId } }));
    };
    client.on('error', lose);
    const key = [ACCOUNT_LOCK_SPACE, userId] as const;
    try {
      const { rows } = await client.query<{ held: boolean }>('SELECT pg_try_advisory_lock($1, hashtext($2)) AS held', [...key]);
      if (rows[0]?.held !== true) throw new IaAgentsError('CONFLICT', `Another server is running the trading account of user ${userId} on this PostgreSQL database (advisory lock ${ACCOUNT_LOCK_SPACE}, hashtext('${userId}')): stop it first`, { details: { userId } });
    } catch (error) {
      client.off('error', lose);
      client.release(true);
      throw error;
    }
    state = 'held';
    // A save on the locking session: one in flight when the session ends is rolled back with it.
    const save = this.leaseSave(userId, () => state === 'held', guardDriver(clientDriver(client)));
    return {
      savePaperAccount: async (account) => {
        if (state !== 'held') return save(account);
        try {
          await save(account);
        } catch (error) {
          // The session may have ended under the save (the client hears of it a moment later): a
          // session that still answers still holds the lock, and the error is the save's own.
          if (state === 'held' && (await client.query('SELECT 1').then(() => true, () => false))) throw error;
          lose(error as Error);
          throw new IaAgentsError('CONFLICT', `The PostgreSQL connection holding the trading account of user ${userId} was lost during the save of its paper account: nothing was saved`, { cause: error, details: { userId } });
        }
      },
      release: async () => {
        if (state === 'released') return;
        const held = state === 'held';
        state = 'released';
        try {
          if (held) await client.query('SELECT pg_advisory_unlock($1, hashtext($2))', [...key]);
        } finally {
          // A dead session's client may report its end once more: heard, so it cannot end the process.
          client.off('error', lose).on('error', () => undefined);
          // Closed rather than pooled: a connection that held a lock is not handed out again.
          client.release(true);
        }
      },
    };
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
