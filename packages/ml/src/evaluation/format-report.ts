import type { ClassificationMetrics } from './metrics.js';
import type { WalkForwardReport } from './walk-forward.js';

const percent = (value: number): string => (Number.isNaN(value) ? '  n/a' : `${(100 * value).toFixed(1).padStart(5)}%`);
const fixed = (value: number, digits = 4): string => (Number.isNaN(value) ? 'n/a' : value.toFixed(digits));
const pValue = (value: number): string => (value < 0.0001 ? '< 0.0001' : value.toFixed(4));

function line(name: string, metrics: ClassificationMetrics): string {
  return `${name.padEnd(12)} ${percent(metrics.accuracy)}   ${percent(metrics.balancedAccuracy)}   ${percent(metrics.macroF1)}   ${fixed(metrics.brier)}`;
}

/**
 * Formats a walk-forward report as plain text: the model beside both baselines, the significance
 * tests, the regressors and one line per fold.
 * @example console.log(formatWalkForwardReport(report));
 */
export function formatWalkForwardReport(report: WalkForwardReport): string {
  const { overall, significance: s, regression: r, options: o } = report;
  const shares = report.classShares;
  return [
    `Walk-forward: ${report.folds.length} folds, ${o.mode} training window of ${o.trainSize} rows, ${o.testSize} test rows per fold, horizon ${o.horizon}, dead band ${o.deadBand}`,
    `Test rows ${overall.model.rows}: down ${percent(shares.down)}, flat ${percent(shares.flat)}, up ${percent(shares.up)}`,
    '',
    `${''.padEnd(12)} accuracy  balanced  macro-F1  Brier`,
    line('model', overall.model),
    line('majority', overall.majority),
    line('persistence', overall.persistence),
    '',
    `Significance on ${s.rows} non-overlapping test rows (one-sided; small p = model better):`,
    `  binomial, model accuracy ${percent(s.modelAccuracy)} vs majority ${percent(s.binomialVsMajority.nullAccuracy)}: p = ${pValue(s.binomialVsMajority.pValue)}`,
    `  McNemar vs majority: ${s.vsMajority.better} rows better, ${s.vsMajority.worse} worse, p = ${pValue(s.vsMajority.pValue)}`,
    `  McNemar vs persistence: ${s.vsPersistence.better} rows better, ${s.vsPersistence.worse} worse, p = ${pValue(s.vsPersistence.pValue)}`,
    `  sign only (model called up/down and the market moved, ${report.sign.rows} rows): hit rate ${percent(report.sign.hitRate)}, p = ${pValue(report.sign.pValue)} vs a coin`,
    '',
    `Magnitude: correlation with the realised return ${fixed(r.magnitudeCorrelation, 3)}, MAE ${fixed(r.magnitudeMae, 5)} (always 0: ${fixed(r.magnitudeMaeOfZero, 5)})`,
    `Risk: MAE ${fixed(r.riskMae, 5)} (training mean: ${fixed(r.riskMaeOfTrainingMean, 5)})`,
    '',
    'Folds (test period: model / majority / persistence accuracy):',
    ...report.folds.map((fold, i) => `  ${String(i + 1).padStart(3)} ${new Date(fold.testFrom).toISOString().slice(0, 16)} .. ${new Date(fold.testTo).toISOString().slice(0, 16)}  ${percent(fold.model.accuracy)} / ${percent(fold.majority.accuracy)} / ${percent(fold.persistence.accuracy)}`),
  ].join('\n');
}
