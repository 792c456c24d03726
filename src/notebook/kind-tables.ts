/**
 * Tables by any name of a resource. The printers of src/render are keyed by kind (`Pod`) and render
 * imports no kube: here, a floor above both, a resource name or short name (`pods`, `po`,
 * `deployments.apps`) is resolved to its kind through the one resource table (src/kube/resources.ts)
 * before the printer or the table is chosen. These are the functions the package's top level exports.
 */
import type { KubeObject } from '../codec/types';
import { resolveResource } from '../kube/resources';
import { kindPrinter as printerOfKind, type KindPrinter } from '../render/kube-printers';
import type { Rendered } from '../render/rendered';
import {
  createTableBuilder as tableBuilder,
  renderTable as table,
  renderTableAsync as tableAsync,
  type TableBuilder,
  type TableOptions,
} from '../render/table';

/**
 * The kind a name selects: a kind, a resource or a short name of a built-in resource resolved through
 * the resource table; any other name (a custom resource's kind) as given.
 * @example
 * kindOfName('deploy') // 'Deployment'
 */
export function kindOfName(name: string): string {
  try {
    return resolveResource(name, []).kind || name;
  } catch {
    return name;
  }
}

/** `options` with its `kind` resolved by {@link kindOfName}. */
export function withResolvedKind<T extends { kind?: string }>(options: T): T {
  return options.kind === undefined ? options : { ...options, kind: kindOfName(options.kind) };
}

/**
 * The table layout of a kind, by kind (`Pod`), resource (`pods`) or short name (`po`); undefined for
 * kinds without one.
 * @example
 * kindPrinter('deploy')?.columns.map((c) => c.header) // ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE', …]
 */
export function kindPrinter(kindOrResource: string): KindPrinter | undefined {
  return printerOfKind(kindOfName(kindOrResource));
}

/**
 * A table of objects as `kubectl get` prints them; `kind` may be a kind, resource or short name.
 * @example
 * renderTable(list.items, { kind: 'po', now: Date.now() }).text
 */
export function renderTable(objects: Iterable<KubeObject>, options: TableOptions = {}): Rendered {
  return table(objects, withResolvedKind(options));
}

/**
 * {@link renderTable} over an async iterable (a `k.stream()`'s objects); `kind` as there.
 * @example
 * await renderTableAsync(objectsOf(k.stream('pods')), { kind: 'pods' })
 */
export function renderTableAsync(
  objects: AsyncIterable<KubeObject> | Iterable<KubeObject>,
  options: TableOptions = {},
): Promise<Rendered> {
  return tableAsync(objects, withResolvedKind(options));
}

/**
 * A streaming table (add objects one by one, then finish); `kind` may be a kind, resource or short name.
 * @example
 * const b = createTableBuilder({ kind: 'pods', now: Date.now() });
 */
export function createTableBuilder(options: TableOptions = {}): TableBuilder {
  return tableBuilder(withResolvedKind(options));
}
