/**
 * `kubectl get -o custom-columns=HEADER:PATH,…` and `--sort-by=PATH`, over objects as kubectl holds them
 * (toKubectlObject). kubectl prints the columns through Go's tabwriter as its printers set it up:
 * minimum cell width 6, padding 3, the last column unpadded; a cell holds every value its path finds,
 * joined by commas, each as Go's `%v` prints it (`map[app:web]`, `[a b]`), or `<none>` when it finds none.
 */
import { InvalidArgumentError } from '../errors';
import { canonicalQuantity } from './quantity';
import { utf8ByteCompare } from './go-utf8';
import { findJsonPath, goValueText, parseJsonPath, relaxedJsonPath, type JsonPathTemplate } from './kubectl-jsonpath';

/** One column of custom-columns. */
export interface CustomColumn {
  header: string;
  path: string;
  /** @internal */
  template: JsonPathTemplate;
}

/**
 * Parses `NAME:.metadata.name,IMAGE:.spec.containers[*].image` (kubectl's custom-columns spec).
 * @example
 * parseCustomColumns('NAME:.metadata.name').map((c) => c.header) // ['NAME']
 */
export function parseCustomColumns(spec: string): CustomColumn[] {
  if (spec.trim() === '')
    throw new InvalidArgumentError(
      'custom-columns format specified but no custom columns given. Pass -o custom-columns=NAME:.metadata.name,….',
    );
  return spec.split(',').map((part) => {
    const colon = part.indexOf(':');
    if (colon < 0) {
      throw new InvalidArgumentError(
        `unexpected custom-columns spec: ${part}, expected <header>:<json-path-expr>. Pass -o custom-columns=NAME:.metadata.name,….`,
      );
    }
    const path = part.slice(colon + 1);
    return { header: part.slice(0, colon), path, template: parseJsonPath(relaxedJsonPath(path)) };
  });
}

/**
 * Parses a custom-columns file (`-o custom-columns-file=FILE`): a line of headers and a line of paths,
 * separated by blanks.
 * @example
 * parseCustomColumnsFile('NAME  IMAGE\n.metadata.name  .spec.containers[0].image\n')
 */
export function parseCustomColumnsFile(text: string): CustomColumn[] {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  if (lines.length !== 2)
    throw new InvalidArgumentError(
      `A custom-columns file has two lines (headers, then paths), not ${lines.length}. Fix the file.`,
    );
  const headers = (lines[0] as string).trim().split(/\s+/);
  const paths = (lines[1] as string).trim().split(/\s+/);
  if (headers.length !== paths.length) {
    throw new InvalidArgumentError(
      `A custom-columns file needs as many paths as headers: ${headers.length} headers, ${paths.length} paths. Fix the file.`,
    );
  }
  return headers.map((header, i) => ({
    header,
    path: paths[i] as string,
    template: parseJsonPath(relaxedJsonPath(paths[i] as string)),
  }));
}

/** One cell: every value found, as `%v`, joined by commas; `<none>` when nothing is found. */
export function customColumnCell(object: unknown, column: CustomColumn): string {
  const values = findJsonPath(object, column.template);
  return values.length === 0 ? '<none>' : values.map(goValueText).join(',');
}

/**
 * Rows through Go's tabwriter as kubectl's printers configure it (min width 6, tab width 4, padding 3,
 * spaces): each column but the last padded to its widest cell + 3, at least 6.
 * @example
 * tabwriterText([['NAME', 'AGE'], ['web', '3d']]) // 'NAME   AGE\nweb    3d\n'
 */
export function tabwriterText(rows: readonly (readonly string[])[]): string {
  const width = (s: string): number => [...s].length;
  const widths: number[] = [];
  for (const r of rows) {
    r.forEach((c, i) => {
      if (i < r.length - 1) widths[i] = Math.max(widths[i] ?? 0, width(c) + 3, 6);
    });
  }
  return rows
    .map((r) => r.map((c, i) => (i < r.length - 1 ? c + ' '.repeat((widths[i] ?? 0) - width(c)) : c)).join('') + '\n')
    .join('');
}

/**
 * What `kubectl get -o custom-columns=…` prints for these objects (kubectl form), with a header line
 * unless `noHeaders`.
 * @example
 * printCustomColumns(items, parseCustomColumns('NAME:.metadata.name'))
 */
export function printCustomColumns(
  objects: readonly unknown[],
  columns: readonly CustomColumn[],
  options: { noHeaders?: boolean } = {},
): string {
  const rows = objects.map((o) => columns.map((c) => customColumnCell(o, c)));
  return tabwriterText(options.noHeaders === true ? rows : [columns.map((c) => c.header), ...rows]);
}

const QUANTITY_SCALE: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/** A string's value when it is a Kubernetes quantity (`100m`, `1Gi`, `10`), else undefined. */
function quantityValue(s: string): number | undefined {
  try {
    canonicalQuantity(s);
  } catch {
    return undefined;
  }
  const m = /^([+-]?[0-9]*\.?[0-9]*)(?:([eE][+-]?[0-9]+)|([a-zA-Z]*))$/.exec(s);
  if (m === null) return undefined;
  const base = Number(m[1] === '' || m[1] === '.' ? '0' : m[1]);
  if (m[2] !== undefined) return base * 10 ** Number(m[2].slice(1));
  const scale = QUANTITY_SCALE[m[3] ?? ''];
  return scale === undefined ? undefined : base * scale;
}

function sortKeyCompare(a: unknown, b: unknown): number {
  if (a === undefined) return b === undefined ? 0 : -1;
  if (b === undefined) return 1;
  const num = (v: unknown): number | undefined =>
    typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : undefined;
  const x = num(a);
  const y = num(b);
  if (x !== undefined && y !== undefined) return x - y;
  if (typeof a === 'string' && typeof b === 'string') {
    // kubectl compares quantities by value (100m < 9Mi < 1Gi), other strings byte by byte
    const qa = quantityValue(a);
    const qb = quantityValue(b);
    if (qa !== undefined && qb !== undefined && qa !== qb) return qa - qb;
    return utf8ByteCompare(a, b);
  }
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  return utf8ByteCompare(goValueText(a), goValueText(b));
}

/**
 * Objects sorted as `kubectl get --sort-by=PATH` sorts them: by the first value the path finds, numbers
 * and quantities (`100m`, `1Gi`) by value, other strings byte by byte. Stable. When the path finds nothing
 * in any object, throws InvalidArgumentError as kubectl fails; objects where only some lack it come first
 * (kubectl 1.36.4 stops with "unsortable type: interface" then).
 * @example
 * sortByJsonPath(items, '.metadata.creationTimestamp')
 */
export function sortByJsonPath<T>(objects: readonly T[], path: string, view: (o: T) => unknown = (o) => o): T[] {
  const template = parseJsonPath(relaxedJsonPath(path));
  const keyed = objects.map((o, i) => ({ o, i, key: findJsonPath(view(o), template)[0] }));
  if (keyed.length > 0 && keyed.every((k) => k.key === undefined)) {
    throw new InvalidArgumentError(
      `couldn't find any field with path ${JSON.stringify(template.source)} in the list of objects. Check the --sort-by path.`,
    );
  }
  keyed.sort((p, q) => sortKeyCompare(p.key, q.key) || p.i - q.i);
  return keyed.map((k) => k.o);
}
