import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import {
  builtinResources,
  isKubeVersion,
  preferredApiVersion,
  qualifiedResourceName,
  resolveResource,
  resourcesFromCrd,
  type ResourceInfo,
} from '../../src/kube/resources';

/**
 * `kubectl api-resources` of a Kubernetes 1.36 cluster with every API group enabled, limited to the
 * resources kube-apiserver stores (NAME SHORTNAMES APIVERSION NAMESPACED KIND), plus the key prefix.
 * Key prefixes from kubernetes test/integration/etcd/data.go (ExpectedEtcdPath).
 */
const GOLDEN = `
configmaps                         cm         v1                                      true   ConfigMap                         configmaps
endpoints                          ep         v1                                      true   Endpoints                         services/endpoints
events                             ev         v1                                      true   Event                             events
limitranges                        limits     v1                                      true   LimitRange                        limitranges
namespaces                         ns         v1                                      false  Namespace                         namespaces
nodes                              no         v1                                      false  Node                              minions
persistentvolumeclaims             pvc        v1                                      true   PersistentVolumeClaim             persistentvolumeclaims
persistentvolumes                  pv         v1                                      false  PersistentVolume                  persistentvolumes
pods                               po         v1                                      true   Pod                               pods
podtemplates                       -          v1                                      true   PodTemplate                       podtemplates
replicationcontrollers             rc         v1                                      true   ReplicationController             controllers
resourcequotas                     quota      v1                                      true   ResourceQuota                     resourcequotas
secrets                            -          v1                                      true   Secret                            secrets
serviceaccounts                    sa         v1                                      true   ServiceAccount                    serviceaccounts
services                           svc        v1                                      true   Service                           services/specs
mutatingadmissionpolicies          -          admissionregistration.k8s.io/v1         false  MutatingAdmissionPolicy           mutatingadmissionpolicies
mutatingadmissionpolicybindings    -          admissionregistration.k8s.io/v1         false  MutatingAdmissionPolicyBinding    mutatingadmissionpolicybindings
mutatingwebhookconfigurations      -          admissionregistration.k8s.io/v1         false  MutatingWebhookConfiguration      mutatingwebhookconfigurations
validatingadmissionpolicies        -          admissionregistration.k8s.io/v1         false  ValidatingAdmissionPolicy         validatingadmissionpolicies
validatingadmissionpolicybindings  -          admissionregistration.k8s.io/v1         false  ValidatingAdmissionPolicyBinding  validatingadmissionpolicybindings
validatingwebhookconfigurations    -          admissionregistration.k8s.io/v1         false  ValidatingWebhookConfiguration    validatingwebhookconfigurations
customresourcedefinitions          crd,crds   apiextensions.k8s.io/v1                 false  CustomResourceDefinition          apiextensions.k8s.io/customresourcedefinitions
apiservices                        -          apiregistration.k8s.io/v1               false  APIService                        apiregistration.k8s.io/apiservices
controllerrevisions                -          apps/v1                                 true   ControllerRevision                controllerrevisions
daemonsets                         ds         apps/v1                                 true   DaemonSet                         daemonsets
deployments                        deploy     apps/v1                                 true   Deployment                        deployments
replicasets                        rs         apps/v1                                 true   ReplicaSet                        replicasets
statefulsets                       sts        apps/v1                                 true   StatefulSet                       statefulsets
horizontalpodautoscalers           hpa        autoscaling/v2                          true   HorizontalPodAutoscaler           horizontalpodautoscalers
cronjobs                           cj         batch/v1                                true   CronJob                           cronjobs
jobs                               -          batch/v1                                true   Job                               jobs
certificatesigningrequests         csr        certificates.k8s.io/v1                  false  CertificateSigningRequest         certificatesigningrequests
clustertrustbundles                -          certificates.k8s.io/v1beta1             false  ClusterTrustBundle                clustertrustbundles
podcertificaterequests             -          certificates.k8s.io/v1beta1             true   PodCertificateRequest             podcertificaterequests
leasecandidates                    -          coordination.k8s.io/v1beta1             true   LeaseCandidate                    leasecandidates
leases                             -          coordination.k8s.io/v1                  true   Lease                             leases
endpointslices                     -          discovery.k8s.io/v1                     true   EndpointSlice                     endpointslices
events                             ev         events.k8s.io/v1                        true   Event                             events
flowschemas                        -          flowcontrol.apiserver.k8s.io/v1         false  FlowSchema                        flowschemas
prioritylevelconfigurations        -          flowcontrol.apiserver.k8s.io/v1         false  PriorityLevelConfiguration        prioritylevelconfigurations
storageversions                    -          internal.apiserver.k8s.io/v1alpha1      false  StorageVersion                    storageversions
ingressclasses                     -          networking.k8s.io/v1                    false  IngressClass                      ingressclasses
ingresses                          ing        networking.k8s.io/v1                    true   Ingress                           ingress
ipaddresses                        ip         networking.k8s.io/v1                    false  IPAddress                         ipaddresses
networkpolicies                    netpol     networking.k8s.io/v1                    true   NetworkPolicy                     networkpolicies
servicecidrs                       -          networking.k8s.io/v1                    false  ServiceCIDR                       servicecidrs
runtimeclasses                     -          node.k8s.io/v1                          false  RuntimeClass                      runtimeclasses
poddisruptionbudgets               pdb        policy/v1                               true   PodDisruptionBudget               poddisruptionbudgets
clusterrolebindings                -          rbac.authorization.k8s.io/v1            false  ClusterRoleBinding                clusterrolebindings
clusterroles                       -          rbac.authorization.k8s.io/v1            false  ClusterRole                       clusterroles
rolebindings                       -          rbac.authorization.k8s.io/v1            true   RoleBinding                       rolebindings
roles                              -          rbac.authorization.k8s.io/v1            true   Role                              roles
deviceclasses                      -          resource.k8s.io/v1                      false  DeviceClass                       deviceclasses
resourceclaims                     -          resource.k8s.io/v1                      true   ResourceClaim                     resourceclaims
resourceclaimtemplates             -          resource.k8s.io/v1                      true   ResourceClaimTemplate             resourceclaimtemplates
resourceslices                     -          resource.k8s.io/v1                      false  ResourceSlice                     resourceslices
devicetaintrules                   -          resource.k8s.io/v1beta2                 false  DeviceTaintRule                   devicetaintrules
resourcepoolstatusrequests         -          resource.k8s.io/v1alpha3                false  ResourcePoolStatusRequest         resourcepoolstatusrequests
podgroups                          -          scheduling.k8s.io/v1alpha2              true   PodGroup                          podgroups
priorityclasses                    pc         scheduling.k8s.io/v1                    false  PriorityClass                     priorityclasses
workloads                          -          scheduling.k8s.io/v1alpha2              true   Workload                          workloads
csidrivers                         -          storage.k8s.io/v1                       false  CSIDriver                         csidrivers
csinodes                           -          storage.k8s.io/v1                       false  CSINode                           csinodes
csistoragecapacities               -          storage.k8s.io/v1                       true   CSIStorageCapacity                csistoragecapacities
storageclasses                     sc         storage.k8s.io/v1                       false  StorageClass                      storageclasses
volumeattachments                  -          storage.k8s.io/v1                       false  VolumeAttachment                  volumeattachments
volumeattributesclasses            vac        storage.k8s.io/v1                       false  VolumeAttributesClass             volumeattributesclasses
storageversionmigrations           -          storagemigration.k8s.io/v1beta1         false  StorageVersionMigration           storageversionmigrations
`;

function row(r: ResourceInfo): string {
  return [
    r.resource.padEnd(34),
    (r.shortNames.join(',') || '-').padEnd(10),
    preferredApiVersion(r).padEnd(39),
    String(r.namespaced).padEnd(6),
    r.kind.padEnd(33),
    r.keyPrefix,
  ].join(' ');
}

test('builtinResources: the Kubernetes 1.36 table (kubectl api-resources + data.go key prefixes)', () => {
  assert.equal(builtinResources().map(row).join('\n'), GOLDEN.trim());
  assert.equal(builtinResources().length, 68);
});

test('builtinResources: consistent entries, unique names within a group, fresh copies', () => {
  const all = builtinResources();
  const seen = new Set<string>();
  for (const r of all) {
    assert.match(r.resource, /^[a-z]+$/);
    assert.equal(r.singular, r.kind.toLowerCase());
    assert.match(r.kind, /^[A-Z][A-Za-z]+$/);
    assert.ok(r.versions.length > 0 && r.versions.every(isKubeVersion), r.resource);
    assert.equal(r.builtin, true);
    const q = qualifiedResourceName(r);
    assert.ok(!seen.has(q), `duplicate ${q}`);
    seen.add(q);
    assert.ok(Object.isFrozen(r));
  }
  all.pop();
  assert.equal(builtinResources().length, 68, 'callers get a copy');
});

test('builtinResources: storage facts (stored version, encoding, shared storage)', () => {
  const r = (name: string): ResourceInfo => resolveResource(name);
  assert.deepEqual(r('hpa').storedAs, { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler' });
  assert.deepEqual(r('hpa').versions, ['v2', 'v1']);
  // data.go ExpectedGVK: stored in another version than the preferred one
  assert.deepEqual(r('mutatingadmissionpolicies').storedAs, {
    apiVersion: 'admissionregistration.k8s.io/v1beta1',
    kind: 'MutatingAdmissionPolicy',
  });
  assert.deepEqual(r('devicetaintrules').storedAs, { apiVersion: 'resource.k8s.io/v1alpha3', kind: 'DeviceTaintRule' });
  assert.deepEqual(r('resourceclaims').storedAs, { apiVersion: 'resource.k8s.io/v1', kind: 'ResourceClaim' });
  assert.deepEqual(r('leasecandidates').storedAs, {
    apiVersion: 'coordination.k8s.io/v1beta1',
    kind: 'LeaseCandidate',
  });
  assert.deepEqual(r('crd').storedAs, { apiVersion: 'apiextensions.k8s.io/v1beta1', kind: 'CustomResourceDefinition' });
  assert.equal(r('crd').encoding, 'json');
  assert.equal(r('apiservices').encoding, 'json');
  assert.equal(r('pods').encoding, 'protobuf');
  const newEvents = r('events.events.k8s.io');
  assert.equal(newEvents.group, 'events.k8s.io');
  assert.equal(newEvents.storedWith, 'events');
  assert.deepEqual(newEvents.storedAs, { apiVersion: 'v1', kind: 'Event' });
  assert.equal(newEvents.keyPrefix, r('events').keyPrefix);
  assert.equal(r('events').storedWith, undefined);
  for (const name of ['deployments', 'daemonsets', 'replicasets', 'ingresses', 'networkpolicies']) {
    assert.deepEqual(r(name).legacyGroups, ['extensions'], name);
  }
  const special = builtinResources()
    .filter((x) => x.keyPrefix !== x.resource)
    .map((x) => `${qualifiedResourceName(x)} ${x.keyPrefix}`);
  assert.deepEqual(special, [
    'endpoints services/endpoints',
    'nodes minions',
    'replicationcontrollers controllers',
    'services services/specs',
    'customresourcedefinitions.apiextensions.k8s.io apiextensions.k8s.io/customresourcedefinitions',
    'apiservices.apiregistration.k8s.io apiregistration.k8s.io/apiservices',
    'ingresses.networking.k8s.io ingress',
  ]);
});

test('resolveResource: every built-in by plural, singular, short names, kind and qualified names', () => {
  for (const r of builtinResources()) {
    // Unqualified names of events.k8s.io events are core events' names: kubectl prefers the core group.
    const plain = r.storedWith === undefined ? r : resolveResource(r.storedWith);
    const names = [r.resource, r.singular, r.kind, r.kind.toUpperCase(), r.resource.toUpperCase(), ...r.shortNames];
    for (const n of names) assert.equal(resolveResource(n), plain, `${n} → ${qualifiedResourceName(plain)}`);
    for (const v of r.versions) {
      const gv = r.group === '' ? v : `${r.group}/${v}`;
      assert.equal(resolveResource(`${gv}/${r.resource}`), r, `${gv}/${r.resource}`);
      assert.equal(resolveResource(`${r.resource}.${v}${r.group ? '.' + r.group : ''}`), r);
    }
    if (r.group !== '') {
      for (const n of [r.resource, r.singular, r.kind, ...r.shortNames]) {
        assert.equal(resolveResource(`${n}.${r.group}`), r, `${n}.${r.group}`);
      }
      assert.equal(resolveResource(`${r.group}/${r.resource}`), r);
      assert.equal(resolveResource(`${r.resource}.${r.group.toUpperCase()}`), r, 'groups are case-insensitive');
    }
  }
});

test('resolveResource: the forms named in the brief, legacy groups, blanks', () => {
  const pods = resolveResource('pods');
  for (const n of ['pod', 'po', 'Pod', ' pods ', 'v1/pods', 'pods.v1', 'PODS'])
    assert.equal(resolveResource(n), pods, n);
  const deploy = resolveResource('deployments.apps');
  for (const n of [
    'deployment.apps',
    'deploy',
    'deploy.apps',
    'apps/v1/deployments',
    'deployments.v1.apps',
    'Deployment',
    'apps/deployments',
  ]) {
    assert.equal(resolveResource(n), deploy, n);
  }
  assert.equal(resolveResource('deployments.extensions'), deploy);
  assert.equal(resolveResource('extensions/v1beta1/deployments'), deploy);
  assert.equal(resolveResource('ingresses.extensions').keyPrefix, 'ingress');
  assert.equal(resolveResource('ev').group, '');
  assert.equal(resolveResource('Event').group, '');
});

function throwsMessage(fn: () => unknown, message: string | RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.equal((e as Error).name, 'InvalidArgumentError');
    if (typeof message === 'string') assert.equal((e as Error).message, message);
    else assert.match((e as Error).message, message);
    return true;
  });
}

test('resolveResource: unknown names suggest the closest names', () => {
  const cases: Array<[string, string]> = [
    ['pdos', 'Unknown resource "pdos". Did you mean "pods"? k.resources() lists what this source holds.'],
    [
      'deploymnets',
      'Unknown resource "deploymnets". Did you mean "deployments"? k.resources() lists what this source holds.',
    ],
    ['secret5', 'Unknown resource "secret5". Did you mean "secrets"? k.resources() lists what this source holds.'],
    ['nodse', 'Unknown resource "nodse". Did you mean "nodes"? k.resources() lists what this source holds.'],
    ['Servce', 'Unknown resource "Servce". Did you mean "service"? k.resources() lists what this source holds.'],
    [
      'deployments.apss',
      'Unknown resource "deployments.apss". Did you mean "deployments.apps"? k.resources() lists what this source holds.',
    ],
    [
      'apps/v1/deploymnt',
      'Unknown resource "apps/v1/deploymnt". Did you mean "deployment.apps"? k.resources() lists what this source holds.',
    ],
    ['podz', 'Unknown resource "podz". Did you mean "pods"? k.resources() lists what this source holds.'],
    ['pv2', 'Unknown resource "pv2". Did you mean "pvc" or "pv"? k.resources() lists what this source holds.'],
    ['eventz', 'Unknown resource "eventz". Did you mean "events"? k.resources() lists what this source holds.'],
    ['xyzzy', 'Unknown resource "xyzzy". k.resources() lists what this source holds.'],
    ['a/b/c/d', 'Unknown resource "a/b/c/d". k.resources() lists what this source holds.'],
  ];
  for (const [input, message] of cases) throwsMessage(() => resolveResource(input), message);
  try {
    resolveResource('pdos');
  } catch (e) {
    assert.deepEqual((e as { details: unknown }).details, { resource: 'pdos', suggestions: ['pods'] });
  }
});

test('resolveResource: versions that are not served, resources that are not stored, empty names', () => {
  throwsMessage(
    () => resolveResource('apps/v2/deployments'),
    'Unknown version "v2" of resource deployments.apps in "apps/v2/deployments". Served versions: v1; or omit the version.',
  );
  throwsMessage(
    () => resolveResource('horizontalpodautoscalers.v2beta2.autoscaling'),
    'Unknown version "v2beta2" of resource horizontalpodautoscalers.autoscaling in "horizontalpodautoscalers.v2beta2.autoscaling". Served versions: v2, v1; or omit the version.',
  );
  throwsMessage(
    () => resolveResource('cs'),
    'Resource "cs" (componentstatuses) is not stored in etcd: kube-apiserver computes it on each request. k.resources() lists what this source holds.',
  );
  throwsMessage(
    () => resolveResource('tokenreviews'),
    /\(tokenreviews\.authentication\.k8s\.io\) is not stored in etcd/,
  );
  throwsMessage(
    () => resolveResource(''),
    'Resource name missing: "". Pass a resource such as "pods", "deploy" or "deployments.apps".',
  );
  throwsMessage(() => resolveResource(undefined as unknown as string), /Resource name missing/);
});

const CERT_CRD = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'certificates.cert-manager.io' },
  spec: {
    group: 'cert-manager.io',
    names: {
      kind: 'Certificate',
      listKind: 'CertificateList',
      plural: 'certificates',
      singular: 'certificate',
      shortNames: ['cert', 'certs'],
      categories: ['cert-manager'],
    },
    scope: 'Namespaced',
    versions: [
      { name: 'v1alpha2', served: false, storage: false },
      { name: 'v1beta1', served: true, storage: false },
      { name: 'v1', served: true, storage: true },
    ],
  },
};

test('resourcesFromCrd: an apiextensions.k8s.io/v1 CRD', () => {
  const r = resourcesFromCrd(CERT_CRD);
  assert.deepEqual(
    { ...r },
    {
      resource: 'certificates',
      singular: 'certificate',
      shortNames: ['cert', 'certs'],
      kind: 'Certificate',
      group: 'cert-manager.io',
      versions: ['v1', 'v1beta1'],
      namespaced: true,
      keyPrefix: 'cert-manager.io/certificates',
      storedAs: { apiVersion: 'cert-manager.io/v1', kind: 'Certificate' },
      encoding: 'json',
      legacyGroups: [],
      builtin: false,
    },
  );
  const extra = [r];
  for (const n of [
    'certificates.cert-manager.io',
    'cert',
    'certs',
    'Certificate',
    'certificate',
    'cert-manager.io/v1/certificates',
    'certificates.v1beta1.cert-manager.io',
  ]) {
    assert.equal(resolveResource(n, extra), r, n);
  }
  throwsMessage(
    () => resolveResource('certificates', []),
    /Unknown resource "certificates"\. Did you mean "certificatesigningrequests"\?|Unknown resource "certificates"\./,
  );
  throwsMessage(() => resolveResource('cert-manager.io/v1alpha2/certificates', extra), /Served versions: v1, v1beta1/);
  throwsMessage(() => resolveResource('certificatez', extra), /Did you mean "certificates"\?/);
});

test('resourcesFromCrd: v1beta1 CRDs, cluster scope, .k8s.io groups, defaults', () => {
  const legacy = resourcesFromCrd({
    apiVersion: 'apiextensions.k8s.io/v1beta1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'volumesnapshotclasses.snapshot.storage.k8s.io' },
    spec: {
      group: 'snapshot.storage.k8s.io',
      version: 'v1beta1',
      scope: 'Cluster',
      names: { kind: 'VolumeSnapshotClass', plural: 'volumesnapshotclasses' },
    },
  });
  assert.equal(legacy.keyPrefix, 'snapshot.storage.k8s.io/volumesnapshotclasses');
  assert.equal(legacy.namespaced, false);
  assert.equal(legacy.singular, 'volumesnapshotclass');
  assert.deepEqual(legacy.versions, ['v1beta1']);
  assert.deepEqual(legacy.storedAs, { apiVersion: 'snapshot.storage.k8s.io/v1beta1', kind: 'VolumeSnapshotClass' });
  const ordered = resourcesFromCrd({
    spec: {
      group: 'x.io',
      scope: 'Namespaced',
      names: { kind: 'Thing', plural: 'things' },
      versions: [
        { name: 'v1alpha1', served: true },
        { name: 'v2', served: true },
        { name: 'v10beta1', served: true },
        { name: 'v1', served: true },
        { name: 'foo', served: true },
      ],
    },
  });
  assert.deepEqual(ordered.versions, ['v2', 'v1', 'v10beta1', 'v1alpha1', 'foo'], 'Kubernetes version priority');
  assert.equal(ordered.storedAs.apiVersion, 'x.io/v2', 'no storage flag: the preferred version');
});

test('resourcesFromCrd: objects that are not CRDs are InvalidArgumentErrors', () => {
  throwsMessage(
    () => resourcesFromCrd({}),
    'Cannot read CustomResourceDefinition: it has no spec. Pass the CRD object as decoded (kubectl get crd <name> -o json).',
  );
  throwsMessage(
    () => resourcesFromCrd({ metadata: { name: 'x.y' }, spec: { names: { plural: 'x', kind: 'X' } } }),
    'Cannot read CustomResourceDefinition "x.y": spec.group is missing. Pass the CRD object as decoded (kubectl get crd <name> -o json).',
  );
  throwsMessage(
    () => resourcesFromCrd({ spec: { group: 'g.io', names: { kind: 'X' } } }),
    /spec\.names\.plural is missing/,
  );
  throwsMessage(
    () => resourcesFromCrd({ spec: { group: 'g.io', names: { plural: 'xs' } } }),
    /spec\.names\.kind is missing/,
  );
  throwsMessage(
    () => resourcesFromCrd({ spec: { group: 'g.io', names: { plural: 'xs', kind: 'X' }, versions: [] } }),
    /it defines no version/,
  );
  throwsMessage(() => resourcesFromCrd(null as unknown as object), /it has no spec/);
});
