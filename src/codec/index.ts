/**
 * The codec's public surface: stored Kubernetes values ⇄ objects exactly as Kubernetes' Go code prints
 * them, driven by a schema compiled from the installed Kubernetes sources.
 */
import { decodeValue, type DecodeOptions } from './decode';
import { createProtobufDecoder, type ProtobufDecoder } from './protobuf-decoder';
import type { EncodeOptions, ProtobufEncoder } from './encode';
import { loadSchema, type SchemaOptions } from './schema';
import type { CompiledSchema } from './schema-types';
import type { Decoded, KubeObject } from './types';

export type { DecodeOptions } from './decode';
export type { EncodeOptions } from './encode';
export type { SchemaOptions } from './schema';
export type {
  CompiledSchema,
  SchemaField,
  SchemaKind,
  SchemaMessage,
  SchemaSource,
  SpecialKind,
  ScalarType,
} from './schema-types';
export type { Decoded, Encoding, EncryptionInfo, KubeObject, ProtoDumpField, UnknownField } from './types';
export {
  compileSchema,
  defaultSourcesDir,
  defaultSourcesDirs,
  findRepoRoot,
  INSTALLED_KUBERNETES_VERSIONS,
  installedSourcesDir,
  loadSchema,
} from './schema';
export { dumpProtoFields } from './proto-dump';
export { RAW_JSON, rawJsonMark } from './raw-json';
export type { RawJsonMark } from './raw-json';
export { compactJson, parseKubeJson, toKubeJson } from './go-json';
export { canonicalQuantity } from './quantity';
export { formatGoDuration, parseGoDuration } from './go-duration';
export { formatMicroTime, formatTime, parseKubeTime } from './kube-time';
export { sniffValue } from './envelope';
export type { Sniffed } from './envelope';
export { decodeCbor } from './cbor';
export { toKubeYaml, toKubeYamlListItem } from './kube-yaml';
export {
  MOD_REVISION,
  markModRevision,
  modRevisionOf,
  toKubectlJson,
  toKubectlJsonItem,
  toKubectlObject,
  toKubectlYaml,
  toKubectlYamlItem,
} from './kubectl-format';
export type {
  KubectlFormatOptions,
  KubectlInput,
  KubectlItem,
  RecordedObject,
  RevisionedObject,
} from './kubectl-format';
export { decryptValue, encryptValue, encryptedValueMessage, loadEncryptionConfig } from './decrypt';
export type {
  DecryptOptions,
  DecryptedValue,
  EncryptOptions,
  EncryptionConfig,
  EncryptionConfigInput,
  EncryptionKey,
  EncryptionProvider,
  EncryptionProviderType,
  EncryptionRule,
} from './decrypt';
export { createProjector, getPath } from './project';
export { REMOVED_KINDS, removedKind } from './unknown-kind';
export type { RemovedKind } from './unknown-kind';
export type { ProjectOptions, Projected, Projector, ProjectorOptions } from './project';

/** A codec bound to one schema (compiled from one or several Kubernetes versions). */
export interface Codec {
  /** Decodes a stored value. Never throws on bad data: see `Decoded.error`. */
  decode(value: Uint8Array, options?: DecodeOptions): Decoded;
  /** Encodes an object into the bytes kube-apiserver stores. Throws EncodeError on wrong input. */
  encode(object: KubeObject, options?: EncodeOptions): Uint8Array;
  schema: CompiledSchema;
}

/** Options of {@link createCodec}. */
export interface CodecOptions {
  /**
   * Kubernetes sources to compile (and cache) the schema from: one folder, or several (an array, or one
   * string joined with the path delimiter), one per Kubernetes version; see {@link SchemaOptions}.
   */
  sourcesDir?: string | readonly string[];
  /** A schema already loaded (wins over `sourcesDir`). */
  schema?: CompiledSchema;
}

/**
 * Creates a codec for given Kubernetes versions' sources or schema.
 * @example
 * const codec = createCodec({ sourcesDir: ['/src/k8s-1.36', '/src/k8s-1.32'] });
 * codec.decode(bytes).object
 */
export function createCodec(options: CodecOptions = {}): Codec {
  const schemaOptions: SchemaOptions = {};
  if (options.sourcesDir !== undefined) schemaOptions.sourcesDir = options.sourcesDir;
  const schema = options.schema ?? loadSchema(schemaOptions);
  const decoder = createProtobufDecoder(schema);
  const encoder = encodeModule().createProtobufEncoder(schema, decoder.plans);
  return {
    schema,
    decode: (value, decodeOptions) => decodeValue(decoder, value, decodeOptions),
    encode: (object, encodeOptions) => encoder.encode(object, encodeOptions),
  };
}

/** The encoder, loaded on first use: a command that only decodes never compiles it. */
function encodeModule(): typeof import('./encode') {
  return require('./encode') as typeof import('./encode');
}

let defaultSchema: CompiledSchema | undefined;
let defaultDecoder: ProtobufDecoder | undefined;
let defaultEncoder: ProtobufEncoder | undefined;

function defaultDecoderOf(): ProtobufDecoder {
  return (defaultDecoder ??= createProtobufDecoder((defaultSchema ??= loadSchema())));
}

function defaultEncoderOf(): ProtobufEncoder {
  const decoder = defaultDecoderOf();
  return (defaultEncoder ??= encodeModule().createProtobufEncoder(defaultSchema as CompiledSchema, decoder.plans));
}

/**
 * Decodes a value stored in etcd (protobuf, JSON, CBOR; encrypted and raw values are described) into
 * the object `kubectl get -o json` prints. Never throws on bad data: problems are in `error`. Uses the
 * schema of the installed Kubernetes sources (loaded once, on the first protobuf value); see
 * {@link createCodec} for others. Throws SchemaError only for a protobuf value when no schema can be
 * loaded at all (sources not installed).
 * @example
 * const d = decode(await fs.promises.readFile('pod.bin'));
 * d.object?.metadata // { name: 'pi-dqtsw', ... }
 */
export function decode(value: Uint8Array, options?: DecodeOptions): Decoded {
  return decodeValue(defaultDecoderGetter, value, options);
}

const defaultDecoderGetter = (): ProtobufDecoder => defaultDecoderOf();

/**
 * Encodes an object into the bytes kube-apiserver stores for it (`k8s\0` + runtime.Unknown).
 * Throws EncodeError naming the offending field's path.
 * @example
 * const bytes = encode({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data: { a: 'b' } });
 */
export function encode(object: KubeObject, options?: EncodeOptions): Uint8Array {
  return defaultEncoderOf().encode(object, options);
}
