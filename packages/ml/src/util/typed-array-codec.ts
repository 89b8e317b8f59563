/** Typed arrays that a saved model holds. */
export type NumericArray = Int32Array | Float64Array | Float32Array | Uint8Array;

type NumericArrayConstructor<T extends NumericArray> = { new (buffer: ArrayBuffer, byteOffset?: number, length?: number): T; BYTES_PER_ELEMENT: number };

/**
 * Encodes a typed array as base64 of its little-endian bytes: a saved model stays a fraction of
 * the size of a JSON number list, and decoding is a copy instead of parsing millions of numbers.
 */
export function encodeTypedArray(array: NumericArray): string {
  return Buffer.from(array.buffer, array.byteOffset, array.byteLength).toString('base64');
}

/** Decodes {@link encodeTypedArray}'s output; undefined when the byte count does not fit the type. */
export function decodeTypedArray<T extends NumericArray>(text: string, type: NumericArrayConstructor<T>): T | undefined {
  const bytes = Buffer.from(text, 'base64');
  if (bytes.byteLength % type.BYTES_PER_ELEMENT !== 0) return undefined;
  // Copy into a fresh, aligned buffer: Buffer's pool offset may not be a multiple of 8.
  const buffer = new ArrayBuffer(bytes.byteLength);
  new Uint8Array(buffer).set(bytes);
  return new type(buffer, 0, bytes.byteLength / type.BYTES_PER_ELEMENT);
}
