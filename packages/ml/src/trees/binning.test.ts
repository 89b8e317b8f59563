import { describe, expect, it } from 'vitest';
import { binMatrix, binOf, quantileEdges } from './binning.js';

describe('binning', () => {
  it('gives each distinct value its own bin when there are few, and NaN bin 0', () => {
    const edges = quantileEdges(Float64Array.of(3, 1, 2, 2, Number.NaN, 1), 255);
    expect(Array.from(edges)).toEqual([1, 2]);
    expect([Number.NaN, 0.5, 1, 1.5, 2, 3, 9].map((v) => binOf(edges, v))).toEqual([0, 1, 1, 2, 2, 3, 3]);
  });

  it('makes equal-frequency bins when values outnumber bins, and "bin <= t" equals "value <= edge"', () => {
    const values = Float64Array.from({ length: 10_000 }, (_, i) => Math.sin(i) * 1000);
    const edges = quantileEdges(values, 16);
    expect(edges.length).toBe(15);
    const counts = new Array<number>(17).fill(0);
    for (const value of values) counts[binOf(edges, value)]! += 1;
    expect(counts[0]).toBe(0);
    for (const count of counts.slice(1)) expect(Math.abs(count - 625)).toBeLessThanOrEqual(2);
    for (const value of values.subarray(0, 500)) {
      for (let t = 1; t <= edges.length; t++) expect(binOf(edges, value) <= t).toBe(value <= edges[t - 1]!);
    }
  });

  it('bins a row-major matrix column by column', () => {
    const binned = binMatrix({ values: Float64Array.of(1, 10, 2, Number.NaN, 3, 30), rowCount: 3, names: ['a', 'b'] });
    expect(Array.from(binned.bins)).toEqual([1, 1, 2, 0, 3, 2]);
    expect(() => binMatrix({ values: new Float64Array(2), rowCount: 1, names: ['a', 'b'] }, 256)).toThrow(/maxBins/);
  });
});
