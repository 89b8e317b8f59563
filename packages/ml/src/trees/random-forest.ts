import { IaAgentsError } from '@ia-agents/core';
import { z } from 'zod';
import { decodeTypedArray, encodeTypedArray } from '../util/typed-array-codec.js';
import { FlatForest } from './flat-forest.js';
import type { Tree } from './tree.js';

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
 * trees: class probabilities for a classifier, a number for a regressor. The trees are kept for
 * saving; predictions run on a {@link FlatForest} packed from them once, at construction.
 */
export class RandomForest {
  /** The trees packed into one buffer, which every prediction uses. */
  readonly flat: FlatForest;
  /** A row that is not a Float64Array is copied here first, so the hot loop sees one array type. */
  private readonly rowScratch: Float64Array;

  constructor(
    /** Classification or regression. */
    readonly kind: 'classification' | 'regression',
    /** The trees. */
    readonly trees: readonly Tree[],
    /** Features a row must have. */
    readonly featureCount: number,
  ) {
    this.flat = FlatForest.fromTrees(trees, featureCount);
    this.rowScratch = new Float64Array(featureCount);
  }

  /** Values per prediction: the class count, or 1. */
  get outputs(): number {
    return this.trees[0]!.outputs;
  }

  /** Writes the averaged leaf values of row `row` (a slice of `values` at `offset`) into `out`. */
  predictInto(values: ArrayLike<number>, offset: number, out: Float64Array): Float64Array {
    if (values instanceof Float64Array) return this.flat.predictInto(values, offset, out);
    const row = this.rowScratch;
    for (let j = 0; j < row.length; j++) row[j] = values[offset + j]!;
    return this.flat.predictInto(row, 0, out);
  }

  /** Predicts one row. */
  predictRow(row: ArrayLike<number>): Float64Array {
    return this.predictInto(row, 0, new Float64Array(this.outputs));
  }

  /** Predicts `rowCount` row-major rows; returns `rowCount * outputs` values. */
  predictRows(values: Float64Array, rowCount: number): Float64Array {
    return this.flat.predictRows(values, rowCount);
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
