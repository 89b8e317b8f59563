import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { SimulatedClock, createTradingEngine, defineAssistant, type Candle, type Fill, type OpinionInput } from '@ia-agents/core';
import { createReplayFeed } from '../feeds/replay-feed.js';
import { createPaperExchange } from './paper-exchange.js';
import { paperSettings, uniform } from './paper-arbitraries.js';

const MINUTE = 60_000;

const candleStep = fc.record({ gap: uniform(-0.04, 0.04), move: uniform(-0.04, 0.04), wickUp: uniform(0, 0.02), wickDown: uniform(0, 0.02), volume: uniform(0.5, 40) });
/** What the team says on a candle: an action, and for buys maybe a plan (stop under, target over the close, a size). */
const opinionStep = fc.record({
  action: fc.constantFrom('BUY' as const, 'SELL' as const, 'HOLD' as const),
  confidence: uniform(0.3, 1),
  stop: fc.option(uniform(0.005, 0.05), { nil: undefined }),
  target: fc.option(uniform(0.005, 0.08), { nil: undefined }),
  size: fc.option(uniform(0.05, 1), { nil: undefined }),
});
const settingsArbitrary = fc.record({
  exchange: paperSettings({ fee: 0.002, bps: 20, volumeBps: 5, impactBps: 80, volumeShare: { min: 0.05, max: 1, uncapped: true } }),
  maxPositionFraction: uniform(0.2, 1),
  maxTotalExposure: uniform(0.3, 1),
});
/** A second market (ETH/USDT at 50), starting up to ten candles after the first, or none. */
const secondMarket = fc.option(fc.record({ offset: fc.integer({ min: 0, max: 10 }), steps: fc.array(candleStep, { minLength: 5, maxLength: 40 }) }), { nil: undefined });

type Settings = typeof settingsArbitrary extends fc.Arbitrary<infer T> ? T : never;
type CandleStep = typeof candleStep extends fc.Arbitrary<infer T> ? T : never;
type OpinionStep = typeof opinionStep extends fc.Arbitrary<infer T> ? T : never;

function candlesOf(steps: readonly CandleStep[], startPrice = 100, offset = 0): Candle[] {
  let price = startPrice;
  return steps.map((step, position) => {
    const index = position + offset;
    const open = price * (1 + step.gap);
    const close = open * (1 + step.move);
    price = close;
    return { timestamp: index * MINUTE, open, close, high: Math.max(open, close) * (1 + step.wickUp), low: Math.min(open, close) * (1 - step.wickDown), volume: step.volume };
  });
}

/** One backtest through the real engine, feed and paper exchange, with the team's words scripted per candle. */
async function session(settings: Settings, markets: readonly { symbol: string; candles: Candle[] }[], script: readonly OpinionStep[]) {
  const { maxPositionFraction, maxTotalExposure, exchange: exchangeSettings } = settings;
  const clock = new SimulatedClock(0);
  const exchange = createPaperExchange({ ...exchangeSettings, balances: { USDT: 1_000 }, quoteCurrency: 'USDT', clock });
  const team = defineAssistant({
    id: 'script',
    analyze: (snapshot): OpinionInput => {
      const last = snapshot.candles.at(-1)!;
      const step = script[(Math.round(last.timestamp / MINUTE) + (snapshot.symbol === 'BTC/USDT' ? 0 : 5)) % script.length]!;
      const plan = step.action !== 'BUY' ? undefined : { ...(step.stop === undefined ? {} : { stopLoss: last.close * (1 - step.stop) }), ...(step.target === undefined ? {} : { takeProfit: last.close * (1 + step.target) }), ...(step.size === undefined ? {} : { sizeFraction: step.size }) };
      return { assistantId: 'script', action: step.action, confidence: step.confidence, reasoning: 'scripted', ...(plan === undefined ? {} : { plan }) };
    },
  });
  const ledgers: { total: number; used: number }[][] = [];
  const engine = createTradingEngine({
    exchange,
    feed: createReplayFeed({ sources: markets.map(({ symbol, candles }) => ({ symbol, candles, timeframe: '1m' as const })), batchSize: 7 }),
    clock,
    assistants: [team],
    riskLimits: { maxPositionFraction, maxTotalExposure, maxDrawdownFraction: 1, maxDailyLossFraction: 1, minConfidence: 0 },
    quoteCurrency: 'USDT',
    feeRate: exchangeSettings.takerFee,
    lookback: 5,
    learning: false,
    consensus: { maxRounds: 1 },
    onCandle: () => void ledgers.push(Object.values(exchange.snapshot().balances).map((balance) => ({ ...balance }))),
  });
  const refusedLegs: string[] = [];
  engine.bus.on('order-reject', ({ clientOrderId, reason }) => void (/-(sl|tp)$/.test(clientOrderId ?? '') && refusedLegs.push(`${clientOrderId}: ${reason}`)));
  const summary = await engine.run();
  return { exchange, summary, ledgers, refusedLegs };
}

describe('TradingEngine on the PaperExchange (property-based)', () => {
  it('keeps money conserved and reserved money held, places each order once, and fills at most one leg of each protective pair', async () => {
    await fc.assert(
      fc.asyncProperty(settingsArbitrary, fc.array(candleStep, { minLength: 10, maxLength: 60 }), secondMarket, fc.array(opinionStep, { minLength: 1, maxLength: 12 }), async (settings, steps, second, script) => {
        const markets = [{ symbol: 'BTC/USDT', candles: candlesOf(steps) }, ...(second === undefined ? [] : [{ symbol: 'ETH/USDT', candles: candlesOf(second.steps, 50, second.offset) }])];
        const { exchange, summary, ledgers, refusedLegs } = await session(settings, markets, script);
        // Protection sells exactly what the entry brought in (less a fee charged in the asset bought): never refused.
        expect(refusedLegs).toEqual([]);
        // After every candle: no negative balance, and what open orders reserve is held.
        for (const ledger of ledgers) {
          for (const balance of ledger) {
            expect(balance.total).toBeGreaterThanOrEqual(0);
            expect(balance.used).toBeGreaterThanOrEqual(0);
            expect(balance.used).toBeLessThanOrEqual(balance.total * (1 + 1e-9) + 1e-9);
          }
        }
        // Cash and holdings are what the fills say, up to fees.
        const fills: Fill[] = await exchange.fetchFills();
        let quote = 1_000;
        const bases: Record<string, number> = { BTC: 0, ETH: 0 };
        for (const fill of fills) {
          const value = fill.amount * fill.price;
          const asset = fill.symbol.split('/')[0]!;
          quote += fill.side === 'buy' ? -value : value;
          bases[asset]! += fill.side === 'buy' ? fill.amount : -fill.amount;
          if (fill.fee.currency === asset) bases[asset]! -= fill.fee.cost;
          else quote -= fill.fee.cost;
        }
        const balances = await exchange.fetchBalance();
        expect(balances.USDT!.total).toBeCloseTo(quote, 6);
        for (const [asset, held] of Object.entries(bases)) expect(balances[asset]?.total ?? 0).toBeCloseTo(held, 9);
        // Every order once: unique client order ids, one entry per decision, legs only for an entry; each fill recorded once.
        const orders = exchange.snapshot().orders.map((saved) => saved.order);
        const ids = orders.map((order) => order.clientOrderId);
        expect(new Set(ids).size).toBe(ids.length);
        expect(summary.orders).toBe(orders.length);
        expect(summary.fills).toBe(fills.length);
        for (const order of orders) {
          const entry = order.clientOrderId.replace(/-(sl|tp)$/, '');
          if (entry !== order.clientOrderId) expect(orders.find((candidate) => candidate.clientOrderId === entry)?.side).toBe('buy');
          else expect(order.clientOrderId).toMatch(/^dec-.*-o$/);
        }
        // Of a stop-loss and take-profit pair, at most one sells.
        for (const order of orders.filter((candidate) => candidate.clientOrderId.endsWith('-sl'))) {
          const sibling = orders.find((candidate) => candidate.clientOrderId === order.clientOrderId.replace(/-sl$/, '-tp'));
          if (sibling !== undefined) expect(order.filled > 0 && sibling.filled > 0).toBe(false);
        }
        if ((await exchange.fetchOpenOrders()).length === 0) for (const balance of Object.values(balances)) expect(balance.used).toBe(0);
        // The same run again gives the same fills.
        const again = await session(settings, markets, script);
        expect(await again.exchange.fetchFills()).toEqual(fills);
      }),
      { numRuns: 400, seed: 20261207 },
    );
  });
});
