/**
 * The storage envelope of protobuf values: after the `k8s\0` magic, a runtime.Unknown naming the
 * object's apiVersion and kind and holding its own protobuf (`raw`). Read by the decoder and the projector.
 */
import { BYTES, WireReader, wireTypeName } from '../util/wire-reader';
import { readString } from './decode-scalars';

/** The fields of a runtime.Unknown (positions index the buffer read; `rawStart` -1 when `raw` is absent). */
export interface RuntimeUnknown {
  apiVersion: string;
  kind: string;
  rawStart: number;
  rawEnd: number;
  contentEncoding: string;
  contentType: string;
}

/**
 * Reads runtime.Unknown {typeMeta=1 {apiVersion=1, kind=2}, raw=2, contentEncoding=3, contentType=4}
 * from `buf[start, end)` (positions index `buf`; error offsets add `base`). Throws a DecodeError naming
 * the byte when the bytes are not one.
 * @example
 * const env = readRuntimeUnknown(Buffer.from(value), 4, value.length, 0); // after `k8s\0`
 * env.kind // 'Pod'
 */
export function readRuntimeUnknown(buf: Buffer, start: number, end: number, base: number): RuntimeUnknown {
  const r = new WireReader(buf, start, base);
  const env: RuntimeUnknown = {
    apiVersion: '',
    kind: '',
    rawStart: -1,
    rawEnd: -1,
    contentEncoding: '',
    contentType: '',
  };

  while (r.pos < end) {
    const tagAt = r.pos;
    const tag = r.uint32(end);
    const num = tag >>> 3;
    const wt = tag & 7;
    if (num >= 1 && num <= 4 && wt !== BYTES) {
      throw r.fail(`runtime.Unknown field ${num} expects ${wireTypeName(BYTES)}, found ${wireTypeName(wt)}`, tagAt);
    }
    if (num === 1) {
      const e = r.lengthEnd(end);
      while (r.pos < e) {
        const at = r.pos;
        const t = r.uint32(e);
        const n = t >>> 3;
        if ((n === 1 || n === 2) && (t & 7) !== BYTES) throw r.fail(`runtime.TypeMeta field ${n} expects a string`, at);
        if (n === 1) env.apiVersion = readString(r, buf, e);
        else if (n === 2) env.kind = readString(r, buf, e);
        else if (n === 0) throw r.fail('invalid field number 0 in runtime.TypeMeta', at);
        else r.skip(t & 7, e, n);
      }
    } else if (num === 2) {
      const e = r.lengthEnd(end);
      env.rawStart = r.pos;
      env.rawEnd = e;
      r.pos = e;
    } else if (num === 3) {
      env.contentEncoding = readString(r, buf, end);
    } else if (num === 4) {
      env.contentType = readString(r, buf, end);
    } else if (num === 0) {
      throw r.fail(`invalid field number 0 in runtime.Unknown (tag ${tag})`, tagAt);
    } else {
      r.skip(wt, end, num);
    }
  }
  return env;
}
