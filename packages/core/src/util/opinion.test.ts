import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { opinionSchema, parseOpinion } from '../index.js';

const evidence = fc.record(
  {
    name: fc.constantFrom('rsi_14', ''),
    value: fc.oneof(fc.double(), fc.constantFrom(Number.POSITIVE_INFINITY, Number.NaN), fc.string(), fc.boolean(), fc.constant(null), fc.constant(undefined)),
    stance: fc.constantFrom('bullish', 'bearish', 'neutral', 'sideways'),
    weight: fc.oneof(fc.constant(undefined), fc.double({ min: -0.5, max: 1.5 })),
    detail: fc.oneof(fc.constant(undefined), fc.string(), fc.constant(3)),
  },
  { requiredKeys: ['name', 'stance'] },
);
const opinion = fc.record(
  {
    assistantId: fc.constantFrom('technical-analyst', ''),
    action: fc.constantFrom('BUY', 'SELL', 'HOLD', 'WAIT'),
    confidence: fc.oneof(fc.double({ min: -0.5, max: 1.5 }), fc.constant(Number.NaN)),
    reasoning: fc.oneof(fc.string(), fc.constant(7)),
    evidence: fc.oneof(fc.constant(undefined), fc.array(evidence, { maxLength: 3 })),
    veto: fc.oneof(fc.constant(undefined), fc.constantFrom('too risky', '')),
    vetoActions: fc.oneof(fc.constant(undefined), fc.constant(['BUY'])),
    abstain: fc.oneof(fc.constant(undefined), fc.boolean(), fc.constant('yes')),
    alert: fc.oneof(fc.constant(undefined), fc.boolean()),
    plan: fc.oneof(fc.constant(undefined), fc.constant({ sizeFraction: 0.1 })),
    extra: fc.oneof(fc.constant(undefined), fc.constant(1)),
  },
  { requiredKeys: ['assistantId', 'action', 'confidence', 'reasoning'] },
);

describe('parseOpinion', () => {
  it('gives exactly what opinionSchema gives, or fails where it fails (property)', () => {
    fc.assert(
      fc.property(opinion, (input) => {
        const expected = opinionSchema.safeParse(input);
        if (expected.success) expect(parseOpinion(input)).toEqual(expected.data);
        else expect(() => parseOpinion(input)).toThrow(/Invalid opinion/);
      }),
      { numRuns: 4000 },
    );
  });
});
