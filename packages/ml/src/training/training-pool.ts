import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { AbortError } from '@ia-agents/core';
import { runTreeJob, type TreeJob, type TreeJobResult } from '../trees/tree-job.js';
import type { FromWorker, ToWorker, TrainingData } from './worker-messages.js';

/** Options of {@link createTrainingPool}. */
export interface TrainingPoolOptions {
  /** Worker threads. `1` or `0` trains on the calling thread. @default os.availableParallelism() */
  threads?: number;
  /**
   * Location of the built worker script, `false` to train on the calling thread.
   * @default `train-worker.js` next to the built package (found from `src/` too, via `../dist/`)
   */
  workerUrl?: URL | false;
}

/** Runs tree jobs on worker threads, or on the calling thread when no worker can be started. */
export interface TrainingPool {
  /** `workers` when jobs run off the calling thread. */
  readonly mode: 'workers' | 'in-thread';
  /** Threads that run jobs at once. */
  readonly threads: number;
  /** Runs `jobs` on `data`; results come back in job order. `onResult` fires as each job ends. */
  run(data: TrainingData, jobs: readonly TreeJob[], onResult?: (result: TreeJobResult) => void, signal?: AbortSignal): Promise<TreeJobResult[]>;
  /** Stops the workers. */
  close(): Promise<void>;
}

/**
 * Finds the built worker script: next to this module when running from `dist/`, else in the
 * package's `dist/` when running from `src/` (tests, tsx). Undefined when the package is not built.
 */
export function resolveTrainWorkerUrl(): URL | undefined {
  const candidates = ['./train-worker.js', '../train-worker.js', '../dist/train-worker.js', '../../dist/train-worker.js'];
  for (const candidate of candidates) {
    const url = new URL(candidate, import.meta.url);
    if (existsSync(fileURLToPath(url))) return url;
  }
  return undefined;
}

/**
 * Creates a pool of training threads. Tree `i` of a forest always gets the same seed, so the
 * models do not depend on the thread count or the mode.
 * @example
 * const pool = createTrainingPool({ threads: 2 });
 * try { await model.train(set, { pool }); } finally { await pool.close(); }
 */
export function createTrainingPool(options: TrainingPoolOptions = {}): TrainingPool {
  const threads = Math.max(1, Math.floor(options.threads ?? availableParallelism()));
  const url = options.workerUrl === false ? undefined : (options.workerUrl ?? resolveTrainWorkerUrl());
  if (threads < 2 || url === undefined) return createInThreadPool();
  return new WorkerPool(url, threads);
}

function createInThreadPool(): TrainingPool {
  return {
    mode: 'in-thread',
    threads: 1,
    async run(data, jobs, onResult, signal) {
      const results: TreeJobResult[] = [];
      for (const job of jobs) {
        // Yield between jobs so timers, I/O and an abort still get through on the calling thread.
        await new Promise((resolve) => setImmediate(resolve));
        if (signal?.aborted) throw new AbortError('Training was aborted');
        const target = data.targets[job.forest];
        if (target === undefined) throw new Error(`no target for forest ${job.forest}`);
        const result = runTreeJob({ bins: data.bins, rowCount: data.rowCount, featureCount: data.featureCount, edges: data.edges }, target, job);
        results.push(result);
        onResult?.(result);
      }
      return results;
    },
    async close() {},
  };
}

class WorkerPool implements TrainingPool {
  readonly mode = 'workers' as const;
  private workers: Worker[] = [];
  private session = 0;
  private busy = false;

  constructor(
    private readonly url: URL,
    readonly threads: number,
  ) {
    // Start the threads now: they load while the caller computes features and bins the rows.
    for (const worker of this.ensureWorkers()) worker.unref();
  }

  async run(data: TrainingData, jobs: readonly TreeJob[], onResult?: (result: TreeJobResult) => void, signal?: AbortSignal): Promise<TreeJobResult[]> {
    if (this.busy) throw new Error('This training pool is already running a training; create one pool per concurrent training');
    if (signal?.aborted) throw new AbortError('Training was aborted');
    this.busy = true;
    try {
      return await this.dispatch(data, jobs, onResult, signal);
    } finally {
      this.busy = false;
      for (const worker of this.workers) worker.unref();
    }
  }

  private dispatch(data: TrainingData, jobs: readonly TreeJob[], onResult?: (result: TreeJobResult) => void, signal?: AbortSignal): Promise<TreeJobResult[]> {
    const session = ++this.session;
    const workers = this.ensureWorkers();
    const shared = shareTrainingData(data);
    return new Promise<TreeJobResult[]>((resolve, reject) => {
      const results: TreeJobResult[] = new Array<TreeJobResult>(jobs.length);
      let next = 0;
      let done = 0;
      const cleanups: Array<() => void> = [];
      const finish = (error?: Error): void => {
        for (const cleanup of cleanups) cleanup();
        if (error === undefined) resolve(results);
        else reject(error);
      };
      const fail = (error: Error): void => {
        // A worker in an unknown state is never reused: stop them all, new ones start next run.
        void this.close();
        finish(error);
      };
      const feed = (worker: Worker): void => {
        if (next >= jobs.length) return;
        const id = next++;
        worker.postMessage({ type: 'job', session, id, job: jobs[id]! } satisfies ToWorker);
      };
      for (const worker of workers) {
        worker.ref();
        const onMessage = (message: FromWorker): void => {
          if (message.type === 'error') return fail(new Error(`Training worker failed: ${message.message}`));
          results[message.id] = message.result;
          done++;
          onResult?.(message.result);
          if (done === jobs.length) finish();
          else feed(worker);
        };
        const onError = (error: Error): void => fail(error);
        const onExit = (code: number): void => fail(new Error(`Training worker exited with code ${code}`));
        worker.on('message', onMessage).on('error', onError).on('exit', onExit);
        cleanups.push(() => worker.off('message', onMessage).off('error', onError).off('exit', onExit));
        worker.postMessage({ type: 'data', session, data: shared } satisfies ToWorker);
      }
      const onAbort = (): void => fail(new AbortError('Training was aborted'));
      signal?.addEventListener('abort', onAbort, { once: true });
      cleanups.push(() => signal?.removeEventListener('abort', onAbort));
      if (jobs.length === 0) return finish();
      for (const worker of workers) feed(worker);
    });
  }

  private ensureWorkers(): Worker[] {
    // No execArgv: the worker is plain JavaScript that imports only Node built-ins and its own
    // chunk, so it needs none of the parent's flags; under tsx, inheriting them made each worker
    // boot tsx's loader too (start-up 450 ms instead of ~70 ms).
    while (this.workers.length < this.threads) this.workers.push(new Worker(this.url, { execArgv: [] }));
    return this.workers;
  }

  async close(): Promise<void> {
    const workers = this.workers;
    this.workers = [];
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}

/** Copies into shared memory, so that every worker reads the same bytes instead of its own copy. */
function toShared<T extends Uint8Array | Float64Array>(array: T): T {
  if (array.buffer instanceof SharedArrayBuffer) return array;
  const copy = new (array.constructor as new (buffer: SharedArrayBuffer) => T)(new SharedArrayBuffer(array.byteLength));
  copy.set(array);
  return copy;
}

/**
 * The training data with the rows and targets in SharedArrayBuffers: posting it to each worker then
 * shares the memory instead of cloning 800 kB of bins (40,000 x 20) and the targets per worker.
 */
function shareTrainingData(data: TrainingData): TrainingData {
  const targets = Object.fromEntries(Object.entries(data.targets).map(([id, target]) => [id, target.kind === 'classification' ? { ...target, classes: toShared(target.classes) } : { ...target, values: toShared(target.values) }]));
  return { ...data, bins: toShared(data.bins), targets };
}
