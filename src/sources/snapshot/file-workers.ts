/**
 * The worker threads that read a snapshot file beside the main thread: the SHA-256 check of a large
 * file, and the record prefetcher of big ranges. Their code is in hash-worker.ts and read-worker.ts,
 * compiled beside this file and loaded by path (in build/ as in the packaged dist/).
 */
import * as nodePath from 'node:path';
import { Worker } from 'node:worker_threads';
import { SnapshotFormatError } from '../../errors';
import { snapshotHashError } from './bbolt-file';

/** The heap of our workers, which only read a file into buffers: small (the default costs ~10 MB more each). */
const SMALL_WORKER_HEAP = { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 32 };

const HASH_WORKER_FILE = nodePath.join(__dirname, 'hash-worker.js');
const READ_WORKER_FILE = nodePath.join(__dirname, 'read-worker.js');

/** Hash the first `length` bytes of a file in a worker thread; resolves to the error to report, if any. */
export function checkHashInWorker(
  path: string,
  length: number,
  expected: Buffer,
): { worker: Worker; verdict: Promise<Error | undefined> } {
  const worker = new Worker(HASH_WORKER_FILE, { workerData: { path, length }, resourceLimits: SMALL_WORKER_HEAP });
  const verdict = new Promise<Error | undefined>((resolve) => {
    worker.once('message', (digest: Uint8Array) => {
      const actual = Buffer.from(digest);
      resolve(actual.equals(expected) ? undefined : snapshotHashError(path, length, expected, actual));
    });
    worker.once('error', (e) =>
      resolve(
        new SnapshotFormatError(
          `Could not check the SHA-256 of "${path}": ${e.message}. Pass { verifyHash: false } to skip the check.`,
          { path },
          { cause: e },
        ),
      ),
    );
    worker.once('exit', (code) =>
      resolve(
        code === 0
          ? undefined
          : new SnapshotFormatError(`The SHA-256 check of "${path}" stopped (exit code ${code}).`, { path }),
      ),
    );
  });
  return { worker, verdict };
}

/**
 * Reads lists of (offset, length) ranges of a file in a worker thread, into buffers passed back and forth
 * (transferred, never copied): the same few buffers serve a whole range, so reading leaves no garbage.
 */
export class RecordPrefetcher {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve: (bytes: ArrayBuffer) => void; reject: (e: Error) => void }>();
  private nextId = 0;
  private failure: Error | undefined;

  constructor(private readonly path: string) {
    this.worker = new Worker(READ_WORKER_FILE, { workerData: { path }, resourceLimits: SMALL_WORKER_HEAP });
    this.worker.on('message', (m: { id: number; bytes?: ArrayBuffer; error?: string }) => {
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      if (!p) return;
      if (m.error === undefined && m.bytes !== undefined) p.resolve(m.bytes);
      else
        p.reject(
          new SnapshotFormatError(
            `Reading records of "${path}" failed: ${m.error ?? 'no bytes came back'}. The file shrank or changed while open; read a file that is not being written.`,
            { path },
          ),
        );
    });
    this.worker.on('error', (e) =>
      this.fail(new SnapshotFormatError(`Reading records of "${path}" failed: ${e.message}.`, { path }, { cause: e })),
    );
    this.worker.on('exit', (code) =>
      this.fail(new SnapshotFormatError(`The record reader of "${path}" stopped (exit code ${code}).`, { path })),
    );
  }

  private fail(e: Error): void {
    this.failure ??= e;
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }

  /** Read the ranges one after another into `bytes` (which must hold their sum; it is handed over, then back). */
  read(bytes: ArrayBuffer, offsets: Float64Array, lengths: Uint32Array, count: number): Promise<ArrayBuffer> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    const done = new Promise<ArrayBuffer>((resolve, reject) => this.pending.set(id, { resolve, reject }));
    done.catch(() => undefined); // awaited later (read-ahead); a failure then surfaces there
    this.worker.postMessage({ id, bytes, offsets, lengths, count }, [bytes]);
    return done;
  }

  async close(): Promise<void> {
    this.failure ??= new SnapshotFormatError(`The record reader of "${this.path}" is closed.`, { path: this.path });
    this.worker.removeAllListeners('exit');
    await this.worker.terminate();
  }
}
