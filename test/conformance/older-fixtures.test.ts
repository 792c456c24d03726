/**
 * The older fixture sets Kubernetes 1.36 ships (k8s.io/api 0.36.4's testdata/v1.33.0, v1.34.0,
 * v1.35.0: what those versions stored for each kind) decode with kubetcd's default codec exactly as
 * the 1.36 Go code decodes them, and encode back as 1.36 writes them.
 *
 * For each `<group>.<version>.<Kind>.pb` of an older set:
 * - Go 1.36 (the reference, test/helpers/reference.ts) decodes it; kubetcd's decode, printed with
 *   toKubeJson, is Go's JSON byte for byte; fields the old bytes hold that 1.36 no longer has (Go drops
 *   them silently) are the ones kubetcd reports as unknown;
 * - Go 1.36 encodes that JSON to the fixture's `.after_roundtrip.pb` where the set has one, else to the
 *   `.pb` itself (Kubernetes' own round-trip compatibility rule: this proves the reference reads the
 *   old bytes as Kubernetes does), and kubetcd's encode of its decoded object writes the same bytes.
 * Kinds 1.36 no longer has are checked the same way against the 1.32 reference (kubetcd decodes them
 * with its 1.32 schema). Kinds neither reference knows (alpha kinds added and dropped between 1.33 and
 * 1.35) are listed.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { decode, encode, installedSourcesDir, toKubeJson } from '../../src/codec';
import { startReference, type Reference } from '../helpers/reference';
import { around, firstDifference, hex, splitKind } from '../helpers/conformance';

const testdata = path.join(installedSourcesDir('1.36'), 'k8s.io', 'api', 'testdata');

/** The older sets: every testdata folder but HEAD (v1.33.0, v1.34.0, v1.35.0 in 0.36.4). */
function olderSets(): string[] {
  assert.ok(
    fs.existsSync(testdata),
    `the Kubernetes 1.36 sources are not installed: ${testdata} is missing. Run bash proto/install.sh.`,
  );
  return fs
    .readdirSync(testdata)
    .filter((d) => /^v\d+\.\d+\.\d+$/.test(d))
    .sort();
}

/** `apiVersion/Kind` of a fixture stem: core.v1.Pod -> v1/Pod; apps.v1.Deployment -> apps/v1/Deployment. */
function kindOfStem(stem: string): string {
  const parts = stem.split('.');
  const kind = parts.pop() ?? '';
  const version = parts.pop() ?? '';
  const group = parts.join('.');
  return group === 'core' ? `${version}/${kind}` : `${group}/${version}/${kind}`;
}

interface Outcome {
  checked: number;
  bySchema: Record<string, number>;
  unknownToBoth: string[];
  /** Fixtures with fields the decoding version no longer has (Go dropped them too). */
  unknown: string[];
  problems: string[];
}

/** Checks one fixture against `ref`; returns false when that reference does not know its kind. */
async function checkFixture(ref: Reference, dir: string, stem: string, outcome: Outcome): Promise<boolean> {
  const kind = kindOfStem(stem);
  const pb = fs.readFileSync(path.join(dir, `${stem}.pb`));
  const name = `${path.basename(dir)}/${stem}`;
  const go = await ref.decode(pb, { kind });
  if (!go.ok) {
    assert.match(
      go.error,
      /no kind .* is registered|not registered/,
      `${name}: Go ${ref.version} failed otherwise: ${go.error}`,
    );
    return false;
  }
  outcome.checked++;
  const d = decode(pb, splitKind(kind));
  if (d.error !== undefined || d.object === undefined) {
    outcome.problems.push(`decode ${name}: kubetcd failed: ${d.error?.message ?? 'no object'}`);
    return true;
  }
  outcome.bySchema[d.schemaVersion ?? '?'] = (outcome.bySchema[d.schemaVersion ?? '?'] ?? 0) + 1;
  if (d.schemaVersion !== ref.version) {
    outcome.problems.push(
      `decode ${name}: decoded by the ${d.schemaVersion ?? '?'} schema, Go ${ref.version} is the reference`,
    );
  }
  const mine = toKubeJson(d.object);
  if (mine !== go.json) {
    const at = firstDifference(go.json, mine);
    outcome.problems.push(
      `decode ${name} at ${at}:\n    Go      ${around(go.json, at, 50)}\n    kubetcd ${around(mine, at, 50)}`,
    );
  }
  const goBytes = await ref.encode(go.json, { kind });
  assert.ok(goBytes.ok, `${name}: Go ${ref.version} cannot encode its own JSON: ${goBytes.ok ? '' : goBytes.error}`);
  const after = path.join(dir, `${stem}.after_roundtrip.pb`);
  const expected = fs.existsSync(after) ? fs.readFileSync(after) : pb;
  if (ref.version === '1.36') {
    // Kubernetes' own rule for its compatibility fixtures, checked on the reference itself.
    assert.ok(
      Buffer.from(goBytes.value).equals(expected),
      `${name}: Go 1.36's bytes differ from ${fs.existsSync(after) ? `${stem}.after_roundtrip.pb` : `${stem}.pb`}`,
    );
  }
  // Fields of the old bytes that this version no longer has: Go drops them silently (its JSON lacks
  // them and it writes other bytes than the fixture's), kubetcd reports them as unknown.
  const unknown = d.unknownFields ?? [];
  if (unknown.length > 0) {
    outcome.unknown.push(`${name}: ${unknown.map((f) => `${f.path || '(top)'} #${f.number}`).join(', ')}`);
    if (Buffer.from(goBytes.value).equals(pb)) {
      outcome.problems.push(
        `decode ${name}: kubetcd left fields unknown that Go ${ref.version} keeps (it writes the fixture's bytes)`,
      );
    }
  }
  const myBytes = encode(d.object, splitKind(kind));
  const at = firstDifference(goBytes.value, myBytes);
  if (at >= 0) {
    outcome.problems.push(
      `encode ${name} at byte ${at}: Go ${hex(goBytes.value.subarray(at, at + 16))} kubetcd ${hex(myBytes.subarray(at, at + 16))}`,
    );
  }
  return true;
}

describe('the older fixture sets of Kubernetes 1.36 (testdata/v1.3x.0) decode as 1.36 decodes them', () => {
  let ref: Reference;
  let ref132: Reference;
  before(async () => {
    [ref, ref132] = await Promise.all([startReference('1.36'), startReference('1.32')]);
  });
  after(async () => {
    await Promise.all([ref?.close(), ref132?.close()]);
  });

  it('the sets are installed', () => {
    assert.deepEqual(olderSets(), ['v1.33.0', 'v1.34.0', 'v1.35.0']);
  });

  for (const set of ['v1.33.0', 'v1.34.0', 'v1.35.0']) {
    it(`${set}: every .pb, as Go 1.36 (or 1.32 for the kinds 1.36 lacks) reads and writes it`, async () => {
      const dir = path.join(testdata, set);
      const stems = fs
        .readdirSync(dir)
        .filter((f) => f.endsWith('.pb') && !f.endsWith('.after_roundtrip.pb'))
        .map((f) => f.slice(0, -3))
        .sort();
      assert.ok(stems.length >= 170, `expected 170+ fixtures in ${dir}, found ${stems.length}`);
      const outcome: Outcome = { checked: 0, bySchema: {}, unknownToBoth: [], unknown: [], problems: [] };
      for (const stem of stems) {
        if (await checkFixture(ref, dir, stem, outcome)) continue;
        if (await checkFixture(ref132, dir, stem, outcome)) continue;
        outcome.unknownToBoth.push(stem);
      }
      console.log(
        `${set}: ${outcome.checked} of ${stems.length} fixtures checked (kubetcd's schema: ` +
          `${Object.entries(outcome.bySchema)
            .map(([v, n]) => `${v} ${n}`)
            .join(', ')}); ` +
          `known to neither reference: ${outcome.unknownToBoth.join(', ') || 'none'}; ` +
          `fields the decoding version no longer has (Go drops them, kubetcd reports them): ${outcome.unknown.length} fixtures` +
          outcome.unknown.map((u) => `\n  ${u}`).join(''),
      );
      assert.deepEqual(
        outcome.problems,
        [],
        `${outcome.problems.length} disagreement(s) in ${set}:\n${outcome.problems.join('\n')}`,
      );
      // Alpha kinds of one release that 1.36 dropped again and 1.32 never had.
      const expectedUnknown: Record<string, string[]> = {
        'v1.33.0': [],
        'v1.34.0': ['certificates.k8s.io.v1alpha1.PodCertificateRequest'],
        'v1.35.0': ['scheduling.k8s.io.v1alpha1.Workload'],
      };
      assert.deepEqual(outcome.unknownToBoth, expectedUnknown[set]);
    });
  }
});
