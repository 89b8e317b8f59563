/**
 * Quickstart: the seven IA-AGENTS assistants look at real Binance BTC/USDT hourly candles, debate
 * and vote; the transcript shows every opinion of every round and the weighted vote.
 * `npm start -w @ia-agents/example-quickstart [candle-index]` (default: the last candle).
 */
import { readFileSync } from 'node:fs';
import { createDefaultTeam } from '@ia-agents/assistants';
import { candleSchema, createConsensusManager, createEventBus, parseWith, riskLimitsSchema, timeframeToMs, type Candle } from '@ia-agents/core';

const csv = readFileSync(new URL('../data/binance_BTC-USDT_1h.csv', import.meta.url), 'utf8').trim().split('\n').slice(1);
const candles: Candle[] = csv.map((line, row) => {
  const [timestamp, open, high, low, close, volume] = line.split(',').map(Number);
  return parseWith(candleSchema, { timestamp, open, high, low, close, volume }, `candle at row ${row + 2}`);
});
const atIndex = Math.min(candles.length, Math.max(60, Number(process.argv[2] ?? candles.length)));
const window = candles.slice(Math.max(0, atIndex - 200), atIndex);
const last = window.at(-1)!;
const timestamp = last.timestamp + timeframeToMs('1h');

const bus = createEventBus();
bus.on('round-end', ({ round }) => {
  console.log(`\nround ${round.round} (${round.phase})`);
  for (const opinion of round.opinions) {
    const tag = opinion.abstain ? 'no view' : `${opinion.action} ${opinion.confidence.toFixed(2)}`;
    console.log(`  ${opinion.assistantId.padEnd(20)} ${tag.padEnd(9)} ${opinion.reasoning.slice(0, 150)}${opinion.veto ? `  [veto: ${opinion.veto}]` : ''}`);
  }
  for (const abstention of round.abstentions) console.log(`  ${abstention.assistantId.padEnd(20)} abstained (${abstention.reason}): ${abstention.message}`);
  console.log(`  vote: BUY ${round.tally.BUY.toFixed(3)}  SELL ${round.tally.SELL.toFixed(3)}  HOLD ${round.tally.HOLD.toFixed(3)} -> ${round.leadingAction} ${(round.share * 100).toFixed(1)}%${round.reached ? ' (consensus)' : ''}`);
});

const { assistants, consensus } = createDefaultTeam();
const manager = createConsensusManager({ assistants, options: consensus, bus });
const cash = 10_000;
const portfolio = { timestamp, quoteCurrency: 'USDT', cash, equity: cash, peakEquity: cash, dayStartEquity: cash, balances: { USDT: { free: cash, used: 0, total: cash } }, positions: [] };
console.log(`BTC/USDT 1h: ${window.length} real Binance candles up to ${new Date(last.timestamp).toISOString()} (close ${last.close}); seven rule-based assistants, no model server`);
const decision = await manager.decide({ symbol: 'BTC/USDT', timeframe: '1h', timestamp, candles: window, news: [], portfolio, riskLimits: riskLimitsSchema.parse({}) });
console.log(`\ndecision ${decision.action} (the team leaned ${decision.proposedAction}), confidence ${decision.confidence}, consensus ${decision.consensusReached}, escalated ${decision.escalated}`);
if (decision.plan) console.log(`plan: ${JSON.stringify(decision.plan)}`);
if (decision.veto) console.log(`veto by ${decision.veto.assistantId}: ${decision.veto.reason}`);
if (decision.escalationReason) console.log(`escalated to a person: ${decision.escalationReason}`);
