/**
 * Objects exactly as `kubectl get -o json|yaml` (kubectl 1.36) prints them. kubectl does not print the
 * API server's JSON as it comes: it reads it into Go maps (client-go's unstructured objects) and prints
 * those, so:
 * - every key is sorted (Go sorts map keys by their UTF-8 bytes; the YAML printer has go-yaml's order);
 * - `metadata.managedFields` is left out unless `--show-managed-fields`;
 * - `metadata.resourceVersion` is the etcd mod revision of the record (the API server sets it on read;
 *   the stored bytes never hold it);
 * - numbers are read back as int64, or float64 when they are not an int64 (`12.50` → `12.5`, `1e3` →
 *   `1000`, `-0` → `0`, an integer beyond int64 → `18446744073709552000`); embedded JSON therefore prints
 *   re-formatted, not as its stored text;
 * - an invalid UTF-8 byte, which the API server writes as `\ufffd`, comes back as the character U+FFFD and
 *   prints as that character; map keys that differ only in invalid bytes become one key;
 * - JSON has 4-space indents, Go's HTML-safe escaping (`\u003c`, `\u0026`, `\u003e`) and a final newline;
 * - several objects print as a `List`: `{"apiVersion": "v1", "items": [...], "kind": "List",
 *   "metadata": {"resourceVersion": ""}}`;
 * - YAML is made from that JSON, read back by go-yaml, which sees the characters Go's JSON leaves
 *   unescaped: a U+0085 (NEL) is a line break inside the quoted string, so it folds (one NEL and the
 *   spaces around it become a space, n NELs n-1 newlines), and a NEL in a key, U+007F–U+009F (but
 *   U+0085), U+FFFE or U+FFFF make kubectl fail (`yaml: control characters are not allowed`):
 *   toKubectlYaml throws then, naming the field.
 *
 * The mod revision comes with the record: a `get()` result (`record.modRevision`), a `stream()` entry
 * (`modRevision`), or the objects `get()`, `list()`, `stream()` and `history()` return, which carry it
 * as `metadata.resourceVersion` (as the API server answers a read). It is printed once, in its sorted
 * place; a record's revision (or a {@link MOD_REVISION} mark) wins over the object's own field.
 */
import { InvalidArgumentError } from '../errors';
import { toKubeJson } from './go-json';
import { utf8ByteCompare } from './go-utf8';
import { toKubeYaml, toKubeYamlListItem } from './kube-yaml';
import type { KubeObject } from './types';

/** Options of {@link toKubectlJson} and {@link toKubectlYaml}. Every field is optional. */
export interface KubectlFormatOptions {
  /** Print `metadata.managedFields`, as `kubectl get --show-managed-fields` (default false: left out). */
  showManagedFields?: boolean;
}

/** The property holding the etcd mod revision of the record an object was read from (a number). */
export const MOD_REVISION: unique symbol = Symbol.for('kubetcd.modRevision') as never;

/**
 * Marks an object with the etcd mod revision of the record it was decoded from (a hidden property: the
 * object's keys and JSON are unchanged). {@link toKubectlJson} prints it as `metadata.resourceVersion`.
 * @example
 * markModRevision(d.object, kv.modRevision);
 */
export function markModRevision(object: object, modRevision: number): void {
  Object.defineProperty(object, MOD_REVISION, {
    value: modRevision,
    enumerable: false,
    configurable: true,
    writable: true,
  });
}

/**
 * The etcd mod revision an object was read at: its {@link MOD_REVISION} mark, else its
 * `metadata.resourceVersion` (the API server's is the mod revision; `get()`/`list()` objects carry it);
 * undefined when it carries neither.
 * @example
 * modRevisionOf((await k.get('pods', 'web')).object) // 1234
 */
export function modRevisionOf(object: unknown): number | undefined {
  if (object === null || typeof object !== 'object') return undefined;
  const v = (object as { [MOD_REVISION]?: unknown })[MOD_REVISION];
  if (typeof v === 'number') return v;
  const rv = (object as { metadata?: { resourceVersion?: unknown } }).metadata?.resourceVersion;
  return typeof rv === 'string' && /^[1-9][0-9]{0,15}$/.test(rv) && Number.isSafeInteger(Number(rv))
    ? Number(rv)
    : undefined;
}

/** A `get()` result: the object and its record. */
export interface RecordedObject {
  object?: KubeObject;
  record: { modRevision: number };
}

/** A `stream()` entry: the object (absent for a value that could not be decoded) and its mod revision. */
export interface RevisionedObject {
  object?: KubeObject;
  modRevision: number;
}

/** One item: an object (marked with its revision or not), a `get()` result or a `stream()` entry. */
export type KubectlItem = KubeObject | RecordedObject | RevisionedObject;

/**
 * What {@link toKubectlJson} prints: one item (printed alone, as `kubectl get KIND NAME`), an array of
 * items or a `list()` result (`{ items }` without a kind), printed as a `List`.
 */
export type KubectlInput = KubectlItem | readonly KubectlItem[] | { readonly items: readonly KubectlItem[] };

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const LONE_SURROGATE_ALL = new RegExp(LONE_SURROGATE.source, 'g');
const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

/** True when `s` holds a UTF-16 surrogate that is not half of a pair (what {@link validText} replaces). */
function hasLoneSurrogate(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xd800 || c > 0xdfff) continue;
    if (c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        i++;
        continue;
      }
    }
    return true;
  }
  return false;
}

function validText(s: string): string {
  return hasLoneSurrogate(s) ? s.replace(LONE_SURROGATE_ALL, '\uFFFD') : s;
}

function setKey(out: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__')
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  else out[key] = value;
}

/** A value as kubectl holds it after reading the API server's JSON into Go maps (see the module comment). */
function unstructured(value: unknown, depth: number): unknown {
  switch (typeof value) {
    case 'string':
      return validText(value);
    case 'number':
      return Object.is(value, -0) ? 0 : value;
    case 'bigint':
      return value >= INT64_MIN && value <= INT64_MAX ? value : Number(value);
    case 'boolean':
      return value;
    case 'object':
      break;
    default:
      return null;
  }
  if (value === null) return null;
  if (depth > 10000) return value; // toKubeJson refuses it, naming the depth
  if (value instanceof Uint8Array)
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  if (Array.isArray(value)) {
    return (value as unknown[]).map((v) =>
      v === undefined || typeof v === 'function' || typeof v === 'symbol' ? null : unstructured(v, depth + 1),
    );
  }
  if (!(value instanceof Map)) {
    // The common case, no key holding a lone surrogate: the keys are already distinct as printed, so they
    // are sorted once and copied, without the entries, the map and the second sort of the general case.
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record);
    let plain = true;
    for (const k of keys) {
      if (hasLoneSurrogate(k)) {
        plain = false;
        break;
      }
    }
    if (plain) {
      keys.sort(utf8ByteCompare);
      const out: Record<string, unknown> = {};
      for (const k of keys) {
        const v = record[k];
        if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
        setKey(out, k, unstructured(v, depth + 1));
      }
      return out;
    }
  }
  const entries: Array<[string, unknown]> = [];
  const source =
    value instanceof Map
      ? [...(value as Map<unknown, unknown>)].map(([k, v]) => [String(k), v] as [string, unknown])
      : Object.entries(value);
  for (const [k, v] of source) {
    if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
    entries.push([k, v]);
  }
  // Sorted by the original bytes, as the API server prints map keys: of keys that differ only in
  // invalid bytes, the one printed last wins (a Go map keeps the last of repeated keys).
  entries.sort((a, b) => utf8ByteCompare(a[0], b[0]));
  const collapsed = new Map<string, unknown>();
  for (const [k, v] of entries) collapsed.set(validText(k), v);
  const keys = [...collapsed.keys()].sort(utf8ByteCompare);
  const out: Record<string, unknown> = {};
  for (const k of keys) setKey(out, k, unstructured(collapsed.get(k), depth + 1));
  return out;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

/** The object and mod revision of one item (undefined object: a record that could not be decoded). */
function itemParts(item: KubectlItem): { object: KubeObject | undefined; modRevision: number | undefined } {
  const rec = item as Record<string, unknown>;
  if (rec['kind'] === undefined && rec['apiVersion'] === undefined) {
    const record = rec['record'];
    if (isRecord(record) && typeof record['modRevision'] === 'number') {
      const object = rec['object'] as KubeObject | undefined;
      return { object, modRevision: record['modRevision'] };
    }
    if (typeof rec['modRevision'] === 'number' && typeof rec['key'] === 'string') {
      const object = rec['object'] as KubeObject | undefined;
      return { object, modRevision: rec['modRevision'] };
    }
  }
  return { object: item as KubeObject, modRevision: modRevisionOf(item) };
}

function omitManagedFields(object: Record<string, unknown>): void {
  const meta = object['metadata'];
  if (isRecord(meta) && 'managedFields' in meta) delete meta['managedFields'];
}

/**
 * One item as kubectl holds it before printing: keys sorted, numbers and strings as Go maps hold them,
 * `metadata.resourceVersion` set to the mod revision, `metadata.managedFields` left out unless asked.
 * A fresh copy: the input is not changed. Undefined for a record that could not be decoded.
 */
function kubectlItem(item: KubectlItem, options: KubectlFormatOptions): KubeObject | undefined {
  const { object, modRevision } = itemParts(item);
  if (object === undefined) return undefined;
  const out = unstructured(object, 0) as KubeObject;
  if (modRevision !== undefined && isRecord(out)) {
    // the API server sets it on every read; kept in sorted place (metadata is already sorted)
    const meta = isRecord(out['metadata']) ? out['metadata'] : {};
    const keys = Object.keys(meta);
    if (!keys.includes('resourceVersion')) keys.push('resourceVersion');
    const withVersion: Record<string, unknown> = {};
    for (const k of keys.sort(utf8ByteCompare))
      setKey(withVersion, k, k === 'resourceVersion' ? String(modRevision) : meta[k]);
    out['metadata'] = withVersion;
  }
  if (options.showManagedFields !== true && isRecord(out)) {
    omitManagedFields(out);
    // A list object (kind FooList): kubectl leaves out the managedFields of each item.
    if (Array.isArray(out['items'])) for (const i of out['items'] as unknown[]) if (isRecord(i)) omitManagedFields(i);
  }
  return out;
}

function isListInput(
  input: KubectlInput,
): input is readonly KubectlItem[] | { readonly items: readonly KubectlItem[] } {
  if (Array.isArray(input)) return true;
  const rec = input as Record<string, unknown>;
  return Array.isArray(rec['items']) && rec['kind'] === undefined && rec['apiVersion'] === undefined;
}

/** kubectl's wrapper around several objects (`kubectl get` without a single name). */
function kubectlList(items: readonly KubectlItem[], options: KubectlFormatOptions): Record<string, unknown> {
  const printed: KubeObject[] = [];
  for (const i of items) {
    const o = kubectlItem(i, options);
    if (o !== undefined) printed.push(o);
  }
  return { apiVersion: 'v1', items: printed, kind: 'List', metadata: { resourceVersion: '' } };
}

// Characters go-yaml's reader refuses in the JSON text (Go's JSON escapes C0 controls, not these).
const YAML_FORBIDDEN = /[\u007f-\u0084\u0086-\u009f\ufffe\uffff]/;
// Spaces around one or more U+0085 (NEL): folded as a line break inside a double-quoted YAML scalar.
const NEL_RUN = / *\u0085[ \u0085]*/g;

function fieldPath(path: readonly string[]): string {
  return (
    path
      .map((p, i) =>
        /^[0-9]+$/.test(p)
          ? `[${p}]`
          : /^[A-Za-z_][A-Za-z0-9_]*$/.test(p)
            ? i === 0
              ? p
              : `.${p}`
            : `[${JSON.stringify(p)}]`,
      )
      .join('') || '(the object)'
  );
}

function refuse(path: readonly string[], s: string, what: string, goError: string): never {
  // JSON.stringify leaves C1 controls and other invisible characters raw: escaped here, for the terminal.
  const quote = (t: string): string =>
    JSON.stringify(t).replace(
      /[\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]/g,
      (c) => `\\u${(c.codePointAt(0) as number).toString(16).padStart(4, '0')}`,
    );
  const shown = s.length > 60 ? quote(s.slice(0, 60)) + '…' : quote(s);
  throw new InvalidArgumentError(
    `Cannot print ${fieldPath(path)} as kubectl's YAML: ${what} ${shown} holds ${goError}; kubectl -o yaml fails on it too. Print it as JSON (-o json, toKubectlJson).`,
    { path: fieldPath(path) },
  );
}

function codePoint(s: string): string {
  const m = YAML_FORBIDDEN.exec(s);
  return m === null ? '' : `U+${(m[0].codePointAt(0) as number).toString(16).toUpperCase().padStart(4, '0')}`;
}

/** The string go-yaml reads back from Go's JSON text of `s` (NEL folded). */
function yamlReadString(s: string, path: readonly string[], key: boolean): string {
  if (YAML_FORBIDDEN.test(s))
    refuse(
      path,
      s,
      key ? 'the key' : 'the string',
      `${codePoint(s)}, a character YAML does not allow ("yaml: control characters are not allowed")`,
    );
  if (!s.includes('\u0085')) return s;
  if (key)
    refuse(
      path,
      s,
      'the key',
      "U+0085 (NEL), a line break YAML does not allow in a key (\"did not find expected ',' or '}'\")",
    );
  return s.replace(NEL_RUN, (run) => {
    const breaks = run.split('\u0085').length - 1;
    return breaks === 1 ? ' ' : '\n'.repeat(breaks - 1);
  });
}

/** What go-yaml holds after reading back the JSON of a kubectl object (see the module comment). */
function yamlReadBack(value: unknown, path: string[]): unknown {
  if (typeof value === 'string') return yamlReadString(value, path, false);
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return (value as unknown[]).map((v, i) => yamlReadBack(v, [...path, String(i)]));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value))
    setKey(out, yamlReadString(k, [...path, k], true), yamlReadBack(v, [...path, k]));
  return out;
}

/**
 * What kubectl prints, as data: one object, or a `List` for an array or a `list()` result. Keys sorted,
 * `metadata.resourceVersion` from the record, managedFields left out unless `showManagedFields`. A
 * fresh copy (the input is not changed); `toKubeJson` and `toKubeYaml` print it as kubectl does.
 * @example
 * toKubectlObject(await k.get('pods', 'web')).metadata.resourceVersion // '1234'
 */
export function toKubectlObject(input: KubectlInput, options: KubectlFormatOptions = {}): KubeObject {
  if (isListInput(input))
    return kubectlList(Array.isArray(input) ? input : (input as { items: readonly KubectlItem[] }).items, options);
  return kubectlItem(input as KubectlItem, options) ?? {};
}

/**
 * The text `kubectl get -o json` prints: for one object (a `get()` result or an object), that object;
 * for an array or a `list()` result, a `v1` `List`. Keys sorted, 4-space indents, Go's escaping, a final
 * newline; managedFields left out unless `{ showManagedFields: true }`; `metadata.resourceVersion` the
 * record's mod revision. One string: for big listings, `toKubectlJsonItem` prints item by item
 * (`kubetcd get -o json` streams that way).
 * @example
 * process.stdout.write(toKubectlJson(await k.get('pods', 'web', { namespace: 'shop' })));
 * fs.writeFileSync('pods.json', toKubectlJson(await k.list('pods'), { showManagedFields: true }));
 */
export function toKubectlJson(input: KubectlInput, options: KubectlFormatOptions = {}): string {
  return toKubeJson(toKubectlObject(input, options), { indent: '    ' }) + '\n';
}

/**
 * The text `kubectl get -o yaml` prints (go-yaml's key order and quoting), for one object or a `List`,
 * with the same contents as {@link toKubectlJson}. Throws InvalidArgumentError, naming the field, for a
 * string kubectl cannot print as YAML either (U+007F–U+009F but U+0085, U+FFFE, U+FFFF; U+0085 in a key).
 * @example
 * process.stdout.write(toKubectlYaml(await k.get('deployments', 'web', { namespace: 'shop' })));
 */
export function toKubectlYaml(input: KubectlInput, options: KubectlFormatOptions = {}): string {
  return toKubeYaml(yamlReadBack(toKubectlObject(input, options), []));
}

/**
 * One item of `kubectl get -o json`'s `List`, as it sits there (`prefix`: the indentation of its line,
 * `indent` per level), for writing long lists item by item (see list-stream.ts's `formatItem`).
 * Undefined for a record that could not be decoded.
 * @example
 * toKubectlJsonItem(entry, '        ', '    ')
 */
export function toKubectlJsonItem(
  item: KubectlItem,
  prefix: string,
  indent: string,
  options: KubectlFormatOptions = {},
): string | undefined {
  const o = kubectlItem(item, options);
  return o === undefined ? undefined : toKubeJson(o, { indent, prefix });
}

/**
 * One item of `kubectl get -o yaml`'s `List` (`- ` then the item, further lines indented by two spaces).
 * Undefined for a record that could not be decoded.
 * @example
 * toKubectlYamlItem(entry)
 */
export function toKubectlYamlItem(item: KubectlItem, options: KubectlFormatOptions = {}): string | undefined {
  const o = kubectlItem(item, options);
  return o === undefined ? undefined : toKubeYamlListItem(yamlReadBack(o, []));
}
