/**
 * Keys, ranges and records of the live source: strings or bytes to Buffers, `{ prefix }` / `{ start,
 * end }` to etcd's key and range end, etcd3's key-values to {@link KvRecord}s, and the checks shared by
 * every call (revision, abort signal).
 */
import { AbortedError, InvalidArgumentError } from '../../errors';
import type { KeyRange, KvRecord } from '../types';
import type { EtcdKeyValue, EtcdWatchResponse } from './etcd3-gateway';

/** etcd's key `\0`: as a range start, the first key; as a range end, "to the end of the keyspace". */
export const NUL = Buffer.from([0]);

/** A key or value as a Buffer (a view of a Uint8Array, UTF-8 of a string). */
export function toBuffer(what: string, value: string | Uint8Array): Buffer {
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  throw new InvalidArgumentError(`Invalid ${what}: ${String(value)}. Pass a string or a Uint8Array.`);
}

/** The smallest key greater than every key starting with `prefix` (etcd's prefix range end). */
export function prefixEnd(prefix: Buffer): Buffer {
  for (let i = prefix.length - 1; i >= 0; i--) {
    const byte = prefix[i]!;
    if (byte < 0xff) {
      const end = Buffer.from(prefix.subarray(0, i + 1));
      end[i] = byte + 1;
      return end;
    }
  }
  return NUL; // every key from the start
}

/** A key range as etcd takes it. */
export interface NormalRange {
  start: Buffer;
  /** Exclusive end; `\0` means "to the end of the keyspace" (etcd's convention). */
  end: Buffer;
  /** The common prefix used for sub-prefix splitting (empty for explicit ranges). */
  prefix: Buffer;
}

/** `{ prefix }` or `{ start, end? }` to etcd's key and range end. */
export function normaliseRange(range: KeyRange): NormalRange {
  if (range === null || typeof range !== 'object') {
    throw new InvalidArgumentError(`Invalid key range: ${String(range)}. Pass { prefix } or { start, end? }.`);
  }
  if ('prefix' in range) {
    const prefix = toBuffer('prefix', range.prefix);
    if (prefix.length === 0) return { start: NUL, end: NUL, prefix };
    return { start: prefix, end: prefixEnd(prefix), prefix };
  }
  if ('start' in range) {
    let start = toBuffer('start key', range.start);
    if (start.length === 0) start = NUL;
    const end = range.end === undefined ? NUL : toBuffer('end key', range.end);
    if (end.length === 0) {
      throw new InvalidArgumentError('Invalid range end: the empty key. Omit end to read to the end of the keyspace.');
    }
    return { start, end, prefix: Buffer.alloc(0) };
  }
  throw new InvalidArgumentError(`Invalid key range: ${JSON.stringify(range)}. Pass { prefix } or { start, end? }.`);
}

/** Whether a range end is `\0`: "to the end of the keyspace". */
export function isToEnd(end: Buffer): boolean {
  return end.length === 1 && end[0] === 0;
}

/** min(a, b) of two range ends, where `\0` means infinity. */
export function minEnd(a: Buffer, b: Buffer): Buffer {
  if (isToEnd(a)) return b;
  if (isToEnd(b)) return a;
  return Buffer.compare(a, b) <= 0 ? a : b;
}

/** An etcd int64 (a decimal string from gRPC) as a number. */
export function num(value: string | number | undefined): number {
  if (value === undefined) return 0;
  return typeof value === 'number' ? value : Number(value);
}

/** A decimal member or cluster id as hex (as etcdctl prints it); undefined when absent. */
export function hexId(value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  try {
    return BigInt(value).toString(16);
  } catch {
    return undefined;
  }
}

/** An etcd key-value as a KvRecord (key and value stay views of the gRPC message). */
export function toRecord(kv: EtcdKeyValue, keysOnly: boolean): KvRecord {
  return {
    key: kv.key,
    value: keysOnly ? new Uint8Array(0) : kv.value,
    createRevision: num(kv.create_revision),
    modRevision: num(kv.mod_revision),
    version: num(kv.version),
    lease: kv.lease === undefined || kv.lease === '' ? '0' : String(kv.lease),
    valueBytes: keysOnly ? 0 : kv.value.length,
  };
}

/** The record a watch event carries; a delete's has no value, version or create revision left. */
export function eventRecord(event: EtcdWatchResponse['events'][number]): { record: KvRecord; deleted: boolean } {
  const deleted = event.type === 'Delete';
  const record = toRecord(event.kv, false);
  if (deleted) {
    record.createRevision = 0;
    record.version = 0;
    record.value = new Uint8Array(0);
    record.valueBytes = 0;
  }
  return { record, deleted };
}

/** A revision option checked; 0 and undefined mean the latest (undefined). */
export function checkRevision(revision: number | undefined): number | undefined {
  if (revision === undefined) return undefined;
  if (!Number.isSafeInteger(revision) || revision < 0) {
    throw new InvalidArgumentError(
      `Invalid revision: ${String(revision)}. Pass a positive integer, or omit it for the latest.`,
    );
  }
  return revision === 0 ? undefined : revision;
}

/** Throws an AbortedError when `signal` has aborted. */
export function throwIfAborted(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw new AbortedError(`${what} was cancelled by its AbortSignal.`);
}

/** Whether two buffers hold the same bytes. */
export function bufferEquals(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}

/** A key for messages: JSON-quoted UTF-8, cut after 200 characters. */
export function printable(key: Buffer): string {
  const text = key.toString('utf8');
  return JSON.stringify(text.length > 200 ? `${text.slice(0, 200)}…` : text);
}

/** A range for messages: `prefix "…"`, `all keys` or `range [a, b)`. */
export function describeRange(r: NormalRange): string {
  if (r.prefix.length > 0 || (bufferEquals(r.start, NUL) && isToEnd(r.end))) {
    return r.prefix.length > 0 ? `prefix ${printable(r.prefix)}` : 'all keys';
  }
  return `range [${printable(r.start)}, ${isToEnd(r.end) ? 'end' : printable(r.end)})`;
}
