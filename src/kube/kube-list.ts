/**
 * Listing one resource: stream() hands out entries one at a time (objects, and values that could not be
 * decoded), pinned to one revision; list() gathers them. Labels (and a field selector on the name or the
 * namespace) are read by projection first, so values that do not match are skipped undecoded.
 */
import { lodash } from '../util/lazy-modules';
import { decode } from '../codec';
import type { Projected, Projector } from '../codec/project';
import type { Decoded, EncryptionInfo, KubeObject } from '../codec/types';
import { InvalidArgumentError } from '../errors';
import type { RangeProgress } from '../sources/types';
import type { KubeContext } from './context';
import { parseFieldSelector, type FieldSelector } from './field-selector';
import { listPrefixFor } from './keys';
import { parseLabelSelector } from './label-selector';
import { qualifiedResourceName } from './resources';
import { isSecrets, redactSecret } from './secret-redaction';
import {
  PREFILTER_FIELDS,
  PREFILTER_PATHS,
  checkLimit,
  checkMaxBytes,
  checkRevision,
  checkSignal,
  failureText,
  keyText,
  pinnedRevision,
  projectorFor,
  shellQuote,
  withResourceVersion,
} from './verb-support';

/** A lodash predicate: a function, a partial object, a `[path, value]` pair or a path. */
export type WherePredicate = ((object: KubeObject) => unknown) | Record<string, unknown> | [string, unknown] | string;

/** Options of {@link KubeClient.list}, named after kubectl flags. Every field is optional. */
export interface ListOptions {
  /** Only this namespace (reads its sub-prefix only). */
  namespace?: string;
  /**
   * A label selector, as for `kubectl get -l`. Labels are read first without decoding the rest (as are
   * name and namespace for a field selector on them): values that do not match are skipped undecoded, so
   * one damaged only outside its metadata is reported in `errors` only when its labels match.
   */
  labels?: string;
  /** A field selector, as for `kubectl get --field-selector` (any dotted path). */
  fields?: string;
  /** Stop after this many matching items (`truncated` then says whether more matched). */
  limit?: number;
  /** Read at this etcd revision (default: the latest). */
  revision?: number;
  /** A lodash predicate (`_.iteratee`) applied to each decoded object. */
  where?: WherePredicate;
  /** Show Secrets' `data`/`stringData` values (redacted by default). */
  reveal?: boolean;
  /**
   * Stop before the stored bytes of the entries returned (items and undecodable values) would pass this
   * bound; `truncated` and `truncatedReason` then say so. Keeps a huge listing from filling memory.
   */
  maxBytes?: number;
  /** Cancel the read: it then throws an `AbortedError`. */
  signal?: AbortSignal;
  /** Called now and then with how far the etcd read has come (records, value bytes, revision). */
  onProgress?: (progress: RangeProgress) => void;
  /**
   * Read only these dotted paths of each object (`['metadata.name', 'spec.nodeName']`): a projection,
   * which skips the rest of the protobuf without decoding it: faster on large listings (about twice, for
   * the fields of the pod table) and lighter to keep. Objects then hold these paths (plus `apiVersion`, `kind`, `metadata.resourceVersion` and what the selectors read)
   * and nothing else; a path through a list of objects keeps that field of every element, and a map or a
   * list of scalars is kept whole. Values stored as JSON (custom resources), encrypted or damaged in
   * what is read are decoded whole (a value damaged only outside these paths is read from them, as
   * count() reads it, and listed). Ignored with `where` (a predicate may read anything): objects are then whole.
   */
  paths?: readonly string[];
}

/** A value that could not be turned into an object. */
export interface ListError {
  key: string;
  error: string;
  encoding: Decoded['encoding'];
  /** The stored bytes, kept for inspection. */
  raw: Uint8Array;
  /** Set for values encrypted at rest. */
  encryption?: EncryptionInfo;
}

/** A value encrypted at rest (also listed in `errors`). */
export interface EncryptedEntry {
  key: string;
  provider: string;
  version: string;
  keyName: string;
  ciphertextBytes: number;
  /** With `encryptionConfig`: true when a configured key opened the value (then it is not in `errors`). */
  decrypted?: boolean;
}

/** The result of {@link KubeClient.list}. */
export interface KubeList {
  /**
   * Decoded objects that matched, in key order. Each carries `metadata.resourceVersion`, the etcd mod
   * revision of its record, as the API server answers (`decode()` of the stored bytes has none).
   */
  items: KubeObject[];
  /** The etcd revision the whole read was pinned to. */
  revision: number;
  /** The etcd range read. */
  range: { prefix: string };
  /** The equivalent etcdctl command. */
  etcdctl: string;
  /** Values that could not be decoded (never abort the list). */
  errors: ListError[];
  /** Values encrypted at rest, with provider and key name. */
  encrypted: EncryptedEntry[];
  /** True when `limit` was reached and more items matched, or `maxBytes` was reached. */
  truncated: boolean;
  /** Why the list stopped early (set when `truncated`). */
  truncatedReason?: string;
  /** Records read from etcd. */
  total: number;
}

/**
 * One entry of {@link KubeClient.stream}: a matching object, a value that could not be (fully) decoded,
 * or both (a partly decoded object that matched).
 */
export interface KubeStreamEntry {
  key: string;
  /** The etcd revision that last wrote the key. */
  modRevision: number;
  /** Bytes of the stored value. */
  valueBytes: number;
  /**
   * The decoded object, when it matched the selectors (Secrets redacted unless `reveal`), with
   * `metadata.resourceVersion` set to `modRevision`.
   */
  object?: KubeObject;
  /** Why the value could not be (fully) decoded. */
  error?: ListError;
}

/**
 * What {@link KubeClient.stream} returns: an AsyncIterable of entries whose properties fill in as it is
 * read (each new iteration reads again, pinned to a new revision unless `revision` was given).
 */
export interface KubeStream extends AsyncIterable<KubeStreamEntry> {
  /** The revision the read is pinned to (0 until the read starts). */
  readonly revision: number;
  readonly range: { prefix: string };
  /** The equivalent etcdctl command. */
  readonly etcdctl: string;
  /** Records read from etcd so far. */
  readonly total: number;
  /** Entries handed out so far, and their stored bytes. */
  readonly entries: number;
  readonly bytes: number;
  /** Values encrypted at rest met so far. */
  readonly encrypted: readonly EncryptedEntry[];
  /** True once the read stopped at `limit` (with more matching) or at `maxBytes`. */
  readonly truncated: boolean;
  readonly truncatedReason?: string | undefined;
}

/** The `paths` option checked: an array of non-empty strings. */
function checkPaths(paths: unknown): readonly string[] {
  if (!Array.isArray(paths) || paths.length === 0 || !paths.every((p) => typeof p === 'string' && p.trim() !== '')) {
    throw new InvalidArgumentError(
      `Invalid paths: ${JSON.stringify(paths)}. Pass a non-empty array of dotted paths, such as ['metadata.name', 'spec.nodeName'], or omit it.`,
    );
  }
  return paths as readonly string[];
}

/**
 * The projector of a listing's `paths` plus what its selectors read (labels, the fields of a field
 * selector); undefined when the projector does not take them (the listing then decodes whole objects).
 */
function projectionFor(
  paths: readonly string[],
  labels: boolean,
  fields: FieldSelector | undefined,
): Projector | undefined {
  const all = new Set(paths.map((p) => p.trim()));
  if (labels) all.add('metadata.labels');
  for (const r of fields?.requirements ?? []) all.add(r.field);
  try {
    return projectorFor([...all].sort());
  } catch {
    return undefined;
  }
}

/** A projection's result in the shape of a full decode (whose other fields only a full decode fills). */
function projectedAsDecoded(p: Projected, valueBytes: number): Decoded {
  const d: Decoded = { encoding: p.encoding, valueBytes };
  if (p.apiVersion !== undefined) d.apiVersion = p.apiVersion;
  if (p.kind !== undefined) d.kind = p.kind;
  if (p.object !== undefined) d.object = p.object;
  if (p.error !== undefined) d.error = p.error;
  return d;
}

/**
 * The entries of a listing one at a time (objects, and values that could not be decoded), never all in
 * memory. Each object carries `metadata.resourceVersion`, the mod revision of its record. Honours
 * `limit`, `maxBytes`, `signal` and `onProgress`.
 * @example
 * const s = streamObjects(k, 'pods', { labels: 'app=web' });
 * for await (const { key, object, error } of s) if (error) console.log(key, error.error);
 */
export function streamObjects(ctx: KubeContext, resource: string, options: ListOptions = {}): KubeStream {
  const info = ctx.resolve(resource);
  checkLimit(options.limit);
  checkMaxBytes(options.maxBytes);
  checkRevision(options.revision);
  const prefix = listPrefixFor(info, options.namespace, ctx.prefix);
  const labels = options.labels !== undefined ? parseLabelSelector(options.labels) : undefined;
  const fields = options.fields !== undefined ? parseFieldSelector(options.fields) : undefined;
  const where = options.where !== undefined ? lodash().iteratee(options.where) : undefined;
  const redact = isSecrets(info) && options.reveal !== true;
  // Fast path: labels (and a field selector on name/namespace) are read by projection first; only values
  // that match, or whose metadata cannot be read that way, are decoded in full.
  const fieldsOnMetadata =
    fields !== undefined &&
    fields.requirements.length > 0 &&
    fields.requirements.every((r) => PREFILTER_FIELDS.has(r.field));
  // With `paths`, one projection reads what the caller and the selectors need, and is the object.
  const paths = options.paths !== undefined ? checkPaths(options.paths) : undefined;
  const projection =
    paths !== undefined && where === undefined ? projectionFor(paths, labels !== undefined, fields) : undefined;
  const prefilter =
    projection === undefined && (labels !== undefined || fieldsOnMetadata) ? projectorFor(PREFILTER_PATHS) : undefined;
  const preMatches = (obj: KubeObject): boolean =>
    (!labels || labels.matches(lodash().get(obj, ['metadata', 'labels']) as Record<string, string> | undefined)) &&
    (!fieldsOnMetadata || (fields as NonNullable<typeof fields>).matches(obj));
  const limit = options.limit;
  const maxBytes = options.maxBytes;
  const signal = options.signal;
  const what = `Listing ${qualifiedResourceName(info)} (prefix ${prefix})`;
  const state = {
    revision: 0,
    range: { prefix },
    etcdctl: '',
    total: 0,
    entries: 0,
    bytes: 0,
    encrypted: [] as EncryptedEntry[],
    truncated: false,
    truncatedReason: undefined as string | undefined,
  };
  const etcdctlFor = (revision: number): string =>
    `etcdctl get --prefix ${shellQuote(prefix)}${options.revision !== undefined ? ` --rev=${revision}` : ''}`;
  state.etcdctl = etcdctlFor(options.revision ?? 0);
  const source = ctx.source;
  async function* entries(): AsyncGenerator<KubeStreamEntry> {
    checkSignal(signal, what);
    Object.assign(state, {
      total: 0,
      entries: 0,
      bytes: 0,
      encrypted: [],
      truncated: false,
      truncatedReason: undefined,
    });
    // Live etcd without { revision }: the read pins the revision of its first page itself, and if that
    // is compacted mid-read it moves to a newer one when what it returned is unchanged (the source
    // checks it); state.revision follows it through onProgress. Elsewhere the revision never moves.
    const live = options.revision === undefined && source.capabilities.current;
    const revision = live ? undefined : await pinnedRevision(ctx, options.revision);
    state.revision = revision ?? 0;
    state.etcdctl = etcdctlFor(state.revision);
    let items = 0;
    const onProgress = options.onProgress;
    const rangeOptions = {
      ...(revision !== undefined ? { revision } : {}),
      transientValues: true, // each value is decoded at once; an error's raw bytes are copied
      ...(signal !== undefined ? { signal } : {}),
      onProgress: (p: RangeProgress): void => {
        state.revision = p.revision;
        onProgress?.(p);
      },
    };
    for await (const kv of source.range({ prefix }, rangeOptions)) {
      checkSignal(signal, what);
      state.total++;
      const key = keyText(kv.key);
      let d: Decoded | undefined;
      if (projection !== undefined) {
        const p = projection.project(kv.value, ctx.decodeOptions(key));
        d = p.via === 'projection' ? projectedAsDecoded(p, kv.valueBytes) : p.decoded;
      } else if (prefilter !== undefined) {
        const p = prefilter.project(kv.value, ctx.decodeOptions(key));
        if (p.via === 'projection') {
          if (p.object !== undefined && !preMatches(p.object)) continue;
        } else {
          d = p.decoded; // JSON, CBOR, encrypted or malformed: already decoded in full
        }
      }
      d ??= decode(kv.value, ctx.decodeOptions(key));
      const failure = failureText(key, d);
      let error: ListError | undefined;
      if (failure !== undefined) {
        error = { key, error: failure, encoding: d.encoding, raw: Buffer.from(kv.value) };
        if (d.encryption) error.encryption = d.encryption;
      }
      let object: KubeObject | undefined;
      if (d.object !== undefined) {
        const obj = redact ? redactSecret(d.object) : d.object;
        const matches =
          (!labels ||
            labels.matches(lodash().get(obj, ['metadata', 'labels']) as Record<string, string> | undefined)) &&
          (!fields || fields.matches(obj)) &&
          (!where || Boolean(where(obj)));
        if (matches) {
          if (limit !== undefined && items >= limit) {
            state.truncated = true;
            state.truncatedReason = `Stopped at limit ${limit}: more ${qualifiedResourceName(info)} match under ${prefix}. Pass a larger { limit }, or none.`;
            return;
          }
          object = withResourceVersion(obj, kv.modRevision);
        }
      }
      if (object === undefined && error === undefined) continue;
      if (maxBytes !== undefined && state.bytes + kv.valueBytes > maxBytes) {
        state.truncated = true;
        state.truncatedReason =
          `Stopped at maxBytes ${maxBytes}: the next entry (${key}, ${kv.valueBytes} bytes) would bring what was returned ` +
          `to ${state.bytes + kv.valueBytes} bytes (${state.entries} entries returned). Pass a larger { maxBytes }, or use k.stream() to handle items one at a time.`;
        return;
      }
      if (error?.encryption) state.encrypted.push({ key, ...error.encryption });
      else if (d.encryption?.decrypted === true) state.encrypted.push({ key, ...d.encryption });
      if (object !== undefined) items++;
      state.entries++;
      state.bytes += kv.valueBytes;
      const entry: KubeStreamEntry = { key, modRevision: kv.modRevision, valueBytes: kv.valueBytes };
      if (object !== undefined) entry.object = object;
      if (error !== undefined) entry.error = error;
      yield entry;
    }
  }
  return {
    [Symbol.asyncIterator]: () => entries(),
    get revision() {
      return state.revision;
    },
    get range() {
      return state.range;
    },
    get etcdctl() {
      return state.etcdctl;
    },
    get total() {
      return state.total;
    },
    get entries() {
      return state.entries;
    },
    get bytes() {
      return state.bytes;
    },
    get encrypted() {
      return state.encrypted;
    },
    get truncated() {
      return state.truncated;
    },
    get truncatedReason() {
      return state.truncatedReason;
    },
  };
}

/**
 * The objects of one resource that match, in key order, with what could not be decoded beside them.
 * Built on {@link streamObjects}.
 * @example
 * const { items, errors } = await listObjects(k, 'po', { namespace: 'default', labels: 'app=web' });
 */
export async function listObjects(ctx: KubeContext, resource: string, options: ListOptions = {}): Promise<KubeList> {
  const stream = streamObjects(ctx, resource, options);
  const items: KubeObject[] = [];
  const errors: ListError[] = [];
  for await (const entry of stream) {
    if (entry.error !== undefined) errors.push(entry.error);
    if (entry.object !== undefined) items.push(entry.object);
  }
  const out: KubeList = {
    items,
    revision: stream.revision,
    range: stream.range,
    etcdctl: stream.etcdctl,
    errors,
    encrypted: [...stream.encrypted],
    truncated: stream.truncated,
    total: stream.total,
  };
  if (stream.truncatedReason !== undefined) out.truncatedReason = stream.truncatedReason;
  return out;
}
