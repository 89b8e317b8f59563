import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError, anyTrigger, everyNthCandle, type Assistant, type Candle, type ConsensusOptionsInput, type Timeframe, type TriggerFactory } from '@ia-agents/core';
import { createDefaultTeam, marketMonitorTrigger, type DefaultTeamSettings } from '@ia-agents/assistants';

/** A team: its assistants, and optionally its trigger and consensus options (what a backtest, a look-ahead check and the server run). */
export interface TeamSetup {
  assistants: readonly Assistant[];
  trigger?: TriggerFactory;
  consensus?: ConsensusOptionsInput;
}

/**
 * Builds a team for one run from the candles it replays, by symbol (a backtest's data; the replay
 * file in the server's replay mode; no candles, an empty list per symbol, for a live start).
 */
export type TeamBuilder = (candles: ReadonlyMap<string, readonly Candle[]>) => TeamSetup;

/**
 * The seven assistants with the market monitor's trigger (`settings`: createDefaultTeam's, e.g. the
 * language model they interpret with): the team when no module is given.
 */
export function sevenAssistants(settings: DefaultTeamSettings = {}): TeamBuilder {
  return () => {
    const { assistants, consensus } = createDefaultTeam(settings);
    return { assistants, consensus, trigger: marketMonitorTrigger() };
  };
}

/** The seven assistants reasoning by rules, with the market monitor's trigger. */
export const defaultTeam: TeamBuilder = sevenAssistants();

/**
 * A team module (`--team <module>` of the CLI, `team` / `TEAM_MODULE` of the server): an ES module
 * whose default export is a function of the run's candles (a Map from symbol to candles, oldest
 * first) returning `{ assistants, trigger?, consensus? }`, or such an object. Without a file,
 * `seven` (the seven assistants reasoning by rules unless given another). A TypeScript module (`.ts`, `.mts`, `.cts`) is loaded through tsx, when the
 * project has it (an optional peer dependency). Each team it builds is checked, and a module that cannot be loaded or builds
 * no usable team is named with what is wrong, as an issue at `team` of `subject` (what the file
 * was given in).
 * @example
 * const build = await loadTeam('./my-team.mjs');
 * const { assistants, trigger } = build(new Map([['BTC/USDT', candles]]));
 */
export async function loadTeam(file: string | undefined, subject = 'command line', seven: TeamBuilder = defaultTeam): Promise<TeamBuilder> {
  if (file === undefined) return seven;
  const problem = (message: string) => new ConfigError(subject, [{ path: ['team'], message }]);
  const path = resolve(file);
  if (!existsSync(path)) throw problem(`no file ${path}`);
  let exported: unknown;
  const load = TYPESCRIPT.test(path) ? await typescriptImport(path, problem) : (url: string) => import(url);
  try {
    exported = ((await load(pathToFileURL(path).href)) as { default?: unknown }).default;
    // A module compiled as CommonJS (a .ts file outside a "type": "module" package) comes wrapped once more.
    if (typeof exported === 'object' && exported !== null && 'default' in exported && !('assistants' in exported)) exported = (exported as { default: unknown }).default;
  } catch (error) {
    throw problem(`${path} could not be loaded: ${(error as Error).message}`);
  }
  if (exported === undefined) throw problem(`${path} has no default export: export a function (candles) => ({ assistants, trigger?, consensus? }), or such an object`);
  const build = typeof exported === 'function' ? (exported as (candles: ReadonlyMap<string, readonly Candle[]>) => unknown) : () => exported;
  return (candles) => checkedTeam(build(candles), path, problem);
}

const TYPESCRIPT = /\.[cm]?ts$/;

/** Imports through tsx (`tsImport`: this import only, nothing registered for the process), named when tsx is missing. */
async function typescriptImport(path: string, problem: (message: string) => ConfigError): Promise<(url: string) => Promise<unknown>> {
  let tsx: { tsImport(specifier: string, parentURL: string): Promise<unknown> };
  try {
    tsx = (await import('tsx/esm/api')) as typeof tsx;
  } catch {
    throw problem(`${path} is TypeScript: install tsx beside @ia-agents/server to load it (npm install --save-dev tsx), or compile it to JavaScript`);
  }
  return (url) => tsx.tsImport(url, import.meta.url);
}

function checkedTeam(team: unknown, path: string, problem: (message: string) => ConfigError): TeamSetup {
  const given = team as Partial<TeamSetup> | undefined;
  if (typeof given !== 'object' || given === null) throw problem(`${path} gave ${String(team)}, not { assistants, trigger?, consensus? }`);
  if (!Array.isArray(given.assistants) || given.assistants.length === 0) throw problem(`${path} gave no assistants: expected a non-empty array under "assistants"`);
  given.assistants.forEach((assistant: Partial<Assistant> | undefined, index) => {
    // debate (rounds after the first) and learnFromOutcome (a server's learning, a backtest with learning) are called too.
    const missing = (['analyze', 'debate', 'learnFromOutcome'] as const).filter((method) => typeof assistant?.[method] !== 'function');
    if (typeof assistant?.id !== 'string' || missing.length > 0) throw problem(`${path}: assistants[${index}] is not an assistant (${typeof assistant?.id !== 'string' ? 'no string id' : `no ${missing.join(', ')} function`}; defineAssistant from @ia-agents/core makes one from an id and an analyze function)`);
  });
  if (given.trigger !== undefined && typeof given.trigger !== 'function') throw problem(`${path}: trigger must be a function (symbol) => ({ update(candle) })`);
  return given as TeamSetup;
}

/** The seven assistants are convened every this many candles besides the market monitor's alerts. */
export const DEFAULT_DECIDE_EVERY = 12;

/**
 * Teams convened as the server convenes them, in a backtest and a look-ahead check as in the
 * server: on their trigger and besides it every `decideEvery` candles of `timeframe`, at the candles
 * closing at multiples of that period since the epoch (the same candles after any start: see
 * everyNthCandle); by default every 12 for the seven assistants (whose trigger is the market
 * monitor's alerts alone) and never for a team module (its trigger alone, as its author wrote it).
 * A team without a trigger is convened every candle. `decideEvery` is a whole number, 0 or more
 * (the server's configuration and the CLI check it).
 */
export function convenedTeam(build: TeamBuilder, options: { decideEvery?: number | undefined; module: boolean; timeframe: Timeframe }): TeamBuilder {
  const every = options.decideEvery ?? (options.module ? 0 : DEFAULT_DECIDE_EVERY);
  if (every === 0) return build;
  return (candles) => {
    const team = build(candles);
    return team.trigger === undefined ? team : { ...team, trigger: anyTrigger(team.trigger, everyNthCandle(every, options.timeframe)) };
  };
}
