/**
 * A teaching view of one stored value: an annotated hex dump that names every layer — the etcdctl key
 * line, the `k8s\0` magic, the runtime.Unknown envelope (typeMeta apiVersion/kind, raw,
 * contentEncoding, contentType), then the object's protobuf fields by name (from a compiled schema
 * when given, by number otherwise) — and, for other encodings, the JSON document, the CBOR tag, or the
 * at-rest encryption prefix (`k8s:enc:aescbc:v1:key1:`), IV/nonce and ciphertext. Each line shows
 * offset, up to 16 bytes in hex, the same bytes as ASCII, and what they are.
 */
import { sniffValue } from '../codec/envelope';
import { decodeGoString } from '../codec/go-utf8';
import type { CompiledSchema, SchemaField } from '../codec/schema-types';
import { BYTES, FIXED32, FIXED64, VARINT, WireReader } from '../util/wire-reader';
import { cutText, escapeHtml } from './escape';
import { displayString } from './json-tree';
import { wrapHtml, type Rendered } from './rendered';

/** Options of {@link renderHexDump}. */
export interface HexDumpOptions {
  /** The compiled schema (codec `loadSchema()`), to name the object's protobuf fields. */
  schema?: CompiledSchema;
  /** Bytes shown of one field's value before `… N more bytes`. Default 32. */
  maxFieldBytes?: number;
  /** Bytes shown of a whole JSON, CBOR, raw or ciphertext body. Default 256. */
  maxBodyBytes?: number;
  /** Lines shown before the dump stops with a note. Default 2000. */
  maxLines?: number;
}

/** CSS class of each layer (see RENDER_CSS). */
type Layer =
  | 'h-key'
  | 'h-magic'
  | 'h-envelope'
  | 'h-typemeta'
  | 'h-field'
  | 'h-value'
  | 'h-enc'
  | 'h-cipher'
  | 'h-json'
  | 'h-raw'
  | 'h-error';

interface Line {
  offset: number;
  bytes: Uint8Array;
  depth: number;
  label: string;
  layer: Layer;
}

const MAX_DEPTH = 100;
const LABEL_VALUE_CHARS = 60;

interface MiniField {
  name: string;
  type: SchemaField['type'];
  message?: string;
  repeated?: boolean;
  mapKey?: string;
  mapValue?: string;
  mapValueMessage?: string;
}

const UNKNOWN_MSG = '.runtime.Unknown';
const TYPEMETA_MSG = '.runtime.TypeMeta';
const BUILTIN: Record<string, Record<number, MiniField>> = {
  [UNKNOWN_MSG]: {
    1: { name: 'typeMeta', type: 'message', message: TYPEMETA_MSG },
    2: { name: 'raw', type: 'bytes' },
    3: { name: 'contentEncoding', type: 'string' },
    4: { name: 'contentType', type: 'string' },
  },
  [TYPEMETA_MSG]: { 1: { name: 'apiVersion', type: 'string' }, 2: { name: 'kind', type: 'string' } },
};

class Dumper {
  readonly lines: Line[] = [];
  truncated = false;
  apiVersion = '';
  kind = '';
  constructor(
    readonly buf: Uint8Array,
    readonly opt: { schema: CompiledSchema | undefined; maxField: number; maxBody: number; maxLines: number },
  ) {}

  /** Adds the bytes [start, end) as lines: the first carries the label, at most `limit` bytes shown. */
  region(start: number, end: number, depth: number, label: string, layer: Layer, limit = this.opt.maxField): void {
    const shownEnd = Math.min(end, start + Math.max(16, limit));
    for (let p = start; p < shownEnd || p === start; p += 16) {
      if (this.lines.length >= this.opt.maxLines) {
        this.truncated = true;
        return;
      }
      this.lines.push({
        offset: p,
        bytes: this.buf.subarray(p, Math.min(p + 16, shownEnd)),
        depth,
        label: p === start ? label : '',
        layer,
      });
      if (shownEnd === start) break;
    }
    if (shownEnd < end)
      this.lines.push({
        offset: shownEnd,
        bytes: new Uint8Array(0),
        depth,
        label: `… ${end - shownEnd} more bytes`,
        layer,
      });
  }

  field(msg: string | undefined, number: number): MiniField | undefined {
    if (msg === undefined) return undefined;
    const builtin = BUILTIN[msg];
    if (builtin !== undefined) return builtin[number];
    const m = this.opt.schema?.messages[msg];
    if (m === undefined) return undefined;
    return m.fields.find((f) => f.number === number) ?? m.protoOnly?.find((f) => f.number === number);
  }

  objectMessage(): string | undefined {
    return this.opt.schema?.kinds[`${this.apiVersion}/${this.kind}`]?.message;
  }

  message(start: number, end: number, msg: string | undefined, depth: number, layer: Layer): void {
    const r = new WireReader(this.buf, start);
    while (r.pos < end) {
      if (this.truncated) return;
      const at = r.pos;
      try {
        const tag = r.uint32(end);
        const number = tag >>> 3;
        const wire = tag & 7;
        if (number === 0) throw r.fail('field number 0', at);
        const f = this.field(msg, number);
        const name = f === undefined ? `${number}` : `${number} ${f.name}`;
        const childLayer: Layer = msg === UNKNOWN_MSG ? 'h-envelope' : msg === TYPEMETA_MSG ? 'h-typemeta' : layer;
        if (wire === VARINT) {
          const v = r.uint64(end);
          this.region(
            at,
            r.pos,
            depth,
            `${name} (${f?.type ?? 'varint'}) = ${this.scalar(f?.type, v)}`,
            childLayer === 'h-field' ? 'h-value' : childLayer,
          );
        } else if (wire === FIXED64 || wire === FIXED32) {
          const v = wire === FIXED64 ? r.fixed64(end) : r.fixed32(end);
          this.region(
            at,
            r.pos,
            depth,
            `${name} (${f?.type ?? (wire === FIXED64 ? 'fixed64' : 'fixed32')}) = ${this.fixed(f?.type, v, wire)}`,
            childLayer === 'h-field' ? 'h-value' : childLayer,
          );
        } else if (wire === BYTES) {
          const e = r.lengthEnd(end);
          const s = r.pos;
          r.pos = e;
          this.lengthDelimited(at, s, e, f, name, depth, childLayer, msg);
        } else {
          throw r.fail(`unsupported wire type ${wire}`, at);
        }
      } catch (err) {
        this.region(at, end, depth, `cannot parse: ${err instanceof Error ? err.message : String(err)}`, 'h-error');
        return;
      }
    }
  }

  private lengthDelimited(
    at: number,
    s: number,
    e: number,
    f: MiniField | undefined,
    name: string,
    depth: number,
    layer: Layer,
    msg: string | undefined,
  ): void {
    const n = e - s;
    const valueLayer: Layer = layer === 'h-field' ? 'h-value' : layer;
    if (msg === UNKNOWN_MSG && f?.name === 'raw') {
      const inner = this.objectMessage();
      const what =
        inner !== undefined
          ? `${inner.split('.').pop() ?? ''} message`
          : `${this.kind !== '' ? this.kind : 'object'} message (fields by number: no schema for it)`;
      this.region(at, s, depth, `${name} (bytes, ${n}) → ${what}`, 'h-envelope');
      if (depth < MAX_DEPTH) this.message(s, e, inner, depth + 1, 'h-field');
      return;
    }
    if (f?.type === 'string') {
      const text = decodeGoString(this.buf, s, e);
      if (msg === TYPEMETA_MSG) {
        if (f.name === 'apiVersion') this.apiVersion = text;
        if (f.name === 'kind') this.kind = text;
      }
      this.region(
        at,
        e,
        depth,
        `${name} (string, ${n}) = ${displayString(cutText(text, LABEL_VALUE_CHARS))}`,
        valueLayer,
      );
      return;
    }
    const sub = f?.type === 'message' ? f.message : f?.type === 'map' ? '' : undefined;
    if (sub !== undefined) {
      this.region(
        at,
        s,
        depth,
        `${name} (${f?.type === 'map' ? 'map entry' : (sub.split('.').pop() ?? 'message')}, ${n} bytes)`,
        layer === 'h-value' ? 'h-field' : layer,
      );
      if (depth >= MAX_DEPTH) return;
      if (f?.type === 'map') this.mapEntry(s, e, f, depth + 1, layer);
      else this.message(s, e, sub, depth + 1, layer === 'h-envelope' ? 'h-typemeta' : layer);
      return;
    }
    if (f?.type === 'bytes') {
      this.region(at, e, depth, `${name} (bytes, ${n}) = ${this.bytesPreview(s, e)}`, valueLayer, this.opt.maxField);
      return;
    }
    // no schema: guess text, then a nested message, then bytes
    const text = printable(this.buf, s, e);
    if (text !== undefined) {
      this.region(at, e, depth, `${name} (len ${n}) = ${displayString(cutText(text, LABEL_VALUE_CHARS))}`, valueLayer);
    } else if (n > 0 && depth < MAX_DEPTH && walks(this.buf, s, e)) {
      this.region(at, s, depth, `${name} (message?, ${n} bytes)`, layer === 'h-value' ? 'h-field' : layer);
      this.message(s, e, undefined, depth + 1, layer);
    } else {
      this.region(at, e, depth, `${name} (bytes, ${n}) = ${this.bytesPreview(s, e)}`, valueLayer);
    }
  }

  private mapEntry(s: number, e: number, f: MiniField, depth: number, layer: Layer): void {
    const entryMsg = `.map:${f.mapValue ?? ''}:${f.mapValueMessage ?? ''}`;
    BUILTIN[entryMsg] ??= {
      1: { name: 'key', type: (f.mapKey ?? 'string') as SchemaField['type'] },
      2:
        f.mapValue === 'message'
          ? {
              name: 'value',
              type: 'message',
              ...(f.mapValueMessage !== undefined ? { message: f.mapValueMessage } : {}),
            }
          : { name: 'value', type: (f.mapValue ?? 'string') as SchemaField['type'] },
    };
    this.message(s, e, entryMsg, depth, layer);
  }

  private bytesPreview(s: number, e: number): string {
    const text = printable(this.buf, s, e);
    if (text !== undefined) return displayString(cutText(text, LABEL_VALUE_CHARS));
    const n = Math.min(e - s, 12);
    return (
      Array.from(this.buf.subarray(s, s + n), (b) => b.toString(16).padStart(2, '0')).join('') + (e - s > n ? '…' : '')
    );
  }

  private scalar(type: string | undefined, v: number | bigint): string {
    switch (type) {
      case 'bool':
        return v === 0 ? 'false' : 'true';
      case 'int32':
        return String(Number(BigInt.asIntN(32, BigInt(v))));
      case 'int64':
        return String(BigInt.asIntN(64, BigInt(v)));
      case 'sint32':
      case 'sint64': {
        const b = BigInt(v);
        return String((b >> 1n) ^ -(b & 1n));
      }
      default:
        return String(v);
    }
  }

  private fixed(type: string | undefined, v: number | bigint, wire: number): string {
    if (type === 'double' && wire === FIXED64) {
      const dv = new DataView(new ArrayBuffer(8));
      dv.setBigUint64(0, BigInt(v), true);
      return String(dv.getFloat64(0, true));
    }
    if (type === 'float' && wire === FIXED32) {
      const dv = new DataView(new ArrayBuffer(4));
      dv.setUint32(0, Number(v), true);
      return String(dv.getFloat32(0, true));
    }
    return String(v);
  }
}

function printable(buf: Uint8Array, s: number, e: number): string | undefined {
  if (e === s) return '';
  for (let i = s; i < e; i++) {
    const c = buf[i] as number;
    if ((c < 0x20 && c !== 9 && c !== 10 && c !== 13) || c === 0x7f) return undefined;
  }
  const t = decodeGoString(buf, s, e);
  return /[\udc80-\udcff]/.test(t) ? undefined : t;
}

function walks(buf: Uint8Array, s: number, e: number): boolean {
  const r = new WireReader(buf, s);
  try {
    while (r.pos < e) {
      const tag = r.uint32(e);
      if (tag >>> 3 === 0) return false;
      r.skip(tag & 7, e, tag >>> 3);
    }
    return r.pos === e;
  } catch {
    return false;
  }
}

const IV_BYTES: Record<string, number> = { aescbc: 16, aesgcm: 12, secretbox: 24 };

function hexCols(bytes: Uint8Array): { hex: string; ascii: string } {
  let hex = '';
  let ascii = '';
  for (let i = 0; i < 16; i++) {
    if (i < bytes.length) {
      const b = bytes[i] as number;
      hex += b.toString(16).padStart(2, '0') + ' ';
      ascii += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.';
    } else {
      hex += '   ';
      ascii += ' ';
    }
    if (i === 7) hex += ' ';
  }
  return { hex, ascii };
}

/**
 * An annotated hex dump of a stored etcd value, naming each layer and (with a schema) each protobuf
 * field of the object.
 * @example
 * const r = renderHexDump(valueBytes, { schema: loadSchema() });
 * r.text.split('\n')[1] // '00000000  6b 38 73 00 …  k8s.   magic "k8s\0": protobuf envelope follows'
 */
export function renderHexDump(value: Uint8Array, options: HexDumpOptions = {}): Rendered {
  const d = new Dumper(value, {
    schema: options.schema,
    maxField: options.maxFieldBytes ?? 32,
    maxBody: options.maxBodyBytes ?? 256,
    maxLines: options.maxLines ?? 2000,
  });
  const sn = sniffValue(value);
  let base = 0;
  if (sn.stripped?.keyLine !== undefined) {
    base = value.indexOf(0x0a) + 1;
    d.region(
      0,
      base,
      0,
      `etcdctl key line ${displayString(cutText(sn.stripped.keyLine, LABEL_VALUE_CHARS))} (not part of the value)`,
      'h-key',
      64,
    );
  }
  const bodyStart = base + sn.bodyOffset;
  const bodyEnd = bodyStart + sn.body.length;
  let summary = `${value.length} bytes, ${sn.encoding}`;
  switch (sn.encoding) {
    case 'protobuf':
      d.region(base, bodyStart, 0, 'magic "k8s\\0": a protobuf runtime.Unknown envelope follows', 'h-magic');
      d.region(bodyStart, bodyStart, 0, `runtime.Unknown (${bodyEnd - bodyStart} bytes)`, 'h-envelope');
      d.message(bodyStart, bodyEnd, UNKNOWN_MSG, 1, 'h-envelope');
      summary += ` (k8s\\0 + runtime.Unknown)${d.kind !== '' ? `, ${d.apiVersion}/${d.kind}` : ''}${options.schema === undefined ? "; pass { schema } to name the object's fields" : ''}`;
      break;
    case 'encrypted': {
      const info = sn.encryption;
      const provider = info?.provider ?? '';
      d.region(
        base,
        bodyStart,
        0,
        `encryption prefix: provider ${displayString(provider)}, version ${displayString(info?.version ?? '')}, key ${displayString(info?.keyName ?? '')}`,
        'h-enc',
        64,
      );
      const iv = IV_BYTES[provider] ?? 0;
      const ivEnd = Math.min(bodyEnd, bodyStart + iv);
      if (iv > 0)
        d.region(
          bodyStart,
          ivEnd,
          0,
          `${provider === 'aescbc' ? 'IV' : 'nonce'} (${ivEnd - bodyStart} bytes)`,
          'h-cipher',
        );
      d.region(
        ivEnd,
        bodyEnd,
        0,
        `ciphertext (${bodyEnd - ivEnd} bytes): unreadable without the key`,
        'h-cipher',
        d.opt.maxBody,
      );
      summary += ` at rest (${provider}, key ${displayString(info?.keyName ?? '')})`;
      break;
    }
    case 'json': {
      let kind = '';
      try {
        const o = JSON.parse(Buffer.from(sn.body).toString('utf8')) as { apiVersion?: unknown; kind?: unknown };
        if (typeof o.kind === 'string') kind = `${typeof o.apiVersion === 'string' ? o.apiVersion + '/' : ''}${o.kind}`;
      } catch {
        kind = '';
      }
      d.region(
        bodyStart,
        bodyEnd,
        0,
        `JSON document (${bodyEnd - bodyStart} bytes)${kind !== '' ? `: ${kind}` : ''}`,
        'h-json',
        d.opt.maxBody,
      );
      if (kind !== '') summary += `, ${kind}`;
      break;
    }
    case 'cbor':
      d.region(bodyStart, bodyStart + 3, 0, 'CBOR self-described tag 55799 (d9 d9 f7)', 'h-magic');
      d.region(bodyStart + 3, bodyEnd, 0, `CBOR document (${bodyEnd - bodyStart - 3} bytes)`, 'h-json', d.opt.maxBody);
      break;
    default:
      d.region(
        bodyStart,
        bodyEnd,
        0,
        `unrecognised bytes (${bodyEnd - bodyStart}): no k8s\\0 magic, JSON, CBOR or encryption prefix`,
        'h-raw',
        d.opt.maxBody,
      );
  }
  if (sn.stripped?.trailingNewline === true)
    d.region(bodyEnd, bodyEnd + 1, 0, 'newline added by etcdctl (not part of the value)', 'h-key');
  const note = d.truncated ? `… stopped after ${d.opt.maxLines} lines; pass { maxLines } to see more` : undefined;

  let text = summary + '\n';
  let html = `<p class="kubetcd-caption">${escapeHtml(summary)}</p><pre>`;
  for (const l of d.lines) {
    const { hex, ascii } = hexCols(l.bytes);
    const off = l.offset.toString(16).padStart(8, '0');
    const label = '  '.repeat(l.depth) + l.label;
    text += `${off}  ${hex} ${ascii}  ${label}`.trimEnd() + '\n';
    html += `<span class="h-off">${off}</span>  <span class="${l.layer}">${hex}</span> <span class="h-ascii">${escapeHtml(ascii)}</span>  <span class="${l.layer}">${escapeHtml(label)}</span>\n`;
  }
  if (note !== undefined) {
    text += note + '\n';
    html += escapeHtml(note) + '\n';
  }
  html += '</pre>';
  return { html: wrapHtml(html), text };
}
