"use strict";
/**
 * Every error kubetcd throws or reports. Each class sets `name`, so callers can test
 * `err.name === 'SnapshotFormatError'` (or use {@link isKubetcdError}) instead of `instanceof`,
 * which breaks when two copies of the library are loaded (tslab does that easily).
 *
 * Messages follow one form: *what failed: the offending value. Why, if known. What to do next.*
 */
Object.defineProperty(exports, "__esModule", { value: true });
exports.AbortedError = exports.FutureRevisionError = exports.CompactedRevisionError = exports.EtcdConnectionError = exports.SnapshotFormatError = exports.EncodeError = exports.DecodeError = exports.SchemaError = exports.InvalidArgumentError = exports.KubetcdError = void 0;
exports.isKubetcdError = isKubetcdError;
/** The base of every kubetcd error. */
class KubetcdError extends Error {
    name = 'KubetcdError';
    /** Extra structured facts about the failure (offsets, keys, revisions), for programs. */
    details;
    constructor(message, details = {}, options) {
        super(message, options);
        this.details = details;
    }
}
exports.KubetcdError = KubetcdError;
/** A function was called with an argument it cannot use. */
class InvalidArgumentError extends KubetcdError {
    name = 'InvalidArgumentError';
}
exports.InvalidArgumentError = InvalidArgumentError;
/** The compiled Kubernetes schema, or the sources it is compiled from, could not be found or read. */
class SchemaError extends KubetcdError {
    name = 'SchemaError';
}
exports.SchemaError = SchemaError;
/** A stored value could not be decoded. Carries the byte offset where decoding stopped. */
class DecodeError extends KubetcdError {
    name = 'DecodeError';
    /** Byte offset into the value given to `decode` (after any etcdctl key line was removed). */
    offset;
    constructor(message, offset, details = {}) {
        super(message, { ...details, offset });
        this.offset = offset;
    }
}
exports.DecodeError = DecodeError;
/** An object could not be encoded to a storage value. */
class EncodeError extends KubetcdError {
    name = 'EncodeError';
}
exports.EncodeError = EncodeError;
/** A snapshot or bbolt db file is damaged or not a bbolt file. Names the page and offset. */
class SnapshotFormatError extends KubetcdError {
    name = 'SnapshotFormatError';
}
exports.SnapshotFormatError = SnapshotFormatError;
/** etcd could not be reached, refused the credentials, or did not answer within the deadline. */
class EtcdConnectionError extends KubetcdError {
    name = 'EtcdConnectionError';
}
exports.EtcdConnectionError = EtcdConnectionError;
/** A revision older than the source's compaction revision was asked for. */
class CompactedRevisionError extends KubetcdError {
    name = 'CompactedRevisionError';
}
exports.CompactedRevisionError = CompactedRevisionError;
/** A revision newer than the source's current revision was asked for. */
class FutureRevisionError extends KubetcdError {
    name = 'FutureRevisionError';
}
exports.FutureRevisionError = FutureRevisionError;
/** A read was cancelled by the caller (an AbortSignal). */
class AbortedError extends KubetcdError {
    name = 'AbortedError';
}
exports.AbortedError = AbortedError;
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
]);
/**
 * True for any error kubetcd raised, whichever copy of the library raised it.
 * @example
 * try { await k.get('pods', 'web') } catch (e) { if (isKubetcdError(e)) console.log(e.message) }
 */
function isKubetcdError(e) {
    return typeof e === 'object' && e !== null && NAMES.has(e.name);
}
//# sourceMappingURL=errors.js.map