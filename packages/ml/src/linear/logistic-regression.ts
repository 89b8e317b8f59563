import { ConfigError, IaAgentsError } from '@ia-agents/core';
import { z } from 'zod';

/** Options of a logistic regression. */
export const logisticRegressionOptionsSchema = z.object({
  /** L2 penalty on the standardised weights (scikit-learn's 1/C; the intercept is not penalised). */
  l2: z.number().nonnegative().default(1),
  /** Newton iterations at most. */
  maxIterations: z.number().int().positive().default(50),
  /** Stop when no weight moves more than this in an iteration. */
  tolerance: z.number().positive().default(1e-8),
});

/** Options of {@link LogisticRegression.train}. */
export type LogisticRegressionOptions = z.input<typeof logisticRegressionOptionsSchema>;

/** A saved logistic regression. */
export const logisticRegressionJsonSchema = z.object({
  /** Feature means used to standardise. */
  means: z.array(z.number()),
  /** Feature scales used to standardise. */
  scales: z.array(z.number().positive()),
  /** Weights of the standardised features. */
  weights: z.array(z.number()),
  /** Intercept. */
  bias: z.number(),
  /** Newton iterations it took. */
  iterations: z.number().int().nonnegative(),
});

/** A saved logistic regression, as JSON. */
export type LogisticRegressionJson = z.infer<typeof logisticRegressionJsonSchema>;

const sigmoid = (z: number): number => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));

/**
 * Binary logistic regression on standardised features, fitted by Newton's method (iteratively
 * reweighted least squares) with an L2 penalty: it converges in a handful of iterations where plain
 * gradient descent needs thousands. A missing value (NaN) counts as the feature's training mean,
 * i.e. 0 after standardisation, so it contributes nothing; pair such features with a missing flag.
 */
export class LogisticRegression {
  private constructor(
    private readonly means: Float64Array,
    private readonly scales: Float64Array,
    private readonly weights: Float64Array,
    private readonly bias: number,
    /** Newton iterations the fit took. */
    readonly iterations: number,
  ) {}

  /** Number of features a row must have. */
  get featureCount(): number {
    return this.weights.length;
  }

  /**
   * Fits on row-major `values` (`rowCount * featureCount`) and 0/1 `labels`.
   * @example const model = LogisticRegression.train(values, rows, features, labels, { l2: 1 });
   */
  static train(values: Float64Array, rowCount: number, featureCount: number, labels: Uint8Array, options: LogisticRegressionOptions = {}): LogisticRegression {
    const parsed = logisticRegressionOptionsSchema.safeParse(options);
    if (!parsed.success) throw new ConfigError('logistic regression options', parsed.error.issues.map((issue) => ({ path: issue.path as (string | number)[], message: issue.message })));
    if (rowCount === 0) throw new ConfigError('logistic regression data', [{ path: ['rowCount'], message: 'expected at least one row' }]);
    const { means, scales } = standardisation(values, rowCount, featureCount);
    const x = standardise(values, rowCount, featureCount, means, scales);
    const { weights, iterations } = newton(x, rowCount, featureCount, labels, parsed.data);
    return new LogisticRegression(means, scales, weights.subarray(0, featureCount).slice(), weights[featureCount]!, iterations);
  }

  /** Probability of label 1 for the row at `offset` of `values`. */
  predictProbability(values: ArrayLike<number>, offset = 0): number {
    let z = this.bias;
    for (let j = 0; j < this.weights.length; j++) {
      const value = (values[offset + j]! - this.means[j]!) / this.scales[j]!;
      if (!Number.isNaN(value)) z += this.weights[j]! * value;
    }
    return sigmoid(z);
  }

  /** Probabilities of label 1 for `rowCount` row-major rows. */
  predictRows(values: Float64Array, rowCount: number): Float64Array {
    const out = new Float64Array(rowCount);
    for (let r = 0; r < rowCount; r++) out[r] = this.predictProbability(values, r * this.featureCount);
    return out;
  }

  /** Serialisable form. */
  toJSON(): LogisticRegressionJson {
    return { means: [...this.means], scales: [...this.scales], weights: [...this.weights], bias: this.bias, iterations: this.iterations };
  }

  /** Rebuilds a saved model; throws MODEL_FORMAT_INVALID when its arrays disagree. */
  static fromJSON(json: LogisticRegressionJson): LogisticRegression {
    if (json.means.length !== json.weights.length || json.scales.length !== json.weights.length) {
      throw new IaAgentsError('MODEL_FORMAT_INVALID', `Invalid saved logistic regression: ${json.weights.length} weights, ${json.means.length} means, ${json.scales.length} scales`);
    }
    return new LogisticRegression(Float64Array.from(json.means), Float64Array.from(json.scales), Float64Array.from(json.weights), json.bias, json.iterations);
  }
}

function standardisation(values: Float64Array, rowCount: number, featureCount: number): { means: Float64Array; scales: Float64Array } {
  const means = new Float64Array(featureCount);
  const scales = new Float64Array(featureCount);
  for (let j = 0; j < featureCount; j++) {
    let sum = 0;
    let sumSquares = 0;
    let count = 0;
    for (let r = 0; r < rowCount; r++) {
      const value = values[r * featureCount + j]!;
      if (Number.isNaN(value)) continue;
      sum += value;
      sumSquares += value * value;
      count++;
    }
    const mean = count > 0 ? sum / count : 0;
    const variance = count > 0 ? sumSquares / count - mean * mean : 0;
    means[j] = mean;
    // A constant feature keeps scale 1: its standardised value is 0 and its weight stays 0.
    scales[j] = variance > 1e-24 ? Math.sqrt(variance) : 1;
  }
  return { means, scales };
}

/** Standardised rows with a trailing 1 for the intercept; NaN becomes 0 (the mean). */
function standardise(values: Float64Array, rowCount: number, featureCount: number, means: Float64Array, scales: Float64Array): Float64Array {
  const width = featureCount + 1;
  const x = new Float64Array(rowCount * width);
  for (let r = 0; r < rowCount; r++) {
    for (let j = 0; j < featureCount; j++) {
      const value = (values[r * featureCount + j]! - means[j]!) / scales[j]!;
      x[r * width + j] = Number.isNaN(value) ? 0 : value;
    }
    x[r * width + featureCount] = 1;
  }
  return x;
}

function newton(x: Float64Array, rowCount: number, featureCount: number, labels: Uint8Array, options: z.output<typeof logisticRegressionOptionsSchema>): { weights: Float64Array; iterations: number } {
  const width = featureCount + 1;
  const weights = new Float64Array(width);
  const gradient = new Float64Array(width);
  const hessian = new Float64Array(width * width);
  let iteration = 0;
  while (iteration < options.maxIterations) {
    iteration++;
    gradient.fill(0);
    hessian.fill(0);
    for (let r = 0; r < rowCount; r++) {
      const offset = r * width;
      let z = 0;
      for (let j = 0; j < width; j++) z += weights[j]! * x[offset + j]!;
      const p = sigmoid(z);
      const residual = p - labels[r]!;
      const curvature = Math.max(p * (1 - p), 1e-12);
      for (let j = 0; j < width; j++) {
        const xj = x[offset + j]!;
        gradient[j]! += residual * xj;
        const scaled = curvature * xj;
        // Lower triangle only; the Hessian is symmetric.
        for (let k = 0; k <= j; k++) hessian[j * width + k]! += scaled * x[offset + k]!;
      }
    }
    for (let j = 0; j < featureCount; j++) {
      gradient[j]! += options.l2 * weights[j]!;
      hessian[j * width + j]! += options.l2;
    }
    hessian[featureCount * width + featureCount]! += 1e-9;
    const step = choleskySolve(hessian, gradient, width);
    let largest = 0;
    for (let j = 0; j < width; j++) {
      weights[j]! -= step[j]!;
      largest = Math.max(largest, Math.abs(step[j]!));
    }
    if (largest < options.tolerance) break;
  }
  return { weights, iterations: iteration };
}

/** Solves A x = b for a symmetric positive-definite A given by its lower triangle (row-major). */
function choleskySolve(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = a[i * n + j]!;
      for (let k = 0; k < j; k++) sum -= l[i * n + k]! * l[j * n + k]!;
      l[i * n + j] = i === j ? Math.sqrt(Math.max(sum, 1e-12)) : sum / l[j * n + j]!;
    }
  }
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let sum = b[i]!;
    for (let k = 0; k < i; k++) sum -= l[i * n + k]! * y[k]!;
    y[i] = sum / l[i * n + i]!;
  }
  const solution = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let sum = y[i]!;
    for (let k = i + 1; k < n; k++) sum -= l[k * n + i]! * solution[k]!;
    solution[i] = sum / l[i * n + i]!;
  }
  return solution;
}
