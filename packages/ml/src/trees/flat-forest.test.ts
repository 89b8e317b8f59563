import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { syntheticClassification } from '../test-support/synthetic.js';
import { treeWalkPredict, treeWalkPredictRows } from '../test-support/tree-walk.js';
import { binMatrix } from './binning.js';
import { FlatForest } from './flat-forest.js';
import { resolveForestParams } from './forest-params.js';
import { RandomForest } from './random-forest.js';
import { runTreeJob } from './tree-job.js';
import type { TreeTarget } from './grow-tree.js';

const FEATURES = 6;
const names = Array.from({ length: FEATURES }, (_, j) => `f${j}`);
const data = syntheticClassification(1500, FEATURES, 11);
// Every 7th value of feature 2 missing, so trees learn a split that routes NaN.
for (let r = 0; r < 1500; r += 7) data.values[r * FEATURES + 2] = Number.NaN;
const binned = binMatrix({ values: data.values, rowCount: 1500, names });

function grow(target: TreeTarget, trees: number, maxDepth: number): RandomForest {
  const params = resolveForestParams({ trees, maxDepth, seed: 5 }, target.kind);
  const job = runTreeJob(binned, target, { forest: 'f', treeIndexes: Array.from({ length: trees }, (_, i) => i), params, outOfBag: false });
  return new RandomForest(target.kind, job.trees, FEATURES);
}

const classifier = grow({ kind: 'classification', classes: data.labels, classCount: 3 }, 25, 10);
const regressor = grow({ kind: 'regression', values: Float64Array.from(data.labels, (label, r) => label + 0.1 * data.values[r * FEATURES]!) }, 15, 8);
const twoClass = grow({ kind: 'classification', classes: data.labels.map((label) => (label === 2 ? 1 : 0)), classCount: 2 }, 9, 6);

/** Values that hit thresholds exactly, straddle them, are missing, infinite or far out of range. */
const value = fc.oneof(
  fc.double({ min: -1.5, max: 1.5, noNaN: true }),
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, -Number.MAX_VALUE, 0, 1e300, -1e300),
  fc.integer({ min: 0, max: 1499 }).map((r) => data.values[r * FEATURES + (r % FEATURES)]!),
);
const rows = fc.array(fc.array(value, { minLength: FEATURES, maxLength: FEATURES }), { minLength: 1, maxLength: 40 });

describe('FlatForest', () => {
  for (const [what, forest] of [['3-class classifier', classifier], ['regressor', regressor], ['2-class classifier', twoClass]] as const) {
    it(`predicts exactly what walking the trees one by one predicts (${what}, random rows)`, () => {
      fc.assert(fc.property(rows, (list) => {
        const values = Float64Array.from(list.flat());
        const expected = treeWalkPredictRows(forest.trees, values, list.length, FEATURES);
        // Batch and one-row paths, through the flat forest and through RandomForest (plain arrays too).
        expect(Array.from(forest.flat.predictRows(values, list.length))).toEqual(Array.from(expected));
        list.forEach((row, r) => {
          const want = Array.from(expected.subarray(r * forest.outputs, (r + 1) * forest.outputs));
          expect(Array.from(forest.flat.predictInto(values, r * FEATURES, new Float64Array(forest.outputs)))).toEqual(want);
          expect(Array.from(forest.predictRow(row))).toEqual(want);
        });
      }), { numRuns: 200 });
    });
  }

  it('matches the tree walk on every training row, in a batch and one row at a time', () => {
    const expected = treeWalkPredictRows(classifier.trees, data.values, 1500, FEATURES);
    expect(Array.from(classifier.predictRows(data.values, 1500))).toEqual(Array.from(expected));
    const one = new Float64Array(3);
    expect(Array.from(classifier.predictInto(data.values, 700 * FEATURES, one))).toEqual(Array.from(treeWalkPredict(classifier.trees, data.values, 700 * FEATURES, new Float64Array(3))));
  });

  it('packs every node in 16 bytes plus its three class values', () => {
    const nodes = classifier.trees.reduce((sum, tree) => sum + tree.feature.length, 0);
    const flat = FlatForest.fromTrees(classifier.trees, FEATURES);
    expect(flat.treeCount).toBe(25);
    expect(flat.byteLength).toBe(nodes * 16 + nodes * 3 * 8);
  });

  it('survives a JSON round trip with identical predictions', () => {
    const loaded = RandomForest.fromJSON(JSON.parse(JSON.stringify(regressor)) as ReturnType<RandomForest['toJSON']>);
    expect(Array.from(loaded.predictRows(data.values, 1500))).toEqual(Array.from(regressor.predictRows(data.values, 1500)));
  });
});
