/**
 * Conformance of kubetcd's codec with Kubernetes' own serializers on generated objects.
 *
 * The 1.36 reference (Kubernetes 1.36's Go protobuf and JSON serializers, test/helpers/reference.ts)
 * generates, for EVERY kind its scheme can write as protobuf, and the 1.32 reference for every kind
 * 1.32 has and 1.36 no longer does, objects that differ from a fully populated
 * baseline in one field: absent, zero, empty, edge strings, int64 around 2^53, times, quantities,
 * IntOrString, RawExtension, … (test/conformance/reference/generate.go). For each one:
 * (1) kubetcd's decode of Go's bytes prints Go's compact JSON byte for byte;
 * (2) kubetcd's encode of that JSON writes Go's bytes for it byte for byte, and Go's decode of
 *     kubetcd's bytes prints the same JSON again.
 * Fixed seed: the same objects every run. bench/conformance.ts runs far more with random seeds.
 */
import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import {
  PROPERTIES,
  checkRecords,
  describeDisagreement,
  describeSummary,
  newSummary,
  splitKind,
  type CheckSummary,
  type Disagreement,
} from '../helpers/conformance';
import {
  REFERENCE_VERSIONS,
  referenceBinaryOf,
  startReference,
  type GeneratedRecord,
  type Reference,
} from '../helpers/reference';

const SEED = 20261124;
/** Records per kind. */
const PER_KIND = 20;
/** Records per kind for the meta kinds every group version registers again (same Go type 59 times). */
const PER_REPEATED_KIND = 2;
const REPEATED_KINDS = new Set([
  'CreateOptions',
  'DeleteOptions',
  'GetOptions',
  'ListOptions',
  'PatchOptions',
  'UpdateOptions',
  'WatchEvent',
]);
/** Distinct disagreements (property + variant) shown in full. */
const SHOW = 12;

/** A per-kind seed, so the many kinds sharing one Go type explore different variants. */
function seedOf(kind: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < kind.length; i++) h = Math.imul(h ^ kind.charCodeAt(i), 0x01000193) >>> 0;
  return (SEED ^ h) >>> 0;
}

function countOf(kind: string): number {
  const name = kind.slice(kind.lastIndexOf('/') + 1);
  return REPEATED_KINDS.has(name) && !/^v1\//.test(kind) ? PER_REPEATED_KIND : PER_KIND;
}

/** The disagreements grouped by property and variant, the smallest object of each group first. */
function report(summary: CheckSummary): string {
  const groups = new Map<string, Disagreement[]>();
  for (const d of summary.disagreements) {
    const key = `${d.property} ${d.variant}`;
    groups.set(key, [...(groups.get(key) ?? []), d]);
  }
  const lines = [describeSummary(summary), `${groups.size} distinct (property, variant) disagreements:`];
  for (const [key, list] of groups) lines.push(`  ${list.length} × ${key}`);
  let shown = 0;
  for (const list of groups.values()) {
    if (shown++ >= SHOW) break;
    const smallest = [...list].sort((a, b) => a.record.json.length - b.record.json.length)[0];
    if (smallest) lines.push(describeDisagreement(smallest));
  }
  return lines.join('\n');
}

interface Run {
  records: number;
  summary: CheckSummary;
  variants: Set<string>;
  kindsWithoutRecord: string[];
  seconds: string;
}

/** Generates and checks PER_KIND records of every kind in `kinds`, Go generating the next kind while one is checked. */
async function checkKinds(ref: Reference, kinds: string[]): Promise<Run> {
  const started = Date.now();
  const summary = newSummary();
  const variants = new Set<string>();
  const kindsWithoutRecord: string[] = [];
  let records = 0;
  const generate = (kind: string): Promise<GeneratedRecord[]> =>
    ref.generate({ kind, seed: seedOf(kind), count: countOf(kind) });
  let next = kinds[0] === undefined ? undefined : generate(kinds[0]);
  for (let i = 0; i < kinds.length; i++) {
    const kind = kinds[i] ?? '';
    const batch = await (next ?? Promise.resolve([]));
    next = kinds[i + 1] === undefined ? undefined : generate(kinds[i + 1] ?? '');
    records += batch.length;
    if (!batch.some((r) => r.error === undefined)) kindsWithoutRecord.push(kind);
    for (const r of batch) variants.add(r.variant.replace(/^&/, '').replace(/-.*/, ''));
    await checkRecords(ref, kind, { seed: seedOf(kind), spice: 0 }, batch, summary);
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(
    `generated conformance against the ${ref.version} reference: ${records} objects of ${kinds.length} kinds ` +
      `(seed ${SEED}, ${PER_KIND} per kind, ${PER_REPEATED_KIND} per repeated meta kind) in ${seconds} s; ` +
      `${summary.referenceErrors.length} that Go itself cannot print were not checked`,
  );
  console.log(report(summary));
  return { records, summary, variants, kindsWithoutRecord, seconds };
}

function assertAgrees(run: Run): void {
  assert.deepEqual(run.kindsWithoutRecord, [], 'every kind must yield objects Go can print');
  const failed = PROPERTIES.reduce((n, p) => n + run.summary.failed[p], 0);
  assert.equal(failed, 0, `kubetcd disagrees with Kubernetes' serializers:\n${report(run.summary)}`);
}

describe("conformance with Kubernetes' own serializers, on generated objects", () => {
  let ref: Reference;
  let ref132: Reference;
  let kinds: string[];

  before(async () => {
    for (const version of REFERENCE_VERSIONS) {
      assert.ok(
        fs.existsSync(referenceBinaryOf(version)),
        `the ${version} reference serializer is not built (${referenceBinaryOf(version)} is missing): run bash scripts/setup-reference.sh`,
      );
    }
    [ref, ref132] = await Promise.all([startReference('1.36'), startReference('1.32')]);
    assert.deepEqual(await Promise.all([ref.linkedVersion(), ref132.linkedVersion()]), ['1.36', '1.32']);
    kinds = await ref.kinds();
    assert.ok(kinds.length >= 700, `expected the 1.36 reference to know 700+ kinds, it listed ${kinds.length}`);
  });
  after(async () => {
    await Promise.all([ref?.close(), ref132?.close()]);
  });

  it('generates the same objects for the same seed', async () => {
    const request = { kind: 'v1/Pod', seed: 7, start: 5, count: 20 };
    const [a, b] = [await ref.generate(request), await ref.generate(request)];
    assert.deepEqual(a, b);
    const other = await ref.generate({ ...request, seed: 8 });
    assert.notDeepEqual(
      other.map((r) => r.json),
      a.map((r) => r.json),
    );
    // a record is reproducible alone, by its path and variant
    const r = a[3];
    assert.ok(r);
    const [again] = await ref.generate({ kind: 'v1/Pod', seed: 7, count: 1, path: r.path, variant: r.variant });
    assert.deepEqual(again, r);
  });

  it('decodes and encodes thousands of generated objects of every 1.36 kind exactly as Kubernetes 1.36 does', async () => {
    const run = await checkKinds(ref, kinds);
    // The sample must explore the value space, not just plain baselines.
    for (const cls of [
      'string',
      'int64',
      'int32',
      'bool',
      'time',
      'quantity',
      'intorstring',
      'raw',
      'fieldsv1',
      'list',
      'map',
      'bytes',
      'nil',
      'zero',
    ]) {
      assert.ok(run.variants.has(cls), `no ${cls} variant in the sample; seen: ${[...run.variants].sort().join(' ')}`);
    }
    assertAgrees(run);
  });

  it('decodes and encodes the kinds Kubernetes removed after 1.32 exactly as Kubernetes 1.32 does', async () => {
    const in136 = new Set(kinds);
    // The meta kinds every group version registers again (ListOptions, DeleteOptions, WatchEvent, …) are
    // left out: they are never stored, they are meta/v1's Go types, checked above under every 1.36 group
    // version, and kubetcd gives them 1.36's meta messages under a removed group version too (so it
    // writes ListOptions.shardSelector, new in 1.36, which 1.32 does not know).
    const removed = (await ref132.kinds()).filter((k) => !in136.has(k) && !REPEATED_KINDS.has(splitKind(k).kind));
    // They are the group versions 1.33–1.36 dropped (and resource.k8s.io/v1alpha3's DRA kinds); each
    // still decodes with kubetcd's 1.32 schema.
    const groupVersions = [...new Set(removed.map((k) => splitKind(k).apiVersion))].sort();
    assert.deepEqual(
      groupVersions.filter((gv) => gv !== 'resource.k8s.io/v1alpha3'),
      [
        'autoscaling/v2beta1',
        'autoscaling/v2beta2',
        'networking.k8s.io/v1alpha1',
        'scheduling.k8s.io/v1alpha1',
        'storagemigration.k8s.io/v1alpha1',
      ],
    );
    for (const kind of ['DeviceClass', 'ResourceClaim', 'ResourceClaimTemplate', 'ResourceSlice']) {
      assert.ok(removed.includes(`resource.k8s.io/v1alpha3/${kind}`), `resource.k8s.io/v1alpha3/${kind} is in 1.36`);
    }
    const run = await checkKinds(ref132, removed);
    assertAgrees(run);
  });
});
