/**
 * Kubernetes over any KvSource (live etcd or a snapshot file): list, get, count, keys and a per-resource
 * inventory, with the same answers from both. Results are plain data shaped like `kubectl get -o json`;
 * one bad value never aborts a list (it is reported in `errors`, raw bytes kept).
 */
import _ from 'lodash';
import { decode } from '../codec';
import type { Decoded, EncryptionInfo, KubeObject, UnknownField } from '../codec/types';
import { InvalidArgumentError, NotFoundError } from '../errors';
import type { KvRecord, KvSource } from '../sources/types';
import { DEFAULT_ETCD_PREFIX, detectEtcdPrefix, keyFor, listPrefixFor, parseKey } from './keys';
import { parseFieldSelector } from './field-selector';
import { parseLabelSelector } from './label-selector';
import { qualifiedResourceName, resolveResource, resourcesFromCrd, type ResourceInfo } from './resources';
import { objectHistory, type HistoryEntry, type HistoryOptions } from './kube-history';
import { runKubectl, type KubectlResult } from './kubectl-command';
import { isSecrets, redactSecret } from './secret-redaction';

/** Options of {@link openKube}. Every field is optional. */
export interface KubeOptions {
  /** kube-apiserver's `--etcd-prefix` (default: detected from a keys-only sample, else `/registry`). */
  prefix?: string;
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
  /** A label selector, as for `kubectl get -l`. */
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
  /** True when `limit` was reached and more items matched. */
  truncated: boolean;
  /** Records read from etcd. */
  total: number;
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
  /** Group by `namespace`, `kind` or a dotted path (`spec.nodeName`, `metadata.labels.app`). */
  by?: string;
  namespace?: string;
  labels?: string;
  revision?: number;
}

/** The result of {@link KubeClient.count}. */
export interface KubeCount {
  total: number;
  /** Counts per group value (`<none>` when the field is missing). Empty without `by`. */
  groups: Record<string, number>;
  /** Values that could not be decoded (not in `total`). */
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
  list(resource: string, options?: ListOptions): Promise<KubeList>;
  get(keyOrResource: string, name?: string, options?: GetOptions): Promise<KubeGetResult>;
  count(resource: string, options?: CountOptions): Promise<KubeCount>;
  keys(prefix?: string, options?: { revision?: number; limit?: number }): Promise<string[]>;
  resources(options?: { revision?: number }): Promise<StoredResource[]>;
  /** Every kept revision of one object, oldest first, each diffed against the one before. */
  history(keyOrResource: string, name?: string, options?: HistoryOptions): Promise<HistoryEntry[]>;
  /** Runs a `kubectl get …` command line: the result, the etcd reads it maps to, the printed output. */
  kubectl(command: string): Promise<KubectlResult>;
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




function failureText(key: string, d: Decoded): string | undefined {
  if (d.encoding === 'encrypted') {
    const e = d.encryption;
    return e ? `${key} is encrypted at rest (${e.provider}, key "${e.keyName}").` : `${key} is encrypted at rest.`;
  }
  if (d.error) return d.error.message;
  if (d.object === undefined) {
    return `${key} does not hold a Kubernetes object (${d.valueBytes} bytes${d.preview !== undefined ? `: ${d.preview.slice(0, 80)}` : ''}).`;
  }
  return undefined;
}

function groupValue(obj: KubeObject, by: string): string {
  let v: unknown;
  if (by === 'namespace') v = _.get(obj, ['metadata', 'namespace']);
  else if (by === 'kind') v = obj.kind;
  else {
    const m = /^metadata\.(labels|annotations)\.(.+)$/.exec(by);
    v = m ? _.get(obj, ['metadata', m[1] as string, m[2] as string]) : _.get(obj, by);
  }
  if (v === undefined || v === null || v === '') return '<none>';
  return typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
}

class Kube implements KubeClient {
  constructor(
    readonly source: KvSource,
    readonly prefix: string,
    readonly customResources: readonly ResourceInfo[],
    readonly crdErrors: readonly { key: string; error: string }[] = [],
  ) {}

  resolve(resource: string): ResourceInfo {
    return resolveResource(resource, this.customResources);
  }

  private async pinnedRevision(revision: number | undefined): Promise<number> {
    checkRevision(revision);
    return revision ?? (await this.source.status()).revision;
  }

  async list(resource: string, options: ListOptions = {}): Promise<KubeList> {
    const info = this.resolve(resource);
    checkLimit(options.limit);
    const prefix = listPrefixFor(info, options.namespace, this.prefix);
    const labels = options.labels !== undefined ? parseLabelSelector(options.labels) : undefined;
    const fields = options.fields !== undefined ? parseFieldSelector(options.fields) : undefined;
    const where = options.where !== undefined ? _.iteratee(options.where) : undefined;
    const revision = await this.pinnedRevision(options.revision);
    const redact = isSecrets(info) && options.reveal !== true;
    const out: KubeList = {
      items: [],
      revision,
      range: { prefix },
      etcdctl: `etcdctl get --prefix ${shellQuote(prefix)}${options.revision !== undefined ? ` --rev=${revision}` : ''}`,
      errors: [],
      encrypted: [],
      truncated: false,
      total: 0,
    };
    for await (const kv of this.source.range({ prefix }, { revision })) {
      out.total++;
      const key = keyText(kv.key);
      const d = decode(kv.value);
      const failure = failureText(key, d);
      if (failure !== undefined) {
        const entry: ListError = { key, error: failure, encoding: d.encoding, raw: kv.value };
        if (d.encryption) {
          entry.encryption = d.encryption;
          out.encrypted.push({ key, ...d.encryption });
        }
        out.errors.push(entry);
      }
      if (d.object === undefined) continue;
      const obj = redact ? redactSecret(d.object) : d.object;
      if (labels && !labels.matches(_.get(obj, ['metadata', 'labels']) as Record<string, string> | undefined)) continue;
      if (fields && !fields.matches(obj)) continue;
      if (where && !where(obj)) continue;
      if (options.limit !== undefined && out.items.length >= options.limit) {
        out.truncated = true;
        break;
      }
      out.items.push(obj);
    }
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
    const d = decode(kv.value);
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
    if (d.object !== undefined) result.object = isSecrets(info) && options.reveal !== true ? redactSecret(d.object) : d.object;
    if (d.unknownFields !== undefined && d.unknownFields.length > 0) result.unknownFields = d.unknownFields;
    const failure = failureText(key, d);
    if (failure !== undefined) result.error = failure;
    if (d.encryption) result.encryption = d.encryption;
    return result;
  }

  async count(resource: string, options: CountOptions = {}): Promise<KubeCount> {
    const listed = await this.list(resource, {
      ...(options.namespace !== undefined ? { namespace: options.namespace } : {}),
      ...(options.labels !== undefined ? { labels: options.labels } : {}),
      ...(options.revision !== undefined ? { revision: options.revision } : {}),
    });
    const groups: Record<string, number> = {};
    if (options.by !== undefined) {
      if (typeof options.by !== 'string' || options.by === '') {
        throw new InvalidArgumentError(
          `Invalid "by": ${JSON.stringify(options.by)}. Pass 'namespace', 'kind' or a dotted path such as 'spec.nodeName'.`,
        );
      }
      for (const obj of listed.items) {
        const g = groupValue(obj, options.by);
        groups[g] = (groups[g] ?? 0) + 1;
      }
    }
    return { total: listed.items.length, groups, errors: listed.errors.length };
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
    const revision = await this.pinnedRevision(options.revision);
    // Live etcd does not report value sizes on keys-only reads: read the values there.
    const keysOnly = this.source.kind !== 'live';
    const byPrefix = new Map<string, StoredResource>();
    for await (const kv of this.source.range({ prefix: `${this.prefix}/` }, { revision, keysOnly })) {
      const parsed = parseKey(keyText(kv.key), { prefix: this.prefix, resources: this.customResources });
      if (parsed.kind !== 'object') continue;
      let entry = byPrefix.get(parsed.keyPrefix);
      if (entry === undefined) {
        const i = parsed.info;
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

  history(keyOrResource: string, name?: string, options: HistoryOptions = {}): Promise<HistoryEntry[]> {
    return objectHistory(this, keyOrResource, name, options);
  }

  kubectl(command: string): Promise<KubectlResult> {
    return runKubectl(this, command);
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
    for await (const kv of source.range({ prefix: '' }, { keysOnly: true, limit: SAMPLE_KEYS })) sample.push(keyText(kv.key));
    prefix = sample.length > 0 ? detectEtcdPrefix(sample) : DEFAULT_ETCD_PREFIX;
  }
  const crds: ResourceInfo[] = [];
  const crdErrors: { key: string; error: string }[] = [];
  for await (const kv of source.range({ prefix: `${prefix}/apiextensions.k8s.io/customresourcedefinitions/` })) {
    const d = decode(kv.value);
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
  return new Kube(source, prefix, crds, crdErrors);
}
