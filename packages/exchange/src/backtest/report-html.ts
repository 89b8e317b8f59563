import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { drawdownSeries, type PerformanceMetrics, type TradeMetrics } from './metrics.js';
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

type Metrics = PerformanceMetrics & TradeMetrics;

/** Every figure of the report, labelled and formatted, in one list (HTML table and text summary). */
function metricRows(quote: string): [string, (metrics: Metrics) => string][] {
  return [
    ['Final equity', (m) => `${m.finalEquity.toFixed(2)} ${quote}`],
    ['Total return', (m) => percent(m.totalReturn)],
    ['CAGR', (m) => percent(m.cagr)],
    ['Annualised volatility', (m) => percent(m.annualizedVolatility)],
    ['Sharpe', (m) => ratio(m.sharpe)],
    ['Sortino', (m) => ratio(m.sortino)],
    ['Calmar', (m) => ratio(m.calmar)],
    ['Max drawdown', (m) => percent(m.maxDrawdown)],
    ['Max drawdown duration', (m) => days(m.maxDrawdownDuration)],
    ['Round trips', (m) => String(m.trades)],
    ['Win rate', (m) => percent(m.winRate)],
    ['Profit factor', (m) => ratio(m.profitFactor)],
    ['Exposure', (m) => percent(m.exposure)],
    ['Fills', (m) => String(m.fills)],
    ['Fees paid', (m) => `${m.feesPaid.toFixed(2)} ${quote}`],
  ];
}

function metricsTable(result: BacktestResult): string {
  const quote = escapeHtml(result.quoteCurrency);
  const rows = metricRows(quote).map(([label, format]) => `<tr><th>${label}</th><td>${format(result.metrics)}</td><td>${format(result.buyAndHold)}</td></tr>`);
  rows.push(`<tr><th>Decisions</th><td colspan="2">${result.engine.decisions}</td></tr>`, `<tr><th>Data gaps</th><td colspan="2">${result.gaps}</td></tr>`);
  return rows.join('\n');
}

/**
 * The metrics as a plain-text table, strategy beside buy-and-hold (what the CLI prints).
 * @example console.log(formatBacktestSummary(await runBacktest()));
 */
export function formatBacktestSummary(result: BacktestResult): string {
  const rows = metricRows(result.quoteCurrency).map(([label, format]) => [label, format(result.metrics), format(result.buyAndHold)]);
  rows.unshift(['', 'Strategy', 'Buy and hold']);
  rows.push(['Decisions', String(result.engine.decisions), ''], ['Data gaps', String(result.gaps), '']);
  const widths = [0, 1, 2].map((column) => Math.max(...rows.map((row) => row[column]!.length)));
  const period = `${result.symbols.join(', ')} ${result.timeframe}, ${new Date(result.start).toISOString().slice(0, 16)} -> ${new Date(result.end).toISOString().slice(0, 16)} UTC, ${result.candles} candles`;
  return [period, ...rows.map(([label, strategy, hold]) => `${label!.padEnd(widths[0]!)}  ${strategy!.padStart(widths[1]!)}  ${hold!.padStart(widths[2]!)}`.trimEnd())].join('\n');
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
    drawdown: [seconds(series.time), ...[series.equity, series.buyAndHold].map((curve) => drawdownSeries(curve, result.metrics.initialEquity).map((value) => value * 100))],
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
// The y axis grows to its longest label (uPlot's fixed default cuts "10,000" to "0,000").
const fit = (self, values, axisIndex, cycle) => {
  const axis = self.axes[axisIndex];
  if (cycle > 1) return axis._size;
  const longest = (values || []).reduce((found, value) => (String(value).length > found.length ? String(value) : found), '');
  self.ctx.font = axis.font[0];
  return Math.ceil(axis.ticks.size + axis.gap + self.ctx.measureText(longest).width / devicePixelRatio);
};
const axes = [{}, { size: fit }];
const charts = (window.reportCharts = []);
for (const price of data.prices) {
  charts.push(new uPlot({ title: price.symbol + ' close with fills', width: width(), height: 320, axes, series: [{}, line('close', '#555'), dots('buy', '#1a9850'), dots('sell', '#d73027')] }, price.data, document.getElementById('prices')));
}
charts.push(new uPlot({ title: 'Equity', width: width(), height: 320, axes, series: [{}, line('strategy', '#2166ac'), line('buy and hold', '#f4a582')] }, data.equity, document.getElementById('equity')));
charts.push(new uPlot({ title: 'Drawdown (%)', width: width(), height: 240, axes, series: [{}, line('strategy', '#b2182b'), line('buy and hold', '#fdb863')] }, data.drawdown, document.getElementById('drawdown')));
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
${metricsTable(result)}
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
