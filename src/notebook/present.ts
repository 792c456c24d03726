/**
 * How a value looks in a notebook: the result shapes of the Kubernetes layer (lists, get results, counts,
 * inventories, histories, kubectl results, keys) and plain data (arrays of objects or records, lodash
 * output) become HTML with a text/plain twin and a one-line summary. Results display themselves through a
 * hidden `util.inspect.custom`, so they stay plain data for JSON.stringify and lodash.
 */
import * as util from 'node:util';
import type { KubeObject } from '../codec/types';
import { InvalidArgumentError } from '../errors';
import { loadSchema } from '../codec/schema';
import type { CompiledSchema } from '../codec/schema-types';
import { escapeHtml } from '../render/escape';
import { historyRows, type HistoryEntryView } from '../render/history-view';
import { renderHexDump } from '../render/hex-dump';
import { noResourcesMessage } from '../render/table';
import { renderers, type ObjectTableOptions, type Rendered } from './renderers';
import { displayBundle, inTslab } from './tslab-display';
import {
  isRecord,
  joinRendered,
  n,
  plural,
  titled,
  type Presentation,
  type PresentHint,
  type Rec,
  type ShowOptions,
} from './present-parts';
import {
  presentChurn,
  presentClusterInfo,
  presentDeleted,
  presentDiff,
  presentEncodings,
  presentLeases,
  presentOrphans,
  presentOwners,
} from './present-forensics';

export type { Presentation, PresentHint, ShowOptions } from './present-parts';

function isKubeObject(v: unknown): v is KubeObject {
  return isRecord(v) && isRecord(v.metadata);
}

interface ListShape {
  items: KubeObject[];
  revision: number;
  range: { prefix: string };
  etcdctl?: string;
  errors: { key: string; error: string }[];
  truncated?: boolean;
  total?: number;
}

function isListShape(v: unknown): v is ListShape {
  return (
    isRecord(v) &&
    Array.isArray(v.items) &&
    typeof v.revision === 'number' &&
    isRecord(v.range) &&
    Array.isArray(v.errors)
  );
}

interface GetShape {
  key: string;
  object?: KubeObject;
  record: { modRevision: number; createRevision?: number; version?: number; valueBytes?: number };
  encoding: string;
  error?: string;
}

function isGetShape(v: unknown): v is GetShape {
  return (
    isRecord(v) &&
    typeof v.key === 'string' &&
    isRecord(v.record) &&
    typeof v.record.modRevision === 'number' &&
    typeof v.encoding === 'string'
  );
}

function isCountShape(v: unknown): v is { total: number; groups: Record<string, number>; errors: number } {
  return isRecord(v) && typeof v.total === 'number' && isRecord(v.groups) && typeof v.errors === 'number';
}

function isKubectlShape(
  v: unknown,
): v is { command: { output?: string }; result: unknown; etcdctl: string[]; output?: string } {
  return isRecord(v) && isRecord(v.command) && Array.isArray(v.etcdctl) && 'result' in v;
}

function isResourcesShape(v: unknown): v is Rec[] {
  return (
    Array.isArray(v) &&
    v.length > 0 &&
    v.every(
      (r) =>
        isRecord(r) && typeof r.resource === 'string' && typeof r.count === 'number' && typeof r.bytes === 'number',
    )
  );
}

function isHistoryShape(v: unknown): v is Rec[] {
  return (
    Array.isArray(v) &&
    v.length > 0 &&
    v.every(
      (r) =>
        isRecord(r) && typeof r.revision === 'number' && typeof r.deleted === 'boolean' && Array.isArray(r.changes),
    )
  );
}

function tableOptions(hint: PresentHint, caption?: string): Parameters<typeof renderers.objectTable>[1] {
  return {
    now: hint.now ?? new Date(),
    ...(hint.kind !== undefined ? { kind: hint.kind } : {}),
    ...(hint.wide !== undefined ? { wide: hint.wide } : {}),
    ...(hint.columns !== undefined ? { columns: hint.columns } : {}),
    ...(hint.maxRows !== undefined ? { maxRows: hint.maxRows } : {}),
    ...(caption !== undefined ? { caption } : {}),
  };
}

function errorsPart(errors: readonly { key: string; error: string }[]): Rendered[] {
  if (errors.length === 0) return [];
  const table = renderers.recordTable(
    errors.map((e) => ({ key: e.key, error: e.error })),
    { maxRows: 20 },
  );
  const title = `${plural(errors.length, 'value')} could not be decoded`;
  return [
    {
      html: `<details><summary>${escapeHtml(title)}</summary>${table.html}</details>`,
      text: `${title}:\n${table.text}`,
    },
  ];
}

/** The kind the objects are (hint, then the objects' own), or undefined when neither says. */
function kindOf(items: readonly KubeObject[], hint: PresentHint): string | undefined {
  if (hint.kind !== undefined) return hint.kind;
  const k = items.find((o) => typeof o.kind === 'string')?.kind;
  return typeof k === 'string' ? k : undefined;
}

/**
 * A count of objects of a kind, the kind in the plural as English writes it (`12 Pods`, `2 Ingresses`,
 * `3 NetworkPolicies`, `1 Endpoints`), or `N objects` when the kind is unknown.
 */
function countOfKind(count: number, kind: string | undefined): string {
  if (kind === undefined || kind === '') return plural(count, 'object');
  if (count === 1) return `${n(count)} ${kind}`;
  let many: string;
  if (/(ss|us|x|z|ch|sh)$/i.test(kind)) many = `${kind}es`;
  else if (/s$/i.test(kind))
    many = kind; // already plural: Endpoints
  else if (/[^aeiou]y$/i.test(kind)) many = `${kind.slice(0, -1)}ies`;
  else many = `${kind}s`;
  return `${n(count)} ${many}`;
}

/**
 * The namespace a list was limited to: the `namespace` option it was called with, when its etcd range is
 * that namespace's (a cluster-scoped resource ignores the option); undefined for every namespace.
 */
function listedNamespace(v: ListShape, hint: PresentHint): string | undefined {
  const options = hint.args?.[1];
  const ns = isRecord(options) && typeof options.namespace === 'string' ? options.namespace : undefined;
  return ns !== undefined && v.range.prefix.endsWith(`/${ns}/`) ? ns : undefined;
}

function presentList(
  v: ListShape,
  hint: PresentHint,
  decorate: (o: ObjectTableOptions) => ObjectTableOptions = (o) => o,
): Presentation {
  const notes = [`revision ${v.revision}`];
  if (hint.clock !== undefined) notes.push(hint.clock);
  if (v.truncated) notes.push(`showing the first ${n(v.items.length)}; more matched (pass a larger { limit })`);
  if (v.etcdctl) notes.push(v.etcdctl);
  const empty = noResourcesMessage(listedNamespace(v, hint));
  const table = renderers.objectTable(
    v.items,
    decorate({ ...tableOptions(hint, notes.join(' · ')), emptyMessage: empty }),
  );
  const extra = v.errors.length > 0 ? `, ${plural(v.errors.length, 'error')}` : '';
  const what =
    v.items.length === 0
      ? `${empty.replace(/\.$/, '')} at revision ${v.revision}`
      : `${countOfKind(v.items.length, kindOf(v.items, hint))} at revision ${v.revision}`;
  return {
    rendered: joinRendered([table, ...errorsPart(v.errors)]),
    summary: `KubeList: ${what}${v.truncated ? ' (truncated)' : ''}${extra}`,
  };
}

function objectName(o: KubeObject | undefined): string {
  if (!o) return '';
  const ns = isRecord(o.metadata) && typeof o.metadata.namespace === 'string' ? `${o.metadata.namespace}/` : '';
  const name = isRecord(o.metadata) && typeof o.metadata.name === 'string' ? o.metadata.name : '?';
  return `${typeof o.kind === 'string' ? `${o.kind} ` : ''}${ns}${name}`;
}

function presentGet(v: GetShape, hint: PresentHint): Presentation {
  const head =
    `${v.key} · modRevision ${v.record.modRevision}` +
    (v.record.createRevision !== undefined ? ` · createRevision ${v.record.createRevision}` : '') +
    (v.record.version !== undefined ? ` · version ${v.record.version}` : '') +
    ` · ${v.encoding}` +
    (v.record.valueBytes !== undefined ? ` · ${plural(v.record.valueBytes, 'byte')}` : '');
  const headPart = renderers.pre(head);
  const parts: Rendered[] = [headPart];
  if (v.error !== undefined) parts.push(renderers.pre(`error: ${v.error}`));
  if (v.object !== undefined) {
    const format = hint.format === 'yaml' ? 'yaml' : hint.format === 'json' ? 'json' : 'auto';
    const tree = format === 'yaml' ? renderers.yaml(v.object) : renderers.jsonTree(v.object);
    // The text twin reads as `kubectl get -o yaml` unless JSON was asked for.
    const text = format === 'json' ? tree.text : renderers.yaml(v.object).text;
    parts.push({ html: tree.html, text });
  }
  return {
    rendered: joinRendered(parts),
    summary: `KubeGetResult: ${v.object ? objectName(v.object) : v.key} at modRevision ${v.record.modRevision} (${v.encoding})`,
  };
}

function presentCount(v: { total: number; groups: Record<string, number>; errors: number }): Presentation {
  const groups = Object.entries(v.groups).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const caption = `${n(v.total)} in total${v.errors > 0 ? `; ${plural(v.errors, 'value')} could not be decoded` : ''}`;
  const rendered =
    groups.length > 0
      ? renderers.recordTable(
          groups.map(([group, count]) => ({ group, count })),
          { caption },
        )
      : renderers.pre(caption);
  return {
    rendered,
    summary: `KubeCount: ${n(v.total)}${groups.length > 0 ? ` in ${plural(groups.length, 'group')}` : ''}`,
  };
}

function presentResources(rows: Rec[], hint: PresentHint): Presentation {
  const keys = rows.reduce((s, r) => s + (r.count as number), 0);
  const bytes = rows.reduce((s, r) => s + (r.bytes as number), 0);
  const rendered = renderers.recordTable(rows, {
    columns: ['resource', 'kind', 'namespaced', 'count', 'bytes'],
    maxRows: hint.maxRows ?? 200,
  });
  return {
    rendered,
    summary: `${plural(rows.length, 'resource')}, ${plural(keys, 'key')}, ${plural(bytes, 'value byte')}`,
  };
}

function presentHistory(rows: Rec[], hint: PresentHint): Presentation {
  // the same columns and words as `kubetcd history`: EVENT is created / modified / deleted
  const { headers, rows: cells } = historyRows(rows as unknown as HistoryEntryView[]);
  const table = cells.map((r) => Object.fromEntries(headers.map((h, i) => [h, r[i]])));
  const arg = hint.args?.[0];
  const what =
    typeof arg === 'string' ? ` of ${hint.args?.[1] !== undefined ? `${arg} ${String(hint.args[1])}` : arg}` : '';
  return {
    rendered: renderers.recordTable(table, { columns: headers, upperCase: false }),
    summary: `History: ${plural(rows.length, 'revision')}${what}`,
  };
}

interface TreeNodeShape {
  name: string;
  path?: string;
  keys?: number;
  bytes?: number;
  children?: TreeNodeShape[];
}

function isTreeShape(v: unknown): v is { root: TreeNodeShape; revision: number; etcdctl?: string } {
  return (
    isRecord(v) &&
    isRecord(v.root) &&
    typeof v.root.name === 'string' &&
    Array.isArray(v.root.children) &&
    typeof v.revision === 'number'
  );
}

function presentTree(v: { root: TreeNodeShape; revision: number; etcdctl?: string }): Presentation {
  const caption = [`revision ${v.revision}`, ...(v.etcdctl ? [v.etcdctl] : [])].join(' · ');
  const root = v.root;
  return {
    rendered: renderers.caption(renderers.keyTree(root), caption),
    summary: `KeyTree: ${root.path || root.name || '/'}: ${plural(root.keys ?? 0, 'key')}${root.bytes !== undefined ? `, ${plural(root.bytes, 'byte')}` : ''} at revision ${v.revision}`,
  };
}

interface SizesShape {
  revision: number;
  total: { keys: number; bytes: number };
  byResource: Rec[];
  byNamespace: Rec[];
  largest: Rec[];
  mostRevisions?: Rec[];
  notes: string[];
}

function isSizesShape(v: unknown): v is SizesShape {
  return (
    isRecord(v) &&
    typeof v.revision === 'number' &&
    isRecord(v.total) &&
    Array.isArray(v.byResource) &&
    Array.isArray(v.byNamespace) &&
    Array.isArray(v.largest) &&
    Array.isArray(v.notes)
  );
}

function presentSizes(v: SizesShape, hint: PresentHint): Presentation {
  // { top: N } given: the chart and the group tables show the N largest, and say how many there are
  const options = hint.args?.[0];
  const top = isRecord(options) && typeof options.top === 'number' && options.top > 0 ? options.top : undefined;
  const cut = (groups: Rec[], what: string, field: string): { rows: Rec[]; title: string } =>
    top !== undefined && groups.length > top
      ? {
          rows: groups.slice(0, top),
          title: `${what}: the ${n(top)} largest of ${n(groups.length)} (all in .${field})`,
        }
      : { rows: groups, title: what };
  const chart = renderers.barChart(
    v.byResource.map((g) => ({ label: String(g.name), value: Number(g.bytes) })),
    { unit: 'bytes', title: 'Value bytes per resource', ...(top !== undefined ? { maxBars: top } : {}) },
  );
  const resources = cut(v.byResource, 'Per resource', 'byResource');
  const namespaces = cut(v.byNamespace, 'Per namespace', 'byNamespace');
  const parts: Rendered[] = [
    chart,
    titled(resources.title, renderers.recordTable(resources.rows, { maxRows: 100 })),
    titled(namespaces.title, renderers.recordTable(namespaces.rows, { maxRows: 100 })),
    titled('Largest values', renderers.recordTable(v.largest)),
  ];
  if (v.mostRevisions && v.mostRevisions.length > 0)
    parts.push(titled('Most revised keys', renderers.recordTable(v.mostRevisions)));
  if (v.notes.length > 0) parts.push(renderers.notes(v.notes.map((x) => `note: ${x}`)));
  return {
    rendered: joinRendered(parts),
    summary: `KubeSizes: ${plural(v.total.keys, 'key')}, ${plural(v.total.bytes, 'value byte')} at revision ${v.revision}`,
  };
}

function presentKubectl(
  v: {
    result: unknown;
    etcdctl: string[];
    output?: string;
    printerColumns?: ObjectTableOptions['printerColumns'];
    command?: { output?: string; showLabels?: boolean; labelColumns?: string[]; noHeaders?: boolean };
  },
  given: PresentHint,
): Presentation {
  // `-o wide` in the command line is the table's wide flag (an explicit { wide } in the hint still wins).
  const hint: PresentHint = v.command?.output === 'wide' && given.wide === undefined ? { ...given, wide: true } : given;
  // --show-labels, -L, --no-headers and a custom resource's CRD columns shape its tables
  const decorate = (o: ObjectTableOptions): ObjectTableOptions => ({
    ...o,
    ...(v.command?.showLabels === true ? { showLabels: true } : {}),
    ...(v.command?.labelColumns !== undefined ? { labelColumns: v.command.labelColumns } : {}),
    ...(v.command?.noHeaders === true ? { noHeaders: true } : {}),
    ...(v.printerColumns !== undefined && hint.columns === undefined ? { printerColumns: v.printerColumns } : {}),
  });
  const reads = renderers.pre(v.etcdctl.join('\n'));
  const readsPart: Rendered = {
    html: `<details><summary>etcd reads</summary>${reads.html}</details>`,
    text: `# etcd reads:\n${v.etcdctl.map((l) => `#   ${l}`).join('\n')}`,
  };
  const cmd = hint.args?.[0];
  const label = typeof cmd === 'string' ? `kubectl ${cmd.replace(/^\s*kubectl\s+/, '')}` : 'kubectl';
  if (v.output !== undefined)
    return {
      rendered: joinRendered([renderers.pre(v.output), readsPart]),
      summary: `${label}: ${plural(v.output.split('\n').filter(Boolean).length, 'line')}`,
    };
  if (isListShape(v.result)) {
    // the namespace the command named (kubectl's default one unless -A), to say which one was empty
    const cmdLine = v.command as { resource?: unknown; namespace?: unknown; allNamespaces?: unknown } | undefined;
    const namespace =
      cmdLine?.allNamespaces === true
        ? undefined
        : typeof cmdLine?.namespace === 'string'
          ? cmdLine.namespace
          : 'default';
    const p = presentList(
      v.result,
      { ...hint, args: [cmdLine?.resource, namespace !== undefined ? { namespace } : {}] },
      decorate,
    );
    return { rendered: joinRendered([p.rendered, readsPart]), summary: `${label}: ${p.summary}` };
  }
  if (Array.isArray(v.result) && v.result.every(isGetShape)) {
    const gets = v.result as GetShape[];
    const objects = gets.flatMap((g) => (g.object ? [g.object] : []));
    const errors = gets.flatMap((g) => (g.error !== undefined ? [{ key: g.key, error: g.error }] : []));
    const table = renderers.objectTable(objects, decorate(tableOptions(hint)));
    return {
      rendered: joinRendered([table, ...errorsPart(errors), readsPart]),
      summary: `${label}: ${plural(objects.length, 'object')}`,
    };
  }
  return presentPlain(v, hint);
}

/** The installed schema, to name protobuf fields in a hex dump; undefined when it cannot be loaded. */
function schemaOrUndefined(): CompiledSchema | undefined {
  try {
    return loadSchema();
  } catch {
    return undefined;
  }
}

interface TableShape {
  html: string;
  text: string;
  rows: number;
  errors: { key: string; error: string }[];
  errorCount: number;
  revision: number;
  etcdctl: string;
  truncatedReason?: string;
}

function isTableShape(v: unknown): v is TableShape {
  return (
    isRecord(v) &&
    typeof v.html === 'string' &&
    typeof v.text === 'string' &&
    typeof v.rows === 'number' &&
    Array.isArray(v.errors)
  );
}

function presentTable(v: TableShape): Presentation {
  const parts: Rendered[] = [{ html: v.html, text: v.text }, ...errorsPart(v.errors)];
  const notes = [`${v.etcdctl} (revision ${v.revision})`];
  if (v.errorCount > v.errors.length)
    notes.push(`${v.errorCount} values could not be decoded; the first ${v.errors.length} are shown`);
  if (v.truncatedReason !== undefined) notes.push(v.truncatedReason);
  parts.push(renderers.pre(notes.join('\n')));
  return {
    rendered: joinRendered(parts),
    summary: `Table: ${plural(v.rows, 'row')} at revision ${v.revision}${v.errorCount > 0 ? `, ${v.errorCount} undecodable` : ''}`,
  };
}

/** A view made by src/render (`renderHistogram(…)`, `renderTable(…)`): `{ html, text }` and nothing else of note. */
function isRendered(v: unknown): v is Rendered {
  return (
    isRecord(v) &&
    typeof v.html === 'string' &&
    typeof v.text === 'string' &&
    Object.keys(v).every((k) => ['html', 'text', 'json', 'svg'].includes(k))
  );
}

function presentPlain(value: unknown, hint: PresentHint): Presentation {
  const format = hint.format ?? 'auto';
  if (isRendered(value) && (format === 'auto' || format === 'table')) {
    return { rendered: value, summary: `${value.text.split('\n')[0] ?? 'view'}` };
  }
  if (value instanceof Uint8Array && (format === 'auto' || format === 'hex')) {
    const schema = schemaOrUndefined();
    return {
      rendered: renderHexDump(value, schema === undefined ? {} : { schema }),
      summary: `${value.length} bytes${schema === undefined ? ' (schema not installed: protobuf fields unnamed)' : ''}`,
    };
  }
  if (format === 'yaml') return { rendered: renderers.yaml(value), summary: describe(value) };
  if (format === 'text')
    return {
      rendered: renderers.pre(typeof value === 'string' ? value : util.inspect(value, { depth: 6, colors: false })),
      summary: describe(value),
    };
  if (format === 'json') return { rendered: renderers.jsonTree(value), summary: describe(value) };
  if (Array.isArray(value)) {
    if (value.length > 0 && value.every(isKubeObject)) {
      return {
        rendered: renderers.objectTable(value, tableOptions(hint)),
        summary: countOfKind(value.length, kindOf(value, hint)),
      };
    }
    if (value.length > 0 && value.every((x) => typeof x === 'string')) {
      const strings = value as string[];
      return {
        rendered:
          strings.every((s) => s.startsWith('/')) || hint.method === 'keys'
            ? renderers.keys(strings)
            : renderers.recordTable(strings.map((s) => ({ value: s }))),
        summary: strings.every((s) => s.startsWith('/')) ? plural(strings.length, 'key') : `Array(${strings.length})`,
      };
    }
    if (value.length > 0 && value.every(isRecord)) {
      return {
        rendered: renderers.recordTable(
          value as Rec[],
          hint.maxRows !== undefined ? { maxRows: hint.maxRows, upperCase: false } : { upperCase: false },
        ),
        summary: `${plural(value.length, 'row')}`,
      };
    }
    if (format === 'table') {
      return { rendered: renderers.recordTable(value.map((x) => ({ value: x }))), summary: `Array(${value.length})` };
    }
    return { rendered: renderers.jsonTree(value), summary: `Array(${value.length})` };
  }
  if (isRecord(value)) {
    const entries = Object.entries(value);
    const scalars =
      entries.length > 0 && entries.every(([, x]) => x === null || ['string', 'number', 'boolean'].includes(typeof x));
    if (format === 'table' || (scalars && entries.length > 1 && !isKubeObject(value))) {
      return {
        rendered: renderers.recordTable(entries.map(([key, x]) => ({ key, value: x }))),
        summary: describe(value),
      };
    }
    return { rendered: renderers.jsonTree(value), summary: isKubeObject(value) ? objectName(value) : describe(value) };
  }
  return { rendered: renderers.pre(typeof value === 'string' ? value : String(value)), summary: describe(value) };
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return `Array(${value.length})`;
  if (isRecord(value)) return `Object with ${plural(Object.keys(value).length, 'key')}`;
  return typeof value;
}

/**
 * Draws any value: the Kubernetes layer's results by their shape (and the method that returned them), plain
 * arrays of objects or records as tables, other data as a JSON tree.
 * @example
 * present(await k.list('pods')).summary // 'KubeList: 12 Pods at revision 345'
 */
export function present(value: unknown, hint: PresentHint = {}): Presentation {
  const format = hint.format ?? 'auto';
  if (hint.method === 'table' && isTableShape(value) && (format === 'auto' || format === 'table'))
    return presentTable(value);
  if (format === 'auto' || format === 'table') {
    if (hint.method === 'deleted' && isRecord(value) && Array.isArray(value.items)) return presentDeleted(value, hint);
    if (hint.method === 'leases' && isRecord(value) && Array.isArray(value.leases)) return presentLeases(value, hint);
    if (hint.method === 'diff' && isRecord(value) && Array.isArray(value.entries) && isRecord(value.counts))
      return presentDiff(value, hint);
    if (hint.method === 'churn' && isRecord(value) && Array.isArray(value.writers)) return presentChurn(value);
    if (hint.method === 'clusterInfo' && isRecord(value) && isRecord(value.kubernetes) && isRecord(value.etcd))
      return presentClusterInfo(value, hint);
    if (hint.method === 'owners' && isRecord(value) && isRecord(value.object)) return presentOwners(value);
    if (hint.method === 'orphans' && isRecord(value) && Array.isArray(value.orphans) && Array.isArray(value.stuck))
      return presentOrphans(value, hint);
    if (hint.method === 'encodings' && isRecord(value) && Array.isArray(value.resources) && isRecord(value.total))
      return presentEncodings(value, hint);
    if (isListShape(value)) return presentList(value, hint);
    if (isGetShape(value)) return presentGet(value, hint);
    if (isCountShape(value)) return presentCount(value);
    if (isKubectlShape(value)) return presentKubectl(value, hint);
    if (isResourcesShape(value)) return presentResources(value, hint);
    if (isHistoryShape(value)) return presentHistory(value, hint);
    if (isTreeShape(value)) return presentTree(value);
    if (isSizesShape(value)) return presentSizes(value, hint);
  } else if (format === 'yaml' && isGetShape(value)) {
    return presentGet(value, hint);
  } else if (format === 'json' && isGetShape(value)) {
    return presentGet(value, hint);
  }
  return presentPlain(value, hint);
}

const FORMATS = ['auto', 'table', 'json', 'yaml', 'text', 'hex'];

function checkShowOptions(options: ShowOptions): void {
  if (options === null || typeof options !== 'object') {
    throw new InvalidArgumentError(
      `Invalid show() options: ${JSON.stringify(options)}. Pass an object such as { wide: true } or omit it.`,
    );
  }
  if (options.format !== undefined && !FORMATS.includes(options.format)) {
    throw new InvalidArgumentError(
      `Invalid format: ${JSON.stringify(options.format)}. Pass one of ${FORMATS.map((f) => `'${f}'`).join(', ')}.`,
    );
  }
  if (options.now !== undefined && !(options.now instanceof Date && Number.isFinite(options.now.getTime()))) {
    throw new InvalidArgumentError(`Invalid now: ${String(options.now)}. Pass a valid Date or omit it.`);
  }
}

/**
 * Displays any value: in a notebook as HTML with a text/plain twin, elsewhere as kubectl-like text on
 * stdout. Async, so await it: output sent after a cell ends lands in the next cell.
 * @example
 * await show(_.filter(list.items, (p) => p.spec.nodeName === 'node-1'), { wide: true });
 */
export async function show(value: unknown, options: ShowOptions = {}): Promise<void> {
  checkShowOptions(options);
  const p = present(value, options);
  if (!displayBundle(mimeBundle(p.rendered))) {
    process.stdout.write(`${p.rendered.text.replace(/\n+$/, '')}\n`);
  }
}

/** HTML and its text twin, plus `application/json` (JupyterLab's tree) when the view has JSON data. */
function mimeBundle(r: Rendered): Record<string, unknown> {
  return { 'text/html': r.html, 'text/plain': r.text, ...(r.json !== undefined ? { 'application/json': r.json } : {}) };
}

/** Marks a result so it displays itself as the last expression of a cell. */
const HINT = Symbol('kubetcd.presentHint');

function inspectResult(this: unknown, depth: number, options: util.InspectOptionsStylized): string {
  const hint = (this as { [HINT]?: PresentHint })[HINT] ?? {};
  const p = present(this, hint);
  if (depth !== options.depth) return `[${p.summary}]`;
  if (inTslab() && displayBundle(mimeBundle(p.rendered))) return p.summary;
  return p.rendered.text.replace(/\n+$/, '');
}

/**
 * Makes a result display itself: adds hidden (non-enumerable, symbol-keyed) `util.inspect.custom` so that,
 * as the last expression of a tslab cell, it shows as HTML with a text twin and prints a one-line summary,
 * and in plain Node it prints kubectl-like text. The value stays plain data. Returns the same value.
 * @example
 * const list = withDisplay(await kube.list('pods'), { method: 'list', args: ['pods'] });
 */
export function withDisplay<T>(value: T, hint: PresentHint = {}): T {
  if (value === null || typeof value !== 'object' || !Object.isExtensible(value)) return value;
  Object.defineProperty(value, HINT, { value: hint, enumerable: false, configurable: true, writable: true });
  Object.defineProperty(value, util.inspect.custom, {
    value: inspectResult,
    enumerable: false,
    configurable: true,
    writable: true,
  });
  return value;
}
