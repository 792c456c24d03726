/**
 * How the forensics results look in a notebook: deleted objects, the encoding census, leases, cluster
 * versions, the owner graph and orphans, diffs and churn.
 */
import {
  diffCountRows,
  diffEntryRows,
  diffSummaryText,
  type DiffCountsView,
  type DiffEntryView,
} from '../render/diff-view';
import { churnRows, type ChurnView } from '../render/churn-view';
import { humanDuration } from '../render/human-duration';
import { renderOwnerGraph, type OwnerGraphNode } from '../render/owner-graph';
import { renderers, type Rendered } from './renderers';
import {
  isRecord,
  joinRendered,
  n,
  plural,
  textRowsTable,
  titled,
  type Presentation,
  type PresentHint,
  type Rec,
} from './present-parts';

/** k.deleted(): one row per kept delete, the same columns as `kubetcd deleted`. */
export function presentDeleted(value: Rec, hint: PresentHint): Presentation {
  const items = value.items as Rec[];
  const rows = items.map((d) => ({
    RESOURCE: d.resource ?? '<none>',
    NAMESPACE: d.namespace ?? '<none>',
    NAME: d.name ?? d.key,
    'DELETED-AT': d.revision,
    'LAST-REV': d.lastRevision ?? '<unknown>',
    KIND:
      isRecord(d.object) && typeof d.object.kind === 'string'
        ? d.object.kind
        : d.encoding === 'encrypted'
          ? '<encrypted>'
          : '<unknown>',
  }));
  const compacted =
    typeof value.compactRevision === 'number' && value.compactRevision > 0
      ? `; deletes at or before revision ${value.compactRevision} were compacted`
      : '';
  return {
    rendered: renderers.recordTable(rows, { upperCase: false, maxRows: hint.maxRows ?? 200 }),
    summary: `${plural(items.length, 'kept delete')} under ${String((value.range as Rec | undefined)?.prefix ?? '')}${compacted}`,
  };
}

/** k.encodings(): one row per resource and a total, the same columns as `kubetcd encodings`. */
export function presentEncodings(value: Rec, hint: PresentHint): Presentation {
  const resources = value.resources as Rec[];
  const row = (r: Rec, name?: string): Rec => ({
    RESOURCE: name ?? r.resource,
    VALUES: r.total,
    PROTOBUF: r.protobuf,
    JSON: r.json,
    CBOR: r.cbor,
    ENCRYPTED: r.encrypted,
    OTHER: r.other,
    'ENCRYPTED-BY':
      Object.entries((r.encryptedBy as Record<string, number> | undefined) ?? {})
        .map(([k, n]) => `${k}=${n}`)
        .join(', ') || '<none>',
  });
  const total = value.total as Rec;
  return {
    rendered: renderers.recordTable([...resources.map((r) => row(r)), row(total, 'TOTAL')], {
      upperCase: false,
      maxRows: hint.maxRows ?? 200,
    }),
    summary: `${plural(total.total as number, 'value')} in ${plural(resources.length, 'resource')} at revision ${String(value.revision)}`,
  };
}

/** k.leases(): one row per lease, the same columns as `kubetcd leases`. */
export function presentLeases(value: Rec, hint: PresentHint): Presentation {
  const leases = value.leases as Rec[];
  const rows = leases.map((l) => ({
    ID: l.id,
    TTL: `${String(l.ttlSeconds)}s`,
    REMAINING: typeof l.remainingSeconds === 'number' ? `${l.remainingSeconds}s` : '<unknown>',
    KEYS: Array.isArray(l.keys) ? l.keys.length : 0,
    RESOURCES:
      Object.entries((l.byResource as Record<string, number> | undefined) ?? {})
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([r, n]) => `${r}=${n}`)
        .join(', ') || '<none>',
  }));
  return {
    rendered: renderers.recordTable(rows, { upperCase: false, maxRows: hint.maxRows ?? 200 }),
    summary: `${plural(leases.length, 'lease')} keeping ${plural(Number(value.keys ?? 0), 'key')}`,
  };
}

/** k.clusterInfo(): the versions found, then one row per piece of evidence (Kubernetes first, then etcd). */
export function presentClusterInfo(value: Rec, hint: PresentHint): Presentation {
  const kube = value.kubernetes as Rec;
  const etcd = value.etcd as Rec;
  const rows = [
    ...((kube.evidence as Rec[] | undefined) ?? []).map((e) => ({ e, of: 'kubernetes' })),
    ...((etcd.evidence as Rec[] | undefined) ?? []).map((e) => ({ e, of: 'etcd' })),
  ].map(({ e, of }) => ({
    OF: of,
    SOURCE: e.source,
    VERSION: typeof e.version === 'string' ? e.version : '<none>',
    DETAIL: e.detail,
    KEY: e.key,
  }));
  const versions = (kube.versions as string[] | undefined) ?? [];
  const kubeText = versions.length > 0 ? `Kubernetes ${versions.join(', ')}` : 'no Kubernetes version named';
  const etcdText = typeof etcd.version === 'string' ? `etcd ${etcd.version}` : 'etcd version unknown';
  return {
    rendered: renderers.recordTable(rows, { upperCase: false, maxRows: hint.maxRows ?? 200 }),
    summary: `ClusterInfo: ${kubeText}; ${etcdText} (revision ${String(value.revision)})`,
  };
}

/** k.owners(): the graph as SVG with its text twin (two trees: owners up, dependents down). */
export function presentOwners(value: Rec): Presentation {
  const root = value.object as unknown as OwnerGraphNode;
  const rendered = renderOwnerGraph(root);
  const ns = root.namespace !== undefined ? `${root.namespace}/` : '';
  return {
    rendered: { html: rendered.html, text: rendered.text },
    summary: `Owners of ${root.kind} ${ns}${root.name}: ${plural(root.owners?.length ?? 0, 'owner')}, ${plural(root.dependents?.length ?? 0, 'dependent')} at revision ${String(value.revision)}`,
  };
}

/** k.orphans(): objects whose owner is gone, then objects stuck on finalizers, the columns of `kubetcd orphans`. */
export function presentOrphans(value: Rec, hint: PresentHint): Presentation {
  const orphans = value.orphans as Rec[];
  const stuck = value.stuck as Rec[];
  const name = (r: Rec): string => `${typeof r.namespace === 'string' ? `${r.namespace}/` : ''}${String(r.name)}`;
  const orphanRows = orphans.map((o) => ({
    KIND: o.kind,
    NAME: name(o),
    'MISSING-OWNER': ((o.missingOwners as Rec[] | undefined) ?? [])
      .map((m) => `${String(m.kind)}/${String(m.name)} (uid ${String(m.uid)})`)
      .join(', '),
  }));
  const stuckRows = stuck.map((s) => ({
    KIND: s.kind,
    NAME: name(s),
    'DELETION-REQUESTED': s.deletionTimestamp,
    // open()'s clock when it has one (a snapshot's data clock, or the `now` given to it), else the result's
    AGE:
      hint.now !== undefined
        ? humanDuration(hint.now.getTime() - Date.parse(String(s.deletionTimestamp)))
        : typeof s.ageMs === 'number'
          ? humanDuration(s.ageMs)
          : '<unknown>',
    FINALIZERS: ((s.finalizers as string[] | undefined) ?? []).join(', '),
  }));
  const max = hint.maxRows ?? 200;
  const parts: Rendered[] = [
    titled(
      `Owner gone (${n(orphans.length)})`,
      orphans.length > 0
        ? renderers.recordTable(orphanRows, { upperCase: false, maxRows: max })
        : renderers.pre('none'),
    ),
    titled(
      `Stuck on finalizers (${n(stuck.length)})`,
      stuck.length > 0 ? renderers.recordTable(stuckRows, { upperCase: false, maxRows: max }) : renderers.pre('none'),
    ),
    renderers.notes([
      `${hint.now !== undefined && hint.clock !== undefined ? hint.clock : `ages as of ${String(value.now)}, ${String(value.clock)}`}; ${plural(Number(value.scanned), 'object')} read at revision ${String(value.revision)}${Number(value.unreadable) > 0 ? `, ${plural(Number(value.unreadable), 'value')} unreadable` : ''}`,
    ]),
  ];
  return {
    rendered: joinRendered(parts),
    summary: `${plural(orphans.length, 'object')} whose owner is gone, ${plural(stuck.length, 'object')} stuck on finalizers at revision ${String(value.revision)}`,
  };
}

/** k.diff(): the counts per resource, then the entries grouped by resource, as `kubetcd diff` prints them. */
export function presentDiff(value: Rec, hint: PresentHint): Presentation {
  const v = value as unknown as {
    entries: DiffEntryView[];
    counts: DiffCountsView;
    byResource: Array<DiffCountsView & { resource: string }>;
    from: { origin: string; revision: number };
    to: { origin: string; revision: number };
    truncated: boolean;
  };
  const summary = diffSummaryText(v);
  const parts: Rendered[] = [titled('Per resource', textRowsTable(diffCountRows(v.byResource, v.counts)))];
  if (v.entries.length > 0) parts.push(titled('Objects', textRowsTable(diffEntryRows(v.entries), hint.maxRows ?? 200)));
  parts.push(renderers.notes([summary]));
  const c = v.counts;
  return {
    rendered: joinRendered(parts),
    summary: `KubeDiff: ${n(c.added)} added, ${n(c.deleted)} deleted, ${n(c.changed)} changed (${n(c.hidden)} noise only)`,
  };
}

/** k.churn(): writers, then writes per resource, namespace and key, as `kubetcd churn` prints them. */
export function presentChurn(value: Rec): Presentation {
  const v = value as unknown as ChurnView & {
    fromRevision: number;
    toRevision: number;
    deletes: number;
    keys: number;
    notes: string[];
  };
  const t = churnRows(v);
  const parts: Rendered[] = [
    titled('Writers', textRowsTable(t.writers)),
    titled('Per resource', textRowsTable(t.resources)),
    titled('Per namespace', textRowsTable(t.namespaces)),
    titled('Most written keys', textRowsTable(t.keys)),
    renderers.notes(v.notes.map((x) => `note: ${x}`)),
  ];
  return {
    rendered: joinRendered(parts),
    summary: `KubeChurn: ${plural(v.writes, 'write')} to ${plural(v.keys, 'key')} after revision ${v.fromRevision} up to ${v.toRevision}`,
  };
}
