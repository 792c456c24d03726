/**
 * Worker thread body (loaded by path from file-workers.ts, never imported): reads lists of (offset,
 * length) ranges of the file `workerData.path` one after another into the buffer each message hands
 * over, and hands it back.
 */
import * as fs from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';

/** One request: `count` ranges to read into `bytes`, back to back. */
interface ReadRequest {
  id: number;
  bytes: ArrayBuffer;
  offsets: Float64Array;
  lengths: Uint32Array;
  count: number;
}

const fd = fs.openSync((workerData as { path: string }).path, 'r');
parentPort?.on('message', (m: ReadRequest) => {
  const bytes = m.bytes;
  try {
    const into = Buffer.from(bytes);
    let at = 0;
    for (let i = 0; i < m.count; i++) {
      const length = m.lengths[i] as number;
      const offset = m.offsets[i] as number;
      for (let done = 0; done < length; ) {
        const n = fs.readSync(fd, into, at + done, length - done, offset + done);
        if (n <= 0) throw new Error(`short read at byte ${offset + done}`);
        done += n;
      }
      at += length;
    }
    parentPort?.postMessage({ id: m.id, bytes }, [bytes]);
  } catch (e) {
    parentPort?.postMessage({ id: m.id, bytes, error: String((e as Error | undefined)?.message) }, [bytes]);
  }
});
