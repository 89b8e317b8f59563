import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBacktest, type BacktestResult } from './run-backtest.js';
import { writeBacktestReport } from './report-html.js';

interface ChartState {
  title: string;
  points: number;
  series: number[];
  painted: number;
}

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run', '--disable-component-update', '--disable-sync'];

describe('backtest HTML report in headless Chromium', () => {
  let browser: Browser;
  let directory: string;
  let result: BacktestResult;

  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), 'ia-report-'));
    result = await runBacktest({ data: [{ bundled: 'binance_BTC-USDT_1h' }] });
    browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
  });
  afterAll(async () => {
    await browser?.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it('draws price with trade markers, equity against buy-and-hold and drawdown, offline, with no console error', async () => {
    const path = writeBacktestReport(result, join(directory, 'report.html'));
    const page = await browser.newPage();
    const requests: string[] = [];
    const problems: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    page.on('console', (message) => (message.type() === 'error' || message.type() === 'warning' ? problems.push(`${message.type()}: ${message.text()}`) : undefined));
    page.on('pageerror', (error) => problems.push(error.message));
    await page.goto(pathToFileURL(path).href);
    await page.waitForFunction('window.reportCharts?.length === 3');

    // The chart library is inlined: the file itself is the only thing the page loads.
    expect(requests).toEqual([pathToFileURL(path).href]);
    expect(problems).toEqual([]);

    // Each uPlot chart: its title, its data, and how many pixels its canvas painted.
    const charts = await page.evaluate<ChartState[]>(`window.reportCharts.map((chart) => {
      const canvas = chart.root.querySelector('canvas');
      const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
      let painted = 0;
      for (let index = 3; index < pixels.length; index += 4) if (pixels[index] > 0) painted += 1;
      return { title: chart.root.querySelector('.u-title').textContent, points: chart.data[0].length, series: chart.data.slice(1).map((values) => values.filter((value) => value !== null).length), painted };
    })`);
    const buys = result.series.markers.filter((marker) => marker.side === 'buy').length;
    const sells = result.series.markers.filter((marker) => marker.side === 'sell').length;
    expect(buys).toBeGreaterThan(0);
    expect(charts.map(({ title, points, series }) => ({ title, points, series }))).toEqual([
      { title: 'BTC/USDT close with fills', points: 585, series: [585, buys, sells] },
      { title: 'Equity', points: 585, series: [585, 585] },
      { title: 'Drawdown (%)', points: 585, series: [585, 585] },
    ]);
    // Every chart drew lines on its canvas, not just an empty frame.
    for (const chart of charts) expect(chart.painted).toBeGreaterThan(5_000);
    await page.close();
  });
});
