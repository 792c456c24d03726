/**
 * JSON as a collapsible tree that works without JavaScript (nested `<details>`/`<summary>`; the top
 * levels open, deeper ones closed with their size shown), and a pretty text twin exactly as
 * `kubectl get -o json` prints it (Go's encoding/json with 4-space indent: keys in the object's order,
 * int64 beyond 2^53 exact from bigint, `<`/`>`/`&` as `\u003c`…), with invisible characters that Go
 * leaves raw (DEL, C1 controls, bidi overrides) written as `\u` escapes so the text stays valid JSON.
 */
import { toKubeJson } from '../codec/go-json';
import { utf8ByteCompare } from '../codec/go-utf8';
import { escapeHtml } from './escape';
import { wrapHtml, type Rendered } from './rendered';

/** Options of {@link renderJson}. */
export interface JsonTreeOptions {
  /** Levels shown open (the root is level 0). Default 2. */
  openDepth?: number;
  /** Children shown per object or array before a `… N more` line. Default 500. */
  maxChildren?: number;
  /** Indent of the text twin. Default four spaces, as kubectl. */
  indent?: string;
}

const INTEGER_KEY = /^(?:0|[1-9][0-9]{0,9})$/;
// characters encoding/json leaves raw that a reader cannot see
const RAW_INVISIBLE =
  /[\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]/g;

/**
 * JSON text with the invisible characters encoding/json leaves raw escaped as `\uXXXX` (they can only
 * be inside strings, so the JSON means the same).
 * @example
 * jsonVisible('"a\u202eb"') // '"a\\u202eb"'
 */
export function jsonVisible(json: string): string {
  return json.replace(RAW_INVISIBLE, (ch) => '\\u' + ch.charCodeAt(0).toString(16).padStart(4, '0'));
}

/**
 * A JSON string literal for display: Go's escapes for `"`, `\` and controls, `\xff` for an invalid
 * UTF-8 byte the codec kept (where Go would print `\ufffd`), `\u202e` for invisible characters.
 * @example
 * displayString('a\uDCFFb') // '"a\\xffb"'
 */
export function displayString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += '\\\\';
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0d) out += '\\r';
    else if (c === 0x09) out += '\\t';
    else if (c >= 0xd800 && c <= 0xdbff && s.charCodeAt(i + 1) >= 0xdc00 && s.charCodeAt(i + 1) <= 0xdfff) {
      out += s[i] + (s[i + 1] as string);
      i++;
    } else if (c >= 0xdc80 && c <= 0xdcff) out += '\\x' + (c - 0xdc00).toString(16).padStart(2, '0');
    else if (c < 0x20 || (c >= 0xd800 && c <= 0xdfff)) out += '\\u' + c.toString(16).padStart(4, '0');
    else {
      const ch = s[i] as string;
      RAW_INVISIBLE.lastIndex = 0;
      out += RAW_INVISIBLE.test(ch) || c === 0x2028 || c === 0x2029 ? '\\u' + c.toString(16).padStart(4, '0') : ch;
    }
  }
  return out + '"';
}

function entriesOf(v: Record<string, unknown>): Array<[string, unknown]> {
  const keys = Object.keys(v).filter((k) => v[k] !== undefined);
  if (keys.some((k) => INTEGER_KEY.test(k))) keys.sort(utf8ByteCompare); // a Go map: toKubeJson sorts too
  return keys.map((k) => [k, v[k]]);
}

function isContainer(v: unknown): v is Record<string, unknown> | unknown[] {
  return v !== null && typeof v === 'object' && !(v instanceof Uint8Array) && !(v instanceof Date);
}

function leafHtml(v: unknown): string {
  if (typeof v === 'string') return `<span class="j-str">${escapeHtml(displayString(v))}</span>`;
  if (typeof v === 'number' || typeof v === 'bigint') return `<span class="j-num">${escapeHtml(toKubeJson(v))}</span>`;
  if (v === null || v === undefined || typeof v === 'boolean') return `<span class="j-lit">${String(v ?? null)}</span>`;
  let text: string;
  try {
    text = toKubeJson(v);
  } catch {
    text = String(v);
  }
  return `<span class="j-str">${escapeHtml(jsonVisible(text))}</span>`;
}

function sizeNote(v: Record<string, unknown> | unknown[]): { open: string; close: string; note: string } {
  if (Array.isArray(v)) return { open: '[', close: ']', note: `${v.length} ${v.length === 1 ? 'item' : 'items'}` };
  const n = entriesOf(v).length;
  return { open: '{', close: '}', note: `${n} ${n === 1 ? 'key' : 'keys'}` };
}

function nodeHtml(
  label: string,
  v: unknown,
  depth: number,
  opt: Required<Omit<JsonTreeOptions, 'indent'>>,
  last: boolean,
): string {
  const comma = last ? '' : ',';
  if (!isContainer(v)) return `<div class="kubetcd-leaf">${label}${leafHtml(v)}${comma}</div>`;
  const { open, close, note } = sizeNote(v);
  const entries: Array<[string | undefined, unknown]> = Array.isArray(v) ? v.map((x) => [undefined, x]) : entriesOf(v);
  if (entries.length === 0) return `<div class="kubetcd-leaf">${label}${open}${close}${comma}</div>`;
  const isOpen = depth < opt.openDepth;
  let h = `<details${isOpen ? ' open' : ''}><summary>${label}${open}<span class="kubetcd-count"> ${note} </span>${isOpen ? '' : `…${close}${comma}`}</summary>`;
  const shown = entries.slice(0, opt.maxChildren);
  shown.forEach(([k, x], i) => {
    const childLabel = k === undefined ? '' : `<span class="j-key">${escapeHtml(displayString(k))}</span>: `;
    h += nodeHtml(childLabel, x, depth + 1, opt, i === entries.length - 1);
  });
  if (entries.length > shown.length)
    h += `<div class="kubetcd-leaf kubetcd-count">… ${entries.length - shown.length} more</div>`;
  return h + `<div class="kubetcd-leaf kubetcd-close">${close}${comma}</div></details>`;
}

function toJsonCompatible(value: unknown): unknown {
  try {
    return JSON.parse(toKubeJson(value)) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * Renders a value (a Kubernetes object, a list, any JSON) as a collapsible HTML tree and as the text
 * `kubectl get -o json` prints; `json` holds a JSON-compatible copy for `application/json` outputs.
 * @example
 * const r = renderJson(pod);
 * r.text.startsWith('{\n    "apiVersion": "v1"') // true
 */
export function renderJson(value: unknown, options: JsonTreeOptions = {}): Rendered {
  const opt = { openDepth: options.openDepth ?? 2, maxChildren: options.maxChildren ?? 500 };
  let text: string;
  try {
    text = jsonVisible(toKubeJson(value, { indent: options.indent ?? '    ' }));
  } catch (err) {
    text = `<cannot print as JSON: ${err instanceof Error ? err.message : String(err)}>`;
  }
  const html = wrapHtml(`<div class="kubetcd-json">${nodeHtml('', value, 0, opt, true)}</div>`);
  const out: Rendered = { html, text: text + '\n' };
  const json = toJsonCompatible(value);
  if (json !== undefined) out.json = json;
  return out;
}
