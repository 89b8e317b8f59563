import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildDecision, buildEscalation, buildFill, buildOrder, buildPaperState, buildPortfolio } from './fixtures.js';
import type { ServerStore, User } from '../storage/server-store.js';

/** What a contract run needs from an implementation. */
export interface StoreUnderTest {
  /** A migrated, empty store. */
  store: ServerStore;
  /** Runs raw SQL against the same database (to prove database-level guarantees). */
  raw(sql: string): Promise<void>;
  /** Drops everything the store created. */
  cleanup(): Promise<void>;
}

/**
 * The behaviour every ServerStore must have. Run it against each implementation:
 * `describeStoreContract('SqliteStore', async () => ({ store, raw, cleanup }))`.
 */
export function describeStoreContract(name: string, open: () => Promise<StoreUnderTest>): void {
  describe(`${name} (Store contract)`, () => {
    let subject: StoreUnderTest;
    let alice: User;
    let bob: User;

    beforeEach(async () => {
      subject = await open();
      alice = await subject.store.createUser({ username: 'alice', email: 'alice@example.com' });
      bob = await subject.store.createUser({ username: 'bob', email: 'bob@example.com' });
    });
    afterEach(async () => {
      await subject.cleanup();
    });

    it('applies the versioned migrations once', async () => {
      await subject.store.migrate();
      expect(await subject.store.appliedMigrations()).toEqual([1, 2, 3, 4]);
    });

    it('keeps a decision with its whole transcript, and replaces it on save', async () => {
      const store = subject.store.forUser(alice.id);
      const decision = buildDecision();
      await store.saveDecision(decision);
      expect(await store.getDecision('decision-1')).toEqual(decision);
      await store.saveDecision({ ...decision, action: 'SELL' });
      expect((await store.getDecision('decision-1'))?.action).toBe('SELL');
      expect(await store.listDecisions()).toHaveLength(1);
    });

    it('stores every one of many concurrent decision saves (group commit), the last save of an id winning', async () => {
      const store = subject.store.forUser(alice.id);
      const other = subject.store.forUser(bob.id);
      const saves = Array.from({ length: 60 }, (_, index) => buildDecision({ id: `c${index % 50}`, createdAt: 1000 + index, action: index >= 50 ? 'SELL' : 'BUY' }));
      await Promise.all([...saves.map((decision) => store.saveDecision(decision)), other.saveDecision(buildDecision({ id: 'c1' }))]);
      const stored = await store.listDecisions({ limit: 100 });
      expect(stored).toHaveLength(50);
      expect(stored.filter((decision) => decision.action === 'SELL').map((decision) => decision.id).sort()).toEqual(Array.from({ length: 10 }, (_, index) => `c${index}`).sort());
      expect(await other.listDecisions()).toEqual([buildDecision({ id: 'c1' })]);
    });

    it('lists decisions newest first, by symbol, before a time and up to a limit', async () => {
      const store = subject.store.forUser(alice.id);
      for (const [index, symbol] of ['BTC/USDT', 'ETH/USDT', 'BTC/USDT', 'BTC/USDT'].entries()) {
        await store.saveDecision(buildDecision({ id: `d${index}`, symbol, createdAt: 1000 + index }));
      }
      expect((await store.listDecisions()).map((item) => item.id)).toEqual(['d3', 'd2', 'd1', 'd0']);
      expect((await store.listDecisions({ symbol: 'BTC/USDT', limit: 2 })).map((item) => item.id)).toEqual(['d3', 'd2']);
      expect((await store.listDecisions({ before: 1002 })).map((item) => item.id)).toEqual(['d1', 'd0']);
    });

    it('keeps money exact and upserts orders by client order id', async () => {
      const store = subject.store.forUser(alice.id);
      const order = buildOrder({ status: 'open', filled: 0, remaining: 0.30000000000000004, averagePrice: undefined, fee: undefined });
      const { averagePrice: _price, fee: _fee, ...open } = order;
      await store.saveOrder(open);
      expect(await store.getOrder('client-1')).toEqual(open);
      const filled = buildOrder();
      await store.saveOrder(filled);
      expect(await store.getOrder('client-1')).toEqual(filled);
      expect(await store.listOrders()).toEqual([filled]);
      expect(filled.amount).toBe(0.30000000000000004);
    });

    it('keeps whether an order was placed post-only', async () => {
      const store = subject.store.forUser(alice.id);
      const maker = buildOrder({ clientOrderId: 'maker', type: 'limit', price: 100, postOnly: true });
      await store.saveOrder(maker);
      await store.saveOrder(buildOrder({ clientOrderId: 'plain', type: 'limit', price: 100 }));
      expect(await store.getOrder('maker')).toEqual(maker);
      expect((await store.getOrder('plain'))?.postOnly).toBeUndefined();
    });

    it('records a fill once however often it is saved', async () => {
      const store = subject.store.forUser(alice.id);
      await store.saveFill(buildFill());
      await store.saveFill(buildFill());
      expect(await store.listFills()).toEqual([buildFill()]);
    });

    it('keeps the equity curve and the positions of the latest valuation', async () => {
      const store = subject.store.forUser(alice.id);
      const first = buildPortfolio({ timestamp: 1000, positions: [] });
      const second = buildPortfolio({ timestamp: 2000 });
      await store.savePortfolio(first);
      await store.savePortfolio({ ...second, equity: 1 });
      await store.savePortfolio(second);
      expect(await store.getLatestPortfolio()).toEqual(second);
      expect(await store.listPortfolios()).toEqual([first, second]);
      expect(await store.listPositions()).toEqual(second.positions);
    });

    it('never serves a stale latest valuation, even when reads race with writes', async () => {
      const store = subject.store.forUser(alice.id);
      expect(await store.getLatestPortfolio()).toBeUndefined();
      const values = Array.from({ length: 20 }, (_, index) => buildPortfolio({ timestamp: 1000 + index, equity: 10_000 + index }));
      for (const value of values) {
        const [, , after] = await Promise.all([store.getLatestPortfolio(), store.savePortfolio(value), store.getLatestPortfolio()]);
        expect(after === undefined || after.timestamp <= value.timestamp).toBe(true);
        expect(await store.getLatestPortfolio()).toEqual(value);
      }
    });

    it('writes a portfolio and its positions in one transaction', async () => {
      const store = subject.store.forUser(alice.id);
      const good = buildPortfolio({ timestamp: 1000 });
      await store.savePortfolio(good);
      const position = good.positions[0]!;
      // Two positions in one symbol break the positions primary key half-way through the write.
      await expect(store.savePortfolio(buildPortfolio({ timestamp: 2000, positions: [position, position] }))).rejects.toMatchObject({ code: 'CONFLICT' });
      expect(await store.getLatestPortfolio()).toEqual(good);
      expect(await store.listPositions()).toEqual(good.positions);
    });

    it('keeps outcomes and learned assistant records', async () => {
      const store = subject.store.forUser(alice.id);
      const outcome = { decisionId: 'decision-1', symbol: 'BTC/USDT', action: 'BUY' as const, entryPrice: 42_000.12, exitPrice: 42_500.5, priceReturn: 42_500.5 / 42_000.12 - 1, pnl: 150.113, bestAction: 'BUY' as const, openedAt: 1000, closedAt: 2000 };
      await store.saveOutcome(outcome);
      await store.saveOutcome({ ...outcome, decisionId: 'decision-2', pnl: undefined, closedAt: 3000 });
      const { pnl: _pnl, ...withoutPnl } = outcome;
      expect(await store.listOutcomes()).toEqual([{ ...withoutPnl, decisionId: 'decision-2', closedAt: 3000 }, outcome]);
      const record = { assistantId: 'technical-analyst', outcomes: 4, correct: 3, reliability: 0.7, updatedAt: 5000 };
      await store.saveAssistantRecord(record);
      await store.saveAssistantRecord({ ...record, outcomes: 5 });
      expect(await store.listAssistantRecords()).toEqual([{ ...record, outcomes: 5 }]);
    });

    it('appends to an audit log that the database refuses to change', async () => {
      const store = subject.store.forUser(alice.id);
      await store.appendAudit({ timestamp: 1, actor: 'engine', action: 'decision-make', subject: 'decision-1', data: { action: 'BUY' } });
      await store.appendAudit({ timestamp: 2, actor: alice.id, action: 'order-place', data: {} });
      expect(await store.listAudit()).toEqual([
        { timestamp: 2, actor: alice.id, action: 'order-place', data: {} },
        { timestamp: 1, actor: 'engine', action: 'decision-make', subject: 'decision-1', data: { action: 'BUY' } },
      ]);
      await expect(subject.raw("UPDATE audit_log SET action = 'forged'")).rejects.toThrow(/append-only/);
      await expect(subject.raw('DELETE FROM audit_log')).rejects.toThrow(/append-only/);
      expect(await store.listAudit()).toHaveLength(2);
    });

    it("never shows one user's data to another", async () => {
      const aliceStore = subject.store.forUser(alice.id);
      const bobStore = subject.store.forUser(bob.id);
      await aliceStore.saveDecision(buildDecision());
      await aliceStore.saveOrder(buildOrder());
      await aliceStore.savePortfolio(buildPortfolio());
      await aliceStore.appendAudit({ timestamp: 1, actor: 'engine', action: 'x', data: {} });
      expect(await bobStore.getDecision('decision-1')).toBeUndefined();
      expect(await bobStore.listDecisions()).toEqual([]);
      expect(await bobStore.getOrder('client-1')).toBeUndefined();
      expect(await bobStore.getLatestPortfolio()).toBeUndefined();
      expect(await bobStore.listPositions()).toEqual([]);
      expect(await bobStore.listAudit()).toEqual([]);
      await bobStore.saveDecision(buildDecision({ action: 'SELL' }));
      expect((await aliceStore.getDecision('decision-1'))?.action).toBe('BUY');
    });

    it('lists pending escalations and records one answer per escalation with its audit entry', async () => {
      const store = subject.store.forUser(alice.id);
      await store.saveDecision(buildDecision());
      await store.saveDecision(buildEscalation());
      expect((await store.listPendingEscalations()).map((item) => item.id)).toEqual(['escalation-1']);
      const resolution = { decisionId: 'escalation-1', approved: true, by: alice.id, resolvedAt: 5000, note: 'go' };
      expect(await store.resolveEscalation(resolution)).toEqual(resolution);
      expect(await store.getEscalationResolution('escalation-1')).toEqual(resolution);
      expect(await store.listPendingEscalations()).toEqual([]);
      await expect(store.resolveEscalation({ ...resolution, approved: false })).rejects.toMatchObject({ code: 'CONFLICT' });
      await expect(store.resolveEscalation({ ...resolution, decisionId: 'decision-1' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(subject.store.forUser(bob.id).resolveEscalation(resolution)).rejects.toMatchObject({ code: 'NOT_FOUND' });
      expect(await store.listAudit()).toEqual([{ timestamp: 5000, actor: alice.id, action: 'escalation-approved', subject: 'escalation-1', data: { note: 'go' } }]);
      expect((await store.getDecision('escalation-1'))?.resolution).toEqual({ approved: true, by: alice.id, at: 5000 });
    });

    it('treats an escalation saved with its resolution (by the engine) as answered', async () => {
      const store = subject.store.forUser(alice.id);
      await store.saveDecision(buildEscalation());
      await store.saveDecision(buildEscalation({ resolution: { approved: false, by: alice.id, at: 7000 } }));
      expect(await store.listPendingEscalations()).toEqual([]);
      expect(await store.getEscalationResolution('escalation-1')).toEqual({ decisionId: 'escalation-1', approved: false, by: alice.id, resolvedAt: 7000 });
    });

    it('keeps users unique and finds live tokens by hash only', async () => {
      await expect(subject.store.createUser({ username: 'alice', email: 'other@example.com' })).rejects.toMatchObject({ code: 'CONFLICT' });
      expect(await subject.store.findUserByName('bob')).toEqual(bob);
      expect((await subject.store.listUsers()).map((user) => user.username).sort()).toEqual(['alice', 'bob']);
      const token = { id: 'token-1', userId: alice.id, role: 'trader' as const, name: 'cli', tokenHash: 'a'.repeat(64), createdAt: 10 };
      await subject.store.saveApiToken(token);
      expect(await subject.store.findApiToken('a'.repeat(64))).toEqual({ token, user: alice });
      expect(await subject.store.findApiToken('b'.repeat(64))).toBeUndefined();
      await subject.store.revokeApiToken('token-1', 20);
      expect(await subject.store.findApiToken('a'.repeat(64))).toBeUndefined();
    });

    it('keeps user configuration and sealed exchange credentials per user', async () => {
      const config = { userId: alice.id, assistantWeights: { 'technical-analyst': 1.5 }, customRules: [{ name: 'no-doge', symbol: 'DOGE/USDT', effect: 'block-buy' as const, enabled: true }], riskLimits: { maxPositionFraction: 0.1 }, createdAt: 1, updatedAt: 2 };
      await subject.store.saveUserConfig(config);
      expect(await subject.store.getUserConfig(alice.id)).toEqual(config);
      expect(await subject.store.getUserConfig(bob.id)).toBeUndefined();
      await subject.store.saveExchangeCredentials(alice.id, 'binance', 'v1.sealed', 3);
      expect(await subject.store.getExchangeCredentials(alice.id, 'binance')).toBe('v1.sealed');
      expect(await subject.store.getExchangeCredentials(bob.id, 'binance')).toBeUndefined();
    });

    it('keeps one paper account per user, replaced whole on save, its numbers exact', async () => {
      const first = await buildPaperState();
      const second = await buildPaperState({ cash: 5_000, amount: 0.030000000000000002 });
      const bobs = await buildPaperState({ cash: 20_000 });
      expect(await subject.store.getPaperAccount(alice.id)).toBeUndefined();
      await subject.store.savePaperAccount(alice.id, { quoteCurrency: 'USDT', state: first, updatedAt: 10 });
      await subject.store.savePaperAccount(bob.id, { quoteCurrency: 'USDT', state: bobs, updatedAt: 11 });
      expect(await subject.store.getPaperAccount(alice.id)).toEqual({ quoteCurrency: 'USDT', state: first, updatedAt: 10 });
      await subject.store.savePaperAccount(alice.id, { quoteCurrency: 'EUR', state: second, updatedAt: 20 });
      expect(await subject.store.getPaperAccount(alice.id)).toEqual({ quoteCurrency: 'EUR', state: second, updatedAt: 20 });
      expect(second.orders.map((saved) => saved.order.amount)).toEqual([0.030000000000000002, 0.015000000000000001]);
      expect(await subject.store.getPaperAccount(bob.id)).toEqual({ quoteCurrency: 'USDT', state: bobs, updatedAt: 11 });
    });

    it('saves a paper account through the account lease while it is held, and refuses with nothing written once released', async () => {
      const lease = await subject.store.holdAccount(alice.id);
      const held = await buildPaperState();
      await lease.savePaperAccount({ quoteCurrency: 'USDT', state: held, updatedAt: 10 });
      expect(await subject.store.getPaperAccount(alice.id)).toEqual({ quoteCurrency: 'USDT', state: held, updatedAt: 10 });
      await lease.release();
      await expect(lease.savePaperAccount({ quoteCurrency: 'USDT', state: await buildPaperState({ cash: 7_000 }), updatedAt: 20 })).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringContaining(`user ${alice.id} is no longer held by this server`) });
      expect(await subject.store.getPaperAccount(alice.id)).toEqual({ quoteCurrency: 'USDT', state: held, updatedAt: 10 });
    });

    it('keeps a paper account that is not JSON out (PostgreSQL) or reads it as DATA_INVALID naming the user (SQLite)', async () => {
      await subject.store.savePaperAccount(alice.id, { quoteCurrency: 'USDT', state: await buildPaperState(), updatedAt: 10 });
      const broken = subject.raw(`UPDATE paper_accounts SET state = '{"version": 1,' WHERE user_id = '${alice.id}'`);
      if (subject.store.dialect === 'postgres') return void (await expect(broken).rejects.toThrow(/json/i));
      await broken;
      await expect(subject.store.getPaperAccount(alice.id)).rejects.toMatchObject({ code: 'DATA_INVALID', message: expect.stringContaining(alice.id) });
    });
  });
}
