/**
 * Aliases live only in the resource table: src/render's printers are keyed by kind, and the top-level
 * kindPrinter/renderTable/createTableBuilder resolve every name of a resource (plural, singular, short
 * names, group-qualified) through src/kube/resources.ts first.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { builtinResources, qualifiedResourceName } from '../../src/kube/resources';
import { PRINTED_KINDS, kindPrinter as printerOfKind } from '../../src/render/kube-printers';
import { createTableBuilder, kindOfName, kindPrinter, renderTable } from '../../src/notebook/kind-tables';
import * as top from '../../src/index';
import { FIXTURES, NOW } from '../render/fixtures';

test("every name of a printed resource selects its kind's printer; render alone knows kinds only", () => {
  let names = 0;
  for (const r of builtinResources()) {
    const printer = printerOfKind(r.kind);
    if (printer === undefined) continue;
    for (const name of [
      r.resource,
      r.singular,
      ...r.shortNames,
      qualifiedResourceName(r),
      r.kind,
      r.kind.toLowerCase(),
    ]) {
      assert.equal(kindPrinter(name), printer, `${name} -> ${r.kind}`);
      assert.equal(kindOfName(name), r.kind, name);
      names++;
    }
  }
  assert.ok(names > PRINTED_KINDS.length * 3, `${names} names`);
  for (const kind of PRINTED_KINDS) assert.ok(kindPrinter(kind) !== undefined, kind);
  // render's own lookup takes kinds: a resource name is not one
  assert.equal(printerOfKind('pods'), undefined);
  assert.equal(printerOfKind('deploy'), undefined);
  // a name the resource table does not know passes as given (a custom resource's kind)
  assert.equal(kindOfName('Widget'), 'Widget');
  assert.equal(kindPrinter('Widget'), undefined);
});

test("the package's render namespace: its table functions take any name of a resource", () => {
  assert.equal(top.render.kindPrinter, kindPrinter);
  assert.equal(top.render.renderTable, renderTable);
  assert.equal(top.render.createTableBuilder, createTableBuilder);
  assert.deepEqual(createTableBuilder({ kind: 'po' }).paths, printerOfKind('Pod')?.reads);
  const pods = FIXTURES['pods'] ?? [];
  assert.ok(pods.length > 0);
  for (const name of ['po', 'pods', 'pod', 'Pod']) {
    assert.equal(
      renderTable(pods, { kind: name, now: NOW }).text,
      renderTable(pods, { kind: 'Pod', now: NOW }).text,
      name,
    );
  }
  // the source of render holds no resource names any more
  const printers = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'src', 'render', 'kube-printers.ts'), 'utf8');
  assert.doesNotMatch(printers, /aliases/);
});
