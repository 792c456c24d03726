/**
 * Exports that round-trip without loss:
 * - {@link toJson} / {@link toYaml}: a Kubernetes `List` document as `kubectl get -o json|yaml` prints
 *   it (int64 values beyond 2^53 stay exact: they are bigint in, digits out, bigint back through
 *   `parseKubeJson`);
 * - {@link toCsv}: one row per object, RFC 4180 quoting, spreadsheet formulas neutralised;
 * - {@link toRawDump} / {@link fromRawDump}: the stored bytes themselves — key, value and revisions —
 *   including values that could not be decoded or decrypted, so nothing is ever dropped.
 * Pure functions: no I/O, no clock.
 */
import { lodash } from '../util/lazy-modules';
import { InvalidArgumentError } from '../errors';
import { toKubeJson } from '../codec/go-json';
import { toKubeYaml } from '../codec/kube-yaml';
import type { KubeObject } from '../codec/types';
import { listDocument, sortKeysDeep } from './list-stream';

/** Objects to export: an array, or anything with `items` (a KubeList). */
export type ExportList = readonly KubeObject[] | { readonly items: readonly KubeObject[] };

/** Options of {@link toJson}. Every field is optional. */
export interface JsonExportOptions {
  /**
   * `kubectl` (default): keys sorted as kubectl prints them (it reads objects into Go maps);
   * `stored`: each object's own order, as kube-apiserver serialises it (`kubectl get --raw`).
   */
  order?: 'kubectl' | 'stored';
  /** Indent per level (default four spaces, as kubectl). `''` prints compact JSON. */
  indent?: string;
}

function itemsOf(list: ExportList, what: string): readonly KubeObject[] {
  if (Array.isArray(list)) return list;
  const items = (list as { items?: unknown } | null)?.items;
  if (Array.isArray(items)) return items as KubeObject[];
  throw new InvalidArgumentError(
    `Cannot export ${what}: expected an array of objects or a list with items (the result of k.list()).`,
  );
}

/**
 * The JSON `kubectl get -o json` prints for these objects: a `v1` `List` with four-space indents and
 * a final newline. Read it back with `parseKubeJson` (int64 values come back as bigint, exactly).
 * The text is one string, so it must fit in V8's longest string (about 512 M characters): for big
 * listings, `writeList(k.stream(...), file)` or `toJsonChunks()` write the same text item by item.
 * @example
 * fs.writeFileSync('pods.json', toJson(await k.list('pods')));
 */
export function toJson(list: ExportList, options: JsonExportOptions = {}): string {
  const items = itemsOf(list, 'to JSON');
  const ordered = options.order === 'stored' ? items : (items.map(sortKeysDeep) as KubeObject[]);
  const indent = options.indent ?? '    ';
  const doc = listDocument(ordered);
  return (indent === '' ? toKubeJson(doc) : toKubeJson(doc, { indent })) + '\n';
}

/**
 * The YAML `kubectl get -o yaml` prints for these objects: a `v1` `List` (go-yaml's key order and
 * quoting, so strings such as `"true"` or `"0755"` stay strings when read back). For big listings,
 * `writeList(k.stream(...), 'x.yaml')` or `toYamlChunks()` write the same text item by item.
 * @example
 * fs.writeFileSync('pods.yaml', toYaml(await k.list('pods')));
 */
export function toYaml(list: ExportList): string {
  return toKubeYaml(listDocument(itemsOf(list, 'to YAML')));
}

/** One CSV column: a header and where its value comes from. */
export interface CsvColumn {
  header: string;
  /** A lodash path: `metadata.name`, or an array for keys holding dots (`['metadata', 'labels', 'app.kubernetes.io/name']`). */
  path?: string | readonly string[];
  /** Computes the value instead (wins over `path`). */
  value?: (object: KubeObject) => unknown;
}

/** Options of {@link toCsv}. Every field is optional. */
export interface CsvOptions {
  /**
   * Prefix text cells that start with `=`, `+`, `-`, `@`, a tab or a carriage return with `'`, so a
   * spreadsheet shows them instead of running them as formulas (CSV injection; etcd data is untrusted).
   * Numbers are never prefixed. Default true; pass false for a byte-exact text export.
   */
  escapeFormulas?: boolean;
  /** Line ending (default `\r\n`, as RFC 4180). */
  newline?: '\r\n' | '\n';
  /** Write the header row (default true). */
  header?: boolean;
}

const FORMULA_START = /^[=+\-@\t\r]/;

function cellText(v: unknown): { text: string; isText: boolean } {
  if (v === undefined || v === null) return { text: '', isText: false };
  if (typeof v === 'string') return { text: v, isText: true };
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean')
    return { text: toKubeJson(v), isText: false };
  // objects and arrays: compact JSON, as `kubectl -o jsonpath` prints them
  return { text: toKubeJson(v), isText: true };
}

function csvCell(v: unknown, escapeFormulas: boolean): string {
  const { text: raw, isText } = cellText(v);
  const text = escapeFormulas && isText && FORMULA_START.test(raw) ? `'${raw}` : raw;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function normaliseColumns(columns: ReadonlyArray<string | CsvColumn>): CsvColumn[] {
  if (!Array.isArray(columns) || columns.length === 0) {
    throw new InvalidArgumentError(
      "Cannot write CSV without columns: pass paths such as ['metadata.namespace', 'metadata.name'] or { header, path } objects.",
    );
  }
  return columns.map((c, i) => {
    if (typeof c === 'string' && c !== '') return { header: c, path: c };
    if (
      typeof c === 'object' &&
      c !== null &&
      typeof c.header === 'string' &&
      (c.path !== undefined || typeof c.value === 'function')
    )
      return c;
    throw new InvalidArgumentError(
      `Invalid CSV column ${i}: ${JSON.stringify(c)}. Pass a path string or { header, path } / { header, value }.`,
    );
  });
}

/**
 * CSV with one row per object (RFC 4180: cells holding a comma, a quote or a line break are quoted,
 * quotes doubled; CRLF line ends). Missing values are empty; numbers print as Go prints them (int64
 * exact); objects and arrays as compact JSON. Cells that a spreadsheet would run as a formula are
 * prefixed with `'` unless `escapeFormulas: false`.
 * @example
 * toCsv(pods.items, ['metadata.namespace', 'metadata.name', { header: 'node', path: 'spec.nodeName' }])
 */
export function toCsv(
  objects: ExportList,
  columns: ReadonlyArray<string | CsvColumn>,
  options: CsvOptions = {},
): string {
  const items = itemsOf(objects, 'to CSV');
  const cols = normaliseColumns(columns);
  const escapeFormulas = options.escapeFormulas !== false;
  const nl = options.newline ?? '\r\n';
  const lines: string[] = [];
  if (options.header !== false) lines.push(cols.map((c) => csvCell(c.header, escapeFormulas)).join(','));
  for (const obj of items) {
    lines.push(
      cols
        .map((c) =>
          csvCell(
            c.value !== undefined ? c.value(obj) : lodash().get(obj, c.path as string | string[]),
            escapeFormulas,
          ),
        )
        .join(','),
    );
  }
  return lines.map((l) => l + nl).join('');
}

/** The facts a raw dump keeps about a record besides its key and bytes (all optional). */
export interface RawRecordFacts {
  createRevision?: number;
  modRevision?: number;
  version?: number;
  lease?: string;
  deleted?: boolean;
  /** How the value was encoded, when known (`protobuf`, `encrypted`, `raw`, …). */
  encoding?: string;
  /** Why the value could not be decoded, when it could not. */
  error?: string;
}

/**
 * One stored record to dump: a KvRecord (`value`), a list error (`raw`), or a history entry. Keys may
 * be strings or bytes.
 */
export interface RawRecordInput extends RawRecordFacts {
  key: string | Uint8Array;
  /** The stored bytes (KvRecord). */
  value?: Uint8Array;
  /** The stored bytes (ListError of a list). */
  raw?: Uint8Array;
}

/** One record read back by {@link fromRawDump}: the exact bytes, and the facts that were dumped. */
export interface RawDumpRecord extends RawRecordFacts {
  key: Uint8Array;
  value: Uint8Array;
}

/** Options of {@link toRawDump}. Every field is optional. */
export interface RawDumpOptions {
  /** The etcd revision the records were read at. */
  revision?: number;
  /** Where the records came from (a file name or endpoint), for the reader. */
  source?: string;
}

/** A dump read back by {@link fromRawDump}. */
export interface RawDump {
  revision?: number;
  source?: string;
  records: RawDumpRecord[];
}

const DUMP_FORMAT = 'kubetcd-raw-dump';
const DUMP_VERSION = 1;
const UTF8 = new TextDecoder('utf-8', { fatal: true });
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function bytesOf(v: string | Uint8Array): Uint8Array {
  return typeof v === 'string' ? new TextEncoder().encode(v) : v;
}

function b64(v: Uint8Array): string {
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');
}

function printableKey(key: Uint8Array): string | undefined {
  try {
    const s = UTF8.decode(key);
    return /[\u0000-\u001f\u007f]/.test(s) ? undefined : s;
  } catch {
    return undefined;
  }
}

/**
 * A lossless dump of stored records as JSON Lines: a header line (`{"format":"kubetcd-raw-dump",
 * "version":1,"records":N,…}`), then one line per record with the key and value as base64 (plus the key
 * as text when it is printable UTF-8, for reading), `valueBytes`, the revisions and, when given, the
 * encoding and the decode error. Values that could not be decoded are dumped like any other.
 * @example
 * const list = await k.list('secrets');
 * fs.writeFileSync('undecodable.jsonl', toRawDump(list.errors, { revision: list.revision }));
 */
export function toRawDump(records: Iterable<RawRecordInput>, options: RawDumpOptions = {}): string {
  const lines: string[] = [];
  let i = 0;
  for (const r of records) {
    if (typeof r !== 'object' || r === null || (typeof r.key !== 'string' && !(r.key instanceof Uint8Array))) {
      throw new InvalidArgumentError(
        `Cannot dump record ${i}: it has no key. Pass KvRecords, list errors or history entries.`,
      );
    }
    const value = r.value ?? r.raw;
    if (value !== undefined && !(value instanceof Uint8Array)) {
      throw new InvalidArgumentError(
        `Cannot dump record ${i} (${String(r.key)}): its value is ${typeof value}, not bytes.`,
      );
    }
    const key = bytesOf(r.key);
    const bytes = value ?? new Uint8Array(0);
    const line: Record<string, unknown> = { key: b64(key) };
    const text = printableKey(key);
    if (text !== undefined) line['keyText'] = text;
    line['value'] = b64(bytes);
    line['valueBytes'] = bytes.length;
    for (const f of ['createRevision', 'modRevision', 'version', 'lease', 'deleted', 'encoding', 'error'] as const) {
      if (r[f] !== undefined) line[f] = r[f];
    }
    lines.push(JSON.stringify(line));
    i++;
  }
  const header: Record<string, unknown> = { format: DUMP_FORMAT, version: DUMP_VERSION, records: i };
  if (options.revision !== undefined) header['revision'] = options.revision;
  if (options.source !== undefined) header['source'] = options.source;
  return [JSON.stringify(header), ...lines].map((l) => l + '\n').join('');
}

function dumpError(line: number, what: string): InvalidArgumentError {
  return new InvalidArgumentError(
    `Invalid raw dump, line ${line}: ${what}. The text is damaged or not a kubetcd raw dump; write it again with toRawDump().`,
    { line },
  );
}

function decodeB64(line: number, field: string, v: unknown): Uint8Array {
  if (typeof v !== 'string' || !BASE64.test(v)) throw dumpError(line, `"${field}" is not base64`);
  return Uint8Array.from(Buffer.from(v, 'base64'));
}

function optionalCount(line: number, rec: Record<string, unknown>, field: string): number | undefined {
  const v = rec[field];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0)
    throw dumpError(line, `"${field}" is ${JSON.stringify(v)}, expected a non-negative integer`);
  return v;
}

function optionalString(line: number, rec: Record<string, unknown>, field: string): string | undefined {
  const v = rec[field];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw dumpError(line, `"${field}" is not a string`);
  return v;
}

/**
 * Reads a dump written by {@link toRawDump} back: every record's key and value bytes exactly, with
 * its revisions. Throws InvalidArgumentError naming the line for damaged text (bad JSON or base64, a
 * value whose length differs from `valueBytes`, fewer or more records than the header says).
 * @example
 * const { records } = fromRawDump(fs.readFileSync('undecodable.jsonl', 'utf8'));
 * decode(records[0].value)
 */
export function fromRawDump(text: string): RawDump {
  if (typeof text !== 'string')
    throw new InvalidArgumentError(`Cannot read a raw dump from ${typeof text}: pass the text toRawDump() wrote.`);
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const parse = (i: number): Record<string, unknown> => {
    let v: unknown;
    try {
      v = JSON.parse((lines[i] as string).replace(/\r$/, ''));
    } catch (e) {
      throw dumpError(i + 1, `not JSON (${(e as Error).message})`);
    }
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw dumpError(i + 1, 'not a JSON object');
    return v as Record<string, unknown>;
  };
  if (lines.length === 0) throw dumpError(1, 'the text is empty');
  const header = parse(0);
  if (header['format'] !== DUMP_FORMAT)
    throw dumpError(1, `format is ${JSON.stringify(header['format'])}, expected "${DUMP_FORMAT}"`);
  if (header['version'] !== DUMP_VERSION)
    throw dumpError(
      1,
      `version ${JSON.stringify(header['version'])} is not supported (this kubetcd reads version ${DUMP_VERSION})`,
    );
  const count = optionalCount(1, header, 'records');
  const out: RawDump = { records: [] };
  const revision = optionalCount(1, header, 'revision');
  if (revision !== undefined) out.revision = revision;
  const source = optionalString(1, header, 'source');
  if (source !== undefined) out.source = source;
  for (let i = 1; i < lines.length; i++) {
    const n = i + 1;
    const rec = parse(i);
    const key = decodeB64(n, 'key', rec['key']);
    const value = decodeB64(n, 'value', rec['value']);
    const valueBytes = optionalCount(n, rec, 'valueBytes');
    if (valueBytes !== undefined && valueBytes !== value.length)
      throw dumpError(n, `the value is ${value.length} bytes, but valueBytes says ${valueBytes}`);
    const r: RawDumpRecord = { key, value };
    for (const f of ['createRevision', 'modRevision', 'version'] as const) {
      const v = optionalCount(n, rec, f);
      if (v !== undefined) r[f] = v;
    }
    const lease = optionalString(n, rec, 'lease');
    if (lease !== undefined) {
      if (!/^-?[0-9]+$/.test(lease))
        throw dumpError(n, `"lease" is ${JSON.stringify(lease)}, expected a decimal lease id`);
      r.lease = lease;
    }
    if (rec['deleted'] !== undefined) {
      if (typeof rec['deleted'] !== 'boolean') throw dumpError(n, '"deleted" is not true or false');
      r.deleted = rec['deleted'];
    }
    const encoding = optionalString(n, rec, 'encoding');
    if (encoding !== undefined) r.encoding = encoding;
    const error = optionalString(n, rec, 'error');
    if (error !== undefined) r.error = error;
    out.records.push(r);
  }
  if (count !== undefined && count !== out.records.length) {
    throw dumpError(
      lines.length,
      `the header says ${count} records, the text holds ${out.records.length} (truncated?)`,
    );
  }
  return out;
}
