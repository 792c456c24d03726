/**
 * The keys under a prefix, and the inventory of resources a source holds (count and value bytes each),
 * unknown prefixes included.
 */
import type { KubeContext } from './context';
import { parseKey } from './keys';
import { qualifiedResourceName } from './resources';
import { checkLimit, checkRevision, keyText } from './verb-support';

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

/**
 * The etcd keys under `prefix` (default: the etcd prefix), keys only, in order.
 * @example
 * await listKeys(k, '/registry/pods/default/', { limit: 10 })
 */
export async function listKeys(
  ctx: KubeContext,
  prefix?: string,
  options: { revision?: number; limit?: number } = {},
): Promise<string[]> {
  checkRevision(options.revision);
  checkLimit(options.limit);
  const p = prefix ?? `${ctx.prefix}/`;
  const out: string[] = [];
  const opts = {
    keysOnly: true,
    ...(options.revision !== undefined ? { revision: options.revision } : {}),
    ...(options.limit !== undefined ? { limit: options.limit } : {}),
  };
  for await (const kv of ctx.source.range({ prefix: p }, opts)) out.push(keyText(kv.key));
  return out;
}

/**
 * Every resource the source holds, with its object count and value bytes, sorted by name. Prefixes no
 * known resource uses are listed too, and resolve() answers for them afterwards.
 * @example
 * (await storedResources(k)).map((r) => [r.resource, r.count]);
 */
export async function storedResources(
  ctx: KubeContext,
  options: { revision?: number } = {},
): Promise<StoredResource[]> {
  checkRevision(options.revision);
  const revision = options.revision;
  // Live etcd does not report value sizes on keys-only reads: read the values there.
  const keysOnly = ctx.source.capabilities.valueBytesOnKeysOnly;
  const byPrefix = new Map<string, StoredResource>();
  for await (const kv of ctx.source.range(
    { prefix: `${ctx.prefix}/` },
    { ...(revision !== undefined ? { revision } : {}), keysOnly },
  )) {
    const parsed = parseKey(keyText(kv.key), { prefix: ctx.prefix, resources: ctx.customResources });
    if (parsed.kind !== 'object') continue;
    let entry = byPrefix.get(parsed.keyPrefix);
    if (entry === undefined) {
      const i = parsed.info;
      if (i === undefined)
        rememberUnknown(ctx, parsed.resource, parsed.group ?? '', parsed.keyPrefix, parsed.namespace !== undefined);
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
function rememberUnknown(
  ctx: KubeContext,
  resource: string,
  group: string,
  keyPrefix: string,
  namespaced: boolean,
): void {
  ctx.rememberStoredResource({
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
