/**
 * What `decode` returns. It never throws on bad data: problems are in `error`.
 */
import type { DecodeError } from '../errors';

/** How a stored value is encoded. */
export type Encoding = 'protobuf' | 'json' | 'cbor' | 'encrypted' | 'raw';

/**
 * A decoded Kubernetes object: plain data shaped like `kubectl get -o json`. Integers beyond 2^53
 * (int64 fields such as `generation`) are `bigint` so they stay exact; `toKubeJson` prints them.
 * Strings (values and map keys) with invalid UTF-8 hold each invalid byte b as the lone surrogate
 * U+DC00+b (U+DC80–U+DCFF), so nothing is lost: `toKubeJson` prints each such byte as `\ufffd`
 * (as Go does), `encode` writes the original bytes back, and map keys sort by their original bytes.
 * Embedded JSON (RawExtension, FieldsV1) objects and arrays may carry their stored text under a hidden
 * symbol (see `rawJsonMark`), which `toKubeJson` and `encode` use while the value is unchanged.
 */
export type KubeObject = Record<string, unknown>;

/** A protobuf field the schema does not know (written by another Kubernetes version), kept visible. */
export interface UnknownField {
  /** Path of the message that held it in the decoded object (`metadata`, `spec.containers[0]`). */
  path: string;
  /** Protobuf field number. */
  number: number;
  /** Protobuf wire type (0 varint, 1 fixed64, 2 length-delimited, 5 fixed32). */
  wireType: number;
  /** Its value: a number/bigint (varint/fixed), a string when the bytes are printable UTF-8, else hex. */
  value: unknown;
}

/** One field of a schema-less protobuf dump (a kind the schema does not know). */
export interface ProtoDumpField {
  number: number;
  wireType: number;
  /** varint/fixed → number or bigint; bytes → string (text), nested fields (a message), or hex. */
  value: number | bigint | string | ProtoDumpField[];
  /** How `value` of a length-delimited field was read. */
  as?: 'string' | 'message' | 'hex';
}

/** At-rest encryption as announced by the value's prefix. */
export interface EncryptionInfo {
  /** `aescbc`, `aesgcm`, `secretbox`, `kms`, … */
  provider: string;
  /** `v1` or `v2` (KMS), as in the prefix. */
  version: string;
  /** The key name (or KMS plugin name) from the prefix. */
  keyName: string;
  /** Bytes of ciphertext after the prefix. */
  ciphertextBytes: number;
  /**
   * Set when decode was given an EncryptionConfiguration (`decryption`): true when this key opened
   * the value (the object was then decoded from the plaintext), false when it could not (see `error`).
   */
  decrypted?: boolean;
}

/** The result of `decode`. */
export interface Decoded {
  encoding: Encoding;
  /** From the envelope or the JSON object, when known. */
  apiVersion?: string;
  kind?: string;
  /** The object as `kubectl get -o json` prints it (undefined when it could not be decoded). */
  object?: KubeObject;
  /** Why decoding failed or was partial. */
  error?: DecodeError;
  /** Fields the schema did not know, kept visible (never silently dropped). */
  unknownFields?: UnknownField[];
  /**
   * For a kind the schema does not know: its protobuf fields, schema-less; all but field 1 when that decoded
   * as the object's metadata (then `object` holds apiVersion, kind and metadata).
   */
  protoFields?: ProtoDumpField[];
  /** For encrypted values. */
  encryption?: EncryptionInfo;
  /** For raw values: printable text when the bytes are UTF-8 text, else a hex preview. */
  preview?: string;
  /** What was stripped from etcdctl output before decoding. */
  stripped?: { keyLine?: string; trailingNewline?: boolean };
  /** Size of the value in bytes (as given, before stripping). */
  valueBytes: number;
  /**
   * For a protobuf value: the Kubernetes version whose schema decoded it (`1.36`; see
   * `SchemaSource.version`): the newest of the schema's versions that knows its kind.
   */
  schemaVersion?: string;
}
