import { z } from 'zod';
import type { Clock, Exchange, MarketInfo } from '@ia-agents/core';

/** How a taker fill's price moves against the trader. */
export const slippageSchema = z.discriminatedUnion('model', [
  z.object({
    /** A fixed cost in basis points of the price. */
    model: z.literal('fixed'),
    /** Basis points added to buys and taken from sells. @default 5 */
    bps: z.number().min(0).max(10_000).default(5),
  }),
  z.object({
    /** A base cost plus an impact that grows with the square root of the order's share of the candle's volume. */
    model: z.literal('volume'),
    /** Basis points paid on every taker fill. @default 2 */
    bps: z.number().min(0).max(10_000).default(2),
    /** Basis points paid when the fill takes the whole candle's volume. @default 100 */
    impactBps: z.number().min(0).max(10_000).default(100),
  }),
]);
export type Slippage = z.infer<typeof slippageSchema>;
export type SlippageInput = z.input<typeof slippageSchema>;

const marketInfoSchema = z.object({
  symbol: z.string().min(1),
  base: z.string().min(1),
  quote: z.string().min(1),
  amountStep: z.number().positive().optional(),
  priceStep: z.number().positive().optional(),
  minAmount: z.number().nonnegative().optional(),
  minNotional: z.number().nonnegative().optional(),
});

/** Options of `createPaperExchange`, validated at construction. */
export const paperExchangeOptionsSchema = z.object({
  /** Exchange id reported by `exchange.id`. @default 'paper' */
  id: z.string().min(1).default('paper'),
  /** Starting balances by asset. @default { USDT: 10000 } */
  balances: z.record(z.string().min(1), z.number().finite().nonnegative()).default({ USDT: 10_000 }),
  /** Currency the portfolio is valued in. @default 'USDT' */
  quoteCurrency: z.string().min(1).default('USDT'),
  /** Fee rate of fills that rest on the book (limit orders). @default 0.001 */
  makerFee: z.number().min(0).max(0.1).default(0.001),
  /** Fee rate of fills that take liquidity (market, stops, marketable limits). @default 0.001 */
  takerFee: z.number().min(0).max(0.1).default(0.001),
  /**
   * The asset a buy's fee is charged in: `quote` (the cash pays it, backtrader's way) or `base` (the
   * asset bought pays it, Binance spot's way without BNB: 1 BTC bought at 0.1 % leaves 0.999 BTC).
   * Sells always pay in the quote asset. @default 'quote'
   */
  buyFeeIn: z.enum(['quote', 'base']).default('quote'),
  /** Slippage model of taker fills. @default { model: 'fixed', bps: 5 } */
  slippage: slippageSchema.default({ model: 'fixed', bps: 5 }),
  /**
   * When market orders fill: `next-open` at the open of the candle after the order (no look-ahead),
   * `signal-close` at once at the close of the last candle seen (backtrader's cheat-on-close).
   * @default 'next-open'
   */
  fill: z.enum(['next-open', 'signal-close']).default('next-open'),
  /**
   * Largest share of a candle's volume that fills may take (partial fills beyond it); `null` for no
   * cap. Used when no order book is known. @default 0.1
   */
  volumeShare: z.number().gt(0).max(1).nullable().default(0.1),
  /** Market rules per symbol (amount step, minimums); symbols not listed have none. @default {} */
  markets: z.record(z.string(), marketInfoSchema).default({}),
  /** Recent candles kept per symbol for `fetchOHLCV`. @default 1000 */
  historyLimit: z.number().int().min(1).default(1000),
  /** Prefix of order ids (`<prefix>-<n>`, a counter, so reruns give the same ids). @default 'paper' */
  idPrefix: z.string().min(1).default('paper'),
});

/** Options of `createPaperExchange`. */
export type PaperExchangeOptions = z.input<typeof paperExchangeOptionsSchema> & {
  /**
   * Time source for order and fill times. @default the market time: the open time of the latest
   * candle seen, so a test without a clock never sees a fill before its order.
   */
  clock?: Clock;
  /**
   * Where tickers, order books, candles and market rules come from when the paper exchange has not
   * seen them itself (live paper trading: a `CcxtExchange`). @default none: answer from what was seen
   */
  marketData?: Pick<Exchange, 'fetchTicker' | 'fetchOrderBook' | 'fetchOHLCV' | 'fetchMarket'>;
};

/** Parsed options. */
export type PaperExchangeSettings = z.output<typeof paperExchangeOptionsSchema>;

/** Splits `BTC/USDT` (or `BTC/USDT:USDT`) into base and quote. */
export function splitSymbol(symbol: string): { base: string; quote: string } {
  const [pair = ''] = symbol.split(':');
  const [base, quote] = pair.split('/');
  if (base === undefined || quote === undefined || base === '' || quote === '') {
    throw new RangeError(`symbol "${symbol}" is not of the form BASE/QUOTE`);
  }
  return { base, quote };
}

/** Market rules of a symbol under these settings. */
export function marketFor(settings: PaperExchangeSettings, symbol: string): MarketInfo {
  const known = settings.markets[symbol];
  if (known !== undefined) return { ...known };
  return { symbol, ...splitSymbol(symbol) };
}
