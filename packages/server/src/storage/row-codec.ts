import type { AssistantRecord, AuditEntry, Decision, Fill, Order, Portfolio, Position, TradeOutcome } from '@ia-agents/core';
import type { SqlRow, SqlValue } from './sql-driver.js';

// Money goes to the database as the shortest decimal string that reads back as the same double,
// so NUMERIC/TEXT columns hold it exactly and nothing is rounded on the way in or out.

/** A number as an exact decimal string. */
export function money(value: number): string {
  return String(value);
}

/** An optional number as an exact decimal string or NULL. */
export function optionalMoney(value: number | undefined): string | null {
  return value === undefined ? null : String(value);
}

/** A NUMERIC/TEXT/BIGINT cell as a number. */
export function num(value: unknown): number {
  return typeof value === 'number' ? value : Number(value);
}

/** An optional cell as a number. */
export function optionalNum(value: unknown): number | undefined {
  return value === null || value === undefined ? undefined : num(value);
}

/** A JSON/JSONB cell as a value. */
export function json<T>(value: unknown): T {
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}

/** A BOOLEAN/INTEGER cell as a boolean. */
export function bool(value: unknown): boolean {
  return value === true || value === 1 || value === '1' || value === 't';
}

function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined)) as T;
}

/** Parameters of a decision row (see the INSERT in sql-store.ts). */
export function decisionParams(userId: string, decision: Decision): SqlValue[] {
  const { rounds, votes, ...rest } = decision;
  return [decision.id, userId, decision.symbol, decision.action, money(decision.confidence), JSON.stringify(rounds), decision.consensusReached, decision.escalated, JSON.stringify(votes), JSON.stringify(rest), decision.createdAt];
}

/** A decision from its row. */
export function decisionFromRow(row: SqlRow): Decision {
  return { ...json<Omit<Decision, 'rounds' | 'votes'>>(row.data), votes: json(row.votes), rounds: json(row.reasoning) };
}

/** Parameters of an order row. */
export function orderParams(userId: string, order: Order): SqlValue[] {
  const executedAt = order.status === 'filled' ? order.updatedAt : null;
  return [userId, order.clientOrderId, order.id, order.decisionId ?? null, order.symbol, order.side, order.type, money(order.amount), money(order.filled), money(order.remaining), optionalMoney(order.price), optionalMoney(order.stopPrice), optionalMoney(order.trailingPercent), optionalMoney(order.averagePrice), order.status, optionalMoney(order.fee?.cost), order.fee?.currency ?? null, order.reason ?? null, order.createdAt, order.updatedAt, executedAt, order.postOnly === true ? true : null];
}

/** An order from its row. */
export function orderFromRow(row: SqlRow): Order {
  return defined<Order>({
    id: String(row.exchange_order_id),
    clientOrderId: String(row.client_order_id),
    symbol: String(row.symbol),
    side: row.side as Order['side'],
    type: row.type as Order['type'],
    amount: num(row.quantity),
    filled: num(row.filled),
    remaining: num(row.remaining),
    price: optionalNum(row.price),
    stopPrice: optionalNum(row.stop_price),
    trailingPercent: optionalNum(row.trailing_percent),
    postOnly: bool(row.post_only) ? true : undefined,
    averagePrice: optionalNum(row.average_price),
    status: row.status as Order['status'],
    fee: row.fee_cost === null || row.fee_cost === undefined ? undefined : { cost: num(row.fee_cost), currency: String(row.fee_currency) },
    reason: row.reason === null ? undefined : (row.reason as string),
    decisionId: row.decision_id === null ? undefined : (row.decision_id as string),
    createdAt: num(row.created_at),
    updatedAt: num(row.updated_at),
  });
}

/** Parameters of a fill row. */
export function fillParams(userId: string, fill: Fill): SqlValue[] {
  return [userId, fill.id, fill.orderId, fill.clientOrderId, fill.symbol, fill.side, money(fill.price), money(fill.amount), money(fill.fee.cost), fill.fee.currency, fill.liquidity, fill.timestamp];
}

/** A fill from its row. */
export function fillFromRow(row: SqlRow): Fill {
  return {
    id: String(row.id),
    orderId: String(row.order_id),
    clientOrderId: String(row.client_order_id),
    symbol: String(row.symbol),
    side: row.side as Fill['side'],
    price: num(row.price),
    amount: num(row.quantity),
    fee: { cost: num(row.fee_cost), currency: String(row.fee_currency) },
    liquidity: row.liquidity as Fill['liquidity'],
    timestamp: num(row.executed_at),
  };
}

/** Parameters of a portfolio row. */
export function portfolioParams(userId: string, exchange: string, portfolio: Portfolio): SqlValue[] {
  const locked = Object.values(portfolio.balances).reduce((sum, balance) => sum + balance.used, 0);
  return [userId, exchange, portfolio.quoteCurrency, money(portfolio.equity), money(portfolio.cash), money(locked), money(portfolio.peakEquity), money(portfolio.dayStartEquity), JSON.stringify({ balances: portfolio.balances, positions: portfolio.positions }), portfolio.timestamp];
}

/** A portfolio from its row. */
export function portfolioFromRow(row: SqlRow): Portfolio {
  const extra = json<Pick<Portfolio, 'balances' | 'positions'>>(row.balances);
  return {
    timestamp: num(row.updated_at),
    quoteCurrency: String(row.quote_currency),
    cash: num(row.available_balance),
    equity: num(row.total_balance),
    peakEquity: num(row.peak_equity),
    dayStartEquity: num(row.day_start_equity),
    balances: extra.balances,
    positions: extra.positions,
  };
}

/** Parameters of a position row (seed `positions`: spot positions are LONG). */
export function positionParams(userId: string, position: Position, timestamp: number): SqlValue[] {
  return [userId, position.symbol, 'LONG', money(position.amount), money(position.averageEntryPrice), money(position.markPrice), money(position.unrealizedPnl), money(position.realizedPnl), position.openedAt, timestamp];
}

/** A position from its row. */
export function positionFromRow(row: SqlRow): Position {
  return {
    symbol: String(row.symbol),
    amount: num(row.quantity),
    averageEntryPrice: num(row.entry_price),
    markPrice: num(row.current_price),
    realizedPnl: num(row.realized_pnl),
    unrealizedPnl: num(row.pnl),
    openedAt: num(row.created_at),
  };
}

/** Parameters of an outcome row. */
export function outcomeParams(userId: string, outcome: TradeOutcome): SqlValue[] {
  return [userId, outcome.decisionId, outcome.symbol, outcome.action, outcome.bestAction, money(outcome.entryPrice), money(outcome.exitPrice), money(outcome.priceReturn), optionalMoney(outcome.pnl), outcome.openedAt, outcome.closedAt];
}

/** An outcome from its row. */
export function outcomeFromRow(row: SqlRow): TradeOutcome {
  return defined<TradeOutcome>({
    decisionId: String(row.decision_id),
    symbol: String(row.symbol),
    action: row.action as TradeOutcome['action'],
    entryPrice: num(row.entry_price),
    exitPrice: num(row.exit_price),
    priceReturn: num(row.price_return),
    pnl: optionalNum(row.pnl),
    bestAction: row.best_action as TradeOutcome['bestAction'],
    openedAt: num(row.opened_at),
    closedAt: num(row.closed_at),
  });
}

/** An assistant record from its row. */
export function assistantRecordFromRow(row: SqlRow): AssistantRecord {
  return { assistantId: String(row.assistant_id), outcomes: num(row.outcomes), correct: num(row.correct), reliability: num(row.reliability), updatedAt: num(row.updated_at) };
}

/** An audit entry from its row. */
export function auditFromRow(row: SqlRow): AuditEntry {
  return defined<AuditEntry>({ timestamp: num(row.logged_at), actor: String(row.actor), action: String(row.action), subject: row.subject === null ? undefined : (row.subject as string), data: json(row.data) });
}
