import type { BinnedMatrix } from '../trees/binning.js';
import type { ResolvedForestParams } from '../trees/forest-params.js';
import type { TreeTarget } from '../trees/grow-tree.js';
import { RandomForest } from '../trees/random-forest.js';
import type { TreeJob, TreeJobResult } from '../trees/tree-job.js';
import { createTrainingPool, type TrainingPool } from './training-pool.js';

/** One forest to train. */
export interface ForestSpec {
  /** Id of the forest in the result. */
  id: string;
  /** What it learns. */
  target: TreeTarget;
  /** Its options. */
  params: ResolvedForestParams;
  /** Whether to compute out-of-bag predictions for every training row. */
  outOfBag?: boolean;
}

/** A trained forest and, when asked, its out-of-bag predictions. */
export interface TrainedForest {
  /** The forest. */
  forest: RandomForest;
  /** Per row, the mean out-of-bag prediction (`rowCount * outputs`), NaN for a row every tree saw. */
  outOfBag?: Float64Array;
}

/** Progress of a training run. */
export interface TrainingProgress {
  /** What is running. */
  stage: 'features' | 'trees' | 'confidence' | 'done';
  /** Trees grown so far, over every forest. */
  completedTrees: number;
  /** Trees to grow, over every forest. */
  totalTrees: number;
}

/** Options of {@link trainForests}. */
export interface TrainForestsOptions {
  /** Pool to run on. @default a pool created for this call and closed after it */
  pool?: TrainingPool;
  /** Called as trees complete. */
  onProgress?: (progress: TrainingProgress) => void;
  /** Cancels the training (AbortError). */
  signal?: AbortSignal;
}

/** Jobs per forest: a fixed split, so results do not depend on the thread count. */
const JOBS_PER_FOREST = 16;

function toJobs(spec: ForestSpec): TreeJob[] {
  const size = Math.max(1, Math.ceil(spec.params.trees / JOBS_PER_FOREST));
  const jobs: TreeJob[] = [];
  for (let start = 0; start < spec.params.trees; start += size) {
    const treeIndexes = Array.from({ length: Math.min(size, spec.params.trees - start) }, (_, i) => start + i);
    jobs.push({ forest: spec.id, treeIndexes, params: spec.params, outOfBag: spec.outOfBag ?? false });
  }
  return jobs;
}

/**
 * Trains several forests on the same binned rows, spreading their trees over the pool's threads.
 * @example const { direction } = await trainForests(binned, [{ id: 'direction', target, params }]);
 */
export async function trainForests(data: BinnedMatrix, specs: readonly ForestSpec[], options: TrainForestsOptions = {}): Promise<Record<string, TrainedForest>> {
  const pool = options.pool ?? createTrainingPool();
  const jobs = specs.flatMap(toJobs);
  const totalTrees = specs.reduce((sum, spec) => sum + spec.params.trees, 0);
  let completedTrees = 0;
  try {
    const targets = Object.fromEntries(specs.map((spec) => [spec.id, spec.target]));
    const results = await pool.run({ ...data, edges: [...data.edges], targets }, jobs, (result) => {
      completedTrees += result.trees.length;
      options.onProgress?.({ stage: 'trees', completedTrees, totalTrees });
    }, options.signal);
    return Object.fromEntries(specs.map((spec) => [spec.id, assemble(spec, data, results.filter((result) => result.forest === spec.id))]));
  } finally {
    if (options.pool === undefined) await pool.close();
  }
}

function assemble(spec: ForestSpec, data: BinnedMatrix, results: readonly TreeJobResult[]): TrainedForest {
  const forest = new RandomForest(spec.target.kind, results.flatMap((result) => result.trees), data.featureCount);
  if (!spec.outOfBag) return { forest };
  const outputs = forest.outputs;
  const sum = new Float64Array(data.rowCount * outputs);
  const count = new Float64Array(data.rowCount);
  // Summed in job order, so the result is bit-identical whatever thread ran which job.
  for (const result of results) {
    for (let i = 0; i < sum.length; i++) sum[i]! += result.outOfBagSum![i]!;
    for (let r = 0; r < count.length; r++) count[r]! += result.outOfBagCount![r]!;
  }
  for (let r = 0; r < data.rowCount; r++) {
    for (let k = 0; k < outputs; k++) sum[r * outputs + k] = count[r]! > 0 ? sum[r * outputs + k]! / count[r]! : Number.NaN;
  }
  return { forest, outOfBag: sum };
}
