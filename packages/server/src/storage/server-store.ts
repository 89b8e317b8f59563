import type { PaperExchangeState } from '@ia-agents/exchange';
import type { Decision, Fill, ListQuery, Portfolio, Position, RiskLimitsInput, Store } from '@ia-agents/core';

/** What an API token may do. admin: everything, every user; trader: read and trade own data; viewer: read own data. */
export type Role = 'admin' | 'trader' | 'viewer';

/** A person (seed table `users`). */
export interface User {
  /** Unique id (a UUID). */
  id: string;
  /** Unique login name. */
  username: string;
  /** Unique e-mail address. */
  email: string;
  /** Creation time, UTC milliseconds. */
  createdAt: number;
  /** Inactive users cannot authenticate. */
  isActive: boolean;
}

/** An API token as stored: only its SHA-256 hash is kept. */
export interface ApiTokenRecord {
  /** Token id (not secret). */
  id: string;
  /** Owner. */
  userId: string;
  /** Role granted by the token. */
  role: Role;
  /** Label for people. */
  name: string;
  /** Hex SHA-256 of the secret token. */
  tokenHash: string;
  /** Creation time, UTC milliseconds. */
  createdAt: number;
  /** Revocation time, when revoked. */
  revokedAt?: number;
}

/** A user-defined rule that blocks or holds trades (seed `user_config.custom_rules`). */
export interface CustomRule {
  /** Rule name, unique per user. */
  name: string;
  /** Only this symbol; every symbol when absent. */
  symbol?: string;
  /** What the rule does to a matching trade. */
  effect: 'block-buy' | 'block-sell';
  /** Disabled rules are kept but not applied. */
  enabled: boolean;
}

/** Per-user configuration (seed `user_config`). */
export interface UserConfig {
  /** Owner. */
  userId: string;
  /** Vote weight per assistant id (multiplied by the learned reliability). */
  assistantWeights: Record<string, number>;
  /** Custom rules applied server-side to every order. */
  customRules: CustomRule[];
  /** Hard risk limits (partial: the rest take core's defaults). */
  riskLimits: RiskLimitsInput;
  /** Creation time, UTC milliseconds. */
  createdAt: number;
  /** Last update, UTC milliseconds. */
  updatedAt: number;
}

/** A person's answer to an escalated decision. */
export interface EscalationResolution {
  /** The escalated decision. */
  decisionId: string;
  /** Approved (executes through the risk gate) or rejected (recorded only). */
  approved: boolean;
  /** Who answered (user id). */
  by: string;
  /** Optional note. */
  note?: string;
  /** When, UTC milliseconds. */
  resolvedAt: number;
}

/** Time-window query for series (equity curve, fills). */
export interface SeriesQuery {
  /** Only items at or after this time. */
  since?: number;
  /** At most this many (the newest). @default 1000 */
  limit?: number;
}

/** The core `Store` scoped to one user, plus the reads the API needs. */
export interface UserStore extends Store {
  /** Owner of every row this store reads and writes. */
  readonly userId: string;
  /** Portfolio valuations in time order (the equity curve). */
  listPortfolios(query?: SeriesQuery): Promise<Portfolio[]>;
  /** Current positions (seed table `positions`), as of the latest saved portfolio. */
  listPositions(): Promise<Position[]>;
  /** Fills, newest first. */
  listFills(query?: ListQuery): Promise<Fill[]>;
  /** Escalated decisions nobody has answered yet, newest first. */
  listPendingEscalations(query?: ListQuery): Promise<Decision[]>;
  /**
   * Records an answer to an escalated decision together with its audit entry, in one transaction.
   * Throws NOT_FOUND when the decision is not an escalation of this user, CONFLICT when answered.
   */
  resolveEscalation(resolution: EscalationResolution): Promise<EscalationResolution>;
  /** The answer to an escalated decision, when given. */
  getEscalationResolution(decisionId: string): Promise<EscalationResolution | undefined>;
}

/** A user's paper-trading account: the PaperExchange a paper-mode server continues from. */
export interface PaperAccount {
  /** Quote currency the account was opened in (a server configured for another starts afresh). */
  quoteCurrency: string;
  /** The exchange's snapshot: balances, positions, every order (open ones included) and fill. */
  state: PaperExchangeState;
  /** When it was saved, UTC milliseconds. */
  updatedAt: number;
}

/** The right to run a user's trading account (see `ServerStore.holdAccount`). */
export interface AccountLease {
  /** Gives it up; calling it again does nothing. */
  release(): Promise<void>;
  /**
   * Saves (replaces) the user's paper account while the lease is held, and only then: CONFLICT
   * once it is lost or released, and nothing written. On PostgreSQL the save runs on the
   * connection that holds the lock, so a save that was in flight when the lease was lost dies
   * with that session: it can never land after another server took the account and saved its own.
   */
  savePaperAccount(account: PaperAccount): Promise<void>;
}

/** Input for a new user. */
export interface NewUser {
  /** Unique login name. */
  username: string;
  /** Unique e-mail address. */
  email: string;
}

/**
 * The server's storage: core's `Store` per user, plus users, API tokens, configuration, encrypted
 * exchange credentials and escalations. Implemented by `SqliteStore` and `PostgresStore`.
 */
export interface ServerStore {
  /** Which database. */
  readonly dialect: 'sqlite' | 'postgres';
  /** Applies pending versioned migrations; safe to call repeatedly. */
  migrate(): Promise<void>;
  /** Versions of the applied migrations, ascending. */
  appliedMigrations(): Promise<number[]>;
  /** Core's Store for one user's data. Its `close()` does nothing: the ServerStore owns the connection. */
  forUser(userId: string): UserStore;
  /**
   * Takes the right to run a user's trading account, held until `release()` or until this process
   * ends (a crash releases it with the connection or file it is held by): two servers on one
   * account would each trade it, and overwrite each other's paper account. Throws CONFLICT when
   * another store holds it. PostgreSQL: an advisory lock per user on a connection of its own.
   * SQLite: a lock on the file `<database>.lock`, one server per database file (the store caches
   * as its file's only writer). An in-memory SQLite store has nothing to share and always gets it.
   * `onLost` hears of a lease lost while held (a PostgreSQL connection that ended): another
   * server may take the account from then on.
   */
  holdAccount(userId: string, options?: { onLost?: (error: Error) => void }): Promise<AccountLease>;
  /** Creates a user; CONFLICT when the username or e-mail is taken. */
  createUser(input: NewUser): Promise<User>;
  /** A user by id. */
  getUser(id: string): Promise<User | undefined>;
  /** A user by username. */
  findUserByName(username: string): Promise<User | undefined>;
  /** Every user, oldest first. */
  listUsers(): Promise<User[]>;
  /** Stores a token (already hashed). */
  saveApiToken(token: ApiTokenRecord): Promise<void>;
  /** The live (not revoked) token with this hash and its active owner. */
  findApiToken(tokenHash: string): Promise<{ token: ApiTokenRecord; user: User } | undefined>;
  /** Revokes a token. */
  revokeApiToken(id: string, at: number): Promise<void>;
  /** A user's configuration, when saved. */
  getUserConfig(userId: string): Promise<UserConfig | undefined>;
  /** Saves a user's configuration. */
  saveUserConfig(config: UserConfig): Promise<void>;
  /** Stores sealed (encrypted) exchange credentials. */
  saveExchangeCredentials(userId: string, exchange: string, sealed: string, at: number): Promise<void>;
  /** The sealed credentials, when stored. */
  getExchangeCredentials(userId: string, exchange: string): Promise<string | undefined>;
  /** Saves (replaces) a user's paper account. */
  savePaperAccount(userId: string, account: PaperAccount): Promise<void>;
  /**
   * A user's saved paper account, when there is one. The snapshot is parsed, not validated
   * (`createPaperExchange({ state })` does that); DATA_INVALID when it is not JSON.
   */
  getPaperAccount(userId: string): Promise<PaperAccount | undefined>;
  /** Fails when the database cannot be reached. */
  ping(): Promise<void>;
  /** Releases the connection(s). */
  close(): Promise<void>;
}
