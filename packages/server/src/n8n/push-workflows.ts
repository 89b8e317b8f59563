import { IaAgentsError } from '@ia-agents/core';
import type { N8nWorkflow } from './workflows.js';

/** Where and how to push. */
export interface PushWorkflowsOptions {
  /** n8n base URL, e.g. `http://localhost:5678`. */
  n8nUrl: string;
  /** n8n API key (Settings > n8n API), sent as `X-N8N-API-KEY`. */
  apiKey: string;
  /** Attempts per call on network errors and 5xx. @default 3 */
  attempts?: number;
  /** Wait between attempts, ms. @default 1000 */
  retryDelayMs?: number;
  /** Told about each step. */
  log?: (message: string) => void;
  /** HTTP client. @default globalThis.fetch */
  fetch?: typeof fetch;
}

/** What happened to one workflow. */
export interface PushResult {
  name: string;
  id: string;
  action: 'created' | 'updated';
}

async function call(options: PushWorkflowsOptions, method: string, path: string, body?: unknown): Promise<unknown> {
  const attempts = options.attempts ?? 3;
  const http = options.fetch ?? fetch;
  let last: unknown;
  for (let attempt = 1; attempt <= attempts; attempt += 1) {
    try {
      const response = await http(`${options.n8nUrl.replace(/\/$/, '')}/api/v1${path}`, { method, headers: { 'X-N8N-API-KEY': options.apiKey, accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
      const text = await response.text();
      if (response.status === 401 || response.status === 403) throw new IaAgentsError('UNAUTHENTICATED', `n8n refused the API key (${response.status} on ${method} ${path})`);
      if (response.status >= 500) throw new Error(`n8n answered ${response.status} on ${method} ${path}`);
      if (!response.ok) throw new IaAgentsError('VALIDATION_FAILED', `n8n refused ${method} ${path} (${response.status}): ${text}`);
      return text === '' ? undefined : JSON.parse(text);
    } catch (error) {
      if (error instanceof IaAgentsError) throw error;
      last = error;
      options.log?.(`attempt ${attempt}/${attempts} of ${method} ${path} failed: ${(error as Error).message}`);
      if (attempt < attempts) await new Promise((resolve) => setTimeout(resolve, options.retryDelayMs ?? 1000));
    }
  }
  throw new IaAgentsError('UPSTREAM_UNAVAILABLE', `n8n could not be reached at ${options.n8nUrl}: ${(last as Error).message}`, { cause: last });
}

async function existing(options: PushWorkflowsOptions): Promise<Map<string, string>> {
  const byName = new Map<string, string>();
  let cursor: string | undefined;
  do {
    const page = (await call(options, 'GET', `/workflows?limit=250${cursor === undefined ? '' : `&cursor=${encodeURIComponent(cursor)}`}`)) as { data: { id: string; name: string }[]; nextCursor?: string | null };
    for (const workflow of page.data) byName.set(workflow.name, workflow.id);
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return byName;
}

/**
 * What the seed's update-n8n-workflow script does, for several workflows: finds each by name,
 * updates it or creates it, then activates it; network errors and 5xx are retried.
 * @example await pushWorkflows(buildWorkflows({ serverUrl, token }), { n8nUrl: 'http://localhost:5678', apiKey });
 */
export async function pushWorkflows(workflows: readonly N8nWorkflow[], options: PushWorkflowsOptions): Promise<PushResult[]> {
  const ids = await existing(options);
  const results: PushResult[] = [];
  for (const workflow of workflows) {
    const known = ids.get(workflow.name);
    const saved = (await call(options, known === undefined ? 'POST' : 'PUT', known === undefined ? '/workflows' : `/workflows/${known}`, workflow)) as { id: string };
    await call(options, 'POST', `/workflows/${saved.id}/activate`);
    options.log?.(`${known === undefined ? 'created' : 'updated'} and activated "${workflow.name}" (${saved.id})`);
    results.push({ name: workflow.name, id: saved.id, action: known === undefined ? 'created' : 'updated' });
  }
  return results;
}
