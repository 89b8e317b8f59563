import { ExchangeError, type MarketInfo, type OcoRequest, type Order, type OrderRequest } from '@ia-agents/core';
import type { CcxtClient } from './ccxt-client.js';
import { toOrder, type CcxtMarket, type CcxtOrder } from './ccxt-mapping.js';
import { checkMarketRules } from '../paper/order-admission.js';

/** ccxt's implicit method for Binance's `POST /api/v3/orderList/oco` (ccxt signs it). */
export const BINANCE_OCO_METHOD = 'privatePostOrderListOco';

/** Whether a ccxt client places native OCO orders through this adapter: Binance's, which has the order-list endpoint. */
export function clientSupportsOco(client: CcxtClient): boolean {
  return client.id === 'binance' && typeof (client as unknown as Record<string, unknown>)[BINANCE_OCO_METHOD] === 'function';
}

/** The two legs of an OCO as the orders they are: sells of the same amount, market on trigger. */
export function ocoLegs(request: OcoRequest): [OrderRequest, OrderRequest] {
  const leg = (type: 'stop-loss' | 'take-profit', { clientOrderId, stopPrice }: OcoRequest['stopLoss']): OrderRequest => ({
    clientOrderId, symbol: request.symbol, side: 'sell', type, amount: request.amount, stopPrice,
    ...(request.decisionId === undefined ? {} : { decisionId: request.decisionId }),
  });
  return [leg('stop-loss', request.stopLoss), leg('take-profit', request.takeProfit)];
}

/**
 * Rounds an OCO to the market's steps (the amount down, both trigger prices to the nearest tick)
 * and checks each leg against the lot and notional minimums (the stop-loss, the lower price, is the
 * one a minimum notional refuses), throwing INVALID_ORDER naming the rule before anything is sent.
 */
export function checkOcoMarketRules(market: MarketInfo, request: OcoRequest): OcoRequest {
  const [stopLoss, takeProfit] = ocoLegs(request).map((leg) => checkMarketRules(market, leg, Number.NaN)) as [OrderRequest, OrderRequest];
  const below = stopLoss.stopPrice!;
  const above = takeProfit.stopPrice!;
  if (!(below < above)) {
    throw new ExchangeError('INVALID_ORDER', `${request.symbol} OCO ${stopLoss.clientOrderId}/${takeProfit.clientOrderId}: at the price step ${market.priceStep} the stop-loss (${below}) is no longer below the take-profit (${above})`, {
      details: { rule: 'priceStep', clientOrderId: stopLoss.clientOrderId, stopLoss: below, takeProfit: above, priceStep: market.priceStep },
    });
  }
  return { ...request, amount: stopLoss.amount, stopLoss: { clientOrderId: stopLoss.clientOrderId, stopPrice: below }, takeProfit: { clientOrderId: takeProfit.clientOrderId, stopPrice: above } };
}

/** NOT_SUPPORTED for an OCO, saying why and what to do instead. Nothing has been sent. */
export function ocoNotSupported(exchangeId: string, request: OcoRequest, reason: string): ExchangeError {
  return new ExchangeError('NOT_SUPPORTED', `createOcoOrder ${request.symbol}: ${reason}; protect the position with the stop-loss alone`, { details: { operation: 'createOcoOrder', exchangeId, symbol: request.symbol } });
}

/** Why a market takes no OCO (not spot, or Binance's `ocoAllowed` is false), undefined when it does. */
export function ocoRefusal(market: CcxtMarket): string | undefined {
  if (market.spot === false) return `${market.symbol} is not a spot market`;
  const info = market.info as { ocoAllowed?: unknown } | undefined;
  return info?.ocoAllowed === false ? `${market.symbol} does not allow OCO orders (ocoAllowed is false)` : undefined;
}

/**
 * The parameters of Binance's `POST /api/v3/orderList/oco` for a sell OCO: a TAKE_PROFIT above and
 * a STOP_LOSS below (both market orders once triggered, like our take-profit and stop-loss), each
 * leg under its own client order id; amount and prices as ccxt formats them for the market.
 */
export function binanceOcoParams(client: CcxtClient, market: CcxtMarket, request: OcoRequest): Record<string, string> {
  return {
    symbol: market.id,
    side: 'SELL',
    quantity: String(client.amountToPrecision(market.symbol, request.amount)),
    aboveType: 'TAKE_PROFIT',
    aboveClientOrderId: request.takeProfit.clientOrderId,
    aboveStopPrice: String(client.priceToPrecision(market.symbol, request.takeProfit.stopPrice)),
    belowType: 'STOP_LOSS',
    belowClientOrderId: request.stopLoss.clientOrderId,
    belowStopPrice: String(client.priceToPrecision(market.symbol, request.stopLoss.stopPrice)),
    newOrderRespType: 'RESULT',
  };
}

/**
 * Our `[stopLoss, takeProfit]` from Binance's answer to an OCO: each leg's report (or, in an ACK
 * answer, its bare id) parsed by ccxt, matched by client order id.
 */
export function binanceOcoOrders(client: CcxtClient, response: unknown, market: CcxtMarket, request: OcoRequest, now: number): [Order, Order] {
  const answer = (response ?? {}) as { orderReports?: unknown[]; orders?: unknown[] };
  const reports = (answer.orderReports ?? answer.orders ?? []) as { clientOrderId?: unknown }[];
  return ocoLegs(request).map((leg) => {
    const report = reports.find((candidate) => candidate.clientOrderId === leg.clientOrderId);
    if (report === undefined) throw new ExchangeError('EXCHANGE_ERROR', `${client.id} answered the OCO ${request.stopLoss.clientOrderId}/${request.takeProfit.clientOrderId} without its leg ${leg.clientOrderId}`, { details: { operation: 'createOcoOrder', clientOrderId: leg.clientOrderId, symbol: request.symbol } });
    const parsed = client.parseOrder(report as Record<string, unknown>, market as never) as unknown as CcxtOrder;
    return toOrder(parsed, { clientOrderId: leg.clientOrderId, type: leg.type, amount: leg.amount, createdAt: now, ...(leg.decisionId === undefined ? {} : { decisionId: leg.decisionId }) });
  }) as [Order, Order];
}

/**
 * Both legs of an OCO on the exchange, looked up by client order id (`fetch`: ccxt's order, raw
 * answer in `info`, undefined when the exchange never saw it). Binance places the legs of a list
 * together or not at all, so an unknown stop-loss means no list: undefined. A client order id
 * naming an order outside this OCO is INVALID_ORDER: sending would place a second order under it,
 * or be refused as a duplicate. `known` gives what this process remembers of an order.
 */
export async function findOcoLegs(request: OcoRequest, fetch: (clientOrderId: string) => Promise<CcxtOrder | undefined>, known: (clientOrderId: string) => Order | undefined): Promise<[Order, Order] | undefined> {
  const [below, above] = ocoLegs(request);
  const stopLoss = await fetch(below.clientOrderId);
  if (stopLoss === undefined) return undefined;
  const takeProfit = await fetch(above.clientOrderId);
  const list = listIdOf(stopLoss);
  if (takeProfit === undefined || list === undefined || listIdOf(takeProfit) !== list) {
    throw new ExchangeError('INVALID_ORDER', `createOcoOrder ${request.symbol}: client order id ${below.clientOrderId} belongs to order ${stopLoss.id}, which is not in an OCO with ${above.clientOrderId}`, { details: { clientOrderId: below.clientOrderId, orderId: stopLoss.id, takeProfitClientOrderId: above.clientOrderId } });
  }
  const fallback = (leg: OrderRequest): Partial<Order> => known(leg.clientOrderId) ?? { clientOrderId: leg.clientOrderId, type: leg.type, amount: leg.amount, ...(leg.decisionId === undefined ? {} : { decisionId: leg.decisionId }) };
  return [toOrder(stopLoss, fallback(below)), toOrder(takeProfit, fallback(above))];
}

/** Binance's order list id of an order (`orderListId` of its raw answer); undefined outside a list (-1). */
function listIdOf(order: CcxtOrder): string | undefined {
  const id = (order.info as { orderListId?: unknown } | undefined)?.orderListId;
  return id === undefined || id === null || String(id) === '-1' ? undefined : String(id);
}
