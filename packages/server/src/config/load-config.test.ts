import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { marketMonitorTrigger } from '@ia-agents/assistants';
import { checkWarmup } from '@ia-agents/exchange';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './load-config.js';

function configFile(content: unknown): string {
  const path = join(mkdtempSync(join(tmpdir(), 'ia-agents-config-')), 'config.json');
  writeFileSync(path, JSON.stringify(content));
  return path;
}

describe('loadConfig', () => {
  it('gives the embedded defaults with no file and no environment', () => {
    const config = loadConfig({ environment: {} });
    expect(config).toMatchObject({ port: 8000, mode: 'replay', sqliteFile: './data/ia-agents.db', symbols: ['BTC/USDT'], schedulerEnabled: true, monitoringCron: '* * * * *' });
    expect(config.databaseUrl).toBeUndefined();
    expect(config.ollamaUrl).toBeUndefined();
  });

  it('warms the engine up with enough history that the market monitor convenes the team after a start where a backtest does', () => {
    const { replayWarmup } = loadConfig({ environment: {} });
    for (const bundled of ['binance_BTC-USDT_1h', 'coinbase_BTC-USD_1h', 'coinbase_BTC-USD_4h'] as const) {
      const report = checkWarmup({ data: [{ bundled }], trigger: marketMonitorTrigger(), warmup: replayWarmup });
      expect(report.starts.map((start) => start.differing)).toEqual([0, 0, 0, 0]);
      expect(report.starts.every((start) => start.convened > 0)).toBe(true);
    }
  });

  it('lets the environment win over the file', () => {
    const file = configFile({ port: 9000, symbols: ['ETH/USDT'] });
    const config = loadConfig({ environment: { CONFIG_FILE: file, PORT: '9100', SCHEDULER_ENABLED: 'false', SYMBOLS: 'BTC/USDT, ETH/USDT' } });
    expect(config).toMatchObject({ port: 9100, schedulerEnabled: false, symbols: ['BTC/USDT', 'ETH/USDT'] });
  });

  it('names an unknown key of the file', () => {
    const file = configFile({ port: 8000, prot: 1 });
    expect(() => loadConfig({ environment: {}, file })).toThrow('Invalid server configuration: prot: unknown key prot');
  });

  it('names a wrong type and the environment variable it came from', () => {
    expect(() => loadConfig({ environment: { PORT: 'eighty' } })).toThrow(/port: .*expected number.* \(from PORT\)/);
    const error = (() => {
      try {
        loadConfig({ environment: { SCHEDULER_ENABLED: 'maybe', SYMBOLS: 'btc-usdt' } });
      } catch (caught) {
        return caught as { code: string; issues: { path: unknown[] }[] };
      }
    })();
    expect(error?.code).toBe('CONFIG_INVALID');
    expect(error?.issues.map((issue) => issue.path)).toEqual([['symbols', 0], ['schedulerEnabled']]);
  });

  it('refuses a file that is not a JSON object', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'ia-agents-config-')), 'bad.json');
    writeFileSync(path, '[1, 2]');
    expect(() => loadConfig({ environment: {}, file: path })).toThrow(/is not a JSON object/);
  });
});
