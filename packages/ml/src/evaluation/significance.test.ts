import { describe, expect, it } from 'vitest';
import { classificationMetrics, confusionMatrix, oneHot } from './metrics.js';
import { binomialTailPValue, logGamma, mcNemarTest } from './significance.js';

describe('significance', () => {
  it('logGamma matches factorials', () => {
    expect(logGamma(1)).toBeCloseTo(0, 12);
    expect(logGamma(11)).toBeCloseTo(Math.log(3628800), 10);
  });

  it('binomial tail: exact values', () => {
    // P(X >= 60 | n = 100, p = 0.5) = 0.028443966820490...
    expect(binomialTailPValue(60, 100, 0.5)).toBeCloseTo(0.02844396682049, 10);
    expect(binomialTailPValue(3, 3, 0.5)).toBeCloseTo(0.125, 12);
    expect(binomialTailPValue(0, 10, 0.3)).toBe(1);
  });

  it('McNemar counts only discordant rows', () => {
    const result = mcNemarTest([true, true, true, false, true], [false, false, true, true, true]);
    expect(result).toMatchObject({ better: 2, worse: 1 });
    expect(result.pValue).toBeCloseTo(0.5, 12);
  });
});

describe('classificationMetrics', () => {
  it('computes accuracy, balanced accuracy, macro-F1 and Brier by hand', () => {
    const truth = [0, 0, 1, 2, 2, 2];
    const predicted = [0, 1, 1, 2, 2, 0];
    const metrics = classificationMetrics(truth, oneHot(predicted));
    expect(confusionMatrix(truth, predicted)).toEqual([[1, 1, 0], [0, 1, 0], [1, 0, 2]]);
    expect(metrics.accuracy).toBeCloseTo(4 / 6, 12);
    expect(metrics.balancedAccuracy).toBeCloseTo((1 / 2 + 1 + 2 / 3) / 3, 12);
    // F1: class 0 = 2*1/(2+2) = 0.5, class 1 = 2*1/(1+2) = 2/3, class 2 = 2*2/(3+2) = 0.8
    expect(metrics.macroF1).toBeCloseTo((0.5 + 2 / 3 + 0.8) / 3, 12);
    expect(metrics.brier).toBeCloseTo((2 * 2) / 6, 12);
  });
});
