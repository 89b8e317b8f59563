import { z } from 'zod';
import { candleSchema, fillSchema, orderBookSchema, orderSchema } from '@ia-agents/core';
import { copyOrder, type PaperOrder, type SymbolState } from './paper-order.js';

const positionStateSchema = z.object({
  /** Unified symbol. */
  symbol: z.string().min(1),
  /** Quantity held. */
  amount: z.number().finite().nonnegative(),
  /** Average fill price without fees. */
  costPrice: z.number().finite().nonnegative(),
  /** Average fill price with buy fees. */
  entryPrice: z.number().finite().nonnegative(),
  /** Realised profit after fees. */
  realizedPnl: z.number().finite(),
  /** Opening time. */
  openedAt: z.number().int().nonnegative(),
  /** Latest mark. */
  markPrice: z.number().finite().nonnegative(),
});

/** A saved paper exchange: enough to continue after a restart with the same orders and balances. */
export const paperStateSchema = z.object({
  /** Format version. */
  version: z.literal(1),
  /** Open time of the latest candle seen. */
  marketTime: z.number().int().nonnegative(),
  /** Orders placed so far (numbers the ids). */
  orderCounter: z.number().int().nonnegative(),
  /** Equity marks. */
  equity: z.object({ current: z.number().finite(), peak: z.number().finite(), dayStart: z.number().finite(), day: z.number().int() }),
  /** Total and locked amount by asset. */
  balances: z.record(z.string(), z.object({ total: z.number().finite().nonnegative(), used: z.number().finite().nonnegative() })),
  /** Positions by symbol. */
  positions: z.array(positionStateSchema),
  /** Every order with its matching state. */
  orders: z.array(
    z.object({
      order: orderSchema,
      triggered: z.boolean(),
      extreme: z.number().finite().nullable(),
      locked: z.number().finite().nonnegative(),
      fillCount: z.number().int().nonnegative(),
      /** Open time of the latest candle when the order was placed (absent in older snapshots: its creation time is used). */
      after: z.number().finite().nullable().optional(),
      /** Client order id of the other leg of a one-cancels-the-other pair. */
      oco: z.string().optional(),
    }),
  ),
  /** Every fill. */
  fills: z.array(fillSchema),
  /** Latest candle by symbol (marks, signal-close fills). */
  lastCandles: z.record(z.string(), candleSchema),
  /** Volume of the latest candle that fills already took, by symbol (absent in older snapshots: none). */
  volumeTaken: z.record(z.string(), z.number().finite().nonnegative()).optional(),
  /** Latest order book by symbol, as far as fills left it (absent in older snapshots: none). */
  books: z.record(z.string(), orderBookSchema).optional(),
});
export type PaperExchangeState = z.infer<typeof paperStateSchema>;

/** An order as the snapshot keeps it (NaN extremes become null: JSON has no NaN). */
export function savedOrder(order: PaperOrder): PaperExchangeState['orders'][number] {
  const saved: PaperExchangeState['orders'][number] = { order: copyOrder(order.order), triggered: order.triggered, extreme: Number.isNaN(order.extreme) ? null : order.extreme, locked: order.locked, fillCount: order.fillCount, after: Number.isFinite(order.after) ? order.after : null };
  if (order.oco !== undefined) saved.oco = order.oco;
  return saved;
}

/** A saved order back as the exchange's working order. */
export function paperOrderFromSaved(saved: PaperExchangeState['orders'][number], state: SymbolState, index: number): PaperOrder {
  return {
    order: copyOrder(saved.order),
    index,
    base: state.base,
    quote: state.quote,
    side: saved.order.side,
    type: saved.order.type,
    price: saved.order.price,
    stopPrice: saved.order.stopPrice,
    trailingPercent: saved.order.trailingPercent,
    postOnly: saved.order.postOnly === true,
    triggered: saved.triggered,
    extreme: saved.extreme ?? Number.NaN,
    locked: saved.locked,
    fillCount: saved.fillCount,
    starved: false,
    // Older snapshots: candles opening before the order was created do not fill it (the old rule).
    after: saved.after === undefined ? saved.order.createdAt - 1 : (saved.after ?? Number.NEGATIVE_INFINITY),
    oco: saved.oco,
  };
}
