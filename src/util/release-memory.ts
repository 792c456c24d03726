/**
 * Gives the memory of large, no longer used typed arrays back at once instead of at the next full garbage
 * collection: their buffers are moved (transferred) into a message of a closed channel, which frees them.
 * The arrays are detached afterwards (length 0); pass only arrays nothing else still reads, and never a
 * view of a shared or pooled buffer (those are skipped).
 *
 * Building an index of a large snapshot leaves tens of megabytes of such scratch arrays; freed only by a
 * later full collection, they would sit on top of the memory of the queries that follow.
 */
import { MessageChannel } from 'node:worker_threads';

/**
 * Frees the buffers of `arrays` now (see the module comment).
 * @example
 * const scratch = new Uint32Array(1 << 24); // … used, then:
 * releaseMemory(scratch); // scratch.length === 0
 */
export function releaseMemory(...arrays: ArrayBufferView[]): void {
  const buffers = new Set<ArrayBuffer>();
  for (const a of arrays) {
    const b = a.buffer;
    // a pooled Buffer shares its ArrayBuffer with others; a view of part of a buffer is not ours to free
    if (b instanceof ArrayBuffer && a.byteOffset === 0 && a.byteLength === b.byteLength && b.byteLength > 0)
      buffers.add(b);
  }
  if (buffers.size === 0) return;
  const { port1, port2 } = new MessageChannel();
  port1.postMessage(null, [...buffers]);
  port1.close();
  port2.close();
}

/**
 * Resolves once memory given back by {@link releaseMemory} is actually freed (two turns of the event loop).
 * @example
 * releaseMemory(scratch); await memoryReleased();
 */
export function memoryReleased(): Promise<void> {
  return new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
}
