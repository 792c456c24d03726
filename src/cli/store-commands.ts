/**
 * The commands over a source besides get: keys, resources, tree, sizes, history, and the forensics
 * (deleted, encodings, leases, hashkv). Each reads through the KubeClient and prints a text table or,
 * with -o json|yaml, the result itself.
 */
import { toKubeYaml } from '../codec';
import { decodeGoString } from '../codec/go-utf8';
import { InvalidArgumentError } from '../errors';
import type { KubeClient } from '../kube/kube-client';
import type { KeyTreeNode } from '../kube/kube-tree';
import type { KvSource } from '../sources/types';
import { visibleText } from '../render/escape';
import { formatBytes } from '../render/format-bytes';
import { historyRows } from '../render/history-view';
import type { CliArgs } from './cli-args';
import { countsText, jsonText, out, textTable } from './cli-output';
import { explainDefaultSource, openCliSource } from './cli-source';

/** `kubetcd keys`. */
export async function runKeys(args: CliArgs, k: KubeClient): Promise<number> {
  const prefix = args.positional[0] ?? `${k.prefix}/`;
  if (args.positional.length > 1)
    throw new InvalidArgumentError(
      `kubetcd keys takes one key prefix, got ${args.positional.length}: ${JSON.stringify(args.positional)}.`,
    );
  const format = args.output ?? 'plain';
  const shown = (key: Uint8Array): string => visibleText(decodeGoString(key, 0, key.length));
  if (format === 'plain') {
    // Keys as a terminal shows them safely: controls and invalid UTF-8 bytes as visible escapes (\x1b, \xff).
    const lines: string[] = [];
    const options = {
      keysOnly: true,
      ...(args.revision !== undefined ? { revision: args.revision } : {}),
      ...(args.limit !== undefined ? { limit: args.limit } : {}),
    };
    for await (const kv of k.source.range({ prefix }, options)) lines.push(`${shown(kv.key)}\n`);
    out(lines.join(''));
    return 0;
  }
  // Live etcd reports value sizes only when values are read.
  const keysOnly = k.source.capabilities.valueBytesOnKeysOnly;
  const records: Array<{
    key: string;
    valueBytes: number;
    createRevision: number;
    modRevision: number;
    version: number;
    lease: string;
  }> = [];
  const td = new TextDecoder();
  const shownKeys: string[] = [];
  for await (const kv of k.source.range(
    { prefix },
    {
      keysOnly,
      ...(args.revision !== undefined ? { revision: args.revision } : {}),
      ...(args.limit !== undefined ? { limit: args.limit } : {}),
    },
  )) {
    shownKeys.push(shown(kv.key));
    records.push({
      key: td.decode(kv.key),
      valueBytes: kv.valueBytes,
      createRevision: kv.createRevision,
      modRevision: kv.modRevision,
      version: kv.version,
      lease: kv.lease,
    });
  }
  if (format === 'json') {
    out(jsonText(records));
    return 0;
  }
  out(
    textTable(
      ['KEY', 'BYTES', 'CREATE-REV', 'MOD-REV', 'VERSION', 'LEASE'],
      records.map((r, i) => [
        shownKeys[i] ?? r.key,
        String(r.valueBytes),
        String(r.createRevision),
        String(r.modRevision),
        String(r.version),
        r.lease === '0' ? '<none>' : r.lease,
      ]),
    ),
  );
  return 0;
}

/** `kubetcd resources`. */
export async function runResources(args: CliArgs, k: KubeClient): Promise<number> {
  const rs = await k.resources(args.revision !== undefined ? { revision: args.revision } : {});
  const format = args.output ?? 'table';
  if (format === 'json') out(jsonText(rs));
  else if (format === 'yaml') out(toKubeYaml(rs));
  else {
    out(
      textTable(
        ['RESOURCE', 'KIND', 'NAMESPACED', 'OBJECTS', 'BYTES'],
        rs.map((r) => [r.resource, r.kind || '<unknown>', String(r.namespaced), String(r.count), String(r.bytes)]),
      ),
    );
  }
  return 0;
}

/** `kubetcd tree`. */
export async function runTree(args: CliArgs, k: KubeClient): Promise<number> {
  if (args.positional.length > 1)
    throw new InvalidArgumentError(
      `kubetcd tree takes one key prefix, got ${args.positional.length}: ${JSON.stringify(args.positional)}.`,
    );
  const format = args.output ?? 'table';
  const tree = await k.tree(args.positional[0] ?? k.prefix, {
    ...(args.depth !== undefined ? { depth: args.depth } : format === 'table' ? { depth: 2 } : {}),
    ...(args.revision !== undefined ? { revision: args.revision } : {}),
  });
  if (format === 'json') {
    out(jsonText(tree));
    return 0;
  }
  const rows: string[][] = [];
  const walk = (n: KeyTreeNode, indent: string): void => {
    const name = `${indent}${n.name === '' ? '(all keys)' : visibleText(n.name)}${n.children.length > 0 || n.collapsed ? '/' : ''}`;
    rows.push([name, String(n.keys), formatBytes(n.bytes), n.resource ?? '']);
    for (const c of n.children) walk(c, `${indent}  `);
  };
  walk(tree.root, '');
  out(textTable(['PATH', 'KEYS', 'SIZE', 'RESOURCE'], rows));
  return 0;
}

/** `kubetcd sizes`. */
export async function runSizes(args: CliArgs, k: KubeClient): Promise<number> {
  const by = args.by ?? 'resource';
  if (by !== 'resource' && by !== 'namespace' && by !== 'object') {
    throw new InvalidArgumentError(`Invalid --by: ${JSON.stringify(by)}. Pass resource, namespace or object.`);
  }
  const sizes = await k.sizes({
    ...(args.revision !== undefined ? { revision: args.revision } : {}),
    ...(args.top !== undefined ? { top: args.top } : {}),
  });
  const format = args.output ?? 'table';
  if (format === 'json') {
    out(jsonText(sizes));
    return 0;
  }
  if (format === 'yaml') {
    out(toKubeYaml(sizes));
    return 0;
  }
  const total = sizes.total.bytes;
  const pct = (b: number): string => (total === 0 ? '0.0%' : `${((100 * b) / total).toFixed(1)}%`);
  if (by === 'object') {
    out(
      textTable(
        ['RESOURCE', 'NAMESPACE', 'NAME', 'BYTES', 'SHARE'],
        sizes.largest.map((v) => [
          v.resource ?? '<none>',
          v.namespace ?? '<none>',
          v.name ?? v.key,
          String(v.bytes),
          pct(v.bytes),
        ]),
      ),
    );
    return 0;
  }
  const groups = (by === 'resource' ? sizes.byResource : sizes.byNamespace).slice(0, args.top ?? Infinity);
  const history = groups.some((g) => g.revisions !== undefined);
  out(
    textTable(
      [by.toUpperCase(), 'KEYS', 'BYTES', 'SIZE', 'SHARE', ...(history ? ['REVISIONS', 'ALL-REVISIONS'] : [])],
      groups.map((g) => [
        g.name,
        String(g.keys),
        String(g.bytes),
        formatBytes(g.bytes),
        pct(g.bytes),
        ...(history
          ? [String(g.revisions ?? ''), g.allRevisionsBytes !== undefined ? formatBytes(g.allRevisionsBytes) : '']
          : []),
      ]),
    ),
  );
  for (const note of sizes.notes) process.stderr.write(`kubetcd: note: ${note}\n`);
  return 0;
}

/** `kubetcd history`. */
export async function runHistory(args: CliArgs, k: KubeClient): Promise<number> {
  const [first, name, ...rest] = args.positional;
  if (first === undefined) {
    throw new InvalidArgumentError(
      'kubetcd history needs RESOURCE NAME (kubetcd history pods web-1 -n shop) or a full key (kubetcd history /registry/pods/shop/web-1).',
    );
  }
  if (rest.length > 0)
    throw new InvalidArgumentError(
      `kubetcd history takes RESOURCE NAME or one KEY, got ${JSON.stringify(args.positional)}.`,
    );
  const entries = await k.history(first, name, {
    ...(args.namespace !== undefined ? { namespace: args.namespace } : {}),
    ...(args.reveal ? { reveal: true } : {}),
  });
  const status = await k.source.status();
  const format = args.output ?? 'table';
  if (format === 'json') out(jsonText(entries));
  else if (format === 'yaml') out(toKubeYaml(entries));
  else {
    const { headers, rows } = historyRows(entries);
    out(textTable(headers, rows));
  }
  if (status.compactRevision > 0 && format === 'table') {
    process.stderr.write(
      `kubetcd: revisions before ${status.compactRevision} were compacted: older changes are gone.\n`,
    );
  }
  return 0;
}

/** `kubetcd deleted`. */
export async function runDeleted(args: CliArgs, k: KubeClient): Promise<number> {
  if (args.positional.length > 1)
    throw new InvalidArgumentError(
      `kubetcd deleted takes at most one resource, got ${JSON.stringify(args.positional)}.`,
    );
  const result = await k.deleted(args.positional[0], {
    ...(args.namespace !== undefined ? { namespace: args.namespace } : {}),
    ...(args.reveal ? { reveal: true } : {}),
  });
  if ((args.output ?? 'table') === 'json') {
    out(jsonText(result));
    return 0;
  }
  if (result.items.length === 0)
    process.stderr.write(`kubetcd: no deletions kept under ${visibleText(result.range.prefix)}.\n`);
  else {
    out(
      textTable(
        ['RESOURCE', 'NAMESPACE', 'NAME', 'DELETED-AT', 'LAST-REV', 'KIND'],
        result.items.map((d) => [
          d.resource ?? '<none>',
          d.namespace ?? '<none>',
          visibleText(d.name ?? d.key),
          String(d.revision),
          d.lastRevision !== undefined ? String(d.lastRevision) : '<unknown>',
          typeof d.object?.kind === 'string' ? d.object.kind : d.encoding === 'encrypted' ? '<encrypted>' : '<unknown>',
        ]),
      ),
    );
  }
  if (result.compactRevision > 0)
    process.stderr.write(
      `kubetcd: deletes at or before revision ${result.compactRevision} were compacted: they are gone.\n`,
    );
  return 0;
}

/** `kubetcd encodings`. */
export async function runEncodings(args: CliArgs, k: KubeClient): Promise<number> {
  const census = await k.encodings(args.revision !== undefined ? { revision: args.revision } : {});
  if ((args.output ?? 'table') === 'json') {
    out(jsonText(census));
    return 0;
  }
  out(
    textTable(
      ['RESOURCE', 'VALUES', 'PROTOBUF', 'JSON', 'CBOR', 'ENCRYPTED', 'OTHER', 'ENCRYPTED-BY'],
      [...census.resources, census.total].map((r) => [
        r === census.total ? 'TOTAL' : visibleText(r.resource),
        String(r.total),
        String(r.protobuf),
        String(r.json),
        String(r.cbor),
        String(r.encrypted),
        String(r.other),
        countsText(r.encryptedBy),
      ]),
    ),
  );
  return 0;
}

/** `kubetcd leases`. */
export async function runLeases(args: CliArgs, k: KubeClient): Promise<number> {
  if (args.positional.length > 0)
    throw new InvalidArgumentError(
      `kubetcd leases takes no arguments, got ${JSON.stringify(args.positional)}. Name the source with --snapshot FILE or --endpoints.`,
    );
  const result = await k.leases();
  if ((args.output ?? 'table') === 'json') {
    out(jsonText(result));
    return 0;
  }
  out(
    textTable(
      ['ID', 'TTL', 'REMAINING', 'KEYS', 'RESOURCES'],
      result.leases.map((l) => [
        l.id,
        `${l.ttlSeconds}s`,
        l.remainingSeconds !== undefined ? `${l.remainingSeconds}s` : '<unknown>',
        String(l.keys.length),
        countsText(l.byResource),
      ]),
    ),
  );
  return 0;
}

/** `kubetcd hashkv`. */
export async function runHashKv(args: CliArgs): Promise<number> {
  if (args.positional.length > 0)
    throw new InvalidArgumentError(
      `kubetcd hashkv takes no arguments, got ${JSON.stringify(args.positional)}. Name the source with --snapshot FILE or --endpoints.`,
    );
  let source: KvSource;
  try {
    source = await openCliSource(args);
  } catch (e) {
    throw explainDefaultSource(args, e, true);
  }
  try {
    if (!source.capabilities.hashKV || typeof source.hashKV !== 'function') {
      throw new InvalidArgumentError(
        `Cannot compute etcd's HashKV of ${source.origin}: a ${source.kind} source holds no revision records. Use a snapshot ("etcdctl snapshot save") or live etcd.`,
      );
    }
    const h = await source.hashKV(args.revision !== undefined ? { revision: args.revision } : {});
    if ((args.output ?? 'table') === 'json') out(jsonText({ origin: source.origin, ...h }));
    else {
      out(
        textTable(
          ['SOURCE', 'HASH', 'COMPACT-REVISION', 'HASH-REVISION', 'REVISION'],
          [
            [
              visibleText(source.origin),
              String(h.hash),
              String(h.compactRevision),
              String(h.hashRevision),
              String(h.revision),
            ],
          ],
        ),
      );
    }
    return 0;
  } catch (e) {
    throw explainDefaultSource(args, e, false);
  } finally {
    await source.close();
  }
}
