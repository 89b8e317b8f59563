import type { TrainingSet } from './training-set.js';

/** Extra inputs of the confidence model besides the features: the direction probabilities and their margin. */
const EXTRA = 4;

/** The confidence model's input for a feature row and its direction probabilities (down, flat, up). */
export function confidenceInputs(row: ArrayLike<number>, probabilities: ArrayLike<number>, out: Float64Array = new Float64Array(row.length + EXTRA)): Float64Array {
  const width = row.length;
  for (let j = 0; j < width; j++) out[j] = row[j]!;
  writeProbabilities(out, width, probabilities, 0);
  return out;
}

function writeProbabilities(out: Float64Array, at: number, probabilities: ArrayLike<number>, from: number): void {
  const down = probabilities[from]!;
  const flat = probabilities[from + 1]!;
  const up = probabilities[from + 2]!;
  const largest = Math.max(down, flat, up);
  const middle = down + flat + up - largest - Math.min(down, flat, up);
  out[at] = down;
  out[at + 1] = flat;
  out[at + 2] = up;
  out[at + 3] = largest - middle;
}

/**
 * Training rows of the confidence model: for every row that some tree left out of its bootstrap,
 * the features, the out-of-bag direction probabilities, and whether their argmax was the true
 * class. Out-of-bag predictions behave like predictions on unseen rows, so the model learns how
 * often the forest is right on new data, not on data it memorised.
 */
export function confidenceTrainingData(set: TrainingSet, outOfBag: Float64Array): { values: Float64Array; rowCount: number; width: number; labels: Uint8Array } {
  const featureCount = set.features.names.length;
  const width = featureCount + EXTRA;
  const rows: number[] = [];
  for (let r = 0; r < set.features.rowCount; r++) if (!Number.isNaN(outOfBag[r * 3]!)) rows.push(r);
  const values = new Float64Array(rows.length * width);
  const labels = new Uint8Array(rows.length);
  rows.forEach((r, i) => {
    values.set(set.features.values.subarray(r * featureCount, (r + 1) * featureCount), i * width);
    writeProbabilities(values, i * width + featureCount, outOfBag, r * 3);
    let best = 0;
    for (let k = 1; k < 3; k++) if (outOfBag[r * 3 + k]! > outOfBag[r * 3 + best]!) best = k;
    labels[i] = best === set.direction[r] ? 1 : 0;
  });
  return { values, rowCount: rows.length, width, labels };
}
