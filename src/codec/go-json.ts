/**
 * JSON text exactly as Go's encoding/json (Go 1.24) writes it, plus Go's `json.Compact` and a parser
 * that keeps int64 values exact.
 *
 * Value mapping for {@link toKubeJson}: `null`/`undefined` → `null` (an `undefined` property is
 * skipped); booleans; numbers as Go prints a float64 (integers plainly, `-0` as `-0`, exponent form
 * below 1e-6 and from 1e21, e.g. `1e-7`, `1e+21`); bigint exactly; strings with Go's escaping;
 * `Uint8Array` → base64 (Go's `[]byte`); arrays; `Map` and plain objects. A plain object that has an
 * integer-like key (`"0"`, `"10"`) must be a Go map (struct field names never are), and JavaScript
 * moved those keys to the front, so all its keys are printed sorted by UTF-8 bytes as Go sorts map keys.
 * Other objects print in insertion order (decoders build them in Go's field order; Go maps arrive
 * sorted). Strings holding invalid UTF-8 (each invalid byte kept as U+DC80..U+DCFF by
 * `decodeGoString`) print `\ufffd` per invalid byte, as Go prints them; map keys sort by their original
 * bytes, so two keys that differ only in invalid bytes stay two keys, both printed with `\ufffd`, as Go
 * prints them. Embedded JSON (RawExtension, FieldsV1) that the decoder marked with its stored text
 * (see raw-json.ts) prints as that text while its value is unchanged.
 */
import { InvalidArgumentError } from '../errors';
import { utf8ByteCompare } from './go-utf8';
import {
  RAW_JSON,
  RAW_JSON_FIELDS,
  markRawJson,
  markRawJsonField,
  type RawJsonFieldMarks,
  type RawJsonMark,
} from './raw-json';

/** Options of {@link toKubeJson}. */
export interface KubeJsonOptions {
  /** Indent per level, as `json.MarshalIndent(v, "", indent)`. Omit for compact `json.Marshal`. */
  indent?: string;
  /**
   * With `indent`: the text each line after the first starts with, as `json.MarshalIndent(v, prefix,
   * indent)` (the first line is not prefixed). Used to print an object as an item nested inside a list.
   */
  prefix?: string;
}

/** Options of {@link compactJson}. */
export interface CompactJsonOptions {
  /**
   * Also escape `<`, `>`, `&`, U+2028 and U+2029 as `json.Marshal` does when it compacts the output of
   * a `MarshalJSON` method (RawExtension, FieldsV1). `json.Compact` itself does not (default false).
   */
  escapeHtml?: boolean;
}

const HEX = '0123456789abcdef';
const NEEDS_ESCAPE = /[\u0000-\u001f"\\<>&\u2028\u2029\ud800-\udfff]/;
const INTEGER_KEY = /^(?:0|[1-9][0-9]{0,9})$/;

function escapeChar(code: number): string {
  switch (code) {
    case 0x22:
      return '\\"';
    case 0x5c:
      return '\\\\';
    case 0x0a:
      return '\\n';
    case 0x0d:
      return '\\r';
    case 0x09:
      return '\\t';
    case 0x08:
      return '\\b';
    case 0x0c:
      return '\\f';
    default:
      return '\\u' + HEX[(code >> 12) & 15] + HEX[(code >> 8) & 15] + HEX[(code >> 4) & 15] + HEX[code & 15];
  }
}

/**
 * A JSON string literal as Go's encoding/json writes it (HTML-safe). Lone surrogates (invalid bytes
 * kept by `decodeGoString` as U+DC80..U+DCFF, or any other) become `\ufffd`, as Go writes each invalid
 * byte; a real U+FFFD stays a raw character, as in Go.
 * @example
 * quoteGoString('a<b') // '"a\\u003cb"'
 */
export function quoteGoString(s: string): string {
  if (!NEEDS_ESCAPE.test(s)) return '"' + s + '"';
  let out = '"';
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let rep: string | undefined;
    if (
      c < 0x20 ||
      c === 0x22 ||
      c === 0x5c ||
      c === 0x3c ||
      c === 0x3e ||
      c === 0x26 ||
      c === 0x2028 ||
      c === 0x2029
    ) {
      rep = escapeChar(c);
    } else if (c >= 0xd800 && c <= 0xdfff) {
      const next = s.charCodeAt(i + 1);
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
      rep = '\\ufffd';
    }
    if (rep !== undefined) {
      out += s.slice(start, i) + rep;
      start = i + 1;
    }
  }
  return out + s.slice(start) + '"';
}

/** Go's float64 text (encoding/json floatEncoder). */
function formatNumber(n: number): string {
  if (!Number.isFinite(n)) {
    throw new InvalidArgumentError(
      `Cannot write JSON: the number ${n} has no JSON form. Go refuses it too; replace it.`,
      {
        value: n,
      },
    );
  }
  if (n === 0 && Object.is(n, -0)) return '-0';
  return String(n);
}

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/** Quoted object keys, by key: keys repeat from object to object, so most are quoted once. Bounded. */
const QUOTED_KEYS = new Map<string, string>();
const QUOTED_KEYS_MAX = 8192;

function quoteKey(k: string): string {
  let q = QUOTED_KEYS.get(k);
  if (q === undefined) {
    q = quoteGoString(k);
    if (QUOTED_KEYS.size < QUOTED_KEYS_MAX && k.length <= 64) QUOTED_KEYS.set(k, q);
  }
  return q;
}

/** Keys in print order: Go maps (Map, or objects with integer-like keys) sorted by UTF-8 bytes. */
function keysOf(value: object): { keys: string[]; get: (k: string) => unknown } {
  if (value instanceof Map) {
    const map = new Map<string, unknown>();
    for (const [k, v] of value as Map<unknown, unknown>) map.set(String(k), v);
    return { keys: [...map.keys()].sort(utf8ByteCompare), get: (k) => map.get(k) };
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(value);
  if (keys.length > 1 && INTEGER_KEY.test(keys[0] as string)) keys.sort(utf8ByteCompare);
  return { keys, get: (k) => record[k] };
}

function skippable(v: unknown): boolean {
  return v === undefined || typeof v === 'function' || typeof v === 'symbol';
}

/**
 * Go's `json.Indent` of compact JSON text (as `json.MarshalIndent` re-indents the compacted text of a
 * `MarshalJSON` method): a newline and indentation after `{`, `[` and `,` (but `{}` and `[]` stay so),
 * `": "` after keys; strings are copied unchanged.
 */
function indentCompact(text: string, indent: string, prefix: string): string {
  let out = '';
  let start = 0;
  let level = prefix;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      for (i++; i < n; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c) i++;
        else if (d === 0x22) break;
      }
      continue;
    }
    let rep: string;
    if (c === 0x7b || c === 0x5b) {
      const next = text.charCodeAt(i + 1);
      if (next === 0x7d || next === 0x5d) {
        i++;
        continue;
      }
      level += indent;
      rep = text[i] + '\n' + level;
    } else if (c === 0x7d || c === 0x5d) {
      level = level.slice(0, level.length - indent.length);
      rep = '\n' + level + text[i];
    } else if (c === 0x2c) rep = ',\n' + level;
    else if (c === 0x3a) rep = ': ';
    else continue;
    out += text.slice(start, i) + rep;
    start = i + 1;
  }
  return out + text.slice(start);
}

/** The stored text of a marked embedded JSON value while it still prints as it did when decoded. */
function rawText(
  value: object,
  mark: RawJsonMark,
  indent: string | undefined,
  prefix: string,
  depth: number,
): string | undefined {
  if (write(value, undefined, '', depth, false) !== mark.printed) return undefined;
  return indent === undefined ? mark.text : indentCompact(mark.text, indent, prefix);
}

/**
 * A field of an object carrying field marks (see raw-json.ts): a bare number or string of embedded JSON
 * prints as its stored text while it prints as it did when decoded.
 */
function markedField(
  fieldMarks: RawJsonFieldMarks,
  key: string,
  v: unknown,
  indent: string | undefined,
  inner: string,
  depth: number,
): string {
  const printed = write(v, indent, inner, depth + 1, true);
  const mark = fieldMarks[key];
  return mark !== undefined && mark.printed === printed ? mark.text : printed;
}

function write(value: unknown, indent: string | undefined, prefix: string, depth: number, marks = true): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'string':
      return quoteGoString(value);
    case 'number':
      return formatNumber(value);
    case 'bigint':
      return value.toString();
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      break;
    default:
      return 'null';
  }
  if (depth > 10000) {
    throw new InvalidArgumentError('Cannot write JSON: the value is nested deeper than 10000 levels (a cycle?).', {});
  }
  if (value instanceof Uint8Array) return '"' + base64(value) + '"';
  let fieldMarks: RawJsonFieldMarks | undefined;
  if (marks) {
    const mark = (value as { [RAW_JSON]?: RawJsonMark })[RAW_JSON];
    if (mark !== undefined) {
      const text = rawText(value, mark, indent, prefix, depth);
      if (text !== undefined) return text;
    }
    fieldMarks = (value as { [RAW_JSON_FIELDS]?: RawJsonFieldMarks })[RAW_JSON_FIELDS];
  }
  const inner = indent === undefined ? '' : prefix + indent;
  const open = indent === undefined ? '' : '\n' + inner;
  const comma = indent === undefined ? ',' : ',\n' + inner;
  if (Array.isArray(value)) {
    const items = value as unknown[];
    if (items.length === 0) return '[]';
    let out = '[' + open;
    for (let i = 0; i < items.length; i++) {
      if (i > 0) out += comma;
      const item = items[i];
      out += skippable(item)
        ? 'null'
        : fieldMarks === undefined
          ? write(item, indent, inner, depth + 1, marks)
          : markedField(fieldMarks, String(i), item, indent, inner, depth);
    }
    return out + (indent === undefined ? '' : '\n' + prefix) + ']';
  }
  const colon = indent === undefined ? ':' : ': ';
  const { keys, get } = keysOf(value);
  let out = '';
  for (const k of keys) {
    const v = get(k);
    if (skippable(v)) continue;
    out +=
      (out === '' ? '{' + open : comma) +
      quoteKey(k) +
      colon +
      (fieldMarks === undefined
        ? write(v, indent, inner, depth + 1, marks)
        : markedField(fieldMarks, k, v, indent, inner, depth));
  }
  if (out === '') return '{}';
  return out + (indent === undefined ? '' : '\n' + prefix) + '}';
}

/**
 * The JSON text Go's `json.Marshal` (or `json.MarshalIndent(v, "", indent)`) writes for this value.
 * Embedded JSON marked by the decoder with its stored text (RawExtension, FieldsV1; see raw-json.ts)
 * prints as that text (re-indented as `json.MarshalIndent` does) while the value is unchanged. It prints
 * the value as it is: an object from `decode()` has no `metadata.resourceVersion` (the stored bytes hold
 * none), one from `k.get()`, `k.list()`, `k.stream()` or `k.history()` carries the record's mod revision
 * there, where the API server puts it (after `uid`). `toKubectlJson` prints kubectl's form instead.
 * @example
 * toKubeJson({ b: 1n << 60n, s: '<x>' }) // '{"b":1152921504606846976,"s":"\\u003cx\\u003e"}'
 * toKubeJson({ a: [] }, { indent: '  ' }) // '{\n  "a": []\n}'
 */
export function toKubeJson(value: unknown, options: KubeJsonOptions = {}): string {
  return write(value, options.indent, options.indent === undefined ? '' : (options.prefix ?? ''), 0);
}

function syntaxError(text: string, offset: number, what: string): InvalidArgumentError {
  const near = JSON.stringify(text.slice(offset, offset + 20));
  return new InvalidArgumentError(
    `Invalid JSON at offset ${offset}: ${what} (near ${near}). Check that the text is complete JSON.`,
    { offset },
  );
}

function isWs(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/**
 * Go's `json.Compact`: removes insignificant whitespace and keeps every other character exactly
 * (escapes included). Throws InvalidArgumentError, naming the offset, when the text is not JSON.
 * @example
 * compactJson('{ "a" : [1, 2] }\n') // '{"a":[1,2]}'
 */
export function compactJson(text: string, options: CompactJsonOptions = {}): string {
  const escapeHtml = options.escapeHtml === true;
  // Validate with the same grammar as parseKubeJson (without building values).
  const scanner = new Parser(text, false);
  scanner.parseDocument();
  let out = '';
  let start = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // copy the string, escaping HTML characters if asked
      i++;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (d === 0x5c) i += 2;
        else if (d === 0x22) break;
        else {
          if (escapeHtml && (d === 0x3c || d === 0x3e || d === 0x26 || d === 0x2028 || d === 0x2029)) {
            out += text.slice(start, i) + escapeChar(d);
            start = i + 1;
          }
          i++;
        }
      }
      i++;
    } else if (isWs(c)) {
      out += text.slice(start, i);
      while (i < n && isWs(text.charCodeAt(i))) i++;
      start = i;
    } else {
      i++;
    }
  }
  return out + text.slice(start);
}

/** Options of {@link parseKubeJson}. */
export interface ParseKubeJsonOptions {
  /**
   * Mark each object and array whose text would not re-print the same (number forms such as `2.50` or
   * `1e3`, escapes such as `\u00e9` or `\/`, key order, repeated keys) with its compact text (see
   * raw-json.ts), so that `toKubeJson` prints it and `encode` writes it into a RawExtension or FieldsV1
   * exactly as given while the value is unchanged, as the API server keeps the submitted text of
   * embedded JSON. A number or string member that does not re-print as written is marked on the object
   * or array holding it (a top-level bare number or string cannot be marked). Slower, and each marked
   * level keeps its text (default false).
   */
  keepText?: boolean;
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MAX_DEPTH = 1000;

class Parser {
  pos = 0;
  /** With `keep`: whether everything parsed since the innermost open container re-prints as written. */
  private exact = true;
  constructor(
    private readonly text: string,
    private readonly build: boolean,
    private readonly keep = false,
  ) {}

  /** With `keep`: marks a container parsed from `text[begin, pos)` that does not re-print as written. */
  private closeContainer(value: object, begin: number, outerExact: boolean): void {
    if (!this.exact) {
      const compact = compactJson(this.text.slice(begin, this.pos), { escapeHtml: true });
      const printed = write(value, undefined, '', 0, false);
      if (printed !== compact) markRawJson(value, compact, printed);
    }
    this.exact = outerExact && this.exact;
  }

  /**
   * With `keep`: reads a member value of `parent` (at `key`); a bare number or string that does not
   * re-print as written is marked on `parent` (see raw-json.ts), as a primitive cannot carry a mark.
   */
  private member(parent: object, key: string, depth: number): unknown {
    const begin = this.pos;
    const outerExact = this.exact;
    this.exact = true;
    const v = this.value(depth);
    if (!this.exact && (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'string') && this.build) {
      const compact = compactJson(this.text.slice(begin, this.pos), { escapeHtml: true });
      const printed = write(v, undefined, '', 0, false);
      if (printed !== compact) markRawJsonField(parent, key, compact, printed);
    }
    this.exact = outerExact && this.exact;
    return v;
  }

  parseDocument(): unknown {
    this.skipWs();
    const v = this.value(0);
    this.skipWs();
    if (this.pos < this.text.length) throw syntaxError(this.text, this.pos, 'unexpected text after the value');
    return v;
  }

  private skipWs(): void {
    const t = this.text;
    while (this.pos < t.length && isWs(t.charCodeAt(this.pos))) this.pos++;
  }

  private value(depth: number): unknown {
    const t = this.text;
    if (this.pos >= t.length) throw syntaxError(t, this.pos, 'unexpected end of input');
    const c = t.charCodeAt(this.pos);
    if (c === 0x7b) return this.object(depth + 1);
    if (c === 0x5b) return this.array(depth + 1);
    if (c === 0x22) return this.string();
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return this.number();
    for (const [word, v] of [
      ['true', true],
      ['false', false],
      ['null', null],
    ] as const) {
      if (t.startsWith(word, this.pos)) {
        this.pos += word.length;
        return v;
      }
    }
    throw syntaxError(t, this.pos, `unexpected character ${JSON.stringify(t[this.pos])}`);
  }

  private object(depth: number): unknown {
    const t = this.text;
    if (depth > MAX_DEPTH) throw syntaxError(t, this.pos, `nesting deeper than ${MAX_DEPTH} levels`);
    const begin = this.pos;
    const outerExact = this.exact;
    this.exact = true;
    let keyCount = 0;
    this.pos++;
    const obj: Record<string, unknown> = {};
    this.skipWs();
    if (t.charCodeAt(this.pos) === 0x7d) {
      this.pos++;
      this.exact = outerExact;
      return obj;
    }
    for (;;) {
      this.skipWs();
      if (t.charCodeAt(this.pos) !== 0x22) throw syntaxError(t, this.pos, 'expected a string key');
      const key = this.string();
      if (this.keep) {
        keyCount++;
        if (INTEGER_KEY.test(key)) this.exact = false;
      }
      this.skipWs();
      if (t.charCodeAt(this.pos) !== 0x3a) throw syntaxError(t, this.pos, 'expected ":"');
      this.pos++;
      this.skipWs();
      const v = this.keep ? this.member(obj, key, depth) : this.value(depth);
      if (this.build) {
        if (key === '__proto__')
          Object.defineProperty(obj, key, { value: v, enumerable: true, writable: true, configurable: true });
        else obj[key] = v;
      }
      this.skipWs();
      const c = t.charCodeAt(this.pos);
      this.pos++;
      if (c === 0x2c) continue;
      if (c === 0x7d) {
        if (this.keep) {
          if (keyCount !== Object.keys(obj).length) this.exact = false;
          this.closeContainer(obj, begin, outerExact);
        }
        return obj;
      }
      throw syntaxError(t, this.pos - 1, 'expected "," or "}"');
    }
  }

  private array(depth: number): unknown {
    const t = this.text;
    if (depth > MAX_DEPTH) throw syntaxError(t, this.pos, `nesting deeper than ${MAX_DEPTH} levels`);
    const begin = this.pos;
    const outerExact = this.exact;
    this.exact = true;
    this.pos++;
    const arr: unknown[] = [];
    this.skipWs();
    if (t.charCodeAt(this.pos) === 0x5d) {
      this.pos++;
      this.exact = outerExact;
      return arr;
    }
    for (;;) {
      this.skipWs();
      const v = this.keep ? this.member(arr, String(arr.length), depth) : this.value(depth);
      if (this.build) arr.push(v);
      this.skipWs();
      const c = t.charCodeAt(this.pos);
      this.pos++;
      if (c === 0x2c) continue;
      if (c === 0x5d) {
        if (this.keep) this.closeContainer(arr, begin, outerExact);
        return arr;
      }
      throw syntaxError(t, this.pos - 1, 'expected "," or "]"');
    }
  }

  private string(): string {
    const t = this.text;
    const start = ++this.pos;
    let out = '';
    let chunk = start;
    for (;;) {
      if (this.pos >= t.length) throw syntaxError(t, start - 1, 'unterminated string');
      const c = t.charCodeAt(this.pos);
      if (c === 0x22) {
        out += t.slice(chunk, this.pos);
        this.pos++;
        if (this.keep && this.exact) {
          // exact when Go writes the same literal (without escapes: when Go would escape nothing)
          if (chunk === start ? NEEDS_ESCAPE.test(out) : quoteGoString(out) !== t.slice(start - 1, this.pos))
            this.exact = false;
        }
        return out;
      }
      if (c < 0x20) throw syntaxError(t, this.pos, 'control character in string');
      if (c !== 0x5c) {
        this.pos++;
        continue;
      }
      out += t.slice(chunk, this.pos);
      const e = t[this.pos + 1];
      this.pos += 2;
      switch (e) {
        case '"':
          out += '"';
          break;
        case '\\':
          out += '\\';
          break;
        case '/':
          out += '/';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'u': {
          const u = this.hex4(this.pos);
          this.pos += 4;
          if (u >= 0xd800 && u <= 0xdbff && t[this.pos] === '\\' && t[this.pos + 1] === 'u') {
            const low = this.hex4(this.pos + 2);
            if (low >= 0xdc00 && low <= 0xdfff) {
              out += String.fromCharCode(u, low);
              this.pos += 6;
              break;
            }
          }
          // Go decodes a lone surrogate as U+FFFD.
          out += u >= 0xd800 && u <= 0xdfff ? '\uFFFD' : String.fromCharCode(u);
          break;
        }
        default:
          throw syntaxError(t, this.pos - 2, 'invalid escape');
      }
      chunk = this.pos;
    }
  }

  private hex4(at: number): number {
    const h = this.text.slice(at, at + 4);
    if (!/^[0-9a-fA-F]{4}$/.test(h)) throw syntaxError(this.text, at, 'invalid \\u escape');
    return parseInt(h, 16);
  }

  private number(): number | bigint {
    const t = this.text;
    const start = this.pos;
    const m = /-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/y;
    m.lastIndex = start;
    const r = m.exec(t);
    if (r === null) throw syntaxError(t, start, 'invalid number');
    this.pos = start + r[0].length;
    if (!this.build) return 0;
    let v: number | bigint;
    if (r[1] === undefined && r[2] === undefined) {
      if (r[0].length < 16) v = Number(r[0]);
      else {
        const b = BigInt(r[0]);
        v = b > MAX_SAFE || b < -MAX_SAFE ? b : Number(b);
      }
    } else {
      v = Number(r[0]);
      if (!Number.isFinite(v)) throw syntaxError(t, start, `number ${r[0]} is out of the float64 range`);
    }
    if (this.keep && this.exact && (typeof v === 'bigint' ? v.toString() : formatNumber(v)) !== r[0])
      this.exact = false;
    return v;
  }
}

/** True when the JSON text opens more than `max` objects or arrays inside each other (strings skipped). */
function nestsDeeperThan(text: string, max: number): boolean {
  // Fewer than `max` brackets in all cannot nest that deep: counted with indexOf (fast), which settles
  // nearly every text without the character-by-character walk below.
  let opening = 0;
  for (let i = text.indexOf('{'); i >= 0 && opening <= max; i = text.indexOf('{', i + 1)) opening++;
  for (let i = text.indexOf('['); i >= 0 && opening <= max; i = text.indexOf('[', i + 1)) opening++;
  if (opening <= max) return false;
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // skip a string, escapes included
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c) i++;
        else if (d === 0x22) break;
      }
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

// Text that JSON.parse reads exactly as parseKubeJson would: no long digit runs (int64 beyond 2^53,
// float64 overflow) and no surrogate escapes (Go turns lone ones into U+FFFD).
const SLOW_PATH = /[0-9]{16}|\\u[dD][89a-fA-F]|[eE][+-]?[0-9]{3}/;

/**
 * `JSON.parse` that keeps integers beyond 2^53 exact as `bigint` (as Go decodes them into int64) and
 * lone `\ud800`-style escapes as U+FFFD (as Go does). Key order is kept except that JavaScript puts
 * integer-like keys first (only Go maps have those; {@link toKubeJson} sorts such objects).
 * With `keepText`, objects and arrays that would re-print differently keep their text (see
 * {@link ParseKubeJsonOptions}). Throws InvalidArgumentError naming the offset.
 * @example
 * parseKubeJson('{"generation": 9007199254740993}') // { generation: 9007199254740993n }
 */
export function parseKubeJson(text: string, options: ParseKubeJsonOptions = {}): unknown {
  if (options.keepText === true) return new Parser(text, true, true).parseDocument();
  // JSON.parse has no depth limit: text deep enough to break it goes to the parser below, which refuses it.
  if (!SLOW_PATH.test(text) && (text.length <= 2 * MAX_DEPTH || !nestsDeeperThan(text, MAX_DEPTH))) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      // fall through: the parser below reports where
    }
  }
  return new Parser(text, true).parseDocument();
}
