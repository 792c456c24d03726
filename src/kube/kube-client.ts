/**
 * Kubernetes over any KvSource (live etcd or a snapshot file): list, get, count, keys and a per-resource
 * inventory, with the same answers from both. Results are plain data shaped like `kubectl get -o json`;
 * one bad value never aborts a list (it is reported in `errors`, raw bytes kept).
 */
import { lodash } from '../util/lazy-modules';
import { decode, type DecodeOptions } from '../codec';
import { markModRevision } from '../codec/kubectl-format';
import { createProjector, type Projected, type Projector } from '../codec/project';
import { encryptedValueMessage, loadEncryptionConfig, type EncryptionConfig, type EncryptionConfigInput } from '../codec/decrypt';
import type { Decoded, EncryptionInfo, KubeObject, UnknownField } from '../codec/types';
import { AbortedError, InvalidArgumentError, isKubetcdError, NotFoundError } from '../errors';
import type { KvRecord, KvSource, RangeProgress } from '../sources/types';
import { DEFAULT_ETCD_PREFIX, detectEtcdPrefix, keyFor, listPrefixFor, parseKey } from './keys';
import { parseFieldSelector, type FieldSelector } from './field-selector';
import { parseLabelSelector } from './label-selector';
import { qualifiedResourceName, resolveResource, resourcesFromCrd, type ResourceInfo } from './resources';
import { objectHistory, type HistoryEntry, type HistoryOptions } from './kube-history';
import { runKubectl, type KubectlResult } from './kubectl-command';
import { keyTree, type KeyTree, type TreeOptions } from './kube-tree';
import { storageSizes, type KubeSizes, type SizesOptions } from './kube-sizes';
import { etcdLeases, type KubeLeases } from './kube-leases';
import { findOrphans, objectOwners, type KubeOrphans, type KubeOwners, type OrphansOptions, type OwnersOptions } from './kube-owners';
import { watchResource, type KubeWatch, type KubeWatchOptions } from './kube-watch';
import { isSecrets, redactSecret } from './secret-redaction';
import { deletedObjects, encodingCensus, sourceHashKV, type DeletedOptions, type EncodingsOptions, type KubeDeleted, type KubeEncodings } from './kube-forensics';
import type { HashKvOptions, KvHash } from '../sources/types';

/** Options of {@link openKube}. Every field is optional. */
export interface KubeOptions {
  /** kube-apiserver's `--etcd-prefix` (default: detected from a keys-only sample, else `/registry`). */
  prefix?: string;
  /**
   * kube-apiserver's EncryptionConfiguration (its `--encryption-provider-config` file: a path, the
   * YAML/JSON text, or `loadEncryptionConfig`'s result): values encrypted at rest with its aescbc,
   * aesgcm or secretbox keys are decrypted; `encryption` on results names the key that opened each.
   */
  encryptionConfig?: EncryptionConfigInput;
}

/** A lodash predicate: a function, a partial object, a `[path, value]` pair or a path. */
export type WherePredicate =
  | ((object: KubeObject) => unknown)
  | Record<string, unknown>
  | [string, unknown]
  | string;

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
   * the fields of the pod table) and lighter to keep. Objects then hold these paths (plus `apiVersion`, `kind` and what the selectors read)
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
  /** Decoded objects that matched, in key order. */
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
  /** The decoded object, when it matched the selectors (Secrets redacted unless `reveal`). */
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
  readonly truncatedReason?: string;
}

/** Options of {@link KubeClient.get}. Every field is optional. */
export interface GetOptions {
  namespace?: string;
  revision?: number;
  reveal?: boolean;
}

/** The result of {@link KubeClient.get}. */
export interface KubeGetResult {
  /** The decoded object (absent when the value could not be decoded). */
  object?: KubeObject;
  key: string;
  record: { createRevision: number; modRevision: number; version: number; lease: string; valueBytes: number };
  encoding: Decoded['encoding'];
  unknownFields?: UnknownField[];
  /** Why the value could not be (fully) decoded. */
  error?: string;
  encryption?: EncryptionInfo;
}

/** Options of {@link KubeClient.count}. Every field is optional. */
export interface CountOptions {
  /**
   * Group by `namespace`, `kind`, a label (`label:app`, `metadata.labels.app`, also with dots and
   * slashes: `label:app.kubernetes.io/name`), an annotation (`annotation:x`, `metadata.annotations.x`)
   * or any dotted path (`spec.nodeName`, `status.phase`, `spec.containers[0].image`).
   */
  by?: string;
  namespace?: string;
  labels?: string;
  fields?: string;
  revision?: number;
  signal?: AbortSignal;
}

/** The result of {@link KubeClient.count}. */
export interface KubeCount {
  total: number;
  /** Counts per group value (`<none>` when the field is missing). Empty without `by`. */
  groups: Record<string, number>;
  /**
   * Values that could not be decoded (not in `total`). count() reads protobuf values by projection (only
   * the group's field and the selectors' fields): a value damaged only inside fields it does not read is
   * counted from the fields it reads, not here; `list()` decodes whole objects.
   */
  errors: number;
}

/** One resource held by the source, from {@link KubeClient.resources}. */
export interface StoredResource {
  /** The qualified resource name (`pods`, `deployments.apps`, `certificates.cert-manager.io`). */
  resource: string;
  group: string;
  /** The kind (`''` when the resource is not known). */
  kind: string;
  namespaced: boolean;
  count: number;
  /** Value bytes over its keys. */
  bytes: number;
}

/** Kubernetes over one KvSource. */
export interface KubeClient {
  readonly source: KvSource;
  /** The etcd prefix in use, without a trailing slash: `/registry`. */
  readonly prefix: string;
  /** Custom resources found in the source's CRDs. */
  readonly customResources: readonly ResourceInfo[];
  /** CRDs that could not be read (their custom resources do not resolve): key and why. */
  readonly crdErrors: readonly { key: string; error: string }[];
  /** Resolves a resource name the forgiving way (`po`, `deploy`, `deployments.apps`, CRD names). */
  resolve(resource: string): ResourceInfo;
  /**
   * decode()'s options for the stored value at `key`, as this client reads it (the EncryptionConfiguration
   * given to openKube, if any); undefined when there are none.
   * @example
   * const d = decode(kv.value, k.decodeOptions('/registry/secrets/default/db'));
   */
  decodeOptions(key: string): DecodeOptions | undefined;
  list(resource: string, options?: ListOptions): Promise<KubeList>;
  /**
   * The entries of a listing one at a time (objects, and values that could not be decoded), never all in
   * memory; `list()` is built on it. Honours `limit`, `maxBytes`, `signal` and `onProgress`.
   * @example
   * const s = k.stream('pods', { labels: 'app=web' });
   * for await (const { key, object, error } of s) if (error) console.log(key, error.error);
   * console.log(s.revision, s.total, s.truncated);
   */
  stream(resource: string, options?: ListOptions): KubeStream;
  /**
   * The key layout as a tree (`/registry` → `pods` → `default` → names) with key counts and value bytes,
   * non-object keys included. See {@link keyTree}.
   * @example
   * const { root } = await k.tree('/registry', { depth: 1 }); root.children.map((c) => [c.name, c.keys, c.bytes]);
   */
  tree(prefix?: string, options?: TreeOptions): Promise<KeyTree>;
  /**
   * What takes space: by resource, by namespace, the largest values, and every kept revision where the
   * source can tell (snapshots). See {@link storageSizes}.
   * @example
   * const s = await k.sizes({ top: 5 }); s.byResource[0]; s.largest; s.notes;
   */
  sizes(options?: SizesOptions): Promise<KubeSizes>;
  /**
   * Changes to a resource as they happen, like `kubectl get -w` (live etcd only). See {@link watchResource}.
   * @example
   * for await (const e of k.watch('pods', { namespace: 'default' })) console.log(e.type, e.key, e.revision);
   */
  watch(resource: string, options?: KubeWatchOptions): KubeWatch;
  get(keyOrResource: string, name?: string, options?: GetOptions): Promise<KubeGetResult>;
  count(resource: string, options?: CountOptions): Promise<KubeCount>;
  keys(prefix?: string, options?: { revision?: number; limit?: number }): Promise<string[]>;
  resources(options?: { revision?: number }): Promise<StoredResource[]>;
  /** Every kept revision of one object, oldest first, each diffed against the one before. */
  history(keyOrResource: string, name?: string, options?: HistoryOptions): Promise<HistoryEntry[]>;
  /** Runs a `kubectl get …` command line: the result, the etcd reads it maps to, the printed output. */
  kubectl(command: string): Promise<KubectlResult>;
  /**
   * etcd's HashKV of the source, the number `etcdctl endpoint hashkv` prints (a snapshot computes it as
   * etcd does). See {@link sourceHashKV}.
   * @example
   * const { hash, compactRevision, hashRevision } = await k.hashKV({ revision: 1234 });
   */
  hashKV(options?: HashKvOptions): Promise<KvHash>;
  /**
   * Objects whose delete the source still keeps (not yet compacted away), with the revision of the delete
   * and the last value before it, decoded. See {@link deletedObjects}.
   * @example
   * (await k.deleted('secrets', { namespace: 'default' })).items.map((d) => [d.name, d.revision]);
   */
  deleted(resource?: string, options?: DeletedOptions): Promise<KubeDeleted>;
  /**
   * Per resource, how many values are protobuf, JSON, CBOR, encrypted (by provider and key name), other.
   * See {@link encodingCensus}.
   * @example
   * (await k.encodings()).resources.filter((r) => r.encrypted > 0);
   */
  encodings(options?: EncodingsOptions): Promise<KubeEncodings>;
  /**
   * Every etcd lease with its TTL and the keys it keeps alive, per resource. See {@link etcdLeases}.
   * @example
   * (await k.leases()).leases.map((l) => [l.id, l.ttlSeconds, l.keys.length]);
   */
  leases(): Promise<KubeLeases>;
  /**
   * The ownerReference graph around one object: its owners up and what it owns down, by uid. See {@link objectOwners}.
   * @example
   * (await k.owners('replicasets', 'web-7d4b9c', { namespace: 'shop' })).object.dependents?.map((d) => d.name);
   */
  owners(resource: string, name: string, options?: OwnersOptions): Promise<KubeOwners>;
  /**
   * Objects whose owner (by uid) is gone, and objects stuck on finalizers with their age. See {@link findOrphans}.
   * @example
   * const { orphans, stuck } = await k.orphans();
   */
  orphans(options?: OrphansOptions): Promise<KubeOrphans>;
}

const td = new TextDecoder();
const SAMPLE_KEYS = 1000;

function keyText(k: Uint8Array): string {
  return td.decode(k);
}

function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

function checkRevision(revision: number | undefined): void {
  if (revision !== undefined && !(Number.isSafeInteger(revision) && revision > 0)) {
    throw new InvalidArgumentError(`Invalid revision: ${String(revision)}. Pass a positive integer etcd revision, or omit it.`);
  }
}

function checkLimit(limit: number | undefined): void {
  if (limit !== undefined && !(Number.isSafeInteger(limit) && limit > 0)) {
    throw new InvalidArgumentError(`Invalid limit: ${String(limit)}. Pass a positive integer, or omit it.`);
  }
}

function checkMaxBytes(maxBytes: number | undefined): void {
  if (maxBytes !== undefined && !(Number.isSafeInteger(maxBytes) && maxBytes > 0)) {
    throw new InvalidArgumentError(`Invalid maxBytes: ${String(maxBytes)}. Pass a positive integer number of bytes, or omit it.`);
  }
}

function checkSignal(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw new AbortedError(`${what} was cancelled by its AbortSignal.`, { reason: String(signal.reason) });
}




function failureText(key: string, d: Decoded): string | undefined {
  if (d.encoding === 'encrypted') {
    return d.error !== undefined ? d.error.message : encryptedValueMessage(key, d.encryption);
  }
  if (d.error) return d.error.message;
  if (d.object === undefined) {
    return `${key} does not hold a Kubernetes object (${d.valueBytes} bytes${d.preview !== undefined ? `: ${d.preview.slice(0, 80)}` : ''}).`;
  }
  return undefined;
}

/** The lodash path `by` groups on: label and annotation keys stay whole (they hold dots and slashes). */
function groupPath(by: string): string | string[] {
  if (by === 'namespace') return ['metadata', 'namespace'];
  if (by === 'name') return ['metadata', 'name'];
  if (by === 'kind') return ['kind'];
  const short = /^(label|annotation)s?:(.+)$/.exec(by);
  if (short) return ['metadata', `${short[1] as string}s`, short[2] as string];
  const m = /^metadata\.(labels|annotations)\.(.+)$/.exec(by);
  return m ? ['metadata', m[1] as string, m[2] as string] : by;
}

function groupValue(obj: KubeObject, path: string | string[]): string {
  const v: unknown = lodash().get(obj, path);
  if (v === undefined || v === null || v === '') return '<none>';
  return typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/**
 * The fast path's pre-filter reads these paths by projection (see codec/project.ts), so values whose
 * labels (or name, namespace) do not match are never fully decoded: enough for label selectors and for
 * field selectors on the name and the namespace.
 */
const PREFILTER_PATHS = ['metadata.labels', 'metadata.name', 'metadata.namespace'];
const PREFILTER_FIELDS = new Set(['metadata.name', 'metadata.namespace']);
const projectors = new Map<string, Projector>();

/** A projector per set of paths, made once (its plans are memoised per message). */
function projectorFor(paths: readonly string[]): Projector {
  const id = paths.join('\n');
  let p = projectors.get(id);
  if (p === undefined) projectors.set(id, (p = createProjector(paths)));
  return p;
}

/** The `paths` option checked: an array of non-empty strings. */
function checkPaths(paths: unknown): readonly string[] {
  if (!Array.isArray(paths) || paths.length === 0 || !paths.every((p) => typeof p === 'string' && p.trim() !== '')) {
    throw new InvalidArgumentError(`Invalid paths: ${JSON.stringify(paths)}. Pass a non-empty array of dotted paths, such as ['metadata.name', 'spec.nodeName'], or omit it.`);
  }
  return paths as readonly string[];
}

/**
 * The projector of a listing's `paths` plus what its selectors read (labels, the fields of a field
 * selector); undefined when the projector does not take them (the listing then decodes whole objects).
 */
function projectionFor(paths: readonly string[], labels: boolean, fields: FieldSelector | undefined): Projector | undefined {
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
 * The path to project for grouping by `path` (a result of groupPath), or undefined when the whole object
 * is needed; `''` when the group needs no field (the kind).
 */
function groupProjection(path: string | string[]): string | undefined {
  if (Array.isArray(path)) {
    if (path.length === 1 && path[0] === 'kind') return '';
    if (path.length === 2 && path[0] === 'metadata') return `metadata.${path[1] as string}`;
    if (path.length === 3 && path[0] === 'metadata' && (path[1] === 'labels' || path[1] === 'annotations')) return `metadata.${path[1]}`;
    return undefined;
  }
  // lodash paths: the dotted part before the first index (`spec.containers[0].image` → `spec.containers`,
  // whose elements a projection keeps whole)
  const m = /^[A-Za-z_$][\w$-]*(?:\.[A-Za-z_$][\w$-]*)*(?=\[|$)/.exec(path);
  return m ? m[0] : undefined;
}

class Kube implements KubeClient {
  constructor(
    readonly source: KvSource,
    readonly prefix: string,
    readonly customResources: readonly ResourceInfo[],
    readonly crdErrors: readonly { key: string; error: string }[] = [],
    private readonly decryption: EncryptionConfig | undefined = undefined,
  ) {}

  /** decode's options for the value at `key`: the EncryptionConfiguration given to openKube, if any. */
  decodeOptions(key: string): { decryption: EncryptionConfig; key: string } | undefined {
    return this.decryption === undefined ? undefined : { decryption: this.decryption, key };
  }

  /** Resources found by resources() under keys no known resource uses, so that list() can read them. */
  private readonly storedUnknown = new Map<string, ResourceInfo>();

  resolve(resource: string): ResourceInfo {
    try {
      return resolveResource(resource, this.customResources);
    } catch (e) {
      const found = typeof resource === 'string' ? this.storedUnknown.get(resource.trim().toLowerCase()) : undefined;
      if (found !== undefined) return found;
      throw e;
    }
  }

  private async pinnedRevision(revision: number | undefined): Promise<number> {
    checkRevision(revision);
    return revision ?? (await this.source.status()).revision;
  }

  stream(resource: string, options: ListOptions = {}): KubeStream {
    const info = this.resolve(resource);
    checkLimit(options.limit);
    checkMaxBytes(options.maxBytes);
    checkRevision(options.revision);
    const prefix = listPrefixFor(info, options.namespace, this.prefix);
    const labels = options.labels !== undefined ? parseLabelSelector(options.labels) : undefined;
    const fields = options.fields !== undefined ? parseFieldSelector(options.fields) : undefined;
    const where = options.where !== undefined ? lodash().iteratee(options.where) : undefined;
    const redact = isSecrets(info) && options.reveal !== true;
    // Fast path: labels (and a field selector on name/namespace) are read by projection first; only values
    // that match, or whose metadata cannot be read that way, are decoded in full.
    const fieldsOnMetadata = fields !== undefined && fields.requirements.length > 0 && fields.requirements.every((r) => PREFILTER_FIELDS.has(r.field));
    // With `paths`, one projection reads what the caller and the selectors need, and is the object.
    const paths = options.paths !== undefined ? checkPaths(options.paths) : undefined;
    const projection = paths !== undefined && where === undefined ? projectionFor(paths, labels !== undefined, fields) : undefined;
    const prefilter = projection === undefined && (labels !== undefined || fieldsOnMetadata) ? projectorFor(PREFILTER_PATHS) : undefined;
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
    const source = this.source;
    const self = this;
    async function* entries(): AsyncGenerator<KubeStreamEntry> {
      checkSignal(signal, what);
      Object.assign(state, { total: 0, entries: 0, bytes: 0, encrypted: [], truncated: false, truncatedReason: undefined });
      // Live etcd without { revision }: the read pins the revision of its first page itself, and if that
      // is compacted mid-read it moves to a newer one when what it returned is unchanged (the source
      // checks it); state.revision follows it through onProgress. Elsewhere the revision never moves.
      const live = options.revision === undefined && source.kind === 'live';
      const revision = live ? undefined : await self.pinnedRevision(options.revision);
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
          const p = projection.project(kv.value, self.decodeOptions(key));
          d = p.via === 'projection' ? projectedAsDecoded(p, kv.valueBytes) : p.decoded;
        } else if (prefilter !== undefined) {
          const p = prefilter.project(kv.value, self.decodeOptions(key));
          if (p.via === 'projection') {
            if (p.object !== undefined && !preMatches(p.object)) continue;
          } else {
            d = p.decoded; // JSON, CBOR, encrypted or malformed: already decoded in full
          }
        }
        d ??= decode(kv.value, self.decodeOptions(key));
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
            (!labels || labels.matches(lodash().get(obj, ['metadata', 'labels']) as Record<string, string> | undefined)) &&
            (!fields || fields.matches(obj)) &&
            (!where || Boolean(where(obj)));
          if (matches) {
            if (limit !== undefined && items >= limit) {
              state.truncated = true;
              state.truncatedReason = `Stopped at limit ${limit}: more ${qualifiedResourceName(info)} match under ${prefix}. Pass a larger { limit }, or none.`;
              return;
            }
            object = obj;
            markModRevision(object, kv.modRevision);
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

  async list(resource: string, options: ListOptions = {}): Promise<KubeList> {
    const stream = this.stream(resource, options);
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

  async get(keyOrResource: string, name?: string, options: GetOptions = {}): Promise<KubeGetResult> {
    if (typeof keyOrResource !== 'string' || keyOrResource === '') {
      throw new InvalidArgumentError(
        `Cannot get ${JSON.stringify(keyOrResource)}: pass a resource and a name (k.get('pods', 'web', { namespace: 'default' })) or a key starting with "${this.prefix}/".`,
      );
    }
    let key: string;
    let info: ResourceInfo | undefined;
    let label: string;
    if (name === undefined) {
      if (!keyOrResource.startsWith(`${this.prefix}/`) && keyOrResource !== 'compact_rev_key') {
        throw new InvalidArgumentError(
          `Cannot get ${JSON.stringify(keyOrResource)}: no name given, and it is not a key under the prefix "${this.prefix}/". ` +
            `Pass a resource and a name (k.get('pods', 'web', { namespace: 'default' })) or a full key.`,
        );
      }
      key = keyOrResource;
      const parsed = parseKey(key, { prefix: this.prefix, resources: this.customResources });
      info = parsed.kind === 'object' ? parsed.info : undefined;
      label = `Key ${key}`;
    } else {
      info = this.resolve(keyOrResource);
      const namespace = info.namespaced ? (options.namespace ?? 'default') : options.namespace;
      key = keyFor(info, name, namespace, this.prefix);
      label = info.namespaced
        ? `${qualifiedResourceName(info)} ${JSON.stringify(name)} not found in namespace ${JSON.stringify(namespace)} (key ${key})`
        : `${qualifiedResourceName(info)} ${JSON.stringify(name)} not found (key ${key})`;
    }
    checkRevision(options.revision);
    const kv: KvRecord | undefined = await this.source.get(key, options.revision !== undefined ? { revision: options.revision } : {});
    if (kv === undefined) {
      const at = options.revision !== undefined ? ` at revision ${options.revision}` : '';
      const message = name === undefined ? `${label} not found${at}.` : `${label}${at}.`;
      throw new NotFoundError(`${message} k.keys() lists the keys this source holds.`, { key, revision: options.revision });
    }
    const d = decode(kv.value, this.decodeOptions(key));
    const result: KubeGetResult = {
      key,
      record: {
        createRevision: kv.createRevision,
        modRevision: kv.modRevision,
        version: kv.version,
        lease: kv.lease,
        valueBytes: kv.valueBytes,
      },
      encoding: d.encoding,
    };
    if (d.object !== undefined) {
      result.object = isSecrets(info) && options.reveal !== true ? redactSecret(d.object) : d.object;
      markModRevision(result.object, kv.modRevision);
    }
    if (d.unknownFields !== undefined && d.unknownFields.length > 0) result.unknownFields = d.unknownFields;
    const failure = failureText(key, d);
    if (failure !== undefined) result.error = failure;
    if (d.encryption) result.encryption = d.encryption;
    return result;
  }

  async count(resource: string, options: CountOptions = {}): Promise<KubeCount> {
    let path: string | string[] | undefined;
    if (options.by !== undefined) {
      if (typeof options.by !== 'string' || options.by.trim() === '') {
        throw new InvalidArgumentError(
          `Invalid "by": ${JSON.stringify(options.by)}. Pass 'namespace', 'kind', 'label:app' or a dotted path such as 'spec.nodeName'.`,
        );
      }
      path = groupPath(options.by.trim());
    }
    const fast = this.countByProjection(resource, path, options);
    if (fast !== undefined) return fast;
    const stream = this.stream(resource, {
      ...(options.namespace !== undefined ? { namespace: options.namespace } : {}),
      ...(options.labels !== undefined ? { labels: options.labels } : {}),
      ...(options.fields !== undefined ? { fields: options.fields } : {}),
      ...(options.revision !== undefined ? { revision: options.revision } : {}),
      ...(options.signal !== undefined ? { signal: options.signal } : {}),
    });
    const groups: Record<string, number> = {};
    let total = 0;
    let errors = 0;
    for await (const entry of stream) {
      if (entry.error !== undefined) errors++;
      if (entry.object === undefined) continue;
      total++;
      if (path !== undefined) {
        const g = groupValue(entry.object, path);
        groups[g] = (groups[g] ?? 0) + 1;
      }
    }
    return { total, groups, errors };
  }

  /**
   * count() by projection: only the group's field and the selectors' fields are read from protobuf values
   * (values the projector cannot read that way are decoded in full, as count() does). Undefined when the
   * whole object is needed: a group or field selector it cannot project, or Secrets (grouped redacted).
   */
  private countByProjection(resource: string, path: string | string[] | undefined, options: CountOptions): Promise<KubeCount> | undefined {
    const info = this.resolve(resource);
    if (isSecrets(info)) return undefined;
    const labels = options.labels !== undefined ? parseLabelSelector(options.labels) : undefined;
    const paths = labels !== undefined ? ['metadata.labels'] : [];
    if (path !== undefined) {
      const p = groupProjection(path);
      if (p === undefined) return undefined;
      if (p !== '') paths.push(p);
    }
    const fields = options.fields !== undefined ? parseFieldSelector(options.fields) : undefined;
    if (fields !== undefined) {
      if (!fields.requirements.every((r) => PREFILTER_FIELDS.has(r.field))) return undefined;
      for (const r of fields.requirements) paths.push(r.field);
    }
    // nothing to read (a plain total, or by kind): the name is the cheapest field that says the value reads
    if (paths.length === 0) paths.push('metadata.name');
    let projector: Projector;
    try {
      projector = projectorFor([...new Set(paths)].sort());
    } catch {
      return undefined; // a path the projector does not take: count from whole objects
    }
    checkRevision(options.revision);
    const prefix = listPrefixFor(info, options.namespace, this.prefix);
    const signal = options.signal;
    const what = `Counting ${qualifiedResourceName(info)} (prefix ${prefix})`;
    const run = async (): Promise<KubeCount> => {
      checkSignal(signal, what);
      // Without { revision }, a live read pins and (after a compaction, when sound) moves its own revision.
      const revision = options.revision;
      const groups: Record<string, number> = {};
      let total = 0;
      let errors = 0;
      for await (const kv of this.source.range({ prefix }, { ...(revision !== undefined ? { revision } : {}), transientValues: true, ...(signal !== undefined ? { signal } : {}) })) {
        checkSignal(signal, what);
        const key = keyText(kv.key);
        const p = projector.project(kv.value, this.decodeOptions(key));
        let obj: KubeObject | undefined;
        if (p.via === 'projection') {
          obj = p.object;
        } else {
          // decoded in full (JSON, CBOR, encrypted, malformed): counted exactly as count() counts it
          const d = p.decoded as Decoded;
          if (failureText(key, d) !== undefined) errors++;
          obj = d.object;
        }
        if (obj === undefined) continue;
        if (labels && !labels.matches(lodash().get(obj, ['metadata', 'labels']) as Record<string, string> | undefined)) continue;
        if (fields && !fields.matches(obj)) continue;
        total++;
        if (path !== undefined) {
          const g = groupValue(obj, path);
          groups[g] = (groups[g] ?? 0) + 1;
        }
      }
      return { total, groups, errors };
    };
    return run();
  }

  async keys(prefix?: string, options: { revision?: number; limit?: number } = {}): Promise<string[]> {
    checkRevision(options.revision);
    checkLimit(options.limit);
    const p = prefix ?? `${this.prefix}/`;
    const out: string[] = [];
    const opts = {
      keysOnly: true,
      ...(options.revision !== undefined ? { revision: options.revision } : {}),
      ...(options.limit !== undefined ? { limit: options.limit } : {}),
    };
    for await (const kv of this.source.range({ prefix: p }, opts)) out.push(keyText(kv.key));
    return out;
  }

  async resources(options: { revision?: number } = {}): Promise<StoredResource[]> {
    checkRevision(options.revision);
    const revision = options.revision;
    // Live etcd does not report value sizes on keys-only reads: read the values there.
    const keysOnly = this.source.kind !== 'live';
    const byPrefix = new Map<string, StoredResource>();
    for await (const kv of this.source.range({ prefix: `${this.prefix}/` }, { ...(revision !== undefined ? { revision } : {}), keysOnly })) {
      const parsed = parseKey(keyText(kv.key), { prefix: this.prefix, resources: this.customResources });
      if (parsed.kind !== 'object') continue;
      let entry = byPrefix.get(parsed.keyPrefix);
      if (entry === undefined) {
        const i = parsed.info;
        if (i === undefined) this.rememberUnknown(parsed.resource, parsed.group ?? '', parsed.keyPrefix, parsed.namespace !== undefined);
        entry = {
          resource: i ? qualifiedResourceName(i) : parsed.group ? `${parsed.resource}.${parsed.group}` : parsed.resource,
          group: i ? i.group : (parsed.group ?? ''),
          kind: i ? i.kind : '',
          namespaced: i ? i.namespaced : parsed.namespace !== undefined,
          count: 0,
          bytes: 0,
        };
        byPrefix.set(parsed.keyPrefix, entry);
      }
      entry.count++;
      entry.bytes += kv.valueBytes;
    }
    return [...byPrefix.values()].sort((a, b) => (a.resource < b.resource ? -1 : a.resource > b.resource ? 1 : 0));
  }

  /**
   * Keys shaped like objects under a prefix no known resource uses (a CRD deleted with its objects left,
   * a resource of another release): resolve() then answers for the name resources() showed, and the
   * values tell their own kind when decoded.
   */
  private rememberUnknown(resource: string, group: string, keyPrefix: string, namespaced: boolean): void {
    const name = group ? `${resource}.${group}` : resource;
    if (this.storedUnknown.has(name.toLowerCase())) return;
    this.storedUnknown.set(name.toLowerCase(), {
      resource,
      singular: resource,
      shortNames: [],
      kind: '',
      group,
      versions: [],
      namespaced,
      keyPrefix,
      storedAs: { apiVersion: '', kind: '' },
      encoding: 'json',
      legacyGroups: [],
      builtin: false,
    });
  }

  history(keyOrResource: string, name?: string, options: HistoryOptions = {}): Promise<HistoryEntry[]> {
    return objectHistory(this, keyOrResource, name, options);
  }

  kubectl(command: string): Promise<KubectlResult> {
    return runKubectl(this, command);
  }

  hashKV(options: HashKvOptions = {}): Promise<KvHash> {
    return sourceHashKV(this, options);
  }

  deleted(resource?: string, options: DeletedOptions = {}): Promise<KubeDeleted> {
    return deletedObjects(this, resource, options);
  }

  leases(): Promise<KubeLeases> {
    return etcdLeases(this);
  }

  owners(resource: string, name: string, options: OwnersOptions = {}): Promise<KubeOwners> {
    return objectOwners(this, resource, name, options);
  }

  orphans(options: OrphansOptions = {}): Promise<KubeOrphans> {
    return findOrphans(this, options);
  }

  encodings(options: EncodingsOptions = {}): Promise<KubeEncodings> {
    return encodingCensus(this, options);
  }

  tree(prefix?: string, options: TreeOptions = {}): Promise<KeyTree> {
    return keyTree(this, prefix, options);
  }

  sizes(options: SizesOptions = {}): Promise<KubeSizes> {
    return storageSizes(this, options);
  }

  watch(resource: string, options: KubeWatchOptions = {}): KubeWatch {
    return watchResource(this, resource, options);
  }
}

/**
 * Opens Kubernetes over a source: detects the etcd prefix (unless given) and reads the
 * CustomResourceDefinitions so custom resources resolve like built-ins.
 * @example
 * const k = await openKube(await openSource('./etcd-backup.db'));
 * const { items, errors } = await k.list('po', { namespace: 'default', labels: 'app=web' });
 */
export async function openKube(source: KvSource, options: KubeOptions = {}): Promise<KubeClient> {
  if (source === null || typeof source !== 'object' || typeof source.range !== 'function') {
    throw new InvalidArgumentError('Cannot open Kubernetes over this source: it is not a KvSource. Pass the result of openSource().');
  }
  const decryption = options.encryptionConfig !== undefined ? loadEncryptionConfig(options.encryptionConfig) : undefined;
  let prefix: string;
  if (options.prefix !== undefined) {
    if (typeof options.prefix !== 'string' || !options.prefix.startsWith('/')) {
      throw new InvalidArgumentError(
        `Invalid etcd prefix: ${JSON.stringify(options.prefix)}. Pass kube-apiserver's --etcd-prefix, such as "/registry".`,
      );
    }
    prefix = options.prefix.replace(/\/+$/, '');
  } else {
    const sample: string[] = [];
    try {
      for await (const kv of source.range({ prefix: '' }, { keysOnly: true, limit: SAMPLE_KEYS })) sample.push(keyText(kv.key));
    } catch (e) {
      // A user whose role reads only the Kubernetes prefix may not sample the whole key space: take the
      // default prefix then (a wrong guess shows as empty lists; { prefix } names the right one).
      if (!(isKubetcdError(e) && e.details.permissionDenied === true)) throw e;
    }
    prefix = sample.length > 0 ? detectEtcdPrefix(sample) : DEFAULT_ETCD_PREFIX;
  }
  const crds: ResourceInfo[] = [];
  const crdErrors: { key: string; error: string }[] = [];
  for await (const kv of source.range({ prefix: `${prefix}/apiextensions.k8s.io/customresourcedefinitions/` })) {
    const d = decode(kv.value, decryption === undefined ? undefined : { decryption, key: keyText(kv.key) });
    if (d.object === undefined) {
      crdErrors.push({ key: keyText(kv.key), error: d.error?.message ?? `a ${d.encoding} value, not a CRD object` });
      continue;
    }
    try {
      crds.push(resourcesFromCrd(d.object));
    } catch (e) {
      // Its custom resources stay unresolvable; the reason is kept here and list('crd') shows the value.
      crdErrors.push({ key: keyText(kv.key), error: (e as Error).message });
    }
  }
  return new Kube(source, prefix, crds, crdErrors, decryption);
}
