/**
 * Decoding of stored values into the JSON objects Kubernetes' Go code prints: the public entry
 * ({@link decodeValue}), which tells the encodings apart (protobuf `k8s\0`, JSON, CBOR, encrypted, raw),
 * reads the protobuf envelope (runtime-unknown.ts) and hands the object's own bytes to the schema's
 * decoder (protobuf-decoder.ts). A kind the schema does not know goes through one place,
 * {@link decodeUnknownKind}.
 *
 * The protobuf decoding itself: plans per message (decode-plan.ts), generated message decoders
 * (decode-message.ts), scalars and strings (decode-scalars.ts), messages with custom JSON such as Time,
 * Quantity and RawExtension (decode-well-known.ts). Unknown fields are kept with their path; any
 * malformed input becomes a DecodeError naming the byte.
 */
import { DecodeError } from '../errors';
import { decodeCbor } from './cbor';
import { decryptAndDecode, type EncryptionConfig } from './decrypt';
import { sniffValue, walksAsFields } from './envelope';
import { parseKubeJson } from './go-json';
import { decodeGoString } from './go-utf8';
import type { ProtobufDecoder } from './protobuf-decoder';
import { dumpProtoFields } from './proto-dump';
import { readRuntimeUnknown, type RuntimeUnknown } from './runtime-unknown';
import type { Decoded, KubeObject } from './types';
import { decodeUnknownKind as decodeUnknownKindMetadata } from './unknown-kind';

/** Options of `decode`. */
export interface DecodeOptions {
  /**
   * apiVersion and kind to use when the value does not name them (a protobuf envelope with an empty
   * TypeMeta, or an inner object without the `k8s\0` envelope when `bare` is set).
   */
  apiVersion?: string;
  kind?: string;
  /** The value is a bare protobuf message (runtime.Unknown's `raw`), not a `k8s\0` envelope. */
  bare?: boolean;
  /**
   * kube-apiserver's EncryptionConfiguration (from `loadEncryptionConfig`): a value encrypted at rest
   * is decrypted with it, then decoded as usual; `encryption.decrypted` says whether a key opened it.
   */
  decryption?: EncryptionConfig;
  /** The value's full etcd key: AES-GCM authenticates it (needed with `decryption`); errors name it. */
  key?: string | Uint8Array;
}

/**
 * Decodes a stored value with a given decoder (see `decode` in index.ts for the public entry point).
 * Never throws on bad data.
 * @example
 * decodeValue(createProtobufDecoder(loadSchema()), bytes).object
 */
export function decodeValue(
  decoderOrGetter: ProtobufDecoder | (() => ProtobufDecoder),
  value: Uint8Array,
  options: DecodeOptions = {},
): Decoded {
  // The schema is only needed for protobuf: JSON, CBOR, encrypted and raw values decode without it.
  const getDecoder = (): ProtobufDecoder =>
    typeof decoderOrGetter === 'function' ? decoderOrGetter() : decoderOrGetter;
  if (!(value instanceof Uint8Array)) {
    const what = value === null ? 'null' : typeof value;
    return {
      encoding: 'raw',
      valueBytes: 0,
      error: new DecodeError(
        `Cannot decode a value of type ${what}: expected a Uint8Array (or Buffer) of the stored bytes.`,
        0,
      ),
    };
  }
  const result: Decoded = { encoding: 'raw', valueBytes: value.length };
  if (options.bare) {
    result.encoding = 'protobuf';
    decodeBareProtobuf(getDecoder(), value, 0, options.apiVersion ?? '', options.kind ?? '', result);
    return result;
  }
  // The common case first: a `k8s\0` value, read in place (no sniffing, no copies).
  if (value.length >= 4 && value[0] === 0x6b && value[1] === 0x38 && value[2] === 0x73 && value[3] === 0x00) {
    const buf = asBuffer(value);
    result.encoding = 'protobuf';
    let end = value.length;
    if (value[end - 1] === 0x0a && walksAsFields(buf, 4, end - 1)) {
      // the `\n` etcdctl prints after a value (see sniffValue)
      end--;
      result.stripped = { trailingNewline: true };
    }
    decodeProtobufValue(getDecoder, buf, 4, end, 0, options, result);
    return result;
  }
  let sniffed: ReturnType<typeof sniffValue>;
  try {
    sniffed = sniffValue(value);
  } catch (e) {
    result.error = e instanceof DecodeError ? e : new DecodeError(`Cannot read the value: ${(e as Error).message}.`, 0);
    return result;
  }
  result.encoding = sniffed.encoding;
  if (sniffed.stripped !== undefined) result.stripped = sniffed.stripped;
  const body = sniffed.body;
  const base = sniffed.bodyOffset;
  switch (sniffed.encoding) {
    case 'protobuf':
      decodeProtobufValue(getDecoder, asBuffer(body), 0, body.length, base, options, result);
      return result;
    case 'json': {
      try {
        const text = decodeGoString(body, 0, body.length);
        const obj = parseKubeJson(text);
        if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
          result.error = new DecodeError('The JSON value is not an object.', base);
          return result;
        }
        result.object = obj as KubeObject;
        takeTypeMeta(result);
      } catch (e) {
        const off = (e as { details?: { offset?: number } }).details?.offset ?? 0;
        result.error = new DecodeError(`Cannot decode the JSON value: ${(e as Error).message}`, base + off);
      }
      return result;
    }
    case 'cbor': {
      try {
        const obj = decodeCbor(body, 0);
        if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
          result.error = new DecodeError('The CBOR value is not a map.', base);
          return result;
        }
        result.object = obj as KubeObject;
        takeTypeMeta(result);
      } catch (e) {
        result.error =
          e instanceof DecodeError ? e : new DecodeError(`Cannot decode the CBOR value: ${(e as Error).message}`, base);
      }
      return result;
    }
    case 'encrypted':
      if (sniffed.encryption !== undefined) result.encryption = sniffed.encryption;
      if (options.decryption !== undefined) {
        // encrypted values are never trimmed: the value runs from the prefix to the end
        const full = value.subarray(value.length - base - body.length);
        return decryptAndDecode(full, sniffed, options, result, (plain, rest) =>
          decodeValue(decoderOrGetter, plain, rest),
        );
      }
      return result;
    default:
      if (sniffed.preview !== undefined) result.preview = sniffed.preview;
      return result;
  }
}

/** A Buffer over the same bytes (Buffers have native string slicing). */
function asBuffer(value: Uint8Array): Buffer {
  return Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}

/** Decodes the runtime.Unknown in `buf[start, end)` (error offsets add `base`) into `result`. */
function decodeProtobufValue(
  getDecoder: () => ProtobufDecoder,
  buf: Buffer,
  start: number,
  end: number,
  base: number,
  options: DecodeOptions,
  result: Decoded,
): void {
  let env: RuntimeUnknown;
  try {
    env = readRuntimeUnknown(buf, start, end, base);
  } catch (e) {
    result.error =
      e instanceof DecodeError
        ? e
        : new DecodeError(`Cannot decode the protobuf envelope: ${String(e)}.`, base + start);
    return;
  }
  const named = env.apiVersion !== '' || env.kind !== '';
  const apiVersion = named ? env.apiVersion : (options.apiVersion ?? '');
  const kind = named ? env.kind : (options.kind ?? '');
  if (apiVersion !== '') result.apiVersion = apiVersion;
  if (kind !== '') result.kind = kind;
  if (env.contentEncoding !== '') {
    result.error = new DecodeError(
      `Cannot decode ${apiVersion}/${kind}: content encoding ${JSON.stringify(env.contentEncoding)} is not supported (only none).`,
      base + start,
    );
    return;
  }
  if (env.rawStart < 0) {
    env.rawStart = end;
    env.rawEnd = end;
  }
  if (apiVersion === '' && kind === '') {
    result.protoFields = dumpProtoFields(buf, env.rawStart, env.rawEnd);
    result.error = new DecodeError(
      `The protobuf envelope (runtime.Unknown, ${end - start} bytes) names no apiVersion or kind, so the object's type is unknown. ` +
        'If the value is complete, pass { apiVersion, kind } to decode it.',
      base + start,
    );
    return;
  }
  const decoder = getDecoder();
  const found = decoder.kindFor(apiVersion, kind);
  if (found === undefined) {
    decodeUnknownKind(decoder, buf, env.rawStart, env.rawEnd, base, apiVersion, kind, false, result);
    return;
  }
  if (found.schemaVersion !== undefined) result.schemaVersion = found.schemaVersion;
  const out = decoder.decodeObject(buf, env.rawStart, env.rawEnd, base, found.message, { kind, apiVersion });
  if (out.object !== undefined) result.object = out.object;
  if (out.unknownFields !== undefined) result.unknownFields = out.unknownFields;
  if (out.error !== undefined) {
    result.error = new DecodeError(`Cannot decode ${apiVersion}/${kind}: ${out.error.message}`, out.error.offset);
  }
}

function takeTypeMeta(result: Decoded): void {
  const o = result.object as KubeObject;
  if (typeof o['apiVersion'] === 'string') result.apiVersion = o['apiVersion'];
  if (typeof o['kind'] === 'string') result.kind = o['kind'];
}

function decodeBareProtobuf(
  decoder: ProtobufDecoder,
  value: Uint8Array,
  base: number,
  apiVersion: string,
  kind: string,
  result: Decoded,
): void {
  if (apiVersion !== '') result.apiVersion = apiVersion;
  if (kind !== '') result.kind = kind;
  const found = decoder.kindFor(apiVersion, kind);
  if (found === undefined) {
    decodeUnknownKind(decoder, value, 0, value.length, base, apiVersion, kind, true, result);
    return;
  }
  if (found.schemaVersion !== undefined) result.schemaVersion = found.schemaVersion;
  const out = decoder.decodeObject(value, 0, value.length, base, found.message, { kind, apiVersion });
  if (out.object !== undefined) result.object = out.object;
  if (out.unknownFields !== undefined) result.unknownFields = out.unknownFields;
  if (out.error !== undefined) result.error = out.error;
}

/**
 * The one place for a kind the schema does not know (`apiVersion`/`kind` from the envelope or the
 * options). From an envelope: its metadata is decoded from field 1 and the rest shown schema-less
 * (unknown-kind.ts), with an error that says whether the kind is newer or removed. A bare message
 * (decode's `{ bare: true }`) is shown schema-less in `protoFields`.
 */
function decodeUnknownKind(
  decoder: ProtobufDecoder,
  buf: Uint8Array,
  start: number,
  end: number,
  base: number,
  apiVersion: string,
  kind: string,
  bare: boolean,
  result: Decoded,
): void {
  if (!bare) {
    // metadata decoded from field 1, the rest schema-less; the error says newer or removed (unknown-kind.ts)
    Object.assign(result, decodeUnknownKindMetadata(decoder, buf, start, end, base, apiVersion, kind));
    return;
  }
  result.protoFields = dumpProtoFields(buf, start, end);
  result.error = new DecodeError(
    `Unknown kind ${JSON.stringify(kind)} of ${JSON.stringify(apiVersion)}: pass { apiVersion, kind } of a kind the schema knows to decode a bare protobuf message.`,
    base,
  );
}
