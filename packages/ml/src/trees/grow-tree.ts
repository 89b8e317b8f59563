import type { Random } from '@ia-agents/core';
import { binCount, type BinnedMatrix } from './binning.js';
import type { Tree } from './tree.js';

/** Hyper-parameters of one tree. */
export interface TreeParams {
  /** Deepest level of a split (the root is depth 0). */
  maxDepth: number;
  /** Smallest weighted sample count a node needs to be split. */
  minSamplesSplit: number;
  /** Smallest weighted sample count of each child. */
  minSamplesLeaf: number;
  /** Features drawn at random at each node. */
  maxFeatures: number;
}

/** Targets of a tree: class ids, or real values. */
export type TreeTarget = { kind: 'classification'; classes: Uint8Array; classCount: number } | { kind: 'regression'; values: Float64Array };

interface Split {
  feature: number;
  bin: number;
  score: number;
}

/** Growing tree storage (plain arrays grow cheaply; they become typed arrays once the tree is done). */
interface Builder {
  feature: number[];
  thresholdBin: number[];
  left: number[];
  value: number[];
}

/** Scratch buffers shared by every node of a tree. */
interface Scratch {
  histogram: Float64Array;
  sums: Float64Array;
  left: Float64Array;
  features: Int32Array;
}

const outputsOf = (target: TreeTarget): number => (target.kind === 'classification' ? target.classCount : 1);

/**
 * Grows one CART tree on binned rows, depth first. `rows` lists the distinct in-bag rows (it is
 * reordered in place) and `weights[row]` their bootstrap counts. Splits maximise the Gini gain
 * (classification) or the squared-error reduction (regression), searched over per-bin histograms.
 */
export function growTree(data: BinnedMatrix, target: TreeTarget, rows: Int32Array, weights: Float64Array, params: TreeParams, random: Random): Tree {
  const outputs = outputsOf(target);
  const scratch: Scratch = { histogram: new Float64Array(256 * Math.max(outputs, 2)), sums: new Float64Array(Math.max(outputs, 3)), left: new Float64Array(outputs), features: Int32Array.from({ length: data.featureCount }, (_, j) => j) };
  const builder: Builder = { feature: [], thresholdBin: [], left: [], value: [] };
  const stack: Array<[node: number, start: number, end: number, depth: number]> = [[addNode(builder, outputs), 0, rows.length, 0]];
  while (stack.length > 0) {
    const [node, start, end, depth] = stack.pop()!;
    const total = nodeStats(target, rows, weights, start, end, scratch.sums);
    writeValue(builder, node, target, scratch.sums, total);
    if (depth >= params.maxDepth || total < params.minSamplesSplit || isPure(target, scratch.sums, total)) continue;
    const split = bestSplit(data, target, rows, weights, start, end, params, random, scratch);
    if (split === undefined) continue;
    const middle = partition(data, rows, start, end, split);
    const leftChild = addNode(builder, outputs);
    addNode(builder, outputs);
    builder.feature[node] = split.feature;
    builder.thresholdBin[node] = split.bin;
    builder.left[node] = leftChild;
    stack.push([leftChild + 1, middle, end, depth + 1], [leftChild, start, middle, depth + 1]);
  }
  return finish(builder, data, outputs);
}

function addNode(builder: Builder, outputs: number): number {
  builder.feature.push(-1);
  builder.thresholdBin.push(0);
  builder.left.push(-1);
  for (let k = 0; k < outputs; k++) builder.value.push(0);
  return builder.feature.length - 1;
}

/** Fills `sums` (class weights, or [weight, sum, sum of squares]) and returns the node weight. */
function nodeStats(target: TreeTarget, rows: Int32Array, weights: Float64Array, start: number, end: number, sums: Float64Array): number {
  sums.fill(0);
  let total = 0;
  if (target.kind === 'classification') {
    for (let i = start; i < end; i++) {
      const row = rows[i]!;
      sums[target.classes[row]!]! += weights[row]!;
      total += weights[row]!;
    }
    return total;
  }
  for (let i = start; i < end; i++) {
    const row = rows[i]!;
    const w = weights[row]!;
    const y = target.values[row]!;
    total += w;
    sums[1]! += w * y;
    sums[2]! += w * y * y;
  }
  sums[0] = total;
  return total;
}

function writeValue(builder: Builder, node: number, target: TreeTarget, sums: Float64Array, total: number): void {
  if (target.kind === 'classification') {
    for (let k = 0; k < target.classCount; k++) builder.value[node * target.classCount + k] = total > 0 ? sums[k]! / total : 0;
  } else {
    builder.value[node] = total > 0 ? sums[1]! / total : 0;
  }
}

function isPure(target: TreeTarget, sums: Float64Array, total: number): boolean {
  if (target.kind === 'classification') {
    for (let k = 0; k < target.classCount; k++) if (sums[k] === total) return true;
    return false;
  }
  return sums[2]! - (sums[1]! * sums[1]!) / total <= 1e-12 * Math.max(1, sums[2]!);
}

function bestSplit(data: BinnedMatrix, target: TreeTarget, rows: Int32Array, weights: Float64Array, start: number, end: number, params: TreeParams, random: Random, scratch: Scratch): Split | undefined {
  const parentScore = nodeScore(target, scratch.sums);
  let best: Split | undefined;
  const features = scratch.features;
  const draws = Math.min(params.maxFeatures, features.length);
  for (let d = 0; d < draws; d++) {
    // Partial Fisher-Yates: the first d slots hold the features drawn so far at this node.
    const pick = d + Math.floor(random.next() * (features.length - d));
    const feature = features[pick]!;
    features[pick] = features[d]!;
    features[d] = feature;
    const found = target.kind === 'classification'
      ? scanClassification(data, target, rows, weights, start, end, feature, params, scratch)
      : scanRegression(data, target, rows, weights, start, end, feature, params, scratch);
    if (found !== undefined && found.score > parentScore + 1e-12 * Math.abs(parentScore) && (best === undefined || found.score > best.score)) best = found;
  }
  return best;
}

/**
 * The unsplit node's score on the scale of a split's: sum of squared class weights over the weight
 * (one minus Gini, times the weight), or squared target sum over the weight.
 */
function nodeScore(target: TreeTarget, sums: Float64Array): number {
  if (target.kind === 'regression') return (sums[1]! * sums[1]!) / sums[0]!;
  let squares = 0;
  let total = 0;
  for (let k = 0; k < target.classCount; k++) {
    squares += sums[k]! * sums[k]!;
    total += sums[k]!;
  }
  return squares / total;
}

function scanClassification(data: BinnedMatrix, target: Extract<TreeTarget, { kind: 'classification' }>, rows: Int32Array, weights: Float64Array, start: number, end: number, feature: number, params: TreeParams, scratch: Scratch): Split | undefined {
  const k = target.classCount;
  const width = data.featureCount;
  const bins = data.bins;
  const histogram = scratch.histogram;
  let low = 255;
  let high = 0;
  for (let i = start; i < end; i++) {
    const row = rows[i]!;
    const bin = bins[row * width + feature]!;
    histogram[bin * k + target.classes[row]!]! += weights[row]!;
    if (bin < low) low = bin;
    if (bin > high) high = bin;
  }
  const left = scratch.left.fill(0, 0, k);
  const totals = scratch.sums;
  let total = 0;
  for (let c = 0; c < k; c++) total += totals[c]!;
  let leftWeight = 0;
  let best: Split | undefined;
  for (let bin = low; bin < high; bin++) {
    for (let c = 0; c < k; c++) {
      const w = histogram[bin * k + c]!;
      left[c]! += w;
      leftWeight += w;
    }
    const rightWeight = total - leftWeight;
    if (leftWeight < params.minSamplesLeaf || rightWeight < params.minSamplesLeaf || leftWeight === 0 || rightWeight === 0) continue;
    let leftSquares = 0;
    let rightSquares = 0;
    for (let c = 0; c < k; c++) {
      leftSquares += left[c]! * left[c]!;
      const right = totals[c]! - left[c]!;
      rightSquares += right * right;
    }
    const value = leftSquares / leftWeight + rightSquares / rightWeight;
    if (best === undefined || value > best.score) best = { feature, bin, score: value };
  }
  histogram.fill(0, low * k, (high + 1) * k);
  return best;
}

function scanRegression(data: BinnedMatrix, target: Extract<TreeTarget, { kind: 'regression' }>, rows: Int32Array, weights: Float64Array, start: number, end: number, feature: number, params: TreeParams, scratch: Scratch): Split | undefined {
  const width = data.featureCount;
  const bins = data.bins;
  const histogram = scratch.histogram;
  let low = 255;
  let high = 0;
  for (let i = start; i < end; i++) {
    const row = rows[i]!;
    const bin = bins[row * width + feature]!;
    const w = weights[row]!;
    histogram[2 * bin]! += w;
    histogram[2 * bin + 1]! += w * target.values[row]!;
    if (bin < low) low = bin;
    if (bin > high) high = bin;
  }
  const totalWeight = scratch.sums[0]!;
  const totalSum = scratch.sums[1]!;
  let leftWeight = 0;
  let leftSum = 0;
  let best: Split | undefined;
  for (let bin = low; bin < high; bin++) {
    leftWeight += histogram[2 * bin]!;
    leftSum += histogram[2 * bin + 1]!;
    const rightWeight = totalWeight - leftWeight;
    if (leftWeight < params.minSamplesLeaf || rightWeight < params.minSamplesLeaf || leftWeight === 0 || rightWeight === 0) continue;
    const rightSum = totalSum - leftSum;
    const value = (leftSum * leftSum) / leftWeight + (rightSum * rightSum) / rightWeight;
    if (best === undefined || value > best.score) best = { feature, bin, score: value };
  }
  histogram.fill(0, 2 * low, 2 * (high + 1));
  return best;
}

/** Moves the rows going left to the front of [start, end) and returns the boundary. */
function partition(data: BinnedMatrix, rows: Int32Array, start: number, end: number, split: Split): number {
  const width = data.featureCount;
  let i = start;
  let j = end - 1;
  while (i <= j) {
    if (data.bins[rows[i]! * width + split.feature]! <= split.bin) {
      i++;
    } else {
      const swap = rows[i]!;
      rows[i] = rows[j]!;
      rows[j] = swap;
      j--;
    }
  }
  return i;
}

function finish(builder: Builder, data: BinnedMatrix, outputs: number): Tree {
  const feature = Int32Array.from(builder.feature);
  const thresholdBin = Uint8Array.from(builder.thresholdBin);
  const threshold = new Float64Array(feature.length);
  for (let i = 0; i < feature.length; i++) {
    if (feature[i]! < 0) continue;
    const bin = thresholdBin[i]!;
    // Bin 0 holds only missing values: "<= threshold" must then be false for every number.
    threshold[i] = bin === 0 ? -Number.MAX_VALUE : data.edges[feature[i]!]![bin - 1]!;
    if (bin > binCount(data, feature[i]!) - 2) throw new Error(`internal: split bin ${bin} past the last edge`);
  }
  return { feature, threshold, thresholdBin, left: Int32Array.from(builder.left), value: Float32Array.from(builder.value), outputs };
}
