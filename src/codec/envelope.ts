/**
 * Recognises how a stored etcd value is encoded, after removing what `etcdctl` adds around it:
 * plain `etcdctl get` prints the key on a line of its own before the value, and both it and
 * `--print-value-only` print one `\n` after the value.
 *
 * - `k8s\0` + runtime.Unknown → `protobuf` (body = the Unknown message after the magic);
 * - `{` or `[` after optional whitespace → `json`;
 * - `d9 d9 f7` (self-described CBOR) → `cbor`;
 * - `k8s:enc:<provider>:<version>:<key>:` → `encrypted` (body = the ciphertext);
 * - anything else → `raw`, with a printable preview.
 *
 * A trailing `\n` is removed from a protobuf value only when a walk of the Unknown message's top-level
 * fields ends exactly before it (and would fail with it), because that byte can be real data; from a
 * CBOR value only when the item decodes without it and not with it; from a JSON value only when it
 * ends in `\n\n` (Kubernetes' JSON serializer itself ends every value with one `\n`). Encrypted and raw
 * values are never trimmed: their last byte cannot be told apart from data.
 */
import { BYTES, FIXED32, FIXED64, VARINT, WireReader } from '../util/wire-reader';
import type { Encoding, EncryptionInfo } from './types';
import { decodeCbor } from './cbor';

/** What {@link sniffValue} found. */
export interface Sniffed {
  encoding: Encoding;
  /** The bytes to decode: protobuf → runtime.Unknown; json/cbor → the document; encrypted → ciphertext. */
  body: Uint8Array;
  /**
   * Offset of `body[0]` in the value after any etcdctl key line was removed (the offsets that
   * DecodeError reports use the same origin). Add `keyLine` bytes + 1 for an offset in the input.
   */
  bodyOffset: number;
  /** What was removed from etcdctl output. */
  stripped?: { keyLine?: string; trailingNewline?: boolean };
  /** For `encrypted` values: the prefix's facts. */
  encryption?: EncryptionInfo;
  /** For `raw` values: the text when printable UTF-8, else a hex dump of the first 64 bytes. */
  preview?: string;
}

const PROTOBUF_MAGIC = [0x6b, 0x38, 0x73, 0x00];
const CBOR_SELF_DESCRIBE = [0xd9, 0xd9, 0xf7];
const ENCRYPTED_PREFIX = 'k8s:enc:';
const PREVIEW_CHARS = 200;
const PREVIEW_BYTES = 64;
const MAX_KEY_LINE_BYTES = 4096;
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const LATIN1 = new TextDecoder('latin1');

function startsWith(bytes: Uint8Array, prefix: readonly number[], at = 0): boolean {
  if (bytes.length - at < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (bytes[at + i] !== prefix[i]) return false;
  return true;
}

function isJsonStart(bytes: Uint8Array): boolean {
  for (const b of bytes) {
    if (b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d) continue;
    return b === 0x7b || b === 0x5b;
  }
  return false;
}

function isEncrypted(bytes: Uint8Array): boolean {
  return startsWith(
    bytes,
    Array.from(ENCRYPTED_PREFIX, (c) => c.charCodeAt(0)),
  );
}

function recognised(bytes: Uint8Array): boolean {
  return (
    startsWith(bytes, PROTOBUF_MAGIC) ||
    startsWith(bytes, CBOR_SELF_DESCRIBE) ||
    isEncrypted(bytes) ||
    isJsonStart(bytes)
  );
}

/**
 * True when `buf[start, end)` is a sequence of well-formed top-level protobuf fields. This is how a
 * trailing `\n` that etcdctl added is told from data: a `k8s\0` value ending in `\n` had it added exactly
 * when the bytes before it walk. Used by sniffValue and by decode's fast path (no allocation).
 * @example
 * walksAsFields(value, 4, value.length - 1) // true for etcdctl --print-value-only output
 */
export function walksAsFields(buf: Uint8Array, start: number, end: number): boolean {
  const r = new WireReader(buf, start);
  try {
    while (r.pos < end) {
      r.readVarint64Bits(end); // the tag, whole: a field number 0 (tag below 8) is not a field
      if (r.hi === 0 && r.lo < 8) return false;
      const wireType = r.lo & 7;
      if (wireType === VARINT) r.readVarint64Bits(end);
      else if (wireType === BYTES) {
        r.readVarint64Bits(end);
        if (r.hi !== 0 || r.lo > end - r.pos) return false;
        r.pos += r.lo;
      } else if (wireType === FIXED64 || wireType === FIXED32) {
        const n = wireType === FIXED64 ? 8 : 4;
        if (end - r.pos < n) return false;
        r.pos += n;
      } else return false;
    }
    return true;
  } catch {
    return false; // a varint running past the end, or longer than 10 bytes
  }
}

function cborDecodes(bytes: Uint8Array): boolean {
  try {
    decodeCbor(bytes);
    return true;
  } catch {
    return false;
  }
}

/** Whether the value's final `\n` was added by etcdctl, judged by the encoding. */
function hasAddedNewline(value: Uint8Array): boolean {
  const n = value.length;
  if (n === 0 || value[n - 1] !== 0x0a) return false;
  if (startsWith(value, PROTOBUF_MAGIC)) {
    return !walksAsFields(value, 4, n) && walksAsFields(value, 4, n - 1);
  }
  if (startsWith(value, CBOR_SELF_DESCRIBE)) {
    return !cborDecodes(value) && cborDecodes(value.subarray(0, n - 1));
  }
  if (isJsonStart(value)) return n >= 2 && value[n - 2] === 0x0a;
  return false;
}

function keyLineOf(value: Uint8Array): { keyLine: string; rest: Uint8Array } | undefined {
  const limit = Math.min(value.length, MAX_KEY_LINE_BYTES);
  let nl = -1;
  for (let i = 0; i < limit; i++) {
    if (value[i] === 0x0a) {
      nl = i;
      break;
    }
  }
  if (nl <= 0) return undefined;
  let keyLine: string;
  try {
    keyLine = UTF8.decode(value.subarray(0, nl));
  } catch {
    return undefined;
  }
  if (/[\u0000-\u001f\u007f]/.test(keyLine)) return undefined;
  if (!keyLine.startsWith('/') && /\s/.test(keyLine)) return undefined;
  const rest = value.subarray(nl + 1);
  return recognised(rest) ? { keyLine, rest } : undefined;
}

function encryptionOf(body: Uint8Array): { info: EncryptionInfo; prefixBytes: number } {
  const head = LATIN1.decode(body.subarray(0, Math.min(body.length, 512)));
  const m = /^k8s:enc:([^:]*):([^:]*):([^:]*):/.exec(head);
  if (m === null) {
    const provider = /^k8s:enc:([^:]*)/.exec(head)?.[1] ?? '';
    const prefixBytes = ENCRYPTED_PREFIX.length;
    return { info: { provider, version: '', keyName: '', ciphertextBytes: body.length - prefixBytes }, prefixBytes };
  }
  const prefixBytes = m[0].length;
  return {
    info: {
      provider: m[1] as string,
      version: m[2] as string,
      keyName: m[3] as string,
      ciphertextBytes: body.length - prefixBytes,
    },
    prefixBytes,
  };
}

function previewOf(bytes: Uint8Array): string {
  let text: string | undefined;
  try {
    text = UTF8.decode(bytes);
  } catch {
    text = undefined;
  }
  if (text !== undefined && !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(text)) {
    if (text.length <= PREVIEW_CHARS) return text;
    return `${text.slice(0, PREVIEW_CHARS)}… (${bytes.length} bytes in all)`;
  }
  const shown = bytes.subarray(0, PREVIEW_BYTES);
  const hex = Array.from(shown, (b) => b.toString(16).padStart(2, '0')).join(' ');
  return bytes.length > PREVIEW_BYTES ? `${hex} … (${bytes.length} bytes in all)` : hex;
}

/**
 * Recognises the encoding of a stored value (and strips etcdctl's key line and trailing newline).
 * @example
 * sniffValue(new TextEncoder().encode('{"kind":"Foo"}')).encoding // 'json'
 */
export function sniffValue(value: Uint8Array): Sniffed {
  let stripped: { keyLine?: string; trailingNewline?: boolean } | undefined;
  let v = value;
  if (!recognised(v)) {
    const k = keyLineOf(v);
    if (k !== undefined) {
      stripped = { keyLine: k.keyLine };
      v = k.rest;
    }
  }
  if (hasAddedNewline(v)) {
    stripped = { ...stripped, trailingNewline: true };
    v = v.subarray(0, v.length - 1);
  }
  const withStripped = <T extends object>(s: T): T & { stripped?: NonNullable<typeof stripped> } =>
    stripped === undefined ? s : { ...s, stripped };
  if (startsWith(v, PROTOBUF_MAGIC)) {
    return withStripped({ encoding: 'protobuf' as const, body: v.subarray(4), bodyOffset: 4 });
  }
  if (startsWith(v, CBOR_SELF_DESCRIBE)) return withStripped({ encoding: 'cbor' as const, body: v, bodyOffset: 0 });
  if (isEncrypted(v)) {
    const { info, prefixBytes } = encryptionOf(v);
    return withStripped({
      encoding: 'encrypted' as const,
      body: v.subarray(prefixBytes),
      bodyOffset: prefixBytes,
      encryption: info,
    });
  }
  if (isJsonStart(v)) return withStripped({ encoding: 'json' as const, body: v, bodyOffset: 0 });
  return withStripped({ encoding: 'raw' as const, body: v, bodyOffset: 0, preview: previewOf(v) });
}
