import { IaAgentsError, ValidationError, fromZodIssues, type Action } from '@ia-agents/core';
import { LogisticRegression } from '../linear/logistic-regression.js';
import { binMatrix } from '../trees/binning.js';
import { RandomForest } from '../trees/random-forest.js';
import { trainForests, type TrainingProgress } from '../training/train-forests.js';
import type { TrainingPool } from '../training/training-pool.js';
import { resolveEnsembleOptions, type ResolvedEnsembleOptions, type TradingEnsembleOptions } from './ensemble-options.js';
import { confidenceInputs, confidenceTrainingData } from './confidence-data.js';
import { ENSEMBLE_FORMAT, ENSEMBLE_FORMAT_VERSION, tradingEnsembleJsonSchema, type TradingEnsembleJson } from './model-json.js';
import type { TrainingSet } from './training-set.js';

/** What the ensemble says about one row. */
export interface EnsemblePrediction {
  /** Direction probabilities. */
  probabilities: { down: number; flat: number; up: number };
  /** Expected forward log return (magnitude model). */
  expectedReturn: number;
  /** Expected largest absolute excursion over the horizon (risk model), >= 0. */
  risk: number;
  /** Probability that the direction call is right (confidence model). */
  confidence: number;
  /** The interpretation: up -> BUY, down -> SELL, flat or below `minConfidence` -> HOLD. */
  action: Action;
  /** Confidence of `action`: `confidence`, or 1 - `confidence` when a BUY or SELL call was turned into HOLD. */
  actionConfidence: number;
}

/** Predictions for many rows. */
export interface EnsembleBatchPrediction {
  /** Direction probabilities, `rowCount * 3` (down, flat, up). */
  probabilities: Float64Array;
  /** Expected forward log return per row. */
  expectedReturn: Float64Array;
  /** Expected excursion per row. */
  risk: Float64Array;
  /** Confidence per row. */
  confidence: Float64Array;
}

/** Options of {@link TradingEnsembleModel.train}. */
export interface TrainOptions {
  /** Threads to train on. @default a pool with os.availableParallelism() workers, closed after training */
  pool?: TrainingPool;
  /** Progress as trees complete. */
  onProgress?: (progress: TrainingProgress) => void;
  /** Cancels the training. */
  signal?: AbortSignal;
}

interface Trained {
  featureNames: readonly string[];
  featureEngineer: TrainingSet['featureEngineer'];
  horizon: number;
  deadBand: number;
  trainingRows: number;
  /** Open times of the first and last training rows' candles, when known. */
  trainedOn: { first: number; last: number } | undefined;
  classCounts: [number, number, number];
  direction: RandomForest;
  magnitude: RandomForest;
  risk: RandomForest;
  confidence: LogisticRegression;
  /** Reused buffers: one prediction allocates only its result object. */
  scratch: { probabilities: Float64Array; value: Float64Array; confidence: Float64Array };
}

function scratchFor(featureCount: number): Trained['scratch'] {
  return { probabilities: new Float64Array(3), value: new Float64Array(1), confidence: new Float64Array(featureCount + 4) };
}

/**
 * The four-model trading ensemble of the design (seed 5.2): a random-forest direction classifier
 * (down / flat / up), random-forest regressors for the magnitude (forward return) and the risk
 * (forward excursion), and a logistic regression that estimates how likely the direction call is
 * right, trained on the forest's out-of-bag predictions so it never sees a row the trees learnt.
 * @example
 * const model = createTradingEnsembleModel({ direction: { trees: 100 } });
 * await model.train(buildTrainingSet(candles, { featureEngineer }));
 * model.predict(featureEngineer.computeLast(candles), featureEngineer.names);
 */
export class TradingEnsembleModel {
  /** Resolved options. */
  readonly options: ResolvedEnsembleOptions;
  private trained: Trained | undefined;

  constructor(options: TradingEnsembleOptions = {}) {
    this.options = resolveEnsembleOptions(options);
  }

  /** Model id. */
  get id(): string {
    return this.options.id;
  }

  /** Whether `train` or `fromJSON` gave it its models. */
  get isTrained(): boolean {
    return this.trained !== undefined;
  }

  /** Feature names it was trained on. Throws NOT_TRAINED before training. */
  get featureNames(): readonly string[] {
    return this.require().featureNames;
  }

  /** Label horizon in candles. Throws NOT_TRAINED before training. */
  get horizon(): number {
    return this.require().horizon;
  }

  /**
   * Open times of the first and last training rows' candles (it learnt up to `horizon` candles past
   * the last), when known (not in files saved before they were recorded). Throws NOT_TRAINED before training.
   */
  get trainedOn(): { first: number; last: number } | undefined {
    return this.require().trainedOn;
  }

  /** Options of the feature engineer it was trained with, when known. */
  get featureEngineerOptions(): TrainingSet['featureEngineer'] {
    return this.require().featureEngineer;
  }

  /** Trains the four models on `set`; the forests grow on the pool's threads. */
  async train(set: TrainingSet, options: TrainOptions = {}): Promise<this> {
    checkSet(set);
    const binned = binMatrix(set.features, this.options.direction.maxBins);
    const forests = await trainForests(binned, [
      { id: 'direction', target: { kind: 'classification', classes: set.direction, classCount: 3 }, params: this.options.direction, outOfBag: true },
      { id: 'magnitude', target: { kind: 'regression', values: set.magnitude }, params: this.options.magnitude },
      { id: 'risk', target: { kind: 'regression', values: set.risk }, params: this.options.risk },
    ], options);
    options.onProgress?.({ stage: 'confidence', completedTrees: binned.rowCount, totalTrees: binned.rowCount });
    const data = confidenceTrainingData(set, forests.direction!.outOfBag!);
    const confidence = LogisticRegression.train(data.values, data.rowCount, data.width, data.labels, this.options.confidence);
    const classCounts: [number, number, number] = [0, 0, 0];
    for (const label of set.direction) classCounts[label as 0 | 1 | 2] += 1;
    this.trained = {
      featureNames: [...set.features.names], featureEngineer: set.featureEngineer, horizon: set.horizon, deadBand: set.deadBand,
      trainingRows: set.features.rowCount, classCounts,
      trainedOn: { first: set.features.timestamps[0]!, last: set.features.timestamps[set.features.rowCount - 1]! },
      direction: forests.direction!.forest, magnitude: forests.magnitude!.forest, risk: forests.risk!.forest, confidence,
      scratch: scratchFor(set.features.names.length),
    };
    const total = this.options.direction.trees + this.options.magnitude.trees + this.options.risk.trees;
    options.onProgress?.({ stage: 'done', completedTrees: total, totalTrees: total });
    return this;
  }

  /**
   * Predicts one feature row. Pass the row's feature names to have them checked against the
   * training features (FEATURE_MISMATCH); without names only the count is checked.
   */
  predict(row: ArrayLike<number>, names?: readonly string[]): EnsemblePrediction {
    const trained = this.require();
    checkRow(trained.featureNames, row, names);
    const p = trained.direction.predictInto(row, 0, trained.scratch.probabilities);
    const confidence = trained.confidence.predictProbability(confidenceInputs(row, p, trained.scratch.confidence));
    const up = p[2]!;
    const down = p[0]!;
    const flat = p[1]!;
    const call: Action = up > down && up > flat ? 'BUY' : down > up && down > flat ? 'SELL' : 'HOLD';
    const action = call !== 'HOLD' && confidence < this.options.minConfidence ? 'HOLD' : call;
    return {
      probabilities: { down, flat, up },
      expectedReturn: trained.magnitude.predictInto(row, 0, trained.scratch.value)[0]!,
      risk: Math.max(0, trained.risk.predictInto(row, 0, trained.scratch.value)[0]!),
      confidence,
      action,
      actionConfidence: action === call ? confidence : 1 - confidence,
    };
  }

  /** Predicts many row-major rows at once (no interpretation): the evaluator's fast path. */
  predictBatch(values: Float64Array, rowCount: number): EnsembleBatchPrediction {
    const trained = this.require();
    const width = trained.featureNames.length;
    if (values.length !== rowCount * width) throw featureCountError(width, values.length / Math.max(rowCount, 1));
    const probabilities = trained.direction.predictRows(values, rowCount);
    const confidence = new Float64Array(rowCount);
    const inputs = new Float64Array(width + 4);
    for (let r = 0; r < rowCount; r++) {
      confidence[r] = trained.confidence.predictProbability(confidenceInputs(values.subarray(r * width, (r + 1) * width), probabilities.subarray(r * 3, r * 3 + 3), inputs));
    }
    const risk = trained.risk.predictRows(values, rowCount).map((value) => Math.max(0, value));
    return { probabilities, expectedReturn: trained.magnitude.predictRows(values, rowCount), risk, confidence };
  }

  /** The saved form: format tag, version, options, feature names and the four models. */
  toJSON(): TradingEnsembleJson {
    const trained = this.require();
    return {
      format: ENSEMBLE_FORMAT,
      version: ENSEMBLE_FORMAT_VERSION,
      options: this.options,
      featureNames: [...trained.featureNames],
      ...(trained.featureEngineer === undefined ? {} : { featureEngineer: trained.featureEngineer }),
      horizon: trained.horizon,
      deadBand: trained.deadBand,
      trainingRows: trained.trainingRows,
      ...(trained.trainedOn === undefined ? {} : { trainedOn: trained.trainedOn }),
      classCounts: trained.classCounts,
      direction: trained.direction.toJSON(),
      magnitude: trained.magnitude.toJSON(),
      risk: trained.risk.toJSON(),
      confidence: trained.confidence.toJSON(),
    };
  }

  /** Loads a saved model; a wrong format, version or structure throws MODEL_FORMAT_INVALID naming the field. */
  static fromJSON(json: unknown): TradingEnsembleModel {
    const parsed = tradingEnsembleJsonSchema.safeParse(json);
    if (!parsed.success) throw new ValidationError('saved trading ensemble model', fromZodIssues(parsed.error.issues), { code: 'MODEL_FORMAT_INVALID' });
    const data = parsed.data;
    const width = data.featureNames.length;
    for (const name of ['direction', 'magnitude', 'risk'] as const) {
      if (data[name].featureCount !== width) throw new IaAgentsError('MODEL_FORMAT_INVALID', `Invalid saved model at ${name}.featureCount: expected ${width}, received ${data[name].featureCount}`);
    }
    if (data.direction.kind !== 'classification' || data.direction.outputs !== 3) throw new IaAgentsError('MODEL_FORMAT_INVALID', 'Invalid saved model at direction: expected a 3-class classifier');
    const model = new TradingEnsembleModel(data.options);
    const confidence = LogisticRegression.fromJSON(data.confidence);
    if (confidence.featureCount !== width + 4) throw new IaAgentsError('MODEL_FORMAT_INVALID', `Invalid saved model at confidence.weights: expected ${width + 4} weights, received ${confidence.featureCount}`);
    model.trained = {
      featureNames: data.featureNames, featureEngineer: data.featureEngineer, horizon: data.horizon, deadBand: data.deadBand,
      trainingRows: data.trainingRows, trainedOn: data.trainedOn, classCounts: data.classCounts,
      direction: RandomForest.fromJSON(data.direction, 'direction'), magnitude: RandomForest.fromJSON(data.magnitude, 'magnitude'),
      risk: RandomForest.fromJSON(data.risk, 'risk'), confidence,
      scratch: scratchFor(width),
    };
    return model;
  }

  private require(): Trained {
    if (this.trained === undefined) throw new IaAgentsError('NOT_TRAINED', `TradingEnsembleModel "${this.id}" was used before it was trained: call train() or load it with TradingEnsembleModel.fromJSON()`);
    return this.trained;
  }
}

/**
 * Creates an untrained TradingEnsembleModel.
 * @example const model = createTradingEnsembleModel({ seed: 7 });
 */
export function createTradingEnsembleModel(options: TradingEnsembleOptions = {}): TradingEnsembleModel {
  return new TradingEnsembleModel(options);
}

function featureCountError(expected: number, received: number): IaAgentsError {
  return new IaAgentsError('FEATURE_MISMATCH', `Expected ${expected} features per row, received ${received}`, { details: { expected, received } });
}

function checkRow(featureNames: readonly string[], row: ArrayLike<number>, names: readonly string[] | undefined): void {
  if (names !== undefined) {
    const missing = featureNames.filter((name) => !names.includes(name));
    const extra = names.filter((name) => !featureNames.includes(name));
    const reordered = missing.length === 0 && extra.length === 0 && names.some((name, i) => name !== featureNames[i]);
    if (missing.length > 0 || extra.length > 0 || reordered) {
      const parts = [missing.length > 0 ? `missing ${missing.join(', ')}` : '', extra.length > 0 ? `unexpected ${extra.join(', ')}` : '', reordered ? 'same names in another order' : ''].filter(Boolean);
      throw new IaAgentsError('FEATURE_MISMATCH', `Features differ from those the model was trained on: ${parts.join('; ')}`, { details: { missing, extra } });
    }
  }
  if (row.length !== featureNames.length) throw featureCountError(featureNames.length, row.length);
}

function checkSet(set: TrainingSet): void {
  const n = set.features.rowCount;
  const issues = [
    n < 2 ? { path: ['features', 'rowCount'], message: `expected at least 2 rows, received ${n}` } : undefined,
    set.direction.length !== n ? { path: ['direction'], message: `expected ${n} labels, received ${set.direction.length}` } : undefined,
    set.magnitude.length !== n ? { path: ['magnitude'], message: `expected ${n} labels, received ${set.magnitude.length}` } : undefined,
    set.risk.length !== n ? { path: ['risk'], message: `expected ${n} labels, received ${set.risk.length}` } : undefined,
    set.direction.some((label) => label > 2) ? { path: ['direction'], message: 'expected class ids 0 (down), 1 (flat) or 2 (up)' } : undefined,
    set.magnitude.some((value) => !Number.isFinite(value)) ? { path: ['magnitude'], message: 'expected finite values' } : undefined,
    set.risk.some((value) => !Number.isFinite(value)) ? { path: ['risk'], message: 'expected finite values' } : undefined,
  ].filter((issue) => issue !== undefined);
  if (issues.length > 0) throw new ValidationError('training set', issues, { code: 'DATA_INVALID' });
}
