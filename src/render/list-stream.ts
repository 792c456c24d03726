/**
 * Lists written item by item, in constant memory whatever their size: a `List` document (the text
 * `toJson`/`toYaml` return as one string) produced as a sequence of text chunks, from an array, any
 * iterable or async iterable of objects, or the entries of `k.stream()`. No single string ever holds the
 * whole output, so a listing can be far larger than V8's longest string (about 512 M characters).
 *
 * A {@link ListFormat} says how: the text before the items, one function printing one item, the text
 * between items and after them. {@link jsonListFormat} and {@link yamlListFormat} build the formats of
 * `kubectl get -o json|yaml`; their `formatItem` option plugs in another per-object printer (it is given
 * the indentation its item sits at). Pure: no I/O (write-list.ts writes the chunks to a stream or file).
 */
import { InvalidArgumentError } from '../errors';
import { toKubeJson } from '../codec/go-json';
import { toKubeYaml, toKubeYamlListItem } from '../codec/kube-yaml';
import { utf8ByteCompare } from '../codec/go-utf8';
import { toKubectlJsonItem, toKubectlYamlItem, type KubectlFormatOptions } from '../codec/kubectl-format';
import type { KubeObject } from '../codec/types';

/** How a list is written: head, one item, separator, tail. */
export interface ListFormat {
  /** Text before the first item (`empty`: the list has none). */
  header(empty: boolean): string;
  /** The text of one item, as it sits in the list. */
  item(object: KubeObject): string;
  /** Text between two items. */
  separator: string;
  /** Text after the last item (`empty`: the list has none). */
  footer(empty: boolean): string;
}

/**
 * Prints one object of a JSON list: `prefix` is the indentation of the line the item starts on (each of
 * its further lines starts with it), `indent` the indentation per level (`''`: compact JSON).
 */
export type JsonItemFormatter = (object: KubeObject, prefix: string, indent: string) => string;

/** Prints one object as an item of a YAML list: `- ` then the item, further lines indented by two spaces. */
export type YamlItemFormatter = (object: KubeObject) => string;

/** The `List` wrapper's fields besides `items` (kubectl: `apiVersion: v1`, `kind: List`, empty resourceVersion). */
export interface ListWrapper {
  apiVersion?: string;
  kind?: string;
  metadata?: Record<string, unknown>;
}

/** Options of {@link jsonListFormat}. Every field is optional. */
export interface JsonListFormatOptions {
  /** Indent per level (default four spaces, as kubectl). `''` prints compact JSON. */
  indent?: string;
  /**
   * `kubectl` (default): keys sorted as kubectl prints them; `stored`: each object's own order. Ignored
   * when `formatItem` is given (the formatter decides).
   */
  order?: 'kubectl' | 'stored';
  /** Prints one item (default: Go's encoding/json, in the `order` asked for). */
  formatItem?: JsonItemFormatter;
  /** The wrapper's other fields (default `{ apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: '' } }`). */
  wrapper?: ListWrapper;
}

/** Options of {@link yamlListFormat}. Every field is optional. */
export interface YamlListFormatOptions {
  /** Prints one item (default: kubectl's YAML, {@link toKubeYamlListItem}). */
  formatItem?: YamlItemFormatter;
  /** The wrapper's other fields (default `{ apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: '' } }`). */
  wrapper?: ListWrapper;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * A copy with every plain object's keys in Go map order (by UTF-8 bytes), as kubectl prints.
 * @example
 * sortKeysDeep({ b: 1, a: { d: 2, c: 3 } }) // { a: { c: 3, d: 2 }, b: 1 }
 */
export function sortKeysDeep(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeysDeep);
  if (!isPlainObject(v)) return v;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v).sort(utf8ByteCompare)) out[k] = sortKeysDeep(v[k]);
  return out;
}

/**
 * The List document around `items` (kubectl's wrapper unless told otherwise).
 * @example
 * listDocument([]) // { apiVersion: 'v1', items: [], kind: 'List', metadata: { resourceVersion: '' } }
 */
export function listDocument(items: unknown, wrapper: ListWrapper = {}): Record<string, unknown> {
  return {
    apiVersion: wrapper.apiVersion ?? 'v1',
    items,
    kind: wrapper.kind ?? 'List',
    metadata: wrapper.metadata ?? { resourceVersion: '' },
  };
}

// A string no object prints: where the items go in the wrapper's text.
const MARK = '\u0000kubetcd-list-items\u0000';

/** The wrapper's text cut where its one marker item stands. */
function splitAround(text: string, marker: string): [string, string] {
  const at = text.indexOf(marker);
  return [text.slice(0, at), text.slice(at + marker.length)];
}

/**
 * The format of `kubectl get -o json`: the List wrapper with `items` printed one by one at the
 * wrapper's indentation, four-space indents and a final newline (the text {@link toJson} returns).
 * @example
 * const format = jsonListFormat({ indent: '  ' });
 * for await (const chunk of listChunks(pods, format)) process.stdout.write(chunk);
 */
export function jsonListFormat(options: JsonListFormatOptions = {}): ListFormat {
  const indent = options.indent ?? '    ';
  const json = (v: unknown): string => (indent === '' ? toKubeJson(v) : toKubeJson(v, { indent }));
  const quoted = toKubeJson(MARK);
  const [head, tail] = splitAround(json(listDocument([MARK], options.wrapper)), quoted);
  const empty = json(listDocument([], options.wrapper)) + '\n';
  const prefix = indent + indent;
  const order = options.order ?? 'kubectl';
  const formatItem: JsonItemFormatter =
    options.formatItem ??
    ((o, p, i) => {
      const v = order === 'stored' ? o : sortKeysDeep(o);
      return i === '' ? toKubeJson(v) : toKubeJson(v, { indent: i, prefix: p });
    });
  return {
    header: (isEmpty) => (isEmpty ? empty : head),
    item: (o) => formatItem(o, prefix, indent),
    separator: indent === '' ? ',' : ',\n' + prefix,
    footer: (isEmpty) => (isEmpty ? '' : tail + '\n'),
  };
}

/**
 * The format of `kubectl get -o yaml`: the List wrapper with `items` printed one by one (the text
 * {@link toYaml} returns).
 * @example
 * for await (const chunk of listChunks(pods, yamlListFormat())) process.stdout.write(chunk);
 */
export function yamlListFormat(options: YamlListFormatOptions = {}): ListFormat {
  const marker = toKubeYamlListItem(MARK);
  const [head, tail] = splitAround(toKubeYaml(listDocument([MARK], options.wrapper)), marker);
  const empty = toKubeYaml(listDocument([], options.wrapper));
  const formatItem = options.formatItem ?? toKubeYamlListItem;
  return {
    header: (isEmpty) => (isEmpty ? empty : head),
    item: (o) => formatItem(o),
    separator: '',
    footer: (isEmpty) => (isEmpty ? '' : tail),
  };
}

/**
 * The List of `kubectl get -o json|yaml` exactly as kubectl 1.36 prints it, item by item (the text
 * `toKubectlJson`/`toKubectlYaml` return for the whole list): each object with its keys sorted,
 * `metadata.resourceVersion` its mod revision (objects from `k.stream()`/`list()` carry it),
 * managedFields left out unless `{ showManagedFields: true }`. `kubetcd get -o json|yaml` streams this.
 * @example
 * for await (const chunk of listChunks(k.stream('pods'), kubectlListFormat('yaml'))) process.stdout.write(chunk);
 */
export function kubectlListFormat(output: 'json' | 'yaml', options: KubectlFormatOptions = {}): ListFormat {
  if (output === 'json')
    return jsonListFormat({
      formatItem: (o, prefix, indent) => toKubectlJsonItem(o, prefix, indent, options) ?? 'null',
    });
  if (output === 'yaml') return yamlListFormat({ formatItem: (o) => toKubectlYamlItem(o, options) ?? '- null\n' });
  throw new InvalidArgumentError(`Unknown kubectl list format: ${JSON.stringify(output)}. Pass 'json' or 'yaml'.`);
}

/** An entry of `k.stream()` (only its object is printed; entries without one are skipped). */
export interface StreamedEntryLike {
  readonly key: string;
  readonly valueBytes: number;
  readonly object?: KubeObject;
}

/** What a list can be written from: objects, or the entries of `k.stream()`, synchronous or not. */
export type ListInput =
  | Iterable<KubeObject>
  | AsyncIterable<KubeObject>
  | AsyncIterable<StreamedEntryLike>
  | { readonly items: Iterable<KubeObject> };

function isEntry(v: unknown): v is StreamedEntryLike {
  if (typeof v !== 'object' || v === null) return false;
  const e = v as Record<string, unknown>;
  return (
    typeof e['key'] === 'string' &&
    typeof e['valueBytes'] === 'number' &&
    e['kind'] === undefined &&
    e['apiVersion'] === undefined
  );
}

/** Default size of a chunk: items are joined until a chunk holds about this many characters. */
const CHUNK_CHARS = 1 << 16;

/**
 * The text of a list, as chunks of about 64 K characters (or one item, when an item is larger): the
 * concatenation of the chunks is the whole document. Items are read one at a time and never kept, so
 * memory stays flat whatever the number of items. Stream entries without an object are skipped.
 * @example
 * for await (const chunk of listChunks(k.stream('pods'), jsonListFormat())) out.write(chunk);
 */
export async function* listChunks(
  input: ListInput,
  format: ListFormat,
  chunkChars = CHUNK_CHARS,
): AsyncGenerator<string> {
  const source = (
    typeof input === 'object' && input !== null && !(Symbol.iterator in input) && !(Symbol.asyncIterator in input)
      ? (input as { items: Iterable<KubeObject> }).items
      : input
  ) as AsyncIterable<unknown> | Iterable<unknown>;
  let buffer = '';
  let count = 0;
  for await (const v of source) {
    const object = isEntry(v) ? v.object : (v as KubeObject);
    if (object === undefined) continue;
    const text = format.item(object);
    buffer += count === 0 ? format.header(false) + text : format.separator + text;
    count++;
    if (buffer.length >= chunkChars) {
      yield buffer;
      buffer = '';
    }
  }
  if (count === 0) buffer = format.header(true);
  buffer += format.footer(count === 0);
  if (buffer !== '') yield buffer;
}

/**
 * The streaming twin of `toJson`: the same text (a kubectl `List`), as chunks, from any iterable or async
 * iterable of objects or `k.stream()` entries. Write it with `writeList()` or to any stream.
 * @example
 * for await (const chunk of toJsonChunks(k.stream('pods'))) process.stdout.write(chunk);
 */
export function toJsonChunks(input: ListInput, options: JsonListFormatOptions = {}): AsyncGenerator<string> {
  return listChunks(input, jsonListFormat(options));
}

/**
 * The streaming twin of `toYaml`: the same text (a kubectl `List`), as chunks.
 * @example
 * for await (const chunk of toYamlChunks(k.stream('pods'))) process.stdout.write(chunk);
 */
export function toYamlChunks(input: ListInput, options: YamlListFormatOptions = {}): AsyncGenerator<string> {
  return listChunks(input, yamlListFormat(options));
}
