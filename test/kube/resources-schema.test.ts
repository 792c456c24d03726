/**
 * The resource table against the compiled schema of the installed Kubernetes sources (k8s.io/api
 * 0.36.4 and 0.32.3, see proto/README.md): every kind the table names exists, and every kind the schema
 * can store is in the table (or on the list of kinds kube-apiserver never stores); each resource's versions
 * are the 1.36 schema's versions of its kind, less those Kubernetes no longer serves.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { loadSchema } from '../../src/codec/schema';
import type { CompiledSchema } from '../../src/codec/schema-types';
import { builtinResources } from '../../src/kube/resources';

/** Groups served by kube-apiserver's other parts (apiextensions-apiserver, kube-aggregator), not in k8s.io/api. */
const NOT_IN_K8S_API = new Set(['apiextensions.k8s.io', 'apiregistration.k8s.io']);

/** `group/Kind` of kinds with ObjectMeta that kube-apiserver never stores as objects of their own. */
const NEVER_STORED = new Set([
  '/Binding', // pods/binding subresource
  '/ComponentStatus', // computed
  '/PodStatusResult', // internal
  '/RangeAllocation', // stored, but at <prefix>/ranges/…, not as a resource (parseKey: range-allocation)
  'apps/Scale',
  'autoscaling/Scale',
  'extensions/Scale',
  'policy/Eviction', // pods/eviction subresource
  'authentication.k8s.io/TokenReview',
  'authentication.k8s.io/TokenRequest',
  'authentication.k8s.io/SelfSubjectReview',
  'authorization.k8s.io/SubjectAccessReview',
  'authorization.k8s.io/SelfSubjectAccessReview',
  'authorization.k8s.io/LocalSubjectAccessReview',
  'authorization.k8s.io/SelfSubjectRulesReview',
  'imagepolicy.k8s.io/ImageReview',
  'apidiscovery.k8s.io/APIGroupDiscovery',
  'meta.k8s.io/PartialObjectMetadata',
  'testapigroup.apimachinery.k8s.io/Carp', // apimachinery's test group
]);

/**
 * `group/version` (all kinds) or `group/version/Kind` that k8s.io/api 0.36 still ships but Kubernetes 1.36
 * no longer serves (the Kubernetes deprecation guide; data.go's RemovedVersion): what the schema cannot
 * tell about a version. Every other version of a kind in the 1.36 schema is a served one.
 */
const NO_LONGER_SERVED = new Set([
  'admissionregistration.k8s.io/v1beta1/MutatingWebhookConfiguration', // 1.22
  'admissionregistration.k8s.io/v1beta1/ValidatingWebhookConfiguration', // 1.22
  'apps/v1beta1', // 1.16
  'apps/v1beta2', // 1.16
  'batch/v1beta1', // 1.25
  'certificates.k8s.io/v1beta1/CertificateSigningRequest', // 1.22
  'coordination.k8s.io/v1beta1/Lease', // 1.22
  'discovery.k8s.io/v1beta1', // 1.25
  'events.k8s.io/v1beta1', // 1.25
  'extensions/v1beta1', // 1.16 (ingresses 1.22)
  'flowcontrol.apiserver.k8s.io/v1beta1', // 1.26
  'flowcontrol.apiserver.k8s.io/v1beta2', // 1.29
  'flowcontrol.apiserver.k8s.io/v1beta3', // 1.32
  'networking.k8s.io/v1beta1/Ingress', // 1.22
  'networking.k8s.io/v1beta1/IngressClass', // 1.22
  'node.k8s.io/v1alpha1', // 1.22
  'node.k8s.io/v1beta1', // 1.25
  'policy/v1beta1', // 1.25
  'rbac.authorization.k8s.io/v1alpha1', // 1.22
  'rbac.authorization.k8s.io/v1beta1', // 1.22
  'scheduling.k8s.io/v1beta1', // 1.22
  'storage.k8s.io/v1beta1/CSIDriver', // 1.22
  'storage.k8s.io/v1beta1/CSINode', // 1.22
  'storage.k8s.io/v1beta1/StorageClass', // 1.22
  'storage.k8s.io/v1beta1/VolumeAttachment', // 1.22
  'storage.k8s.io/v1alpha1/VolumeAttachment', // never served by kube-apiserver 1.36
  'storage.k8s.io/v1alpha1/CSIStorageCapacity', // 1.24
  'storage.k8s.io/v1beta1/CSIStorageCapacity', // 1.27
]);

function apiVersionOf(group: string, version: string): string {
  return group === '' ? version : `${group}/${version}`;
}

const OBJECT_META = 'k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta';

function schema(): CompiledSchema {
  return loadSchema();
}

test('resource table vs schema: every built-in kind, served and stored version exists in the 1.36 schema', () => {
  const s = schema();
  const missing: string[] = [];
  for (const r of builtinResources()) {
    if (NOT_IN_K8S_API.has(r.group)) continue;
    const wanted = [
      `${r.storedAs.apiVersion}/${r.storedAs.kind}`,
      ...r.versions.map((v) => `${r.group === '' ? v : `${r.group}/${v}`}/${r.kind}`),
    ];
    // from the 1.36 sources themselves, not an older version's kinds
    for (const k of wanted)
      if (s.kinds[k]?.schemaVersion !== s.sources?.[0]?.version) missing.push(`${r.resource}: ${k}`);
  }
  assert.deepEqual(
    missing,
    [],
    `kinds named by the table but absent from the newest sources (${s.source.description})`,
  );
});

test('resource table vs schema: every storable kind of the schema is in the table', () => {
  const s = schema();
  const known = new Set<string>();
  for (const r of builtinResources()) {
    known.add(`${r.group}/${r.kind}`);
    for (const g of r.legacyGroups) known.add(`${g}/${r.kind}`);
  }
  const storable = Object.values(s.kinds).filter((k) =>
    // an older version's kinds have its own (prefixed) ObjectMeta: `1.32/k8s.io.apimachinery…ObjectMeta`
    (s.messages[k.message]?.fields ?? []).some(
      (f) => f.name === 'metadata' && (f.message === OBJECT_META || f.message?.endsWith(`/${OBJECT_META}`) === true),
    ),
  );
  assert.ok(storable.length > 100, `the schema has storable kinds (${storable.length})`);
  const missing = [...new Set(storable.map((k) => `${k.group}/${k.kind}`))]
    .filter((gk) => !known.has(gk) && !NEVER_STORED.has(gk))
    .sort();
  assert.deepEqual(missing, [], 'storable kinds of the schema missing from the resource table');
});

test("resource table vs schema: each resource's versions are its kind's served versions in the 1.36 schema, preferred first", () => {
  const s = schema();
  const newest = s.sources?.[0]?.version;
  assert.equal(newest, '1.36', 'the newest installed sources are 1.36');
  const wrong: string[] = [];
  for (const r of builtinResources()) {
    if (NOT_IN_K8S_API.has(r.group) || r.storedWith !== undefined) continue;
    const served = Object.values(s.kinds)
      .filter((k) => k.schemaVersion === newest && k.group === r.group && k.kind === r.kind)
      .map((k) => k.version)
      .filter(
        (v) =>
          !NO_LONGER_SERVED.has(apiVersionOf(r.group, v)) &&
          !NO_LONGER_SERVED.has(`${apiVersionOf(r.group, v)}/${r.kind}`),
      );
    // Kubernetes' version priority: GA, then beta, then alpha, higher numbers first
    const rank = (v: string): number => {
      const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
      if (m === null) return 0;
      return (m[2] === undefined ? 3 : m[2] === 'beta' ? 2 : 1) * 1e6 + Number(m[1]) * 1e3 + Number(m[3] ?? 0);
    };
    served.sort((a, b) => rank(b) - rank(a));
    if (served.join(',') !== r.versions.join(','))
      wrong.push(`${r.resource}.${r.group}: table ${r.versions.join(',')}, schema ${served.join(',')}`);
  }
  assert.deepEqual(wrong, [], 'versions of the table against the 1.36 schema');
});
