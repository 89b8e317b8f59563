import { leafOf, type Tree } from '../trees/tree.js';

/**
 * The forest prediction as it was before the flat predictor: walk each tree's own arrays, add its
 * leaf values in tree order, divide by the tree count. The reference that the flat predictor must
 * match bit for bit (tests), and the baseline it is timed against (benchmark).
 */
export function treeWalkPredict(trees: readonly Tree[], values: ArrayLike<number>, offset: number, out: Float64Array): Float64Array {
  const outputs = trees[0]!.outputs;
  out.fill(0, 0, outputs);
  for (const tree of trees) {
    const leaf = leafOf(tree, values, offset) * outputs;
    for (let k = 0; k < outputs; k++) out[k]! += tree.value[leaf + k]!;
  }
  for (let k = 0; k < outputs; k++) out[k]! /= trees.length;
  return out;
}

/** {@link treeWalkPredict} over `rowCount` row-major rows of `featureCount` values. */
export function treeWalkPredictRows(trees: readonly Tree[], values: Float64Array, rowCount: number, featureCount: number): Float64Array {
  const outputs = trees[0]!.outputs;
  const out = new Float64Array(rowCount * outputs);
  for (let r = 0; r < rowCount; r++) treeWalkPredict(trees, values, r * featureCount, out.subarray(r * outputs, (r + 1) * outputs));
  return out;
}
