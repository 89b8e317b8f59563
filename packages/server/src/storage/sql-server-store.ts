import { randomUUID } from 'node:crypto';
import type { Clock } from '@ia-agents/core';
import { IaAgentsError, systemClock } from '@ia-agents/core';
import { MIGRATIONS, MIGRATIONS_TABLE } from './migrations.js';
import * as codec from './row-codec.js';
import type { SqlDriver, SqlRow } from './sql-driver.js';
import { guardDriver } from './sql-driver.js';
import { BatchWriter } from './batch-writer.js';
import { LatestPortfolioCache } from './latest-cache.js';
import { DECISION_UPSERT_HEAD, DECISION_UPSERT_TAIL, SqlUserStore } from './sql-user-store.js';
import type { AccountLease, ApiTokenRecord, NewUser, PaperAccount, Role, ServerStore, User, UserConfig, UserStore } from './server-store.js';

function userFromRow(row: SqlRow): User {
  return { id: String(row.id), username: String(row.username), email: String(row.email), createdAt: codec.num(row.created_at), isActive: codec.bool(row.is_active) };
}

function tokenFromRow(row: SqlRow): ApiTokenRecord {
  const token: ApiTokenRecord = { id: String(row.id), userId: String(row.user_id), role: row.role as Role, name: String(row.name), tokenHash: String(row.token_hash), createdAt: codec.num(row.created_at) };
  return row.revoked_at === null || row.revoked_at === undefined ? token : { ...token, revokedAt: codec.num(row.revoked_at) };
}

function parsedState(cell: unknown, userId: string): PaperAccount['state'] {
  try {
    return codec.json(cell);
  } catch (error) {
    throw new IaAgentsError('DATA_INVALID', `The paper account of user ${userId} (table paper_accounts) is not JSON: ${(error as Error).message}`, { cause: error, details: { userId } });
  }
}

/** Settings shared by both SQL stores. */
export interface SqlServerStoreSettings {
  /** Time source for created_at columns. @default systemClock */
  clock?: Clock;
  /** Exchange name written in the `portfolio.exchange` column. @default 'paper' */
  exchange?: string;
}

/** What a concrete store tells the shared implementation. */
export interface SqlDialectOptions {
  /** Keep each user's latest valuation in memory: only for a store that is its database's only writer. */
  cacheLatestPortfolio: boolean;
}

/** The SQL implementation of ServerStore shared by SqliteStore and PostgresStore. */
export abstract class SqlServerStore implements ServerStore {
  abstract readonly dialect: 'sqlite' | 'postgres';
  protected readonly driver: SqlDriver;
  readonly #clock: Clock;
  readonly #exchange: string;
  // Shared by every user's store so that concurrent decision writes are committed together.
  readonly #decisions: BatchWriter;
  readonly #latest: LatestPortfolioCache | undefined;

  protected constructor(driver: SqlDriver, settings: SqlServerStoreSettings = {}, dialect: SqlDialectOptions = { cacheLatestPortfolio: false }) {
    this.driver = guardDriver(driver);
    this.#latest = dialect.cacheLatestPortfolio ? new LatestPortfolioCache() : undefined;
    this.#clock = settings.clock ?? systemClock;
    this.#exchange = settings.exchange ?? 'paper';
    this.#decisions = new BatchWriter(this.driver, DECISION_UPSERT_HEAD, DECISION_UPSERT_TAIL, 11);
  }

  /** A statement run first inside the migration transaction (PostgreSQL takes a lock there). */
  protected migrationLock(): string | undefined {
    return undefined;
  }

  async migrate(): Promise<void> {
    await this.driver.exec(MIGRATIONS_TABLE);
    await this.driver.transaction(async (driver) => {
      const lock = this.migrationLock();
      if (lock !== undefined) await driver.exec(lock);
      const applied = new Set((await driver.all('SELECT version FROM schema_migrations')).map((row) => codec.num(row.version)));
      for (const migration of MIGRATIONS) {
        if (applied.has(migration.version)) continue;
        await driver.exec(migration.sql[this.dialect]);
        await driver.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [migration.version, migration.name, this.#clock.now()]);
      }
    });
  }

  async appliedMigrations(): Promise<number[]> {
    return (await this.driver.all('SELECT version FROM schema_migrations ORDER BY version')).map((row) => codec.num(row.version));
  }

  forUser(userId: string): UserStore {
    return new SqlUserStore(this.driver, userId, this.#exchange, this.#decisions, this.#latest);
  }

  async createUser(input: NewUser): Promise<User> {
    const user: User = { id: randomUUID(), username: input.username, email: input.email, createdAt: this.#clock.now(), isActive: true };
    await this.driver.run('INSERT INTO users (id, username, email, created_at, is_active) VALUES ($1, $2, $3, $4, $5)', [user.id, user.username, user.email, user.createdAt, user.isActive]);
    return user;
  }

  async getUser(id: string): Promise<User | undefined> {
    const rows = await this.driver.all('SELECT * FROM users WHERE id = $1', [id]);
    return rows[0] === undefined ? undefined : userFromRow(rows[0]);
  }

  async findUserByName(username: string): Promise<User | undefined> {
    const rows = await this.driver.all('SELECT * FROM users WHERE username = $1', [username]);
    return rows[0] === undefined ? undefined : userFromRow(rows[0]);
  }

  async listUsers(): Promise<User[]> {
    return (await this.driver.all('SELECT * FROM users ORDER BY created_at, username')).map(userFromRow);
  }

  async saveApiToken(token: ApiTokenRecord): Promise<void> {
    await this.driver.run(
      'INSERT INTO api_tokens (id, user_id, role, name, token_hash, created_at, revoked_at) VALUES ($1, $2, $3, $4, $5, $6, $7)',
      [token.id, token.userId, token.role, token.name, token.tokenHash, token.createdAt, token.revokedAt ?? null],
    );
  }

  async findApiToken(tokenHash: string): Promise<{ token: ApiTokenRecord; user: User } | undefined> {
    const rows = await this.driver.all(
      `SELECT t.*, u.username, u.email, u.created_at AS user_created_at, u.is_active FROM api_tokens t JOIN users u ON u.id = t.user_id
       WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.is_active = $2`,
      [tokenHash, true],
    );
    const row = rows[0];
    if (row === undefined) return undefined;
    return { token: tokenFromRow(row), user: userFromRow({ ...row, id: row.user_id, created_at: row.user_created_at }) };
  }

  async revokeApiToken(id: string, at: number): Promise<void> {
    await this.driver.run('UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL', [at, id]);
  }

  async getUserConfig(userId: string): Promise<UserConfig | undefined> {
    const row = (await this.driver.all('SELECT * FROM user_config WHERE user_id = $1', [userId]))[0];
    if (row === undefined) return undefined;
    return { userId, assistantWeights: codec.json(row.assistant_weights), customRules: codec.json(row.custom_rules), riskLimits: codec.json(row.risk_limits), createdAt: codec.num(row.created_at), updatedAt: codec.num(row.updated_at) };
  }

  async saveUserConfig(config: UserConfig): Promise<void> {
    await this.driver.run(
      `INSERT INTO user_config (user_id, assistant_weights, custom_rules, risk_limits, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (user_id) DO UPDATE SET assistant_weights = excluded.assistant_weights, custom_rules = excluded.custom_rules,
         risk_limits = excluded.risk_limits, updated_at = excluded.updated_at`,
      [config.userId, JSON.stringify(config.assistantWeights), JSON.stringify(config.customRules), JSON.stringify(config.riskLimits), config.createdAt, config.updatedAt],
    );
  }

  async saveExchangeCredentials(userId: string, exchange: string, sealed: string, at: number): Promise<void> {
    await this.driver.run(
      `INSERT INTO exchange_credentials (user_id, exchange, sealed, updated_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (user_id, exchange) DO UPDATE SET sealed = excluded.sealed, updated_at = excluded.updated_at`,
      [userId, exchange, sealed, at],
    );
  }

  async getExchangeCredentials(userId: string, exchange: string): Promise<string | undefined> {
    const row = (await this.driver.all('SELECT sealed FROM exchange_credentials WHERE user_id = $1 AND exchange = $2', [userId, exchange]))[0];
    return row === undefined ? undefined : String(row.sealed);
  }

  async savePaperAccount(userId: string, account: PaperAccount): Promise<void> {
    await this.savePaperAccountWith(this.driver, userId, account);
  }

  /** A lease's save: refused with CONFLICT unless `held()`, then written through `driver`. */
  protected leaseSave(userId: string, held: () => boolean, driver: SqlDriver = this.driver): (account: PaperAccount) => Promise<void> {
    return async (account) => {
      if (!held()) throw new IaAgentsError('CONFLICT', `The trading account of user ${userId} is no longer held by this server: its paper account is not saved (another server may be running it)`, { details: { userId } });
      await this.savePaperAccountWith(driver, userId, account);
    };
  }

  /** The paper account's upsert on a given connection (a lease saves on the one holding it). */
  protected async savePaperAccountWith(driver: SqlDriver, userId: string, account: PaperAccount): Promise<void> {
    await driver.run(
      `INSERT INTO paper_accounts (user_id, quote_currency, state, updated_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (user_id) DO UPDATE SET quote_currency = excluded.quote_currency, state = excluded.state, updated_at = excluded.updated_at`,
      [userId, account.quoteCurrency, JSON.stringify(account.state), account.updatedAt],
    );
  }

  async getPaperAccount(userId: string): Promise<PaperAccount | undefined> {
    const row = (await this.driver.all('SELECT quote_currency, state, updated_at FROM paper_accounts WHERE user_id = $1', [userId]))[0];
    if (row === undefined) return undefined;
    return { quoteCurrency: String(row.quote_currency), state: parsedState(row.state, userId), updatedAt: codec.num(row.updated_at) };
  }

  /** Runs raw SQL (administration and tests); errors come back as framework errors. */
  async rawExec(sql: string): Promise<void> {
    await this.driver.exec(sql);
  }

  async ping(): Promise<void> {
    await this.driver.all('SELECT 1 AS ok');
  }

  abstract holdAccount(userId: string, options?: { onLost?: (error: Error) => void }): Promise<AccountLease>;

  async close(): Promise<void> {
    await this.driver.close();
  }
}
