/**
 * How a diff reads, wherever it is printed (`kubetcd diff`, the notebook): a table of counts per
 * resource, then one row per object added, deleted or changed, grouped by resource, each change's fields
 * written as history writes them (`spec.replicas: 1 -> 3`, `+metadata.labels.tier`, `-spec.paused`).
 */
import { historyChangesText } from './history-view';

/** The fields of a diff entry the view reads (kube/kube-diff's DiffEntry has them). */
export interface DiffEntryView {
  change: string;
  key: string;
  resource?: string;
  namespace?: string;
  name?: string;
  fromModRevision?: number;
  toModRevision?: number;
  changes?: readonly unknown[];
  hiddenChanges?: number;
  error?: string;
}

/** The counts the view reads. */
export interface DiffCountsView {
  added: number;
  deleted: number;
  changed: number;
  hidden: number;
}

/** Headers and text cells of one table. */
export interface TextRows {
  headers: string[];
  rows: string[][];
}

/**
 * The counts per resource and a TOTAL row: RESOURCE, ADDED, DELETED, CHANGED, HIDDEN (objects that
 * differ only in noise).
 * @example
 * diffCountRows([{ resource: 'pods', added: 1, deleted: 0, changed: 2, hidden: 5 }], { added: 1, deleted: 0, changed: 2, hidden: 5 }).rows[0]
 * // ['pods', '1', '0', '2', '5']
 */
export function diffCountRows(
  byResource: readonly (DiffCountsView & { resource: string })[],
  total: DiffCountsView,
): TextRows {
  const row = (name: string, c: DiffCountsView): string[] => [
    name,
    String(c.added),
    String(c.deleted),
    String(c.changed),
    String(c.hidden),
  ];
  return {
    headers: ['RESOURCE', 'ADDED', 'DELETED', 'CHANGED', 'HIDDEN'],
    rows: [...byResource.map((c) => row(c.resource, c)), row('TOTAL', total)],
  };
}

function revisions(e: DiffEntryView): string {
  return `${e.fromModRevision !== undefined ? String(e.fromModRevision) : '-'} -> ${e.toModRevision !== undefined ? String(e.toModRevision) : '-'}`;
}

/**
 * One row per entry, grouped by resource (in key order within one): RESOURCE, CHANGE, NAMESPACE, NAME,
 * REVISIONS (the key's mod revision on each side, `-` where absent), FIELDS (the first `maxFields`
 * changes, then how many more; a side that could not be decoded says why).
 * @example
 * diffEntryRows([{ change: 'changed', key: '/registry/pods/a/web', resource: 'pods', namespace: 'a', name: 'web', fromModRevision: 5, toModRevision: 9,
 *   changes: [{ path: 'spec.nodeName', op: 'changed', from: 'n1', to: 'n2' }] }]).rows[0]
 * // ['pods', 'changed', 'a', 'web', '5 -> 9', 'spec.nodeName: n1 -> n2']
 */
export function diffEntryRows(entries: readonly DiffEntryView[], maxFields = 3): TextRows {
  const grouped = entries
    .map((e, i) => ({ e, i }))
    .sort((x, y) => {
      const a = x.e.resource ?? '\uffff';
      const b = y.e.resource ?? '\uffff';
      return a < b ? -1 : a > b ? 1 : x.i - y.i;
    });
  return {
    headers: ['RESOURCE', 'CHANGE', 'NAMESPACE', 'NAME', 'REVISIONS', 'FIELDS'],
    rows: grouped.map(({ e }) => {
      const fields = e.changes !== undefined ? historyChangesText(e.changes, maxFields) : '';
      const parts = [fields, e.error !== undefined ? `error: ${e.error}` : ''].filter((p) => p !== '');
      return [
        e.resource ?? '<none>',
        e.change,
        e.namespace ?? '<none>',
        e.name ?? e.key,
        revisions(e),
        parts.join('; ') || (e.change === 'changed' ? '<bytes only>' : ''),
      ];
    }),
  };
}

/**
 * The line under a diff: what was compared, and what was left out.
 * @example
 * diffSummaryText({ from: { origin: 'a.db', revision: 5 }, to: { origin: 'a.db', revision: 9 }, counts: { added: 1, deleted: 0, changed: 0, hidden: 2 }, truncated: false, entries: [] })
 * // 'a.db at revision 5 -> a.db at revision 9: 1 added, 0 deleted, 0 changed; 2 objects changed only in noise (managedFields, resourceVersion, heartbeats) not listed: pass { all: true } (--all)'
 */
export function diffSummaryText(d: {
  from: { origin: string; revision: number };
  to: { origin: string; revision: number };
  counts: DiffCountsView;
  truncated: boolean;
  entries: readonly unknown[];
}): string {
  const c = d.counts;
  let text = `${d.from.origin} at revision ${d.from.revision} -> ${d.to.origin} at revision ${d.to.revision}: ${c.added} added, ${c.deleted} deleted, ${c.changed} changed`;
  if (c.hidden > 0)
    text += `; ${c.hidden} object${c.hidden === 1 ? '' : 's'} changed only in noise (managedFields, resourceVersion, heartbeats) not listed: pass { all: true } (--all)`;
  if (d.truncated)
    text += `; showing ${d.entries.length} of ${c.added + c.deleted + c.changed}: pass a larger { limit } (--limit)`;
  return text;
}
