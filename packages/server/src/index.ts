export { openStore, type OpenStoreSettings } from './storage/open-store.js';
export { SqliteStore, type SqliteStoreSettings } from './storage/sqlite-store.js';
export { PostgresStore, type PostgresStoreSettings } from './storage/postgres-store.js';
export { SqlServerStore, type SqlServerStoreSettings } from './storage/sql-server-store.js';
export { MIGRATIONS, type Migration } from './storage/migrations.js';
export type {
  ApiTokenRecord,
  AccountLease,
  CustomRule,
  EscalationResolution,
  NewUser,
  PaperAccount,
  Role,
  SeriesQuery,
  ServerStore,
  User,
  UserConfig,
  UserStore,
} from './storage/server-store.js';
export { loadConfig, ENVIRONMENT_VARIABLES, type LoadConfigOptions } from './config/load-config.js';
export { serverConfigSchema, type ServerConfig, type ServerConfigInput } from './config/server-config.js';
export { createServer, type CreateServerOptions, type IaAgentsServer } from './system/create-server.js';
export { createTradingAccount, type RunnableAccount, type TradingAccountSettings } from './system/trading-account.js';
export { persistPaperAccount, type PaperPersistence, type PaperPersistenceSettings } from './system/paper-persistence.js';
export { runLearningLoop, type LearningResult } from './system/learning-loop.js';
export { runMonitoring, type MonitoringCheck } from './system/monitoring.js';
export { checkMarket, type MarketCheckOptions } from './system/market-check.js';
export { pacedFeed, type PacedFeedOptions } from './system/paced-feed.js';
export { loadModel } from './system/model-file.js';
export { DEFAULT_DECIDE_EVERY, convenedTeam, defaultTeam, loadTeam, type TeamBuilder, type TeamSetup } from './system/team-module.js';
export { startScheduler, type ScheduledJob, type Scheduler } from './system/scheduler.js';
export { ensureOwner, type Owner } from './system/owner.js';
export { createRedisMarketCache, type MarketData, type RedisMarketCacheSettings } from './system/redis-market-cache.js';
export { buildApp } from './api/build-app.js';
export type { AccountStatus, AppContext, TradingAccount } from './api/app-context.js';
export { toErrorBody, type ErrorBody } from './api/error-body.js';
export { ServerMetrics } from './metrics/server-metrics.js';
export { createCredentialCipher, parseEncryptionKey, type CredentialCipher } from './security/credential-cipher.js';
export { hashToken, issueApiToken, TOKEN_PREFIX } from './security/api-tokens.js';
export { assistantAccuracy, maxDrawdown, performanceReport, sharpeRatio, type PerformanceReport } from './reports/performance.js';
export { buildWorkflows, type N8nWorkflow, type WorkflowTarget } from './n8n/workflows.js';
export { pushWorkflows, type PushResult, type PushWorkflowsOptions } from './n8n/push-workflows.js';
