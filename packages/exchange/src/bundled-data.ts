import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ConfigError, type Timeframe } from '@ia-agents/core';

/** A real candle file shipped in the package's `data/` folder. */
export interface BundledCandles {
  /** File name without `.csv`. */
  name: BundledCandlesName;
  /** Unified symbol. */
  symbol: string;
  /** Timeframe of the candles. */
  timeframe: Timeframe;
  /** Exchange the candles come from. */
  exchange: string;
  /** Licence of the repository they were taken from. */
  license: string;
}

/** Every bundled candle file (provenance in `data/README.md`). */
export const bundledCandles = [
  { name: 'coinbase_BTC-USD_4h', symbol: 'BTC/USD', timeframe: '4h', exchange: 'coinbase', license: 'MIT' },
  { name: 'coinbase_BTC-USD_1h', symbol: 'BTC/USD', timeframe: '1h', exchange: 'coinbase', license: 'Apache-2.0' },
  { name: 'binance_BTC-USDT_1h', symbol: 'BTC/USDT', timeframe: '1h', exchange: 'binance', license: 'Apache-2.0' },
] as const satisfies readonly BundledCandles[];

/** Name of a bundled candle file. */
export type BundledCandlesName = 'coinbase_BTC-USD_4h' | 'coinbase_BTC-USD_1h' | 'binance_BTC-USDT_1h';

/** The bundled file a backtest uses when no data is named. */
export const defaultBundledCandles: BundledCandlesName = 'coinbase_BTC-USD_4h';

/**
 * Absolute path of a bundled candle file (the replay feed's CSV format).
 * @example const feed = createReplayFeed({ sources: [{ symbol: 'BTC/USD', path: bundledCandlesPath('coinbase_BTC-USD_4h') }] });
 */
export function bundledCandlesPath(name: BundledCandlesName = defaultBundledCandles): string {
  const entry = bundledCandlesInfo(name);
  // Both src/ (tests) and dist/ (the published build) sit next to data/.
  const path = fileURLToPath(new URL(`../data/${entry.name}.csv`, import.meta.url));
  if (!existsSync(path)) throw new ConfigError('bundled candles', [{ path: ['name'], message: `${path} is missing from the installed package` }]);
  return path;
}

/** The bundled file's description; a `CONFIG_INVALID` error naming the files there are for an unknown name. */
export function bundledCandlesInfo(name: BundledCandlesName): BundledCandles {
  const entry = bundledCandles.find((candidate) => candidate.name === name);
  if (entry === undefined) {
    throw new ConfigError('bundled candles', [{ path: ['name'], message: `unknown "${String(name)}"; one of ${bundledCandles.map((candidate) => candidate.name).join(', ')}` }]);
  }
  return entry;
}
