// Quickstart backtest, offline: the full TradingEngine + PaperExchange on 9 years of real
// Coinbase BTC/USD 4h candles shipped with @ia-agents/exchange. Prints the metrics beside
// buy-and-hold and writes a self-contained HTML report into a temporary folder.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSmaCrossover, runBacktest, writeBacktestReport, type PerformanceMetrics } from '@ia-agents/exchange';

const strategy = createSmaCrossover({ fast: 10, slow: 30 });
let shown = 0;
const result = await runBacktest({
  data: [{ bundled: 'coinbase_BTC-USD_4h' }],
  initialCash: 10_000,
  assistants: [strategy.assistant],
  trigger: strategy.trigger,
  // Realistic paper fills: next candle's open, 0.1 % taker fee, 5 bps slippage, at most 10 % of a candle's volume.
  exchange: { takerFee: 0.001, makerFee: 0.001, slippage: { model: 'fixed', bps: 5 }, volumeShare: 0.1 },
  riskLimits: { maxPositionFraction: 0.95, maxDrawdownFraction: 0.9, maxDailyLossFraction: 0.5, minConfidence: 0.5 },
  onProgress: ({ fraction }) => {
    if (fraction * 10 >= shown + 1) process.stdout.write(`\rbacktesting… ${Math.round(fraction * 100)} %${fraction === 1 ? '\n' : ''}`), (shown = Math.floor(fraction * 10));
  },
});

const pct = (value: number | null) => (value === null ? '—' : `${(value * 100).toFixed(1)} %`);
const num = (value: number | null) => (value === null ? '—' : value.toFixed(2));
const row = (label: string, pick: (metrics: PerformanceMetrics) => string) => console.log(`${label.padEnd(22)} ${pick(result.metrics).padStart(14)} ${pick(result.buyAndHold).padStart(14)}`);

console.log(`\n${result.symbols.join(', ')} ${result.timeframe}: ${new Date(result.start).toISOString().slice(0, 10)} → ${new Date(result.end).toISOString().slice(0, 10)}, ${result.candles} candles, ${result.gaps} data gaps reported`);
console.log(`${''.padEnd(22)} ${'SMA 10/30'.padStart(14)} ${'buy & hold'.padStart(14)}`);
row('final equity (USD)', (m) => m.finalEquity.toFixed(0));
row('total return', (m) => pct(m.totalReturn));
row('CAGR', (m) => pct(m.cagr));
row('volatility (annual)', (m) => pct(m.annualizedVolatility));
row('Sharpe', (m) => num(m.sharpe));
row('Sortino', (m) => num(m.sortino));
row('Calmar', (m) => num(m.calmar));
row('max drawdown', (m) => pct(m.maxDrawdown));
row('max DD duration (d)', (m) => (m.maxDrawdownDuration / 86_400_000).toFixed(0));
console.log(`trades ${result.metrics.trades}, win rate ${pct(result.metrics.winRate)}, profit factor ${num(result.metrics.profitFactor)}, exposure ${pct(result.metrics.exposure)}, fees ${result.metrics.feesPaid.toFixed(2)} USD`);

const report = writeBacktestReport(result, join(mkdtempSync(join(tmpdir(), 'ia-agents-backtest-')), 'report.html'), { title: 'SMA 10/30 on Coinbase BTC/USD 4h' });
console.log(`HTML report: ${report}`);
