import { IaAgentsError } from '@ia-agents/core';
import type { AssistantRecord, AuditEntry, Decision, Fill, ListQuery, Order, Portfolio, Position, TradeOutcome } from '@ia-agents/core';
import * as codec from './row-codec.js';
import { BatchWriter } from './batch-writer.js';
import type { LatestPortfolioCache } from './latest-cache.js';
import type { SqlDriver, SqlValue } from './sql-driver.js';
import type { EscalationResolution, SeriesQuery, UserStore } from './server-store.js';

/** Largest page a list call returns. */
export const MAX_LIST_LIMIT = 1000;

/** A condition with one `?` placeholder and its value, or a condition without any. */
interface Filter {
  sql: string;
  value?: SqlValue;
}

/** Builds `WHERE user_id = $1 [AND filters] ORDER BY time DESC, tie DESC LIMIT ..` for a ListQuery. */
function listClause(userId: string, query: ListQuery, timeColumn: string, filters: Filter[] = [], tie = 'seq'): { where: string; params: SqlValue[] } {
  const params: SqlValue[] = [userId];
  const all: Filter[] = [...filters];
  if (query.symbol !== undefined) all.push({ sql: 'symbol = ?', value: query.symbol });
  if (query.before !== undefined) all.push({ sql: `${timeColumn} < ?`, value: query.before });
  let where = 'WHERE user_id = $1';
  for (const filter of all) {
    if (filter.value !== undefined) params.push(filter.value);
    where += ` AND ${filter.sql.replace('?', `$${params.length}`)}`;
  }
  params.push(Math.min(Math.max(Math.trunc(query.limit ?? 50), 1), MAX_LIST_LIMIT));
  return { where: `${where} ORDER BY ${timeColumn} DESC, ${tie} DESC LIMIT $${params.length}`, params };
}

/** Head and tail of the decision upsert (the batch writer puts several rows between them). */
export const DECISION_UPSERT_HEAD = 'INSERT INTO decisions (id, user_id, symbol, action, confidence, reasoning, consensus_reached, escalated, votes, data, created_at) VALUES';
export const DECISION_UPSERT_TAIL = `ON CONFLICT (user_id, id) DO UPDATE SET symbol = excluded.symbol, action = excluded.action, confidence = excluded.confidence,
    reasoning = excluded.reasoning, consensus_reached = excluded.consensus_reached, escalated = excluded.escalated,
    votes = excluded.votes, data = excluded.data, created_at = excluded.created_at`;
const UPSERT_DECISION = `${DECISION_UPSERT_HEAD} ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ${DECISION_UPSERT_TAIL}`;

const INSERT_RESOLUTION = 'INSERT INTO escalation_resolutions (user_id, decision_id, approved, resolved_by, note, resolved_at) VALUES ($1, $2, $3, $4, $5, $6)';

const INSERT_AUDIT = 'INSERT INTO audit_log (user_id, logged_at, actor, action, subject, data) VALUES ($1, $2, $3, $4, $5, $6)';

function auditParams(userId: string, entry: AuditEntry): SqlValue[] {
  return [userId, entry.timestamp, entry.actor, entry.action, entry.subject ?? null, JSON.stringify(entry.data)];
}

/** Core's Store over SQL, scoped to one user: every statement carries `user_id`. */
export class SqlUserStore implements UserStore {
  readonly specificationVersion = 'v1' as const;
  readonly userId: string;
  readonly #driver: SqlDriver;
  readonly #exchange: string;

  readonly #decisions: BatchWriter;
  readonly #latest: LatestPortfolioCache | undefined;

  constructor(driver: SqlDriver, userId: string, exchange = 'paper', decisions = new BatchWriter(driver, DECISION_UPSERT_HEAD, DECISION_UPSERT_TAIL, 11), latest?: LatestPortfolioCache) {
    this.#driver = driver;
    this.userId = userId;
    this.#exchange = exchange;
    this.#decisions = decisions;
    this.#latest = latest;
  }

  async saveDecision(decision: Decision): Promise<void> {
    // A decision saved with its resolution (the engine approving an escalation) records the
    // answer in the same transaction, so the pending list and the decision never disagree.
    const resolution = decision.resolution;
    // A single statement is atomic on its own; concurrent saves share one (group commit). Only a
    // decision with its answer needs a transaction.
    if (resolution === undefined) {
      await this.#decisions.write(`${this.userId}\u0000${decision.id}`, codec.decisionParams(this.userId, decision));
      return;
    }
    await this.#driver.transaction(async (driver) => {
      await driver.run(UPSERT_DECISION, codec.decisionParams(this.userId, decision));
      await driver.run(`${INSERT_RESOLUTION} ON CONFLICT (user_id, decision_id) DO NOTHING`, [this.userId, decision.id, resolution.approved, resolution.by, null, resolution.at]);
    });
  }

  async getDecision(id: string): Promise<Decision | undefined> {
    const rows = await this.#driver.all('SELECT * FROM decisions WHERE user_id = $1 AND id = $2', [this.userId, id]);
    return rows[0] === undefined ? undefined : codec.decisionFromRow(rows[0]);
  }

  async listDecisions(query: ListQuery = {}): Promise<Decision[]> {
    const { where, params } = listClause(this.userId, query, 'created_at');
    return (await this.#driver.all(`SELECT * FROM decisions ${where}`, params)).map(codec.decisionFromRow);
  }

  async saveOrder(order: Order): Promise<void> {
    await this.#driver.run(
      `INSERT INTO orders (user_id, client_order_id, exchange_order_id, decision_id, symbol, side, type, quantity, filled, remaining,
         price, stop_price, trailing_percent, average_price, status, fee_cost, fee_currency, reason, created_at, updated_at, executed_at, post_only)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22)
       ON CONFLICT (user_id, client_order_id) DO UPDATE SET exchange_order_id = excluded.exchange_order_id,
         decision_id = excluded.decision_id, symbol = excluded.symbol, side = excluded.side, type = excluded.type,
         quantity = excluded.quantity, filled = excluded.filled, remaining = excluded.remaining, price = excluded.price,
         stop_price = excluded.stop_price, trailing_percent = excluded.trailing_percent, average_price = excluded.average_price,
         status = excluded.status, fee_cost = excluded.fee_cost, fee_currency = excluded.fee_currency, reason = excluded.reason,
         created_at = excluded.created_at, updated_at = excluded.updated_at, executed_at = excluded.executed_at, post_only = excluded.post_only`,
      codec.orderParams(this.userId, order),
    );
  }

  async getOrder(clientOrderId: string): Promise<Order | undefined> {
    const rows = await this.#driver.all('SELECT * FROM orders WHERE user_id = $1 AND client_order_id = $2', [this.userId, clientOrderId]);
    return rows[0] === undefined ? undefined : codec.orderFromRow(rows[0]);
  }

  async listOrders(query: ListQuery = {}): Promise<Order[]> {
    const { where, params } = listClause(this.userId, query, 'created_at');
    return (await this.#driver.all(`SELECT * FROM orders ${where}`, params)).map(codec.orderFromRow);
  }

  async saveFill(fill: Fill): Promise<void> {
    await this.#driver.run(
      `INSERT INTO fills (user_id, id, order_id, client_order_id, symbol, side, price, quantity, fee_cost, fee_currency, liquidity, executed_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (user_id, id) DO NOTHING`,
      codec.fillParams(this.userId, fill),
    );
  }

  async listFills(query: ListQuery = {}): Promise<Fill[]> {
    const { where, params } = listClause(this.userId, query, 'executed_at');
    return (await this.#driver.all(`SELECT * FROM fills ${where}`, params)).map(codec.fillFromRow);
  }

  async savePortfolio(portfolio: Portfolio): Promise<void> {
    // The valuation and the positions table it implies change together. One valuation per
    // timestamp: a later one at the same time replaces it, so a deterministic replay run twice
    // leaves the same equity curve.
    // Invalidate before and after: a read racing with the write can cache neither the old value
    // nor a value read before the commit.
    this.#latest?.invalidate(this.userId);
    try {
      await this.#writePortfolio(portfolio);
    } finally {
      this.#latest?.invalidate(this.userId);
    }
  }

  async #writePortfolio(portfolio: Portfolio): Promise<void> {
    await this.#driver.transaction(async (driver) => {
      await driver.run('DELETE FROM portfolio WHERE user_id = $1 AND updated_at = $2', [this.userId, portfolio.timestamp]);
      await driver.run(
        `INSERT INTO portfolio (user_id, exchange, quote_currency, total_balance, available_balance, locked_balance, peak_equity, day_start_equity, balances, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
        codec.portfolioParams(this.userId, this.#exchange, portfolio),
      );
      await driver.run('DELETE FROM positions WHERE user_id = $1', [this.userId]);
      for (const position of portfolio.positions) {
        await driver.run(
          `INSERT INTO positions (user_id, symbol, side, quantity, entry_price, current_price, pnl, realized_pnl, created_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
          codec.positionParams(this.userId, position, portfolio.timestamp),
        );
      }
    });
  }

  async getLatestPortfolio(): Promise<Portfolio | undefined> {
    const cache = this.#latest;
    const cached = cache?.lookup(this.userId);
    if (cached?.has === true) return cached.value;
    const generation = cache?.generation(this.userId) ?? 0;
    const rows = await this.#driver.all('SELECT * FROM portfolio WHERE user_id = $1 ORDER BY updated_at DESC, seq DESC LIMIT 1', [this.userId]);
    const value = rows[0] === undefined ? undefined : codec.portfolioFromRow(rows[0]);
    cache?.fill(this.userId, generation, value);
    return value;
  }

  async listPortfolios(query: SeriesQuery = {}): Promise<Portfolio[]> {
    const limit = Math.min(Math.max(Math.trunc(query.limit ?? 1000), 1), 100_000);
    const rows = await this.#driver.all(
      'SELECT * FROM portfolio WHERE user_id = $1 AND updated_at >= $2 ORDER BY updated_at DESC, seq DESC LIMIT $3',
      [this.userId, query.since ?? 0, limit],
    );
    return rows.map(codec.portfolioFromRow).reverse();
  }

  async listPositions(): Promise<Position[]> {
    return (await this.#driver.all('SELECT * FROM positions WHERE user_id = $1 ORDER BY symbol', [this.userId])).map(codec.positionFromRow);
  }

  async saveOutcome(outcome: TradeOutcome): Promise<void> {
    await this.#driver.run(
      `INSERT INTO outcomes (user_id, decision_id, symbol, action, best_action, entry_price, exit_price, price_return, pnl, opened_at, closed_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       ON CONFLICT (user_id, decision_id) DO UPDATE SET symbol = excluded.symbol, action = excluded.action, best_action = excluded.best_action,
         entry_price = excluded.entry_price, exit_price = excluded.exit_price, price_return = excluded.price_return, pnl = excluded.pnl,
         opened_at = excluded.opened_at, closed_at = excluded.closed_at`,
      codec.outcomeParams(this.userId, outcome),
    );
  }

  async listOutcomes(query: ListQuery = {}): Promise<TradeOutcome[]> {
    const { where, params } = listClause(this.userId, query, 'closed_at', [], 'decision_id');
    return (await this.#driver.all(`SELECT * FROM outcomes ${where}`, params)).map(codec.outcomeFromRow);
  }

  async saveAssistantRecord(record: AssistantRecord): Promise<void> {
    await this.#driver.run(
      `INSERT INTO assistant_records (user_id, assistant_id, outcomes, correct, reliability, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (user_id, assistant_id) DO UPDATE SET outcomes = excluded.outcomes, correct = excluded.correct,
         reliability = excluded.reliability, updated_at = excluded.updated_at`,
      [this.userId, record.assistantId, record.outcomes, record.correct, record.reliability, record.updatedAt],
    );
  }

  async listAssistantRecords(): Promise<AssistantRecord[]> {
    const rows = await this.#driver.all('SELECT * FROM assistant_records WHERE user_id = $1 ORDER BY assistant_id', [this.userId]);
    return rows.map(codec.assistantRecordFromRow);
  }

  async appendAudit(entry: AuditEntry): Promise<void> {
    await this.#driver.run(INSERT_AUDIT, auditParams(this.userId, entry));
  }

  async listAudit(query: ListQuery = {}): Promise<AuditEntry[]> {
    const { where, params } = listClause(this.userId, { ...query, symbol: undefined }, 'logged_at');
    return (await this.#driver.all(`SELECT * FROM audit_log ${where}`, params)).map(codec.auditFromRow);
  }

  async listPendingEscalations(query: ListQuery = {}): Promise<Decision[]> {
    const filters: Filter[] = [
      { sql: 'escalated = ?', value: true },
      { sql: 'NOT EXISTS (SELECT 1 FROM escalation_resolutions r WHERE r.user_id = decisions.user_id AND r.decision_id = decisions.id)' },
    ];
    const { where, params } = listClause(this.userId, query, 'created_at', filters);
    return (await this.#driver.all(`SELECT * FROM decisions ${where}`, params)).map(codec.decisionFromRow);
  }

  async resolveEscalation(resolution: EscalationResolution): Promise<EscalationResolution> {
    return this.#driver.transaction(async (driver) => {
      const row = (await driver.all('SELECT * FROM decisions WHERE user_id = $1 AND id = $2', [this.userId, resolution.decisionId]))[0];
      if (row === undefined || !codec.bool(row.escalated)) {
        throw new IaAgentsError('NOT_FOUND', `No escalated decision ${resolution.decisionId}`, { details: { decisionId: resolution.decisionId } });
      }
      const changed = await driver.run(`${INSERT_RESOLUTION} ON CONFLICT (user_id, decision_id) DO NOTHING`, [this.userId, resolution.decisionId, resolution.approved, resolution.by, resolution.note ?? null, resolution.resolvedAt]);
      if (changed === 0) throw new IaAgentsError('CONFLICT', `Escalation ${resolution.decisionId} was already resolved`, { details: { decisionId: resolution.decisionId } });
      const decision: Decision = { ...codec.decisionFromRow(row), resolution: { approved: resolution.approved, by: resolution.by, at: resolution.resolvedAt } };
      await driver.run(UPSERT_DECISION, codec.decisionParams(this.userId, decision));
      const action = resolution.approved ? 'escalation-approved' : 'escalation-rejected';
      await driver.run(INSERT_AUDIT, auditParams(this.userId, { timestamp: resolution.resolvedAt, actor: resolution.by, action, subject: resolution.decisionId, data: { note: resolution.note ?? null } }));
      return resolution;
    });
  }

  async getEscalationResolution(decisionId: string): Promise<EscalationResolution | undefined> {
    const rows = await this.#driver.all('SELECT * FROM escalation_resolutions WHERE user_id = $1 AND decision_id = $2', [this.userId, decisionId]);
    const row = rows[0];
    if (row === undefined) return undefined;
    const resolution: EscalationResolution = { decisionId, approved: codec.bool(row.approved), by: String(row.resolved_by), resolvedAt: codec.num(row.resolved_at) };
    return row.note === null ? resolution : { ...resolution, note: String(row.note) };
  }

  /** Does nothing: the ServerStore that made this store owns the connection. */
  async close(): Promise<void> {}
}
