import type { SqlDriver, SqlValue } from './sql-driver.js';

interface Pending {
  key: string;
  params: SqlValue[];
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit for one upsert statement: calls that arrive while a write is in flight are written
 * together in the next multi-row statement, so N concurrent writers cost about one commit (one
 * fsync) instead of N. Each caller's promise settles when its own row is committed.
 */
export class BatchWriter {
  readonly #driver: SqlDriver;
  readonly #head: string;
  readonly #tail: string;
  readonly #width: number;
  readonly #maxRows: number;
  readonly #maxInFlight: number;
  #queue: Pending[] = [];
  #inFlight = 0;

  /**
   * @param head `INSERT INTO t (a, b, ...) VALUES`
   * @param tail `ON CONFLICT (...) DO UPDATE SET ...`
   * @param width parameters per row
   * @param maxInFlight statements written at once (on separate pooled connections)
   */
  constructor(driver: SqlDriver, head: string, tail: string, width: number, maxRows = 200, maxInFlight = 2) {
    this.#driver = driver;
    this.#head = head;
    this.#tail = tail;
    this.#width = width;
    this.#maxRows = maxRows;
    this.#maxInFlight = maxInFlight;
  }

  /** Writes one row (rows with the same key in one batch: the last wins). */
  write(key: string, params: SqlValue[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({ key, params, resolve, reject });
      if (this.#inFlight < this.#maxInFlight) void this.#drain();
    });
  }

  // Rows of one key never sit in two in-flight batches at once: a batch takes only keys that no
  // running batch holds, so the later write of a row always commits after the earlier one.
  readonly #busyKeys = new Set<string>();

  async #drain(): Promise<void> {
    this.#inFlight += 1;
    try {
      for (;;) {
        const batch = this.#take();
        if (batch.length === 0) return;
        try {
          await this.#flush(batch);
          for (const item of batch) item.resolve();
        } catch (error) {
          for (const item of batch) item.reject(error);
        } finally {
          for (const item of batch) this.#busyKeys.delete(item.key);
        }
      }
    } finally {
      this.#inFlight -= 1;
    }
  }

  #take(): Pending[] {
    const batch: Pending[] = [];
    const rest: Pending[] = [];
    for (const item of this.#queue) {
      if (batch.length < this.#maxRows && !this.#busyKeys.has(item.key)) batch.push(item);
      else rest.push(item);
    }
    const keys = new Set(batch.map((item) => item.key));
    for (const key of keys) this.#busyKeys.add(key);
    this.#queue = rest;
    return batch;
  }

  async #flush(batch: readonly Pending[]): Promise<void> {
    // One statement cannot upsert the same row twice: keep the last write of each key.
    const last = new Map(batch.map((item) => [item.key, item]));
    const rows = [...last.values()];
    const values = rows.map((_, row) => `(${Array.from({ length: this.#width }, (_, column) => `$${row * this.#width + column + 1}`).join(', ')})`);
    await this.#driver.run(`${this.#head} ${values.join(', ')} ${this.#tail}`, rows.flatMap((item) => item.params));
  }
}
