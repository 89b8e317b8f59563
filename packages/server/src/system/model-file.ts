import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError, type Predictor } from '@ia-agents/core';
import { TradingEnsembleModel, createEnsemblePredictor } from '@ia-agents/ml';

/**
 * A model `ia-agents train` saved (`--model` of the CLI, `model` / `MODEL_FILE` of the server), as
 * the engine's Predictor: its prediction goes into every snapshot, where the strategist weighs it.
 * A file that cannot be read, is not JSON or is not a trained model is named with what is wrong,
 * as an issue at `model` of `subject` (what the file was given in).
 * @example
 * const predictor = loadModel('model.json');
 * await runBacktest({ predictor });
 */
export function loadModel(file: string, subject = 'command line'): Predictor {
  const path = resolve(file);
  const problem = (message: string, cause?: unknown) => new ConfigError(subject, [{ path: ['model'], message }], cause === undefined ? {} : { cause });
  let saved: unknown;
  try {
    saved = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw problem(`${path} could not be read as JSON: ${(error as Error).message}`, error);
  }
  try {
    return createEnsemblePredictor({ model: TradingEnsembleModel.fromJSON(saved) });
  } catch (error) {
    throw problem(`${path} is not a model ia-agents train saved: ${(error as Error).message}`, error);
  }
}
