import { createRandom } from '@ia-agents/core';

/**
 * A three-class problem with a known, non-linear rule and 10 % label noise, so a good forest
 * scores about 85-90 % and a broken one is obvious. Tests and benchmarks only.
 */
export function syntheticClassification(rows: number, features: number, seed: number): { values: Float64Array; labels: Uint8Array; matrix: number[][] } {
  const random = createRandom(seed);
  const values = new Float64Array(rows * features);
  const labels = new Uint8Array(rows);
  const matrix: number[][] = [];
  for (let r = 0; r < rows; r++) {
    const row = Array.from({ length: features }, () => random.next() * 2 - 1);
    values.set(row, r * features);
    matrix.push(row);
    const score = row[0]! * row[1]! + 0.5 * row[2]! + 0.3 * Math.sin(3 * row[3]!);
    const clean = score > 0.1 ? 2 : score < -0.1 ? 0 : 1;
    labels[r] = random.next() < 0.1 ? Math.floor(random.next() * 3) : clean;
  }
  return { values, labels, matrix };
}
