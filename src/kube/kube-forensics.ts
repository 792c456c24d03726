/**
 * Forensics over any KvSource: etcd's HashKV (to compare a snapshot with the members it came from),
 * the objects whose deletion the source still keeps (with their last state), and a census of how the
 * stored values are encoded (protobuf, JSON, CBOR, encrypted by provider and key, other).
 */
import { decode, sniffValue, type Encoding, type KubeObject } from '../codec';
import { InvalidArgumentError } from '../errors';
import type { HashKvOptions, KvHash } from '../sources/types';
import { listPrefixFor, parseKey } from './keys';
import type { KubeContext } from './context';
import { qualifiedResourceName, type ResourceInfo } from './resources';
import { isSecrets, redactSecret } from './secret-redaction';

const td = new TextDecoder();

/**
 * etcd's HashKV of the source: `etcdctl endpoint hashkv` for live etcd (the member's own answer), the
 * same number computed from a snapshot file. Throws for a source that cannot tell (an etcdctl dump).
 * @example
 * const { hash, compactRevision, hashRevision } = await sourceHashKV(k, { revision: 1234 });
 */
export async function sourceHashKV(k: KubeContext, options: HashKvOptions = {}): Promise<KvHash> {
  const source = k.source;
  if (!source.capabilities.hashKV || typeof source.hashKV !== 'function') {
    throw new InvalidArgumentError(
      `Cannot compute etcd's HashKV of ${source.origin}: a ${source.kind} source does not hold etcd's key bucket (an "etcdctl get -w json" dump has no revision records). Use a snapshot ("etcdctl snapshot save") or live etcd.`,
    );
  }
  return source.hashKV(options);
}

/** Options of {@link deletedObjects}. Every field is optional. */
export interface DeletedOptions {
  /** Only this namespace. */
  namespace?: string;
  /** Show Secrets' `data`/`stringData` values (redacted by default). */
  reveal?: boolean;
  signal?: AbortSignal;
}

/** One deleted object whose tombstone the source still keeps. */
export interface DeletedObject {
  key: string;
  /** The qualified resource name (`pods`, `deployments.apps`); absent for keys not shaped like objects. */
  resource?: string;
  namespace?: string;
  name?: string;
  /** The etcd revision of the delete. */
  revision: number;
  /** The revision of the last value before the delete (its modRevision), when kept. */
  lastRevision?: number;
  /** How that last value was stored. */
  encoding?: Encoding;
  /** The last value before the delete, decoded (Secrets redacted unless `reveal`). */
  object?: KubeObject;
  /** Why the last value could not be decoded, or that it is gone. */
  error?: string;
}

/** The result of {@link deletedObjects}. */
export interface KubeDeleted {
  items: DeletedObject[];
  /** Deletes at or before this revision are gone (compacted); 0 when never compacted. */
  compactRevision: number;
  /** The source's latest revision. */
  revision: number;
  /** The etcd range searched. */
  range: { prefix: string };
}

/**
 * Every object whose delete the source still keeps (etcd keeps a tombstone until a compaction passes
 * it), in key order, with the revision of the delete and the last value before it, decoded.
 * @example
 * const { items } = await deletedObjects(k, 'pods', { namespace: 'default' });
 * items.map((d) => `${d.name} deleted at ${d.revision}`);
 */
export async function deletedObjects(
  k: KubeContext,
  resource?: string,
  options: DeletedOptions = {},
): Promise<KubeDeleted> {
  const source = k.source;
  if (!source.capabilities.tombstones || typeof source.tombstones !== 'function') {
    throw new InvalidArgumentError(
      `Cannot list deletions in ${source.origin}: a ${source.kind} source keeps no tombstones (an "etcdctl get -w json" dump holds one revision). Use a snapshot or live etcd.`,
    );
  }
  const info: ResourceInfo | undefined = resource !== undefined ? k.resolve(resource) : undefined;
  const prefix = info !== undefined ? listPrefixFor(info, options.namespace, k.prefix) : `${k.prefix}/`;
  const status = await source.status();
  const items: DeletedObject[] = [];
  for await (const d of source.tombstones({ prefix }, options.signal !== undefined ? { signal: options.signal } : {})) {
    const key = td.decode(d.key);
    const parsed = parseKey(key, { prefix: k.prefix, resources: k.customResources });
    const item: DeletedObject = { key, revision: d.revision };
    let keyInfo: ResourceInfo | undefined;
    if (parsed.kind === 'object') {
      keyInfo = parsed.info;
      item.resource = parsed.info
        ? qualifiedResourceName(parsed.info)
        : parsed.group
          ? `${parsed.resource}.${parsed.group}`
          : parsed.resource;
      if (parsed.namespace !== undefined) item.namespace = parsed.namespace;
      item.name = parsed.name;
    }
    if (options.namespace !== undefined && item.namespace !== options.namespace) continue;
    if (d.previous === undefined) {
      item.error = 'The value before the delete is not kept.';
    } else {
      item.lastRevision = d.previous.modRevision;
      const decoded = decode(d.previous.value, k.decodeOptions(key));
      item.encoding = decoded.encoding;
      if (decoded.object !== undefined)
        item.object = isSecrets(keyInfo) && options.reveal !== true ? redactSecret(decoded.object) : decoded.object;
      const why =
        decoded.error?.message ??
        (decoded.object === undefined ? `a ${decoded.encoding} value, not a Kubernetes object` : undefined);
      if (why !== undefined) item.error = why;
    }
    items.push(item);
  }
  return { items, compactRevision: status.compactRevision, revision: status.revision, range: { prefix } };
}

/** Values of one resource by encoding, from {@link encodingCensus}. */
export interface ResourceEncodings {
  /** The qualified resource name; `<other keys>` for keys under the prefix not shaped like objects. */
  resource: string;
  total: number;
  protobuf: number;
  json: number;
  cbor: number;
  /** Values encrypted at rest, all providers. */
  encrypted: number;
  /** Neither of these (text, bytes of another format). */
  other: number;
  /** The encrypted ones by `provider:keyName` (from the `k8s:enc:PROVIDER:v1:KEYNAME:` prefix), e.g. `aescbc:key1`, sorted. */
  encryptedBy: Record<string, number>;
}

/** Options of {@link encodingCensus}. Every field is optional. */
export interface EncodingsOptions {
  revision?: number;
  signal?: AbortSignal;
}

/** The result of {@link encodingCensus}. */
export interface KubeEncodings {
  /** Per resource, sorted by name. */
  resources: ResourceEncodings[];
  /** Every value together. */
  total: ResourceEncodings;
  /** The revision read. */
  revision: number;
}

function emptyCount(resource: string): ResourceEncodings {
  return { resource, total: 0, protobuf: 0, json: 0, cbor: 0, encrypted: 0, other: 0, encryptedBy: {} };
}

function countInto(c: ResourceEncodings, encoding: Encoding, by: string | undefined): void {
  c.total++;
  if (encoding === 'raw') c.other++;
  else c[encoding]++;
  if (by !== undefined) c.encryptedBy[by] = (c.encryptedBy[by] ?? 0) + 1;
}

/**
 * How the values under the etcd prefix are stored, per resource: protobuf (`k8s\0`), JSON, CBOR,
 * encrypted at rest (by provider and key name: a key rotation half done shows as two key names), other.
 * Only the first bytes of each value are looked at; nothing is decrypted.
 * @example
 * const { resources } = await encodingCensus(k);
 * resources.find((r) => r.resource === 'secrets')?.encryptedBy // { 'aescbc:key1': 10, 'aescbc:key2': 3 }
 */
export async function encodingCensus(k: KubeContext, options: EncodingsOptions = {}): Promise<KubeEncodings> {
  const byResource = new Map<string, ResourceEncodings>();
  const total = emptyCount('<all>');
  let revision = options.revision ?? 0;
  const rangeOptions = {
    ...(options.revision !== undefined ? { revision: options.revision } : {}),
    ...(options.signal !== undefined ? { signal: options.signal } : {}),
    transientValues: true,
    onProgress: (p: { revision: number }) => {
      revision = p.revision;
    },
  };
  for await (const kv of k.source.range({ prefix: `${k.prefix}/` }, rangeOptions)) {
    const parsed = parseKey(td.decode(kv.key), { prefix: k.prefix, resources: k.customResources });
    const name =
      parsed.kind === 'object'
        ? parsed.info
          ? qualifiedResourceName(parsed.info)
          : parsed.group
            ? `${parsed.resource}.${parsed.group}`
            : parsed.resource
        : '<other keys>';
    let c = byResource.get(name);
    if (c === undefined) byResource.set(name, (c = emptyCount(name)));
    const sniffed = sniffValue(kv.value);
    const by =
      sniffed.encryption !== undefined ? `${sniffed.encryption.provider}:${sniffed.encryption.keyName}` : undefined;
    countInto(c, sniffed.encoding, by);
    countInto(total, sniffed.encoding, by);
  }
  if (revision === 0) revision = (await k.source.status()).revision;
  const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  const resources = [...byResource.values()].sort((a, b) => byName(a.resource, b.resource));
  for (const c of [...resources, total])
    c.encryptedBy = Object.fromEntries(Object.entries(c.encryptedBy).sort(([a], [b]) => byName(a, b)));
  return { resources, total, revision };
}
