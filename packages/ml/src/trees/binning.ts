import type { FeatureMatrix } from '../features/feature-matrix.js';

/**
 * Features quantised to at most 255 value bins per feature (plus bin 0 for missing values), stored
 * row-major in one byte each: 20 features x 40,000 rows is 800 kB, which stays in cache while a
 * tree is grown, and a split search adds weights into a 256-slot histogram instead of sorting.
 */
export interface BinnedMatrix {
  /** Row-major bin ids: `bins[row * featureCount + feature]`; 0 = missing (NaN). */
  readonly bins: Uint8Array;
  /** Number of rows. */
  readonly rowCount: number;
  /** Number of features. */
  readonly featureCount: number;
  /**
   * Per feature, the ascending upper edges of bins 1..B-1: a value v falls in bin
   * `1 + (number of edges < v)`, so "bin <= t" is the same test as "v <= edges[t - 1]".
   */
  readonly edges: readonly Float64Array[];
}

/** Number of bins of feature `feature`, the missing bin included. */
export function binCount(matrix: BinnedMatrix, feature: number): number {
  return matrix.edges[feature]!.length + 2;
}

/** Ascending distinct cut points at (roughly) equal-frequency quantiles of the non-missing values. */
export function quantileEdges(values: Float64Array, maxBins: number): Float64Array {
  const present = values.filter((value) => !Number.isNaN(value)).sort();
  const edges: number[] = [];
  const distinct: number[] = [];
  for (let i = 0; i < present.length && distinct.length <= maxBins; i++) {
    if (i === 0 || present[i] !== present[i - 1]) distinct.push(present[i]!);
  }
  if (distinct.length <= maxBins) {
    // Few distinct values: one bin each; the edge is the value itself (v <= edge goes left).
    for (let i = 0; i < distinct.length - 1; i++) edges.push(distinct[i]!);
    return Float64Array.from(edges);
  }
  for (let k = 1; k < maxBins; k++) {
    const cut = present[Math.floor((k * present.length) / maxBins) - 1]!;
    if (edges.length === 0 || cut > edges[edges.length - 1]!) edges.push(cut);
  }
  // The largest value must not be an edge, or the top bin would be empty.
  if (edges.length > 0 && edges[edges.length - 1]! >= present[present.length - 1]!) edges.pop();
  return Float64Array.from(edges);
}

/** Bin of one value given a feature's edges (binary search). */
export function binOf(edges: Float64Array, value: number): number {
  if (Number.isNaN(value)) return 0;
  let low = 0;
  let high = edges.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (edges[middle]! < value) low = middle + 1;
    else high = middle;
  }
  return low + 1;
}

/** Learns bin edges from `matrix` (at most `maxBins` value bins per feature) and bins its rows. */
export function binMatrix(matrix: Pick<FeatureMatrix, 'values' | 'rowCount' | 'names'>, maxBins = 255): BinnedMatrix {
  if (maxBins < 2 || maxBins > 255) throw new RangeError(`maxBins must be in [2, 255], received ${maxBins}`);
  const width = matrix.names.length;
  const edges: Float64Array[] = [];
  const column = new Float64Array(matrix.rowCount);
  for (let j = 0; j < width; j++) {
    for (let r = 0; r < matrix.rowCount; r++) column[r] = matrix.values[r * width + j]!;
    edges.push(quantileEdges(column, maxBins));
  }
  return applyBins(matrix, edges);
}

/** Bins rows with edges learnt elsewhere (for example on a training window). */
export function applyBins(matrix: Pick<FeatureMatrix, 'values' | 'rowCount' | 'names'>, edges: readonly Float64Array[]): BinnedMatrix {
  const width = matrix.names.length;
  const bins = new Uint8Array(matrix.rowCount * width);
  for (let r = 0; r < matrix.rowCount; r++) {
    for (let j = 0; j < width; j++) bins[r * width + j] = binOf(edges[j]!, matrix.values[r * width + j]!);
  }
  return { bins, rowCount: matrix.rowCount, featureCount: width, edges };
}
