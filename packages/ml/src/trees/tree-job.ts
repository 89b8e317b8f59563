import { threadId } from 'node:worker_threads';
import type { BinnedMatrix } from './binning.js';
import type { ResolvedForestParams } from './forest-params.js';
import { growTree, type TreeTarget } from './grow-tree.js';
import { createTreeRandom, featuresPerNode, treeSeed } from './tree-random.js';
import { leafOfBinned, type Tree } from './tree.js';

/** A batch of trees of one forest, the unit of work a training thread takes. */
export interface TreeJob {
  /** Which forest the trees belong to. */
  forest: string;
  /** Indexes of the trees in their forest (they fix each tree's seed). */
  treeIndexes: number[];
  /** Forest options. */
  params: ResolvedForestParams;
  /** Whether to return out-of-bag prediction sums. */
  outOfBag: boolean;
}

/** What a job returns. */
export interface TreeJobResult {
  /** The job's forest. */
  forest: string;
  /** The job's tree indexes. */
  treeIndexes: number[];
  /** Id of the thread that grew them (0 = the main thread). */
  threadId: number;
  /** The trees, in `treeIndexes` order. */
  trees: Tree[];
  /** Per row, the sums of out-of-bag leaf values (`rowCount * outputs`), when asked. */
  outOfBagSum?: Float64Array;
  /** Per row, how many trees had it out of bag, when asked. */
  outOfBagCount?: Float64Array;
}

/**
 * Grows the job's trees, each on its own bootstrap sample. The same tree index gives the same tree
 * whichever thread grows it, so single- and multi-threaded training give identical models.
 */
export function runTreeJob(data: BinnedMatrix, target: TreeTarget, job: TreeJob): TreeJobResult {
  const outputs = target.kind === 'classification' ? target.classCount : 1;
  const n = data.rowCount;
  const result: TreeJobResult = { forest: job.forest, treeIndexes: job.treeIndexes, threadId, trees: [] };
  if (job.outOfBag) {
    result.outOfBagSum = new Float64Array(n * outputs);
    result.outOfBagCount = new Float64Array(n);
  }
  const weights = new Float64Array(n);
  const params = { ...job.params, maxFeatures: featuresPerNode(job.params.maxFeatures, data.featureCount) };
  for (const index of job.treeIndexes) {
    const random = createTreeRandom(treeSeed(job.params.seed, index));
    weights.fill(0);
    const draws = Math.max(1, Math.round(n * job.params.sampleFraction));
    for (let d = 0; d < draws; d++) weights[Math.floor(random.next() * n)]! += 1;
    const rows = inBagRows(weights);
    const tree = growTree(data, target, rows, weights, params, random);
    result.trees.push(tree);
    if (result.outOfBagSum !== undefined) addOutOfBag(data, tree, weights, result.outOfBagSum, result.outOfBagCount!);
  }
  return result;
}

function inBagRows(weights: Float64Array): Int32Array {
  let count = 0;
  for (let r = 0; r < weights.length; r++) if (weights[r]! > 0) count++;
  const rows = new Int32Array(count);
  let next = 0;
  for (let r = 0; r < weights.length; r++) if (weights[r]! > 0) rows[next++] = r;
  return rows;
}

function addOutOfBag(data: BinnedMatrix, tree: Tree, weights: Float64Array, sum: Float64Array, count: Float64Array): void {
  const outputs = tree.outputs;
  for (let r = 0; r < data.rowCount; r++) {
    if (weights[r]! > 0) continue;
    const leaf = leafOfBinned(tree, data.bins, r * data.featureCount) * outputs;
    for (let k = 0; k < outputs; k++) sum[r * outputs + k]! += tree.value[leaf + k]!;
    count[r]! += 1;
  }
}
