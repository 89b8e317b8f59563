/** One versioned schema change. */
export interface Migration {
  /** Increasing version number. */
  version: number;
  /** What it does. */
  name: string;
  /** The SQL, per database. */
  sql: Record<'sqlite' | 'postgres', string>;
}

type Dialect = 'sqlite' | 'postgres';

// Column types per database. Money is exact: NUMERIC in PostgreSQL (no scale limit, so a double
// written as its shortest decimal string reads back identical) and TEXT in SQLite. The debate
// transcript (decisions.reasoning, votes, data: ~15 KB) is JSON rather than JSONB in PostgreSQL: it is written
// once and read whole, and JSONB's binary conversion capped decision writes at ~480/s against
// ~3,200/s for JSON (see BENCHMARKS.md).
const TYPES: Record<Dialect, Record<string, string>> = {
  postgres: { MONEY: 'NUMERIC', JSON: 'JSONB', TRANSCRIPT: 'JSON', BOOL: 'BOOLEAN', TIME: 'BIGINT', SEQ: 'BIGSERIAL PRIMARY KEY', INT: 'INTEGER', REAL: 'DOUBLE PRECISION' },
  sqlite: { MONEY: 'TEXT', JSON: 'TEXT', TRANSCRIPT: 'TEXT', BOOL: 'INTEGER', TIME: 'INTEGER', SEQ: 'INTEGER PRIMARY KEY AUTOINCREMENT', INT: 'INTEGER', REAL: 'REAL' },
};

function typed(dialect: Dialect, sql: string): string {
  return sql.replace(/\{(\w+)\}/g, (_, name: string) => TYPES[dialect][name] ?? `{${name}}`);
}

// The seed's tables (users, user_config, portfolio, positions, decisions, orders) keep their
// names and columns; ids are TEXT because engine ids are not always UUIDs.
const INITIAL = `
CREATE TABLE users (
  id TEXT PRIMARY KEY, username VARCHAR(50) UNIQUE NOT NULL, email VARCHAR(100) UNIQUE NOT NULL,
  created_at {TIME} NOT NULL, is_active {BOOL} NOT NULL
);
CREATE TABLE api_tokens (
  id TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES users(id),
  role TEXT NOT NULL CHECK (role IN ('admin', 'trader', 'viewer')), name TEXT NOT NULL,
  token_hash TEXT UNIQUE NOT NULL, created_at {TIME} NOT NULL, revoked_at {TIME}
);
CREATE TABLE user_config (
  user_id TEXT PRIMARY KEY REFERENCES users(id), assistant_weights {JSON} NOT NULL,
  custom_rules {JSON} NOT NULL, risk_limits {JSON} NOT NULL, created_at {TIME} NOT NULL, updated_at {TIME} NOT NULL
);
CREATE TABLE exchange_credentials (
  user_id TEXT NOT NULL, exchange TEXT NOT NULL, sealed TEXT NOT NULL, updated_at {TIME} NOT NULL,
  PRIMARY KEY (user_id, exchange)
);
CREATE TABLE portfolio (
  seq {SEQ}, user_id TEXT NOT NULL, exchange VARCHAR(20), quote_currency TEXT NOT NULL,
  total_balance {MONEY} NOT NULL, available_balance {MONEY} NOT NULL, locked_balance {MONEY} NOT NULL,
  peak_equity {MONEY} NOT NULL, day_start_equity {MONEY} NOT NULL, balances {JSON} NOT NULL, updated_at {TIME} NOT NULL
);
CREATE INDEX portfolio_user_time ON portfolio (user_id, updated_at);
CREATE TABLE positions (
  user_id TEXT NOT NULL, symbol VARCHAR(20) NOT NULL, side VARCHAR(10) NOT NULL, quantity {MONEY} NOT NULL,
  entry_price {MONEY} NOT NULL, current_price {MONEY} NOT NULL, pnl {MONEY} NOT NULL, realized_pnl {MONEY} NOT NULL,
  created_at {TIME} NOT NULL, updated_at {TIME} NOT NULL, PRIMARY KEY (user_id, symbol)
);
CREATE TABLE decisions (
  seq {SEQ}, id TEXT NOT NULL, user_id TEXT NOT NULL, symbol VARCHAR(20) NOT NULL, action VARCHAR(20) NOT NULL,
  confidence {MONEY} NOT NULL, reasoning {TRANSCRIPT} NOT NULL, consensus_reached {BOOL} NOT NULL, escalated {BOOL} NOT NULL,
  votes {TRANSCRIPT} NOT NULL, data {TRANSCRIPT} NOT NULL, created_at {TIME} NOT NULL, UNIQUE (user_id, id)
);
CREATE INDEX decisions_user_time ON decisions (user_id, created_at);
CREATE TABLE escalation_resolutions (
  user_id TEXT NOT NULL, decision_id TEXT NOT NULL, approved {BOOL} NOT NULL, resolved_by TEXT NOT NULL,
  note TEXT, resolved_at {TIME} NOT NULL, PRIMARY KEY (user_id, decision_id)
);
CREATE TABLE orders (
  seq {SEQ}, user_id TEXT NOT NULL, client_order_id TEXT NOT NULL, exchange_order_id VARCHAR(100) NOT NULL,
  decision_id TEXT, symbol VARCHAR(20) NOT NULL, side VARCHAR(10) NOT NULL, type VARCHAR(20) NOT NULL,
  quantity {MONEY} NOT NULL, filled {MONEY} NOT NULL, remaining {MONEY} NOT NULL, price {MONEY}, stop_price {MONEY},
  trailing_percent {MONEY}, average_price {MONEY}, status VARCHAR(20) NOT NULL, fee_cost {MONEY}, fee_currency TEXT,
  reason TEXT, created_at {TIME} NOT NULL, updated_at {TIME} NOT NULL, executed_at {TIME},
  UNIQUE (user_id, client_order_id)
);
CREATE INDEX orders_user_time ON orders (user_id, created_at);
CREATE TABLE fills (
  seq {SEQ}, user_id TEXT NOT NULL, id TEXT NOT NULL, order_id TEXT NOT NULL, client_order_id TEXT NOT NULL,
  symbol VARCHAR(20) NOT NULL, side VARCHAR(10) NOT NULL, price {MONEY} NOT NULL, quantity {MONEY} NOT NULL,
  fee_cost {MONEY} NOT NULL, fee_currency TEXT NOT NULL, liquidity VARCHAR(5) NOT NULL, executed_at {TIME} NOT NULL,
  UNIQUE (user_id, id)
);
CREATE TABLE outcomes (
  user_id TEXT NOT NULL, decision_id TEXT NOT NULL, symbol VARCHAR(20) NOT NULL, action VARCHAR(20) NOT NULL,
  best_action VARCHAR(20) NOT NULL, entry_price {MONEY} NOT NULL, exit_price {MONEY} NOT NULL,
  price_return {MONEY} NOT NULL, pnl {MONEY}, opened_at {TIME} NOT NULL, closed_at {TIME} NOT NULL,
  PRIMARY KEY (user_id, decision_id)
);
CREATE TABLE assistant_records (
  user_id TEXT NOT NULL, assistant_id TEXT NOT NULL, outcomes {INT} NOT NULL, correct {INT} NOT NULL,
  reliability {REAL} NOT NULL, updated_at {TIME} NOT NULL, PRIMARY KEY (user_id, assistant_id)
);
CREATE TABLE audit_log (
  seq {SEQ}, user_id TEXT NOT NULL, logged_at {TIME} NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
  subject TEXT, data {JSON} NOT NULL
);
CREATE INDEX audit_log_user_time ON audit_log (user_id, logged_at);
`;

// The audit log is append-only in the database itself, not only by convention.
const APPEND_ONLY: Record<Dialect, string> = {
  sqlite: `
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;`,
  postgres: `
CREATE FUNCTION audit_log_append_only() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION 'audit_log is append-only'; END; $$ LANGUAGE plpgsql;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();`,
};

// One paper account per user: the PaperExchange snapshot a paper-mode server continues from after a
// restart. The snapshot is rewritten whole up to once a second and read whole once at start, so it
// is JSON rather than JSONB in PostgreSQL (no binary conversion on every write), as the transcripts.
const PAPER_ACCOUNTS = `
CREATE TABLE paper_accounts (
  user_id TEXT PRIMARY KEY REFERENCES users(id), quote_currency TEXT NOT NULL, state {TRANSCRIPT} NOT NULL,
  updated_at {TIME} NOT NULL
);`;

// Post-only limit orders (Binance LIMIT_MAKER): whether an order was placed so. Older rows: NULL (not post-only).
const ORDERS_POST_ONLY = 'ALTER TABLE orders ADD COLUMN post_only {BOOL}';

/** Every migration, in order. */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'initial schema', sql: { sqlite: typed('sqlite', INITIAL), postgres: typed('postgres', INITIAL) } },
  { version: 2, name: 'append-only audit log', sql: APPEND_ONLY },
  { version: 3, name: 'paper accounts', sql: { sqlite: typed('sqlite', PAPER_ACCOUNTS), postgres: typed('postgres', PAPER_ACCOUNTS) } },
  { version: 4, name: 'post-only orders', sql: { sqlite: typed('sqlite', ORDERS_POST_ONLY), postgres: typed('postgres', ORDERS_POST_ONLY) } },
];

/** The bookkeeping table of applied migrations. */
export const MIGRATIONS_TABLE = 'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)';
