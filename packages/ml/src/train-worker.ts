/**
 * Worker-thread entry: grows the trees of the jobs it is sent. Built to `dist/train-worker.js`;
 * the training pool starts it with `new Worker(url)`.
 */
import { parentPort } from 'node:worker_threads';
import type { BinnedMatrix } from './trees/binning.js';
import { runTreeJob, type TreeJobResult } from './trees/tree-job.js';
import type { FromWorker, ToWorker, TrainingData } from './training/worker-messages.js';

let data: { session: number; matrix: BinnedMatrix; targets: TrainingData['targets'] } | undefined;

function transferables(result: TreeJobResult): ArrayBuffer[] {
  const buffers: ArrayBufferLike[] = [];
  for (const tree of result.trees) buffers.push(tree.feature.buffer, tree.threshold.buffer, tree.thresholdBin.buffer, tree.left.buffer, tree.value.buffer);
  if (result.outOfBagSum !== undefined) buffers.push(result.outOfBagSum.buffer);
  if (result.outOfBagCount !== undefined) buffers.push(result.outOfBagCount.buffer);
  // Every array here was allocated by the job itself: plain ArrayBuffers, never shared ones.
  return buffers as ArrayBuffer[];
}

parentPort?.on('message', (message: ToWorker) => {
  if (message.type === 'data') {
    const { bins, rowCount, featureCount, edges, targets } = message.data;
    data = { session: message.session, matrix: { bins, rowCount, featureCount, edges }, targets };
    return;
  }
  let reply: FromWorker;
  let transfer: ArrayBuffer[] = [];
  try {
    if (data === undefined || data.session !== message.session) throw new Error(`no training data for session ${message.session}`);
    const target = data.targets[message.job.forest];
    if (target === undefined) throw new Error(`no target for forest ${message.job.forest}`);
    const result = runTreeJob(data.matrix, target, message.job);
    reply = { type: 'result', id: message.id, result };
    transfer = transferables(result);
  } catch (error) {
    const failure = error instanceof Error ? error : new Error(String(error));
    reply = { type: 'error', id: message.id, message: failure.message, ...(failure.stack === undefined ? {} : { stack: failure.stack }) };
  }
  parentPort!.postMessage(reply, transfer);
});
