import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RingBuffer } from './ring-buffer.js';

describe('RingBuffer', () => {
  it('keeps the last `capacity` items, oldest first, whatever the number pushed', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.array(fc.integer(), { maxLength: 60 }), (capacity, items) => {
        const ring = new RingBuffer<number>(capacity);
        for (const item of items) ring.push(item);
        const expected = items.slice(-capacity);
        expect(ring.toArray()).toEqual(expected);
        expect(ring.size).toBe(expected.length);
        expect(ring.last()).toBe(items.at(-1));
      }),
    );
  });

  it('hands out copies: changing one changes neither the ring nor the next copy', () => {
    const ring = new RingBuffer<number>(3);
    for (const item of [1, 2, 3, 4]) ring.push(item);
    const copy = ring.toArray();
    copy[0] = 99;
    expect(ring.toArray()).toEqual([2, 3, 4]);
    ring.clear();
    expect(ring.size).toBe(0);
    expect(ring.last()).toBeUndefined();
    expect(ring.toArray()).toEqual([]);
  });

  it('refuses a capacity that is not a positive integer', () => {
    expect(() => new RingBuffer(0)).toThrow('positive integer, got 0');
    expect(() => new RingBuffer(2.5)).toThrow('got 2.5');
  });
});
