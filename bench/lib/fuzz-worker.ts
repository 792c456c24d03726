/**
 * The worker-thread entry of the fuzzing harness (started by `runFuzz` in fuzz-run.ts): runs its slice
 * of inputs and posts findings and totals to the main thread, which watches it for hangs. A failure of
 * the harness itself rejects here and ends the worker with an error the main thread reports.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { runWorkerJob, type WorkerJob } from './fuzz-run';

if (parentPort) {
  const port = parentPort;
  void runWorkerJob(workerData as WorkerJob, (m) => port.postMessage(m));
}
