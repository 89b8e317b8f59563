/**
 * Rows of features, row-major: the value of feature `j` in row `r` is `values[r * names.length + j]`.
 * A NaN is a missing value (for example no news in the window); it is never replaced by a made-up number.
 */
export interface FeatureMatrix {
  /** Feature names, in column order. */
  readonly names: readonly string[];
  /** Number of rows. */
  readonly rowCount: number;
  /** Row-major values, `rowCount * names.length` long. */
  readonly values: Float64Array;
  /** For each row, the index of its candle in the input. */
  readonly candleIndex: Int32Array;
  /** For each row, the open time of its candle (UTC milliseconds). */
  readonly timestamps: Float64Array;
}

/** Copies row `row` of a matrix into a new array. */
export function featureRow(matrix: FeatureMatrix, row: number): Float64Array {
  const width = matrix.names.length;
  return matrix.values.slice(row * width, (row + 1) * width);
}

/** Selects rows by index (in the order given) into a new matrix. */
export function selectRows(matrix: FeatureMatrix, rows: ArrayLike<number>): FeatureMatrix {
  const width = matrix.names.length;
  const values = new Float64Array(rows.length * width);
  const candleIndex = new Int32Array(rows.length);
  const timestamps = new Float64Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    values.set(matrix.values.subarray(row * width, (row + 1) * width), i * width);
    candleIndex[i] = matrix.candleIndex[row]!;
    timestamps[i] = matrix.timestamps[row]!;
  }
  return { names: matrix.names, rowCount: rows.length, values, candleIndex, timestamps };
}
