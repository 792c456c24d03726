/**
 * Proves each reference serializer (Kubernetes' own Go serializers, test/helpers/reference.ts: 1.36
 * and 1.32) is a trustworthy oracle: on its version's own golden files it decodes every storage value
 * to exactly the JSON kubectl prints and encodes that JSON back to exactly the stored bytes.
 *
 * Golden data: k8s.io/api's testdata/HEAD/<group>.<version>.<Kind>.{pb,json} of the same version (one
 * pair per built-in kind, from the installed Kubernetes sources, proto/install.sh) and auger's recorded
 * kube-apiserver values.
 */
import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { installedSourcesDir } from '../../src/codec';
import {
  REFERENCE_VERSIONS,
  referenceBinaryOf,
  startReference,
  type Reference,
  type ReferenceVersion,
} from '../helpers/reference';

const repoRoot = path.join(__dirname, '../../..');
const augerDir = path.join(repoRoot, '..', 'shared/data/auger-testdata/storage');

/**
 * Removes the whitespace between JSON tokens and nothing else (string contents, number spellings
 * and escapes stay byte for byte, unlike JSON.stringify(JSON.parse(text))).
 */
function compactJson(text: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] ?? '';
    if (inString) {
      out += c;
      if (c === '\\') out += text[++i] ?? '';
      else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
      out += c;
    } else if (c !== ' ' && c !== '\n' && c !== '\r' && c !== '\t') {
      out += c;
    }
  }
  return out;
}

/** `apiVersion/Kind` of a golden file stem: core.v1.Pod -> v1/Pod; apps.v1.Deployment -> apps/v1/Deployment. */
function kindOfStem(stem: string): string {
  const parts = stem.split('.');
  const kind = parts.pop() ?? '';
  const version = parts.pop() ?? '';
  const group = parts.join('.');
  return group === 'core' ? `${version}/${kind}` : `${group}/${version}/${kind}`;
}

/**
 * What each version's golden set holds: its pairs, and how many kinds embed an object whose raw
 * bytes (RawExtension) are stored as sent, so that the pretty-printed .json encodes differently.
 */
const GOLDEN: Record<ReferenceVersion, { pairs: number; rawKinds: number }> = {
  '1.36': { pairs: 185, rawKinds: 15 },
  '1.32': { pairs: 171, rawKinds: 12 },
};

/** The golden pairs of a version, by file stem (e.g. "apps.v1.Deployment"). */
function goldenStems(goldenDir: string): string[] {
  assert.ok(
    fs.existsSync(goldenDir),
    `the Kubernetes sources are not installed: ${goldenDir} is missing. Run bash proto/install.sh.`,
  );
  return fs
    .readdirSync(goldenDir)
    .filter((f) => f.endsWith('.pb') && fs.existsSync(path.join(goldenDir, f.replace(/\.pb$/, '.json'))))
    .map((f) => f.replace(/\.pb$/, ''))
    .sort();
}

for (const version of REFERENCE_VERSIONS)
  describe(`the ${version} reference serializer (Kubernetes ${version}'s own Go serializers)`, () => {
    let ref: Reference;
    const goldenDir = path.join(installedSourcesDir(version), 'k8s.io', 'api', 'testdata', 'HEAD');
    const expected = GOLDEN[version];

    before(async () => {
      const binary = referenceBinaryOf(version);
      assert.ok(
        fs.existsSync(binary),
        `the ${version} reference serializer is not built: run bash scripts/setup-reference.sh (${binary} is missing)`,
      );
      ref = await startReference(version);
    });
    after(async () => {
      await ref?.close();
    });

    it('decodes every testdata/HEAD .pb to its .json (compact, same field order)', async () => {
      assert.equal(await ref.linkedVersion(), version);
      const stems = goldenStems(goldenDir);
      assert.equal(
        stems.length,
        expected.pairs,
        `expected ${expected.pairs} golden kinds in ${goldenDir}, found ${stems.length}`,
      );
      // The kind hint only matters for core.v1.WatchEvent, whose bytes name no kind.
      const results = await Promise.all(
        stems.map((s) => ref.decode(fs.readFileSync(path.join(goldenDir, `${s}.pb`)), { kind: kindOfStem(s) })),
      );
      stems.forEach((stem, i) => {
        const r = results[i];
        assert.ok(r?.ok, `${stem}.pb: the reference failed: ${r && !r.ok ? r.error : 'no answer'}`);
        const want = compactJson(fs.readFileSync(path.join(goldenDir, `${stem}.json`), 'utf8'));
        assert.equal(r.json, want, `${stem}: decoded JSON differs from ${stem}.json (compacted)`);
      });
    });

    it('pretty-prints like the golden .json files', async () => {
      const stem = 'core.v1.Pod';
      const r = await ref.decodePretty(fs.readFileSync(path.join(goldenDir, `${stem}.pb`)));
      assert.ok(r.ok, r.ok ? '' : r.error);
      assert.equal(r.json, fs.readFileSync(path.join(goldenDir, `${stem}.json`), 'utf8'));
    });

    it('encodes every compacted testdata/HEAD .json to its .pb byte for byte', async () => {
      const stems = goldenStems(goldenDir);
      const results = await Promise.all(
        stems.map((s) =>
          ref.encode(compactJson(fs.readFileSync(path.join(goldenDir, `${s}.json`), 'utf8')), { kind: kindOfStem(s) }),
        ),
      );
      stems.forEach((stem, i) => {
        const r = results[i];
        assert.ok(r?.ok, `${stem}.json: the reference failed: ${r && !r.ok ? r.error : 'no answer'}`);
        const want = fs.readFileSync(path.join(goldenDir, `${stem}.pb`));
        assert.ok(Buffer.from(r.value).equals(want), `${stem}: encoded bytes differ from ${stem}.pb`);
      });
    });

    it(`keeps a RawExtension's whitespace when encoding (the pretty .json encodes differently for ${expected.rawKinds} kinds)`, async () => {
      const stems = goldenStems(goldenDir);
      const results = await Promise.all(
        stems.map((s) =>
          ref.encode(fs.readFileSync(path.join(goldenDir, `${s}.json`), 'utf8'), { kind: kindOfStem(s) }),
        ),
      );
      const differing = stems.filter((stem, i) => {
        const r = results[i];
        assert.ok(r?.ok, `${stem}.json: the reference failed: ${r && !r.ok ? r.error : 'no answer'}`);
        return !Buffer.from(r.value).equals(fs.readFileSync(path.join(goldenDir, `${stem}.pb`)));
      });
      // Each of them embeds an object (RawExtension / runtime.Object field) whose raw bytes are stored as sent.
      assert.equal(
        differing.length,
        expected.rawKinds,
        `expected ${expected.rawKinds} kinds to differ, got ${differing.length}: ${differing.join(', ')}`,
      );
    });

    it('decodes values recorded from a real kube-apiserver (auger testdata)', async () => {
      for (const [file, kind] of [
        ['pod.bin', 'Pod'],
        ['job.bin', 'Job'],
      ] as const) {
        const raw = fs.readFileSync(path.join(augerDir, file));
        // The files end with the newline they were saved with; the stored value does not.
        assert.equal(raw[raw.length - 1], 0x0a, `${file}: expected one trailing newline`);
        const value = raw.subarray(0, raw.length - 1);
        const r = await ref.decode(value);
        assert.ok(r.ok, `${file}: ${r.ok ? '' : r.error}`);
        const obj = JSON.parse(r.json) as { kind?: unknown; metadata?: { name?: unknown } };
        assert.equal(obj.kind, kind);
        assert.equal(typeof obj.metadata?.name, 'string');
        // The JSON it printed is a fixed point: encoding it and decoding again prints the same JSON.
        // (Not the same bytes: these 2017 values carry fields Kubernetes has since removed.)
        const back = await ref.encode(r.json);
        assert.ok(back.ok, `${file}: ${back.ok ? '' : back.error}`);
        const again = await ref.decode(back.value);
        assert.ok(again.ok, `${file}: ${again.ok ? '' : again.error}`);
        assert.equal(again.json, r.json, `${file}: decode(encode(json)) differs from json`);
      }
    });

    it('reports bad input as an error answer and keeps serving', async () => {
      const [notProto, truncated, badJson, unknownKind] = await Promise.all([
        ref.decode(Buffer.from('{"kind":"Pod"}')),
        ref.decode(fs.readFileSync(path.join(goldenDir, 'core.v1.Pod.pb')).subarray(0, 40)),
        ref.encode('{"apiVersion":"v1","kind":"Pod",'),
        ref.encode('{"apiVersion":"example.com/v1","kind":"Widget"}'),
      ]);
      for (const r of [notProto, truncated, badJson, unknownKind]) assert.equal(r.ok, false);
      assert.match(notProto.ok ? '' : notProto.error, /does not appear to be a protobuf message/);
      assert.match(unknownKind.ok ? '' : unknownKind.error, /no kind "Widget" is registered/);
      const still = await ref.decode(fs.readFileSync(path.join(goldenDir, 'core.v1.Pod.pb')));
      assert.ok(still.ok);
    });

    it('lists every built-in kind, covering all golden kinds', async () => {
      const kinds = new Set(await ref.kinds());
      for (const stem of goldenStems(goldenDir)) {
        const wanted = kindOfStem(stem);
        assert.ok(kinds.has(wanted), `${stem}: ${wanted} is not among the reference's ${kinds.size} kinds`);
      }
    });
  });
