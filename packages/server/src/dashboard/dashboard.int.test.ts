import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../testing/test-server.js';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

describe('dashboard in headless Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let url: string;

  beforeAll(async () => {
    server = await startTestServer();
    url = await server.app.listen({ port: 0, host: '127.0.0.1' });
    browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('shows a decision that arrives over the WebSocket, with each round and the vote, and approves an escalation', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${url}/#token=${server.tokens.alice}`);
    await page.locator('#connection', { hasText: 'live' }).waitFor();
    expect(await page.locator('#equity-chart canvas').count()).toBeGreaterThan(0);
    const pending = await server.store.forUser(server.users.alice.id).listPendingEscalations();
    await page.locator(`[data-escalation="${pending[0]!.id}"]`).waitFor();

    const response = await fetch(`${url}/api/v1/triggers/consensus`, { method: 'POST', headers: { authorization: `Bearer ${server.tokens.alice}`, 'content-type': 'application/json' }, body: JSON.stringify({ symbol: 'BTC/USDT' }) });
    const { decision } = (await response.json()) as { decision: { id: string; rounds: { opinions: unknown[] }[]; action: string } };
    const card = page.locator(`[data-decision="${decision.id}"]`);
    await card.waitFor();
    expect(await card.locator('.round').count()).toBe(decision.rounds.length);
    expect(await card.locator('.round').first().locator('tr[data-assistant]').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-assistant')))).toEqual(['technical-analyst', 'risk-manager', 'strategist']);
    expect(await card.locator('.vote').first().textContent()).toMatch(/^BUY [\d.]+ · SELL [\d.]+ · HOLD [\d.]+ → (BUY|SELL|HOLD) [\d.]+%/);

    const target = pending[0]!.id;
    await page.locator(`[data-escalation="${target}"] button.approve`).click();
    await page.locator(`[data-escalation="${target}"]`).waitFor({ state: 'detached' });
    await page.locator('#status', { hasText: `Approved ${target}` }).waitFor();
    expect(await server.store.forUser(server.users.alice.id).getEscalationResolution(target)).toMatchObject({ approved: true, by: server.users.alice.id });
    expect(errors).toEqual([]);
  });
});
