import type { Decision, Fill, Order, Portfolio, TradeOutcome } from '../schemas/index.js';

/** One entry of the append-only audit log. */
export interface AuditEntry {
  /** When it happened, UTC milliseconds. */
  timestamp: number;
  /** Who did it: a user id, an assistant id or `engine`. */
  actor: string;
  /** What happened, e.g. `decision-made`, `order-placed`. */
  action: string;
  /** What it concerns, e.g. a decision or order id. */
  subject?: string;
  /** Details. */
  data: Record<string, unknown>;
}

/** What the learning loop keeps about an assistant. */
export interface AssistantRecord {
  /** Assistant id. */
  assistantId: string;
  /** Outcomes scored. */
  outcomes: number;
  /** Outcomes where the assistant's vote matched the best action. */
  correct: number;
  /** Learned reliability in [0, 1]. */
  reliability: number;
  /** Last update, UTC milliseconds. */
  updatedAt: number;
}

/** Query for lists, newest first. */
export interface ListQuery {
  /** Only this symbol. */
  symbol?: string;
  /** At most this many. @default 50 */
  limit?: number;
  /** Only items strictly older than this time (pagination). */
  before?: number;
}

/**
 * Persistence for the engine. A decision and the orders it caused are written so that a crash
 * leaves no half-recorded decision: implementations make each call atomic.
 */
export interface Store {
  /** Interface version. */
  readonly specificationVersion: 'v1';
  /** Saves (or replaces) a decision with its transcript. */
  saveDecision(decision: Decision): Promise<void>;
  /** A decision by id. */
  getDecision(id: string): Promise<Decision | undefined>;
  /** Decisions, newest first. */
  listDecisions(query?: ListQuery): Promise<Decision[]>;
  /** Inserts or updates an order (keyed by client order id). */
  saveOrder(order: Order): Promise<void>;
  /** An order by client order id. */
  getOrder(clientOrderId: string): Promise<Order | undefined>;
  /** Orders, newest first. */
  listOrders(query?: ListQuery): Promise<Order[]>;
  /** Records a fill (idempotent on fill id). */
  saveFill(fill: Fill): Promise<void>;
  /**
   * Fills, newest first. Optional: with it, a restarted engine records the fills of orders its
   * store holds as filled without them (a process stopped between placing and recording).
   */
  listFills?(query?: ListQuery): Promise<Fill[]>;
  /** Records a portfolio valuation (the equity curve). */
  savePortfolio(portfolio: Portfolio): Promise<void>;
  /** The latest portfolio valuation. */
  getLatestPortfolio(): Promise<Portfolio | undefined>;
  /** Records the outcome of a decision. */
  saveOutcome(outcome: TradeOutcome): Promise<void>;
  /** Outcomes, newest first. */
  listOutcomes(query?: ListQuery): Promise<TradeOutcome[]>;
  /** Saves the learned record of an assistant. */
  saveAssistantRecord(record: AssistantRecord): Promise<void>;
  /** Every learned record. */
  listAssistantRecords(): Promise<AssistantRecord[]>;
  /** Appends to the audit log. */
  appendAudit(entry: AuditEntry): Promise<void>;
  /** Audit entries, newest first. */
  listAudit(query?: ListQuery): Promise<AuditEntry[]>;
  /** Releases connections. */
  close(): Promise<void>;
}
