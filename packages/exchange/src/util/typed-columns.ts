/** A typed-array column the backtest and the paper exchange keep their numbers in. */
export type Column = Float64Array | Int32Array | Uint8Array;

/** A copy of `column` with room for `capacity` values (the columns grow by doubling, rarely). */
export function grown<T extends Column>(column: T, capacity: number): T {
  const larger = new (column.constructor as new (length: number) => T)(capacity);
  larger.set(column);
  return larger;
}
