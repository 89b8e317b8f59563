import { Matrix } from 'ml-matrix';
import LogisticRegressionReference from 'ml-logistic-regression';
import { createRandom } from '@ia-agents/core';
import { describe, expect, it } from 'vitest';
import { LogisticRegression } from './logistic-regression.js';

function data(rows: number, seed: number): { values: Float64Array; labels: Uint8Array } {
  const random = createRandom(seed);
  const values = new Float64Array(rows * 3);
  const labels = new Uint8Array(rows);
  for (let r = 0; r < rows; r++) {
    const x = [random.next() * 4 - 2, random.next() * 10, random.next()];
    values.set(x, r * 3);
    const p = 1 / (1 + Math.exp(-(1.5 * x[0]! - 0.3 * (x[1]! - 5) + 0.2)));
    labels[r] = random.next() < p ? 1 : 0;
  }
  return { values, labels };
}

describe('LogisticRegression', () => {
  const train = data(4000, 1);

  it('reaches the penalised optimum: the gradient vanishes at the fitted weights', () => {
    const model = LogisticRegression.train(train.values, 4000, 3, train.labels, { l2: 1 });
    const json = model.toJSON();
    const gradient = [0, 0, 0, 0];
    for (let r = 0; r < 4000; r++) {
      const residual = model.predictProbability(train.values, r * 3) - train.labels[r]!;
      for (let j = 0; j < 3; j++) gradient[j]! += residual * ((train.values[r * 3 + j]! - json.means[j]!) / json.scales[j]!);
      gradient[3]! += residual;
    }
    json.weights.forEach((w, j) => (gradient[j]! += w));
    for (const g of gradient) expect(Math.abs(g)).toBeLessThan(1e-6);
    expect(json.iterations).toBeLessThan(15);
  });

  it('recovers the true effect signs and predicts as well as ml-logistic-regression', () => {
    const model = LogisticRegression.train(train.values, 4000, 3, train.labels);
    const [w0, w1, w2] = model.toJSON().weights;
    expect(w0).toBeGreaterThan(1);
    expect(w1).toBeLessThan(-0.5);
    expect(Math.abs(w2!)).toBeLessThan(0.15);
    const test = data(3000, 2);
    const rows = Array.from({ length: 3000 }, (_, r) => Array.from(test.values.subarray(r * 3, r * 3 + 3)));
    const reference = new LogisticRegressionReference({ numSteps: 1000, learningRate: 5e-3 });
    reference.train(new Matrix(Array.from({ length: 4000 }, (_, r) => Array.from(train.values.subarray(r * 3, r * 3 + 3)))), Matrix.columnVector(Array.from(train.labels)));
    const theirs = reference.predict(new Matrix(rows));
    const ours = model.predictRows(test.values, 3000);
    const score = (predicted: ArrayLike<number>) => Array.from(predicted).filter((label, r) => label === test.labels[r]).length / 3000;
    expect(score(Array.from(ours, (p) => (p >= 0.5 ? 1 : 0)))).toBeGreaterThanOrEqual(score(theirs) - 0.01);
  });

  it('treats a missing value as the training mean', () => {
    const model = LogisticRegression.train(train.values, 4000, 3, train.labels);
    const { means } = model.toJSON();
    expect(model.predictProbability([Number.NaN, 3, 0.5])).toBeCloseTo(model.predictProbability([means[0]!, 3, 0.5]), 12);
  });

  it('round-trips through JSON', () => {
    const model = LogisticRegression.train(train.values, 4000, 3, train.labels);
    const loaded = LogisticRegression.fromJSON(JSON.parse(JSON.stringify(model)) as ReturnType<LogisticRegression['toJSON']>);
    expect(loaded.predictProbability([0.3, 2, 0.1])).toBe(model.predictProbability([0.3, 2, 0.1]));
  });
});
