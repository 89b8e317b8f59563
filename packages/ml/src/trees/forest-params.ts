import { ConfigError } from '@ia-agents/core';
import { z } from 'zod';

/** Hyper-parameters of a random forest. */
export const forestParamsSchema = z.object({
  /** Number of trees. */
  trees: z.number().int().positive().default(100),
  /** Deepest split level (root = 0). */
  maxDepth: z.number().int().positive().max(64).default(10),
  /** Smallest (bootstrap-weighted) sample count a node needs to be split. */
  minSamplesSplit: z.number().positive().default(2),
  /** Smallest (bootstrap-weighted) sample count of each child. */
  minSamplesLeaf: z.number().positive().default(1),
  /**
   * Features drawn at each node: a count, or `sqrt`, `log2`, `third` (of the features) or `all`.
   * Defaults to `sqrt` for a classifier and `third` for a regressor (Breiman's choices).
   */
  maxFeatures: z.union([z.number().int().positive(), z.enum(['sqrt', 'log2', 'third', 'all'])]).optional(),
  /** Bootstrap sample size as a fraction of the rows (drawn with replacement). */
  sampleFraction: z.number().gt(0).max(1).default(1),
  /** Value bins per feature (plus one for missing values). */
  maxBins: z.number().int().min(2).max(255).default(255),
  /** Seed of the bootstrap and feature draws; tree i uses a seed derived from this and i. */
  seed: z.number().int().default(1),
});

/** Options of a random forest. */
export type ForestParams = z.input<typeof forestParamsSchema>;

/** Resolved forest options. */
export type ResolvedForestParams = Omit<z.output<typeof forestParamsSchema>, 'maxFeatures'> & { maxFeatures: number | 'sqrt' | 'log2' | 'third' | 'all' };

/** Parses forest options, throwing a ConfigError that names each bad field. */
export function resolveForestParams(params: ForestParams, kind: 'classification' | 'regression', what = 'forest options'): ResolvedForestParams {
  const parsed = forestParamsSchema.safeParse(params);
  if (!parsed.success) throw new ConfigError(what, parsed.error.issues.map((issue) => ({ path: issue.path as (string | number)[], message: issue.message })));
  return { ...parsed.data, maxFeatures: parsed.data.maxFeatures ?? (kind === 'classification' ? 'sqrt' : 'third') };
}

export { featuresPerNode, treeSeed } from './tree-random.js';
