import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { timeframeToMs, type Candle, type Timeframe } from '@ia-agents/core';

/** A SUBSCRIBE (or UNSUBSCRIBE) request a client sent. */
export interface StreamRequest {
  method: string;
  params: string[];
  id: number | string;
  /** Connection number, 1 for the first connection, 2 after the first reconnect... */
  connection: number;
}

interface Connection {
  socket: WebSocket;
  number: number;
  streams: Set<string>;
}

const text = (value: number) => value.toFixed(8);

/**
 * A local WebSocket server speaking Binance's spot stream protocol: clients connect to any path
 * (ccxt uses `<ws>/<n>`), send `{"method":"SUBSCRIBE","params":["btcusdt@kline_1m"],"id":1}`,
 * get `{"result":null,"id":1}`, then receive the events pushed to the streams they subscribed
 * (kline, 24hrTicker, depthUpdate). `dropConnections()` cuts every socket as a network failure would.
 * @example
 * const stream = new FakeBinanceStream();
 * const wsUrl = await stream.start();
 * await stream.subscribed('btcusdt@kline_1m');
 * stream.kline('BTCUSDT', '1m', candle, { closed: true });
 */
export class FakeBinanceStream {
  /** Every subscription request, in order. */
  readonly requests: StreamRequest[] = [];
  #http: Server | undefined;
  #wss: WebSocketServer | undefined;
  #connections: Connection[] = [];
  #opened = 0;
  #waiters: { stream: string; count: number; resolve: () => void }[] = [];
  #eventTime = 1;

  /** Starts on 127.0.0.1 with an ephemeral port and returns the base URL (`ws://127.0.0.1:port`). */
  async start(): Promise<string> {
    this.#http = createServer();
    this.#wss = new WebSocketServer({ server: this.#http });
    this.#wss.on('connection', (socket) => this.#accept(socket));
    await new Promise<void>((resolve) => this.#http!.listen(0, '127.0.0.1', resolve));
    return `ws://127.0.0.1:${(this.#http.address() as AddressInfo).port}`;
  }

  /** Closes every socket and the server. */
  async stop(): Promise<void> {
    for (const connection of this.#connections) connection.socket.terminate();
    await new Promise<void>((resolve) => this.#wss?.close(() => resolve()) ?? resolve());
    await new Promise<void>((resolve) => this.#http?.close(() => resolve()) ?? resolve());
  }

  /** Connections opened so far. */
  get connectionsOpened(): number {
    return this.#opened;
  }

  /** Resolves once `count` SUBSCRIBE requests in all have named `stream`. */
  subscribed(stream: string, count = 1): Promise<void> {
    if (this.#subscriptions(stream) >= count) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ stream, count, resolve }));
  }

  /** Cuts every open connection without a closing handshake (what a network failure looks like). */
  dropConnections(): void {
    for (const connection of this.#connections) connection.socket.terminate();
    this.#connections = [];
  }

  /** Pushes a kline event; `closed` is Binance's `x` flag (true on the candle's final update). */
  kline(symbol: string, timeframe: Timeframe, candle: Candle, options: { closed: boolean }): void {
    const length = timeframeToMs(timeframe);
    const time = this.#nextEventTime(candle.timestamp + (options.closed ? length - 1 : 0));
    this.push(`${symbol.toLowerCase()}@kline_${timeframe}`, {
      e: 'kline', E: time, s: symbol,
      k: { t: candle.timestamp, T: candle.timestamp + length - 1, s: symbol, i: timeframe, f: 100, L: 200, o: text(candle.open), c: text(candle.close), h: text(candle.high), l: text(candle.low), v: text(candle.volume), n: 100, x: options.closed, q: text(candle.volume * candle.close), V: text(candle.volume / 2), Q: text((candle.volume / 2) * candle.close), B: '0' },
    });
  }

  /** Pushes a 24hrTicker event. */
  ticker(symbol: string, ticker: { time: number; last: number; bid: number; ask: number; volume: number; changePercent: number }): void {
    const open = ticker.last / (1 + ticker.changePercent / 100);
    this.push(`${symbol.toLowerCase()}@ticker`, {
      e: '24hrTicker', E: ticker.time, s: symbol, p: text(ticker.last - open), P: ticker.changePercent.toFixed(3), w: text(ticker.last), x: text(open), c: text(ticker.last), Q: '0.01000000',
      b: text(ticker.bid), B: '1.00000000', a: text(ticker.ask), A: '1.00000000', o: text(open), h: text(Math.max(open, ticker.last)), l: text(Math.min(open, ticker.last)), v: text(ticker.volume), q: text(ticker.volume * ticker.last),
      O: ticker.time - 86_400_000, C: ticker.time, F: 1, L: 1000, n: 1000,
    });
  }

  /** Pushes a diff-depth event (`U`..`u` are the update ids it covers). */
  depthUpdate(symbol: string, update: { time: number; first: number; last: number; bids: [number, number][]; asks: [number, number][] }): void {
    const levels = (side: [number, number][]) => side.map(([price, amount]) => [text(price), text(amount)]);
    this.push(`${symbol.toLowerCase()}@depth@100ms`, { e: 'depthUpdate', E: update.time, s: symbol, U: update.first, u: update.last, b: levels(update.bids), a: levels(update.asks) });
  }

  /** Sends a raw event to every connection subscribed to `stream`. */
  push(stream: string, payload: unknown): void {
    const message = JSON.stringify(payload);
    for (const connection of this.#connections) if (connection.streams.has(stream)) connection.socket.send(message);
  }

  #nextEventTime(time: number): number {
    this.#eventTime = Math.max(this.#eventTime + 1, time);
    return this.#eventTime;
  }

  #subscriptions(stream: string): number {
    return this.requests.filter((request) => request.method === 'SUBSCRIBE' && request.params.includes(stream)).length;
  }

  #accept(socket: WebSocket): void {
    const connection: Connection = { socket, number: ++this.#opened, streams: new Set() };
    this.#connections.push(connection);
    socket.on('message', (data) => this.#onMessage(connection, String(data)));
    socket.on('close', () => (this.#connections = this.#connections.filter((entry) => entry !== connection)));
  }

  #onMessage(connection: Connection, data: string): void {
    const request = JSON.parse(data) as { method?: string; params?: string[]; id?: number | string };
    if (request.method !== 'SUBSCRIBE' && request.method !== 'UNSUBSCRIBE') return;
    const params = request.params ?? [];
    for (const stream of params) {
      if (request.method === 'SUBSCRIBE') connection.streams.add(stream);
      else connection.streams.delete(stream);
    }
    this.requests.push({ method: request.method, params, id: request.id ?? 0, connection: connection.number });
    connection.socket.send(JSON.stringify({ result: null, id: request.id }));
    for (const waiter of [...this.#waiters]) {
      if (this.#subscriptions(waiter.stream) < waiter.count) continue;
      this.#waiters = this.#waiters.filter((entry) => entry !== waiter);
      waiter.resolve();
    }
  }
}
