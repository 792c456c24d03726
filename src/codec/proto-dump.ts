/**
 * A schema-less view of a protobuf message, for kinds the schema does not know: every field with its
 * number and wire type; length-delimited values shown as nested messages when the bytes parse as one,
 * as text when they are printable UTF-8, else as hex.
 */
import { BYTES, FIXED32, FIXED64, VARINT, WireReader } from '../util/wire-reader';
import { decodeGoString, holdsInvalidUtf8 } from './go-utf8';
import type { ProtoDumpField } from './types';

const MAX_DUMP_DEPTH = 100;

/**
 * Dumps the fields of the protobuf message in `bytes[start, end)` without a schema. Never throws: if
 * the bytes stop parsing, the fields read so far are returned, followed by a field numbered 0 whose
 * value is the hex of the unparsed rest.
 * @example
 * dumpProtoFields(new Uint8Array([0x08, 0x01, 0x12, 0x02, 0x68, 0x69]))
 * // [{ number: 1, wireType: 0, value: 1 }, { number: 2, wireType: 2, value: 'hi', as: 'string' }]
 */
export function dumpProtoFields(bytes: Uint8Array, start = 0, end = bytes.length): ProtoDumpField[] {
  const fields = tryParse(bytes, start, end, 0);
  if (fields !== undefined) return fields;
  // Salvage: read as far as possible.
  const out: ProtoDumpField[] = [];
  const r = new WireReader(bytes, start);
  let lastGood = start;
  try {
    while (r.pos < end) {
      const f = readField(bytes, r, end, 0);
      out.push(f);
      lastGood = r.pos;
    }
  } catch {
    out.push({ number: 0, wireType: BYTES, value: bytesHex(bytes, lastGood, end), as: 'hex' });
  }
  return out;
}

function tryParse(bytes: Uint8Array, start: number, end: number, depth: number): ProtoDumpField[] | undefined {
  if (depth > MAX_DUMP_DEPTH) return undefined;
  const r = new WireReader(bytes, start);
  const out: ProtoDumpField[] = [];
  try {
    while (r.pos < end) out.push(readField(bytes, r, end, depth));
  } catch {
    return undefined;
  }
  return out;
}

function readField(bytes: Uint8Array, r: WireReader, end: number, depth: number): ProtoDumpField {
  const tag = r.uint32(end);
  const number = tag >>> 3;
  const wireType = tag & 7;
  if (number === 0) throw r.fail('field number 0');
  switch (wireType) {
    case VARINT:
      return { number, wireType, value: r.uint64(end) };
    case FIXED64:
      return { number, wireType, value: r.fixed64(end) };
    case FIXED32:
      return { number, wireType, value: r.fixed32(end) };
    case BYTES: {
      const e = r.lengthEnd(end);
      const s = r.pos;
      r.pos = e;
      const text = printableText(bytes, s, e);
      // Text first: short ASCII strings often happen to parse as messages too.
      if (text !== undefined) return { number, wireType, value: text, as: 'string' };
      const nested = e > s ? tryParse(bytes, s, e, depth + 1) : undefined;
      if (nested !== undefined) return { number, wireType, value: nested, as: 'message' };
      return { number, wireType, value: bytesHex(bytes, s, e), as: 'hex' };
    }
    default:
      throw r.fail(`unsupported wire type ${wireType}`);
  }
}

/**
 * The bytes `bytes[s, e)` as text when they are printable UTF-8 (tabs and newlines allowed, no other
 * control characters, no invalid sequences), else undefined.
 * @example
 * printableText(Buffer.from('hi'), 0, 2) // 'hi'
 */
export function printableText(bytes: Uint8Array, s: number, e: number): string | undefined {
  for (let i = s; i < e; i++) {
    const c = bytes[i] as number;
    if ((c < 0x20 && c !== 9 && c !== 10 && c !== 13) || c === 0x7f) return undefined;
  }
  const text = decodeGoString(bytes, s, e);
  return text.includes('\uFFFD') || holdsInvalidUtf8(text) ? undefined : text;
}

/**
 * The bytes `bytes[s, e)` in lowercase hex.
 * @example
 * bytesHex(new Uint8Array([0, 1, 254]), 0, 3) // '0001fe'
 */
export function bytesHex(bytes: Uint8Array, s: number, e: number): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset + s, e - s).toString('hex');
}
