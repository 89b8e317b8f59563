import { RiskLimitError } from '../errors/index.js';
import type { Decision, OrderRequest, OrderSide, Portfolio, RiskLimits } from '../schemas/index.js';

/** Market facts the gate needs besides the portfolio. */
export interface RiskContext {
  /** Portfolio at the moment of the order. */
  portfolio: Portfolio;
  /** Reference price of the symbol (last close or ticker). */
  price: number;
  /** The limits in force. */
  limits: RiskLimits;
  /** Open orders right now. */
  openOrders: number;
  /** Taker fee rate to reserve cash for. @default 0.001 */
  feeRate?: number;
}

/** How far the portfolio is from its limits. */
export interface RiskState {
  /** 1 - equity / peakEquity. */
  drawdown: number;
  /** 1 - equity / dayStartEquity (negative on a winning day). */
  dailyLoss: number;
  /** Marked value of all positions / equity. */
  exposure: number;
}

/** Drawdown, daily loss and exposure of a portfolio. */
export function riskState(portfolio: Portfolio): RiskState {
  let exposureValue = 0;
  for (const position of portfolio.positions) exposureValue += position.amount * position.markPrice;
  return {
    drawdown: portfolio.peakEquity > 0 ? 1 - portfolio.equity / portfolio.peakEquity : 0,
    dailyLoss: portfolio.dayStartEquity > 0 ? 1 - portfolio.equity / portfolio.dayStartEquity : 0,
    exposure: portfolio.equity > 0 ? exposureValue / portfolio.equity : 0,
  };
}

/**
 * Checks an order against the hard limits. Throws RiskLimitError naming the limit; nothing, not a
 * decision nor an API call, places an order without passing here.
 */
export function checkOrder(request: Pick<OrderRequest, 'symbol' | 'side' | 'amount' | 'price'>, context: RiskContext): void {
  const { portfolio, limits } = context;
  const price = request.price ?? context.price;
  const notional = request.amount * price;
  if (context.openOrders >= limits.maxOpenOrders) refuse(request, notional, 'maxOpenOrders', `${context.openOrders} open orders, at most ${limits.maxOpenOrders}`);
  const held = heldAmount(portfolio, request.symbol);
  if (request.side === 'sell') {
    if (request.amount > held * (1 + 1e-9)) refuse(request, notional, 'noShort', `selling ${request.amount} but only ${held} held (no short selling)`);
    return;
  }
  const state = riskState(portfolio);
  const breach = lossBreach(state, limits);
  if (breach !== undefined) refuse(request, notional, breach.limit, breach.message);
  if (limits.maxOrderNotional !== undefined && notional > limits.maxOrderNotional * (1 + 1e-9)) refuse(request, notional, 'maxOrderNotional', `notional ${notional.toFixed(2)} above the limit ${limits.maxOrderNotional}`);
  const tolerance = 1 + 1e-9;
  if ((held * price + notional) > limits.maxPositionFraction * portfolio.equity * tolerance) refuse(request, notional, 'maxPositionFraction', `position would be ${pct((held * price + notional) / portfolio.equity)} of equity, limit ${pct(limits.maxPositionFraction)}`);
  if (state.exposure * portfolio.equity + notional > limits.maxTotalExposure * portfolio.equity * tolerance) refuse(request, notional, 'maxTotalExposure', `exposure would be ${pct(state.exposure + notional / portfolio.equity)}, limit ${pct(limits.maxTotalExposure)}`);
  const cost = notional * (1 + (context.feeRate ?? 0.001));
  if (cost > portfolio.cash * tolerance) refuse(request, notional, 'cash', `costs ${cost.toFixed(2)} with fees, cash is ${portfolio.cash.toFixed(2)}`);
}

/** The amount of a symbol the portfolio holds (0 when none); a loop rather than find and a closure per order. */
function heldAmount(portfolio: Portfolio, symbol: string): number {
  for (const position of portfolio.positions) if (position.symbol === symbol) return position.amount;
  return 0;
}

function refuse(request: Pick<OrderRequest, 'symbol' | 'side' | 'amount'>, notional: number, limit: string, message: string): never {
  throw new RiskLimitError(`${request.side} ${request.amount} ${request.symbol} refused: ${message}`, { details: { limit, symbol: request.symbol, side: request.side, amount: request.amount, notional } });
}

/** The loss limit a portfolio has reached (no new buying), if any. */
export function lossBreach(state: RiskState, limits: RiskLimits): { limit: string; message: string } | undefined {
  // A limit of 1 (100 %) switches the stop off: a drawdown of 1 - 1e-17 rounds to 1 in floating point.
  if (limits.maxDrawdownFraction < 1 && state.drawdown >= limits.maxDrawdownFraction) return { limit: 'maxDrawdownFraction', message: `drawdown ${pct(state.drawdown)} reached the limit ${pct(limits.maxDrawdownFraction)}` };
  if (limits.maxDailyLossFraction < 1 && state.dailyLoss >= limits.maxDailyLossFraction) return { limit: 'maxDailyLossFraction', message: `today's loss ${pct(state.dailyLoss)} reached the limit ${pct(limits.maxDailyLossFraction)}` };
  return undefined;
}

/** An order the gate sized for a decision, or the reason there is none. */
export type SizedOrder = { ok: true; side: OrderSide; amount: number } | { ok: false; reason: string; limit?: string };

/**
 * Turns a BUY/SELL decision into an order size within the limits: BUY spends the planned fraction
 * of equity (the strategist's and risk manager's plan, else the position limit), shrunk to what
 * the position, exposure, order-notional and cash limits allow; SELL closes the position.
 * `action` overrides the decision's (an approved escalation acts on its proposed action).
 */
export function sizeDecision(decision: Pick<Decision, 'action' | 'confidence' | 'symbol' | 'plan'>, context: RiskContext, action: Decision['action'] = decision.action): SizedOrder {
  const { portfolio, limits, price } = context;
  if (action === 'HOLD') return { ok: false, reason: 'HOLD places no order' };
  if (decision.confidence < limits.minConfidence) return { ok: false, reason: `confidence ${decision.confidence} below the minimum ${limits.minConfidence}`, limit: 'minConfidence' };
  const held = heldAmount(portfolio, decision.symbol);
  if (action === 'SELL') return held > 0 ? attempt({ symbol: decision.symbol, side: 'sell', amount: held }, context) : { ok: false, reason: `no ${decision.symbol} position to sell` };
  const state = riskState(portfolio);
  const breach = lossBreach(state, limits);
  if (breach !== undefined) return { ok: false, reason: `buy ${decision.symbol} refused: ${breach.message}`, limit: breach.limit };
  const fraction = Math.min(decision.plan?.sizeFraction ?? limits.maxPositionFraction, limits.maxPositionFraction);
  const feeFactor = 1 + (context.feeRate ?? 0.001);
  const amount = Math.min(
    (fraction * portfolio.equity - held * price) / price,
    (limits.maxTotalExposure - state.exposure) * portfolio.equity / price,
    (limits.maxOrderNotional ?? Number.POSITIVE_INFINITY) / price,
    // All-in sizing as backtrader writes it, so that a backtest can reproduce its numbers exactly.
    (portfolio.cash * (1 - 1e-9)) / (price * feeFactor),
  );
  // Dust (under a millionth of equity) is not worth an order.
  if (!(amount * price > portfolio.equity * 1e-6)) return { ok: false, reason: `no room to buy ${decision.symbol} within the limits`, limit: 'size' };
  return attempt({ symbol: decision.symbol, side: 'buy', amount }, context);
}

function attempt(request: { symbol: string; side: OrderSide; amount: number }, context: RiskContext): SizedOrder {
  try {
    checkOrder(request, context);
    return { ok: true, side: request.side, amount: request.amount };
  } catch (error) {
    if (error instanceof RiskLimitError) return { ok: false, reason: error.message, limit: String(error.details.limit) };
    throw error;
  }
}

const pct = (value: number) => `${(value * 100).toFixed(2)}%`;
