import { RandomForestClassifier } from 'ml-random-forest';
import { describe, expect, it } from 'vitest';
import { syntheticClassification } from '../test-support/synthetic.js';
import { binMatrix } from './binning.js';
import { resolveForestParams } from './forest-params.js';
import { RandomForest } from './random-forest.js';
import { runTreeJob } from './tree-job.js';

const names = (count: number) => Array.from({ length: count }, (_, j) => `f${j}`);

function trainOurs(values: Float64Array, labels: Uint8Array, features: number, trees: number, extra: Parameters<typeof resolveForestParams>[0] = {}): RandomForest {
  const binned = binMatrix({ values, rowCount: labels.length, names: names(features) });
  const params = resolveForestParams({ trees, ...extra }, 'classification');
  const job = runTreeJob(binned, { kind: 'classification', classes: labels, classCount: 3 }, { forest: 'd', treeIndexes: Array.from({ length: trees }, (_, i) => i), params, outOfBag: false });
  return new RandomForest('classification', job.trees, features);
}

function accuracy(predict: (row: Float64Array) => number, values: Float64Array, labels: Uint8Array, features: number): number {
  let correct = 0;
  for (let r = 0; r < labels.length; r++) if (predict(values.subarray(r * features, (r + 1) * features)) === labels[r]) correct++;
  return correct / labels.length;
}

const argmax = (p: Float64Array) => (p[0]! >= p[1]! && p[0]! >= p[2]! ? 0 : p[1]! >= p[2]! ? 1 : 2);

describe('RandomForest (histogram CART)', () => {
  const train = syntheticClassification(3000, 8, 1);
  const test = syntheticClassification(4000, 8, 2);

  it('learns a non-linear rule: test accuracy near the 10 % noise ceiling', () => {
    const forest = trainOurs(train.values, train.labels, 8, 30, { maxFeatures: 'all' });
    const score = accuracy((row) => argmax(forest.predictRow(row)), test.values, test.labels, 8);
    // Majority class is about 45 %; the rule plus 10 % noise caps accuracy near 93 %.
    expect(score).toBeGreaterThan(0.77);
  });

  it('matches ml-random-forest (the reference) on the same data within about a point', () => {
    // Same algorithm on both sides: bagging + CART on all features, depth 10, 10 trees.
    const rows = 800;
    const ours = trainOurs(train.values.subarray(0, rows * 8), train.labels.subarray(0, rows), 8, 10, { maxFeatures: 'all', maxDepth: 10 });
    const reference = new RandomForestClassifier({ nEstimators: 10, maxFeatures: 1.0, replacement: true, useSampleBagging: true, noOOB: true, seed: 3, treeOptions: { maxDepth: 10 } });
    reference.train(train.matrix.slice(0, rows), Array.from(train.labels.subarray(0, rows)));
    const theirs = reference.predict(test.matrix);
    const referenceScore = theirs.filter((label, r) => label === test.labels[r]).length / test.labels.length;
    const ourScore = accuracy((row) => argmax(ours.predictRow(row)), test.values, test.labels, 8);
    expect(referenceScore).toBeGreaterThan(0.55);
    expect(ourScore).toBeGreaterThanOrEqual(referenceScore - 0.01);
  });

  it('is deterministic: the same seed gives the same trees, another seed different ones', () => {
    const a = trainOurs(train.values, train.labels, 8, 5, { seed: 4 });
    const b = trainOurs(train.values, train.labels, 8, 5, { seed: 4 });
    const c = trainOurs(train.values, train.labels, 8, 5, { seed: 5 });
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(JSON.stringify(a)).not.toBe(JSON.stringify(c));
  });

  it('sends missing values left, as bin 0 does in training', () => {
    const values = Float64Array.of(Number.NaN, Number.NaN, 1, 2, 3, 4);
    const labels = Uint8Array.of(0, 0, 2, 2, 2, 2);
    const forest = trainOurs(values, labels, 1, 1, { sampleFraction: 1, maxFeatures: 'all', seed: 1 });
    expect(argmax(forest.predictRow([Number.NaN]))).toBe(0);
    expect(argmax(forest.predictRow([2.5]))).toBe(2);
  });

  it('round-trips through JSON and refuses a corrupted tree with MODEL_FORMAT_INVALID', () => {
    const forest = trainOurs(train.values, train.labels, 8, 3);
    const json = JSON.parse(JSON.stringify(forest)) as ReturnType<RandomForest['toJSON']>;
    const loaded = RandomForest.fromJSON(json);
    expect(Array.from(loaded.predictRows(test.values, 200))).toEqual(Array.from(forest.predictRows(test.values, 200)));
    const broken = { ...json, trees: [{ ...json.trees[0]!, left: Buffer.from(Int32Array.of(5).buffer).toString('base64') }] };
    expect(() => RandomForest.fromJSON(broken)).toThrow(expect.objectContaining({ code: 'MODEL_FORMAT_INVALID' }));
  });

  it('regression: fits a smooth function far better than its mean', () => {
    const rows = 2000;
    const values = Float64Array.from({ length: rows }, (_, i) => (i / rows) * 6);
    const target = values.map((x) => Math.sin(x));
    const binned = binMatrix({ values, rowCount: rows, names: ['x'] });
    const job = runTreeJob(binned, { kind: 'regression', values: target }, { forest: 'm', treeIndexes: [0, 1, 2, 3, 4], params: resolveForestParams({ trees: 5, maxDepth: 8 }, 'regression'), outOfBag: false });
    const forest = new RandomForest('regression', job.trees, 1);
    const errors = Array.from(values, (x, i) => Math.abs(forest.predictRow([x])[0]! - target[i]!));
    expect(Math.max(...errors)).toBeLessThan(0.05);
  });
});
