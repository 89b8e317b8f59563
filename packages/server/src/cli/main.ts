#!/usr/bin/env node
import { Command } from 'commander';
import { isIaAgentsError } from '@ia-agents/core';
import { backtest, dataDownload, lookahead, n8nPush, serve, train } from './commands.js';

const program = new Command('ia-agents').description('IA-AGENTS: a team of AI assistants that analyse, debate, vote and trade only when they agree.').version('0.1.0');

program
  .command('serve')
  .description('Start the server: API, WebSocket, dashboard, engine and scheduler (embedded defaults: SQLite, paper exchange, replayed candles, rule-based assistants)')
  .option('-c, --config <file>', 'JSON config file (see the README for keys; env vars override it)')
  .option('-p, --port <port>', 'port to listen on (default 8000, env PORT)')
  .option('--host <host>', 'interface to listen on (default 127.0.0.1, env HOST)')
  .option('--team <module>', 'your team instead of the seven assistants: the module `backtest --team` and `lookahead --team` take (env TEAM_MODULE)')
  .option('--model <file>', 'a model `ia-agents train` saved, its forecast in every snapshot, as `backtest --model` (env MODEL_FILE)')
  .action((options) => serve(options));

program
  .command('paper')
  .description('Paper trading on live exchange data: ccxt REST candles, simulated fills (needs internet)')
  .option('-c, --config <file>', 'JSON config file')
  .option('-p, --port <port>', 'port to listen on')
  .option('--team <module>', 'your team instead of the seven assistants (env TEAM_MODULE)')
  .option('--model <file>', 'a model `ia-agents train` saved (env MODEL_FILE)')
  .action((options) => serve(options, { mode: 'paper' }));

/** The flags of a backtest's markets and paper exchange (`backtest` and `lookahead` share them). */
function backtestFlags(command: Command): Command {
  return command
    .option('-d, --data <name|file...>', 'bundled candles (coinbase_BTC-USD_4h, coinbase_BTC-USD_1h, binance_BTC-USDT_1h) or CSV files, one market each, traded together', 'binance_BTC-USDT_1h')
    .option('-s, --symbol <symbol...>', 'symbol of each CSV file, in the same order, e.g. BTC/USDT ETH/USDT')
    .option('--from <date>', 'first candle, e.g. 2019-10-01')
    .option('--to <date>', 'end (exclusive)')
    .option('--min-confidence <n>', 'smallest decision confidence that trades (default: core RiskLimits, 0.4)')
    .option('--fee <rate>', 'maker and taker fee rate, e.g. 0.00075 (default 0.001)')
    .option('--slippage <bps>', 'slippage of taker fills in basis points (default 5)')
    .option('--fill <when>', "market orders fill at the next candle's open (next-open, the default) or at the signal candle's close (signal-close)")
    .option('--buy-fee-in <asset>', "a buy's fee is paid in the cash (quote, the default) or in the asset bought (base, as on Binance)")
    .option('--team <module>', 'an ES module whose default export is (candles) => ({ assistants, trigger?, consensus? }) or such an object: your team instead of the seven assistants')
    .option('--model <file>', 'a model `ia-agents train` saved: its forecast goes into every snapshot (the strategist weighs it), as the server\'s MODEL_FILE')
    .option('--decide-every <n>', "besides the team's trigger, convene it every n candles, as the server's DECIDE_EVERY (default 12 for the seven assistants, 0 with --team)");
}

backtestFlags(program.command('backtest').description('Backtest the seven assistants on history, with a progress bar and an HTML report'))
  .option('--cash <amount>', 'starting cash', '10000')
  .option('--seed <n>', 'seed of ids')
  .option('-o, --out <file>', 'HTML report', 'backtest-report.html')
  .option('--json <file>', 'also write the result as JSON')
  .option('--learning', 'the assistants learn from outcomes during the run, as the server\'s do (a server replay of the same candles then trades what this backtest trades)')
  .action((options) => backtest(options));

backtestFlags(program.command('lookahead').description('Look for look-ahead bias and a too-short live warm-up: backtest the seven assistants on all the data, then cut short at several points (every decision before a cut must come out the same), and run their trigger from --warmup candles before several starts beside the one that saw everything (exit code 1 when either differs)'))
  .option('--cuts <n>', 'shortened runs, spread evenly over the data', '4')
  .option('--warmup <n>', "candles of history before a live start (the server's REPLAY_WARMUP, default 200)")
  .option('--json <file>', 'also write both reports as JSON ({ lookahead, warmup })')
  .action((options) => lookahead(options));

program
  .command('train')
  .description('Train the ML ensemble with walk-forward evaluation and save it as JSON')
  .option('-d, --data <name|file>', 'bundled candles or a CSV file', 'coinbase_BTC-USD_1h')
  .option('-o, --out <file>', 'model file', 'model.json')
  .option('--train-size <n>', 'walk-forward training window (rows)', '3000')
  .option('--test-size <n>', 'walk-forward test window (rows)', '500')
  .action((options) => train(options));

program
  .command('data')
  .description('Market data')
  .command('download')
  .description('Download closed candles from an exchange (ccxt; needs internet) into the CSV format backtest and replay read')
  .option('-e, --exchange <id>', 'ccxt exchange id', 'binance')
  .requiredOption('-s, --symbol <symbol>', 'symbol, e.g. BTC/USDT')
  .option('-t, --timeframe <tf>', 'timeframe', '1h')
  .requiredOption('--since <date>', 'first candle, e.g. 2024-01-01')
  .option('--until <date>', 'end (exclusive); default now')
  .option('-o, --out <file>', 'CSV file', 'candles.csv')
  .option('--api-url <url>', "base URL replacing the exchange's REST host (a mirror such as https://data-api.binance.vision, a proxy)")
  .option('--sandbox', "the exchange's testnet")
  .action((options) => dataDownload(options));

program
  .command('n8n')
  .description('n8n orchestration')
  .command('push')
  .description("Create or update, then activate, the seed's three workflows (Market Monitoring, Consensus Process, Learning Loop) in n8n")
  .requiredOption('--n8n-url <url>', 'n8n base URL, e.g. http://localhost:5678')
  .requiredOption('--api-key <key>', 'n8n API key (env N8N_API_KEY)', process.env.N8N_API_KEY)
  .requiredOption('--server-url <url>', 'this server as n8n reaches it, e.g. http://server:8000')
  .requiredOption('--token <token>', 'a trader API token the workflows send (env IA_AGENTS_TOKEN)', process.env.IA_AGENTS_TOKEN)
  .action((options) => n8nPush(options));

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`${isIaAgentsError(error) ? `${error.code}: ` : ''}${(error as Error).message}\n`);
  process.exit(1);
});
