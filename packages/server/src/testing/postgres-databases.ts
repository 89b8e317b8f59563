import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The PostgreSQL server of the machine running the tests (trust auth). */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Runs one statement on the test server as its administrator (CREATE/DROP DATABASE, pg_terminate_backend). */
export async function administer(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Creates an empty database named `<prefix>_<random>` and returns its URL. */
export async function freshDatabase(prefix: string): Promise<string> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  await administer(`CREATE DATABASE ${name}`);
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Drops a database made by `freshDatabase`, ending its sessions. */
export async function dropDatabase(url: string): Promise<void> {
  await administer(`DROP DATABASE ${new URL(url).pathname.slice(1)} WITH (FORCE)`);
}
