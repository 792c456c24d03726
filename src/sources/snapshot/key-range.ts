/**
 * Keys and ranges of the snapshot and dump sources: `{ prefix }` / `{ start, end }` to byte bounds, and
 * the small checks every read shares.
 */
import { AbortedError, InvalidArgumentError } from '../../errors';
import type { KeyRange } from '../types';

/** A copy of `b` in a buffer of its own (small ones from Node's pool). */
export function copyBytes(b: Buffer): Buffer {
  const out = Buffer.allocUnsafe(b.length);
  b.copy(out, 0, 0, b.length);
  return out;
}

/** A key as a Buffer (a view of a Uint8Array, UTF-8 of a string). */
export function toBytes(k: string | Uint8Array): Buffer {
  return typeof k === 'string' ? Buffer.from(k, 'utf8') : Buffer.from(k.buffer, k.byteOffset, k.byteLength);
}

/**
 * The key after every key starting with `prefix` (etcd's prefix range end); undefined: no end.
 * @example
 * prefixEnd(Buffer.from('/registry/pods/')) // '/registry/pods0'
 */
export function prefixEnd(prefix: Uint8Array): Buffer | undefined {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if ((end[i] as number) < 0xff) {
      end[i] = (end[i] as number) + 1;
      return end.subarray(0, i + 1);
    }
  }
  return undefined;
}

/**
 * Normalise a {@link KeyRange} to `[start, end)` bytes (end undefined = to the end of the keyspace).
 * @example
 * resolveKeyRange({ prefix: '/a' }) // { start: <'/a'>, end: <'/b'> }
 */
export function resolveKeyRange(range: KeyRange): { start: Buffer; end: Buffer | undefined } {
  if (range === null || typeof range !== 'object') {
    throw new InvalidArgumentError(`Bad key range: ${String(range)}. Pass { prefix } or { start, end? }.`);
  }
  if ('prefix' in range) {
    const p = toBytes(range.prefix);
    return { start: p, end: p.length === 0 ? undefined : prefixEnd(p) };
  }
  if ('start' in range)
    return { start: toBytes(range.start), end: range.end === undefined ? undefined : toBytes(range.end) };
  throw new InvalidArgumentError(`Bad key range: ${JSON.stringify(range)}. Pass { prefix } or { start, end? }.`);
}

/** Throws an AbortedError when `signal` has aborted. */
export function checkSignal(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted)
    throw new AbortedError(`${what} was cancelled by its AbortSignal.`, { reason: String(signal.reason) });
}
