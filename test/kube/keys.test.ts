import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { detectEtcdPrefix, keyFor, listPrefixFor, parseKey, type ParsedKey } from '../../src/kube/keys';
import { builtinResources, resolveResource, resourcesFromCrd, type ResourceInfo } from '../../src/kube/resources';

/** The owner of a resource's keys: itself, or the resource it is `storedWith` (core events). */
function owner(r: ResourceInfo): ResourceInfo {
  return r.storedWith === undefined ? r : resolveResource(r.storedWith);
}

test('keys: every built-in resource round-trips (keyFor → parseKey) under several prefixes', () => {
  const prefixes: Array<[string | undefined, string]> = [
    [undefined, '/registry'],
    ['/registry', '/registry'],
    ['/registry/', '/registry'],
    ['/kubernetes.io', '/kubernetes.io'],
    ['/my/custom-prefix', '/my/custom-prefix'],
    ['/', ''],
  ];
  let checked = 0;
  for (const r of builtinResources()) {
    for (const [given, normal] of prefixes) {
      const ns = r.namespaced ? 'kube-system' : undefined;
      const key = given === undefined ? keyFor(r, 'obj.name-1', ns) : keyFor(r, 'obj.name-1', ns, given);
      assert.equal(key, `${normal}/${r.keyPrefix}/${ns ? ns + '/' : ''}obj.name-1`);
      const parsed = parseKey(key, given === undefined ? {} : { prefix: given });
      const o = owner(r);
      assert.deepEqual(parsed, {
        kind: 'object',
        key,
        prefix: normal,
        keyPrefix: r.keyPrefix,
        resource: o.resource,
        ...(o.group ? { group: o.group } : {}),
        ...(ns ? { namespace: ns } : {}),
        name: 'obj.name-1',
        info: o,
      });
      const list = listPrefixFor(r, undefined, given ?? '/registry');
      assert.ok(key.startsWith(list) && list.endsWith('/'), `${key} under ${list}`);
      checked++;
    }
  }
  assert.equal(checked, builtinResources().length * prefixes.length);
  assert.equal(builtinResources().length, 68);
});

test('keys: the ExpectedEtcdPath of kubernetes test/integration/etcd/data.go', () => {
  const ns = 'etcdstoragepathtestnamespace';
  const cases: Array<[string, string, string | undefined, string]> = [
    ['services', 'service1', ns, `/registry/services/specs/${ns}/service1`],
    ['endpoints', 'ep1name', ns, `/registry/services/endpoints/${ns}/ep1name`],
    ['nodes', 'node1', undefined, '/registry/minions/node1'],
    ['replicationcontrollers', 'rc1', ns, `/registry/controllers/${ns}/rc1`],
    ['ingresses.networking.k8s.io', 'ingress3', ns, `/registry/ingress/${ns}/ingress3`],
    ['events.events.k8s.io', 'event3', ns, `/registry/events/${ns}/event3`],
    ['apiservices', 'as2.foo.com', undefined, '/registry/apiregistration.k8s.io/apiservices/as2.foo.com'],
    [
      'crd',
      'openshiftwebconsoleconfigs.webconsole2.operator.openshift.io',
      undefined,
      '/registry/apiextensions.k8s.io/customresourcedefinitions/openshiftwebconsoleconfigs.webconsole2.operator.openshift.io',
    ],
    ['hpa', 'hpa2', ns, `/registry/horizontalpodautoscalers/${ns}/hpa2`],
    [
      'clustertrustbundles',
      'example.com:signer:abc',
      undefined,
      '/registry/clustertrustbundles/example.com:signer:abc',
    ],
    ['ipaddresses', '192.168.1.3', undefined, '/registry/ipaddresses/192.168.1.3'],
    ['leasecandidates', 'leasecandidatev1alpha2', ns, `/registry/leasecandidates/${ns}/leasecandidatev1alpha2`],
    ['storageversions', 'sv1.test', undefined, '/registry/storageversions/sv1.test'],
    ['deviceclasses', 'class2name', undefined, '/registry/deviceclasses/class2name'],
    ['csistoragecapacities', 'csc-12345-3', ns, `/registry/csistoragecapacities/${ns}/csc-12345-3`],
    ['podcertificaterequests', 'req-1', ns, `/registry/podcertificaterequests/${ns}/req-1`],
    ['workloads', 'w1', ns, `/registry/workloads/${ns}/w1`],
    ['podgroups', 'pg1', ns, `/registry/podgroups/${ns}/pg1`],
    ['devicetaintrules', 'taint1name', undefined, '/registry/devicetaintrules/taint1name'],
    ['resourcepoolstatusrequests', 'rpsr1name', undefined, '/registry/resourcepoolstatusrequests/rpsr1name'],
    ['mutatingadmissionpolicies', 'map1v1', undefined, '/registry/mutatingadmissionpolicies/map1v1'],
    ['storageversionmigrations', 'test-migration', undefined, '/registry/storageversionmigrations/test-migration'],
    ['servicecidrs', 'range-b2', undefined, '/registry/servicecidrs/range-b2'],
    ['volumeattributesclasses', 'vac3', undefined, '/registry/volumeattributesclasses/vac3'],
  ];
  for (const [resource, name, namespace, key] of cases) {
    assert.equal(keyFor(resource, name, namespace), key, resource);
    const parsed = parseKey(key);
    assert.equal(parsed.kind, 'object');
    if (parsed.kind === 'object') assert.equal(parsed.name, name);
  }
});

test('keys: custom resources, with and without their CRD', () => {
  const foos = resourcesFromCrd({
    metadata: { name: 'foos.cr.bar.com' },
    spec: {
      group: 'cr.bar.com',
      scope: 'Namespaced',
      names: { plural: 'foos', kind: 'Foo' },
      versions: [{ name: 'v1', served: true, storage: true }],
    },
  });
  const snaps = resourcesFromCrd({
    spec: {
      group: 'snapshot.storage.k8s.io',
      scope: 'Namespaced',
      names: { plural: 'volumesnapshots', kind: 'VolumeSnapshot' },
      versions: [{ name: 'v1', served: true, storage: true }],
    },
  });
  const pants = resourcesFromCrd({
    spec: {
      group: 'custom.fancy.com',
      scope: 'Cluster',
      names: { plural: 'pants', kind: 'Pant' },
      versions: [{ name: 'v2', served: true, storage: true }],
    },
  });
  const resources = [foos, snaps, pants];
  const ns = 'etcdstoragepathtestnamespace';
  assert.equal(keyFor(foos, 'cr1foo', ns), `/registry/cr.bar.com/foos/${ns}/cr1foo`);
  assert.equal(keyFor(pants, 'cr2pant'), '/registry/custom.fancy.com/pants/cr2pant');
  assert.equal(
    keyFor(snaps, 'snap', 'default', '/kubernetes.io'),
    '/kubernetes.io/snapshot.storage.k8s.io/volumesnapshots/default/snap',
  );
  for (const r of resources) {
    const key = keyFor(r, 'x', r.namespaced ? 'ns1' : undefined);
    const known = parseKey(key, { resources });
    assert.deepEqual(known, {
      kind: 'object',
      key,
      prefix: '/registry',
      keyPrefix: r.keyPrefix,
      resource: r.resource,
      group: r.group,
      ...(r.namespaced ? { namespace: 'ns1' } : {}),
      name: 'x',
      info: r,
    });
    // Without the CRD the shape still tells group, resource, namespace and name, but not the resource info.
    const unknown = parseKey(key);
    assert.deepEqual(unknown, {
      kind: 'object',
      key,
      prefix: '/registry',
      keyPrefix: r.keyPrefix,
      resource: r.resource,
      group: r.group,
      ...(r.namespaced ? { namespace: 'ns1' } : {}),
      name: 'x',
    });
  }
  // With the CRD, a key of the wrong shape for its scope is not an object key.
  assert.equal(parseKey('/registry/custom.fancy.com/pants/ns/x', { resources }).kind, 'other');
  assert.equal(parseKey('/registry/cr.bar.com/foos/x', { resources }).kind, 'other');
  assert.equal(listPrefixFor(foos, 'default'), '/registry/cr.bar.com/foos/default/');
});

test('keys: non-object keys of real clusters', () => {
  const cases: Array<[string, ParsedKey]> = [
    ['compact_rev_key', { kind: 'compact-revision', key: 'compact_rev_key' }],
    [
      '/registry/masterleases/10.0.0.1',
      { kind: 'master-lease', key: '/registry/masterleases/10.0.0.1', prefix: '/registry', ip: '10.0.0.1' },
    ],
    [
      '/registry/masterleases/fd00::1',
      { kind: 'master-lease', key: '/registry/masterleases/fd00::1', prefix: '/registry', ip: 'fd00::1' },
    ],
    [
      '/registry/ranges/serviceips',
      { kind: 'range-allocation', key: '/registry/ranges/serviceips', prefix: '/registry', range: 'serviceips' },
    ],
    [
      '/registry/ranges/servicenodeports',
      {
        kind: 'range-allocation',
        key: '/registry/ranges/servicenodeports',
        prefix: '/registry',
        range: 'servicenodeports',
      },
    ],
    [
      '/kubernetes.io/ranges/serviceips',
      {
        kind: 'range-allocation',
        key: '/kubernetes.io/ranges/serviceips',
        prefix: '/kubernetes.io',
        range: 'serviceips',
      },
    ],
  ];
  for (const [key, expected] of cases) assert.deepEqual(parseKey(key), expected, key);
});

test('keys: odd keys never throw and come back as { kind: "other" }', () => {
  const other: Array<[string, string | undefined]> = [
    ['', undefined],
    ['noslash', undefined],
    ['registry/pods/default/web', undefined],
    ['/registry', undefined],
    ['/registryx/pods/a/b', undefined],
    ['/registry/', '/registry'],
    ['/registry//', '/registry'],
    ['/registry/pods', '/registry'],
    ['/registry/pods/', '/registry'],
    ['/registry/pods/default/', '/registry'],
    ['/registry/pods//web', '/registry'],
    ['/registry/pods/web', '/registry'],
    ['/registry/pods/default/web/extra', '/registry'],
    ['/registry/namespaces/a/b', '/registry'],
    ['/registry/services/specs', '/registry'],
    ['/registry/services/x/y', '/registry'],
    ['/registry/masterleases', '/registry'],
    ['/registry/masterleases/a/b', '/registry'],
    ['/registry/<script>alert(1)<', '/registry'],
    ['/registry/<script>/a/b', '/registry'],
    ['/registry/Pods/default/web', '/registry'],
    ['/registry/a.b/<c>/x', '/registry'],
    ['/registry/a.b/c', '/registry'],
    ['/registry/a.b/c/d/e/f', '/registry'],
    ['/registry/pods/default/<b>x</b>', '/registry'],
    ['\u0000\uffff', undefined],
    ['/registry/\u00e9t\u00e9/x', '/registry'],
  ];
  for (const [key, prefix] of other) {
    assert.deepEqual(
      parseKey(key),
      prefix === undefined ? { kind: 'other', key } : { kind: 'other', key, prefix },
      JSON.stringify(key),
    );
  }
  assert.deepEqual(parseKey(undefined as unknown as string), { kind: 'other', key: 'undefined' });
  // HTML in a name is data, not markup: the key parses, the name keeps its characters.
  const html = parseKey('/registry/configmaps/default/<img src=x onerror=alert(1)>');
  assert.equal(html.kind === 'object' && html.name, '<img src=x onerror=alert(1)>');
  // A key under another prefix than the one given is not an object key.
  assert.deepEqual(parseKey('/registry/pods/a/b', { prefix: '/kubernetes.io' }), {
    kind: 'other',
    key: '/registry/pods/a/b',
  });
});

test('keys: unknown resources with an object key shape (removed or custom resources)', () => {
  assert.deepEqual(parseKey('/registry/podsecuritypolicy/restricted'), {
    kind: 'object',
    key: '/registry/podsecuritypolicy/restricted',
    prefix: '/registry',
    keyPrefix: 'podsecuritypolicy',
    resource: 'podsecuritypolicy',
    name: 'restricted',
  });
  assert.deepEqual(parseKey('/openshift.io/routes/default/web'), {
    kind: 'object',
    key: '/openshift.io/routes/default/web',
    prefix: '/openshift.io',
    keyPrefix: 'routes',
    resource: 'routes',
    namespace: 'default',
    name: 'web',
  });
});

test('keys: real keys of a Kubernetes 1.7 etcd (auger testdata)', () => {
  const file = path.join(__dirname, '../../..', '..', 'shared/data/auger-testdata/boltdb/keys.txt');
  const keys = fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((k) => k !== '');
  const summary = keys.map((k) => {
    const p = parseKey(k);
    return p.kind === 'object' ? `${p.resource} ${p.namespace ?? '-'} ${p.name}` : p.kind;
  });
  assert.deepEqual(summary, ['jobs default pi', 'namespaces - default', 'pods default pi-dqtsw', 'compact-revision']);
  assert.equal(detectEtcdPrefix(keys), '/registry');
});

test('listPrefixFor: ends in "/" so namespaces and names do not match by prefix', () => {
  const pods = resolveResource('pods');
  assert.equal(listPrefixFor(pods), '/registry/pods/');
  assert.equal(listPrefixFor(pods, 'default'), '/registry/pods/default/');
  assert.equal(listPrefixFor('svc', 'default', '/kubernetes.io/'), '/kubernetes.io/services/specs/default/');
  assert.equal(listPrefixFor('nodes'), '/registry/minions/');
  assert.equal(listPrefixFor('ing'), '/registry/ingress/');
  assert.ok(!keyFor(pods, 'web', 'default-x').startsWith(listPrefixFor(pods, 'default')));
  assert.ok(!keyFor('podtemplates', 't', 'default').startsWith(listPrefixFor(pods)));
  assert.ok(!keyFor('ingressclasses', 'nginx').startsWith(listPrefixFor('ingresses')));
  assert.ok(!keyFor('endpoints', 'e', 'default').startsWith(listPrefixFor('services')));
  assert.equal(listPrefixFor(pods, ''), '/registry/pods/', 'an empty namespace means all namespaces');
});

test('keyFor and listPrefixFor: scope and name mistakes are InvalidArgumentErrors', () => {
  const cases: Array<[() => unknown, string]> = [
    [
      () => keyFor('pods', 'web'),
      'Namespace missing for pods: it is a namespaced resource. Pass a namespace, e.g. "default".',
    ],
    [
      () => keyFor('pods', 'web', ''),
      'Namespace missing for pods: it is a namespaced resource. Pass a namespace, e.g. "default".',
    ],
    [
      () => keyFor('nodes', 'n1', 'default'),
      'Namespace "default" given for nodes: it is cluster-scoped. Omit the namespace.',
    ],
    [
      () => listPrefixFor('nodes', 'default'),
      'Namespace "default" given for nodes: it is cluster-scoped. Omit the namespace.',
    ],
    [() => keyFor('pods', '', 'default'), 'Invalid name for pods: "". Pass a non-empty name without \'/\'.'],
    [() => keyFor('pods', 'a/b', 'default'), 'Invalid name for pods: "a/b". Pass a non-empty name without \'/\'.'],
    [
      () => keyFor('pods', 'web', 'a/b'),
      'Invalid namespace for pods: "a/b". Pass a non-empty namespace without \'/\'.',
    ],
    [
      () => listPrefixFor('pods', 'a/b'),
      'Invalid namespace for pods: "a/b". Pass a non-empty namespace without \'/\'.',
    ],
    [
      () => keyFor('pdos', 'web', 'default'),
      'Unknown resource "pdos". Did you mean "pods"? k.resources() lists what this source holds.',
    ],
  ];
  for (const [fn, message] of cases) {
    assert.throws(fn, (e: unknown) => {
      assert.equal((e as Error).name, 'InvalidArgumentError');
      assert.equal((e as Error).message, message);
      return true;
    });
  }
});

test('detectEtcdPrefix: default, OpenShift, custom and empty prefixes', () => {
  assert.equal(detectEtcdPrefix([]), '/registry');
  assert.equal(detectEtcdPrefix(['compact_rev_key']), '/registry');
  assert.equal(
    detectEtcdPrefix(['/registry/namespaces/default', '/registry/pods/default/web', 'compact_rev_key']),
    '/registry',
  );
  assert.equal(
    detectEtcdPrefix([
      '/kubernetes.io/namespaces/default',
      '/kubernetes.io/minions/n1',
      '/openshift.io/routes/default/web',
      '/openshift.io/builds/a/b',
      '/openshift.io/images/sha',
    ]),
    '/kubernetes.io',
  );
  assert.equal(detectEtcdPrefix(['/openshift.io/routes/default/web', '/openshift.io/builds/a/b']), '/openshift.io');
  assert.equal(
    detectEtcdPrefix(['/clusters/a/registry/pods/ns/p', '/clusters/a/registry/services/specs/ns/s', '/other/x']),
    '/clusters/a/registry',
  );
  assert.equal(detectEtcdPrefix(['/pods/default/web', '/namespaces/default']), '');
  // A namespace or name that looks like a resource does not confuse it: the leftmost match counts.
  assert.equal(detectEtcdPrefix(['/registry/configmaps/pods/namespaces', '/registry/secrets/minions/x']), '/registry');
  // Works on any iterable, e.g. a generator.
  function* keys(): Generator<string> {
    yield '/k8s/namespaces/a';
    yield '/k8s/leases/kube-node-lease/n1';
  }
  assert.equal(detectEtcdPrefix(keys()), '/k8s');
  // Its answer parses the keys it was given.
  const sample = ['/k8s/namespaces/a', '/k8s/leases/kube-node-lease/n1'];
  const prefix = detectEtcdPrefix(sample);
  assert.deepEqual(
    sample.map((k) => parseKey(k, { prefix }).kind),
    ['object', 'object'],
  );
});
