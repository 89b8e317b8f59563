import { existsSync, writeFileSync } from 'node:fs';
import { ConfigError, riskLimitsSchema, type Timeframe } from '@ia-agents/core';
import { backtestCandles, backtestFeed, backtestResultToJson, bundledCandles, checkLookahead, checkWarmup, createCcxtExchange, bundledCandlesPath, downloadCandles, formatBacktestSummary, formatLookaheadReport, formatWarmupReport, readCandlesCsv, runBacktest, writeBacktestReport, type BundledCandlesName } from '@ia-agents/exchange';
import { formatWalkForwardReport, trainAndEvaluate } from '@ia-agents/ml';
import { loadConfig } from '../config/load-config.js';
import type { ServerConfigInput } from '../config/server-config.js';
import { pushWorkflows } from '../n8n/push-workflows.js';
import { buildWorkflows } from '../n8n/workflows.js';
import { createServer } from '../system/create-server.js';
import { progressBar } from './progress.js';
import { loadModel } from '../system/model-file.js';
import { convenedTeam, loadTeam, type TeamBuilder } from '../system/team-module.js';

/** Options of `ia-agents serve` and `ia-agents paper`. */
export interface ServeOptions {
  config?: string;
  port?: string;
  host?: string;
  /** A team module (see `loadTeam`) instead of the seven assistants. */
  team?: string;
  /** A model `ia-agents train` saved (see `loadModel`). */
  model?: string;
}

function number(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isFinite(parsed)) throw new ConfigError('command line', [{ path: [name], message: `expected a number, received "${value}"` }]);
  return parsed;
}

/** A flag that counts candles: a whole number, 0 or more. */
function count(value: string | undefined, name: string): number | undefined {
  const parsed = number(value, name);
  if (parsed !== undefined && !(Number.isInteger(parsed) && parsed >= 0)) throw new ConfigError('command line', [{ path: [name], message: `expected a whole number, 0 or more, received "${value}"` }]);
  return parsed;
}

/**
 * The team of a backtest or look-ahead check (`--team`, else the seven assistants), convened as the
 * server convenes it (`--decide-every`, on the data's timeframe).
 */
async function commandTeam(options: { team?: string | undefined; decideEvery?: string | undefined }, timeframe: Timeframe): Promise<TeamBuilder> {
  const decideEvery = count(options.decideEvery, 'decide-every');
  return convenedTeam(await loadTeam(options.team), { decideEvery, module: options.team !== undefined, timeframe });
}

function date(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Date.parse(value.length === 10 ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(parsed)) throw new ConfigError('command line', [{ path: [name], message: `expected a date like 2019-10-01, received "${value}"` }]);
  return parsed;
}

/** `ia-agents serve`: the API, dashboard, engine and scheduler until SIGINT/SIGTERM. */
export async function serve(options: ServeOptions, overrides: ServerConfigInput = {}): Promise<void> {
  const port = number(options.port, 'port');
  const config = loadConfig({ ...(options.config === undefined ? {} : { file: options.config }), overrides: { ...overrides, ...(port === undefined ? {} : { port }), ...(options.host === undefined ? {} : { host: options.host }), ...(options.team === undefined ? {} : { team: options.team }), ...(options.model === undefined ? {} : { model: options.model }) } });
  const server = await createServer(config);
  const url = (await server.listen()).replace('127.0.0.1', 'localhost');
  const token = server.owner.issuedToken;
  process.stdout.write(`IA-AGENTS is running at ${url}\n`);
  process.stdout.write(token === undefined ? 'Sign in with your ADMIN_TOKEN.\n' : `Dashboard: ${url}/#token=${token}\nAdmin API token (shown once): ${token}\n`);
  process.stdout.write(`API docs: ${url}/docs   Metrics: ${url}/metrics\n`);
  const stop = async (): Promise<void> => {
    await server.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

/** Options of `ia-agents backtest`. */
export interface BacktestCommandOptions {
  /** One or more bundled names or CSV files, one market each. */
  data: string | string[];
  /** The symbol of each `data` entry, in the same order (bundled data know their own). */
  symbol?: string | string[];
  from?: string;
  to?: string;
  cash?: string;
  out: string;
  json?: string;
  seed?: string;
  minConfidence?: string;
  fee?: string;
  slippage?: string;
  fill?: string;
  buyFeeIn?: string;
  /** An ES module giving the team (see `loadTeam`); the seven assistants without it. */
  team?: string;
  /** Convene the team every n candles besides its trigger (default 12 for the seven assistants, 0 for a module: as the server). */
  decideEvery?: string;
  /** Let the assistants learn from outcomes during the run, as the server's do. */
  learning?: boolean;
  /** A model `ia-agents train` saved, whose forecast goes into every snapshot. */
  model?: string;
}

/** A flag that takes one of a few words, named in the error when it is something else. */
function oneOf<T extends string>(value: string | undefined, name: string, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw new ConfigError('command line', [{ path: [name], message: `expected ${allowed.join(' or ')}, received "${value}"` }]);
  return value as T;
}

/** The paper exchange's settings given on the command line (`--fee`, `--slippage`, `--fill`, `--buy-fee-in`). */
function exchangeFlags(options: Pick<BacktestCommandOptions, 'fee' | 'slippage' | 'fill' | 'buyFeeIn'>): NonNullable<Parameters<typeof runBacktest>[0]>['exchange'] {
  const fee = number(options.fee, 'fee');
  const slippage = number(options.slippage, 'slippage');
  const fill = oneOf(options.fill, 'fill', ['next-open', 'signal-close'] as const);
  const buyFeeIn = oneOf(options.buyFeeIn, 'buy-fee-in', ['quote', 'base'] as const);
  return {
    ...(fee === undefined ? {} : { makerFee: fee, takerFee: fee }),
    ...(slippage === undefined ? {} : { slippage: { model: 'fixed' as const, bps: slippage } }),
    ...(fill === undefined ? {} : { fill }),
    ...(buyFeeIn === undefined ? {} : { buyFeeIn }),
  };
}

/** `--data`: a bundled data set by name, else a CSV file that must exist. */
function dataPath(data: string): { path: string; symbol?: string } {
  const bundled = bundledCandles.find((item) => item.name === data);
  if (bundled !== undefined) return { symbol: bundled.symbol, path: bundledCandlesPath(bundled.name as BundledCandlesName) };
  if (!existsSync(data)) throw new ConfigError('command line', [{ path: ['data'], message: `"${data}" is neither a bundled data set (${bundledCandles.map((item) => item.name).join(', ')}) nor a file` }]);
  return { path: data };
}

const list = (value: string | string[] | undefined): string[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/** Each `--data` with its `--symbol` (matched by position). */
function resolveData(data: string | string[], symbol: string | string[] | undefined): { symbol: string; path: string }[] {
  const symbols = list(symbol);
  const sources = list(data);
  if (symbols.length > sources.length) throw new ConfigError('command line', [{ path: ['symbol'], message: `${symbols.length} symbols for ${sources.length} data sources` }]);
  return sources.map((entry, index) => {
    const found = dataPath(entry);
    const resolved = symbols[index] ?? found.symbol;
    if (resolved === undefined) throw new ConfigError('command line', [{ path: ['symbol'], message: `give --symbol for the CSV file ${entry}` }]);
    return { symbol: resolved, path: found.path };
  });
}

/** `ia-agents backtest`: the seven assistants on history, with a progress bar and an HTML report. */
export async function backtest(options: BacktestCommandOptions): Promise<void> {
  const sources = resolveData(options.data, options.symbol);
  const from = date(options.from, 'from');
  const to = date(options.to, 'to');
  const initialCash = number(options.cash, 'cash');
  const seed = number(options.seed, 'seed');
  const exchange = exchangeFlags(options);
  // The data read once here for the team (the backtest reads it again as it runs).
  const feed = backtestFeed({ data: sources, from, to });
  const team = (await commandTeam(options, feed.timeframe))(backtestCandles(feed));
  const bar = progressBar('backtest', 100);
  const result = await runBacktest({
    data: sources,
    exchange,
    assistants: team.assistants,
    ...(team.consensus === undefined ? {} : { consensus: team.consensus }),
    ...(team.trigger === undefined ? {} : { trigger: team.trigger }),
    riskLimits: { minConfidence: number(options.minConfidence, 'min-confidence') ?? riskLimitsSchema.shape.minConfidence.parse(undefined) },
    ...(from === undefined ? {} : { from }),
    ...(to === undefined ? {} : { to }),
    ...(initialCash === undefined ? {} : { initialCash }),
    ...(seed === undefined ? {} : { seed }),
    ...(options.model === undefined ? {} : { predictor: loadModel(options.model) }),
    learning: options.learning === true,
    onProgress: (progress) => bar.update(progress.processed, progress.total),
  });
  bar.stop();
  writeBacktestReport(result, options.out, { title: `IA-AGENTS backtest ${sources.map((source) => source.symbol).join(', ')}` });
  if (options.json !== undefined) writeFileSync(options.json, backtestResultToJson(result));
  process.stdout.write(`${formatBacktestSummary(result)}\nReport: ${options.out}${options.json === undefined ? '' : `\nJSON: ${options.json}`}\n`);
}

/** Options of `ia-agents lookahead`: a backtest's market and exchange flags, and the cuts. */
export interface LookaheadCommandOptions extends Omit<BacktestCommandOptions, 'out' | 'cash' | 'seed' | 'learning'> {
  cuts?: string;
  warmup?: string;
}

/**
 * `ia-agents lookahead`: the seven assistants' backtest on all the data and cut short at several
 * points, and their trigger after a live start with `--warmup` candles of history; exits with 1
 * when a decision before a cut changed (a look-ahead) or a start convened the team elsewhere.
 */
export async function lookahead(options: LookaheadCommandOptions): Promise<void> {
  const sources = resolveData(options.data, options.symbol);
  const from = date(options.from, 'from');
  const to = date(options.to, 'to');
  const cuts = number(options.cuts, 'cuts');
  const warmup = number(options.warmup, 'warmup') ?? loadConfig({ environment: {} }).replayWarmup;
  const feed = backtestFeed({ data: sources, from, to });
  const team = await commandTeam(options, feed.timeframe);
  const report = await checkLookahead({
    data: sources,
    exchange: exchangeFlags(options),
    team,
    riskLimits: { minConfidence: number(options.minConfidence, 'min-confidence') ?? riskLimitsSchema.shape.minConfidence.parse(undefined) },
    ...(from === undefined ? {} : { from }),
    ...(to === undefined ? {} : { to }),
    ...(cuts === undefined ? {} : { cuts }),
    ...(options.model === undefined ? {} : { predictor: loadModel(options.model) }),
  });
  // The warm-up check of the team's trigger (one convening the team every candle has nothing to warm up).
  const trigger = team(backtestCandles(feed)).trigger;
  const warm = trigger === undefined ? undefined : checkWarmup({ data: sources, trigger, warmup, ...(from === undefined ? {} : { from }), ...(to === undefined ? {} : { to }) });
  process.stdout.write(`${formatLookaheadReport(report)}\n${warm === undefined ? 'Warm-up check: the team has no trigger (it is convened every candle): nothing to warm up.' : formatWarmupReport(warm)}\n`);
  if (options.json !== undefined) writeFileSync(options.json, `${JSON.stringify({ lookahead: report, warmup: warm ?? null }, null, 2)}\n`);
  if (!report.ok || warm?.ok === false) process.exitCode = 1;
}

/** Options of `ia-agents train`. */
export interface TrainCommandOptions {
  data: string;
  out: string;
  trainSize?: string;
  testSize?: string;
}

/** `ia-agents train`: walk-forward evaluation, then the final ensemble model saved as JSON. */
export async function train(options: TrainCommandOptions): Promise<void> {
  const { candles } = readCandlesCsv(dataPath(options.data).path);
  const bar = progressBar('train', 1);
  const trainSize = number(options.trainSize, 'train-size') ?? 3000;
  const testSize = number(options.testSize, 'test-size') ?? 500;
  const { model, report } = await trainAndEvaluate({
    candles,
    walkForward: { trainSize, testSize },
    onProgress: (progress) => (progress.phase === 'evaluate' ? bar.update(progress.fold, progress.folds) : undefined),
  });
  bar.stop();
  writeFileSync(options.out, JSON.stringify(model));
  if (report !== undefined) process.stdout.write(`${formatWalkForwardReport(report)}\n`);
  process.stdout.write(`Model: ${options.out}\n`);
}

/** Options of `ia-agents data download`. */
export interface DownloadCommandOptions {
  exchange: string;
  symbol: string;
  timeframe: string;
  since: string;
  until?: string;
  out: string;
  apiUrl?: string;
  sandbox?: boolean;
}

/** `ia-agents data download`: closed candles from an exchange (ccxt, needs internet) into the replay CSV. */
export async function dataDownload(options: DownloadCommandOptions): Promise<void> {
  const since = date(options.since, 'since')!;
  const until = date(options.until, 'until');
  const exchange = createCcxtExchange({ exchangeId: options.exchange, sandbox: options.sandbox === true, ...(options.apiUrl === undefined ? {} : { apiUrl: options.apiUrl }) });
  const bar = progressBar('download', 100);
  const result = await downloadCandles({
    exchange,
    symbol: options.symbol,
    timeframe: options.timeframe as Timeframe,
    since,
    ...(until === undefined ? {} : { until }),
    out: options.out,
    onProgress: (progress) => bar.update(Math.round(progress.fraction * 100)),
  });
  bar.update(100);
  bar.stop();
  const missing = result.gaps.reduce((sum, gap) => sum + gap.missing, 0);
  const range = result.first === undefined ? '' : ` (${new Date(result.first).toISOString().slice(0, 16)} -> ${new Date(result.last!).toISOString().slice(0, 16)} UTC)`;
  process.stdout.write(`${result.candles} candles of ${options.symbol} ${options.timeframe} from ${options.exchange}${range} -> ${result.path}\n`);
  if (result.gaps.length > 0) process.stdout.write(`${result.gaps.length} gaps, ${missing} candles missing on the exchange (the replay feed reports them)\n`);
}

/** Options of `ia-agents n8n push`. */
export interface N8nPushOptions {
  n8nUrl: string;
  apiKey: string;
  serverUrl: string;
  token: string;
}

/** `ia-agents n8n push`: what the seed's update-n8n-workflow script does, for the three workflows. */
export async function n8nPush(options: N8nPushOptions): Promise<void> {
  const results = await pushWorkflows(buildWorkflows({ serverUrl: options.serverUrl, token: options.token }), { n8nUrl: options.n8nUrl, apiKey: options.apiKey, log: (line) => process.stderr.write(`${line}\n`) });
  for (const result of results) process.stdout.write(`${result.action} ${result.name} (${result.id})\n`);
}
