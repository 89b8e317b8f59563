import type { AssistantContext, BaseAssistantSettings, Decision, EvidenceInput, MarketSnapshot, OpinionInput } from '@ia-agents/core';
import { pct, round } from './evidence.js';
import { estimateFill, type FillEstimate } from './order-book-analysis.js';
import { planOrders, type OrderPlan, type OrderPlanSettings } from './order-planner.js';
import { TeamAssistant } from './team-assistant.js';

/** Settings of the Executor. */
export interface ExecutorSettings extends BaseAssistantSettings {
  /** Largest acceptable spread. @default 0.005 */
  maxSpread?: number;
  /** Largest acceptable expected slippage. @default 0.01 */
  maxSlippage?: number;
  /** Order notional checked against the book when the snapshot has no portfolio, quote currency. @default 10000 */
  referenceNotional?: number;
  /** Fraction of equity checked against the book when there is a portfolio. @default 0.1 */
  referenceSizeFraction?: number;
}

/**
 * Checks that the market can take an order: spread, depth near mid and expected slippage from
 * `snapshot.orderBook` for a typical order. When it cannot, it says HOLD with high confidence and
 * requests a veto (honoured when the consensus lists `executor` in `vetoes`). `planOrders` turns a
 * decision into (split) orders.
 * @example
 * const executor = new Executor({ maxSpread: 0.002 });
 * const { orders } = executor.planOrders(decision, { portfolio, orderBook });
 */
export class Executor extends TeamAssistant {
  readonly role = 'executor';
  readonly #settings: ExecutorSettings;

  constructor(settings: ExecutorSettings = {}) {
    super({ ...settings, defaultId: 'executor' });
    this.#settings = settings;
  }

  /** Orders for a decision (see planOrders). */
  planOrders(decision: Decision, settings: OrderPlanSettings): OrderPlan {
    return planOrders(decision, { maxSlippage: this.#settings.maxSlippage ?? 0.01, ...settings });
  }

  protected rules(snapshot: MarketSnapshot, _context: AssistantContext): OpinionInput {
    const book = snapshot.orderBook;
    if (book === undefined) return { assistantId: this.id, action: 'HOLD', confidence: 0.1, abstain: true, reasoning: 'No order book in the snapshot: liquidity unknown.', evidence: [{ name: 'order_book', value: null, stance: 'neutral', weight: 0 }] };
    const price = snapshot.candles.at(-1)!.close;
    const notional = snapshot.portfolio === undefined ? (this.#settings.referenceNotional ?? 10_000) : snapshot.portfolio.equity * (this.#settings.referenceSizeFraction ?? 0.1);
    const buy = estimateFill(book, 'buy', notional / price);
    const sell = estimateFill(book, 'sell', notional / price);
    const problems = this.#problems(buy, sell);
    const evidence = evidenceOf(buy, sell, problems.length > 0);
    if (problems.length === 0) return { assistantId: this.id, action: 'HOLD', confidence: 0.1, abstain: true, reasoning: `Liquidity fine for ${round(notional, 2)} notional: spread ${pct(buy.spread, 3)}, slippage buy ${pct(buy.slippage, 3)} / sell ${pct(sell.slippage, 3)}.`, evidence };
    const reason = problems.join('; ');
    return { assistantId: this.id, action: 'HOLD', confidence: 0.8, reasoning: `Cannot fill at a fair price: ${reason}.`, evidence, veto: `execution: ${reason}` };
  }

  #problems(buy: FillEstimate, sell: FillEstimate): string[] {
    const problems: string[] = [];
    const maxSpread = this.#settings.maxSpread ?? 0.005;
    const maxSlippage = this.#settings.maxSlippage ?? 0.01;
    if (!(buy.spread <= maxSpread)) problems.push(`spread ${pct(buy.spread, 3)} > ${pct(maxSpread, 3)}`);
    if (!buy.fillable || !sell.fillable) problems.push('the visible book cannot fill a typical order');
    else if (Math.max(buy.slippage, sell.slippage) > maxSlippage) problems.push(`expected slippage ${pct(Math.max(buy.slippage, sell.slippage), 3)} > ${pct(maxSlippage, 3)}`);
    return problems;
  }
}

function evidenceOf(buy: FillEstimate, sell: FillEstimate, bad: boolean): EvidenceInput[] {
  const stance = bad ? 'bearish' : 'neutral';
  const items: EvidenceInput[] = [{ name: 'spread', value: round(buy.spread, 8), stance, weight: bad ? 1 : 0.2, detail: 'relative bid-ask spread' }];
  items.push({ name: 'depth_ask_1pct', value: round(buy.depth, 2), stance: 'neutral', weight: 0.2, detail: 'quote value on the asks within 1% of mid' });
  items.push({ name: 'depth_bid_1pct', value: round(sell.depth, 2), stance: 'neutral', weight: 0.2, detail: 'quote value on the bids within 1% of mid' });
  items.push({ name: 'slippage_buy', value: Number.isFinite(buy.slippage) ? round(buy.slippage, 8) : null, stance, weight: bad ? 1 : 0.2, detail: 'expected slippage of a typical buy' });
  items.push({ name: 'slippage_sell', value: Number.isFinite(sell.slippage) ? round(sell.slippage, 8) : null, stance, weight: bad ? 1 : 0.2, detail: 'expected slippage of a typical sell' });
  return items;
}
