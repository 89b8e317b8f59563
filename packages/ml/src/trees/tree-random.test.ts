import { createRandom } from '@ia-agents/core';
import { describe, expect, it } from 'vitest';
import { createTreeRandom, treeSeed } from './tree-random.js';

describe('createTreeRandom', () => {
  it("gives exactly core's createRandom sequence, so models trained before and after the copy are the same", () => {
    for (const seed of [0, 1, -7, 123_456_789, treeSeed(1, 0), treeSeed(42, 99)]) {
      const ours = createTreeRandom(seed);
      const core = createRandom(seed);
      for (let i = 0; i < 1000; i++) expect(ours.next()).toBe(core.next());
    }
  });
});
