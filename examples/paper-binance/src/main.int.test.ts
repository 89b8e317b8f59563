import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';
import { startLocalBinance } from '@ia-agents/exchange/testing';

const MINUTE = 60_000;

describe('examples/paper-binance', () => {
  it('runs its real code path (REST warm-up, websocket stream, engine, paper fills) against local Binance servers', async () => {
    const { rest, ws, restUrl, wsUrl, stop } = await startLocalBinance();
    onTestFinished(stop);
    // The example runs on the wall clock: candles up to the one forming now.
    const forming = Math.floor(Date.now() / MINUTE) * MINUTE;
    let start = 0;
    const candle = (time: number, index: number) => ({ timestamp: time, open: 40_000 + Math.sin(index / 7) * 500, high: 40_000 + Math.sin(index / 7) * 500 + 30, low: 40_000 + Math.sin(index / 7) * 500 - 30, close: 40_000 + Math.sin((index + 1) / 7) * 500, volume: 5 });
    rest.klines.set('BTCUSDT 1m', Array.from({ length: 300 }, (_, index) => candle(forming - (299 - index) * MINUTE, index)));
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./main.ts', import.meta.url)), '--minutes', '0.15'], { env: { ...process.env, IA_AGENTS_OFFLINE: '', IA_AGENTS_BINANCE_REST_URL: restUrl, IA_AGENTS_BINANCE_WS_URL: wsUrl } });
    let output = '';
    child.stdout.on('data', (chunk) => (output += String(chunk)));
    child.stderr.on('data', (chunk) => (output += String(chunk)));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    await ws.subscribed('btcusdt@kline_1m');
    // Continue right after the warm-up the example asked for (a minute may have turned meanwhile).
    start = Number(rest.sent('GET', '/api/v3/klines')[0]!.params.startTime);
    const next = start + 200 * MINUTE;
    ws.kline('BTCUSDT', '1m', candle(next, 300), { closed: true });
    ws.kline('BTCUSDT', '1m', candle(next + MINUTE, 301), { closed: false });
    expect(await exited).toBe(0);
    // 200 closed candles of warm-up over REST, then the one the stream closed.
    expect(output).toContain('(200 candles so far)');
    expect(output).toContain('(201 candles so far)');
    expect(output).toMatch(/summary: \{"candles":201,/);
    expect(output).toMatch(/portfolio: equity \d+\.\d{2} USDT/);
    expect(rest.sent('GET', '/api/v3/klines')[0]!.params).toMatchObject({ symbol: 'BTCUSDT', interval: '1m' });
    expect([forming - 200 * MINUTE, forming - 199 * MINUTE]).toContain(start);
  });
});
