/**
 * Messages with custom JSON, read by hand rather than by a generated decoder: metav1.Time and MicroTime
 * (RFC 3339 text), Duration (Go's duration text), IntOrString, Quantity (canonical form), and the
 * embedded JSON of FieldsV1 and RawExtension (parsed, keeping the stored text where re-printing would
 * change it).
 */
import { DecodeError } from '../errors';
import { wireTypeName } from '../util/wire-reader';
import {
  SPECIAL_DURATION,
  SPECIAL_FIELDSV1,
  SPECIAL_INTORSTRING,
  SPECIAL_MICROTIME,
  SPECIAL_QUANTITY,
  SPECIAL_RAWEXTENSION,
  SPECIAL_TIME,
  TYPE_STRING,
  type DecodeState,
  type MessagePlan,
} from './decode-plan';
import { pathText, readScalar, readString, readUnknownField } from './decode-scalars';
import { compactJson, parseKubeJson, toKubeJson } from './go-json';
import { formatGoDuration } from './go-duration';
import { decodeGoString } from './go-utf8';
import { formatMicroTime, formatTime } from './kube-time';
import { bytesHex, printableText } from './proto-dump';
import { canonicalQuantity } from './quantity';
import { markRawJson } from './raw-json';

const ZERO_TIME_SECONDS = -62135596800;
/**
 * Embedded JSON text that re-printing its parsed value might change (escapes, number forms, integer-like
 * keys that JavaScript reorders); other text prints back identically once compacted.
 */
const MAY_REPRINT_DIFFERENTLY = /\\[u/]|[0-9][.eE]|-0|"[0-9]+"\s*:/;
/** Canonical Quantities by their stored text: a cluster uses few distinct ones (`100m`, `1Gi`). */
const QUANTITY_CACHE = new Map<string, string>();
/** `YYYY-MM-DDT` by day since 1970: a cluster's timestamps fall on few distinct days. */
const DAY_PREFIX_CACHE = new Map<number, string>();
/** `HH:MM:SSZ` by second of the day, made on first use (one string each, shared by every Time printed). */
const TIME_OF_DAY: (string | undefined)[] = new Array<string | undefined>(86400);
const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));
/** Unix seconds of 10000-01-01T00:00:00Z: below it (and from 1970), the fast path of {@link timeText} applies. */
const YEAR_10000_SECONDS = 253402300800;

/**
 * How Kubernetes prints a metav1.Time of these Unix seconds (null for Go's zero time). Times from 1970 to
 * 9999 are built from their day's cached date and the time of day; others by formatTime's calendar.
 */
export function timeText(seconds: number | bigint): string | null {
  if (seconds === ZERO_TIME_SECONDS) return null;
  if (typeof seconds !== 'number' || !(seconds >= 0 && seconds < YEAR_10000_SECONDS) || !Number.isInteger(seconds))
    return formatTime(seconds, 0);
  const day = Math.floor(seconds / 86400);
  let prefix = DAY_PREFIX_CACHE.get(day);
  if (prefix === undefined) {
    if (DAY_PREFIX_CACHE.size >= 4096) DAY_PREFIX_CACHE.clear();
    prefix = formatTime(day * 86400, 0).slice(0, 11);
    DAY_PREFIX_CACHE.set(day, prefix);
  }
  const s = seconds - day * 86400;
  let time = TIME_OF_DAY[s];
  if (time === undefined) {
    const h = Math.floor(s / 3600);
    const m = Math.floor((s - h * 3600) / 60);
    TIME_OF_DAY[s] = time = `${pad2(h)}:${pad2(m)}:${pad2(s - h * 3600 - m * 60)}Z`;
  }
  // one concatenation of two shared strings: a small node, not a chain of seven pieces kept per object
  return prefix + time;
}

/**
 * Reads a metav1.Time: the usual seconds (field 1) and nanos (field 2) directly; anything else (unknown
 * fields, wrong wire types) goes through {@link readSpecial} from the start of the message.
 */
export function readTime(ctx: DecodeState, plan: MessagePlan, end: number, depth: number): unknown {
  const r = ctx.r;
  const buf = ctx.buf;
  const start = r.pos;
  let seconds: number | bigint = 0;
  while (r.pos < end) {
    const tag = buf[r.pos];
    if (tag === 0x08) {
      r.pos++;
      seconds = r.int64(end);
    } else if (tag === 0x10) {
      r.pos++;
      r.int32(end); // nanos: metav1.Time prints whole seconds
    } else {
      r.pos = start;
      return readSpecial(ctx, plan, end, depth);
    }
  }
  return end === start ? null : timeText(seconds);
}

/**
 * Reads the message of a type with custom JSON (Time, MicroTime, Duration, IntOrString, Quantity,
 * FieldsV1, RawExtension; ListWrapper is a list of messages: `readListWrapper` in decode-message.ts).
 */
export function readSpecial(ctx: DecodeState, plan: MessagePlan, end: number, depth: number): unknown {
  const r = ctx.r;
  const start = r.pos;
  let seconds: number | bigint = 0;
  let nanos = 0;
  let i64: number | bigint = 0;
  let i32 = 0;
  let str: string | undefined;
  let rawStart = -1;
  let rawEnd = -1;
  const special = plan.special;
  while (r.pos < end) {
    const tagAt = r.pos;
    const tag = r.uint32(end);
    const num = tag >>> 3;
    const wt = tag & 7;
    if (num === 0) throw r.fail(`invalid field number 0 in ${plan.m.name}`, tagAt);
    const fp = plan.byNumber[num];
    if (fp === undefined) {
      readUnknownField(ctx, num, wt, end, depth);
      continue;
    }
    if (wt !== fp.wireType)
      throw r.fail(
        `field ${plan.m.name}.${fp.f.name} (${num}) expects ${wireTypeName(fp.wireType)}, found ${wireTypeName(wt)}`,
        tagAt,
      );
    switch (special) {
      case SPECIAL_TIME:
      case SPECIAL_MICROTIME:
        if (num === 1) seconds = r.int64(end);
        else if (num === 2) nanos = r.int32(end);
        else r.skip(wt, end, num);
        break;
      case SPECIAL_DURATION:
        if (num === 1) i64 = r.int64(end);
        else r.skip(wt, end, num);
        break;
      case SPECIAL_INTORSTRING:
        if (num === 1) i64 = r.int64(end);
        else if (num === 2) i32 = r.int32(end);
        else if (num === 3) str = readScalar(ctx, TYPE_STRING, end) as string;
        else r.skip(wt, end, num);
        break;
      case SPECIAL_QUANTITY:
        if (num === 1) {
          const at = r.pos;
          str = readString(r, ctx.buf, end);
          let canonical = QUANTITY_CACHE.get(str);
          if (canonical === undefined) {
            try {
              canonical = canonicalQuantity(str);
            } catch (e) {
              throw r.fail(`invalid quantity ${JSON.stringify(str)} (${(e as Error).message})`, at);
            }
            if (QUANTITY_CACHE.size >= 4096) QUANTITY_CACHE.clear();
            QUANTITY_CACHE.set(str, canonical);
          }
          str = canonical;
        } else r.skip(wt, end, num);
        break;
      case SPECIAL_FIELDSV1:
      case SPECIAL_RAWEXTENSION:
        if (num === 1) {
          const e = r.lengthEnd(end);
          rawStart = r.pos;
          rawEnd = e;
          r.pos = e;
        } else r.skip(wt, end, num);
        break;
      default:
        r.skip(wt, end, num);
    }
  }
  if (r.pos !== end) throw r.fail(`field ran past the end of its message (ends at ${r.base + end})`);
  switch (special) {
    case SPECIAL_TIME:
      return end === start ? null : timeText(seconds);
    case SPECIAL_MICROTIME: {
      if (end === start) return null;
      if (nanos < 0 || nanos >= 1e9) {
        const carry = Math.floor(nanos / 1e9);
        nanos -= carry * 1e9;
        seconds = typeof seconds === 'bigint' ? seconds + BigInt(carry) : seconds + carry;
      }
      if (seconds === ZERO_TIME_SECONDS && nanos === 0) return null;
      return formatMicroTime(seconds, nanos);
    }
    case SPECIAL_DURATION:
      return formatGoDuration(BigInt(i64));
    case SPECIAL_INTORSTRING:
      if (i64 === 0) return i32;
      if (i64 === 1) return str ?? '';
      throw r.fail(`IntOrString type ${String(i64)} is neither 0 (int) nor 1 (string)`, start);
    case SPECIAL_QUANTITY:
      return str ?? '0';
    case SPECIAL_FIELDSV1:
    case SPECIAL_RAWEXTENSION: {
      if (rawStart < 0) return null;
      const text = decodeGoString(ctx.buf, rawStart, rawEnd);
      ctx.rawField = undefined;
      try {
        const value = parseKubeJson(text);
        if (value !== null && MAY_REPRINT_DIFFERENTLY.test(text)) {
          // keep the stored text where re-printing the parsed value would not give it back: on the
          // value itself, or (a bare number or string) for the reading field to put on its parent
          const compact = compactJson(text, { escapeHtml: true });
          const printed = toKubeJson(value);
          if (printed !== compact) {
            if (typeof value === 'object') markRawJson(value, compact, printed);
            else ctx.rawField = { text: compact, printed };
          }
        }
        return value;
      } catch (e) {
        // Go cannot print such an object at all (kube-apiserver fails to serve it). Rather than lose the
        // whole object: the field reads null, its bytes stay visible in unknownFields, and the error says why.
        const path = pathText(ctx, depth);
        const what = special === SPECIAL_FIELDSV1 ? 'FieldsV1' : 'RawExtension';
        ctx.unknown.push({
          path,
          number: 1,
          wireType: 2,
          value: printableText(ctx.buf, rawStart, rawEnd) ?? bytesHex(ctx.buf, rawStart, rawEnd),
        });
        ctx.partial ??= new DecodeError(
          `${path || 'The object'}: the ${what} at byte ${r.base + rawStart} does not hold valid JSON (${(e as Error).message}). ` +
            'Kubernetes could not print this object either; kubetcd shows the field as null and keeps its bytes in unknownFields.',
          r.base + rawStart,
          { path },
        );
        return null;
      }
    }
    default:
      return null;
  }
}
