import type { AssistantRecord, AuditEntry, ListQuery, Store } from '../interfaces/store.js';
import type { Decision, Fill, Order, Portfolio, TradeOutcome } from '../schemas/index.js';

/** A Store in memory: for tests, examples and backtests that need no database. */
export class MemoryStore implements Store {
  readonly specificationVersion = 'v1' as const;
  readonly decisions = new Map<string, Decision>();
  readonly orders = new Map<string, Order>();
  readonly fills = new Map<string, Fill>();
  readonly portfolios: Portfolio[] = [];
  readonly outcomes: TradeOutcome[] = [];
  readonly assistantRecords = new Map<string, AssistantRecord>();
  readonly audit: AuditEntry[] = [];

  async saveDecision(decision: Decision): Promise<void> {
    this.decisions.set(decision.id, structuredClone(decision));
  }
  async getDecision(id: string): Promise<Decision | undefined> {
    const decision = this.decisions.get(id);
    return decision === undefined ? undefined : structuredClone(decision);
  }
  async listDecisions(query: ListQuery = {}): Promise<Decision[]> {
    return page([...this.decisions.values()], query, (d) => d.createdAt).map((d) => structuredClone(d));
  }
  async saveOrder(order: Order): Promise<void> {
    this.orders.set(order.clientOrderId, { ...order });
  }
  async getOrder(clientOrderId: string): Promise<Order | undefined> {
    const order = this.orders.get(clientOrderId);
    return order === undefined ? undefined : { ...order };
  }
  async listOrders(query: ListQuery = {}): Promise<Order[]> {
    return page([...this.orders.values()], query, (o) => o.createdAt).map((o) => ({ ...o }));
  }
  async saveFill(fill: Fill): Promise<void> {
    this.fills.set(fill.id, { ...fill });
  }
  async listFills(query: ListQuery = {}): Promise<Fill[]> {
    return page([...this.fills.values()], query, (f) => f.timestamp).map((f) => ({ ...f }));
  }
  async savePortfolio(portfolio: Portfolio): Promise<void> {
    this.portfolios.push(structuredClone(portfolio));
  }
  async getLatestPortfolio(): Promise<Portfolio | undefined> {
    const latest = this.portfolios.at(-1);
    return latest === undefined ? undefined : structuredClone(latest);
  }
  async saveOutcome(outcome: TradeOutcome): Promise<void> {
    this.outcomes.push({ ...outcome });
  }
  async listOutcomes(query: ListQuery = {}): Promise<TradeOutcome[]> {
    return page(this.outcomes, query, (o) => o.closedAt);
  }
  async saveAssistantRecord(record: AssistantRecord): Promise<void> {
    this.assistantRecords.set(record.assistantId, { ...record });
  }
  async listAssistantRecords(): Promise<AssistantRecord[]> {
    return [...this.assistantRecords.values()].map((r) => ({ ...r }));
  }
  async appendAudit(entry: AuditEntry): Promise<void> {
    this.audit.push(structuredClone(entry));
  }
  async listAudit(query: ListQuery = {}): Promise<AuditEntry[]> {
    return page(this.audit, query, (e) => e.timestamp);
  }
  async close(): Promise<void> {}
}

function page<T extends object>(items: readonly T[], query: ListQuery, time: (item: T) => number): T[] {
  return items
    .filter((item) => (query.symbol === undefined || (item as { symbol?: string }).symbol === query.symbol) && (query.before === undefined || time(item) < query.before))
    .sort((a, b) => time(b) - time(a))
    .slice(0, query.limit ?? 50);
}
