import { createDefaultTeam } from '@ia-agents/assistants';
import { createConsensusManager, SimulatedClock } from '@ia-agents/core';
import { buildCandles, buildSnapshot } from '@ia-agents/core/testing';
import { volumeBreakout } from './volume-breakout.js';

// Register the plug-in beside the seven built-in assistants, with its own consensus weight.
const { assistants, consensus } = createDefaultTeam({ weights: { 'volume-breakout': 1.5 } });
const manager = createConsensusManager({ assistants: [...assistants, volumeBreakout()], options: consensus, clock: new SimulatedClock(0) });

// A seeded up-trend whose last candle breaks out on heavy volume.
const candles = buildCandles({ count: 120, drift: 0.002, volatility: 0.01, seed: 7, timeframe: '1h' });
candles[candles.length - 1] = { ...candles.at(-1)!, close: candles.at(-1)!.close * 1.04, high: candles.at(-1)!.close * 1.045, volume: 9000 };
const decision = await manager.decide(buildSnapshot({ candles, timeframe: '1h' }));

for (const opinion of decision.rounds[0]!.opinions) console.log(`${opinion.assistantId.padEnd(20)} ${opinion.action.padEnd(4)} ${opinion.confidence.toFixed(2)}  ${opinion.reasoning.slice(0, 90)}`);
console.log(`\nDecision: ${decision.action} (proposed ${decision.proposedAction}, confidence ${decision.confidence}, rounds ${decision.rounds.length})${decision.veto ? `, vetoed by ${decision.veto.assistantId}: ${decision.veto.reason}` : ''}`);
