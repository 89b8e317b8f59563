/** An n8n workflow as its public API takes it. */
export interface N8nWorkflow {
  name: string;
  nodes: { id: string; name: string; type: string; typeVersion: number; position: [number, number]; parameters: Record<string, unknown> }[];
  connections: Record<string, { main: { node: string; type: 'main'; index: number }[][] }>;
  settings: Record<string, unknown>;
}

/** Where the workflows call the server. */
export interface WorkflowTarget {
  /** Base URL of the IA-AGENTS server as n8n reaches it, e.g. `http://server:8000`. */
  serverUrl: string;
  /** A trader API token the workflows send. */
  token: string;
}

function httpNode(target: WorkflowTarget, name: string, path: string, body?: string): N8nWorkflow['nodes'][number] {
  return {
    id: `${name.toLowerCase().replace(/\W+/g, '-')}`,
    name,
    type: 'n8n-nodes-base.httpRequest',
    typeVersion: 4,
    position: [460, 300],
    parameters: {
      method: 'POST',
      url: `${target.serverUrl.replace(/\/$/, '')}/api/v1/triggers/${path}`,
      sendHeaders: true,
      headerParameters: { parameters: [{ name: 'Authorization', value: `Bearer ${target.token}` }] },
      ...(body === undefined ? {} : { sendBody: true, specifyBody: 'json', jsonBody: body }),
      options: {},
    },
  };
}

function chain(name: string, trigger: N8nWorkflow['nodes'][number], action: N8nWorkflow['nodes'][number]): N8nWorkflow {
  return { name, nodes: [trigger, action], connections: { [trigger.name]: { main: [[{ node: action.name, type: 'main', index: 0 }]] } }, settings: { executionOrder: 'v1' } };
}

function schedule(name: string, expression: string): N8nWorkflow['nodes'][number] {
  return { id: 'schedule', name, type: 'n8n-nodes-base.scheduleTrigger', typeVersion: 1, position: [240, 300], parameters: { rule: { interval: [{ field: 'cronExpression', expression }] } } };
}

/**
 * The seed's three workflows (section 3.2), calling the server's trigger routes: Market Monitoring
 * every minute, Consensus Process on a webhook (`POST /webhook/consensus/start` with `{symbol}`),
 * Learning Loop daily.
 */
export function buildWorkflows(target: WorkflowTarget): N8nWorkflow[] {
  const webhook: N8nWorkflow['nodes'][number] = { id: 'webhook', name: 'Consensus request', type: 'n8n-nodes-base.webhook', typeVersion: 2, position: [240, 300], parameters: { httpMethod: 'POST', path: 'consensus/start', responseMode: 'lastNode' } };
  return [
    chain('IA-AGENTS Market Monitoring', schedule('Every minute', '*/1 * * * *'), httpNode(target, 'Run market monitoring', 'monitoring')),
    chain('IA-AGENTS Consensus Process', webhook, httpNode(target, 'Start consensus', 'consensus', '={{ JSON.stringify({ symbol: $json.body.symbol }) }}')),
    chain('IA-AGENTS Learning Loop', schedule('Daily', '0 0 * * *'), httpNode(target, 'Run learning loop', 'learning')),
  ];
}
