/**
 * Objects of a kind no loaded schema knows: a kind newer than every Kubernetes version the schema was
 * compiled from, or one Kubernetes removed (policy/v1beta1 PodSecurityPolicy on a cluster that started at
 * 1.17). Every top-level Kubernetes kind keeps its ObjectMeta (ListMeta for lists) in protobuf field 1, so
 * such an object still decodes to `apiVersion`, `kind` and its `metadata` exactly as Go prints ObjectMeta;
 * its other fields go to the schema-less dump. The error says which of the two cases it is and what to do.
 */
import { DecodeError } from '../errors';
import type { ProtobufDecoder } from './protobuf-decoder';
import { dumpProtoFields } from './proto-dump';
import type { CompiledSchema } from './schema-types';
import type { KubeObject, ProtoDumpField, UnknownField } from './types';
import { BYTES, WireReader } from '../util/wire-reader';

const OBJECT_META = 'k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta';
const LIST_META = 'k8s.io.apimachinery.pkg.apis.meta.v1.ListMeta';

/** A kind (or every kind of a group-version) that Kubernetes served once and then removed. */
export interface RemovedKind {
  /** `policy/v1beta1`. */
  apiVersion: string;
  /** The kinds removed; absent when every kind of the group-version went. */
  kinds?: readonly string[];
  /** The Kubernetes release that stopped serving it (`1.25`). */
  removedIn: string;
  /** The last k8s.io/api minor whose sources still define it (`0.24`), when known. */
  lastApi?: string;
}

/**
 * Kinds Kubernetes removed that real clusters still hold in etcd, kept as data (the Kubernetes
 * deprecation guide). The kinds in 1.32 but no longer in 1.36 are here too, for a schema compiled without
 * 1.32 (test/codec/unknown-kind.test.ts checks that list against the installed schemas).
 * @example
 * REMOVED_KINDS.filter((r) => r.removedIn === '1.25').map((r) => r.apiVersion) // ['policy/v1beta1', …]
 */
export const REMOVED_KINDS: readonly RemovedKind[] = [
  // removed in 1.16 (and extensions ingresses in 1.22)
  { apiVersion: 'extensions/v1beta1', removedIn: '1.16' },
  { apiVersion: 'apps/v1beta1', removedIn: '1.16' },
  { apiVersion: 'apps/v1beta2', removedIn: '1.16' },
  // removed in 1.19–1.21
  { apiVersion: 'auditregistration.k8s.io/v1alpha1', removedIn: '1.19' },
  { apiVersion: 'settings.k8s.io/v1alpha1', removedIn: '1.20' },
  { apiVersion: 'batch/v2alpha1', removedIn: '1.21' },
  { apiVersion: 'flowcontrol.apiserver.k8s.io/v1alpha1', removedIn: '1.21' },
  // removed in 1.22
  {
    apiVersion: 'admissionregistration.k8s.io/v1beta1',
    kinds: ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration'],
    removedIn: '1.22',
  },
  { apiVersion: 'certificates.k8s.io/v1beta1', kinds: ['CertificateSigningRequest'], removedIn: '1.22' },
  { apiVersion: 'coordination.k8s.io/v1beta1', kinds: ['Lease'], removedIn: '1.22' },
  { apiVersion: 'networking.k8s.io/v1beta1', kinds: ['Ingress', 'IngressClass'], removedIn: '1.22' },
  { apiVersion: 'rbac.authorization.k8s.io/v1alpha1', removedIn: '1.22' },
  { apiVersion: 'rbac.authorization.k8s.io/v1beta1', removedIn: '1.22' },
  { apiVersion: 'scheduling.k8s.io/v1beta1', removedIn: '1.22' },
  {
    apiVersion: 'storage.k8s.io/v1beta1',
    kinds: ['CSIDriver', 'CSINode', 'StorageClass', 'VolumeAttachment'],
    removedIn: '1.22',
  },
  // removed in 1.25
  { apiVersion: 'policy/v1beta1', kinds: ['PodSecurityPolicy'], removedIn: '1.25', lastApi: '0.24' },
  { apiVersion: 'policy/v1beta1', kinds: ['PodDisruptionBudget'], removedIn: '1.25' },
  { apiVersion: 'batch/v1beta1', removedIn: '1.25' },
  { apiVersion: 'discovery.k8s.io/v1beta1', removedIn: '1.25' },
  { apiVersion: 'events.k8s.io/v1beta1', removedIn: '1.25' },
  { apiVersion: 'node.k8s.io/v1beta1', removedIn: '1.25' },
  { apiVersion: 'autoscaling/v2beta1', removedIn: '1.25', lastApi: '0.32' },
  // removed in 1.26–1.32
  { apiVersion: 'autoscaling/v2beta2', removedIn: '1.26', lastApi: '0.32' },
  { apiVersion: 'flowcontrol.apiserver.k8s.io/v1beta1', removedIn: '1.26' },
  { apiVersion: 'storage.k8s.io/v1beta1', kinds: ['CSIStorageCapacity'], removedIn: '1.27' },
  { apiVersion: 'flowcontrol.apiserver.k8s.io/v1beta2', removedIn: '1.29' },
  { apiVersion: 'flowcontrol.apiserver.k8s.io/v1beta3', removedIn: '1.32' },
  // in k8s.io/api 0.32, gone from 0.36
  { apiVersion: 'scheduling.k8s.io/v1alpha1', kinds: ['PriorityClass'], removedIn: '1.33', lastApi: '0.32' },
  { apiVersion: 'networking.k8s.io/v1alpha1', kinds: ['IPAddress', 'ServiceCIDR'], removedIn: '1.33', lastApi: '0.32' },
  {
    apiVersion: 'storagemigration.k8s.io/v1alpha1',
    kinds: ['StorageVersionMigration'],
    removedIn: '1.35',
    lastApi: '0.34',
  },
  {
    apiVersion: 'resource.k8s.io/v1alpha3',
    kinds: ['DeviceClass', 'ResourceClaim', 'ResourceClaimTemplate', 'ResourceSlice'],
    removedIn: '1.33',
    lastApi: '0.32',
  },
];

/**
 * The removal of a kind, if Kubernetes removed it (lists follow their items: `PodSecurityPolicyList`).
 * @example
 * removedKind('policy/v1beta1', 'PodSecurityPolicy') // { apiVersion: 'policy/v1beta1', removedIn: '1.25', lastApi: '0.24', … }
 * removedKind('apps/v1', 'Deployment') // undefined
 */
export function removedKind(apiVersion: string, kind: string): RemovedKind | undefined {
  const item = kind.endsWith('List') ? kind.slice(0, -4) : kind;
  return REMOVED_KINDS.find(
    (r) => r.apiVersion === apiVersion && (r.kinds === undefined || r.kinds.includes(kind) || r.kinds.includes(item)),
  );
}

/** What {@link decodeUnknownKind} gives: the object (TypeMeta and metadata), the rest, and the notice. */
export interface UnknownKindResult {
  /** `{ apiVersion, kind, metadata }`; absent when field 1 is not a message that decodes as ObjectMeta. */
  object?: KubeObject;
  /** Fields of the metadata the schema does not know (paths start with `metadata`). */
  unknownFields?: UnknownField[];
  /** Every other field, schema-less (all fields when the metadata could not be decoded). */
  protoFields: ProtoDumpField[];
  error: DecodeError;
}

/** The versions a schema was compiled from, for messages: `Kubernetes 1.36 and 1.32`. */
function versionsOf(schema: CompiledSchema): string {
  const versions = (schema.sources ?? []).map((s) => s.version);
  if (versions.length === 0) return `the schema (${schema.source.description})`;
  return `Kubernetes ${versions.length === 1 ? versions[0] : `${versions.slice(0, -1).join(', ')} and ${versions[versions.length - 1]}`}`;
}

function notice(
  schema: CompiledSchema,
  apiVersion: string,
  kind: string,
  metadata: boolean,
  offset: number,
): DecodeError {
  const what = `Unknown kind ${JSON.stringify(kind)} of ${JSON.stringify(apiVersion)}`;
  const shown = metadata
    ? 'only its apiVersion, kind and metadata are decoded; its other fields are shown schema-less in protoFields'
    : 'its fields are shown schema-less in protoFields';
  const removed = removedKind(apiVersion, kind);
  if (removed !== undefined) {
    const api =
      removed.lastApi !== undefined
        ? `k8s.io/api ${removed.lastApi}`
        : `a k8s.io/api older than 0.${removed.removedIn.split('.')[1] ?? ''}`;
    return new DecodeError(
      `${what}: Kubernetes removed it in ${removed.removedIn}, and the schema (${versionsOf(schema)}) does not have it, so ${shown}. ` +
        `To decode it in full, add the sources of ${api} (with its k8s.io/apimachinery) to KUBETCD_K8S_SOURCES or createCodec({ sourcesDir }), ` +
        'for example from a Go module cache ($GOPATH/pkg/mod, holding k8s.io/api@v0.x.y).',
      offset,
    );
  }
  return new DecodeError(
    `${what}: no schema loaded (${versionsOf(schema)}) has it, so it is newer than all of them (or served by another API server), and ${shown}. ` +
      'To decode it in full, add the sources of a newer k8s.io/api (with its k8s.io/apimachinery) to KUBETCD_K8S_SOURCES or createCodec({ sourcesDir }).',
    offset,
  );
}

/**
 * Decodes the object's own protobuf (`raw`, in `buf[start, end)`; error offsets add `base`) of a kind the
 * schema does not know: its metadata from field 1, the rest schema-less. Never throws.
 * @example
 * const r = decodeUnknownKind(decoder, buf, rawStart, rawEnd, 0, 'policy/v1beta1', 'PodSecurityPolicy');
 * r.object?.metadata // { name: 'restricted', … }, exactly as for any kind
 */
export function decodeUnknownKind(
  decoder: ProtobufDecoder,
  buf: Uint8Array,
  start: number,
  end: number,
  base: number,
  apiVersion: string,
  kind: string,
): UnknownKindResult {
  const schema = decoder.plans.schema;
  const all = (): UnknownKindResult => ({
    protoFields: dumpProtoFields(buf, start, end),
    error: notice(schema, apiVersion, kind, false, base + start),
  });
  const metaMessage = kind.endsWith('List') ? LIST_META : OBJECT_META;
  if (schema.messages[metaMessage] === undefined) return all();
  // field 1 (the metadata) and where it is; any other field is left to the dump
  let metaStart = -1;
  let metaEnd = -1;
  try {
    const r = new WireReader(
      Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength),
      start,
      base,
    );
    while (r.pos < end) {
      const tag = r.uint32(end);
      const num = tag >>> 3;
      const wt = tag & 7;
      if (num === 1) {
        if (wt !== BYTES || metaStart >= 0) return all(); // not a message, or given twice (merged by Go): read schema-less
        metaEnd = r.lengthEnd(end);
        metaStart = r.pos;
        r.pos = metaEnd;
      } else {
        r.skip(wt, end, num);
      }
    }
  } catch {
    return all();
  }
  // no field 1: Go prints the zero ObjectMeta
  const meta =
    metaStart >= 0
      ? decoder.decodeObject(buf, metaStart, metaEnd, base, metaMessage, undefined)
      : decoder.decodeObject(buf, start, start, base, metaMessage, undefined);
  if (meta.object === undefined || meta.error !== undefined) return all();
  const object: KubeObject = { kind, apiVersion, metadata: meta.object };
  const protoFields = dumpProtoFields(buf, start, end).filter((f) => f.number !== 1);
  const out: UnknownKindResult = { object, protoFields, error: notice(schema, apiVersion, kind, true, base + start) };
  if (meta.unknownFields !== undefined && meta.unknownFields.length > 0) {
    out.unknownFields = meta.unknownFields.map((u) => ({
      ...u,
      path: u.path === '' ? 'metadata' : `metadata.${u.path}`,
    }));
  }
  return out;
}
