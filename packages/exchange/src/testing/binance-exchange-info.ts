/** One spot market of Binance's `GET /api/v3/exchangeInfo`, in the API's own format. */
function spotSymbol(base: string, quote: string, filters: { tickSize: string; minQty: string; stepSize: string; maxQty: string; minNotional: string }) {
  return {
    symbol: `${base}${quote}`, status: 'TRADING', baseAsset: base, baseAssetPrecision: 8, quoteAsset: quote, quotePrecision: 8, quoteAssetPrecision: 8, baseCommissionPrecision: 8, quoteCommissionPrecision: 8,
    orderTypes: ['LIMIT', 'LIMIT_MAKER', 'MARKET', 'STOP_LOSS', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT', 'TAKE_PROFIT_LIMIT'], icebergAllowed: true, ocoAllowed: true, otoAllowed: true, quoteOrderQtyMarketAllowed: true,
    allowTrailingStop: true, cancelReplaceAllowed: true, isSpotTradingAllowed: true, isMarginTradingAllowed: true,
    filters: [
      { filterType: 'PRICE_FILTER', minPrice: filters.tickSize, maxPrice: '1000000.00000000', tickSize: filters.tickSize },
      { filterType: 'LOT_SIZE', minQty: filters.minQty, maxQty: filters.maxQty, stepSize: filters.stepSize },
      { filterType: 'ICEBERG_PARTS', limit: 10 },
      { filterType: 'MARKET_LOT_SIZE', minQty: '0.00000000', maxQty: '80.00000000', stepSize: '0.00000000' },
      { filterType: 'NOTIONAL', minNotional: filters.minNotional, applyMinToMarket: true, maxNotional: '9000000.00000000', applyMaxToMarket: false, avgPriceMins: 5 },
      { filterType: 'TRAILING_DELTA', minTrailingAboveDelta: 10, maxTrailingAboveDelta: 2000, minTrailingBelowDelta: 10, maxTrailingBelowDelta: 2000 },
    ],
    permissions: [], permissionSets: [['SPOT', 'MARGIN']], defaultSelfTradePreventionMode: 'EXPIRE_MAKER', allowedSelfTradePreventionModes: ['EXPIRE_TAKER', 'EXPIRE_MAKER', 'EXPIRE_BOTH'],
  };
}

/**
 * Binance's exchangeInfo for four spot markets (BTC/USDT, ETH/USDT, LTC/USDT, SOL/USDT) with the filters
 * Binance states for them (tick 0.01; lot steps 0.00001 BTC, 0.0001 ETH, 0.001 LTC and SOL; 5 USDT minimum
 * notional). ccxt needs markets loaded before it builds any request; these are the markets that
 * ccxt's recorded Binance request fixtures use.
 */
export const BINANCE_SPOT_EXCHANGE_INFO = {
  timezone: 'UTC', serverTime: 1737635557417, rateLimits: [{ rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 6000 }], exchangeFilters: [],
  symbols: [
    spotSymbol('BTC', 'USDT', { tickSize: '0.01000000', minQty: '0.00001000', stepSize: '0.00001000', maxQty: '9000.00000000', minNotional: '5.00000000' }),
    spotSymbol('ETH', 'USDT', { tickSize: '0.01000000', minQty: '0.00010000', stepSize: '0.00010000', maxQty: '9000.00000000', minNotional: '5.00000000' }),
    spotSymbol('LTC', 'USDT', { tickSize: '0.01000000', minQty: '0.00100000', stepSize: '0.00100000', maxQty: '900000.00000000', minNotional: '5.00000000' }),
    spotSymbol('SOL', 'USDT', { tickSize: '0.01000000', minQty: '0.00100000', stepSize: '0.00100000', maxQty: '900000.00000000', minNotional: '5.00000000' }),
  ],
};
