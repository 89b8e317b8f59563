import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../testing/test-server.js';

interface Frame {
  type: string;
  payload: Record<string, unknown>;
}

function collect(socket: { on(event: 'message', listener: (data: Buffer) => void): void }): Frame[] {
  const frames: Frame[] = [];
  socket.on('message', (data) => frames.push(JSON.parse(data.toString()) as Frame));
  return frames;
}

async function until(check: () => boolean): Promise<void> {
  for (let attempt = 0; attempt < 200 && !check(); attempt += 1) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe('WebSocket /ws', () => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startTestServer();
    await server.app.ready();
  });
  afterEach(async () => {
    await server.close();
  });

  it("streams the caller's own events: a decision with each round's opinions", async () => {
    const bob = await server.app.injectWS(`/ws?token=${server.tokens.bob}`);
    const alice = await server.app.injectWS(`/ws?token=${server.tokens.alice}`);
    const bobFrames = collect(bob);
    const aliceFrames = collect(alice);
    const response = await server.call('bob', { method: 'POST', url: '/api/v1/triggers/consensus', payload: { symbol: 'BTC/USDT' } });
    const { decision } = response.json<{ decision: { id: string } }>();
    await until(() => bobFrames.some((frame) => frame.type === 'decision-make'));
    const made = bobFrames.find((frame) => frame.type === 'decision-make');
    expect(made?.payload).toEqual({ decision: response.json<{ decision: unknown }>().decision });
    const opinions = bobFrames.filter((frame) => frame.type === 'opinion-give').map((frame) => [frame.payload.decisionId, (frame.payload.opinion as { assistantId: string }).assistantId]);
    expect(opinions.slice(0, 3).sort()).toEqual([[decision.id, 'risk-manager'], [decision.id, 'strategist'], [decision.id, 'technical-analyst']]);
    expect(bobFrames.map((frame) => frame.type)).toContain('round-end');
    expect(aliceFrames).toEqual([]);
    bob.terminate();
    alice.terminate();
  });

  it('refuses a connection without a valid token', async () => {
    await expect(server.app.injectWS('/ws')).rejects.toThrow(/401/);
    await expect(server.app.injectWS('/ws?token=iaa_wrong')).rejects.toThrow(/401/);
    await expect(server.app.injectWS(`/ws?token=${server.tokens.alice}&userId=${server.users.bob.id}`)).rejects.toThrow(/403/);
  });

  it("lets an admin follow another user's account", async () => {
    const socket = await server.app.injectWS(`/ws?token=${server.tokens.admin}&userId=${server.users.bob.id}`);
    const frames = collect(socket);
    await server.call('bob', { method: 'POST', url: '/api/v1/triggers/consensus', payload: { symbol: 'BTC/USDT' } });
    await until(() => frames.some((frame) => frame.type === 'decision-make'));
    expect(frames.some((frame) => frame.type === 'decision-make')).toBe(true);
    socket.terminate();
  });
});
