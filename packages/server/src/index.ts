export { openStore, type OpenStoreSettings } from './storage/open-store.js';
export { SqliteStore, type SqliteStoreSettings } from './storage/sqlite-store.js';
export { PostgresStore, type PostgresStoreSettings } from './storage/postgres-store.js';
export { SqlServerStore, type SqlServerStoreSettings } from './storage/sql-server-store.js';
export { MIGRATIONS, type Migration } from './storage/migrations.js';
export type {
  ApiTokenRecord,
  CustomRule,
  EscalationResolution,
  NewUser,
  Role,
  SeriesQuery,
  ServerStore,
  User,
  UserConfig,
  UserStore,
} from './storage/server-store.js';
