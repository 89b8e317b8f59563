import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError, type Assistant, type Candle, type ConsensusOptionsInput, type TriggerFactory } from '@ia-agents/core';
import { createDefaultTeam, marketMonitorTrigger } from '@ia-agents/assistants';

/** What a team gives a backtest: its assistants, and optionally its trigger and consensus options. */
export interface CliTeam {
  assistants: readonly Assistant[];
  trigger?: TriggerFactory;
  consensus?: ConsensusOptionsInput;
}

/** Builds a team for one run from the candles it replays, by symbol. */
export type CliTeamBuilder = (candles: ReadonlyMap<string, readonly Candle[]>) => CliTeam;

/** The seven assistants with the market monitor's trigger: the team of the CLI when no `--team` is given. */
export const defaultTeam: CliTeamBuilder = () => {
  const { assistants, consensus } = createDefaultTeam();
  return { assistants, consensus, trigger: marketMonitorTrigger() };
};

const problem = (message: string) => new ConfigError('command line', [{ path: ['team'], message }]);

/**
 * `--team <module>`: an ES module whose default export is a function of the run's candles (a Map
 * from symbol to candles, oldest first) returning `{ assistants, trigger?, consensus? }`, or such
 * an object. Without a file, the seven assistants. Each team it builds is checked, and a module
 * that cannot be loaded or builds no usable team is named with what is wrong.
 */
export async function loadTeam(file: string | undefined): Promise<CliTeamBuilder> {
  if (file === undefined) return defaultTeam;
  const path = resolve(file);
  if (!existsSync(path)) throw problem(`no file ${path}`);
  let exported: unknown;
  try {
    exported = ((await import(pathToFileURL(path).href)) as { default?: unknown }).default;
  } catch (error) {
    throw problem(`${path} could not be loaded: ${(error as Error).message}`);
  }
  if (exported === undefined) throw problem(`${path} has no default export: export a function (candles) => ({ assistants, trigger?, consensus? }), or such an object`);
  const build = typeof exported === 'function' ? (exported as (candles: ReadonlyMap<string, readonly Candle[]>) => unknown) : () => exported;
  return (candles) => checkedTeam(build(candles), path);
}

function checkedTeam(team: unknown, path: string): CliTeam {
  const given = team as Partial<CliTeam> | undefined;
  if (typeof given !== 'object' || given === null) throw problem(`${path} gave ${String(team)}, not { assistants, trigger?, consensus? }`);
  if (!Array.isArray(given.assistants) || given.assistants.length === 0) throw problem(`${path} gave no assistants: expected a non-empty array under "assistants"`);
  given.assistants.forEach((assistant: Partial<Assistant> | undefined, index) => {
    if (typeof assistant?.id !== 'string' || typeof assistant.analyze !== 'function') throw problem(`${path}: assistants[${index}] is not an assistant (an id and an analyze function; see defineAssistant)`);
  });
  if (given.trigger !== undefined && typeof given.trigger !== 'function') throw problem(`${path}: trigger must be a function (symbol) => ({ update(candle) })`);
  return given as CliTeam;
}
