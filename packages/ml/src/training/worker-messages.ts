import type { TreeTarget } from '../trees/grow-tree.js';
import type { TreeJob, TreeJobResult } from '../trees/tree-job.js';

/** The data every job of a training session shares, sent once to each worker. */
export interface TrainingData {
  /** Row-major bins. */
  bins: Uint8Array;
  /** Rows. */
  rowCount: number;
  /** Features. */
  featureCount: number;
  /** Bin edges per feature. */
  edges: Float64Array[];
  /** Targets by forest id. */
  targets: Record<string, TreeTarget>;
}

/** Main thread to worker. */
export type ToWorker = { type: 'data'; session: number; data: TrainingData } | { type: 'job'; session: number; id: number; job: TreeJob };

/** Worker to main thread. */
export type FromWorker = { type: 'result'; id: number; result: TreeJobResult } | { type: 'error'; id: number; message: string; stack?: string };
