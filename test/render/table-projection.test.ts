/**
 * A kind's table drawn from a projection onto its printer's `reads` must equal the table drawn from the
 * whole object (wide columns included): over Kubernetes' own fixtures (testdata/HEAD, every field set, so a
 * path missing from `reads` shows) and over a generated cluster. `k.table()` and the end-to-end benchmark
 * decode only those paths.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { decode, defaultSourcesDir } from '../../src/codec';
import { createProjector } from '../../src/codec/project';
import type { KubeObject } from '../../src/codec/types';
import { generateCluster } from '../../scripts/cluster/cluster-generator';
import { kindPrinter, PRINTED_KINDS } from '../../src/render/kube-printers';
import { createTableBuilder, renderTable } from '../../src/render/table';

const NOW = Date.UTC(2026, 0, 1);

function tableOf(objects: KubeObject[], kind: string, wide: boolean): string {
  return renderTable(objects, { kind, wide, now: NOW, maxRows: Infinity, namespaceColumn: true }).text;
}

function assertSameTable(
  value: Uint8Array,
  what: string,
  options: { apiVersion?: string; kind?: string } = {},
): boolean {
  const full = decode(value, options);
  const kind = full.kind ?? '';
  const printer = kindPrinter(kind);
  if (full.object === undefined || printer === undefined) return false;
  const p = createProjector(printer.reads).project(value, options);
  assert.ok(p.object !== undefined, `${what}: projected`);
  for (const wide of [false, true]) {
    assert.equal(
      tableOf([p.object], kind, wide),
      tableOf([full.object], kind, wide),
      `${what} (wide: ${wide}): the projection onto ${kind}'s reads prints differently`,
    );
  }
  return true;
}

describe("printers' reads", () => {
  test("a projection onto them prints every kind's table as the whole object does (testdata/HEAD)", () => {
    const dir = path.join(defaultSourcesDir(), 'k8s.io', 'api', 'testdata', 'HEAD');
    const kinds = new Set<string>();
    for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.pb'))) {
      const parts = file.replace(/\.pb$/, '').split('.');
      const kind = parts.pop() as string;
      const version = parts.pop() as string;
      const group = parts.join('.');
      const options = { apiVersion: group === 'core' ? version : `${group}/${version}`, kind };
      if (assertSameTable(fs.readFileSync(path.join(dir, file)), file, options)) kinds.add(kind);
    }
    // CustomResourceDefinitions are stored as JSON (decoded whole), and their fixtures live elsewhere
    const missing = PRINTED_KINDS.filter((k) => !kinds.has(k) && k !== 'CustomResourceDefinition');
    assert.deepEqual(missing, [], 'every printed kind has a fixture');
  });

  test('the same over a generated cluster, and the table builder names those paths', () => {
    const cluster = generateCluster({ pods: 150, seed: 11 });
    let compared = 0;
    for (const op of cluster.operations()) {
      if (op.type !== 'put') continue;
      if (assertSameTable(op.value, op.key)) compared++;
    }
    assert.ok(compared > 300, `compared ${compared}`);
    assert.deepEqual(createTableBuilder({ kind: 'pod' }).paths, kindPrinter('Pod')?.reads);
    assert.deepEqual(createTableBuilder({ kind: 'widgets.example.com' }).paths, [
      'metadata.name',
      'metadata.namespace',
      'metadata.creationTimestamp',
    ]);
    assert.equal(createTableBuilder({}).paths, undefined, 'no kind: the first object decides, so whole objects');
    assert.equal(
      createTableBuilder({ kind: 'Pod', columns: { N: (o) => o['kind'] } }).paths,
      undefined,
      'a function column reads anything',
    );
    assert.deepEqual(
      createTableBuilder({
        kind: 'Pod',
        columns: {
          IMAGE: 'spec.containers[*].image',
          APP: "metadata.labels['app.kubernetes.io/name']",
          NODE: '{.spec.nodeName}',
        },
      }).paths,
      ['metadata.namespace', 'spec.containers.image', 'metadata.labels', 'spec.nodeName'],
    );
  });
});
