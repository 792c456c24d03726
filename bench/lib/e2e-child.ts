/**
 * Queries of the end-to-end benchmark, run as their own process so that the peak RSS is theirs:
 *
 *   node build/bench/lib/e2e-child.js <query[,query…]> <live|snapshot> <endpoint|file> [label selector]
 *
 * Queries (each is what a user writes; `-full` twins do the same work without the fast paths):
 * `filter` (list('pods', { labels }): labels read by projection, matches decoded), `filter-full` (every pod
 * decoded by list('pods'), then filtered), `count` (count('pods', { by: 'spec.nodeName' }): nodeName read
 * by projection), `count-full` (every pod decoded by stream('pods'), then grouped), `table-stream`
 * (createTableBuilder fed from stream('pods', { paths }) as k.table('pods') does: only the fields the
 * columns read are decoded, only the rows shown are kept), `table` (renderTable over
 * list('pods').items), `sizes` (k.sizes()), and `read:<pageSize>:<sub|plain>[:<pageBytes>]` (a raw read of
 * /registry/pods/ with those paging settings, live only, for etcd's CPU). Prints one JSON line
 * {@link E2eChildResult} per query; several queries share one open source (the smoke test's way).
 */
import _ from 'lodash';
import type { KubeObject } from '../../src/codec/types';
import { openKube, type KubeClient } from '../../src/kube/kube-client';
import { parseLabelSelector } from '../../src/kube/label-selector';
import { createTableBuilder, renderTable } from '../../src/render/table';
import { openLiveSource } from '../../src/sources/live-etcd-source';
import { openSnapshotSource } from '../../src/sources/snapshot/snapshot-source';
import type { KvSource } from '../../src/sources/types';

/** What a child prints (one JSON line per query). */
export interface E2eChildResult {
  /** The query. */
  query: string;
  /** Seconds to open the source and the client (on a snapshot: the one-time index build included). */
  openS: number;
  /** Seconds of the query itself. */
  queryS: number;
  /** Objects matched (items, rows, or records read). */
  items: number;
  /** Records read from the source for the query. */
  total: number;
  /** A short digest of the answer, to compare live with snapshot and the fast paths with full decoding. */
  digest: string;
  /** Bytes of the rendered table text (table queries). */
  textBytes?: number;
}

const NOW = Date.UTC(2026, 0, 1);

function seconds(from: bigint): number {
  return Number(process.hrtime.bigint() - from) / 1e9;
}

function hashText(h: number, s: string): number {
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

async function openTarget(where: string, target: string): Promise<KvSource> {
  if (where === 'live') return openLiveSource({ endpoints: target, callTimeoutMs: 600_000 });
  if (where === 'snapshot') return openSnapshotSource(target);
  throw new Error(`Unknown source kind "${where}": pass live or snapshot.`);
}

function tableResult(text: string, total: number): Omit<E2eChildResult, 'query' | 'openS' | 'queryS'> {
  const caption = /^(\d+) rows? ×/m.exec(text);
  return {
    items: caption ? Number(caption[1]) : 0,
    total,
    digest: hashText(0x811c9dc5, text).toString(16),
    textBytes: text.length,
  };
}

async function runQuery(
  query: string,
  k: KubeClient,
  labels: string,
): Promise<Omit<E2eChildResult, 'query' | 'openS' | 'queryS'>> {
  switch (query) {
    case 'filter': {
      const l = await k.list('pods', { labels });
      return { items: l.items.length, total: l.total, digest: namesDigest(l.items) };
    }
    case 'filter-full': {
      const selector = parseLabelSelector(labels);
      const l = await k.list('pods');
      const items = l.items.filter((o) =>
        selector.matches(_.get(o, ['metadata', 'labels']) as Record<string, string> | undefined),
      );
      return { items: items.length, total: l.total, digest: namesDigest(items) };
    }
    case 'table': {
      const l = await k.list('pods');
      return tableResult(renderTable(l.items, { kind: 'pods', now: NOW }).text, l.total);
    }
    case 'table-stream': {
      // as the notebook's k.table('pods') does: only what the columns read is decoded
      const b = createTableBuilder({ kind: 'pods', now: NOW });
      const s = k.stream('pods', b.paths !== undefined ? { paths: b.paths } : {});
      for await (const e of s) if (e.object !== undefined) b.add(e.object);
      return tableResult(b.finish().text, s.total);
    }
    case 'count': {
      const c = await k.count('pods', { by: 'spec.nodeName' });
      return { items: c.total, total: c.total + c.errors, digest: groupsDigest(c.groups) };
    }
    case 'count-full': {
      const s = k.stream('pods');
      const groups: Record<string, number> = {};
      let items = 0;
      for await (const e of s) {
        if (e.object === undefined) continue;
        items++;
        const node: unknown = _.get(e.object, 'spec.nodeName');
        const g = typeof node === 'string' && node !== '' ? node : '<none>';
        groups[g] = (groups[g] ?? 0) + 1;
      }
      return { items, total: s.total, digest: groupsDigest(groups) };
    }
    case 'sizes': {
      const s = await k.sizes();
      const rows = [...s.byResource].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      return {
        items: rows.length,
        total: s.total.keys,
        digest: hashText(0x811c9dc5, rows.map((r) => `${r.name}:${r.keys}`).join(',')).toString(16),
      };
    }
    default:
      throw new Error(`Unknown query "${query}".`);
  }
}

function namesDigest(items: KubeObject[]): string {
  return `${items.length} ${hashText(0x811c9dc5, items.map((o) => (o['metadata'] as { name: string }).name).join(',')).toString(16)}`;
}

function groupsDigest(groups: Record<string, number>): string {
  const keys = Object.keys(groups).sort();
  let h = 0x811c9dc5;
  for (const g of keys) h = hashText(h, `${g}=${groups[g]};`);
  return `${keys.length} groups ${h.toString(16)}`;
}

async function main(): Promise<void> {
  const [queries, where, target, labels = 'app=web-1'] = process.argv.slice(2) as [string, string, string, string?];
  if (queries.startsWith('read:')) {
    // read:<pageSize>:<sub|plain>[:<pageBytes>]
    const [, size, mode, pageBytes] = queries.split(':');
    const started = process.hrtime.bigint();
    const source = await openLiveSource({
      endpoints: target,
      callTimeoutMs: 600_000,
      pageSize: Number(size),
      subPrefixPaging: mode === 'sub',
      ...(pageBytes !== undefined ? { pageBytes: Number(pageBytes) } : {}),
    });
    let items = 0;
    for await (const kv of source.range({ prefix: '/registry/pods/' })) items += kv.value.length > 0 ? 1 : 0;
    await source.close();
    const out: E2eChildResult = { query: queries, openS: 0, queryS: seconds(started), items, total: items, digest: '' };
    process.stdout.write(`${JSON.stringify(out)}\n`);
    return;
  }
  const opened = process.hrtime.bigint();
  const source = await openTarget(where, target);
  const k = await openKube(source, { prefix: '/registry' });
  if (where === 'snapshot') await source.count({ prefix: '/registry/pods/' }); // the one-time index
  const openS = seconds(opened);
  for (const query of queries.split(',')) {
    const started = process.hrtime.bigint();
    const r = await runQuery(query, k, labels);
    const out: E2eChildResult = { query, openS, queryS: seconds(started), ...r };
    process.stdout.write(`${JSON.stringify(out)}\n`);
  }
  await source.close();
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
