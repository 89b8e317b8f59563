import { IaAgentsError } from '@ia-agents/core';
import { z } from 'zod';
import { decodeTypedArray, encodeTypedArray } from '../util/typed-array-codec.js';
import { leafOf, type Tree } from './tree.js';

/** A saved tree: base64 little-endian typed arrays. */
const treeJsonSchema = z.object({
  feature: z.string(),
  threshold: z.string(),
  thresholdBin: z.string(),
  left: z.string(),
  value: z.string(),
});

/** A saved forest. */
export const forestJsonSchema = z.object({
  /** `classification` (values are class probabilities) or `regression`. */
  kind: z.enum(['classification', 'regression']),
  /** Values per leaf: the class count, or 1. */
  outputs: z.number().int().positive(),
  /** Features a row must have. */
  featureCount: z.number().int().positive(),
  /** The trees. */
  trees: z.array(treeJsonSchema).min(1),
});

/** A saved forest, as JSON. */
export type ForestJson = z.infer<typeof forestJsonSchema>;

/**
 * A trained random forest (or any average of trees): predicts by averaging the leaf values of its
 * trees: class probabilities for a classifier, a number for a regressor.
 */
export class RandomForest {
  constructor(
    /** Classification or regression. */
    readonly kind: 'classification' | 'regression',
    /** The trees. */
    readonly trees: readonly Tree[],
    /** Features a row must have. */
    readonly featureCount: number,
  ) {}

  /** Values per prediction: the class count, or 1. */
  get outputs(): number {
    return this.trees[0]!.outputs;
  }

  /** Writes the averaged leaf values of row `row` (a slice of `values` at `offset`) into `out`. */
  predictInto(values: ArrayLike<number>, offset: number, out: Float64Array): Float64Array {
    const outputs = this.outputs;
    out.fill(0, 0, outputs);
    for (const tree of this.trees) {
      const leaf = leafOf(tree, values, offset) * outputs;
      for (let k = 0; k < outputs; k++) out[k]! += tree.value[leaf + k]!;
    }
    for (let k = 0; k < outputs; k++) out[k]! /= this.trees.length;
    return out;
  }

  /** Predicts one row. */
  predictRow(row: ArrayLike<number>): Float64Array {
    return this.predictInto(row, 0, new Float64Array(this.outputs));
  }

  /** Predicts `rowCount` row-major rows; returns `rowCount * outputs` values. */
  predictRows(values: Float64Array, rowCount: number): Float64Array {
    const outputs = this.outputs;
    const out = new Float64Array(rowCount * outputs);
    // Tree by tree rather than row by row: one tree's arrays stay in cache for every row.
    for (const tree of this.trees) {
      for (let r = 0; r < rowCount; r++) {
        const leaf = leafOf(tree, values, r * this.featureCount) * outputs;
        for (let k = 0; k < outputs; k++) out[r * outputs + k]! += tree.value[leaf + k]!;
      }
    }
    const count = this.trees.length;
    for (let i = 0; i < out.length; i++) out[i]! /= count;
    return out;
  }

  /** Serialisable form. */
  toJSON(): ForestJson {
    return {
      kind: this.kind,
      outputs: this.outputs,
      featureCount: this.featureCount,
      trees: this.trees.map((tree) => ({
        feature: encodeTypedArray(tree.feature),
        threshold: encodeTypedArray(tree.threshold),
        thresholdBin: encodeTypedArray(tree.thresholdBin),
        left: encodeTypedArray(tree.left),
        value: encodeTypedArray(tree.value),
      })),
    };
  }

  /** Rebuilds a forest, checking every tree's structure; throws MODEL_FORMAT_INVALID when broken. */
  static fromJSON(json: ForestJson, where = 'forest'): RandomForest {
    const trees = json.trees.map((tree, index) => decodeTree(tree, json, `${where}.trees.${index}`));
    return new RandomForest(json.kind, trees, json.featureCount);
  }
}

function decodeTree(json: z.infer<typeof treeJsonSchema>, forest: ForestJson, where: string): Tree {
  const feature = decodeTypedArray(json.feature, Int32Array);
  const threshold = decodeTypedArray(json.threshold, Float64Array);
  const thresholdBin = decodeTypedArray(json.thresholdBin, Uint8Array);
  const left = decodeTypedArray(json.left, Int32Array);
  const value = decodeTypedArray(json.value, Float32Array);
  const nodes = feature?.length ?? 0;
  const fail = (message: string): never => {
    throw new IaAgentsError('MODEL_FORMAT_INVALID', `Invalid saved model at ${where}: ${message}`, { details: { where } });
  };
  if (feature === undefined || threshold === undefined || thresholdBin === undefined || left === undefined || value === undefined || nodes === 0) return fail('an array is missing or has a bad byte length');
  if (threshold.length !== nodes || thresholdBin.length !== nodes || left.length !== nodes || value.length !== nodes * forest.outputs) return fail(`arrays disagree on the node count (${nodes})`);
  for (let i = 0; i < nodes; i++) {
    if (feature[i]! >= forest.featureCount || feature[i]! < -1) fail(`node ${i} splits on feature ${feature[i]}, outside 0..${forest.featureCount - 1}`);
    // Children come after their parent, so a walk always ends at a leaf.
    if (feature[i]! >= 0 && (left[i]! <= i || left[i]! + 1 >= nodes)) fail(`node ${i} has children ${left[i]} and ${left[i]! + 1}, outside ${i + 1}..${nodes - 1}`);
  }
  return { feature, threshold, thresholdBin, left, value, outputs: forest.outputs };
}
