import type { Tree } from './tree.js';

/** Trees walked side by side: their node loads are independent, so the CPU overlaps their cache misses. */
const LANES = 8;

/** Rows per block of a batch prediction. */
const BLOCK_ROWS = 512;

/**
 * A whole forest packed into one contiguous buffer for prediction. Node i takes 16 bytes: its raw
 * threshold as a float64 (`thresholds[2i]`), then its split feature (`links[4i + 2]`) and its left
 * child (`links[4i + 3]`; the right child is the next node) as int32. The two views share the
 * buffer, so a node is one cache access, and rows are compared with the raw thresholds: no
 * binning at predict time. A one-row prediction allocates nothing.
 *
 * A leaf points to itself with threshold +Infinity (no value, not even NaN, is greater), so a walk
 * can take a fixed number of steps (the tree's depth) without testing for leaves. That makes the
 * step branch-free, and lets eight trees be walked side by side: a walk is a chain of dependent
 * loads, and eight independent chains keep eight loads in flight instead of one.
 *
 * It gives bit-for-bit the averages of walking the trees one by one (same comparisons, leaf values
 * added in tree order), which a property test checks.
 */
export class FlatForest {
  /** Thresholds: `thresholds[2 * node]`. */
  private readonly thresholds: Float64Array;
  /** Feature and left child: `links[4 * node + 2]`, `links[4 * node + 3]`. */
  private readonly links: Int32Array;
  /** Outputs of node i at `nodeValues[i * outputs ..]` (set for leaves; the trees' float32 values, converted exactly). */
  private readonly nodeValues: Float64Array;
  /** Root node of each tree. */
  private readonly roots: Int32Array;
  /** Steps from each tree's root to its deepest leaf. */
  private readonly depths: Int32Array;
  /** The largest depth of each group of {@link LANES} trees walked together. */
  private readonly laneDepths: Int32Array;
  /** The leaf each tree reached, for the row being predicted. */
  private readonly leaves: Int32Array;

  private constructor(
    buffer: ArrayBuffer,
    nodeValues: Float64Array,
    roots: Int32Array,
    depths: Int32Array,
    /** Values per prediction: the class count, or 1. */
    readonly outputs: number,
    /** Features a row must have. */
    readonly featureCount: number,
  ) {
    this.thresholds = new Float64Array(buffer);
    this.links = new Int32Array(buffer);
    this.nodeValues = nodeValues;
    this.roots = roots;
    this.depths = depths;
    this.laneDepths = new Int32Array(Math.floor(roots.length / LANES));
    for (let t = 0; t < this.laneDepths.length * LANES; t++) this.laneDepths[t >> 3] = Math.max(this.laneDepths[t >> 3]!, depths[t]!);
    this.leaves = new Int32Array(roots.length);
  }

  /** Number of trees. */
  get treeCount(): number {
    return this.roots.length;
  }

  /** Bytes the packed nodes and their values take. */
  get byteLength(): number {
    return this.thresholds.byteLength + this.nodeValues.byteLength;
  }

  /** Packs trees (all with the same `outputs`) for prediction. */
  static fromTrees(trees: readonly Tree[], featureCount: number): FlatForest {
    const outputs = trees[0]?.outputs ?? 1;
    const nodeCount = trees.reduce((sum, tree) => sum + tree.feature.length, 0);
    const buffer = new ArrayBuffer(nodeCount * 16);
    const thresholds = new Float64Array(buffer);
    const links = new Int32Array(buffer);
    const nodeValues = new Float64Array(nodeCount * outputs);
    const roots = new Int32Array(trees.length);
    const depths = new Int32Array(trees.length);
    let base = 0;
    trees.forEach((tree, t) => {
      roots[t] = base;
      depths[t] = packTree(tree, base, thresholds, links, nodeValues);
      base += tree.feature.length;
    });
    return new FlatForest(buffer, nodeValues, roots, depths, outputs, featureCount);
  }

  /** Node reached from `node` in `steps` steps by the row at `offset` (a leaf once steps >= depth). */
  private walk(node: number, steps: number, values: Float64Array, offset: number): number {
    const thresholds = this.thresholds;
    const links = this.links;
    let at = node;
    for (let s = 0; s < steps; s++) at = links[4 * at + 3]! + +(values[offset + links[4 * at + 2]!]! > thresholds[2 * at]!);
    return at;
  }

  /**
   * Leaves of trees `t`..`t + 7` for the row at `offset`, walked side by side, written to
   * `leaves[t..t + 7]`. A step is `left + (value > threshold)`: the boolean becomes 0 or 1 without
   * a branch (a `? 1 : 0` here compiles to a jump that mispredicts half the time; measured 2-3x
   * slower). NaN fails `value > threshold`, so a missing value goes left, as bin 0 does in training.
   */
  private walkLanes(t: number, values: Float64Array, offset: number, leaves: Int32Array): void {
    const thresholds = this.thresholds;
    const links = this.links;
    const roots = this.roots;
    let a = roots[t]!, b = roots[t + 1]!, c = roots[t + 2]!, d = roots[t + 3]!, e = roots[t + 4]!, f = roots[t + 5]!, g = roots[t + 6]!, h = roots[t + 7]!;
    for (let s = 0, steps = this.laneDepths[t >> 3]!; s < steps; s++) {
      a = links[4 * a + 3]! + +(values[offset + links[4 * a + 2]!]! > thresholds[2 * a]!);
      b = links[4 * b + 3]! + +(values[offset + links[4 * b + 2]!]! > thresholds[2 * b]!);
      c = links[4 * c + 3]! + +(values[offset + links[4 * c + 2]!]! > thresholds[2 * c]!);
      d = links[4 * d + 3]! + +(values[offset + links[4 * d + 2]!]! > thresholds[2 * d]!);
      e = links[4 * e + 3]! + +(values[offset + links[4 * e + 2]!]! > thresholds[2 * e]!);
      f = links[4 * f + 3]! + +(values[offset + links[4 * f + 2]!]! > thresholds[2 * f]!);
      g = links[4 * g + 3]! + +(values[offset + links[4 * g + 2]!]! > thresholds[2 * g]!);
      h = links[4 * h + 3]! + +(values[offset + links[4 * h + 2]!]! > thresholds[2 * h]!);
    }
    leaves[t] = a;
    leaves[t + 1] = b;
    leaves[t + 2] = c;
    leaves[t + 3] = d;
    leaves[t + 4] = e;
    leaves[t + 5] = f;
    leaves[t + 6] = g;
    leaves[t + 7] = h;
  }

  /** Writes every tree's leaf for the row at `offset` into `this.leaves`, in tree order. */
  private findLeaves(values: Float64Array, offset: number): Int32Array {
    const trees = this.roots.length;
    const leaves = this.leaves;
    let t = 0;
    for (; t + LANES <= trees; t += LANES) this.walkLanes(t, values, offset, leaves);
    for (; t < trees; t++) leaves[t] = this.walk(this.roots[t]!, this.depths[t]!, values, offset);
    return leaves;
  }

  /**
   * Writes the averaged leaf values of the row at `offset` of `values` into `out` at `outOffset`
   * (allocation-free).
   */
  predictInto(values: Float64Array, offset: number, out: Float64Array, outOffset = 0): Float64Array {
    const leaves = this.findLeaves(values, offset);
    const nodeValues = this.nodeValues;
    const trees = leaves.length;
    if (this.outputs === 1) {
      let sum = 0;
      for (let t = 0; t < trees; t++) sum += nodeValues[leaves[t]!]!;
      out[outOffset] = sum / trees;
    } else if (this.outputs === 3) {
      let down = 0;
      let flat = 0;
      let up = 0;
      for (let t = 0; t < trees; t++) {
        const at = 3 * leaves[t]!;
        down += nodeValues[at]!;
        flat += nodeValues[at + 1]!;
        up += nodeValues[at + 2]!;
      }
      out[outOffset] = down / trees;
      out[outOffset + 1] = flat / trees;
      out[outOffset + 2] = up / trees;
    } else {
      this.averageAny(leaves, out, outOffset);
    }
    return out;
  }

  private averageAny(leaves: Int32Array, out: Float64Array, outOffset: number): void {
    const outputs = this.outputs;
    out.fill(0, outOffset, outOffset + outputs);
    for (let t = 0; t < leaves.length; t++) {
      for (let k = 0; k < outputs; k++) out[outOffset + k]! += this.nodeValues[leaves[t]! * outputs + k]!;
    }
    for (let k = 0; k < outputs; k++) out[outOffset + k]! /= leaves.length;
  }

  /**
   * Predicts `rowCount` row-major rows into `out` (`rowCount * outputs`, allocated when omitted).
   * Rows go in blocks of 512 (80 kB of 20-feature rows, which stay in cache); within a block, tree by
   * tree (one tree's nodes stay in cache too), eight rows walked side by side. Each row's leaf
   * values are still added in tree order, so the result equals `predictInto` row by row, bit for bit.
   */
  predictRows(values: Float64Array, rowCount: number, out: Float64Array = new Float64Array(rowCount * this.outputs)): Float64Array {
    const outputs = this.outputs;
    const sums = new Float64Array(Math.min(rowCount, BLOCK_ROWS) * outputs);
    const leaves = new Int32Array(Math.min(rowCount, BLOCK_ROWS));
    const trees = this.roots.length;
    for (let start = 0; start < rowCount; start += BLOCK_ROWS) {
      const count = Math.min(BLOCK_ROWS, rowCount - start);
      sums.fill(0);
      for (let t = 0; t < trees; t++) {
        this.walkRows(t, values, start, count, leaves);
        this.addLeaves(leaves, count, sums);
      }
      for (let i = 0; i < count * outputs; i++) out[start * outputs + i] = sums[i]! / trees;
    }
    return out;
  }

  /** Leaves of tree `t` for rows `start .. start + count`, eight rows side by side, into `leaves`. */
  private walkRows(t: number, values: Float64Array, start: number, count: number, leaves: Int32Array): void {
    const thresholds = this.thresholds;
    const links = this.links;
    const root = this.roots[t]!;
    const steps = this.depths[t]!;
    const width = this.featureCount;
    let i = 0;
    for (; i + LANES <= count; i += LANES) {
      const o = (start + i) * width;
      let a = root, b = root, c = root, d = root, e = root, f = root, g = root, h = root;
      for (let s = 0; s < steps; s++) {
        a = links[4 * a + 3]! + +(values[o + links[4 * a + 2]!]! > thresholds[2 * a]!);
        b = links[4 * b + 3]! + +(values[o + width + links[4 * b + 2]!]! > thresholds[2 * b]!);
        c = links[4 * c + 3]! + +(values[o + 2 * width + links[4 * c + 2]!]! > thresholds[2 * c]!);
        d = links[4 * d + 3]! + +(values[o + 3 * width + links[4 * d + 2]!]! > thresholds[2 * d]!);
        e = links[4 * e + 3]! + +(values[o + 4 * width + links[4 * e + 2]!]! > thresholds[2 * e]!);
        f = links[4 * f + 3]! + +(values[o + 5 * width + links[4 * f + 2]!]! > thresholds[2 * f]!);
        g = links[4 * g + 3]! + +(values[o + 6 * width + links[4 * g + 2]!]! > thresholds[2 * g]!);
        h = links[4 * h + 3]! + +(values[o + 7 * width + links[4 * h + 2]!]! > thresholds[2 * h]!);
      }
      leaves[i] = a;
      leaves[i + 1] = b;
      leaves[i + 2] = c;
      leaves[i + 3] = d;
      leaves[i + 4] = e;
      leaves[i + 5] = f;
      leaves[i + 6] = g;
      leaves[i + 7] = h;
    }
    for (; i < count; i++) leaves[i] = this.walk(root, steps, values, (start + i) * width);
  }

  /** Adds the values of `count` rows' leaves to their sums. */
  private addLeaves(leaves: Int32Array, count: number, sums: Float64Array): void {
    const outputs = this.outputs;
    const nodeValues = this.nodeValues;
    if (outputs === 1) {
      for (let i = 0; i < count; i++) sums[i]! += nodeValues[leaves[i]!]!;
      return;
    }
    for (let i = 0; i < count; i++) {
      const at = leaves[i]! * outputs;
      for (let k = 0; k < outputs; k++) sums[i * outputs + k]! += nodeValues[at + k]!;
    }
  }
}

/**
 * Copies one tree into the packed arrays at node `base`, turning each leaf into a self-loop with
 * threshold +Infinity; returns the tree's depth (steps to its deepest leaf).
 */
function packTree(tree: Tree, base: number, thresholds: Float64Array, links: Int32Array, nodeValues: Float64Array): number {
  const outputs = tree.outputs;
  // Children always come after their parent (checked on load), so depths fill in one pass.
  const depth = new Int32Array(tree.feature.length);
  let deepest = 0;
  for (let i = 0; i < tree.feature.length; i++) {
    const node = base + i;
    const feature = tree.feature[i]!;
    deepest = Math.max(deepest, depth[i]!);
    if (feature >= 0) {
      thresholds[2 * node] = tree.threshold[i]!;
      links[4 * node + 2] = feature;
      links[4 * node + 3] = base + tree.left[i]!;
      depth[tree.left[i]!] = depth[i]! + 1;
      depth[tree.left[i]! + 1] = depth[i]! + 1;
      continue;
    }
    thresholds[2 * node] = Number.POSITIVE_INFINITY;
    links[4 * node + 2] = 0;
    links[4 * node + 3] = node;
    for (let k = 0; k < outputs; k++) nodeValues[node * outputs + k] = tree.value[i * outputs + k]!;
  }
  return deepest;
}
