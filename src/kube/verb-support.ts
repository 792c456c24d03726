/**
 * Small helpers the verbs share: argument checks with messages that say what to pass, the failure text
 * of a value that did not decode, the projectors of the fast paths, a revision to pin a read to, and the
 * visible `metadata.resourceVersion` that get/list/stream/history/watch objects carry.
 */
import { encryptedValueMessage } from '../codec/decrypt';
import { createProjector, type Projector } from '../codec/project';
import type { Decoded, KubeObject } from '../codec/types';
import { AbortedError, InvalidArgumentError } from '../errors';
import type { KubeContext } from './context';

const td = new TextDecoder();

/**
 * An etcd key's bytes as text.
 * @example
 * keyText(kv.key) // '/registry/pods/default/web'
 */
export function keyText(k: Uint8Array): string {
  return td.decode(k);
}

/**
 * A word as a POSIX shell reads it back (quoted when it holds anything but safe characters).
 * @example
 * shellQuote('web-1') // 'web-1'; shellQuote('a b') // "'a b'"
 */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * Throws InvalidArgumentError unless `revision` is absent or a positive integer.
 * @example
 * checkRevision(options.revision);
 */
export function checkRevision(revision: number | undefined): void {
  if (revision !== undefined && !(Number.isSafeInteger(revision) && revision > 0)) {
    throw new InvalidArgumentError(
      `Invalid revision: ${String(revision)}. Pass a positive integer etcd revision, or omit it.`,
    );
  }
}

/**
 * Throws InvalidArgumentError unless `limit` is absent or a positive integer.
 * @example
 * checkLimit(options.limit);
 */
export function checkLimit(limit: number | undefined): void {
  if (limit !== undefined && !(Number.isSafeInteger(limit) && limit > 0)) {
    throw new InvalidArgumentError(`Invalid limit: ${String(limit)}. Pass a positive integer, or omit it.`);
  }
}

/**
 * Throws InvalidArgumentError unless `maxBytes` is absent or a positive integer.
 * @example
 * checkMaxBytes(options.maxBytes);
 */
export function checkMaxBytes(maxBytes: number | undefined): void {
  if (maxBytes !== undefined && !(Number.isSafeInteger(maxBytes) && maxBytes > 0)) {
    throw new InvalidArgumentError(
      `Invalid maxBytes: ${String(maxBytes)}. Pass a positive integer number of bytes, or omit it.`,
    );
  }
}

/**
 * Throws AbortedError naming `what` when the signal was aborted.
 * @example
 * checkSignal(options.signal, 'Listing pods');
 */
export function checkSignal(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted)
    throw new AbortedError(`${what} was cancelled by its AbortSignal.`, { reason: String(signal.reason) });
}

/**
 * The revision a read is pinned to: the one asked for, else the source's latest.
 * @example
 * const revision = await pinnedRevision(ctx, options.revision);
 */
export async function pinnedRevision(ctx: KubeContext, revision: number | undefined): Promise<number> {
  checkRevision(revision);
  return revision ?? (await ctx.source.status()).revision;
}

/**
 * Why a decoded value is not (fully) an object, or undefined when it is one.
 * @example
 * failureText(key, decode(kv.value)) // undefined, or 'x is encrypted at rest …'
 */
export function failureText(key: string, d: Decoded): string | undefined {
  if (d.encoding === 'encrypted') {
    return d.error !== undefined ? d.error.message : encryptedValueMessage(key, d.encryption);
  }
  if (d.error) return d.error.message;
  if (d.object === undefined) {
    return `${key} does not hold a Kubernetes object (${d.valueBytes} bytes${d.preview !== undefined ? `: ${d.preview.slice(0, 80)}` : ''}).`;
  }
  return undefined;
}

/**
 * The fast path's pre-filter reads these paths by projection (see codec/project.ts), so values whose
 * labels (or name, namespace) do not match are never fully decoded: enough for label selectors and for
 * field selectors on the name and the namespace.
 */
export const PREFILTER_PATHS: readonly string[] = ['metadata.labels', 'metadata.name', 'metadata.namespace'];
/** The field selector fields the pre-filter reads. */
export const PREFILTER_FIELDS: ReadonlySet<string> = new Set(['metadata.name', 'metadata.namespace']);
const projectors = new Map<string, Projector>();

/**
 * A projector per set of paths, made once (its plans are memoised per message).
 * @example
 * projectorFor(['metadata.labels', 'metadata.name']).project(kv.value)
 */
export function projectorFor(paths: readonly string[]): Projector {
  const id = paths.join('\n');
  let p = projectors.get(id);
  if (p === undefined) projectors.set(id, (p = createProjector(paths)));
  return p;
}

/** ObjectMeta's fields that the API server writes before `resourceVersion` (Go struct order). */
const BEFORE_RESOURCE_VERSION = new Set(['name', 'generateName', 'namespace', 'selfLink', 'uid']);

/**
 * The object as the API server answers a read of it: `metadata.resourceVersion` set to the etcd mod
 * revision of the record (the stored bytes never hold it), in ObjectMeta's field order (after `uid`).
 * Changes `object` in place (a fresh `metadata`; other keys keep their order) and returns it.
 * `modRevisionOf()` and `toKubectlJson` read the revision back from that field.
 * @example
 * withResourceVersion(decode(kv.value).object, kv.modRevision).metadata.resourceVersion // '1234'
 */
export function withResourceVersion(object: KubeObject, modRevision: number): KubeObject {
  const meta = object['metadata'];
  const rv = String(modRevision);
  if (meta !== null && typeof meta === 'object' && !Array.isArray(meta)) {
    const old = meta as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    let placed = false;
    for (const k in old) {
      if (!Object.hasOwn(old, k) || k === 'resourceVersion') continue;
      if (!placed && !BEFORE_RESOURCE_VERSION.has(k)) {
        out['resourceVersion'] = rv;
        placed = true;
      }
      // a stored key "__proto__" is defined, not assigned: it stays a plain key
      if (k === '__proto__')
        Object.defineProperty(out, k, { value: old[k], enumerable: true, configurable: true, writable: true });
      else out[k] = old[k];
    }
    if (!placed) out['resourceVersion'] = rv;
    object['metadata'] = out;
  } else if (meta === undefined) {
    object['metadata'] = { resourceVersion: rv };
  }
  return object;
}
