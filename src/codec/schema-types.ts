/**
 * The compiled Kubernetes schema: what kubetcd knows about every protobuf message of the installed
 * Kubernetes sources (`generated.proto`) joined with the Go structs (`types.go` and friends) that
 * decide the JSON: field order, JSON names, `omitempty`, pointers and `inline`.
 *
 * It is plain JSON-serialisable data, compiled once from the sources and cached (git-ignored).
 */

/** Protobuf scalar types as they appear in `.proto` files. */
export type ScalarType =
  | 'double'
  | 'float'
  | 'int32'
  | 'int64'
  | 'uint32'
  | 'uint64'
  | 'sint32'
  | 'sint64'
  | 'fixed32'
  | 'fixed64'
  | 'sfixed32'
  | 'sfixed64'
  | 'bool'
  | 'string'
  | 'bytes';

/**
 * Messages whose Go type marshals JSON by hand (custom `MarshalJSON`), keyed by what they become.
 * - `Time`: meta/v1 Time, RFC 3339 seconds in UTC; zero (empty message) prints `null`.
 * - `MicroTime`: meta/v1 MicroTime, RFC 3339 with 6 fractional digits; zero prints `null`.
 * - `Duration`: meta/v1 Duration, a Go duration string (`1h2m3s`).
 * - `IntOrString`: util/intstr, a bare number or string.
 * - `Quantity`: api/resource Quantity, its canonical string.
 * - `FieldsV1`: meta/v1 FieldsV1, the embedded JSON (compacted); nil prints `null`.
 * - `RawExtension`: runtime RawExtension, the embedded JSON (compacted); nil prints `null`.
 * - `ListWrapper`: a Go named slice type (`type Verbs []string`) that protobuf wraps in a message with
 *   one repeated field `items`; in JSON it is the array itself and behaves like a slice (nil-able).
 */
export type SpecialKind =
  | 'Time'
  | 'MicroTime'
  | 'Duration'
  | 'IntOrString'
  | 'Quantity'
  | 'FieldsV1'
  | 'RawExtension'
  | 'ListWrapper';

/** One field of a message, as protobuf and Go's JSON see it. */
export interface SchemaField {
  /** JSON name (the Go `json:"name"` tag). For an inline field, the protobuf field name. */
  name: string;
  /** Protobuf field number. */
  number: number;
  /** A scalar type, or 'message' (see `message`), or 'map' (see `mapKey`/`mapValue`). */
  type: ScalarType | 'message' | 'map';
  /** Fully-qualified protobuf message name (no leading dot) when `type` is 'message'. */
  message?: string;
  /** `repeated` in the .proto (a Go slice). */
  repeated: boolean;
  /** For maps: the key's scalar type (always 'string' in Kubernetes). */
  mapKey?: ScalarType;
  /** For maps: the value's scalar type or 'message'. */
  mapValue?: ScalarType | 'message';
  /** For maps with message values: the value's fully-qualified message name. */
  mapValueMessage?: string;
  /** Go tag `omitempty`. */
  omitEmpty: boolean;
  /**
   * Go tag `omitzero` (Go 1.24; Kubernetes 1.36 puts it on ObjectMeta.creationTimestamp): the field is left
   * out when it holds its zero value (for metav1.Time: the zero time, which would print `null`). Absent
   * when the tag is not there.
   */
  omitZero?: boolean;
  /**
   * The Go field can be nil: a pointer (`*int32`, `*ObjectMeta`), a slice, a map, `[]byte`, or a
   * named slice/map type. For pointers to scalars this is what makes a zero value printable.
   */
  nullable: boolean;
  /** The Go field is a pointer (`*T`). */
  pointer: boolean;
  /** `json:",inline"`: the nested message's fields are printed in the parent object at this place. */
  inline: boolean;
  /** The Go type as written in the source, for messages and documentation (`*int32`, `metav1.Time`). */
  goType: string;
}

/** A message of the schema. */
export interface SchemaMessage {
  /**
   * Its key in {@link CompiledSchema.messages}: the fully-qualified protobuf name, no leading dot
   * (`k8s.io.api.core.v1.Pod`), after its source's {@link SchemaSource.messagePrefix} (`1.32/…`).
   */
  name: string;
  /** Go package import path: `k8s.io/api/core/v1`. */
  goPackage: string;
  /** Fields in **Go struct order** (the JSON order). Fields absent from Go (or `json:"-"`) are left out. */
  fields: SchemaField[];
  /** Set for messages whose JSON is produced by custom code. */
  special?: SpecialKind;
  /**
   * Where the Go struct embeds `metav1.TypeMeta` inline: the index in `fields` before which `kind` and
   * `apiVersion` are printed. Only top-level kinds have it.
   */
  typeMetaAt?: number;
  /** Fields present in the .proto but not in the Go struct (kept for decoding, never printed). */
  protoOnly?: SchemaField[];
}

/** A top-level kind: something that can be stored in etcd (or listed). */
export interface SchemaKind {
  /** API group, '' for core. */
  group: string;
  version: string;
  kind: string;
  /** `apiVersion` as written in objects: `v1` for core, `apps/v1` otherwise. */
  apiVersion: string;
  /**
   * The message in {@link CompiledSchema.messages}: the fully-qualified protobuf name, prefixed with its
   * source's {@link SchemaSource.messagePrefix} when an older source provides the kind.
   */
  message: string;
  /** The Kubernetes version whose sources provide this kind ({@link SchemaSource.version}, e.g. `1.36`). */
  schemaVersion?: string;
}

/**
 * One Kubernetes version the schema was compiled from. A schema compiled from several source folders
 * takes each kind from the newest version that has it; an older version's messages are kept (only those
 * its own kinds need) under names starting with its `messagePrefix`, so that `k8s.io.api.core.v1.Pod` of
 * 1.36 and of 1.32 can both be there.
 */
export interface SchemaSource {
  /**
   * The Kubernetes minor version (`1.36` for k8s.io/api 0.36.x), or `source-N` (N counting from 1 in
   * the order given) when the folder does not say which version it holds.
   */
  version: string;
  /** The source folder. */
  dir: string;
  /** What was found there: `k8s.io/api 0.36.4-1` (a Debian package version) or `k8s.io/api 0.36.4`. */
  description: string;
  /** Fingerprint of this folder's files (see `SchemaOptions`). */
  fingerprint: string;
  /** Prefix of this version's message names in `messages`: '' for the newest, `1.32/` for an older one. */
  messagePrefix: string;
}

/** The whole compiled schema. */
export interface CompiledSchema {
  /** Format version of this structure; bump when it changes so caches are rebuilt. */
  formatVersion: number;
  /**
   * Where it was compiled from: the folders (joined with the platform's path delimiter), a short
   * description (`Kubernetes 1.36 (k8s.io/api 0.36.4-1) + 1.32 (k8s.io/api 0.32.3-1)`) and a fingerprint.
   */
  source: { dir: string; description: string; fingerprint: string };
  /** The Kubernetes versions it was compiled from, newest (winning) first. Absent in hand-made schemas. */
  sources?: SchemaSource[];
  /**
   * Every message by fully-qualified name; the newest source's under their own names, an older source's
   * under its {@link SchemaSource.messagePrefix} (`1.32/k8s.io.api.autoscaling.v2beta1.HorizontalPodAutoscaler`).
   */
  messages: Record<string, SchemaMessage>;
  /** Every kind, keyed `apiVersion + '/' + kind`, e.g. `v1/Pod`, `apps/v1/Deployment`. */
  kinds: Record<string, SchemaKind>;
}
