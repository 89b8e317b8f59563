import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { buildCandles } from '@ia-agents/core/testing';
import { convenedTeam, defaultTeam, loadTeam } from './team-module.js';

const folder = mkdtempSync(join(tmpdir(), 'ia-agents-team-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));
const candles = new Map([['BTC/USDT', []]]);
/** An assistant as a module writes it without defineAssistant: every method the engine calls. */
const assistant = (id: string) => `{ id: '${id}', analyze: () => ({}), debate: () => ({}), learnFromOutcome: () => undefined }`;

/** Writes a module and returns its path. */
function module(name: string, source: string): string {
  const path = join(folder, name);
  writeFileSync(path, source);
  return path;
}

describe('loadTeam (--team)', () => {
  it('gives the seven assistants and the market monitor trigger without a module', async () => {
    const team = (await loadTeam(undefined))(candles);
    expect(team.assistants).toHaveLength(7);
    expect(typeof team.trigger).toBe('function');
    expect(await loadTeam(undefined)).toBe(defaultTeam);
  });

  it('builds the team from a default-exported function of the run\'s candles, or takes a default-exported object', async () => {
    const seen: unknown[] = [];
    (globalThis as { seenCandles?: unknown[] }).seenCandles = seen;
    const fromFunction = await loadTeam(module('function.mjs', `export default (candles) => { globalThis.seenCandles.push(candles); return { assistants: [${assistant('a')}], consensus: { maxRounds: 1 } }; };`));
    expect(fromFunction(candles)).toMatchObject({ assistants: [{ id: 'a' }], consensus: { maxRounds: 1 } });
    expect(seen).toEqual([candles]);
    const fromObject = await loadTeam(module('object.mjs', `export default { assistants: [${assistant('b')}], trigger: () => ({ update: () => false }) };`));
    expect(fromObject(candles).assistants.map((assistant) => assistant.id)).toEqual(['b']);
  });

  it('names what is wrong with a module', async () => {
    const refused = (message: string | RegExp) => expect.objectContaining({ code: 'CONFIG_INVALID', issues: [{ path: ['team'], message: typeof message === 'string' ? message : expect.stringMatching(message) }] });
    await expect(loadTeam(join(folder, 'missing.mjs'))).rejects.toEqual(refused(`no file ${join(folder, 'missing.mjs')}`));
    await expect(loadTeam(module('broken.mjs', 'export default {'))).rejects.toEqual(refused(/broken\.mjs could not be loaded: /));
    await expect(loadTeam(module('none.mjs', 'export const team = 1;'))).rejects.toEqual(refused(/none\.mjs has no default export: export a function \(candles\) => /));
    const bad = async (name: string, source: string) => {
      const build = await loadTeam(module(name, source));
      return () => build(candles);
    };
    expect(await bad('null.mjs', 'export default () => null;')).toThrow(refused(/null\.mjs gave null, not \{ assistants, trigger\?, consensus\? \}/));
    expect(await bad('empty.mjs', 'export default { assistants: [] };')).toThrow(refused(/empty\.mjs gave no assistants/));
    expect(await bad('shape.mjs', "export default { assistants: [{ id: 'a' }] };")).toThrow(refused(/shape\.mjs: assistants\[0\] is not an assistant \(no analyze, debate, learnFromOutcome function; defineAssistant/));
    expect(await bad('half.mjs', "export default { assistants: [{ id: 'a', analyze: () => ({}) }] };")).toThrow(refused(/half\.mjs: assistants\[0\] is not an assistant \(no debate, learnFromOutcome function;/));
    expect(await bad('id.mjs', "export default { assistants: [{ analyze: () => ({}) }] };")).toThrow(refused(/id\.mjs: assistants\[0\] is not an assistant \(no string id;/));
    expect(await bad('trigger.mjs', `export default { assistants: [${assistant('a')}], trigger: 'every candle' };`)).toThrow(refused(/trigger\.mjs: trigger must be a function/));
  });

  it('loads a TypeScript module through tsx, and says what to do when tsx is missing', async () => {
    const typed = module('typed.ts', `interface Seen { count: number }\nconst seen: Seen = { count: 0 };\nexport default (candles: Map<string, unknown[]>) => { seen.count += candles.size; return { assistants: [${assistant('typed')}], consensus: { maxRounds: seen.count } }; };`);
    expect((await loadTeam(typed))(candles)).toMatchObject({ assistants: [{ id: 'typed' }], consensus: { maxRounds: 1 } });
    vi.doMock('tsx/esm/api', () => {
      throw new Error('Cannot find package tsx');
    });
    try {
      await expect(loadTeam(typed)).rejects.toMatchObject({ issues: [{ path: ['team'], message: `${typed} is TypeScript: install tsx beside @ia-agents/server to load it (npm install --save-dev tsx), or compile it to JavaScript` }] });
    } finally {
      vi.doUnmock('tsx/esm/api');
    }
  });

  it('names the configuration the module was given in', async () => {
    await expect(loadTeam(join(folder, 'missing.mjs'), 'server configuration')).rejects.toMatchObject({ message: expect.stringMatching(/^Invalid server configuration: team: no file /) });
  });
});

describe('convenedTeam (decideEvery)', () => {
  // 1h candles from 2024-01-01 05:00 UTC, flat: the triggers below never fire on their own.
  const candles = buildCandles({ count: 48, start: Date.UTC(2024, 0, 1, 5), volatility: 0 });
  const never = () => ({ update: () => false as const });
  const team = { assistants: [], trigger: never };
  const fired = (build: ReturnType<typeof convenedTeam>) => {
    const trigger = build(new Map())!.trigger!('BTC/USDT');
    return candles.filter((candle) => trigger.update(candle) !== false).map((candle) => new Date(candle.timestamp + 3_600_000).toISOString().slice(0, 16));
  };

  it('convenes the seven assistants every 12 candles besides their trigger, on the candles closing at 00:00 and 12:00 UTC for 1h', () => {
    expect(fired(convenedTeam(() => team, { module: false, timeframe: '1h' }))).toEqual(['2024-01-01T12:00', '2024-01-02T00:00', '2024-01-02T12:00', '2024-01-03T00:00']);
    expect(fired(convenedTeam(() => team, { module: false, decideEvery: 24, timeframe: '1h' }))).toEqual(['2024-01-02T00:00', '2024-01-03T00:00']);
  });

  it("leaves a module's team on its own trigger unless told, and a team without a trigger convened every candle", () => {
    const build = () => team;
    expect(convenedTeam(build, { module: true, timeframe: '1h' })).toBe(build);
    expect(fired(convenedTeam(build, { module: true, decideEvery: 12, timeframe: '1h' }))).toHaveLength(4);
    expect(convenedTeam(build, { module: false, decideEvery: 0, timeframe: '1h' })).toBe(build);
    expect(convenedTeam(() => ({ assistants: [] }), { module: false, timeframe: '1h' })(new Map()).trigger).toBeUndefined();
  });
});
