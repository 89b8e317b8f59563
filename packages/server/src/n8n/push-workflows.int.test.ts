import { createServer, type IncomingMessage, type Server } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pushWorkflows } from './push-workflows.js';
import { buildWorkflows } from './workflows.js';

interface Seen { method: string; path: string; key: string | undefined; body: unknown }

/** A local server speaking n8n's public REST API (/api/v1/workflows), with injectable failures. */
class FakeN8n {
  readonly seen: Seen[] = [];
  readonly workflows = new Map<string, { id: string; name: string; active: boolean; nodes: unknown[] }>();
  failNext = 0;
  #server: Server | undefined;
  #next = 1;

  async start(): Promise<string> {
    this.#server = createServer((request, response) => void this.#handle(request).then(([status, body]) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    }));
    await new Promise<void>((resolve) => this.#server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.#server!.address() as { port: number }).port}`;
  }

  async stop(): Promise<void> {
    await new Promise((resolve) => this.#server?.close(resolve));
  }

  async #handle(request: IncomingMessage): Promise<[number, unknown]> {
    let text = '';
    for await (const chunk of request) text += String(chunk);
    const url = new URL(request.url ?? '/', 'http://n8n');
    const body: unknown = text === '' ? undefined : JSON.parse(text);
    this.seen.push({ method: request.method ?? '', path: url.pathname, key: request.headers['x-n8n-api-key'] as string | undefined, body });
    if (this.failNext > 0) {
      this.failNext -= 1;
      return [503, { message: 'starting up' }];
    }
    if (request.headers['x-n8n-api-key'] !== 'n8n-key') return [401, { message: 'unauthorized' }];
    const match = /^\/api\/v1\/workflows(?:\/([^/]+))?(\/activate)?$/.exec(url.pathname);
    if (match === null) return [404, { message: 'not found' }];
    const [, id, activate] = match;
    if (request.method === 'GET') return [200, { data: [...this.workflows.values()].map(({ id: key, name, active }) => ({ id: key, name, active })), nextCursor: null }];
    if (activate !== undefined) {
      const workflow = this.workflows.get(id!);
      if (workflow === undefined) return [404, { message: 'no workflow' }];
      workflow.active = true;
      return [200, workflow];
    }
    const input = body as { name: string; nodes: unknown[]; active?: unknown };
    if ('active' in input) return [400, { message: 'request/body must NOT have additional properties' }];
    const key = id ?? String(this.#next++);
    if (id !== undefined && !this.workflows.has(id)) return [404, { message: 'no workflow' }];
    this.workflows.set(key, { id: key, name: input.name, active: this.workflows.get(key)?.active ?? false, nodes: input.nodes });
    return [200, this.workflows.get(key)];
  }
}

describe('ia-agents n8n push', () => {
  let n8n: FakeN8n;
  let url: string;
  beforeEach(async () => {
    n8n = new FakeN8n();
    url = await n8n.start();
  });
  afterEach(async () => {
    await n8n.stop();
  });

  const workflows = buildWorkflows({ serverUrl: 'http://server:8000/', token: 'iaa_trader' });

  it('creates and activates the three workflows, then updates them in place on a second push', async () => {
    const first = await pushWorkflows(workflows, { n8nUrl: url, apiKey: 'n8n-key' });
    expect(first.map((result) => [result.name, result.action])).toEqual([
      ['IA-AGENTS Market Monitoring', 'created'],
      ['IA-AGENTS Consensus Process', 'created'],
      ['IA-AGENTS Learning Loop', 'created'],
    ]);
    expect([...n8n.workflows.values()].map((workflow) => workflow.active)).toEqual([true, true, true]);
    const monitoring = n8n.seen.find((request) => request.method === 'POST' && request.path === '/api/v1/workflows')!.body as ReturnType<typeof buildWorkflows>[number];
    expect(monitoring.nodes[1]!.parameters).toMatchObject({ method: 'POST', url: 'http://server:8000/api/v1/triggers/monitoring', headerParameters: { parameters: [{ name: 'Authorization', value: 'Bearer iaa_trader' }] } });
    expect(n8n.seen.every((request) => request.key === 'n8n-key')).toBe(true);
    const second = await pushWorkflows(workflows, { n8nUrl: url, apiKey: 'n8n-key' });
    expect(second).toEqual(first.map((result) => ({ ...result, action: 'updated' })));
    expect(n8n.workflows.size).toBe(3);
    expect(n8n.seen.filter((request) => request.method === 'PUT').map((request) => request.path)).toEqual(['/api/v1/workflows/1', '/api/v1/workflows/2', '/api/v1/workflows/3']);
  });

  it('retries while n8n answers 5xx, and names a bad API key or an unreachable n8n', async () => {
    n8n.failNext = 2;
    const log: string[] = [];
    await pushWorkflows(workflows.slice(0, 1), { n8nUrl: url, apiKey: 'n8n-key', retryDelayMs: 1, log: (line) => log.push(line) });
    expect(log.slice(0, 2)).toEqual(['attempt 1/3 of GET /workflows?limit=250 failed: n8n answered 503 on GET /workflows?limit=250', 'attempt 2/3 of GET /workflows?limit=250 failed: n8n answered 503 on GET /workflows?limit=250']);
    await expect(pushWorkflows(workflows, { n8nUrl: url, apiKey: 'wrong', retryDelayMs: 1 })).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    await n8n.stop();
    await expect(pushWorkflows(workflows, { n8nUrl: url, apiKey: 'n8n-key', retryDelayMs: 1 })).rejects.toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
  });
});
