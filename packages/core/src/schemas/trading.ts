import { z } from 'zod';

/** What the team decides to do. */
export const actionSchema = z.enum(['BUY', 'SELL', 'HOLD']);
export type Action = z.infer<typeof actionSchema>;

/** Side of an order. */
export const orderSideSchema = z.enum(['buy', 'sell']);
export type OrderSide = z.infer<typeof orderSideSchema>;

/** Order types every exchange implementation understands. */
export const orderTypeSchema = z.enum(['market', 'limit', 'stop-loss', 'take-profit', 'trailing-stop']);
export type OrderType = z.infer<typeof orderTypeSchema>;

/** Lifecycle of an order. */
export const orderStatusSchema = z.enum(['open', 'partially-filled', 'filled', 'cancelled', 'rejected']);
export type OrderStatus = z.infer<typeof orderStatusSchema>;

/** A fee charged on a fill or an order. */
export const feeSchema = z.object({
  /** Amount charged. */
  cost: z.number().finite().nonnegative(),
  /** Currency the fee is charged in. */
  currency: z.string().min(1),
});
export type Fee = z.infer<typeof feeSchema>;

/** What a caller asks an exchange to do. */
export const orderRequestSchema = z
  .object({
    /** Caller-chosen id; the same id twice never creates a second order. */
    clientOrderId: z.string().min(1).max(36),
    /** Unified symbol, e.g. `BTC/USDT`. */
    symbol: z.string().min(1),
    /** Buy or sell. */
    side: orderSideSchema,
    /** Order type. */
    type: orderTypeSchema,
    /** Quantity in the base asset. */
    amount: z.number().finite().positive(),
    /** Limit price (limit orders; optional limit for stop orders). */
    price: z.number().finite().positive().optional(),
    /** Trigger price of stop-loss and take-profit orders. */
    stopPrice: z.number().finite().positive().optional(),
    /** Trailing distance as a fraction of price (0.02 = 2 %) for trailing-stop orders. */
    trailingPercent: z.number().finite().positive().lt(1).optional(),
    /**
     * Limit orders only: the order must rest on the book and fill as a maker (Binance
     * `LIMIT_MAKER`, ccxt `postOnly`); one that would execute at once is refused (INVALID_ORDER)
     * instead of taking liquidity at the taker fee.
     */
    postOnly: z.boolean().optional(),
    /** Decision that caused this order, when any. */
    decisionId: z.string().optional(),
  })
  .superRefine((request, context) => {
    if (request.postOnly === true && request.type !== 'limit') {
      context.addIssue({ code: 'custom', path: ['postOnly'], message: `only a limit order can be post-only, not a ${request.type} order` });
    }
    if (request.type === 'limit' && request.price === undefined) {
      context.addIssue({ code: 'custom', path: ['price'], message: 'a limit order needs a price' });
    }
    if ((request.type === 'stop-loss' || request.type === 'take-profit') && request.stopPrice === undefined) {
      context.addIssue({ code: 'custom', path: ['stopPrice'], message: `a ${request.type} order needs a stopPrice` });
    }
    if (request.type === 'trailing-stop' && request.trailingPercent === undefined) {
      context.addIssue({ code: 'custom', path: ['trailingPercent'], message: 'a trailing-stop order needs trailingPercent' });
    }
  });
export type OrderRequest = z.infer<typeof orderRequestSchema>;

/**
 * A stop-loss and a take-profit that sell one holding: the first to fill cancels the other
 * (one-cancels-the-other). Placed together because each alone would reserve the whole holding,
 * leaving nothing for the other leg.
 */
export const ocoRequestSchema = z
  .object({
    /** Unified symbol, e.g. `BTC/USDT`. */
    symbol: z.string().min(1),
    /** Quantity in the base asset that either leg sells. */
    amount: z.number().finite().positive(),
    /** The protective stop below the market. */
    stopLoss: z.object({ clientOrderId: z.string().min(1).max(36), stopPrice: z.number().finite().positive() }).strict(),
    /** The profit target above the market. */
    takeProfit: z.object({ clientOrderId: z.string().min(1).max(36), stopPrice: z.number().finite().positive() }).strict(),
    /** Decision that caused these orders, when any. */
    decisionId: z.string().optional(),
  })
  .strict()
  .superRefine((request, context) => {
    if (request.stopLoss.stopPrice >= request.takeProfit.stopPrice) context.addIssue({ code: 'custom', path: ['takeProfit', 'stopPrice'], message: `the take-profit (${request.takeProfit.stopPrice}) must be above the stop-loss (${request.stopLoss.stopPrice})` });
    if (request.stopLoss.clientOrderId === request.takeProfit.clientOrderId) context.addIssue({ code: 'custom', path: ['takeProfit', 'clientOrderId'], message: 'the two legs need different client order ids' });
  });
export type OcoRequest = z.infer<typeof ocoRequestSchema>;

/** An order as the exchange knows it. */
export const orderSchema = z.object({
  /** Exchange-assigned id. */
  id: z.string().min(1),
  /** The caller's id (see OrderRequest). */
  clientOrderId: z.string().min(1),
  /** Unified symbol. */
  symbol: z.string().min(1),
  /** Buy or sell. */
  side: orderSideSchema,
  /** Order type. */
  type: orderTypeSchema,
  /** Requested quantity, base asset. */
  amount: z.number().finite().nonnegative(),
  /** Quantity filled so far. */
  filled: z.number().finite().nonnegative(),
  /** Quantity still open. */
  remaining: z.number().finite().nonnegative(),
  /** Limit price, when any. */
  price: z.number().finite().positive().optional(),
  /** Trigger price of stop orders, when any. */
  stopPrice: z.number().finite().positive().optional(),
  /** Trailing distance of trailing-stop orders. */
  trailingPercent: z.number().finite().positive().optional(),
  /** Placed post-only: it rests and fills as a maker, or is refused (see OrderRequest). */
  postOnly: z.boolean().optional(),
  /** Volume-weighted price of the fills so far. */
  averagePrice: z.number().finite().positive().optional(),
  /** Lifecycle state. */
  status: orderStatusSchema,
  /** Total fee paid on the fills so far. */
  fee: feeSchema.optional(),
  /** Why the order was rejected or cancelled, when it was. */
  reason: z.string().optional(),
  /** Decision that caused the order, when any. */
  decisionId: z.string().optional(),
  /** Creation time, UTC milliseconds. */
  createdAt: z.number().int().nonnegative(),
  /** Last change, UTC milliseconds. */
  updatedAt: z.number().int().nonnegative(),
});
export type Order = z.infer<typeof orderSchema>;

/** One execution against an order. */
export const fillSchema = z.object({
  /** Unique id of the fill. */
  id: z.string().min(1),
  /** Exchange order id. */
  orderId: z.string().min(1),
  /** Client order id of the order. */
  clientOrderId: z.string().min(1),
  /** Unified symbol. */
  symbol: z.string().min(1),
  /** Buy or sell. */
  side: orderSideSchema,
  /** Execution price. */
  price: z.number().finite().positive(),
  /** Executed quantity, base asset. */
  amount: z.number().finite().positive(),
  /** Fee charged for this fill. */
  fee: feeSchema,
  /** Whether the fill added (maker) or took (taker) liquidity. */
  liquidity: z.enum(['maker', 'taker']),
  /** Execution time, UTC milliseconds. */
  timestamp: z.number().int().nonnegative(),
});
export type Fill = z.infer<typeof fillSchema>;

/** Free, locked and total amount of one asset. */
export const balanceSchema = z.object({
  /** Available to trade. */
  free: z.number().finite().nonnegative(),
  /** Locked in open orders. */
  used: z.number().finite().nonnegative(),
  /** free + used. */
  total: z.number().finite().nonnegative(),
});
export type Balance = z.infer<typeof balanceSchema>;

/** Balances by asset code. */
export const balancesSchema = z.record(z.string(), balanceSchema);
export type Balances = z.infer<typeof balancesSchema>;

/** A holding in one symbol (spot: long only). */
export const positionSchema = z.object({
  /** Unified symbol, e.g. `BTC/USDT`. */
  symbol: z.string().min(1),
  /** Quantity held, base asset. */
  amount: z.number().finite().nonnegative(),
  /** Volume-weighted entry price of what is held (fees included). */
  averageEntryPrice: z.number().finite().nonnegative(),
  /** Latest mark price used for the unrealised PnL. */
  markPrice: z.number().finite().nonnegative(),
  /** Profit realised by sales so far, quote currency, after fees. */
  realizedPnl: z.number().finite(),
  /** (markPrice - averageEntryPrice) * amount. */
  unrealizedPnl: z.number().finite(),
  /** When the position was opened, UTC milliseconds. */
  openedAt: z.number().int().nonnegative(),
});
export type Position = z.infer<typeof positionSchema>;

/** Everything a trader owns at one moment, valued in the quote currency. */
export const portfolioSchema = z.object({
  /** Valuation time, UTC milliseconds. */
  timestamp: z.number().int().nonnegative(),
  /** Currency everything is valued in, e.g. `USDT`. */
  quoteCurrency: z.string().min(1),
  /** Free quote currency. */
  cash: z.number().finite(),
  /** Cash plus the marked value of every position. */
  equity: z.number().finite(),
  /** Highest equity seen so far (drawdown reference). */
  peakEquity: z.number().finite(),
  /** Equity at the start of the current UTC day (daily-loss reference). */
  dayStartEquity: z.number().finite(),
  /** Balances by asset. */
  balances: balancesSchema,
  /** Open positions. */
  positions: z.array(positionSchema),
});
export type Portfolio = z.infer<typeof portfolioSchema>;

/** Hard limits that no decision, assistant or API call can bypass. */
export const riskLimitsSchema = z.object({
  /** Largest value of one position as a fraction of equity. @default 0.25 */
  maxPositionFraction: z.number().gt(0).max(1).default(0.25),
  /** Largest value of all positions together as a fraction of equity. @default 1 */
  maxTotalExposure: z.number().gt(0).max(1).default(1),
  /** Largest notional of one order, quote currency; absent means no limit (JSON has no Infinity). */
  maxOrderNotional: z.number().positive().optional(),
  /** Stop opening positions once the day's loss reaches this fraction of day-start equity (1 = off). @default 0.05 */
  maxDailyLossFraction: z.number().gt(0).max(1).default(0.05),
  /** Stop opening positions once equity is this far below its peak (1 = off). @default 0.2 */
  maxDrawdownFraction: z.number().gt(0).max(1).default(0.2),
  /**
   * Smallest decision confidence that may trade. Decision confidence is the winning action's
   * weighted conviction among the voters (two of three equal voters agreeing at 0.6 give 0.4).
   * @default 0.4
   */
  minConfidence: z.number().min(0).max(1).default(0.4),
  /** Most open orders at once. @default 10 */
  maxOpenOrders: z.number().int().positive().default(10),
});
export type RiskLimits = z.infer<typeof riskLimitsSchema>;
export type RiskLimitsInput = z.input<typeof riskLimitsSchema>;

/** The realised result of acting on a decision, fed back to the assistants. */
export const tradeOutcomeSchema = z.object({
  /** Decision the outcome belongs to. */
  decisionId: z.string().min(1),
  /** Unified symbol. */
  symbol: z.string().min(1),
  /** What the decision did. */
  action: actionSchema,
  /** Price when the decision was made (or the entry fill). */
  entryPrice: z.number().finite().positive(),
  /** Price at the end of the evaluation horizon (or the exit fill). */
  exitPrice: z.number().finite().positive(),
  /** Relative price move over the horizon: exit / entry - 1. */
  priceReturn: z.number().finite(),
  /** Realised profit of the trade in quote currency, when it traded. */
  pnl: z.number().finite().optional(),
  /** Action that would have been right in hindsight. */
  bestAction: actionSchema,
  /** Decision time, UTC milliseconds. */
  openedAt: z.number().int().nonnegative(),
  /** Evaluation time, UTC milliseconds. */
  closedAt: z.number().int().nonnegative(),
});
export type TradeOutcome = z.infer<typeof tradeOutcomeSchema>;
