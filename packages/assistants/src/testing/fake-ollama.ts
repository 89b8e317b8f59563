import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the fake server answers to one `/api/chat` request. */
export interface FakeOllamaReply {
  /** The assistant message content (for structured output: the JSON text). @default '{}' */
  content?: string;
  /** Wait this long before answering, milliseconds. @default 0 */
  delayMs?: number;
  /** Answer with this HTTP status and `{"error": error}` instead. */
  status?: number;
  /** Error text for `status`. */
  error?: string;
  /** Send this raw body as is (e.g. malformed JSON). */
  rawBody?: string;
  /** Reported prompt tokens. @default 42 */
  promptEvalCount?: number;
  /** Reported completion tokens. @default 17 */
  evalCount?: number;
  /** Reported stop reason. @default 'stop' */
  doneReason?: string;
}

/** One request the fake server received. */
export interface FakeOllamaRequest {
  /** HTTP method. */
  method: string;
  /** Path, e.g. `/api/chat`. */
  path: string;
  /** Parsed JSON body (undefined for GET). */
  body: Record<string, unknown> | undefined;
}

/** Settings of startFakeOllama. */
export interface FakeOllamaSettings {
  /** Models the server "has pulled"; a chat for another model gets Ollama's 404. @default ['llama3:8b'] */
  models?: string[];
  /** The reply to each chat request (by call index), or a function of the request. */
  reply?: FakeOllamaReply | ((request: Record<string, unknown>, index: number) => FakeOllamaReply);
}

/** A running fake Ollama server. */
export interface FakeOllama {
  /** Base URL, e.g. `http://127.0.0.1:53211`. */
  url: string;
  /** Every request received, in order. */
  requests: FakeOllamaRequest[];
  /** Stops the server and drops open connections. */
  close(): Promise<void>;
}

/**
 * Starts a local HTTP server on 127.0.0.1 (ephemeral port) that speaks Ollama's `/api/chat`
 * (streamed NDJSON when `stream` is true, one JSON body otherwise, with Ollama's field names and
 * token counts), `/api/tags` and Ollama's `{"error": ...}` bodies, so that the real `ollama`
 * client can be tested, and examples can run, without a model server.
 * @example
 * const server = await startFakeOllama({ reply: { content: '{"action":"HOLD","confidence":0.5,"reasoning":"flat"}' } });
 * const model = new OllamaModel({ host: server.url });
 */
export async function startFakeOllama(settings: FakeOllamaSettings = {}): Promise<FakeOllama> {
  const requests: FakeOllamaRequest[] = [];
  const models = settings.models ?? ['llama3:8b'];
  let chats = 0;
  const server = createServer((request, response) => {
    void readBody(request).then((body) => {
      requests.push({ method: request.method ?? 'GET', path: request.url ?? '/', body });
      if (request.url === '/api/tags') return sendJson(response, 200, { models: models.map(modelEntry) });
      if (request.url !== '/api/chat' || body === undefined) return sendJson(response, 404, { error: '404 page not found' });
      const index = chats++;
      const reply = typeof settings.reply === 'function' ? settings.reply(body, index) : (settings.reply ?? {});
      setTimeout(() => answerChat(response, body, reply, models), reply.delayMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, requests, close: () => closeServer(server) };
}

function answerChat(response: ServerResponse, body: Record<string, unknown>, reply: FakeOllamaReply, models: string[]): void {
  if (response.destroyed) return;
  const model = String(body.model);
  if (!models.includes(model)) return sendJson(response, 404, { error: `model "${model}" not found, try pulling it first` });
  if (reply.status !== undefined) return sendJson(response, reply.status, { error: reply.error ?? 'internal error' });
  if (reply.rawBody !== undefined) return void response.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(reply.rawBody);
  const content = reply.content ?? '{}';
  const final = { model, created_at: new Date(0).toISOString(), message: { role: 'assistant', content: '' }, done: true, done_reason: reply.doneReason ?? 'stop', total_duration: 1_234_000, load_duration: 1_000, prompt_eval_count: reply.promptEvalCount ?? 42, prompt_eval_duration: 100_000, eval_count: reply.evalCount ?? 17, eval_duration: 1_000_000 };
  if (body.stream !== true) return sendJson(response, 200, { ...final, message: { role: 'assistant', content } });
  response.writeHead(200, { 'content-type': 'application/x-ndjson' });
  // Ollama streams the message token by token; a few pieces are enough to exercise reassembly.
  for (const piece of splitInto(content, 4)) response.write(`${JSON.stringify({ model, created_at: final.created_at, message: { role: 'assistant', content: piece }, done: false })}\n`);
  response.end(`${JSON.stringify(final)}\n`);
}

function modelEntry(name: string) {
  return { name, model: name, modified_at: new Date(0).toISOString(), size: 4_661_224_676, digest: 'fake', details: { parent_model: '', format: 'gguf', family: 'llama', families: ['llama'], parameter_size: '8.0B', quantization_level: 'Q4_0' } };
}

function splitInto(text: string, parts: number): string[] {
  const size = Math.max(1, Math.ceil(text.length / parts));
  const pieces: string[] = [];
  for (let i = 0; i < text.length; i += size) pieces.push(text.slice(i, i + size));
  return pieces;
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
}

async function readBody(request: IncomingMessage): Promise<Record<string, unknown> | undefined> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  if (chunks.length === 0) return undefined;
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
