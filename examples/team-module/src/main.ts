// Your own team from backtest to server with one TypeScript module (src/team.ts):
//   npx ia-agents lookahead --team examples/team-module/src/team.ts   # look-ahead and warm-up checks
//   npx ia-agents backtest --team examples/team-module/src/team.ts    # the backtest, its HTML report
//   npx ia-agents serve --team examples/team-module/src/team.ts       # the server runs it (TEAM_MODULE)
// This program does the same through the libraries, offline on the bundled real Binance BTC/USDT 1h
// candles, and checks that the server (in replay mode) trades what the backtest traded after the
// same warm-up, fill for fill: what was tested is what runs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sleep, type Fill } from '@ia-agents/core';
import { backtestCandles, bundledCandlesPath, checkLookahead, checkWarmup, formatBacktestSummary, formatLookaheadReport, formatWarmupReport, runBacktest } from '@ia-agents/exchange';
import { createServer, loadConfig, loadTeam } from '@ia-agents/server';

const teamFile = fileURLToPath(new URL('./team.ts', import.meta.url));
const build = await loadTeam(teamFile);
const data = [{ symbol: 'BTC/USDT', path: bundledCandlesPath('binance_BTC-USDT_1h') }];
const candles = backtestCandles({ data });

console.log('— 1. the checks (ia-agents lookahead --team src/team.ts)');
const lookahead = await checkLookahead({ data, team: build });
console.log(formatLookaheadReport(lookahead));
const warmup = checkWarmup({ data, trigger: build(candles).trigger!, warmup: 200 });
console.log(formatWarmupReport(warmup));
if (!lookahead.ok || !warmup.ok) throw new Error('the team should pass both checks');

console.log('\n— 2. the server runs the module (ia-agents serve --team src/team.ts), replaying the same candles');
const folder = mkdtempSync(join(tmpdir(), 'ia-agents-team-module-'));
let served: Fill[];
const config = loadConfig({ environment: {}, overrides: { team: teamFile, sqliteFile: join(folder, 'db.sqlite'), port: 0, replaySpeed: 100_000, schedulerEnabled: false, logLevel: 'silent' } });
try {
  const server = await createServer(config);
  await server.listen();
  while (server.account.status() === 'starting' || server.account.status() === 'running') await sleep(100);
  served = (await server.store.forUser(server.owner.user.id).listFills({ limit: 100_000 })).reverse();
  console.log(`the server replayed ${candles.get('BTC/USDT')!.length} candles (${config.replayWarmup} of warm-up) with the team [${server.account.assistantIds.join(', ')}]: ${served.length} fills`);
  await server.close();
} finally {
  rmSync(folder, { recursive: true, force: true });
}

console.log('\n— 3. the backtest (ia-agents backtest --team src/team.ts), trading after the same warm-up');
const tradeFrom = candles.get('BTC/USDT')![config.replayWarmup - 1]!.timestamp + 3_600_000;
const backtest = await runBacktest({ data, ...build(candles), tradeFrom });
console.log(formatBacktestSummary(backtest));

const trade = (fill: Fill) => JSON.stringify([fill.side, fill.timestamp, fill.price, fill.amount, fill.fee]);
const same = served.length === backtest.fills.length && served.every((fill, index) => trade(fill) === trade(backtest.fills[index]!));
if (!same || served.length === 0) throw new Error(`the server's ${served.length} fills differ from the backtest's ${backtest.fills.length}`);
console.log(`\nThe server made the backtest's ${served.length} fills, the same sides, times, prices, amounts and fees.`);
