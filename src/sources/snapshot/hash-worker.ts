/**
 * Worker thread body (loaded by path from file-workers.ts, never imported): the SHA-256 of the first
 * `workerData.length` bytes of the file `workerData.path`, posted back as bytes.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';

const { path, length } = workerData as { path: string; length: number };
const fd = fs.openSync(path, 'r');
const hash = crypto.createHash('sha256');
const chunk = Buffer.allocUnsafe(1 << 20);
for (let pos = 0; pos < length; ) {
  const n = fs.readSync(fd, chunk, 0, Math.min(chunk.length, length - pos), pos);
  if (n <= 0) throw new Error(`short read at byte ${pos}`);
  hash.update(chunk.subarray(0, n));
  pos += n;
}
fs.closeSync(fd);
parentPort?.postMessage(hash.digest());
