/**
 * Indicator and decision benchmarks of @ia-agents/assistants (run: npm run bench -w @ia-agents/assistants).
 * Inputs: the seeded 1,000,000-candle file (../../benchmarks/bench-data.ts) and the bundled
 * Coinbase BTC-USD 4h candles. Every figure is printed beside its baseline from the same run.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { adxSeries, atr, bollinger, cci, createDefaultTeam, ema, IndicatorStream, macdSeries, rsi, sma, stochastic, williamsR } from '@ia-agents/assistants';
import { createConsensusManager, defineAssistant, SimulatedClock, type Candle, type MarketSnapshot } from '@ia-agents/core';
import { ADX, ATR, BollingerBands, CCI, EMA, MACD, RSI, SMA, Stochastic, WilliamsR } from 'technicalindicators';
import { loadBenchColumns } from '../../../benchmarks/bench-data.js';
import { plainAdx, plainAtr, plainBollinger, plainCci, plainEma, plainMacd, plainRsi, plainSma, plainStochastic, plainWilliamsR } from './plain-loops.js';

const quick = process.argv.includes('--quick');

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function time(run: () => unknown, repeats: number): number {
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const start = performance.now();
    run();
    times.push(performance.now() - start);
  }
  return median(times);
}

function indicatorRows(columns: ReturnType<typeof loadBenchColumns>) {
  const { high, low, close } = columns;
  const hlc = { high, low, close };
  const arrays = { high: Array.from(high), low: Array.from(low), close: Array.from(close) };
  const ours: Record<string, () => unknown> = {
    RSI: () => rsi(close, 14), MACD: () => macdSeries(close), Bollinger: () => bollinger(close), EMA: () => ema(close, 20), SMA: () => sma(close, 20),
    Stochastic: () => stochastic(hlc), 'Williams %R': () => williamsR(hlc), CCI: () => cci(hlc), ADX: () => adxSeries(hlc), ATR: () => atr(hlc),
  };
  const library: Record<string, () => unknown> = {
    RSI: () => RSI.calculate({ values: arrays.close, period: 14 }),
    MACD: () => MACD.calculate({ values: arrays.close, fastPeriod: 12, slowPeriod: 26, signalPeriod: 9, SimpleMAOscillator: false, SimpleMASignal: false }),
    Bollinger: () => BollingerBands.calculate({ values: arrays.close, period: 20, stdDev: 2 }),
    EMA: () => EMA.calculate({ values: arrays.close, period: 20 }),
    SMA: () => SMA.calculate({ values: arrays.close, period: 20 }),
    Stochastic: () => Stochastic.calculate({ ...arrays, period: 14, signalPeriod: 3 }),
    'Williams %R': () => WilliamsR.calculate({ ...arrays, period: 14 }),
    CCI: () => CCI.calculate({ ...arrays, period: 20 }),
    ADX: () => ADX.calculate({ ...arrays, period: 14 }),
    ATR: () => ATR.calculate({ ...arrays, period: 14 }),
  };
  const loops: Record<string, () => unknown> = {
    RSI: () => plainRsi(close, 14), MACD: () => plainMacd(close), Bollinger: () => plainBollinger(close), EMA: () => plainEma(close, 20), SMA: () => plainSma(close, 20),
    Stochastic: () => plainStochastic(hlc), 'Williams %R': () => plainWilliamsR(hlc), CCI: () => plainCci(hlc), ADX: () => plainAdx(hlc), ATR: () => plainAtr(hlc),
  };
  return { ours, library, loops };
}

function benchIndicators(): void {
  const columns = loadBenchColumns(quick ? 100_000 : 1_000_000);
  const n = columns.close.length;
  const { ours, library, loops } = indicatorRows(columns);
  console.log(`\nIndicators over ${n.toLocaleString('en-US')} candles (median ms; ours and the plain loop 7 alternating runs, technicalindicators ${quick ? 3 : 1} run(s))`);
  console.log('| indicator | ours (batch) | technicalindicators 3.1.0 | speed-up | plain Float64Array loop | ours / loop |');
  console.log('|---|---|---|---|---|---|');
  let [ourNine, libNine, loopNine] = [0, 0, 0];
  for (const name of Object.keys(ours)) {
    // Ours and the loop alternate, so that load from other processes hits both alike.
    const [mineTimes, loopTimes] = [[] as number[], [] as number[]];
    for (let r = 0; r < 7; r++) {
      mineTimes.push(time(ours[name]!, 1));
      loopTimes.push(time(loops[name]!, 1));
    }
    const [mine, loop] = [median(mineTimes), median(loopTimes)];
    const theirs = time(library[name]!, quick ? 3 : 1);
    if (name !== 'ATR') [ourNine, libNine, loopNine] = [ourNine + mine, libNine + theirs, loopNine + loop];
    console.log(`| ${name} | ${mine.toFixed(1)} | ${theirs.toFixed(0)} | ${(theirs / mine).toFixed(1)}x | ${loop.toFixed(1)} | ${(mine / loop).toFixed(2)}x |`);
  }
  console.log(`| all nine (without ATR) | ${ourNine.toFixed(0)} | ${libNine.toFixed(0)} | ${(libNine / ourNine).toFixed(1)}x | ${loopNine.toFixed(0)} | ${(ourNine / loopNine).toFixed(2)}x |`);
  benchStreaming(columns);
}

function benchStreaming(columns: ReturnType<typeof loadBenchColumns>): void {
  const { high, low, close } = columns;
  const n = close.length;
  const run = () => {
    const stream = new IndicatorStream();
    for (let i = 0; i < n; i++) stream.updateHlc(high[i]!, low[i]!, close[i]!);
    return stream.values.rsi;
  };
  const ms = time(run, 3);
  const loopMs = time(() => plainRsi(close, 14), 5);
  console.log(`\nStreaming: one candle updates all ten indicators (the nine + ATR) in ${((ms * 1000) / n).toFixed(3)} µs (${n.toLocaleString('en-US')} candles in ${ms.toFixed(0)} ms); baseline plain RSI loop ${((loopMs * 1000) / n).toFixed(3)} µs per candle`);
}

function loadBundled(): Candle[] {
  const text = readFileSync(new URL('../fixtures/candles/coinbase_BTC-USD_4h.csv', import.meta.url), 'utf8');
  return text.trim().split('\n').slice(1).map((line) => {
    const [timestamp, open, high, low, close, volume] = line.split(',').map(Number) as [number, number, number, number, number, number];
    return { timestamp, open, high, low, close, volume };
  });
}

async function benchDecisions(): Promise<void> {
  const candles = loadBundled();
  const lookback = 200;
  const count = quick ? 200 : 2_000;
  const snapshots: MarketSnapshot[] = [];
  for (let end = candles.length - count; end < candles.length; end++) {
    const window = candles.slice(end - lookback, end);
    snapshots.push({ symbol: 'BTC/USD', timeframe: '4h', timestamp: window.at(-1)!.timestamp + 14_400_000, candles: window, news: [] });
  }
  const decide = async (assistants: ReturnType<typeof createDefaultTeam>['assistants'], options: ReturnType<typeof createDefaultTeam>['consensus']) => {
    let id = 0;
    const manager = createConsensusManager({ assistants, options, clock: new SimulatedClock(0), createId: () => `d${id++}` });
    const start = performance.now();
    const actions: Record<string, number> = { BUY: 0, SELL: 0, HOLD: 0 };
    for (const snapshot of snapshots) actions[(await manager.decide(snapshot, { validate: false })).action]! += 1;
    return { seconds: (performance.now() - start) / 1000, actions };
  };
  const team = createDefaultTeam();
  const full = await decide(team.assistants, team.consensus);
  const trivial = team.assistants.map((assistant) => defineAssistant({ id: assistant.id, analyze: () => ({ assistantId: assistant.id, action: 'HOLD', confidence: 0.5, reasoning: 'fixed', evidence: [] }) }));
  const baseline = await decide(trivial, team.consensus);
  console.log(`\nDecisions: full 7-assistant rule-based consensus, one per candle over the last ${count} Coinbase BTC-USD 4h candles (lookback ${lookback}): ${(count / full.seconds).toFixed(0)} decisions/s (${((full.seconds * 1000) / count).toFixed(2)} ms each); actions ${JSON.stringify(full.actions)}`);
  console.log(`Baseline: the same consensus with 7 fixed-answer assistants: ${(count / baseline.seconds).toFixed(0)} decisions/s (${((baseline.seconds * 1000) / count).toFixed(2)} ms each)`);
}

benchIndicators();
await benchDecisions();
