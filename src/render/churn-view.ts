/**
 * How churn reads, wherever it is printed (`kubetcd churn`, the notebook): the writers, then writes per
 * resource, per namespace and per key, most first.
 */
import type { TextRows } from './diff-view';

/** The fields of a churn result the view reads (kube/kube-churn's KubeChurn has them). */
export interface ChurnView {
  writes: number;
  writers: readonly { manager: string; writes: number; resources: Record<string, number> }[];
  byResource: readonly { name: string; writes: number; deletes: number; keys: number }[];
  byNamespace: readonly { name: string; writes: number; deletes: number; keys: number }[];
  byKey: readonly { key: string; writes: number; deletes: number; managers: Record<string, number> }[];
}

function counts(by: Record<string, number>, max = 3): string {
  const entries = Object.entries(by);
  const shown = entries
    .slice(0, max)
    .map(([name, n]) => `${name}=${n}`)
    .join(',');
  return entries.length > max ? `${shown},+${entries.length - max} more` : shown || '<none>';
}

function share(n: number, total: number): string {
  return total > 0 ? `${((100 * n) / total).toFixed(1)}%` : '0.0%';
}

/**
 * The tables of a churn result: `writers` (MANAGER, WRITES, SHARE, RESOURCES), `resources` and
 * `namespaces` (NAME, WRITES, DELETES, KEYS), `keys` (KEY, WRITES, DELETES, MANAGERS); counts as
 * `name=n`, most first, the first three then how many more.
 * @example
 * churnRows(await k.churn()).writers.rows[0] // ['kubelet', '120', '60.0%', 'leases=80,nodes=40']
 */
export function churnRows(c: ChurnView): {
  writers: TextRows;
  resources: TextRows;
  namespaces: TextRows;
  keys: TextRows;
} {
  const groups = (header: string, gs: ChurnView['byResource']): TextRows => ({
    headers: [header, 'WRITES', 'DELETES', 'KEYS'],
    rows: gs.map((g) => [g.name, String(g.writes), String(g.deletes), String(g.keys)]),
  });
  return {
    writers: {
      headers: ['MANAGER', 'WRITES', 'SHARE', 'RESOURCES'],
      rows: c.writers.map((w) => [w.manager, String(w.writes), share(w.writes, c.writes), counts(w.resources)]),
    },
    resources: groups('RESOURCE', c.byResource),
    namespaces: groups('NAMESPACE', c.byNamespace),
    keys: {
      headers: ['KEY', 'WRITES', 'DELETES', 'MANAGERS'],
      rows: c.byKey.map((k) => [k.key, String(k.writes), String(k.deletes), counts(k.managers)]),
    },
  };
}
