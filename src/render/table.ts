/**
 * Tables of Kubernetes objects as `kubectl get` prints them: the kind's columns (see kube-printers.ts),
 * a NAMESPACE column first when the objects span several namespaces (as with `-A`), custom columns by
 * dotted path or function, and for long lists the head and tail rows around a `…` row with an
 * `N rows × M columns` caption. Rows can stream from a (sync or async) iterable: only the rows shown
 * are kept in memory. The text twin is aligned as kubectl's tabwriter aligns it (3-space gutters, no
 * padding after the last column).
 */
import { toKubeJson } from '../codec/go-json';
import {
  findJsonPath,
  goFloatText,
  parseJsonPath,
  printJsonPath,
  relaxedJsonPath,
  type JsonPathTemplate,
} from '../codec/kubectl-jsonpath';
import type { KubeObject } from '../codec/types';
import { InvalidArgumentError } from '../errors';
import { escapeAttr, escapeHtml, cutText, textWidth, visibleText } from './escape';
import {
  DEFAULT_COLUMNS,
  DEFAULT_READS,
  ageOf,
  kindPrinter,
  type KindColumn,
  type PrintContext,
} from './kube-printers';
import { dig, parsePath, str, valuesAt } from './object-path';
import { wrapHtml, type Rendered } from './rendered';

/** A custom column: a dotted path (`spec.nodeName`, `spec.containers[*].image`) or a function. */
export type ColumnSource = string | ((object: KubeObject) => unknown);

/** Options of {@link renderTable}. */
export interface TableOptions {
  /**
   * The kind (`Pod`) whose columns to use. Default: the first object's kind. Printers are keyed by kind:
   * the package's top-level renderTable/createTableBuilder also take a resource or short name (`pods`,
   * `po`), resolved through the resource table first.
   */
  kind?: string;
  /** kubectl's `-o wide` columns. */
  wide?: boolean;
  /** Custom columns, header → path or function (like `-o custom-columns`); replaces the kind's columns. */
  columns?: Record<string, ColumnSource>;
  /** "Now" for ages (ms since epoch or a Date). Without it, AGE shows the creation timestamp. */
  now?: number | Date;
  /** Above this many rows, show only the head and tail. Default 50; `Infinity` shows every row. */
  maxRows?: number;
  /** Rows shown at each end when cut. Default `min(10, floor(maxRows / 2))`. */
  endRows?: number;
  /** HTML cells longer than this are cut, with the full value in a tooltip. Default 80. */
  maxCellChars?: number;
  /** Force the NAMESPACE column on or off. Default: on when the objects span several namespaces. */
  namespaceColumn?: boolean;
  /** What an empty table says instead (text and HTML). Default: `No resources found` (see {@link noResourcesMessage}). */
  emptyMessage?: string;
  /** kubectl's `--show-labels`: a last LABELS column, `key=value,…` sorted by key, or `<none>`. */
  showLabels?: boolean;
  /** kubectl's `-L KEY,…`: a column per label key (header: the part after the last `/`, upper-cased), empty when unset. */
  labelColumns?: readonly string[];
  /** kubectl's `--no-headers`: the text has no header line. */
  noHeaders?: boolean;
  /**
   * A custom resource's columns from its CRD's `additionalPrinterColumns` (ResourceInfo.printerColumns):
   * NAME, then each column (priority > 0: wide only), as the API server prints them. An empty array
   * gives the API server's default for CRDs: NAME, AGE.
   */
  printerColumns?: ReadonlyArray<{
    readonly name: string;
    readonly type: string;
    readonly jsonPath: string;
    readonly priority?: number;
  }>;
}

/** A CRD column's cell as the API server and kubectl print it (see TableOptions.printerColumns). */
function printerColumnCell(
  object: KubeObject,
  column: { type: string; template: JsonPathTemplate },
  ctx: PrintContext,
): string {
  let value: unknown;
  try {
    value = findJsonPath(object, column.template)[0];
  } catch {
    return '<none>';
  }
  if (value === undefined || value === null) return '<none>';
  const isInt = (v: unknown): boolean =>
    typeof v === 'bigint' || (typeof v === 'number' && Number.isInteger(v) && Math.abs(v) < 2 ** 63);
  switch (column.type) {
    case 'integer':
      if (isInt(value)) return String(value);
      return typeof value === 'number' ? BigInt(Math.trunc(value)).toString() : '<none>';
    case 'number':
      if (typeof value === 'bigint') return value.toString();
      return typeof value === 'number' ? goFloatText(value) : '<none>';
    case 'boolean':
      return typeof value === 'boolean' ? String(value) : '<none>';
    case 'date': {
      if (typeof value !== 'string') return '<none>';
      if (Number.isNaN(Date.parse(value)) || !/^\d{4}-\d{2}-\d{2}T/.test(value)) return '<invalid>';
      return ageOf(value, ctx);
    }
    default:
      return printJsonPath({ v: value }, '{.v}');
  }
}

function crdColumns(columns: NonNullable<TableOptions['printerColumns']>): KindColumn[] {
  const name: KindColumn = { header: 'NAME', cell: (o) => str(dig(o, 'metadata', 'name')) };
  if (columns.length === 0)
    return [name, { header: 'AGE', cell: (o, ctx) => ageOf(dig(o, 'metadata', 'creationTimestamp'), ctx) }];
  return [
    name,
    ...columns.map((c) => {
      const parsed = { type: c.type, template: parseJsonPath(relaxedJsonPath(c.jsonPath)) };
      return {
        header: c.name.toUpperCase(),
        ...((c.priority ?? 0) > 0 ? { wide: true } : {}),
        cell: (o: KubeObject, ctx: PrintContext) => printerColumnCell(o, parsed, ctx),
      };
    }),
  ];
}

/** The label cells kubectl appends: one per `-L` key, then LABELS with `--show-labels`. */
function labelCells(object: KubeObject, options: TableOptions): string[] {
  const labels = dig(object, 'metadata', 'labels');
  const map =
    labels !== null && typeof labels === 'object' && !Array.isArray(labels) ? (labels as Record<string, unknown>) : {};
  const cells = (options.labelColumns ?? []).map((k) => (typeof map[k] === 'string' ? (map[k] as string) : ''));
  if (options.showLabels === true) {
    const keys = Object.keys(map).sort();
    cells.push(keys.length === 0 ? '<none>' : keys.map((k) => `${k}=${String(map[k])}`).join(','));
  }
  return cells;
}

/** The headers of {@link labelCells}. */
function labelHeaders(options: TableOptions): string[] {
  return [
    ...(options.labelColumns ?? []).map((k) => (k.split('/').pop() ?? k).toUpperCase()),
    ...(options.showLabels === true ? ['LABELS'] : []),
  ];
}

/**
 * What kubectl prints for an empty list: the namespace when the list was limited to one, else the bare line
 * (cluster-scoped resources, `-A`).
 * @example
 * noResourcesMessage('default') // 'No resources found in default namespace.'
 * noResourcesMessage(undefined) // 'No resources found'
 */
export function noResourcesMessage(namespace: string | undefined): string {
  return namespace !== undefined ? `No resources found in ${namespace} namespace.` : 'No resources found';
}

interface Row {
  namespace: string;
  cells: string[];
}

/**
 * A cell value as kubectl's table printer writes it: text up to the first line break (then `...`),
 * with invisible characters made visible.
 * @example
 * cellText('line1\nline2') // 'line1...'
 */
export function cellText(value: string): string {
  const br = value.search(/[\n\r\f]/);
  return visibleText(br >= 0 ? value.slice(0, br) + '...' : value);
}

function formatValue(v: unknown): string {
  if (v === undefined || v === null) return '<none>';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return toKubeJson(v);
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? '<invalid>' : v.toISOString();
  try {
    return toKubeJson(v);
  } catch {
    return String(v);
  }
}

function customColumns(columns: Record<string, ColumnSource>): KindColumn[] {
  return Object.entries(columns).map(([header, source]) => {
    if (typeof source === 'function') return { header, cell: (o: KubeObject) => formatValue(source(o)) };
    if (typeof source !== 'string') {
      throw new InvalidArgumentError(
        `Custom column ${JSON.stringify(header)}: expected a dotted path or a function, got ${typeof source}.`,
      );
    }
    valuesAt({}, source); // validate the path now, not once per row
    return {
      header,
      cell: (o: KubeObject) => {
        const vs = valuesAt(o, source);
        return vs.length === 0 ? '<none>' : vs.map(formatValue).join(',');
      },
    };
  });
}

function nowMs(now: number | Date | undefined): number | undefined {
  if (now === undefined) return undefined;
  const t = typeof now === 'number' ? now : now.getTime();
  if (!Number.isFinite(t))
    throw new InvalidArgumentError(`Invalid now: ${String(now)}. Pass a Date or milliseconds since the epoch.`);
  return t;
}

/** Accumulates rows one object at a time; {@link finish} renders. Made by {@link createTableBuilder}. */
export interface TableBuilder {
  /** Adds one object (a failure to compute its cells is counted, never thrown). */
  add(object: KubeObject): void;
  /** Renders the table of everything added. */
  finish(): Rendered;
  /**
   * The object paths the table reads (dotted, for a projection: `KubeClient.stream(r, { paths })`), or
   * undefined when it needs whole objects (function columns, or no kind given: the first object decides).
   */
  readonly paths: readonly string[] | undefined;
}

/**
 * The dotted path to project for a custom column's path: its named steps, indexes and `[*]` dropped
 * (`spec.containers[*].image` → `spec.containers.image`), cut before a quoted key holding a dot (a label
 * such as `metadata.labels['app.kubernetes.io/name']` → `metadata.labels`, read whole). Undefined when
 * the path names no field.
 */
function projectionOf(path: string): string | undefined {
  const keys: string[] = [];
  for (const step of parsePath(path)) {
    if (!('key' in step)) continue;
    if (step.key.includes('.') || step.key === '') break;
    keys.push(step.key);
  }
  return keys.length > 0 ? keys.join('.') : undefined;
}

/** What a table with these options reads, or undefined for whole objects (see TableBuilder.paths). */
function tablePaths(options: TableOptions): readonly string[] | undefined {
  if (options.columns !== undefined) {
    const paths = new Set<string>(['metadata.namespace']);
    for (const source of Object.values(options.columns)) {
      const p = typeof source === 'string' ? projectionOf(source) : undefined;
      if (p === undefined) return undefined;
      paths.add(p);
    }
    return [...paths];
  }
  if (options.kind === undefined || options.printerColumns !== undefined) return undefined;
  return kindPrinter(options.kind)?.reads ?? DEFAULT_READS;
}

/**
 * A streaming table: add objects one by one (only the rows that will be shown are kept), then finish.
 * @example
 * const b = createTableBuilder({ kind: 'pods', now: Date.now() });
 * for await (const pod of pods) b.add(pod);
 * display(b.finish().html);
 */
export function createTableBuilder(options: TableOptions = {}): TableBuilder {
  const maxRows = options.maxRows ?? 50;
  if (!(maxRows >= 1))
    throw new InvalidArgumentError(
      `maxRows must be at least 1, got ${String(options.maxRows)}. Pass a positive number or Infinity.`,
    );
  const endRows = Math.max(
    1,
    Math.min(options.endRows ?? Math.min(10, Math.floor(maxRows / 2)), Math.floor(maxRows / 2) || 1),
  );
  const maxCellChars = options.maxCellChars ?? 80;
  const ctx: PrintContext = { wide: options.wide === true };
  const now = nowMs(options.now);
  if (now !== undefined) ctx.now = now;
  let columns: KindColumn[] | undefined =
    options.columns !== undefined
      ? customColumns(options.columns)
      : options.printerColumns !== undefined
        ? crdColumns(options.printerColumns)
        : undefined;
  let hasNamespaceColumn = options.columns !== undefined;
  if (columns === undefined && options.kind !== undefined) {
    const p = kindPrinter(options.kind);
    columns = p?.columns ?? DEFAULT_COLUMNS;
    hasNamespaceColumn = p === undefined;
  }
  const head: Row[] = [];
  const tail: Row[] = [];
  let tailStart = 0;
  let total = 0;
  let failed = 0;
  let firstFailure = '';
  const namespaces = new Set<string>();
  let anyNamespace = false;

  const chosen = (first: KubeObject): KindColumn[] => {
    const p = kindPrinter(str(first['kind']));
    hasNamespaceColumn = p === undefined;
    return p?.columns ?? DEFAULT_COLUMNS;
  };

  return {
    paths: tablePaths(options),
    add(object: KubeObject): void {
      columns ??= chosen(object);
      const shown = columns.filter((c) => c.wide !== true || ctx.wide);
      const cells: string[] = [];
      for (const c of shown) {
        try {
          cells.push(c.cell(object, ctx));
        } catch (err) {
          if (failed === 0) firstFailure = `${c.header}: ${err instanceof Error ? err.message : String(err)}`;
          failed++;
          cells.push('<error>');
        }
      }
      cells.push(...labelCells(object, options));
      const ns = str(dig(object, 'metadata', 'namespace'));
      if (namespaces.size < 2) namespaces.add(ns);
      if (ns !== '') anyNamespace = true;
      const row: Row = { namespace: ns, cells };
      total++;
      if (head.length < maxRows) {
        head.push(row);
        return;
      }
      tail.push(row);
      if (tail.length > endRows) {
        tail[tailStart] = row;
        tail.pop();
        tailStart = (tailStart + 1) % endRows;
      }
    },
    finish(): Rendered {
      const shown = (columns ?? []).filter((c) => c.wide !== true || ctx.wide);
      const withNs = options.namespaceColumn ?? (!hasNamespaceColumn && namespaces.size > 1);
      // The default layout's own NAMESPACE column goes when no object has a namespace (cluster-scoped
      // custom resources) or when the leading one is shown (-A): never empty, never twice.
      const dropAt =
        columns === DEFAULT_COLUMNS && (!anyNamespace || withNs)
          ? shown.findIndex((c) => c.header === 'NAMESPACE')
          : -1;
      const keep = <T>(xs: readonly T[]): T[] => (dropAt < 0 ? [...xs] : xs.filter((_, i) => i !== dropAt));
      const cols = [...keep(shown).map((c) => c.header), ...labelHeaders(options)];
      let rows: Row[];
      let cut = false;
      if (total <= maxRows) {
        rows = head;
      } else {
        cut = true;
        const orderedTail = [...tail.slice(tailStart), ...tail.slice(0, tailStart)];
        // rows past maxRows went to the tail ring; the head's own end may belong to the tail
        const all = [...head.slice(endRows), ...orderedTail].slice(-endRows);
        rows = [...head.slice(0, endRows), ...all];
      }
      const headers = withNs ? ['NAMESPACE', ...cols] : cols;
      const grid = rows.map((r) => (withNs ? [r.namespace, ...keep(r.cells)] : keep(r.cells)).map(cellText));
      if (total === 0) {
        const message = options.emptyMessage ?? noResourcesMessage(undefined);
        return { html: wrapHtml(`<p class="kubetcd-empty">${escapeHtml(message)}</p>`), text: `${message}\n` };
      }
      const caption = captionOf(
        total,
        headers.length,
        cut ? { head: endRows, tail: rows.length - endRows } : undefined,
        failed,
        firstFailure,
      );
      return {
        html: tableHtml(headers, grid, cut ? endRows : -1, caption, maxCellChars),
        text: tableText(
          headers,
          grid,
          cut ? endRows : -1,
          cut || failed > 0 ? caption : undefined,
          options.noHeaders === true,
        ),
      };
    },
  };
}

function captionOf(
  total: number,
  columns: number,
  cut: { head: number; tail: number } | undefined,
  failed: number,
  firstFailure: string,
): string {
  let s = `${total} ${total === 1 ? 'row' : 'rows'} × ${columns} ${columns === 1 ? 'column' : 'columns'}`;
  if (cut !== undefined) s += ` (showing the first ${cut.head} and the last ${cut.tail}; pass { maxRows } to see more)`;
  if (failed > 0) s += `; ${failed} ${failed === 1 ? 'cell' : 'cells'} could not be computed (first: ${firstFailure})`;
  return s;
}

function htmlCell(tag: 'td' | 'th', text: string, maxChars: number): string {
  const shown = cutText(text, maxChars);
  const title = shown === text ? '' : ` title="${escapeAttr(text)}"`;
  const cls = tag === 'td' && /^<[a-z]+>$/.test(text) ? ' class="kubetcd-none"' : '';
  return `<${tag}${title}${cls}${INLINE_CELL}>${escapeHtml(shown)}</${tag}>`;
}

/**
 * Where a front end drops the `<style>` element (JupyterLab shows untrusted outputs, such as a notebook
 * someone else executed, sanitised: style attributes stay, style elements go), cells keep what matters
 * most: left alignment (JupyterLab right-aligns cells otherwise) and no wrapping, as kubectl prints them.
 */
const INLINE_CELL = ' style="text-align:left;white-space:pre"';
const INLINE_TABLE =
  ' style="font-family:var(--jp-code-font-family,ui-monospace,SFMono-Regular,Menlo,Consolas,monospace)"';

function tableHtml(headers: string[], grid: string[][], moreAt: number, caption: string, maxChars: number): string {
  let h =
    `<div class="kubetcd-scroll"><table${INLINE_TABLE}><thead><tr>` +
    headers.map((x) => htmlCell('th', visibleText(x), maxChars)).join('') +
    '</tr></thead><tbody>';
  grid.forEach((cells, i) => {
    if (i === moreAt)
      h += '<tr class="kubetcd-more">' + headers.map(() => '<td style="text-align:center">…</td>').join('') + '</tr>';
    h += '<tr>' + cells.map((c) => htmlCell('td', c, maxChars)).join('') + '</tr>';
  });
  h += `</tbody></table></div><p class="kubetcd-caption">${escapeHtml(caption)}</p>`;
  return wrapHtml(h);
}

/**
 * Lines aligned as Go's text/tabwriter aligns kubectl's output (minwidth 6, padding 3; the last column
 * is not padded).
 * @example
 * alignColumns([['NAME', 'AGE'], ['web', '5m']]) // 'NAME   AGE\nweb    5m\n'
 */
export function alignColumns(lines: string[][]): string {
  const widths: number[] = [];
  for (const cells of lines) {
    for (let i = 0; i < cells.length - 1; i++) widths[i] = Math.max(widths[i] ?? 6, textWidth(cells[i] as string) + 3);
  }
  let out = '';
  for (const cells of lines) {
    let line = '';
    for (let i = 0; i < cells.length; i++) {
      const c = cells[i] as string;
      line += i < cells.length - 1 ? c + ' '.repeat((widths[i] as number) - textWidth(c)) : c;
    }
    out += line + '\n';
  }
  return out;
}

function tableText(
  headers: string[],
  grid: string[][],
  moreAt: number,
  footer: string | undefined,
  noHeaders: boolean,
): string {
  const lines: string[][] = noHeaders ? [] : [headers.map((x) => visibleText(x))];
  grid.forEach((cells, i) => {
    if (i === moreAt) lines.push(headers.map(() => '…'));
    lines.push(cells);
  });
  let text = alignColumns(lines);
  if (footer !== undefined) text += `\n${footer}\n`;
  return text;
}

/**
 * A table of Kubernetes objects as `kubectl get` prints it, as HTML and aligned text. Accepts any
 * iterable (an array, a generator streaming 300 000 objects): only the rows shown are kept.
 * @example
 * const { html, text } = renderTable(pods, { now: Date.now(), wide: true });
 * renderTable(pods, { columns: { NAME: 'metadata.name', NODE: 'spec.nodeName' } }).text
 */
export function renderTable(objects: Iterable<KubeObject>, options: TableOptions = {}): Rendered {
  const b = createTableBuilder(options);
  for (const o of objects) b.add(o);
  return b.finish();
}

/**
 * {@link renderTable} over an async iterable (a streamed list).
 * @example
 * const r = await renderTableAsync(k.list('pods'), { now: Date.now() });
 */
export async function renderTableAsync(
  objects: AsyncIterable<KubeObject> | Iterable<KubeObject>,
  options: TableOptions = {},
): Promise<Rendered> {
  const b = createTableBuilder(options);
  for await (const o of objects) b.add(o);
  return b.finish();
}
