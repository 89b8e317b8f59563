// Backtest throughput: SMA(10)/SMA(30) crossover over the 1,000,000 seeded candles through the full
// engine (TradingEngine + replay feed + PaperExchange + simulated clock), CSV parsing excluded,
// beside a plain loop doing the same arithmetic in the same run. `npm run bench -w @ia-agents/exchange`.
import { performance } from 'node:perf_hooks';
import { createTradingEngine, SimulatedClock, type Candle } from '@ia-agents/core';
import { createPaperExchange, createReplayFeed, createSmaCrossover, runBacktest } from '@ia-agents/exchange';
import { loadBenchColumns } from '../../../benchmarks/bench-data.ts';

const COUNT = Number(process.env.BENCH_CANDLES ?? 1_000_000);
const columns = loadBenchColumns(1_000_000);
const candles: Candle[] = Array.from({ length: COUNT }, (_, index) => ({ timestamp: columns.time[index]!, open: columns.open[index]!, high: columns.high[index]!, low: columns.low[index]!, close: columns.close[index]!, volume: columns.volume[index]! }));
const closes = columns.close.subarray(0, COUNT);
const riskLimits = { maxPositionFraction: 1, maxTotalExposure: 1, maxDrawdownFraction: 1, maxDailyLossFraction: 1, minConfidence: 0 };
const exchangeOptions = { fill: 'signal-close' as const, makerFee: 0.001, takerFee: 0.001, slippage: { model: 'fixed' as const, bps: 0 }, volumeShare: null };

/** The same rules as a plain loop: the reference both for speed and for the numbers. */
function plainLoop(close: Float64Array): { buys: number; equity: number } {
  let cash = 100_000, size = 0, entry = 0, buys = 0, last = 0, fast = 0, slow = 0;
  const n = close.length;
  for (let i = 0; i < n; i++) {
    const c = close[i]!;
    fast += c; if (i >= 10) fast -= close[i - 10]!;
    slow += c; if (i >= 30) slow -= close[i - 30]!;
    if (i < 29) continue;
    const d = fast / 10 - slow / 30;
    const up = d > 0 && last < 0, down = d < 0 && last > 0;
    if (d !== 0) last = d;
    if (i === n - 1) break;
    if (up && size === 0) { size = (cash * (1 - 1e-9)) / (c * 1.001); cash -= size * c; cash -= size * 0.001 * c; entry = c; buys++; }
    else if (down && size > 0) { cash += size * entry + size * (c - entry); cash -= size * 0.001 * c; size = 0; }
  }
  return { buys, equity: cash + size * close[n - 1]! };
}

function setup(trigger?: () => { update: () => false }) {
  const sma = createSmaCrossover();
  const clock = new SimulatedClock(candles[0]!.timestamp);
  const exchange = createPaperExchange({ ...exchangeOptions, balances: { USD: 100_000 }, quoteCurrency: 'USD', clock });
  const feed = createReplayFeed({ sources: [{ symbol: 'SYN/USD', candles, timeframe: '1m' }], batchSize: 50_000 });
  const engine = createTradingEngine({ exchange, feed, clock, assistants: [sma.assistant], trigger: trigger ?? sma.trigger, riskLimits, quoteCurrency: 'USD', lookback: 31, learning: false, consensus: { maxRounds: 1 } });
  return { engine, exchange };
}

/** Feed (every candle checked), engine and exchange built and run; the buys are counted after the clock stops. */
async function engineRun(): Promise<{ buys: () => Promise<number>; equity: number; decisions: number }> {
  const { engine, exchange } = setup();
  const summary = await engine.run();
  return { buys: async () => (await exchange.fetchFills()).filter((fill) => fill.side === 'buy').length, equity: exchange.equity, decisions: summary.decisions };
}

/** The engine with a trigger that never fires: the per-candle cost of the loop alone. */
async function engineNoDecisions(): Promise<void> {
  await setup(() => ({ update: () => false })).engine.run();
}

/** The replay feed alone: every row checked, gaps found (it runs inside the benchmark line too). */
function feedOnly(): void {
  createReplayFeed({ sources: [{ symbol: 'SYN/USD', candles, timeframe: '1m' }], batchSize: 50_000 });
}

/** The SMA crossover trigger alone, over the same Candle objects (the plain loop reads a Float64Array). */
function triggerOnly(): number {
  const trigger = createSmaCrossover().trigger('SYN/USD');
  let fired = 0;
  for (const candle of candles) if (trigger.update(candle) !== false) fired += 1;
  return fired;
}

/** Two markets of half the candles each (the second half's prices on the first half's times), interleaved by the replay feed: one event per candle. */
const half = COUNT / 2;
const firstHalf = candles.slice(0, half);
const secondHalf = firstHalf.map((candle, index) => ({ ...candles[half + index]!, timestamp: candle.timestamp }));
async function twoMarkets(): Promise<number> {
  const sma = createSmaCrossover();
  const clock = new SimulatedClock(candles[0]!.timestamp);
  const exchange = createPaperExchange({ ...exchangeOptions, balances: { USD: 100_000 }, quoteCurrency: 'USD', clock });
  const feed = createReplayFeed({ sources: [{ symbol: 'SYN/USD', candles: firstHalf, timeframe: '1m' }, { symbol: 'TWO/USD', candles: secondHalf, timeframe: '1m' }] });
  const limits = { ...riskLimits, maxPositionFraction: 0.5 };
  const engine = createTradingEngine({ exchange, feed, clock, assistants: [sma.assistant], trigger: sma.trigger, riskLimits: limits, quoteCurrency: 'USD', lookback: 31, learning: false, consensus: { maxRounds: 1 } });
  return (await engine.run()).decisions;
}

function exchangeOnly(): void {
  const exchange = createPaperExchange({ ...exchangeOptions, balances: { USD: 100_000 }, quoteCurrency: 'USD' });
  for (const candle of candles) exchange.onCandle('SYN/USD', candle);
}

async function time<T>(label: string, run: () => Promise<T> | T, repeats = 3): Promise<{ label: string; ms: number; value: T }> {
  let best = Number.POSITIVE_INFINITY;
  let value!: T;
  for (let attempt = 0; attempt < repeats; attempt++) {
    const start = performance.now();
    value = await run();
    best = Math.min(best, performance.now() - start);
  }
  return { label, ms: best, value };
}

const rate = (ms: number) => `${(COUNT / (ms / 1000) / 1e6).toFixed(2)} M candles/s`;
// The benchmark and runBacktest run first, the diagnostic lines after them: the diagnostics call
// the same code with another trigger (and the exchange from another call site), and V8 would
// otherwise compile the candle loop for both shapes, as a process running one strategy never does.
const loop = await time('plain loop (same arithmetic)', () => plainLoop(closes), 5);
const full = await time('engine + PaperExchange, SMA crossover (the benchmark)', engineRun, 5);
const backtestRun = () => {
  const sma = createSmaCrossover();
  return runBacktest({ data: [{ symbol: 'SYN/USD', candles, timeframe: '1m' }], initialCash: 100_000, lookback: 31, exchange: exchangeOptions, riskLimits, consensus: { maxRounds: 1 }, assistants: [sma.assistant], trigger: sma.trigger });
};
const backtest = await time('runBacktest (adds equity sampling, metrics, result)', backtestRun, 1);
// The line above is one cold run; the engine line is best of 5. Best of 3 again for the overhead.
const backtestBest = await time('runBacktest, best of 3 more', backtestRun, 3);
const bare = await time('engine + PaperExchange, trigger never fires', engineNoDecisions, 5);
const paper = await time('PaperExchange.onCandle alone', exchangeOnly);
const check = await time('replay feed alone (checks every row)', feedOnly);
const smaTrigger = await time('SMA crossover trigger alone', triggerOnly);
const multi = await time('engine, the same candles as two interleaved markets', twoMarkets, 3);

console.log(`candles: ${COUNT.toLocaleString('en')} (seeded, CSV parsing excluded), Node ${process.version}`);
for (const entry of [loop, check, smaTrigger, paper, bare, full, multi, backtest, backtestBest]) console.log(`${entry.label.padEnd(56)} ${entry.ms.toFixed(0).padStart(6)} ms  ${rate(entry.ms)}`);
console.log(`plain loop result: ${loop.value.buys} buys, final equity ${loop.value.equity}`);
console.log(`engine result:     ${await full.value.buys()} buys, final equity ${full.value.equity}, ${full.value.decisions} decisions`);
console.log(`engine vs plain loop: ${(full.ms / loop.ms).toFixed(0)}x slower; vs backtrader (~50 s per 1M candles): ${((50_000 * COUNT) / 1e6 / full.ms).toFixed(0)}x faster`);
console.log(`per-decision cost: ${(((full.ms - bare.ms) / Math.max(1, full.value.decisions)) * 1000).toFixed(1)} µs (${full.value.decisions} decisions); per-candle engine cost without decisions: ${((bare.ms / COUNT) * 1e6).toFixed(0)} ns`);
console.log(`per-candle floor before any decision (row check + trigger + paper exchange, each alone): ${(check.ms + smaTrigger.ms + paper.ms).toFixed(0)} ms = ${((check.ms + smaTrigger.ms + paper.ms) / loop.ms).toFixed(0)}x the plain loop`);
console.log(`runBacktest over the engine run (best of 3 each): +${(backtestBest.ms - full.ms).toFixed(0)} ms (${(((backtestBest.ms - full.ms) / full.ms) * 100).toFixed(0)} %), final equity ${backtestBest.value.metrics.finalEquity}`);
