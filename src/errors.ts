/**
 * Every error kubetcd throws or reports. Each class sets `name`, so callers can test
 * `err.name === 'SnapshotFormatError'` (or use {@link isKubetcdError}) instead of `instanceof`,
 * which breaks when two copies of the library are loaded (tslab does that easily).
 *
 * Messages follow one form: *what failed: the offending value. Why, if known. What to do next.*
 */

/** The base of every kubetcd error. */
export class KubetcdError extends Error {
  override name = 'KubetcdError';
  /** Extra structured facts about the failure (offsets, keys, revisions), for programs. */
  readonly details: Record<string, unknown>;
  constructor(message: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.details = details;
  }
}

/** A function was called with an argument it cannot use. */
export class InvalidArgumentError extends KubetcdError {
  override name = 'InvalidArgumentError';
}

/** The compiled Kubernetes schema, or the sources it is compiled from, could not be found or read. */
export class SchemaError extends KubetcdError {
  override name = 'SchemaError';
}

/** A stored value could not be decoded. Carries the byte offset where decoding stopped. */
export class DecodeError extends KubetcdError {
  override name = 'DecodeError';
  /** Byte offset into the value given to `decode` (after any etcdctl key line was removed). */
  readonly offset: number;
  constructor(message: string, offset: number, details: Record<string, unknown> = {}) {
    super(message, { ...details, offset });
    this.offset = offset;
  }
}

/** An object could not be encoded to a storage value. */
export class EncodeError extends KubetcdError {
  override name = 'EncodeError';
}

/** A snapshot or bbolt db file is damaged or not a bbolt file. Names the page and offset. */
export class SnapshotFormatError extends KubetcdError {
  override name = 'SnapshotFormatError';
}

/** etcd could not be reached, refused the credentials, or did not answer within the deadline. */
export class EtcdConnectionError extends KubetcdError {
  override name = 'EtcdConnectionError';
}

/** A revision older than the source's compaction revision was asked for. */
export class CompactedRevisionError extends KubetcdError {
  override name = 'CompactedRevisionError';
}

/** A revision newer than the source's current revision was asked for. */
export class FutureRevisionError extends KubetcdError {
  override name = 'FutureRevisionError';
}

/** An object or key asked for by name is not in the source (at the revision read). */
export class NotFoundError extends KubetcdError {
  override name = 'NotFoundError';
}

/** A conditional write found the key changed since it was read (its mod revision differs). */
export class ConflictError extends KubetcdError {
  override name = 'ConflictError';
}

/** A read was cancelled by the caller (an AbortSignal). */
export class AbortedError extends KubetcdError {
  override name = 'AbortedError';
}

const NAMES = new Set([
  'KubetcdError',
  'InvalidArgumentError',
  'SchemaError',
  'DecodeError',
  'EncodeError',
  'SnapshotFormatError',
  'EtcdConnectionError',
  'CompactedRevisionError',
  'FutureRevisionError',
  'AbortedError',
  'NotFoundError',
  'ConflictError',
]);

/**
 * True for any error kubetcd raised, whichever copy of the library raised it.
 * @example
 * try { await k.get('pods', 'web') } catch (e) { if (isKubetcdError(e)) console.log(e.message) }
 */
export function isKubetcdError(e: unknown): e is KubetcdError {
  return typeof e === 'object' && e !== null && NAMES.has((e as { name?: unknown }).name as string);
}
