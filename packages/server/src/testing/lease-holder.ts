import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * Another process that opens a store of `@ia-agents/server` (built) with `open`, an expression,
 * takes the account of user `alice` and keeps it: resolves once it is held. Kill the process to
 * see the lease go with it.
 * @example const holder = await holdInAnotherProcess(`new SqliteStore({ filename: '/tmp/db.sqlite' })`);
 */
export async function holdInAnotherProcess(open: string): Promise<ChildProcess> {
  const source = `import { PostgresStore, SqliteStore } from '@ia-agents/server';
await (${open}).holdAccount('alice');
console.log('held');
setInterval(() => undefined, 1000);`;
  const holder = spawn(process.execPath, ['--input-type=module', '-e', source], { cwd: fileURLToPath(new URL('.', import.meta.url)), stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    holder.stdout!.on('data', (data: Buffer) => (String(data).includes('held') ? resolve() : undefined));
    holder.on('exit', (code) => reject(new Error(`the process holding the account exited with ${code}`)));
  });
  return holder;
}

/** Kills a process with SIGKILL (nothing of it runs after) and waits until it is gone. */
export async function killHard(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.on('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}
