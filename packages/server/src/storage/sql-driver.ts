import { IaAgentsError, isIaAgentsError } from '@ia-agents/core';

/** A value bound to a SQL parameter. */
export type SqlValue = string | number | boolean | null;

/** A row as the database returns it. */
export type SqlRow = Record<string, unknown>;

/**
 * The few operations the SQL store needs, with PostgreSQL-style `$1` placeholders. The SQLite
 * driver rewrites them; both run the same statements, so both stores behave the same.
 */
export interface SqlDriver {
  /** Runs a statement; returns the number of rows changed. */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
  /** Rows of a query. */
  all(sql: string, params?: readonly SqlValue[]): Promise<SqlRow[]>;
  /** Runs `work` in one transaction: all of it is written or none of it. */
  transaction<T>(work: (driver: SqlDriver) => Promise<T>): Promise<T>;
  /** Runs a script of several statements (migrations). */
  exec(sql: string): Promise<void>;
  /** Releases connections. */
  close(): Promise<void>;
}

/** Whether an error is a unique-constraint violation (both databases). */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** Translates database errors to framework errors: CONFLICT for unique violations, STORAGE_ERROR otherwise. */
export function translateDatabaseError(error: unknown, sql: string): IaAgentsError {
  if (isIaAgentsError(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  const statement = sql.trim().split(/\s+/).slice(0, 3).join(' ');
  if (isUniqueViolation(error)) return new IaAgentsError('CONFLICT', `Already exists (${statement}): ${message}`, { cause: error });
  return new IaAgentsError('STORAGE_ERROR', `Database call failed (${statement}): ${message}`, { cause: error });
}

/** Wraps a driver so that third-party database errors go no further than the store. */
export function guardDriver(driver: SqlDriver): SqlDriver {
  const guard = async <T>(sql: string, call: () => Promise<T>): Promise<T> => {
    try {
      return await call();
    } catch (error) {
      throw translateDatabaseError(error, sql);
    }
  };
  const guarded: SqlDriver = {
    run: (sql, params) => guard(sql, () => driver.run(sql, params)),
    all: (sql, params) => guard(sql, () => driver.all(sql, params)),
    exec: (sql) => guard(sql, () => driver.exec(sql)),
    transaction: (work) => guard('transaction', () => driver.transaction((inner) => work(guardDriver(inner)))),
    close: () => driver.close(),
  };
  return guarded;
}
