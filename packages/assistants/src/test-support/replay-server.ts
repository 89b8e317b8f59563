import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One recorded answer: status, content type and body text. */
export interface RecordedAnswer {
  status?: number;
  contentType: string;
  body: string;
  delayMs?: number;
}

/** A local HTTP server on 127.0.0.1 replaying recorded payloads by path (test-only helper). */
export async function startReplayServer(routes: Record<string, RecordedAnswer>): Promise<{ url: string; requests: { path: string; query: URLSearchParams; accept: string | undefined }[]; close: () => Promise<void> }> {
  const requests: { path: string; query: URLSearchParams; accept: string | undefined }[] = [];
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    requests.push({ path: url.pathname, query: url.searchParams, accept: request.headers.accept });
    const answer = routes[url.pathname];
    if (answer === undefined) return void response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    setTimeout(() => {
      if (!response.destroyed) response.writeHead(answer.status ?? 200, { 'content-type': answer.contentType }).end(answer.body);
    }, answer.delayMs ?? 0);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** Parses RFC 4180 CSV (quoted cells may hold commas, quotes and newlines). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  const endRow = () => {
    row.push(cell);
    rows.push(row);
    row = [];
    cell = '';
  };
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (quoted && char === '"' && text[i + 1] === '"') {
      cell += '"';
      i += 1;
    } else if (char === '"') quoted = !quoted;
    else if (quoted) cell += char;
    else if (char === ',') {
      row.push(cell);
      cell = '';
    } else if (char === '\n') endRow();
    else if (char !== '\r') cell += char;
  }
  if (cell !== '' || row.length > 0) endRow();
  return rows;
}
