import { ExchangeError, type OrderRequest } from '@ia-agents/core';
import type { CcxtMarket } from './ccxt-mapping.js';

/** Binance's TRAILING_DELTA filter of a symbol (BIPS), as `exchangeInfo` gives it. */
interface TrailingDeltaFilter {
  filterType: 'TRAILING_DELTA';
  minTrailingAboveDelta: number;
  maxTrailingAboveDelta: number;
  minTrailingBelowDelta: number;
  maxTrailingBelowDelta: number;
}

/**
 * The `trailingDelta` (BIPS, whole) of a trailing-stop request on Binance spot, where it is a
 * STOP_LOSS (STOP_LOSS_LIMIT with a limit price) carrying `trailingDelta` and no `stopPrice`: a sell
 * triggers once the price falls that far below its highest trade since placing, a buy once it rises
 * that far above its lowest, as the paper exchange's trailing stops do. Our `trailingPercent` is a
 * fraction (0.02 = 2 % = 200 BIPS), rounded to the nearest whole BIPS. Fails before anything is sent:
 * NOT_SUPPORTED on any other exchange or a market without trailing stops, INVALID_ORDER naming the
 * rule when the distance is outside the symbol's TRAILING_DELTA filter.
 */
export function trailingDelta(exchangeId: string, market: CcxtMarket, request: OrderRequest): number {
  const info = (market.info ?? {}) as { allowTrailingStop?: boolean; filters?: { filterType?: string }[] };
  if (exchangeId !== 'binance' || market.spot !== true || info.allowTrailingStop === false) {
    throw new ExchangeError('NOT_SUPPORTED', `${exchangeId} ${request.symbol}: trailing-stop orders go through ccxt to Binance spot only; use a stop-loss here`, { details: { clientOrderId: request.clientOrderId, exchangeId } });
  }
  const bips = Math.round((request.trailingPercent ?? 0) * 10_000);
  const filter = info.filters?.find((entry): entry is TrailingDeltaFilter => entry.filterType === 'TRAILING_DELTA');
  // A sell stop-loss trails below the price (Binance's "below" bounds), a buy one above.
  const [min, max, bounds] = request.side === 'sell' ? [filter?.minTrailingBelowDelta, filter?.maxTrailingBelowDelta, 'Below'] : [filter?.minTrailingAboveDelta, filter?.maxTrailingAboveDelta, 'Above'];
  const lowest = Math.max(1, Number(min ?? 1));
  const highest = Number(max ?? 10_000);
  if (bips < lowest || bips > highest) {
    const percent = (value: number) => `${+(value / 100).toFixed(2)} %`;
    throw new ExchangeError('INVALID_ORDER', `${request.symbol} order ${request.clientOrderId}: trailingPercent ${request.trailingPercent} (${bips} BIPS) is outside ${request.symbol}'s trailing range ${percent(lowest)} to ${percent(highest)}`, {
      details: { rule: 'trailingDelta', clientOrderId: request.clientOrderId, trailingDelta: bips, [`minTrailing${bounds}Delta`]: lowest, [`maxTrailing${bounds}Delta`]: highest },
    });
  }
  return bips;
}
