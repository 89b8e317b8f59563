/**
 * Quickstart: three assistants look at real Binance BTC/USDT hourly candles, debate and vote.
 * Run with `npm start` (from the repository root) or `npm start -w @ia-agents/example-quickstart`.
 */
import { readFileSync } from 'node:fs';
import { candleSchema, createConsensusManager, createEventBus, defineAssistant, parseWith, timeframeToMs, type Candle, type Decision } from '@ia-agents/core';

const csv = readFileSync(new URL('../data/binance_BTC-USDT_1h.csv', import.meta.url), 'utf8').trim().split('\n').slice(1);
const candles: Candle[] = csv.map((line, row) => {
  const [timestamp, open, high, low, close, volume] = line.split(',').map(Number);
  return parseWith(candleSchema, { timestamp, open, high, low, close, volume }, `candle at row ${row + 2}`);
});
const atIndex = Number(process.argv[2] ?? candles.length);
const window = candles.slice(Math.max(0, atIndex - 200), atIndex);

const change = (series: readonly Candle[], n: number) => series.at(-1)!.close / series.at(-1 - n)!.close - 1;

// Trend follower: 24-hour momentum.
const momentum = defineAssistant({
  id: 'momentum',
  analyze: ({ candles: c }) => {
    const move = change(c, 24);
    const action = move > 0.01 ? 'BUY' : move < -0.01 ? 'SELL' : 'HOLD';
    return { assistantId: 'momentum', action, confidence: Math.min(1, 0.5 + Math.abs(move) * 10), reasoning: `price moved ${(move * 100).toFixed(2)}% in 24 h`, evidence: [{ name: 'change_24h', value: move, stance: move > 0.01 ? 'bullish' : move < -0.01 ? 'bearish' : 'neutral' }] };
  },
});

// Contrarian: distance from the 50-hour mean.
const meanReversion = defineAssistant({
  id: 'mean-reversion',
  analyze: ({ candles: c }) => {
    const mean = c.slice(-50).reduce((sum, candle) => sum + candle.close, 0) / 50;
    const gap = c.at(-1)!.close / mean - 1;
    const action = gap < -0.02 ? 'BUY' : gap > 0.02 ? 'SELL' : 'HOLD';
    return { assistantId: 'mean-reversion', action, confidence: Math.min(1, 0.4 + Math.abs(gap) * 8), reasoning: `price is ${(gap * 100).toFixed(2)}% from its 50 h mean`, evidence: [{ name: 'gap_sma_50', value: gap, stance: gap < -0.02 ? 'bullish' : gap > 0.02 ? 'bearish' : 'neutral' }] };
  },
});

// Risk guard: vetoes trading when hourly volatility is extreme.
const riskGuard = defineAssistant({
  id: 'risk-guard',
  analyze: ({ candles: c }) => {
    const returns = c.slice(-25).map((candle, i, all) => (i === 0 ? 0 : Math.log(candle.close / all[i - 1]!.close))).slice(1);
    const volatility = Math.sqrt(returns.reduce((sum, r) => sum + r * r, 0) / returns.length);
    const extreme = volatility > 0.02;
    return { assistantId: 'risk-guard', action: 'HOLD', confidence: extreme ? 0.9 : 0.3, reasoning: `hourly volatility ${(volatility * 100).toFixed(2)}%`, evidence: [{ name: 'volatility_24h', value: volatility, stance: 'neutral' }], ...(extreme ? { veto: `hourly volatility ${(volatility * 100).toFixed(2)}% is above 2%` } : {}) };
  },
});

const bus = createEventBus();
bus.on('round-end', ({ round }) => {
  console.log(`\nround ${round.round} (${round.phase})`);
  for (const opinion of round.opinions) console.log(`  ${opinion.assistantId.padEnd(15)} ${opinion.action.padEnd(4)} ${opinion.confidence.toFixed(2)}  ${opinion.reasoning}`);
  console.log(`  vote: BUY ${round.tally.BUY.toFixed(3)}  SELL ${round.tally.SELL.toFixed(3)}  HOLD ${round.tally.HOLD.toFixed(3)} -> ${round.leadingAction} ${(round.share * 100).toFixed(1)}%${round.reached ? ' (consensus)' : ''}`);
});

const consensus = createConsensusManager({ assistants: [momentum, meanReversion, riskGuard], bus, options: { maxRounds: 3, threshold: 0.6, vetoes: ['risk-guard'] } });
const last = window.at(-1)!;
console.log(`BTC/USDT 1h, ${window.length} real Binance candles up to ${new Date(last.timestamp).toISOString()} (close ${last.close})`);
const decision: Decision = await consensus.decide({ symbol: 'BTC/USDT', timeframe: '1h', timestamp: last.timestamp + timeframeToMs('1h'), candles: window, news: [] });
console.log(`\ndecision ${decision.action} (proposed ${decision.proposedAction}), confidence ${decision.confidence}, consensus ${decision.consensusReached}, escalated ${decision.escalated}`);
if (decision.veto) console.log(`veto by ${decision.veto.assistantId}: ${decision.veto.reason}`);
if (decision.escalationReason) console.log(`escalated: ${decision.escalationReason}`);
