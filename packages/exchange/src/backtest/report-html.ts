import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { drawdownSeries, type PerformanceMetrics } from './metrics.js';
import type { BacktestResult } from './run-backtest.js';

const require = createRequire(import.meta.url);

/** uPlot's standalone build and stylesheet, inlined so the report works offline from one file. */
function chartLibrary(): { script: string; style: string } {
  const script = readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8');
  const style = readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8');
  return { script: script.replaceAll('</script', '<\\/script'), style };
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
const percent = (value: number | null) => (value === null ? '—' : `${(value * 100).toFixed(2)} %`);
const ratio = (value: number | null) => (value === null ? '—' : value.toFixed(3));
const days = (ms: number) => `${(ms / 86_400_000).toFixed(1)} d`;

function performanceRows(strategy: PerformanceMetrics, hold: PerformanceMetrics, quote: string): string {
  const rows: [string, (metrics: PerformanceMetrics) => string][] = [
    ['Final equity', (m) => `${m.finalEquity.toFixed(2)} ${quote}`],
    ['Total return', (m) => percent(m.totalReturn)],
    ['CAGR', (m) => percent(m.cagr)],
    ['Annualised volatility', (m) => percent(m.annualizedVolatility)],
    ['Sharpe', (m) => ratio(m.sharpe)],
    ['Sortino', (m) => ratio(m.sortino)],
    ['Calmar', (m) => ratio(m.calmar)],
    ['Max drawdown', (m) => percent(m.maxDrawdown)],
    ['Max drawdown duration', (m) => days(m.maxDrawdownDuration)],
  ];
  return rows.map(([label, format]) => `<tr><th>${label}</th><td>${format(strategy)}</td><td>${format(hold)}</td></tr>`).join('\n');
}

function tradeRows(result: BacktestResult): string {
  const { metrics } = result;
  const rows: [string, string][] = [
    ['Round trips', String(metrics.trades)],
    ['Fills', String(metrics.fills)],
    ['Win rate', percent(metrics.winRate)],
    ['Profit factor', ratio(metrics.profitFactor)],
    ['Exposure', percent(metrics.exposure)],
    ['Fees paid', `${metrics.feesPaid.toFixed(2)} ${result.quoteCurrency}`],
    ['Decisions', String(result.engine.decisions)],
    ['Data gaps', String(result.gaps)],
  ];
  return rows.map(([label, value]) => `<tr><th>${label}</th><td colspan="2">${value}</td></tr>`).join('\n');
}

/** The chart data, aligned per chart as uPlot wants it (x in seconds). */
function chartData(result: BacktestResult) {
  const { series } = result;
  const seconds = (times: readonly number[]) => times.map((time) => time / 1000);
  const prices = Object.entries(series.prices).map(([symbol, price]) => {
    const buys: (number | null)[] = price.time.map(() => null);
    const sells: (number | null)[] = price.time.map(() => null);
    for (const marker of series.markers.filter((candidate) => candidate.symbol === symbol)) {
      const index = nearest(price.time, marker.time);
      (marker.side === 'buy' ? buys : sells)[index] = marker.price;
    }
    return { symbol, data: [seconds(price.time), price.close, buys, sells] };
  });
  return {
    prices,
    equity: [seconds(series.time), series.equity, series.buyAndHold],
    drawdown: [seconds(series.time), drawdownSeries(series.equity).map((value) => value * 100), drawdownSeries(series.buyAndHold).map((value) => value * 100)],
  };
}

function nearest(times: readonly number[], time: number): number {
  let low = 0;
  let high = times.length - 1;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (times[middle]! < time) low = middle + 1;
    else high = middle;
  }
  return low;
}

const CLIENT = `
const data = JSON.parse(document.getElementById('report-data').textContent);
const width = () => Math.min(1100, document.body.clientWidth - 32);
const line = (label, stroke) => ({ label, stroke, width: 1.5 });
const dots = (label, fill) => ({ label, stroke: fill, fill, width: 0, paths: () => null, points: { show: true, size: 8, fill } });
for (const price of data.prices) {
  new uPlot({ title: price.symbol + ' close with fills', width: width(), height: 320, series: [{}, line('close', '#555'), dots('buy', '#1a9850'), dots('sell', '#d73027')] }, price.data, document.getElementById('prices'));
}
new uPlot({ title: 'Equity', width: width(), height: 320, series: [{}, line('strategy', '#2166ac'), line('buy and hold', '#f4a582')] }, data.equity, document.getElementById('equity'));
new uPlot({ title: 'Drawdown (%)', width: width(), height: 240, series: [{}, line('strategy', '#b2182b'), line('buy and hold', '#fdb863')] }, data.drawdown, document.getElementById('drawdown'));
`;

/**
 * A self-contained HTML report of a backtest: metrics beside buy-and-hold, price with trade
 * markers, equity against buy-and-hold, and drawdown, drawn by uPlot (inlined: no network needed).
 * @example writeFileSync('report.html', renderBacktestReport(result));
 */
export function renderBacktestReport(result: BacktestResult, options: { title?: string } = {}): string {
  const title = escapeHtml(options.title ?? `Backtest ${result.symbols.join(', ')} ${result.timeframe}`);
  const { script, style } = chartLibrary();
  const data = JSON.stringify(chartData(result)).replace(/</g, '\\u003c');
  const period = `${new Date(result.start).toISOString().slice(0, 16)} → ${new Date(result.end).toISOString().slice(0, 16)} UTC`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${title}</title>
<style>${style}
body{font-family:system-ui,sans-serif;margin:16px;color:#222}table{border-collapse:collapse;margin:12px 0}th,td{padding:4px 12px;border-bottom:1px solid #ddd;text-align:right}th{text-align:left;font-weight:500}
</style></head><body>
<h1>${title}</h1>
<p>${escapeHtml(period)} · ${result.candles} candles · ${escapeHtml(result.quoteCurrency)}</p>
<table><thead><tr><th></th><th>Strategy</th><th>Buy and hold</th></tr></thead><tbody>
${performanceRows(result.metrics, result.buyAndHold, escapeHtml(result.quoteCurrency))}
${tradeRows(result)}
</tbody></table>
<div id="prices"></div><div id="equity"></div><div id="drawdown"></div>
<script id="report-data" type="application/json">${data}</script>
<script>${script}</script>
<script>${CLIENT}</script>
</body></html>
`;
}

/** Writes the HTML report to `path` (folders created) and returns the path. */
export function writeBacktestReport(result: BacktestResult, path: string, options: { title?: string } = {}): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, renderBacktestReport(result, options));
  return path;
}
