import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { timeframeToMs, type Candle, type Timeframe } from '@ia-agents/core';
import { receivedAsset, type FakeExecution, type FakeOrder } from './fake-binance-server.js';

/** A request a client sent: SUBSCRIBE or UNSUBSCRIBE (its streams), or a WebSocket API method (no streams). */
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
  /** Its user-data subscription (WebSocket API `userDataStream.subscribe.signature`), if any. */
  userData?: number;
}

const text = (value: number) => value.toFixed(8);

/** The keys the fake WebSocket API accepts (those of `createLocalBinanceClient`). */
const API_KEY = 'test-key';
const API_SECRET = 'test-secret';

/**
 * A local WebSocket server speaking Binance's spot stream protocol: clients connect to any path
 * (ccxt uses `<ws>/<n>`), send `{"method":"SUBSCRIBE","params":["btcusdt@kline_1m"],"id":1}`,
 * get `{"result":null,"id":1}`, then receive the events pushed to the streams they subscribed
 * (kline, 24hrTicker, depthUpdate). It also speaks the part of the WebSocket API (`/ws-api/v3`)
 * that ccxt's `watchOrders` uses: `userDataStream.subscribe.signature` (keys and HMAC signature
 * checked), answered with a subscription id, then `executionReport` events wrapped as
 * `{ subscriptionId, event }`. `dropConnections()` cuts every socket as a network failure would.
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
  /** Callers of `subscribed` and `userDataSubscribed`, each until its requests have come. */
  #waiters: { ready: () => boolean; resolve: () => void }[] = [];
  #eventTime = 1;
  #nextSubscription = 0;

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

  /** Connections open now. */
  get openConnections(): number {
    return this.#connections.length;
  }

  /** Resolves once `count` SUBSCRIBE requests in all have named `stream`. */
  subscribed(stream: string, count = 1): Promise<void> {
    return this.#until(() => this.#subscriptions(stream) >= count);
  }

  /** Resolves once `count` user-data subscriptions in all were accepted (one per connection of ccxt's `watchOrders`). */
  userDataSubscribed(count = 1): Promise<void> {
    return this.#until(() => this.#userDataSubscriptions() >= count);
  }

  /**
   * Pushes an executionReport of `order` (as the REST fake holds it, after the change) to every
   * user-data subscription; a TRADE carries the whole order as its last fill, at its average price,
   * as the REST fake's `myTrades` lists it (trade id = order id, no commission, in the asset received).
   */
  executionReport(order: FakeOrder, execution: FakeExecution): void {
    const time = this.#nextEventTime(order.updateTime);
    const executed = Number(order.executedQty);
    const trade = execution === 'TRADE';
    const lastPrice = trade && executed > 0 ? Number(order.cummulativeQuoteQty) / executed : 0;
    const event = {
      e: 'executionReport', E: time, s: order.symbol, c: order.clientOrderId, S: order.side, o: order.type, f: order.timeInForce, q: order.origQty, p: order.price, P: order.stopPrice,
      F: '0.00000000', g: order.orderListId, C: execution === 'CANCELED' ? order.clientOrderId : '', x: execution, X: order.status, r: 'NONE', i: order.orderId,
      l: trade ? order.executedQty : '0.00000000', z: order.executedQty, L: lastPrice.toFixed(8), n: trade ? '0.00000000' : '0', N: trade ? receivedAsset(order) : null, T: order.updateTime, t: trade ? order.orderId : -1, v: 0, I: time,
      w: order.isWorking, m: false, M: trade, O: order.time, Z: order.cummulativeQuoteQty, Y: trade ? order.cummulativeQuoteQty : '0.00000000', Q: '0.00000000', W: order.workingTime, V: order.selfTradePreventionMode,
      // A trailing stop's delta (BIPS), as Binance adds it to the reports of such orders.
      ...(order.trailingDelta === undefined ? {} : { d: order.trailingDelta }),
    };
    for (const connection of this.#connections) if (connection.userData !== undefined) connection.socket.send(JSON.stringify({ subscriptionId: connection.userData, event }));
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

  /** Resolves once `ready()` holds (checked after every request). */
  #until(ready: () => boolean): Promise<void> {
    if (ready()) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ ready, resolve }));
  }

  /** Resolves the waiters whose requests have come. */
  #wake(): void {
    const waiting = this.#waiters;
    this.#waiters = waiting.filter((waiter) => !waiter.ready());
    for (const waiter of waiting) if (!this.#waiters.includes(waiter)) waiter.resolve();
  }

  #userDataSubscriptions(): number {
    return this.requests.filter((request) => request.method === 'userDataStream.subscribe.signature').length;
  }

  /** The WebSocket API's `userDataStream.subscribe.signature`: the key and the HMAC-SHA256 of the sorted parameters must be ours. */
  #subscribeUserData(connection: Connection, id: number | string, params: Record<string, string | number>): void {
    const { signature, ...signed } = params;
    const query = Object.keys(signed).sort().map((key) => `${key}=${signed[key]}`).join('&');
    if (signed.apiKey !== API_KEY || signature !== createHmac('sha256', API_SECRET).update(query).digest('hex')) {
      connection.socket.send(JSON.stringify({ id, status: 400, error: { code: -1022, msg: 'Signature for this request is not valid.' } }));
      return;
    }
    connection.userData = this.#nextSubscription++;
    this.requests.push({ method: 'userDataStream.subscribe.signature', params: [], id, connection: connection.number });
    connection.socket.send(JSON.stringify({ id, status: 200, result: { subscriptionId: connection.userData } }));
    this.#wake();
  }

  #accept(socket: WebSocket): void {
    const connection: Connection = { socket, number: ++this.#opened, streams: new Set() };
    this.#connections.push(connection);
    socket.on('message', (data) => this.#onMessage(connection, String(data)));
    socket.on('close', () => (this.#connections = this.#connections.filter((entry) => entry !== connection)));
  }

  #onMessage(connection: Connection, data: string): void {
    const request = JSON.parse(data) as { method?: string; params?: unknown; id?: number | string };
    if (request.method === 'userDataStream.subscribe.signature') return this.#subscribeUserData(connection, request.id ?? 0, (request.params ?? {}) as Record<string, string | number>);
    if (request.method !== 'SUBSCRIBE' && request.method !== 'UNSUBSCRIBE') return;
    const params = (request.params ?? []) as string[];
    for (const stream of params) {
      if (request.method === 'SUBSCRIBE') connection.streams.add(stream);
      else connection.streams.delete(stream);
    }
    this.requests.push({ method: request.method, params, id: request.id ?? 0, connection: connection.number });
    connection.socket.send(JSON.stringify({ result: null, id: request.id }));
    this.#wake();
  }
}
