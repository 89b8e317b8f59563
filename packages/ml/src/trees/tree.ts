/**
 * A grown decision tree as flat typed arrays. Node 0 is the root; an internal node's children are
 * `left[i]` and `left[i] + 1`. A leaf has `feature[i] === -1`. Node i's output is
 * `value[i * outputs .. (i + 1) * outputs)` (class probabilities, or one regression value).
 */
export interface Tree {
  /** Split feature per node, -1 for a leaf. */
  feature: Int32Array;
  /** Split value per node: a row goes left when its value is NaN or <= threshold. */
  threshold: Float64Array;
  /** Split bin per node, the same test on binned rows: left when bin <= thresholdBin. */
  thresholdBin: Uint8Array;
  /** Left child per node (the right child is left + 1). */
  left: Int32Array;
  /** Outputs per node. */
  value: Float32Array;
  /** Values per node: the class count, or 1 for regression. */
  outputs: number;
}

/** Index of the leaf a raw feature row ends in. */
export function leafOf(tree: Tree, row: ArrayLike<number>, offset = 0): number {
  const { feature, threshold, left } = tree;
  let node = 0;
  let split = feature[0]!;
  while (split >= 0) {
    const value = row[offset + split]!;
    // NaN fails `value > threshold`, so missing values go left, as bin 0 does in training.
    node = value > threshold[node]! ? left[node]! + 1 : left[node]!;
    split = feature[node]!;
  }
  return node;
}

/** Index of the leaf a binned row ends in. */
export function leafOfBinned(tree: Tree, bins: Uint8Array, offset: number): number {
  const { feature, thresholdBin, left } = tree;
  let node = 0;
  let split = feature[0]!;
  while (split >= 0) {
    node = bins[offset + split]! > thresholdBin[node]! ? left[node]! + 1 : left[node]!;
    split = feature[node]!;
  }
  return node;
}

/** Number of nodes of a tree. */
export function nodeCount(tree: Tree): number {
  return tree.feature.length;
}
