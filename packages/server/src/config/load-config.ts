import { readFileSync } from 'node:fs';
import { ConfigError, type ValidationIssue } from '@ia-agents/core';
import { serverConfigSchema, type ServerConfig, type ServerConfigInput } from './server-config.js';

type Kind = 'string' | 'number' | 'boolean' | 'list';

/** Environment variables the server reads, the config key each sets, and how to parse it. */
export const ENVIRONMENT_VARIABLES: Readonly<Record<string, readonly [keyof ServerConfig, Kind]>> = {
  PORT: ['port', 'number'],
  HOST: ['host', 'string'],
  LOG_LEVEL: ['logLevel', 'string'],
  DATABASE_URL: ['databaseUrl', 'string'],
  SQLITE_FILE: ['sqliteFile', 'string'],
  REDIS_URL: ['redisUrl', 'string'],
  TRADING_MODE: ['mode', 'string'],
  EXCHANGE: ['exchange', 'string'],
  EXCHANGE_SANDBOX: ['sandbox', 'boolean'],
  FEED: ['feed', 'string'],
  ORDER_BOOK: ['orderBook', 'boolean'],
  SYMBOLS: ['symbols', 'list'],
  TIMEFRAME: ['timeframe', 'string'],
  REPLAY_FILE: ['replayFile', 'string'],
  REPLAY_SPEED: ['replaySpeed', 'number'],
  REPLAY_WARMUP: ['replayWarmup', 'number'],
  INITIAL_CASH: ['initialCash', 'number'],
  TEAM_MODULE: ['team', 'string'],
  MODEL_FILE: ['model', 'string'],
  DECIDE_EVERY: ['decideEvery', 'number'],
  ENCRYPTION_KEY: ['encryptionKey', 'string'],
  ADMIN_TOKEN: ['adminToken', 'string'],
  RATE_LIMIT_MAX: ['rateLimitMax', 'number'],
  RATE_LIMIT_WINDOW_MS: ['rateLimitWindowMs', 'number'],
  LEASE_RETRY_MS: ['leaseRetryMs', 'number'],
  SCHEDULER_ENABLED: ['schedulerEnabled', 'boolean'],
  MONITORING_CRON: ['monitoringCron', 'string'],
  LEARNING_CRON: ['learningCron', 'string'],
  NEWS_FEEDS: ['newsFeeds', 'list'],
  OLLAMA_URL: ['ollamaUrl', 'string'],
  OLLAMA_MODEL: ['ollamaModel', 'string'],
  SEED: ['seed', 'number'],
  DASHBOARD: ['dashboard', 'boolean'],
};

function parseValue(raw: string, kind: Kind): unknown {
  switch (kind) {
    case 'number':
      return raw.trim() === '' ? raw : Number(raw);
    case 'boolean':
      return raw === 'true' || raw === '1' ? true : raw === 'false' || raw === '0' ? false : raw;
    case 'list':
      return raw.split(',').map((item) => item.trim()).filter((item) => item !== '');
    default:
      return raw;
  }
}

function readEnvironment(environment: NodeJS.ProcessEnv): { values: Record<string, unknown>; sources: Map<string, string> } {
  const values: Record<string, unknown> = {};
  const sources = new Map<string, string>();
  for (const [name, [key, kind]] of Object.entries(ENVIRONMENT_VARIABLES)) {
    const raw = environment[name];
    if (raw === undefined || raw === '') continue;
    values[key] = parseValue(raw, kind);
    sources.set(key, name);
  }
  return { values, sources };
}

function readFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`config file ${path}`, [{ path: [], message: `cannot be read: ${(error as Error).message}` }], { cause: error });
  }
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('expected a JSON object');
    return value as Record<string, unknown>;
  } catch (error) {
    throw new ConfigError(`config file ${path}`, [{ path: [], message: `is not a JSON object: ${(error as Error).message}` }], { cause: error });
  }
}

/** Where the configuration comes from. */
export interface LoadConfigOptions {
  /** Environment variables. @default process.env */
  environment?: NodeJS.ProcessEnv;
  /** JSON config file; `CONFIG_FILE` when absent. */
  file?: string;
  /** Values that win over the file and the environment (CLI flags, tests). */
  overrides?: ServerConfigInput;
}

/**
 * Loads the configuration: defaults < config file < environment < overrides. Unknown keys and
 * wrong types throw a ConfigError naming the key (and the environment variable it came from).
 * @example const config = loadConfig({ file: './ia-agents.json' });
 */
export function loadConfig(options: LoadConfigOptions = {}): ServerConfig {
  const environment = options.environment ?? process.env;
  const filePath = options.file ?? environment.CONFIG_FILE;
  const fromFile = filePath === undefined || filePath === '' ? {} : readFile(filePath);
  const { values, sources } = readEnvironment(environment);
  const result = serverConfigSchema.safeParse({ ...fromFile, ...values, ...options.overrides });
  if (result.success) return result.data;
  const issues: ValidationIssue[] = result.error.issues.map((issue) => {
    const path = issue.code === 'unrecognized_keys' ? [...issue.path, ...issue.keys] : issue.path;
    const key = String(path[0] ?? '');
    const variable = sources.get(key);
    const message = issue.code === 'unrecognized_keys' ? `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}` : issue.message;
    return { path: path.map((part) => (typeof part === 'symbol' ? String(part) : part)), message: variable === undefined ? message : `${message} (from ${variable})` };
  });
  throw new ConfigError('server configuration', issues);
}
