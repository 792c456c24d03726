/**
 * Kubernetes over any KvSource (live etcd or a snapshot file): list, get, count, keys and a per-resource
 * inventory, with the same answers from both. Results are plain data shaped like `kubectl get -o json`;
 * one bad value never aborts a list (it is reported in `errors`, raw bytes kept).
 *
 * Built as arquero is: each verb is a free function over a {@link KubeContext} in its own file
 * (kube-list, kube-get, kube-count, kube-keys, kube-tree, kube-sizes, kube-history, kube-watch,
 * kube-forensics, kube-leases, kubectl-command); the client only delegates, one line each.
 */
import { decode } from '../codec';
import { loadEncryptionConfig, type EncryptionConfigInput } from '../codec/decrypt';
import { InvalidArgumentError, isKubetcdError } from '../errors';
import type { HashKvOptions, KvHash, KvSource } from '../sources/types';
import { createKubeContext, type KubeContext } from './context';
import { DEFAULT_ETCD_PREFIX, detectEtcdPrefix } from './keys';
import { countObjects, type CountOptions, type KubeCount } from './kube-count';
import type { KubeOrphans, KubeOwners, OrphansOptions, OwnersOptions } from './kube-owners';
import type { DeletedOptions, EncodingsOptions, KubeDeleted, KubeEncodings } from './kube-forensics';
import { getObject, type GetOptions, type KubeGetResult } from './kube-get';
import type { HistoryEntry, HistoryOptions } from './kube-history';
import { listKeys, storedResources, type StoredResource } from './kube-keys';
import type { KubeLeases } from './kube-leases';
import { listObjects, streamObjects, type KubeList, type KubeStream, type ListOptions } from './kube-list';
import type { KubeSizes, SizesOptions } from './kube-sizes';
import type { KeyTree, TreeOptions } from './kube-tree';
import { watchResource, type KubeWatch, type KubeWatchOptions } from './kube-watch';
import { runKubectl, type KubectlResult } from './kubectl-command';
import { resourcesFromCrd, type ResourceInfo } from './resources';
import { keyText } from './verb-support';

export type { KubeContext } from './context';
export type { CountOptions, KubeCount } from './kube-count';
export type { GetOptions, KubeGetResult } from './kube-get';
export type { StoredResource } from './kube-keys';
export type {
  EncryptedEntry,
  KubeList,
  KubeStream,
  KubeStreamEntry,
  ListError,
  ListOptions,
  WherePredicate,
} from './kube-list';
import type { ClusterInfo } from './kube-cluster-info';
import type { DiffOptions, DiffTarget, KubeDiff } from './kube-diff';
import type { ChurnOptions, KubeChurn } from './kube-churn';

/** Loads a verb's module on its first call, so a command compiles only the verbs it uses. */
function lazy<T>(load: () => T): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= load());
}
const owners = lazy(() => require('./kube-owners') as typeof import('./kube-owners'));
const forensics = lazy(() => require('./kube-forensics') as typeof import('./kube-forensics'));
const history = lazy(() => require('./kube-history') as typeof import('./kube-history'));
const leases = lazy(() => require('./kube-leases') as typeof import('./kube-leases'));
const sizes = lazy(() => require('./kube-sizes') as typeof import('./kube-sizes'));
const tree = lazy(() => require('./kube-tree') as typeof import('./kube-tree'));
const clusterInfoVerb = lazy(() => require('./kube-cluster-info') as typeof import('./kube-cluster-info'));
const diff = lazy(() => require('./kube-diff') as typeof import('./kube-diff'));
const churn = lazy(() => require('./kube-churn') as typeof import('./kube-churn'));

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

/** Kubernetes over one KvSource: a {@link KubeContext} (every verb function takes one) with the verbs as methods. */
export interface KubeClient extends KubeContext {
  /** CRDs that could not be read (their custom resources do not resolve): key and why. */
  readonly crdErrors: readonly { key: string; error: string }[];
  /**
   * The objects of one resource that match, in key order, each with `metadata.resourceVersion` (the mod
   * revision of its record); values that could not be decoded are in `errors`. See {@link listObjects}.
   * @example
   * const { items, errors } = await k.list('po', { namespace: 'default', labels: 'app=web' });
   */
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
  /**
   * One object by resource and name (or full key), with its record. See {@link getObject}.
   * @example
   * const { object, record } = await k.get('pods', 'web', { namespace: 'default' });
   */
  get(keyOrResource: string, name?: string, options?: GetOptions): Promise<KubeGetResult>;
  /**
   * How many objects match, in total and per group. See {@link countObjects}.
   * @example
   * (await k.count('pods', { by: 'spec.nodeName' })).groups
   */
  count(resource: string, options?: CountOptions): Promise<KubeCount>;
  /**
   * The etcd keys under a prefix (default: the etcd prefix). See {@link listKeys}.
   * @example
   * await k.keys('/registry/pods/default/', { limit: 10 })
   */
  keys(prefix?: string, options?: { revision?: number; limit?: number }): Promise<string[]>;
  /**
   * Every resource the source holds, with object count and value bytes. See {@link storedResources}.
   * @example
   * (await k.resources()).map((r) => [r.resource, r.count]);
   */
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
   * What changed from this source to another (`other`: an opened client), or on this source between two
   * revisions (`other`: `{ fromRevision, toRevision }`): objects added, deleted, changed, with field
   * diffs that leave out the noise unless `all`. See {@link diffKube}.
   * @example
   * (await k.diff(await open('./before.db'))).entries; (await k.diff({ fromRevision: 100, toRevision: 200 })).counts;
   */
  diff(other: DiffTarget, options?: DiffOptions): Promise<KubeDiff>;
  /**
   * Writes per resource, namespace and key over the kept history, and who made them (managedFields). See {@link keyChurn}.
   * @example
   * (await k.churn({ limit: 5 })).writers.map((w) => [w.manager, w.writes]);
   */
  churn(options?: ChurnOptions): Promise<KubeChurn>;
  /**
   * Which Kubernetes and etcd versions wrote the data, with the evidence. See {@link clusterInfo}.
   * @example
   * (await k.clusterInfo()).kubernetes.versions // ['v1.32.0']
   */
  clusterInfo(): Promise<ClusterInfo>;
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

const SAMPLE_KEYS = 1000;

class Kube implements KubeClient {
  readonly source: KvSource;
  readonly prefix: string;
  readonly customResources: readonly ResourceInfo[];

  constructor(
    private readonly ctx: KubeContext,
    readonly crdErrors: readonly { key: string; error: string }[] = [],
  ) {
    this.source = ctx.source;
    this.prefix = ctx.prefix;
    this.customResources = ctx.customResources;
  }

  resolve(resource: string): ResourceInfo {
    return this.ctx.resolve(resource);
  }
  decodeOptions(key: string): ReturnType<KubeContext['decodeOptions']> {
    return this.ctx.decodeOptions(key);
  }
  rememberStoredResource(info: ResourceInfo): void {
    this.ctx.rememberStoredResource(info);
  }
  stream(resource: string, options: ListOptions = {}): KubeStream {
    return streamObjects(this.ctx, resource, options);
  }
  list(resource: string, options: ListOptions = {}): Promise<KubeList> {
    return listObjects(this.ctx, resource, options);
  }
  get(keyOrResource: string, name?: string, options: GetOptions = {}): Promise<KubeGetResult> {
    return getObject(this.ctx, keyOrResource, name, options);
  }
  count(resource: string, options: CountOptions = {}): Promise<KubeCount> {
    return countObjects(this.ctx, resource, options);
  }
  keys(prefix?: string, options: { revision?: number; limit?: number } = {}): Promise<string[]> {
    return listKeys(this.ctx, prefix, options);
  }
  resources(options: { revision?: number } = {}): Promise<StoredResource[]> {
    return storedResources(this.ctx, options);
  }
  history(keyOrResource: string, name?: string, options: HistoryOptions = {}): Promise<HistoryEntry[]> {
    return history().objectHistory(this.ctx, keyOrResource, name, options);
  }
  kubectl(command: string): Promise<KubectlResult> {
    return runKubectl(this.ctx, command);
  }
  hashKV(options: HashKvOptions = {}): Promise<KvHash> {
    return forensics().sourceHashKV(this.ctx, options);
  }
  deleted(resource?: string, options: DeletedOptions = {}): Promise<KubeDeleted> {
    return forensics().deletedObjects(this.ctx, resource, options);
  }
  leases(): Promise<KubeLeases> {
    return leases().etcdLeases(this.ctx);
  }
  clusterInfo(): Promise<ClusterInfo> {
    return clusterInfoVerb().clusterInfo(this.ctx);
  }
  owners(resource: string, name: string, options: OwnersOptions = {}): Promise<KubeOwners> {
    return owners().objectOwners(this.ctx, resource, name, options);
  }
  orphans(options: OrphansOptions = {}): Promise<KubeOrphans> {
    return owners().findOrphans(this.ctx, options);
  }
  encodings(options: EncodingsOptions = {}): Promise<KubeEncodings> {
    return forensics().encodingCensus(this.ctx, options);
  }
  diff(other: DiffTarget, options: DiffOptions = {}): Promise<KubeDiff> {
    return diff().diffWith(this.ctx, other, options);
  }
  churn(options: ChurnOptions = {}): Promise<KubeChurn> {
    return churn().keyChurn(this.ctx, options);
  }
  tree(prefix?: string, options: TreeOptions = {}): Promise<KeyTree> {
    return tree().keyTree(this.ctx, prefix, options);
  }
  sizes(options: SizesOptions = {}): Promise<KubeSizes> {
    return sizes().storageSizes(this.ctx, options);
  }
  watch(resource: string, options: KubeWatchOptions = {}): KubeWatch {
    return watchResource(this.ctx, resource, options);
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
    throw new InvalidArgumentError(
      'Cannot open Kubernetes over this source: it is not a KvSource. Pass the result of openSource().',
    );
  }
  const decryption =
    options.encryptionConfig !== undefined ? loadEncryptionConfig(options.encryptionConfig) : undefined;
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
      for await (const kv of source.range({ prefix: '' }, { keysOnly: true, limit: SAMPLE_KEYS }))
        sample.push(keyText(kv.key));
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
  return new Kube(createKubeContext(source, prefix, crds, decryption), crdErrors);
}
