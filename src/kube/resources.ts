/**
 * The resources Kubernetes 1.36 keeps in etcd, as data: names (plural, singular, short names, kind),
 * group and versions, scope, and where the objects live under the etcd prefix. Sources: `kubectl
 * api-resources` of a cluster with all API groups enabled and kubernetes `test/integration/etcd/data.go`
 * (`ExpectedEtcdPath`, `ExpectedGVK`). Custom resources come from their CustomResourceDefinitions
 * ({@link resourcesFromCrd}).
 */
import { InvalidArgumentError } from '../errors';

/** One resource: what kubectl knows about it, plus where and how kube-apiserver stores it. */
export interface ResourceInfo {
  /** The lower-case plural, the resource's name in URLs and kubectl: `pods`, `deployments`. */
  readonly resource: string;
  /** The lower-case singular: `pod`, `endpoints`. */
  readonly singular: string;
  /** kubectl's short names: `po`, `deploy`. */
  readonly shortNames: readonly string[];
  /** The kind: `Pod`, `Deployment`. */
  readonly kind: string;
  /** The API group; `""` for the core group. */
  readonly group: string;
  /** The served versions, preferred first: `['v2', 'v1']` for horizontalpodautoscalers. */
  readonly versions: readonly string[];
  /** True when objects live in a namespace. */
  readonly namespaced: boolean;
  /**
   * Where objects live under the etcd prefix, without slashes at the ends: `pods`, `services/specs`,
   * `minions`, `apiregistration.k8s.io/apiservices`, `<group>/<plural>` for custom resources.
   */
  readonly keyPrefix: string;
  /** The apiVersion and kind kube-apiserver 1.36 writes (trust the value itself: older clusters differ). */
  readonly storedAs: { readonly apiVersion: string; readonly kind: string };
  /** How the values are encoded by default: protobuf (`k8s\0` envelope) or JSON. */
  readonly encoding: 'protobuf' | 'json';
  /**
   * Set when the objects are those of another resource, under its keys: `events` for
   * `events.events.k8s.io` (the qualified name of the resource that owns the keys).
   */
  readonly storedWith?: string;
  /** Groups that served the same objects in older releases (`extensions` for deployments). */
  readonly legacyGroups: readonly string[];
  /** False for custom resources. */
  readonly builtin: boolean;
  /**
   * Custom resources: the preferred version's `additionalPrinterColumns` from the CRD (v1beta1's
   * top-level `additionalPrinterColumns` with `JSONPath`), in order; absent when the CRD names none
   * (the API server then prints NAME and AGE).
   */
  readonly printerColumns?: readonly PrinterColumn[];
}

/** One of a CRD's `additionalPrinterColumns`. */
export interface PrinterColumn {
  readonly name: string;
  /** `integer`, `number`, `string`, `boolean` or `date`. */
  readonly type: string;
  readonly jsonPath: string;
  /** 0: shown always; more: `-o wide` only. */
  readonly priority: number;
  readonly format?: string;
  readonly description?: string;
}

function printerColumnsOf(columns: unknown, pathKey: 'jsonPath' | 'JSONPath'): PrinterColumn[] | undefined {
  if (!Array.isArray(columns)) return undefined;
  const out: PrinterColumn[] = [];
  for (const c of columns) {
    if (!isRecord(c) || typeof c.name !== 'string' || typeof c[pathKey] !== 'string') continue;
    out.push(
      Object.freeze({
        name: c.name,
        type: typeof c.type === 'string' ? c.type : 'string',
        jsonPath: c[pathKey] as string,
        priority: typeof c.priority === 'number' ? c.priority : 0,
        ...(typeof c.format === 'string' ? { format: c.format } : {}),
        ...(typeof c.description === 'string' ? { description: c.description } : {}),
      }),
    );
  }
  return out;
}

interface Row {
  resource: string;
  kind: string;
  group?: string;
  versions?: string[];
  namespaced: boolean;
  shortNames?: string[];
  singular?: string;
  keyPrefix?: string;
  storedAs?: { apiVersion: string; kind: string };
  encoding?: 'json';
  storedWith?: string;
  legacyGroups?: string[];
}

const NS = true;
const CLUSTER = false;

/**
 * Kubernetes 1.36, grouped like `kubectl api-resources` (core group first, then groups by name). The kinds
 * and their versions are those of the 1.36 schema (k8s.io/api 0.36) less the versions 1.36 no longer
 * serves (test/kube/resources-schema.test.ts holds the two together); the rest is what the schema cannot
 * tell: scope, short names, key prefixes and the stored version where it is not the preferred one
 * (kubernetes `test/integration/etcd/data.go`, `ExpectedEtcdPath` and `ExpectedGVK`).
 */
const BUILTIN_ROWS: Row[] = [
  // core (v1)
  { resource: 'configmaps', kind: 'ConfigMap', namespaced: NS, shortNames: ['cm'] },
  { resource: 'endpoints', kind: 'Endpoints', namespaced: NS, shortNames: ['ep'], keyPrefix: 'services/endpoints' },
  { resource: 'events', kind: 'Event', namespaced: NS, shortNames: ['ev'] },
  { resource: 'limitranges', kind: 'LimitRange', namespaced: NS, shortNames: ['limits'] },
  { resource: 'namespaces', kind: 'Namespace', namespaced: CLUSTER, shortNames: ['ns'] },
  { resource: 'nodes', kind: 'Node', namespaced: CLUSTER, shortNames: ['no'], keyPrefix: 'minions' },
  { resource: 'persistentvolumeclaims', kind: 'PersistentVolumeClaim', namespaced: NS, shortNames: ['pvc'] },
  { resource: 'persistentvolumes', kind: 'PersistentVolume', namespaced: CLUSTER, shortNames: ['pv'] },
  { resource: 'pods', kind: 'Pod', namespaced: NS, shortNames: ['po'] },
  { resource: 'podtemplates', kind: 'PodTemplate', namespaced: NS },
  {
    resource: 'replicationcontrollers',
    kind: 'ReplicationController',
    namespaced: NS,
    shortNames: ['rc'],
    keyPrefix: 'controllers',
  },
  { resource: 'resourcequotas', kind: 'ResourceQuota', namespaced: NS, shortNames: ['quota'] },
  { resource: 'secrets', kind: 'Secret', namespaced: NS },
  { resource: 'serviceaccounts', kind: 'ServiceAccount', namespaced: NS, shortNames: ['sa'] },
  { resource: 'services', kind: 'Service', namespaced: NS, shortNames: ['svc'], keyPrefix: 'services/specs' },
  // admissionregistration.k8s.io
  // 1.36 serves MutatingAdmissionPolicy v1 but still stores v1beta1 (data.go ExpectedGVK)
  {
    group: 'admissionregistration.k8s.io',
    resource: 'mutatingadmissionpolicies',
    kind: 'MutatingAdmissionPolicy',
    versions: ['v1', 'v1beta1', 'v1alpha1'],
    namespaced: CLUSTER,
    storedAs: { apiVersion: 'admissionregistration.k8s.io/v1beta1', kind: 'MutatingAdmissionPolicy' },
  },
  {
    group: 'admissionregistration.k8s.io',
    resource: 'mutatingadmissionpolicybindings',
    kind: 'MutatingAdmissionPolicyBinding',
    versions: ['v1', 'v1beta1', 'v1alpha1'],
    namespaced: CLUSTER,
    storedAs: { apiVersion: 'admissionregistration.k8s.io/v1beta1', kind: 'MutatingAdmissionPolicyBinding' },
  },
  {
    group: 'admissionregistration.k8s.io',
    resource: 'mutatingwebhookconfigurations',
    kind: 'MutatingWebhookConfiguration',
    namespaced: CLUSTER,
  },
  {
    group: 'admissionregistration.k8s.io',
    resource: 'validatingadmissionpolicies',
    kind: 'ValidatingAdmissionPolicy',
    versions: ['v1', 'v1beta1', 'v1alpha1'],
    namespaced: CLUSTER,
  },
  {
    group: 'admissionregistration.k8s.io',
    resource: 'validatingadmissionpolicybindings',
    kind: 'ValidatingAdmissionPolicyBinding',
    versions: ['v1', 'v1beta1', 'v1alpha1'],
    namespaced: CLUSTER,
  },
  {
    group: 'admissionregistration.k8s.io',
    resource: 'validatingwebhookconfigurations',
    kind: 'ValidatingWebhookConfiguration',
    namespaced: CLUSTER,
  },
  // apiextensions.k8s.io: CRDs are written as JSON, still as apiextensions.k8s.io/v1beta1 (data.go ExpectedGVK)
  {
    group: 'apiextensions.k8s.io',
    resource: 'customresourcedefinitions',
    kind: 'CustomResourceDefinition',
    namespaced: CLUSTER,
    shortNames: ['crd', 'crds'],
    keyPrefix: 'apiextensions.k8s.io/customresourcedefinitions',
    storedAs: { apiVersion: 'apiextensions.k8s.io/v1beta1', kind: 'CustomResourceDefinition' },
    encoding: 'json',
  },
  // apiregistration.k8s.io (kube-aggregator): JSON
  {
    group: 'apiregistration.k8s.io',
    resource: 'apiservices',
    kind: 'APIService',
    namespaced: CLUSTER,
    keyPrefix: 'apiregistration.k8s.io/apiservices',
    encoding: 'json',
  },
  // apps
  { group: 'apps', resource: 'controllerrevisions', kind: 'ControllerRevision', namespaced: NS },
  {
    group: 'apps',
    resource: 'daemonsets',
    kind: 'DaemonSet',
    namespaced: NS,
    shortNames: ['ds'],
    legacyGroups: ['extensions'],
  },
  {
    group: 'apps',
    resource: 'deployments',
    kind: 'Deployment',
    namespaced: NS,
    shortNames: ['deploy'],
    legacyGroups: ['extensions'],
  },
  {
    group: 'apps',
    resource: 'replicasets',
    kind: 'ReplicaSet',
    namespaced: NS,
    shortNames: ['rs'],
    legacyGroups: ['extensions'],
  },
  { group: 'apps', resource: 'statefulsets', kind: 'StatefulSet', namespaced: NS, shortNames: ['sts'] },
  // autoscaling: v1 and v2 are served, v2 is stored
  {
    group: 'autoscaling',
    resource: 'horizontalpodautoscalers',
    kind: 'HorizontalPodAutoscaler',
    versions: ['v2', 'v1'],
    namespaced: NS,
    shortNames: ['hpa'],
  },
  // batch
  { group: 'batch', resource: 'cronjobs', kind: 'CronJob', namespaced: NS, shortNames: ['cj'] },
  { group: 'batch', resource: 'jobs', kind: 'Job', namespaced: NS },
  // certificates.k8s.io
  {
    group: 'certificates.k8s.io',
    resource: 'certificatesigningrequests',
    kind: 'CertificateSigningRequest',
    namespaced: CLUSTER,
    shortNames: ['csr'],
  },
  {
    group: 'certificates.k8s.io',
    resource: 'clustertrustbundles',
    kind: 'ClusterTrustBundle',
    versions: ['v1beta1', 'v1alpha1'],
    namespaced: CLUSTER,
  },
  {
    group: 'certificates.k8s.io',
    resource: 'podcertificaterequests',
    kind: 'PodCertificateRequest',
    versions: ['v1beta1'],
    namespaced: NS,
  },
  // coordination.k8s.io
  {
    group: 'coordination.k8s.io',
    resource: 'leasecandidates',
    kind: 'LeaseCandidate',
    versions: ['v1beta1', 'v1alpha2'],
    namespaced: NS,
  },
  { group: 'coordination.k8s.io', resource: 'leases', kind: 'Lease', namespaced: NS },
  // discovery.k8s.io
  { group: 'discovery.k8s.io', resource: 'endpointslices', kind: 'EndpointSlice', namespaced: NS },
  // events.k8s.io: the same objects as core events, stored as core v1 Event under events/
  {
    group: 'events.k8s.io',
    resource: 'events',
    kind: 'Event',
    namespaced: NS,
    shortNames: ['ev'],
    storedAs: { apiVersion: 'v1', kind: 'Event' },
    storedWith: 'events',
  },
  // flowcontrol.apiserver.k8s.io (v1beta3 is no longer served from 1.32)
  { group: 'flowcontrol.apiserver.k8s.io', resource: 'flowschemas', kind: 'FlowSchema', namespaced: CLUSTER },
  {
    group: 'flowcontrol.apiserver.k8s.io',
    resource: 'prioritylevelconfigurations',
    kind: 'PriorityLevelConfiguration',
    namespaced: CLUSTER,
  },
  // internal.apiserver.k8s.io
  {
    group: 'internal.apiserver.k8s.io',
    resource: 'storageversions',
    kind: 'StorageVersion',
    versions: ['v1alpha1'],
    namespaced: CLUSTER,
  },
  // networking.k8s.io
  { group: 'networking.k8s.io', resource: 'ingressclasses', kind: 'IngressClass', namespaced: CLUSTER },
  {
    group: 'networking.k8s.io',
    resource: 'ingresses',
    kind: 'Ingress',
    namespaced: NS,
    shortNames: ['ing'],
    keyPrefix: 'ingress',
    legacyGroups: ['extensions'],
  },
  {
    group: 'networking.k8s.io',
    resource: 'ipaddresses',
    kind: 'IPAddress',
    versions: ['v1', 'v1beta1'],
    namespaced: CLUSTER,
    shortNames: ['ip'],
  },
  {
    group: 'networking.k8s.io',
    resource: 'networkpolicies',
    kind: 'NetworkPolicy',
    namespaced: NS,
    shortNames: ['netpol'],
    legacyGroups: ['extensions'],
  },
  {
    group: 'networking.k8s.io',
    resource: 'servicecidrs',
    kind: 'ServiceCIDR',
    versions: ['v1', 'v1beta1'],
    namespaced: CLUSTER,
  },
  // node.k8s.io
  { group: 'node.k8s.io', resource: 'runtimeclasses', kind: 'RuntimeClass', namespaced: CLUSTER },
  // policy
  {
    group: 'policy',
    resource: 'poddisruptionbudgets',
    kind: 'PodDisruptionBudget',
    namespaced: NS,
    shortNames: ['pdb'],
  },
  // rbac.authorization.k8s.io
  {
    group: 'rbac.authorization.k8s.io',
    resource: 'clusterrolebindings',
    kind: 'ClusterRoleBinding',
    namespaced: CLUSTER,
  },
  { group: 'rbac.authorization.k8s.io', resource: 'clusterroles', kind: 'ClusterRole', namespaced: CLUSTER },
  { group: 'rbac.authorization.k8s.io', resource: 'rolebindings', kind: 'RoleBinding', namespaced: NS },
  { group: 'rbac.authorization.k8s.io', resource: 'roles', kind: 'Role', namespaced: NS },
  // resource.k8s.io (dynamic resource allocation)
  {
    group: 'resource.k8s.io',
    resource: 'deviceclasses',
    kind: 'DeviceClass',
    versions: ['v1', 'v1beta2', 'v1beta1'],
    namespaced: CLUSTER,
  },
  {
    group: 'resource.k8s.io',
    resource: 'resourceclaims',
    kind: 'ResourceClaim',
    versions: ['v1', 'v1beta2', 'v1beta1'],
    namespaced: NS,
  },
  {
    group: 'resource.k8s.io',
    resource: 'resourceclaimtemplates',
    kind: 'ResourceClaimTemplate',
    versions: ['v1', 'v1beta2', 'v1beta1'],
    namespaced: NS,
  },
  {
    group: 'resource.k8s.io',
    resource: 'resourceslices',
    kind: 'ResourceSlice',
    versions: ['v1', 'v1beta2', 'v1beta1'],
    namespaced: CLUSTER,
  },
  // resource.k8s.io: DeviceTaintRule is stored as v1alpha3 (so that a downgrade can read it)
  {
    group: 'resource.k8s.io',
    resource: 'devicetaintrules',
    kind: 'DeviceTaintRule',
    versions: ['v1beta2', 'v1alpha3'],
    namespaced: CLUSTER,
    storedAs: { apiVersion: 'resource.k8s.io/v1alpha3', kind: 'DeviceTaintRule' },
  },
  {
    group: 'resource.k8s.io',
    resource: 'resourcepoolstatusrequests',
    kind: 'ResourcePoolStatusRequest',
    versions: ['v1alpha3'],
    namespaced: CLUSTER,
  },
  // scheduling.k8s.io
  { group: 'scheduling.k8s.io', resource: 'podgroups', kind: 'PodGroup', versions: ['v1alpha2'], namespaced: NS },
  {
    group: 'scheduling.k8s.io',
    resource: 'priorityclasses',
    kind: 'PriorityClass',
    namespaced: CLUSTER,
    shortNames: ['pc'],
  },
  { group: 'scheduling.k8s.io', resource: 'workloads', kind: 'Workload', versions: ['v1alpha2'], namespaced: NS },
  // storage.k8s.io
  { group: 'storage.k8s.io', resource: 'csidrivers', kind: 'CSIDriver', namespaced: CLUSTER },
  { group: 'storage.k8s.io', resource: 'csinodes', kind: 'CSINode', namespaced: CLUSTER },
  { group: 'storage.k8s.io', resource: 'csistoragecapacities', kind: 'CSIStorageCapacity', namespaced: NS },
  {
    group: 'storage.k8s.io',
    resource: 'storageclasses',
    kind: 'StorageClass',
    namespaced: CLUSTER,
    shortNames: ['sc'],
  },
  { group: 'storage.k8s.io', resource: 'volumeattachments', kind: 'VolumeAttachment', namespaced: CLUSTER },
  {
    group: 'storage.k8s.io',
    resource: 'volumeattributesclasses',
    kind: 'VolumeAttributesClass',
    versions: ['v1', 'v1beta1', 'v1alpha1'],
    namespaced: CLUSTER,
    shortNames: ['vac'],
  },
  // storagemigration.k8s.io
  {
    group: 'storagemigration.k8s.io',
    resource: 'storageversionmigrations',
    kind: 'StorageVersionMigration',
    versions: ['v1beta1'],
    namespaced: CLUSTER,
  },
];

/**
 * Resources kubectl lists that kube-apiserver never stores (computed or create-only), so a helpful
 * error can say so instead of "unknown".
 */
const NOT_STORED: ReadonlyArray<{ names: string[]; qualified: string }> = [
  { names: ['bindings', 'binding'], qualified: 'bindings' },
  { names: ['componentstatuses', 'componentstatus', 'cs'], qualified: 'componentstatuses' },
  { names: ['tokenreviews', 'tokenreview'], qualified: 'tokenreviews.authentication.k8s.io' },
  { names: ['selfsubjectreviews', 'selfsubjectreview'], qualified: 'selfsubjectreviews.authentication.k8s.io' },
  {
    names: ['localsubjectaccessreviews', 'localsubjectaccessreview'],
    qualified: 'localsubjectaccessreviews.authorization.k8s.io',
  },
  {
    names: ['selfsubjectaccessreviews', 'selfsubjectaccessreview'],
    qualified: 'selfsubjectaccessreviews.authorization.k8s.io',
  },
  {
    names: ['selfsubjectrulesreviews', 'selfsubjectrulesreview'],
    qualified: 'selfsubjectrulesreviews.authorization.k8s.io',
  },
  { names: ['subjectaccessreviews', 'subjectaccessreview'], qualified: 'subjectaccessreviews.authorization.k8s.io' },
];

function apiVersion(group: string, version: string): string {
  return group === '' ? version : `${group}/${version}`;
}

function fromRow(row: Row): ResourceInfo {
  const group = row.group ?? '';
  const versions = Object.freeze([...(row.versions ?? ['v1'])]);
  const info: ResourceInfo = {
    resource: row.resource,
    singular: row.singular ?? row.kind.toLowerCase(),
    shortNames: Object.freeze([...(row.shortNames ?? [])]),
    kind: row.kind,
    group,
    versions,
    namespaced: row.namespaced,
    keyPrefix: row.keyPrefix ?? row.resource,
    storedAs: Object.freeze(row.storedAs ?? { apiVersion: apiVersion(group, versions[0] as string), kind: row.kind }),
    encoding: row.encoding ?? 'protobuf',
    legacyGroups: Object.freeze([...(row.legacyGroups ?? [])]),
    builtin: true,
    ...(row.storedWith !== undefined ? { storedWith: row.storedWith } : {}),
  };
  return Object.freeze(info);
}

const BUILTINS: readonly ResourceInfo[] = Object.freeze(BUILTIN_ROWS.map(fromRow));

/**
 * Every built-in resource Kubernetes 1.36 stores in etcd (68 of them), core group first.
 * @example
 * builtinResources().filter((r) => !r.namespaced).map((r) => r.resource) // ['namespaces', 'nodes', …]
 */
export function builtinResources(): ResourceInfo[] {
  return [...BUILTINS];
}

/**
 * The name kubectl prints for a resource: the plural, qualified by the group unless core.
 * @example
 * qualifiedResourceName(resolveResource('deploy')) // "deployments.apps"
 */
export function qualifiedResourceName(r: Pick<ResourceInfo, 'resource' | 'group'>): string {
  return r.group === '' ? r.resource : `${r.resource}.${r.group}`;
}

/**
 * The apiVersion to show for a resource's objects (its preferred served version).
 * @example
 * preferredApiVersion(resolveResource('hpa')) // "autoscaling/v2"
 */
export function preferredApiVersion(r: Pick<ResourceInfo, 'group' | 'versions'>): string {
  return apiVersion(r.group, r.versions[0] ?? 'v1');
}

interface CrdNames {
  plural?: unknown;
  singular?: unknown;
  kind?: unknown;
  shortNames?: unknown;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The resource a CustomResourceDefinition (its JSON, `apiextensions.k8s.io/v1` or `v1beta1`) defines.
 * Its objects live under `<group>/<plural>` (for every group, `.k8s.io` ones included), stored as JSON
 * in the version marked `storage: true`.
 * @example
 * const crd = await k.get('crd', 'certificates.cert-manager.io')
 * const certs = resourcesFromCrd(crd) // { resource: 'certificates', group: 'cert-manager.io', keyPrefix: 'cert-manager.io/certificates', … }
 */
export function resourcesFromCrd(crd: object): ResourceInfo {
  const name = isRecord(crd) && isRecord(crd.metadata) ? crd.metadata.name : undefined;
  const label = typeof name === 'string' ? `CustomResourceDefinition "${name}"` : 'CustomResourceDefinition';
  const bad = (why: string): never => {
    throw new InvalidArgumentError(
      `Cannot read ${label}: ${why}. Pass the CRD object as decoded (kubectl get crd <name> -o json).`,
      { crd: name },
    );
  };
  if (!isRecord(crd) || !isRecord(crd.spec)) return bad('it has no spec');
  const spec = crd.spec;
  const names: CrdNames = isRecord(spec.names) ? spec.names : {};
  const group = spec.group;
  if (typeof group !== 'string' || group === '') return bad('spec.group is missing');
  if (typeof names.plural !== 'string' || names.plural === '') return bad('spec.names.plural is missing');
  if (typeof names.kind !== 'string' || names.kind === '') return bad('spec.names.kind is missing');
  const plural = names.plural;
  const kind = names.kind;
  const versionRecords = Array.isArray(spec.versions) ? spec.versions.filter(isRecord) : [];
  let versions = versionRecords
    .filter((v) => v.served !== false && typeof v.name === 'string')
    .map((v) => v.name as string);
  if (versions.length === 0 && typeof spec.version === 'string') versions = [spec.version]; // v1beta1 `version`
  if (versions.length === 0)
    versions = versionRecords.filter((v) => typeof v.name === 'string').map((v) => v.name as string);
  if (versions.length === 0) return bad('it defines no version');
  versions = sortKubeVersions(versions);
  const storage = versionRecords.find((v) => v.storage === true && typeof v.name === 'string');
  const storageVersion = storage ? (storage.name as string) : (versions[0] as string);
  const shortNames = Array.isArray(names.shortNames)
    ? names.shortNames.filter((s): s is string => typeof s === 'string').map((s) => s.toLowerCase())
    : [];
  const preferred = versionRecords.find((v) => v.name === versions[0]);
  const printerColumns =
    printerColumnsOf(preferred?.additionalPrinterColumns, 'jsonPath') ??
    printerColumnsOf(spec.additionalPrinterColumns, 'JSONPath');
  return Object.freeze({
    ...(printerColumns !== undefined && printerColumns.length > 0
      ? { printerColumns: Object.freeze(printerColumns) }
      : {}),
    resource: plural.toLowerCase(),
    singular:
      typeof names.singular === 'string' && names.singular !== '' ? names.singular.toLowerCase() : kind.toLowerCase(),
    shortNames: Object.freeze(shortNames),
    kind,
    group,
    versions: Object.freeze(versions),
    namespaced: spec.scope !== 'Cluster',
    keyPrefix: `${group}/${plural.toLowerCase()}`,
    storedAs: Object.freeze({ apiVersion: `${group}/${storageVersion}`, kind }),
    encoding: 'json' as const,
    legacyGroups: Object.freeze([]),
    builtin: false,
  });
}

const VERSION_RE = /^v([1-9][0-9]*)(?:(alpha|beta)([1-9][0-9]*))?$/;

/**
 * True for Kubernetes version strings such as `v1`, `v2beta1`, `v1alpha3`.
 * @example
 * isKubeVersion('v1beta1') // true
 * isKubeVersion('apps') // false
 */
export function isKubeVersion(s: string): boolean {
  return VERSION_RE.test(s);
}

/** Kubernetes' version priority (apimachinery `CompareKubeAwareVersionStrings`): GA > beta > alpha > others. */
function sortKubeVersions(versions: string[]): string[] {
  const rank = (v: string): [number, number, number, string] => {
    const m = VERSION_RE.exec(v);
    if (!m) return [0, 0, 0, v];
    const stability = m[2] === undefined ? 3 : m[2] === 'beta' ? 2 : 1;
    return [stability, Number(m[1]), Number(m[3] ?? 0), v];
  };
  return [...versions].sort((a, b) => {
    const x = rank(a);
    const y = rank(b);
    if (x[0] !== y[0]) return y[0] - x[0];
    if (x[0] === 0) return x[3] < y[3] ? -1 : x[3] > y[3] ? 1 : 0;
    if (x[1] !== y[1]) return y[1] - x[1];
    return y[2] - x[2];
  });
}

interface ParsedName {
  name: string;
  group?: string;
  version?: string;
}

/** The readings of a user's resource name, most specific first (kubectl tries `r.v.g`, then `r.g`). */
function readings(input: string): ParsedName[] {
  const parts = input.split('/');
  if (parts.length === 3) return [{ group: parts[0] as string, version: parts[1] as string, name: parts[2] as string }];
  if (parts.length === 2) {
    const [a, b] = parts as [string, string];
    return isKubeVersion(a)
      ? [
          { group: '', version: a, name: b },
          { group: a, name: b },
        ]
      : [{ group: a, name: b }];
  }
  if (parts.length > 3) return [];
  const dot = input.indexOf('.');
  if (dot < 0) return [{ name: input }];
  const name = input.slice(0, dot);
  const rest = input.slice(dot + 1);
  const out: ParsedName[] = [];
  const dot2 = rest.indexOf('.');
  if (dot2 > 0 && isKubeVersion(rest.slice(0, dot2)))
    out.push({ name, version: rest.slice(0, dot2), group: rest.slice(dot2 + 1) });
  if (isKubeVersion(rest)) out.push({ name, version: rest, group: '' });
  out.push({ name, group: rest });
  return out;
}

type NameField = 'resource' | 'singular' | 'short' | 'kind';
const FIELDS: NameField[] = ['resource', 'singular', 'short', 'kind'];

function namesOf(r: ResourceInfo, field: NameField): string[] {
  switch (field) {
    case 'resource':
      return [r.resource.toLowerCase()];
    case 'singular':
      return [r.singular.toLowerCase()];
    case 'short':
      return r.shortNames.map((s) => s.toLowerCase());
    case 'kind':
      return [r.kind.toLowerCase()];
  }
}

function inGroup(r: ResourceInfo, group: string | undefined): boolean {
  if (group === undefined) return true;
  const g = group.toLowerCase();
  return r.group.toLowerCase() === g || r.legacyGroups.includes(g);
}

function find(all: readonly ResourceInfo[], p: ParsedName): ResourceInfo | undefined {
  const name = p.name.toLowerCase();
  for (const field of FIELDS) {
    const hit = all.find((r) => inGroup(r, p.group) && namesOf(r, field).includes(name));
    if (hit) return hit;
  }
  return undefined;
}

/** Optimal string alignment distance: edits are insert, delete, substitute, swap two neighbours. */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 0; j <= b.length; j++) (d[0] as number[])[j] = j;
  for (let i = 1; i <= a.length; i++) {
    const row = d[i] as number[];
    const prev = d[i - 1] as number[];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        v = Math.min(v, ((d[i - 2] as number[])[j - 2] as number) + 1);
      }
      row[j] = v;
    }
  }
  return (d[a.length] as number[])[b.length] as number;
}

function suggestions(all: readonly ResourceInfo[], input: string): string[] {
  const lower = input.toLowerCase();
  const rs = readings(lower);
  const reading = rs[rs.length - 1] ?? { name: lower };
  // Right name, wrong or unknown group/version: suggest the qualified names that exist.
  const byName = all.filter((r) => FIELDS.some((f) => namesOf(r, f).includes(reading.name)));
  if (byName.length > 0 && (reading.group !== undefined || reading.version !== undefined)) {
    return [...new Set(byName.map(qualifiedResourceName))].slice(0, 3);
  }
  const limit = reading.name.length <= 3 ? 1 : reading.name.length <= 6 ? 2 : 3;
  const scored: Array<{ text: string; distance: number; order: number }> = [];
  all.forEach((r, order) => {
    let best: { text: string; distance: number } | undefined;
    for (const f of FIELDS) {
      for (const n of namesOf(r, f)) {
        const distance = editDistance(reading.name, n);
        if (best === undefined || distance < best.distance) best = { text: n, distance };
      }
    }
    if (best && best.distance <= limit) {
      const text = reading.group !== undefined && r.group !== '' ? `${best.text}.${r.group}` : best.text;
      scored.push({ ...best, text, order });
    }
  });
  if (scored.length === 0) return [];
  const min = Math.min(...scored.map((s) => s.distance));
  return [
    ...new Set(
      scored
        .filter((s) => s.distance === min)
        .sort((a, b) => a.order - b.order)
        .map((s) => s.text),
    ),
  ].slice(0, 3);
}

function orList(items: string[]): string {
  const quoted = items.map((s) => JSON.stringify(s));
  return quoted.length <= 1 ? quoted.join('') : `${quoted.slice(0, -1).join(', ')} or ${quoted[quoted.length - 1]}`;
}

/**
 * Finds a resource by any name kubectl accepts: plural, singular, short name or kind (case-insensitive),
 * optionally qualified by group (`deployments.apps`, `deploy.apps`), by version and group
 * (`deployments.v1.apps`), or written as a path (`apps/v1/deployments`, `v1/pods`, `apps/deployments`).
 * `extra` (custom resources, see {@link resourcesFromCrd}) is searched after the built-ins. Unknown
 * names throw InvalidArgumentError with the closest names as suggestions.
 * @example
 * resolveResource('deploy').keyPrefix // "deployments"
 * resolveResource('svc').keyPrefix // "services/specs"
 * resolveResource('certificates.cert-manager.io', [resourcesFromCrd(crd)]).namespaced // true
 */
export function resolveResource(name: string, extra: readonly ResourceInfo[] = []): ResourceInfo {
  if (typeof name !== 'string' || name.trim() === '') {
    throw new InvalidArgumentError(
      `Resource name missing: ${JSON.stringify(name)}. Pass a resource such as "pods", "deploy" or "deployments.apps".`,
    );
  }
  const input = name.trim();
  const all = [...BUILTINS, ...extra];
  for (const reading of readings(input)) {
    const hit = find(all, reading);
    if (!hit) continue;
    const viaLegacyGroup = reading.group !== undefined && reading.group.toLowerCase() !== hit.group.toLowerCase();
    if (reading.version !== undefined && !viaLegacyGroup && !hit.versions.includes(reading.version.toLowerCase())) {
      throw new InvalidArgumentError(
        `Unknown version "${reading.version}" of resource ${qualifiedResourceName(hit)} in ${JSON.stringify(input)}. ` +
          `Served versions: ${hit.versions.join(', ')}; or omit the version.`,
        { resource: qualifiedResourceName(hit), versions: [...hit.versions] },
      );
    }
    return hit;
  }
  const lower = input.toLowerCase();
  const notStored = NOT_STORED.find((n) => n.names.includes(lower.split('.')[0] ?? lower));
  if (notStored) {
    throw new InvalidArgumentError(
      `Resource ${JSON.stringify(input)} (${notStored.qualified}) is not stored in etcd: kube-apiserver computes it on each request. ` +
        'k.resources() lists what this source holds.',
      { resource: notStored.qualified },
    );
  }
  const hints = suggestions(all, input);
  const hint = hints.length > 0 ? ` Did you mean ${orList(hints)}?` : '';
  throw new InvalidArgumentError(
    `Unknown resource ${JSON.stringify(input)}.${hint} k.resources() lists what this source holds.`,
    { resource: input, suggestions: hints },
  );
}
