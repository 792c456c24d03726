/**
 * The key layout of an etcd keyspace as a tree: `/registry` → `pods` → `default` → names, with per-node
 * key counts and value bytes. Plain data for a renderer; the teaching view of `etcdctl get --prefix
 * --keys-only`. Keys that are not objects (`compact_rev_key`, master leases, range allocations, anything
 * else) are in the tree too, marked by what {@link parseKey} makes of them.
 */
import { decodeGoString } from '../codec/go-utf8';
import { InvalidArgumentError } from '../errors';
import { parseKey, type ParsedKey } from './keys';
import type { KubeContext } from './context';
import { qualifiedResourceName } from './resources';

/** Options of {@link keyTree}. Every field is optional. */
export interface TreeOptions {
  /**
   * Levels of children to build below the root (default: all). Deeper keys still count in their
   * ancestor's `keys` and `bytes`; a node whose children were cut off has `collapsed: true`.
   */
  depth?: number;
  /** Read at this etcd revision (default: the latest). */
  revision?: number;
  /** Cancel the read (it then throws an `AbortedError`). */
  signal?: AbortSignal;
}

/** One node of a {@link KeyTree}: a path segment. */
export interface KeyTreeNode {
  /** The segment (`pods`, `default`, `web-1`); the first level of the whole keyspace keeps its slash: `/registry`. */
  name: string;
  /** The key prefix this node stands for (`/registry/pods/default`); for a key node, the key itself. */
  path: string;
  /** Keys at or below this node. */
  keys: number;
  /** Value bytes of those keys. */
  bytes: number;
  /** Child nodes, sorted by name. */
  children: KeyTreeNode[];
  /** Set when `path` is itself a key: what kind of key (`object`, `compact-revision`, `master-lease`, `range-allocation`, `other`). */
  keyKind?: ParsedKey['kind'];
  /** Set on the node where a resource's objects start (`/registry/services/specs`): the qualified resource name. */
  resource?: string;
  /** True when `depth` cut this node's children off (its `keys` and `bytes` still count them). */
  collapsed?: boolean;
}

/** The result of {@link keyTree}. */
export interface KeyTree {
  /** The node of the prefix asked for (the whole keyspace: path `''`). */
  root: KeyTreeNode;
  /** The etcd revision the read was pinned to. */
  revision: number;
  /** The equivalent etcdctl command. */
  etcdctl: string;
}

function checkDepth(depth: number | undefined): void {
  if (depth !== undefined && !(Number.isSafeInteger(depth) && depth >= 0)) {
    throw new InvalidArgumentError(
      `Invalid depth: ${String(depth)}. Pass a non-negative integer (0 = the root only), or omit it.`,
    );
  }
}

function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

function newNode(name: string, path: string): KeyTreeNode {
  return { name, path, keys: 0, bytes: 0, children: [] };
}

function sortTree(node: KeyTreeNode, childMaps: WeakMap<KeyTreeNode, Map<string, KeyTreeNode>>): void {
  const map = childMaps.get(node);
  if (map === undefined) return;
  node.children = [...map.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const child of node.children) sortTree(child, childMaps);
}

/**
 * The keys under `prefix` (default: every key) as a tree of path segments with key counts and value bytes.
 * `prefix` is a path: `/registry/pods` (a trailing slash is ignored) reads the key `/registry/pods` itself
 * and every key under `/registry/pods/`, which is exactly what `etcdctl get --prefix /registry/pods/` lists.
 * @example
 * const { root } = await keyTree(k, '/registry', { depth: 2 });
 * root.children.map((c) => `${c.name}: ${c.keys} keys, ${c.bytes} bytes`); // ['apiregistration.k8s.io: 31 keys, …', …]
 */
export async function keyTree(client: KubeContext, prefix?: string, options: TreeOptions = {}): Promise<KeyTree> {
  if (prefix !== undefined && typeof prefix !== 'string') {
    throw new InvalidArgumentError(
      `Invalid tree prefix: ${JSON.stringify(prefix)}. Pass a key path such as "/registry/pods", or omit it for every key.`,
    );
  }
  checkDepth(options.depth);
  if (options.revision !== undefined && !(Number.isSafeInteger(options.revision) && options.revision > 0)) {
    throw new InvalidArgumentError(
      `Invalid revision: ${String(options.revision)}. Pass a positive integer etcd revision, or omit it.`,
    );
  }
  const source = client.source;
  // `/registry/` → `/registry`; '' and '/' → the whole keyspace.
  const rootPath = prefix === undefined ? '' : prefix.replace(/\/+$/, '');
  const revision = options.revision ?? (await source.status()).revision;
  const depth = options.depth ?? Infinity;
  const root = newNode(rootPath, rootPath);
  const childMaps = new WeakMap<KeyTreeNode, Map<string, KeyTreeNode>>();
  const parseOptions = { prefix: client.prefix, resources: client.customResources };
  const resourceRoot = `${client.prefix}/`;

  const add = (key: string, bytes: number): void => {
    const segments = key.slice(rootPath.length).split('/');
    if (rootPath === '') {
      // The first level of the whole keyspace keeps its leading slash: `/registry`, not `` then `registry`.
      if (key.startsWith('/') && segments.length > 1) segments.splice(0, 2, `/${segments[1] as string}`);
    } else {
      segments.shift(); // the '' before the slash that follows the root path
    }
    const parsed = parseKey(key, parseOptions);
    const resourcePath =
      parsed.kind === 'object' && key.startsWith(resourceRoot) ? `${client.prefix}/${parsed.keyPrefix}` : undefined;
    let node = root;
    node.keys++;
    node.bytes += bytes;
    if (resourcePath !== undefined && node.path === resourcePath) setResource(node, resourceName(parsed));
    for (let level = 0; level < segments.length; level++) {
      if (level >= depth) {
        node.collapsed = true;
        return;
      }
      const name = segments[level] as string;
      let map = childMaps.get(node);
      if (map === undefined) {
        map = new Map();
        childMaps.set(node, map);
      }
      let child = map.get(name);
      if (child === undefined) {
        child = newNode(name, node.path === '' ? name : `${node.path}/${name}`);
        map.set(name, child);
        if (resourcePath !== undefined && child.path === resourcePath) setResource(child, resourceName(parsed));
      }
      node = child;
      node.keys++;
      node.bytes += bytes;
    }
    node.keyKind = parsed.kind;
  };

  // Live etcd does not report value sizes on keys-only reads: read the values there.
  const keysOnly = source.capabilities.valueBytesOnKeysOnly;
  const readOptions = { revision, keysOnly, ...(options.signal !== undefined ? { signal: options.signal } : {}) };
  if (rootPath !== '') {
    const self = await source.get(rootPath, {
      revision,
      ...(options.signal !== undefined ? { signal: options.signal } : {}),
    });
    if (self !== undefined) add(rootPath, self.valueBytes);
  }
  const rangePrefix = rootPath === '' ? '' : `${rootPath}/`;
  for await (const kv of source.range({ prefix: rangePrefix }, readOptions))
    add(decodeGoString(kv.key, 0, kv.key.length), kv.valueBytes); // invalid UTF-8 kept byte by byte (shown as \xff)
  sortTree(root, childMaps);
  const etcdctl =
    rootPath === ''
      ? `etcdctl get --prefix --keys-only '' --rev=${revision}`
      : `etcdctl get --prefix --keys-only ${shellQuote(rangePrefix)} --rev=${revision}`;
  return { root, revision, etcdctl };
}

/** Names the resource stored under a node, when the key says which. */
function setResource(node: KeyTreeNode, resource: string | undefined): void {
  if (resource !== undefined) node.resource = resource;
}

function resourceName(parsed: ParsedKey): string | undefined {
  if (parsed.kind !== 'object') return undefined;
  if (parsed.info) return qualifiedResourceName(parsed.info);
  return parsed.group ? `${parsed.resource}.${parsed.group}` : parsed.resource;
}
