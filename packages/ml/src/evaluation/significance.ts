/** Natural log of the gamma function (Lanczos approximation, |error| < 1e-13 for x > 0). */
export function logGamma(x: number): number {
  const g = 7;
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const shifted = x - 1;
  let a = c[0]!;
  const t = shifted + g + 0.5;
  for (let i = 1; i < g + 2; i++) a += c[i]! / (shifted + i);
  return 0.5 * Math.log(2 * Math.PI) + (shifted + 0.5) * Math.log(t) - t + Math.log(a);
}

/**
 * One-sided exact binomial test: P(X >= successes) for X ~ Binomial(trials, p).
 * @example binomialTailPValue(60, 100, 0.5); // about 0.028
 */
export function binomialTailPValue(successes: number, trials: number, p: number): number {
  if (successes <= 0) return 1;
  if (successes > trials) return 0;
  if (p <= 0) return 0;
  if (p >= 1) return 1;
  const logChoose = (k: number): number => logGamma(trials + 1) - logGamma(k + 1) - logGamma(trials - k + 1);
  let total = 0;
  for (let k = successes; k <= trials; k++) {
    total += Math.exp(logChoose(k) + k * Math.log(p) + (trials - k) * Math.log(1 - p));
  }
  return Math.min(1, total);
}

/** Result of an exact one-sided McNemar test. */
export interface McNemarResult {
  /** Rows the model got right and the baseline wrong. */
  better: number;
  /** Rows the model got wrong and the baseline right. */
  worse: number;
  /** P(better >= observed) if model and baseline were equally good. */
  pValue: number;
}

/**
 * Paired, exact, one-sided McNemar test of "the model is right more often than the baseline":
 * only rows where exactly one of them is right count, and under the null each side wins them
 * with probability 1/2.
 */
export function mcNemarTest(modelCorrect: ArrayLike<boolean>, baselineCorrect: ArrayLike<boolean>): McNemarResult {
  let better = 0;
  let worse = 0;
  for (let i = 0; i < modelCorrect.length; i++) {
    if (modelCorrect[i] && !baselineCorrect[i]) better++;
    if (!modelCorrect[i] && baselineCorrect[i]) worse++;
  }
  return { better, worse, pValue: binomialTailPValue(better, better + worse, 0.5) };
}
