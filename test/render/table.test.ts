import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseKubeJson } from '../../src/codec/go-json';
import type { KubeObject } from '../../src/codec/types';
import {
  alignColumns,
  createTableBuilder,
  noResourcesMessage,
  renderTable,
  renderTableAsync,
} from '../../src/render/table';
import {
  kindPrinter,
  PRINTED_KINDS,
  formatLabelSelector,
  servicePorts,
  serviceExternalIp,
} from '../../src/render/kube-printers';
import { FIXTURES, NOW, ago } from './fixtures';
import { assertGolden, SHARED_DATA } from './golden';

test('every kind with a layout has a golden table, default and wide', () => {
  for (const [resource, objects] of Object.entries(FIXTURES)) {
    const plain = renderTable(objects, { now: NOW });
    const wide = renderTable(objects, { now: NOW, wide: true });
    assertGolden(
      `tables/${resource}.txt`,
      `$ kubectl get ${resource}\n${plain.text}\n$ kubectl get ${resource} -o wide\n${wide.text}`,
    );
  }
  assertGolden('tables/pods.html', renderTable(FIXTURES['pods'] as KubeObject[], { now: NOW, wide: true }).html);
});

test('headers match kubectl for the common kinds', () => {
  const headers = (kind: string, wide = false): string =>
    (kindPrinter(kind)?.columns ?? [])
      .filter((c) => wide || c.wide !== true)
      .map((c) => c.header)
      .join(' ');
  assert.equal(headers('Pod'), 'NAME READY STATUS RESTARTS AGE');
  assert.equal(headers('Pod', true), 'NAME READY STATUS RESTARTS AGE IP NODE NOMINATED NODE READINESS GATES');
  assert.equal(headers('Deployment'), 'NAME READY UP-TO-DATE AVAILABLE AGE');
  assert.equal(headers('Service'), 'NAME TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE');
  assert.equal(headers('Node'), 'NAME STATUS ROLES AGE VERSION');
  assert.equal(headers('Event'), 'LAST SEEN TYPE REASON OBJECT MESSAGE');
  assert.equal(headers('Job'), 'NAME STATUS COMPLETIONS DURATION AGE');
  assert.ok(PRINTED_KINDS.includes('PersistentVolumeClaim'));
});

test('the real pod from the auger test data prints as kubectl does', () => {
  const pod = parseKubeJson(
    fs.readFileSync(path.join(SHARED_DATA, 'auger-testdata/json/pod.json'), 'utf8'),
  ) as KubeObject;
  const r = renderTable([pod], { now: Date.parse('2017-06-27T16:40:34Z'), wide: true });
  assert.equal(
    r.text,
    'NAME       READY   STATUS      RESTARTS   AGE   IP           NODE                           NOMINATED NODE   READINESS GATES\n' +
      'pi-dqtsw   0/1     Completed   0          5m    10.244.2.8   kubernetes-minion-group-vlql   <none>           <none>\n',
  );
});

test('service cells: ports with node ports, pending and none external IPs', () => {
  assert.equal(servicePorts(FIXTURES['services']?.[1] as KubeObject), '80:30080/TCP,443:30443/TCP');
  assert.equal(servicePorts({ spec: {} }), '<none>');
  assert.equal(serviceExternalIp({ spec: { type: 'LoadBalancer' } }, false), '<pending>');
  assert.equal(serviceExternalIp({ spec: {} }, false), '<none>');
  assert.equal(serviceExternalIp({ spec: { type: 'Weird' } }, false), '<unknown>');
  assert.equal(serviceExternalIp(FIXTURES['services']?.[3] as KubeObject, false), 'a1b2c3d4e5f6....');
});

test('label selectors print as apimachinery prints them', () => {
  assert.equal(formatLabelSelector(undefined), '<none>');
  assert.equal(formatLabelSelector({}), '<none>');
  assert.equal(
    formatLabelSelector({
      matchLabels: { b: '1' },
      matchExpressions: [
        { key: 'a', operator: 'Exists' },
        { key: 'c', operator: 'NotIn', values: ['y', 'x'] },
        { key: 'd', operator: 'DoesNotExist' },
      ],
    }),
    'a,b=1,c notin (x,y),!d',
  );
});

test('NAMESPACE comes first when objects span namespaces, and can be forced', () => {
  const a = { kind: 'ConfigMap', metadata: { name: 'a', namespace: 'x', creationTimestamp: ago(60_000) } };
  const b = { kind: 'ConfigMap', metadata: { name: 'b', namespace: 'y', creationTimestamp: ago(60_000) } };
  assert.equal(
    renderTable([a, b], { now: NOW }).text,
    'NAMESPACE   NAME   DATA   AGE\nx           a      0      60s\ny           b      0      60s\n',
  );
  assert.equal(renderTable([a], { now: NOW }).text, 'NAME   DATA   AGE\na      0      60s\n');
  assert.equal(
    renderTable([a], { now: NOW, namespaceColumn: true }).text.split('\n')[0],
    'NAMESPACE   NAME   DATA   AGE',
  );
});

test('without now, AGE shows the creation timestamp (render reads no clock)', () => {
  const r = renderTable([{ kind: 'Secret', metadata: { name: 's', creationTimestamp: '2024-01-02T03:04:05Z' } }]);
  assert.equal(r.text, 'NAME   TYPE     DATA   AGE\ns      Opaque   0      2024-01-02T03:04:05Z\n');
  assert.equal(
    renderTable([{ kind: 'Secret', metadata: { name: 's' } }], { now: NOW }).text.split('\n')[1],
    's      Opaque   0      <unknown>',
  );
});

test('unknown kinds get NAME NAMESPACE KIND AGE; custom columns take paths and functions', () => {
  assert.equal(
    renderTable(FIXTURES['widgets'] as KubeObject[], { now: NOW }).text,
    'NAME   NAMESPACE   KIND     AGE\nw1     default     Widget   5m\n',
  );
  const r = renderTable(FIXTURES['pods'] as KubeObject[], {
    columns: {
      NAME: 'metadata.name',
      NODE: 'spec.nodeName',
      IMAGES: '.spec.containers[*].image',
      FIRST: 'spec.containers[0].name',
      N: (o) => (o['spec'] as { containers: unknown[] }).containers.length,
    },
  });
  assert.equal(r.text.split('\n')[0], 'NAME               NODE     IMAGES               FIRST   N');
  assert.equal(r.text.split('\n')[1], 'web-7d4b9c-abcde   node-1   nginx:1.25,busybox   web     2');
  assert.equal(r.text.split('\n')[2], 'crash-1            <none>   app:v2               app     1');
  assert.throws(() => renderTable([], { columns: { X: 'a[b' } }), { name: 'InvalidArgumentError' });
});

test('cluster-scoped custom resources get no NAMESPACE column; with -A the namespace shows once, first', () => {
  const cluster = [1, 2].map((i) => ({
    apiVersion: 'example.com/v1',
    kind: 'ClusterWidget',
    metadata: { name: `cw-${i}`, creationTimestamp: ago(300_000) },
  }));
  const t = renderTable(cluster, { now: NOW });
  assert.equal(t.text, 'NAME   KIND            AGE\ncw-1   ClusterWidget   5m\ncw-2   ClusterWidget   5m\n');
  assert.doesNotMatch(t.html, /NAMESPACE/);
  assert.equal(
    renderTable(cluster, { now: NOW, kind: 'ClusterWidget', wide: true }).text.split('\n')[0],
    'NAME   KIND            AGE',
  );
  // namespaced ones keep it; across namespaces (or forced, as kubetcd get -A does) it comes first, only once
  const spread = [
    { kind: 'Widget', metadata: { name: 'w1', namespace: 'a', creationTimestamp: ago(300_000) } },
    { kind: 'Widget', metadata: { name: 'w2', namespace: 'b', creationTimestamp: ago(300_000) } },
  ];
  assert.equal(renderTable(spread.slice(0, 1), { now: NOW }).text.split('\n')[0], 'NAME   NAMESPACE   KIND     AGE');
  assert.equal(
    renderTable(spread, { now: NOW }).text,
    'NAME   NAMESPACE   KIND     AGE\nw1     a           Widget   5m\nw2     b           Widget   5m\n',
  );
  assert.equal(
    renderTable(spread, { now: NOW, namespaceColumn: true }).text,
    'NAMESPACE   NAME   KIND     AGE\na           w1     Widget   5m\nb           w2     Widget   5m\n',
  );
  // cut tables drop the column from every row, head and tail
  const many = Array.from({ length: 30 }, (_, i) => ({
    kind: 'ClusterWidget',
    metadata: { name: `cw-${i}`, creationTimestamp: ago(300_000) },
  }));
  const cut = renderTable(many, { now: NOW, maxRows: 10 });
  assert.match(cut.text, /^NAME {4}KIND {12}AGE\n/);
  assert.match(cut.text, /\ncw-29 {3}ClusterWidget {3}5m\n/);
  assert.match(cut.text, /30 rows × 3 columns/);
});

test('a column that throws marks its cell <error> and the caption says so; the list goes on', () => {
  const r = renderTable(FIXTURES['pods'] as KubeObject[], {
    columns: {
      NAME: 'metadata.name',
      BOOM: (o) => {
        if ((o['metadata'] as { name: string }).name === 'crash-1') throw new Error('bad object');
        return 'ok';
      },
    },
  });
  assert.match(r.text, /crash-1 +<error>/);
  assert.match(r.text, /1 cell could not be computed \(first: BOOM: bad object\)/);
  assert.match(r.html, /1 cell could not be computed/);
});

function* configMaps(n: number): Generator<KubeObject> {
  for (let i = 0; i < n; i++)
    yield {
      kind: 'ConfigMap',
      metadata: { name: `cm-${i}`, namespace: 'default', creationTimestamp: ago(3_600_000) },
      data: { k: 'v' },
    };
}

test('long tables keep the head and tail around a … row, with a caption', () => {
  const r = renderTable(configMaps(25), { now: NOW, maxRows: 10 });
  assertGolden('tables/truncated.txt', r.text);
  assertGolden('tables/truncated.html', r.html);
  const lines = r.text.split('\n');
  assert.equal(lines[1], 'cm-0    1      60m');
  assert.equal(lines[6], '…       …      …');
  assert.equal(lines[11], 'cm-24   1      60m');
  assert.match(
    r.html,
    /<p class="kubetcd-caption">25 rows × 3 columns \(showing the first 5 and the last 5; pass \{ maxRows \} to see more\)<\/p>/,
  );
  // exactly maxRows rows: nothing cut
  assert.doesNotMatch(renderTable(configMaps(10), { now: NOW, maxRows: 10 }).text, /…/);
  // Infinity: every row
  assert.equal(renderTable(configMaps(120), { now: NOW, maxRows: Infinity }).text.split('\n').length, 122);
  // 11 rows with maxRows 10: tail rows come from the head buffer too
  const t = renderTable(configMaps(11), { now: NOW, maxRows: 10 }).text.split('\n');
  assert.deepEqual(
    t.slice(1, 12).map((l) => l.split(' ')[0]),
    ['cm-0', 'cm-1', 'cm-2', 'cm-3', 'cm-4', '…', 'cm-6', 'cm-7', 'cm-8', 'cm-9', 'cm-10'],
  );
});

test('300 000 objects stream through a generator with only the shown rows kept', async () => {
  const r = renderTable(configMaps(300_000), { now: NOW });
  assert.match(r.text, /300000 rows × 3 columns/);
  assert.match(r.text, /cm-299999 /);
  assert.equal((r.html.match(/<tr>/g) ?? []).length, 21); // header + 10 + 10
  async function* slow(): AsyncGenerator<KubeObject> {
    yield* configMaps(3);
  }
  assert.equal((await renderTableAsync(slow(), { now: NOW })).text.split('\n').length, 5);
});

test('an empty table says what kubectl says, in text and HTML, with no header and no "0 rows" caption', () => {
  const none = createTableBuilder({ kind: 'ConfigMap', now: NOW }).finish();
  assert.equal(none.text, 'No resources found\n');
  assert.match(none.html, /<p class="kubetcd-empty">No resources found<\/p>/);
  assert.doesNotMatch(none.html, /<table|0 rows|columns/);
  const inNs = renderTable([], { kind: 'Pod', now: NOW, emptyMessage: noResourcesMessage('default') });
  assert.equal(inNs.text, 'No resources found in default namespace.\n');
  assert.match(inNs.html, />No resources found in default namespace\.</);
  assert.doesNotMatch(inNs.html, /<table|0 rows/);
  // the message is escaped like any other text
  assert.match(
    renderTable([], { emptyMessage: noResourcesMessage('<b>') }).html,
    />No resources found in &lt;b&gt; namespace\.</,
  );
});

test('cells are cut in HTML with the full value as a tooltip; the text keeps it whole', () => {
  const long = 'x'.repeat(100) + '"<b>';
  const r = renderTable([{ kind: 'ConfigMap', metadata: { name: long, creationTimestamp: ago(1000) } }], {
    now: NOW,
    maxCellChars: 20,
  });
  assert.match(r.html, /<td title="x{100}&quot;&lt;b&gt;" style="text-align:left;white-space:pre">x{19}…<\/td>/);
  assert.ok(r.text.includes(long));
});

test('alignColumns matches tabwriter: minimum width 6, 3-space gutters, last column unpadded', () => {
  assert.equal(
    alignColumns([
      ['A', 'B', 'C'],
      ['xx', '', 'z'],
    ]),
    'A     B     C\nxx          z\n',
  );
  assert.equal(
    alignColumns([
      ['NAME', 'é'],
      ['日本', 'x'],
    ]),
    'NAME   é\n日本     x\n',
  );
});

test('cells stay left-aligned where a front end drops the <style> element (untrusted JupyterLab outputs keep style attributes only)', () => {
  const r = renderTable(
    [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', creationTimestamp: '2026-01-01T00:00:00Z' } }],
    { kind: 'ConfigMap', now: Date.parse('2026-01-01T00:01:00Z') },
  );
  const withoutStyle = r.html.replace(/<style>[\s\S]*?<\/style>/, '');
  const cells = [...withoutStyle.matchAll(/<(td|th)\b[^>]*>/g)].map((m) => m[0]);
  assert.ok(cells.length >= 6, withoutStyle);
  for (const cell of cells) assert.match(cell, /style="text-align:left;white-space:pre"/);
  assert.match(withoutStyle, /<table style="font-family:var\(--jp-code-font-family,[^"]*monospace\)">/);
});
