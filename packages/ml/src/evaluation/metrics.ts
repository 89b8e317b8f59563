/** Scores of a three-class direction forecast. */
export interface ClassificationMetrics {
  /** Rows scored. */
  rows: number;
  /** Share of rows whose predicted class is the true class. */
  accuracy: number;
  /** Mean recall over the classes present in the truth (chance level = 1 / classes, whatever the imbalance). */
  balancedAccuracy: number;
  /** Unweighted mean F1 over the classes present in the truth or the predictions. */
  macroF1: number;
  /** Mean over rows of the summed squared error of the class probabilities (0 best, 2 worst). */
  brier: number;
}

/** Confusion matrix `[true][predicted]`. */
export function confusionMatrix(truth: ArrayLike<number>, predicted: ArrayLike<number>, classes = 3): number[][] {
  const matrix = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < truth.length; i++) matrix[truth[i]!]![predicted[i]!]! += 1;
  return matrix;
}

/** Index of the largest of `count` values starting at `offset` (first wins ties). */
export function argmax(values: ArrayLike<number>, offset: number, count: number): number {
  let best = 0;
  for (let k = 1; k < count; k++) if (values[offset + k]! > values[offset + best]!) best = k;
  return best;
}

/**
 * Scores class probabilities (`rows * classes`, row-major) against true class ids.
 * @example classificationMetrics(truth, probabilities, 3).balancedAccuracy;
 */
export function classificationMetrics(truth: ArrayLike<number>, probabilities: ArrayLike<number>, classes = 3): ClassificationMetrics {
  const rows = truth.length;
  const predicted = Array.from({ length: rows }, (_, i) => argmax(probabilities, i * classes, classes));
  const matrix = confusionMatrix(truth, predicted, classes);
  let brier = 0;
  for (let i = 0; i < rows; i++) {
    for (let k = 0; k < classes; k++) {
      const error = probabilities[i * classes + k]! - (truth[i] === k ? 1 : 0);
      brier += error * error;
    }
  }
  return { rows, accuracy: accuracyOf(matrix, rows), balancedAccuracy: balancedAccuracyOf(matrix), macroF1: macroF1Of(matrix), brier: rows > 0 ? brier / rows : Number.NaN };
}

/** One-hot probabilities for hard class forecasts. */
export function oneHot(predicted: ArrayLike<number>, classes = 3): Float64Array {
  const out = new Float64Array(predicted.length * classes);
  for (let i = 0; i < predicted.length; i++) out[i * classes + predicted[i]!] = 1;
  return out;
}

function accuracyOf(matrix: number[][], rows: number): number {
  let correct = 0;
  matrix.forEach((row, k) => (correct += row[k]!));
  return rows > 0 ? correct / rows : Number.NaN;
}

function balancedAccuracyOf(matrix: number[][]): number {
  const recalls: number[] = [];
  matrix.forEach((row, k) => {
    const support = row.reduce((sum, value) => sum + value, 0);
    if (support > 0) recalls.push(row[k]! / support);
  });
  return recalls.length > 0 ? recalls.reduce((sum, value) => sum + value, 0) / recalls.length : Number.NaN;
}

function macroF1Of(matrix: number[][]): number {
  const scores: number[] = [];
  matrix.forEach((row, k) => {
    const support = row.reduce((sum, value) => sum + value, 0);
    const predicted = matrix.reduce((sum, other) => sum + other[k]!, 0);
    if (support === 0 && predicted === 0) return;
    scores.push(support + predicted > 0 ? (2 * row[k]!) / (support + predicted) : 0);
  });
  return scores.length > 0 ? scores.reduce((sum, value) => sum + value, 0) / scores.length : Number.NaN;
}

/** Mean absolute error. */
export function meanAbsoluteError(truth: ArrayLike<number>, predicted: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < truth.length; i++) sum += Math.abs(truth[i]! - predicted[i]!);
  return truth.length > 0 ? sum / truth.length : Number.NaN;
}

/** Pearson correlation (NaN when either side is constant). */
export function correlation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  let meanA = 0;
  let meanB = 0;
  for (let i = 0; i < n; i++) {
    meanA += a[i]! / n;
    meanB += b[i]! / n;
  }
  let cov = 0;
  let varA = 0;
  let varB = 0;
  for (let i = 0; i < n; i++) {
    cov += (a[i]! - meanA) * (b[i]! - meanB);
    varA += (a[i]! - meanA) ** 2;
    varB += (b[i]! - meanB) ** 2;
  }
  return varA > 0 && varB > 0 ? cov / Math.sqrt(varA * varB) : Number.NaN;
}
