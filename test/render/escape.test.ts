import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeAttr, escapeHtml, visibleText } from '../../src/render/escape';
import { renderTable } from '../../src/render/table';
import { renderJson } from '../../src/render/json-tree';
import { renderYaml } from '../../src/render/yaml-view';
import { renderBarChart, renderHistogram } from '../../src/render/charts';
import { renderKeyTree } from '../../src/render/key-tree';
import { renderHexDump } from '../../src/render/hex-dump';
import type { KubeObject } from '../../src/codec/types';

const HOSTILE = [
  '<img src=x onerror=alert(1)>',
  '</details><script>alert(2)</script>',
  '"quoted" \'single\' & amp',
  'nul\u0000esc\u001b[31m',
  'rtl\u202eevil',
  'bad\udcffbyte',
  'zw\u200bsp',
  'del\u007f',
];
const ALL = HOSTILE.join('|');

function assertSafe(html: string, where: string): void {
  assert.doesNotMatch(html, /<img/i, `${where}: raw <img survived`);
  assert.doesNotMatch(html, /<script/i, `${where}: raw <script survived`);
  assert.doesNotMatch(html, /onerror=alert\(1\)>/, `${where}: unescaped markup`);
  assert.doesNotMatch(
    html,
    /[\u0000-\u0008\u000b-\u001f\u007f\u202e\u200b\udcff]/,
    `${where}: a raw control, bidi or invalid-byte character survived`,
  );
  // every </details> is one we wrote: equal counts of opening and closing tags
  assert.equal(
    (html.match(/<details/g) ?? []).length,
    (html.match(/<\/details>/g) ?? []).length,
    `${where}: details tags unbalanced`,
  );
}

function assertVisibleText(text: string, where: string): void {
  assert.doesNotMatch(
    text,
    /[\u0000-\u0008\u000b-\u001f\u007f\u202e\u200b\udcff]/,
    `${where}: raw invisible character in text`,
  );
}

test('visibleText shows controls, invalid bytes and bidi overrides as escapes', () => {
  assert.equal(visibleText('a\u001bb\u0000c'), 'a\\x1bb\\x00c');
  assert.equal(visibleText('x\udcffy'), 'x\\xffy');
  assert.equal(visibleText('x\ud800y'), 'x\\ud800y');
  assert.equal(visibleText('r\u202el'), 'r\\u202el');
  assert.equal(visibleText('a\nb\tc'), 'a\\nb\\tc');
  assert.equal(visibleText('a\nb', { keepNewlines: true }), 'a\nb');
  assert.equal(visibleText('emoji 😀 日本 é'), 'emoji 😀 日本 é');
});

test('escapeHtml and escapeAttr', () => {
  assert.equal(escapeHtml('<img src=x onerror=alert(1)>'), '&lt;img src=x onerror=alert(1)&gt;');
  assert.equal(escapeHtml(`a"b'c&d`), 'a&quot;b&#39;c&amp;d');
  assert.equal(escapeAttr('x"\n<'), 'x&quot;\\n&lt;');
  assert.equal(escapeHtml('</details>'), '&lt;/details&gt;');
});

test('hostile strings are escaped in every renderer', () => {
  const obj: KubeObject = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: ALL,
      namespace: HOSTILE[1],
      labels: { [HOSTILE[0] as string]: ALL },
      creationTimestamp: '2024-01-01T00:00:00Z',
    },
    data: Object.fromEntries(HOSTILE.map((h, i) => [h, `${i}${h}`])),
  };
  const other: KubeObject = { ...obj, metadata: { name: 'x', namespace: 'y' } };
  const table = renderTable([obj, other], { now: Date.parse('2024-01-02T00:00:00Z'), maxCellChars: 10 });
  assertSafe(table.html, 'table');
  assertVisibleText(table.text, 'table text');
  assert.match(table.html, /title="[^"]*&quot;quoted&quot;/, 'quotes in a tooltip are escaped');
  const custom = renderTable([obj], {
    columns: { [ALL]: 'metadata.labels', L: (o) => (o['metadata'] as { name: string }).name },
  });
  assertSafe(custom.html, 'custom table');
  assertVisibleText(custom.text, 'custom table text');
  const json = renderJson(obj, { openDepth: 5 });
  assertSafe(json.html, 'json');
  assertVisibleText(json.text, 'json text');
  assert.ok(json.html.includes('\\xff'), 'an invalid byte shows as \\xff in the tree');
  const yaml = renderYaml(obj);
  assertSafe(yaml.html, 'yaml');
  assertVisibleText(yaml.text, 'yaml text');
  const bars = renderBarChart(
    HOSTILE.map((h, i) => ({ label: h, value: i + 1 })),
    { title: ALL },
  );
  assertSafe(bars.html, 'bar chart');
  assertVisibleText(bars.text, 'bar chart text');
  assertSafe(renderHistogram([1, 2, 3], { title: ALL }).html, 'histogram');
  const tree = renderKeyTree({
    name: ALL,
    path: ALL,
    keys: 1,
    children: HOSTILE.map((h) => ({ name: h, path: `/registry/${h}` })),
  });
  assertSafe(tree.html, 'key tree');
  assertVisibleText(tree.text, 'key tree text');
  const hex = renderHexDump(Buffer.from(JSON.stringify(obj)));
  assertSafe(hex.html, 'hex dump');
  assertVisibleText(hex.text, 'hex dump text');
  const keyLine = renderHexDump(
    Buffer.concat([Buffer.from('/registry/<img src=x onerror=alert(1)>\n'), Buffer.from('{"kind":"</details>"}')]),
  );
  assertSafe(keyLine.html, 'hex dump with key line');
});
