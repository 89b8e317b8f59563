/**
 * The `ia-agents` command as a user runs it: the built `dist/cli.js` in a child process (`npm run
 * build` first; `npm test` does). Downloads go to a local server speaking Binance's REST protocol
 * through the real ccxt client, via `--api-url`.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Candle } from '@ia-agents/core';
import { bundledCandlesPath, createReplayFeed, type BacktestResult } from '@ia-agents/exchange';
import { startLocalBinance, type LocalBinance } from '@ia-agents/exchange/testing';

const run = promisify(execFile);
const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const HOUR = 3_600_000;
const T0 = Date.UTC(2024, 0, 1);
// Binance sends 8-decimal strings; these survive the round trip exactly.
const candle = (index: number): Candle => ({ timestamp: T0 + index * HOUR, open: 42_000 + index, high: 42_100.5 + index, low: 41_900.25 + index, close: 42_050.12345678 + index, volume: 12.5 + index });

/** `ia-agents serve` in a child process, replaying at full speed into a fresh SQLite file: its URL, a GET with the admin token, and a stop. */
async function serving(args: string[], folder: string) {
  const token = 'iaa_cli-serve-admin-token-012345';
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', ...args], { env: { ...process.env, SQLITE_FILE: join(folder, 'serve.db'), ADMIN_TOKEN: token, REPLAY_SPEED: '100000', LOG_LEVEL: 'silent', SCHEDULER_ENABLED: 'false' } });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => void (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => void (output += chunk.toString()));
  for (let attempt = 0; attempt < 200 && !/running at (\S+)/.test(output) && child.exitCode === null; attempt += 1) await new Promise((resolve) => setTimeout(resolve, 50));
  const url = /running at (\S+)/.exec(output)?.[1];
  if (url === undefined) throw new Error(`serve did not start: ${output}`);
  const get = async <T>(path: string) => (await (await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${token}` } })).json()) as T;
  const stop = async () => {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  };
  return { get, stop };
}

describe('ia-agents CLI (the built command in a child process)', () => {
  let folder: string;
  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'ia-agents-cli-'));
  });
  afterEach(() => rmSync(folder, { recursive: true, force: true }));

  describe('data download', () => {
    let binance: LocalBinance;
    beforeEach(async () => {
      binance = await startLocalBinance();
      // 2,500 hourly candles with one missing; Binance answers 1,000 at most a request.
      binance.rest.klines.set('BTCUSDT 1h', Array.from({ length: 2_500 }, (_, index) => candle(index)).filter((entry) => entry.timestamp !== T0 + 700 * HOUR));
    });
    afterEach(() => binance.stop());

    it('writes the CSV the replay feed reads, paging through the history and reporting the gap', async () => {
      const out = join(folder, 'data', 'binance_BTC-USDT_1h.csv');
      const { stdout } = await run(process.execPath, [CLI, 'data', 'download', '--exchange', 'binance', '--symbol', 'BTC/USDT', '--timeframe', '1h', '--since', '2024-01-01', '--until', '2024-02-15', '--out', out, '--api-url', binance.restUrl]);
      // 2024-01-01 to 2024-02-15 is 1,080 hours; one of them is missing on the exchange.
      expect(stdout).toBe(`1079 candles of BTC/USDT 1h from binance (2024-01-01T00:00 -> 2024-02-14T23:00 UTC) -> ${out}\n1 gaps, 1 candles missing on the exchange (the replay feed reports them)\n`);
      expect(binance.rest.sent('GET', '/api/v3/klines').map((request) => [request.params.symbol, request.params.interval, Number(request.params.startTime)])).toEqual([
        ['BTCUSDT', '1h', T0],
        ['BTCUSDT', '1h', T0 + 1_001 * HOUR], // the first page held candles 0 to 1,000 (700 is missing)
      ]);

      const feed = createReplayFeed({ sources: [{ symbol: 'BTC/USDT', path: out }] });
      expect(feed.timeframe).toBe('1h');
      const series = feed.series.get('BTC/USDT')!;
      expect(series.candles).toEqual(Array.from({ length: 1_080 }, (_, index) => candle(index)).filter((entry) => entry.timestamp !== T0 + 700 * HOUR));
      expect(series.gaps).toEqual([{ from: T0 + 700 * HOUR, to: T0 + 701 * HOUR, missing: 1 }]);
    });

    it('fails with the error code and the field for a bad timeframe, leaving no file', async () => {
      const out = join(folder, 'bad.csv');
      const failure = await run(process.execPath, [CLI, 'data', 'download', '-s', 'BTC/USDT', '-t', '7m', '--since', '2024-01-01', '-o', out, '--api-url', binance.restUrl]).catch((error: { code: number; stderr: string }) => error);
      expect(failure).toMatchObject({ code: 1, stderr: expect.stringMatching(/^CONFIG_INVALID: .*timeframe/) });
      expect(existsSync(out)).toBe(false);
    });
  });

  it('lookahead finds none in the seven assistants on the bundled data, and names a bad --cuts', async () => {
    const json = join(folder, 'checks.json');
    const { stdout } = await run(process.execPath, [CLI, 'lookahead', '--data', 'binance_BTC-USDT_1h', '--cuts', '3', '--json', json]);
    const written = JSON.parse(readFileSync(json, 'utf8')) as { lookahead: { ok: boolean; cuts: unknown[] }; warmup: { ok: boolean; warmup: number; starts: unknown[] } };
    expect(written).toMatchObject({ lookahead: { ok: true }, warmup: { ok: true, warmup: 200 } });
    expect([written.lookahead.cuts.length, written.warmup.starts.length]).toEqual([3, 4]);
    expect(stdout).toMatch(/^Look-ahead check: none found\. \d+ decisions in the full run; 3 shortened runs\.\n/);
    expect(stdout.match(/decisions before it are the same/g)).toHaveLength(3);
    expect(stdout).toContain('Warm-up check (200 candles before a live start): every start convenes the team where the backtest does.');
    expect(stdout.match(/BTC\/USDT from .* UTC: the same on all \d+ candles/g)).toHaveLength(4);
    // Too little history for the market monitor's averages: reported, and the exit code says so.
    const short = await run(process.execPath, [CLI, 'lookahead', '--data', 'coinbase_BTC-USD_1h', '--cuts', '1', '--warmup', '30']).catch((error: { code: number; stdout: string }) => error);
    expect(short).toMatchObject({ code: 1, stdout: expect.stringContaining('Warm-up check (30 candles before a live start): a start convenes it elsewhere.') });
    const failure = await run(process.execPath, [CLI, 'lookahead', '--cuts', '1000']).catch((error: { code: number; stderr: string }) => error);
    expect(failure).toMatchObject({ code: 1, stderr: 'CONFIG_INVALID: Invalid look-ahead check options: cuts: 1000 cuts need more than 1001 candles, the data has 585\n' });
  });

  it('backtest, lookahead and serve take the team from --team (JavaScript or TypeScript): a module of the user whose feature read the whole file is caught, and a module without a team is named', async () => {
    // Beside the package, so that the module's import of @ia-agents/core resolves as in a user's project.
    const modules = mkdtempSync(join(fileURLToPath(new URL('../..', import.meta.url)), '.team-'));
    try {
      const team = join(modules, 'team.mjs');
      writeFileSync(team, [
        "import { defineAssistant } from '@ia-agents/core';",
        '// The highest high of the whole file: known only at its end.',
        "export default (candles) => { const high = Math.max(...candles.get('BTC/USDT').map((c) => c.high));",
        "  return { assistants: [defineAssistant({ id: 'peek', analyze: (s) => ({ assistantId: 'peek', action: s.candles.at(-1).close > high * 0.9 ? 'SELL' : 'BUY', confidence: 0.9, reasoning: 'near the high' }) })] }; };",
      ].join('\n'));
      const { stdout } = await run(process.execPath, [CLI, 'backtest', '--team', team, '--out', join(folder, 'team.html')]);
      expect(stdout).toMatch(/Decisions +585/);
      const caught = await run(process.execPath, [CLI, 'lookahead', '--team', team, '--cuts', '2']).catch((error: { code: number; stdout: string }) => error);
      expect(caught).toMatchObject({ code: 1, stdout: expect.stringContaining('Look-ahead check: FOUND.') });
      expect((caught as { stdout: string }).stdout).toContain('    opinions that changed: peek');
      expect((caught as { stdout: string }).stdout).toContain('Warm-up check: the team has no trigger (it is convened every candle): nothing to warm up.');
      // serve --team runs the same module.
      const server = await serving(['--team', team], folder);
      try {
        const { assistants } = await server.get<{ assistants: { id: string }[] }>('/api/v1/assistants');
        expect(assistants.map((assistant) => assistant.id)).toEqual(['peek']);
      } finally {
        await server.stop();
      }
      // The same team in TypeScript, loaded through tsx.
      const typed = join(modules, 'team.ts');
      writeFileSync(typed, [
        "import { defineAssistant, type Assistant, type Candle } from '@ia-agents/core';",
        'export default (candles: ReadonlyMap<string, readonly Candle[]>): { assistants: Assistant[] } => {',
        "  const high: number = Math.max(...candles.get('BTC/USDT')!.map((c) => c.high));",
        "  return { assistants: [defineAssistant({ id: 'peek', analyze: (s) => ({ assistantId: 'peek', action: s.candles.at(-1)!.close > high * 0.9 ? 'SELL' : 'BUY', confidence: 0.9, reasoning: 'near the high' }) })] };",
        '};',
      ].join('\n'));
      const fromTypeScript = await run(process.execPath, [CLI, 'backtest', '--team', typed, '--out', join(folder, 'typed.html')]);
      expect(fromTypeScript.stdout).toMatch(/Decisions +585/);
      expect(fromTypeScript.stdout.split('\n').filter((line) => /^(Total return|Trades)/.test(line))).toEqual(stdout.split('\n').filter((line) => /^(Total return|Trades)/.test(line)));
      const empty = join(modules, 'empty.mjs');
      writeFileSync(empty, 'export default { assistants: [] };');
      const failure = await run(process.execPath, [CLI, 'backtest', '--team', empty]).catch((error: { code: number; stderr: string }) => error);
      expect(failure).toMatchObject({ code: 1, stderr: `CONFIG_INVALID: Invalid command line: team: ${empty} gave no assistants: expected a non-empty array under "assistants"\n` });
    } finally {
      rmSync(modules, { recursive: true, force: true });
    }
  });

  it('train saves a model that backtest --model and serve --model run: its forecast changes what the seven assistants trade; a file that is no model is named', async () => {
    const data = join(folder, 'coinbase-4h.csv');
    writeFileSync(data, readFileSync(bundledCandlesPath('coinbase_BTC-USD_4h'), 'utf8').split('\n').slice(0, 1501).join('\n'));
    const model = join(folder, 'model.json');
    const trained = await run(process.execPath, [CLI, 'train', '--data', data, '--train-size', '1000', '--test-size', '400', '--out', model]);
    expect(trained.stdout).toContain(`Model: ${model}`);
    const year = ['backtest', '--data', 'coinbase_BTC-USD_4h', '--from', '2017-03-01', '--to', '2018-03-01', '--out', join(folder, 'year.html')];
    await run(process.execPath, [CLI, ...year, '--json', join(folder, 'plain.json')]);
    await run(process.execPath, [CLI, ...year, '--model', model, '--json', join(folder, 'model.json.result')]);
    const plain = JSON.parse(readFileSync(join(folder, 'plain.json'), 'utf8')) as BacktestResult;
    const withModel = JSON.parse(readFileSync(join(folder, 'model.json.result'), 'utf8')) as BacktestResult;
    expect(withModel.engine.decisions).toBe(plain.engine.decisions);
    expect(withModel.fills).not.toEqual(plain.fills);
    // Over the candles the model learnt from, the backtest would look ahead: refused, naming the dates.
    const overlap = await run(process.execPath, [CLI, 'backtest', '--data', 'coinbase_BTC-USD_4h', '--to', '2017-03-01', '--model', model]).catch((error: { code: number; stderr: string }) => error);
    expect(overlap).toMatchObject({ code: 1, stderr: expect.stringMatching(/^CONFIG_INVALID: Invalid backtest options: predictor: the model trading-ensemble learnt from the candles of 2016-\S+ \S+ to 2017-\S+ \S+ UTC .*trading starts at 2016-05-18 \S+: it would trade on a future the model has seen/) });
    // serve --model: the server's strategist weighs the same model's forecast (after the 400 candles it needs).
    const server = await serving(['--model', model], folder);
    try {
      let decisions: { rounds: { opinions: { assistantId: string; evidence: { name: string; detail?: string }[] }[] }[] }[] = [];
      for (let attempt = 0; attempt < 200 && decisions.length === 0; attempt += 1) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        decisions = (await server.get<{ decisions: typeof decisions }>('/api/v1/decisions')).decisions;
      }
      const strategist = decisions[0]!.rounds[0]!.opinions.find((opinion) => opinion.assistantId === 'strategist')!;
      expect(strategist.evidence.find((evidence) => evidence.name === 'ml_prediction')?.detail).toMatch(/^trading-ensemble: (BUY|SELL|HOLD) p\(up\)/);
    } finally {
      await server.stop();
    }
    const notModel = join(folder, 'not-a-model.json');
    writeFileSync(notModel, '[1, 2, 3]');
    const failure = await run(process.execPath, [CLI, ...year, '--model', notModel]).catch((error: { code: number; stderr: string }) => error);
    expect(failure).toMatchObject({ code: 1, stderr: expect.stringContaining(`CONFIG_INVALID: Invalid command line: model: ${notModel} is not a model ia-agents train saved: `) });
  });

  it('backtest names the bad --data when it is neither a bundled data set nor a file, and a bad --decide-every', async () => {
    const failure = await run(process.execPath, [CLI, 'backtest', '--data', 'binance_BTC-USDT_4h']).catch((error: { code: number; stderr: string }) => error);
    expect(failure).toMatchObject({ code: 1, stderr: 'CONFIG_INVALID: Invalid command line: data: "binance_BTC-USDT_4h" is neither a bundled data set (coinbase_BTC-USD_4h, coinbase_BTC-USD_1h, binance_BTC-USDT_1h) nor a file\n' });
    const every = await run(process.execPath, [CLI, 'backtest', '--decide-every', '1.5']).catch((error: { code: number; stderr: string }) => error);
    expect(every).toMatchObject({ code: 1, stderr: 'CONFIG_INVALID: Invalid command line: decide-every: expected a whole number, 0 or more, received "1.5"\n' });
  });

  it('backtest draws a progress bar on a terminal and writes the HTML report and byte-identical JSON', async () => {
    const args = (name: string) => [CLI, 'backtest', '--data', 'binance_BTC-USDT_1h', '--out', join(folder, `${name}.html`), '--json', join(folder, `${name}.json`)];
    // `script` gives the command a pseudo-terminal, as a person's shell would: the bar shows only there.
    const quote = (values: string[]) => values.map((value) => `'${value}'`).join(' ');
    const { stdout } = await run('script', ['-qec', `${quote([process.execPath, ...args('first')])}`, '/dev/null']);
    expect(stdout).toMatch(/backtest \[[█░]+\] 100% \| 585\/585/);
    expect(stdout).toMatch(/Total return +-?\d+\.\d\d % +-6\.\d\d %/);
    await run(process.execPath, args('second'));

    const first = readFileSync(join(folder, 'first.json'), 'utf8');
    expect(readFileSync(join(folder, 'second.json'), 'utf8')).toBe(first);
    const result = JSON.parse(first) as BacktestResult;
    expect(result).toMatchObject({ symbols: ['BTC/USDT'], timeframe: '1h', candles: 585 });
    expect(readFileSync(join(folder, 'first.html'), 'utf8')).toContain('<title>IA-AGENTS backtest BTC/USDT</title>');
  });

  it('backtest takes the paper exchange from flags (fee, slippage, fill, the asset a buy pays its fee in), and names a bad one', async () => {
    const json = join(folder, 'flags.json');
    await run(process.execPath, [CLI, 'backtest', '--data', 'binance_BTC-USDT_1h', '--fee', '0.00075', '--slippage', '0', '--fill', 'signal-close', '--buy-fee-in', 'base', '--out', join(folder, 'flags.html'), '--json', json]);
    const result = JSON.parse(readFileSync(json, 'utf8')) as BacktestResult;
    const buy = result.fills.find((fill) => fill.side === 'buy')!;
    const sell = result.fills.find((fill) => fill.side === 'sell')!;
    expect(buy.fee).toEqual({ cost: expect.closeTo(buy.amount * 0.00075, 12), currency: 'BTC' });
    expect(sell.fee).toEqual({ cost: expect.closeTo(sell.amount * sell.price * 0.00075, 9), currency: 'USDT' });
    // At the signal candle's close, without slippage: a fill's price is a candle's close.
    const closes = new Set(readFileSync(bundledCandlesPath('binance_BTC-USDT_1h'), 'utf8').trim().split('\n').slice(1).map((row) => Number(row.split(',')[4])));
    expect(closes.has(buy.price)).toBe(true);
    for (const [flag, value, message] of [['--fill', 'tomorrow', 'fill: expected next-open or signal-close, received "tomorrow"'], ['--fee', 'cheap', 'fee: expected a number, received "cheap"'], ['--buy-fee-in', 'bnb', 'buy-fee-in: expected quote or base, received "bnb"']] as const) {
      const failure = await run(process.execPath, [CLI, 'backtest', flag, value]).catch((error: { code: number; stderr: string }) => error);
      expect(failure).toMatchObject({ code: 1, stderr: `CONFIG_INVALID: Invalid command line: ${message}\n` });
    }
  });

  it('backtest trades several markets together, one --data and --symbol each', async () => {
    // A second market from the bundled file: the same hours at a fiftieth of the price.
    const [header, ...rows] = readFileSync(bundledCandlesPath('binance_BTC-USDT_1h'), 'utf8').trim().split('\n');
    const scaled = rows.map((row) => row.split(',').map((value, index) => (index === 0 || index === 5 ? value : String(Number(value) / 50))).join(','));
    const second = join(folder, 'eth_1h.csv');
    writeFileSync(second, `${header}\n${scaled.join('\n')}\n`);
    const json = join(folder, 'two.json');
    await run(process.execPath, [CLI, 'backtest', '--data', 'binance_BTC-USDT_1h', second, '--symbol', 'BTC/USDT', 'ETH/USDT', '--out', join(folder, 'two.html'), '--json', json]);
    const result = JSON.parse(readFileSync(json, 'utf8')) as BacktestResult;
    expect(result).toMatchObject({ symbols: ['BTC/USDT', 'ETH/USDT'], quoteCurrency: 'USDT', candles: 1_170 });
    expect(Object.keys(result.series.prices)).toEqual(['BTC/USDT', 'ETH/USDT']);
    expect(result.buyAndHold.fills).toBe(2);
  });
});
