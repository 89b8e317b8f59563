import { ExchangeError, type MarketInfo, type OrderRequest } from '@ia-agents/core';
import { roundToStep } from '../util/precision.js';
import { takesAt } from './fill-rules.js';
import type { PaperExchangeSettings } from './paper-options.js';
import type { SymbolState } from './paper-order.js';

/**
 * Rounds amount and prices to the market's steps and enforces its minimums, throwing an
 * `INVALID_ORDER` error that names the rule before anything is placed.
 */
export function checkMarketRules(market: MarketInfo, request: OrderRequest, mark: number): OrderRequest {
  // A market without rules (the usual backtest) admits the request as it is.
  if (market.amountStep === undefined && market.priceStep === undefined && market.minAmount === undefined && market.minNotional === undefined) return request;
  const amount = market.amountStep === undefined ? request.amount : roundToStep(request.amount, market.amountStep, 'down');
  const roundPrice = (price: number | undefined) => (price === undefined || market.priceStep === undefined ? price : roundToStep(price, market.priceStep, 'nearest'));
  const price = roundPrice(request.price);
  const stopPrice = roundPrice(request.stopPrice);
  const fail = (rule: string, message: string, values: Record<string, unknown>): never => {
    throw new ExchangeError('INVALID_ORDER', `${request.symbol} order ${request.clientOrderId}: ${message}`, { details: { rule, clientOrderId: request.clientOrderId, ...values } });
  };
  if (!(amount > 0)) fail('amountStep', `amount ${request.amount} rounds to 0 at step ${market.amountStep}`, { amount: request.amount, amountStep: market.amountStep });
  if (market.minAmount !== undefined && amount < market.minAmount) fail('minAmount', `amount ${amount} is below the minimum ${market.minAmount}`, { amount, minAmount: market.minAmount });
  const reference = price ?? stopPrice ?? mark;
  if (market.minNotional !== undefined && reference === reference && amount * reference < market.minNotional) {
    fail('minNotional', `notional ${amount * reference} is below the minimum ${market.minNotional}`, { notional: amount * reference, minNotional: market.minNotional });
  }
  const admitted: OrderRequest = { ...request, amount };
  if (price !== undefined) admitted.price = price;
  if (stopPrice !== undefined) admitted.stopPrice = stopPrice;
  return admitted;
}

/**
 * How much an order locks: of the base it sells, or of the quote a buy may cost at worst (slippage
 * and fee). The asset is the base for a sell, the quote for a buy.
 */
export function lockFor(settings: PaperExchangeSettings, request: OrderRequest, state: SymbolState): number {
  if (request.side === 'sell') return request.amount;
  const reference = buyReference(request, state);
  if (!(reference > 0)) return 0;
  const bps = settings.slippage.model === 'fixed' ? settings.slippage.bps : settings.slippage.bps + settings.slippage.impactBps;
  // A buy whose fee is charged in the asset bought reserves no cash for it.
  const rate = settings.buyFeeIn === 'base' ? 0 : request.type === 'limit' ? Math.max(settings.makerFee, settings.takerFee) : settings.takerFee;
  const slipped = request.type === 'limit' ? reference : reference * (1 + bps / 10_000);
  return request.amount * slipped + request.amount * rate * slipped;
}

function buyReference(request: OrderRequest, state: SymbolState): number {
  if (request.type === 'limit') return request.price!;
  if (request.type === 'trailing-stop') return state.mark * (1 + (request.trailingPercent ?? 0));
  if (request.type !== 'market') return Math.max(request.stopPrice ?? 0, request.price ?? 0);
  return state.book?.asks[0]?.[0] ?? state.mark;
}

/**
 * A post-only order that would execute now is refused before anything is placed, as Binance
 * refuses a LIMIT_MAKER that would match: a buy at or above the best ask (a sell at or below the
 * best bid), or, with no book, at or through the last close. With neither, the order's first
 * candle decides (see the paper exchange's matching).
 */
export function refuseTaking(request: OrderRequest, state: SymbolState): void {
  const best = request.side === 'buy' ? state.book?.asks[0]?.[0] : state.book?.bids[0]?.[0];
  const market = best ?? state.last?.close;
  if (market === undefined || !takesAt(request, market)) return;
  const where = best === undefined ? 'the last close' : request.side === 'buy' ? 'the best ask' : 'the best bid';
  throw new ExchangeError('INVALID_ORDER', `${request.symbol} order ${request.clientOrderId}: post-only ${request.side} at ${request.price} would take liquidity now (${where} is ${market})`, {
    details: { rule: 'postOnly', clientOrderId: request.clientOrderId, price: request.price, market },
  });
}
