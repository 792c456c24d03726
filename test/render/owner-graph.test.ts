import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderOwnerGraph, type OwnerGraphNode } from '../../src/render/owner-graph';
import { assertGolden } from './golden';

const pod = (name: string, uid: string): OwnerGraphNode => ({
  uid,
  kind: 'Pod',
  namespace: 'shop',
  name,
  present: true,
});

/** A ReplicaSet whose Deployment is gone, with three pods, one of them being deleted. */
const graph: OwnerGraphNode = {
  uid: 'rs-1',
  kind: 'ReplicaSet',
  namespace: 'shop',
  name: 'web-7d4b9c',
  present: true,
  owners: [{ uid: 'dep-1', kind: 'Deployment', namespace: 'shop', name: 'web', present: false }],
  dependents: [
    pod('web-7d4b9c-a', 'p-a'),
    { ...pod('web-7d4b9c-b', 'p-b'), deletionTimestamp: '2026-01-01T00:00:00Z', finalizers: ['example.com/hold'] },
    pod('web-7d4b9c-c', 'p-c'),
  ],
};

test('owner graph: text twin as two trees, SVG with one column per level (golden files)', () => {
  const r = renderOwnerGraph(graph);
  assert.equal(
    r.text,
    [
      'ReplicaSet shop/web-7d4b9c',
      'owners (up):',
      '└── Deployment shop/web  [not in the data: no object has uid dep-1]',
      'dependents (down):',
      '├── Pod shop/web-7d4b9c-a',
      '├── Pod shop/web-7d4b9c-b  [deleting since 2026-01-01T00:00:00Z, waits on example.com/hold]',
      '└── Pod shop/web-7d4b9c-c',
      '',
    ].join('\n'),
  );
  assertGolden('owners/replicaset.txt', r.text);
  assertGolden('owners/replicaset.svg', r.svg ?? '');
  assert.match(r.html, /^<div class="kubetcd"><style>/);
  // three columns (owner, object, pods); the missing owner dashed, the pod being deleted in its own colour
  assert.equal((r.svg?.match(/<rect /g) ?? []).length, 5);
  assert.equal((r.svg?.match(/<path /g) ?? []).length, 4);
  assert.match(r.svg ?? '', /stroke="#d62728" stroke-width="1.2" stroke-dasharray="4 3"/);
  assert.match(r.svg ?? '', /Pod \(deleting\)/);
});

test('owner graph: deeper levels nest, wide levels are cut with a count, nothing unescaped', () => {
  const { owners: _owners, ...withoutOwners } = graph;
  const deep: OwnerGraphNode = {
    uid: 'd',
    kind: 'Deployment',
    namespace: 'shop',
    name: 'web',
    present: true,
    dependents: [{ ...withoutOwners, dependents: Array.from({ length: 12 }, (_, i) => pod(`p${i}`, `u${i}`)) }],
  };
  const r = renderOwnerGraph(deep, { maxPerLevel: 5 });
  assert.match(r.text, /^└── ReplicaSet shop\/web-7d4b9c\n {4}├── Pod shop\/p0\n/m);
  assert.match(r.text, / {4}└── … 7 more\n$/);
  assert.match(r.svg ?? '', /… 7 more/);
  assert.equal(
    renderOwnerGraph({ uid: 'x', kind: 'Pod', name: 'lonely', present: true }).text,
    'Pod lonely\nowners (up): none\ndependents (down): none\n',
  );
  const hostile = renderOwnerGraph({
    uid: '<u>',
    kind: '<script>',
    namespace: 'a&b',
    name: '"x"\u001b[31m',
    present: false,
  });
  assert.doesNotMatch(hostile.html, /<script>|<u>/);
  assert.match(hostile.html, /&lt;script&gt;/);
  assert.doesNotMatch(hostile.text, /\u001b/);
});
