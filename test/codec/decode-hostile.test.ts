/**
 * Hostile input, systematically: every prefix of every Kubernetes fixture (testdata/HEAD) and of the
 * real auger values, ≥ 10 000 seeded mutations (bench/lib/fuzz-mutate.ts) spread over all fixtures (byte and bit flips, insertions,
 * deletions, corrupted length varints, duplicated and spliced regions, huge varints), deep nesting,
 * lengths far past the end and an envelope whose kind does not match its body. Every input must give a
 * result or a DecodeError (offset inside the value, message saying what was expected); nothing may throw
 * and no single decode may take long (a hang detector, not a performance test).
 */
import * as assert from 'node:assert/strict';
import { wrapEnvelope } from '../../src/codec/encode';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { createCodec, decode, loadSchema, toKubeJson } from '../../src/codec';
import type { CompiledSchema, Decoded, DecodeOptions } from '../../src/codec';
import { seededRandom } from '../../src/util/seeded-random';
import {
  VALUE_MUTATIONS,
  applyValueMutation,
  findLengthPrefixes,
  varintBytes as varint,
  type ValueMutation,
  type ValueSeed,
} from '../../bench/lib/fuzz-mutate';
import {
  augerDir as augerDataDir,
  goldenDir as goldenDataDir,
  goldenOptions,
  innerObject,
} from '../../bench/lib/fuzz-seeds';

const goldenDir = goldenDataDir();
const augerDir = path.join(augerDataDir(), 'storage');

/** One decode taking longer than this is a hang, whatever the machine load. */
const HANG_MS = 2000;
/** What a DecodeError message must say: what was expected, or why the data cannot be what it claims. */
const SAYS_WHAT_WAS_EXPECTED =
  /expect|expected|runs past|ran past|ended at|longer than|found the end|truncated|invalid|not|unknown|unsupported|deeper than|does not match|neither|unexpected/i;

interface Fixture {
  name: string;
  value: Buffer;
  options: DecodeOptions;
}

const goldens: Fixture[] = fs.existsSync(goldenDir)
  ? fs
      .readdirSync(goldenDir)
      .filter((f) => f.endsWith('.pb'))
      .sort()
      .map((f) => ({ name: f, value: fs.readFileSync(path.join(goldenDir, f)), options: goldenOptions(f) }))
  : [];
const augers: Fixture[] = fs.existsSync(augerDir)
  ? fs
      .readdirSync(augerDir)
      .filter((f) => f.endsWith('.bin'))
      .sort()
      .map((f) => ({ name: `auger ${f}`, value: fs.readFileSync(path.join(augerDir, f)), options: {} }))
  : [];

/** Outcome checks of many decodes, reported together (the first few problems in full). */
class Checker {
  readonly problems: string[] = [];
  count = 0;
  errors = 0;
  objects = 0;
  maxMs = 0;
  maxLabel = '';

  check(label: string, value: Uint8Array, options?: DecodeOptions): Decoded | undefined {
    this.count++;
    const t = process.hrtime.bigint();
    let d: Decoded;
    try {
      d = decode(value, options);
    } catch (e) {
      this.problems.push(`${label}: decode threw ${(e as Error)?.stack ?? String(e)}`);
      return undefined;
    }
    const ms = Number(process.hrtime.bigint() - t) / 1e6;
    if (ms > this.maxMs) {
      this.maxMs = ms;
      this.maxLabel = label;
    }
    if (ms > HANG_MS) this.problems.push(`${label}: decode took ${ms.toFixed(0)} ms`);
    const err = d.error;
    if (err !== undefined) {
      this.errors++;
      if (err.name !== 'DecodeError') this.problems.push(`${label}: error named ${err.name}: ${err.message}`);
      else if (
        typeof err.offset !== 'number' ||
        !Number.isInteger(err.offset) ||
        err.offset < 0 ||
        err.offset > value.length
      ) {
        this.problems.push(`${label}: offset ${String(err.offset)} outside [0, ${value.length}]: ${err.message}`);
      } else if (!SAYS_WHAT_WAS_EXPECTED.test(err.message))
        this.problems.push(`${label}: unclear message: ${err.message}`);
      return d;
    }
    if (d.object !== undefined) {
      this.objects++;
      if (d.object === null || typeof d.object !== 'object' || Array.isArray(d.object)) {
        this.problems.push(`${label}: object is not a JSON object`);
      } else {
        try {
          toKubeJson(d.object);
        } catch (e) {
          this.problems.push(`${label}: the decoded object cannot be printed: ${(e as Error).message}`);
        }
      }
    } else if (d.encoding !== 'raw' && d.encoding !== 'encrypted') {
      this.problems.push(`${label}: ${d.encoding} value gave neither an object nor an error`);
    }
    return d;
  }

  /** One line for the test report. */
  summary(): string {
    return `${this.count} decodes: ${this.objects} objects, ${this.errors} DecodeErrors; slowest ${this.maxMs.toFixed(1)} ms (${this.maxLabel})`;
  }

  assertClean(what: string): void {
    assert.equal(
      this.problems.length,
      0,
      `${this.problems.length} of ${this.count} ${what} misbehaved:\n${this.problems.slice(0, 8).join('\n')}`,
    );
    assert.ok(this.maxMs < HANG_MS, `slowest decode ${this.maxMs.toFixed(1)} ms (${this.maxLabel})`);
  }
}

/** A seeded integer source: the same mutations on every run. */
function prng(seed: number): (n: number) => number {
  const random = seededRandom(seed);
  return (n: number): number => Math.floor(random() * n);
}

/** The mutations applied round-robin (a stack of them is left to the fuzzer, bench/fuzz.ts). */
const MUTATIONS = VALUE_MUTATIONS.filter((k): k is Exclude<ValueMutation, 'stack'> => k !== 'stack');

/** A fixture as a mutation seed: its length prefixes found, the 4 magic bytes kept most of the time. */
function seedOf(f: Fixture): ValueSeed {
  return { name: f.name, bytes: f.value, options: f.options, prefixes: findLengthPrefixes(f.value, 4), keep: 4 };
}

/** `levels` messages, each field 1 of the one around it, around `inner`. */
function nested(levels: number, inner: number[] = []): Uint8Array {
  const heads: number[][] = [];
  let size = inner.length;
  for (let i = 0; i < levels; i++) {
    const head = [0x0a, ...varint(BigInt(size))];
    heads.push(head);
    size += head.length;
  }
  const out = new Uint8Array(size);
  let p = 0;
  for (let i = heads.length - 1; i >= 0; i--) for (const b of heads[i] as number[]) out[p++] = b;
  out.set(inner, p);
  return out;
}

const envelope = wrapEnvelope;

/** The inner object (runtime.Unknown's raw) of a stored value. */
function rawOf(value: Buffer): Buffer {
  const raw = innerObject(value);
  assert.ok(raw !== undefined, 'a k8s\\0 value with a raw object');
  return raw;
}

describe('hostile input: every prefix', () => {
  test('the fixtures are there (171 kinds, 3 auger values)', () => {
    assert.ok(goldens.length >= 171, `${goldens.length} fixtures in ${goldenDir}`);
    assert.equal(augers.length, 3, `auger values in ${augerDir}`);
  });

  test('every prefix of every stored value gives a result or a clear error', (t) => {
    const c = new Checker();
    for (const g of [...goldens, ...augers]) {
      for (let len = 0; len < g.value.length; len++)
        c.check(`${g.name}[0:${len}]`, g.value.subarray(0, len), g.options);
    }
    t.diagnostic(c.summary());
    c.assertClean('prefixes');
    assert.ok(c.errors > c.count * 0.99, `almost every prefix is an error (${c.errors} of ${c.count})`);
  });

  test('every prefix of every inner object (decoded bare, as the kind) gives a result or a clear error', (t) => {
    // A cut value fails at the envelope's length; a cut object reaches every field of the message decoder.
    const c = new Checker();
    for (const g of goldens) {
      const raw = rawOf(g.value);
      const options = { ...g.options, bare: true };
      for (let len = 0; len < raw.length; len++) c.check(`${g.name} raw[0:${len}]`, raw.subarray(0, len), options);
    }
    t.diagnostic(c.summary());
    c.assertClean('object prefixes');
    // some prefixes end on a field boundary and are complete (smaller) objects
    assert.ok(c.objects > 0 && c.errors > c.count / 2, `${c.objects} objects, ${c.errors} errors of ${c.count}`);
  });
});

describe('hostile input: seeded mutations', () => {
  test('≥ 10 000 mutations over all fixtures give a result or a clear error', (t) => {
    const rand = prng(0x6b387300);
    const c = new Checker();
    const perKind = new Map<string, number>();
    const perFixture = Math.ceil(20_000 / goldens.length);
    const seeds = goldens.map(seedOf);
    seeds.forEach((seed, gi) => {
      const g = goldens[gi] as Fixture;
      const other = seeds[(gi * 7 + 13) % seeds.length] as ValueSeed;
      for (let i = 0; i < perFixture; i++) {
        const kind = MUTATIONS[(gi + i) % MUTATIONS.length] as (typeof MUTATIONS)[number];
        const v = applyValueMutation(g.value, kind, seed, other, rand);
        const d = c.check(`${g.name} ${kind} #${i}`, v, g.options);
        if (d?.error !== undefined) perKind.set(kind, (perKind.get(kind) ?? 0) + 1);
      }
    });
    t.diagnostic(`${c.summary()}; detected by kind: ${[...perKind].map(([k, n]) => `${k} ${n}`).join(', ')}`);
    c.assertClean('mutations');
    assert.ok(c.count >= 10_000, `${c.count} mutations`);
    // every kind of mutation is caught at least sometimes (the decoder checks what it reads)
    for (const kind of MUTATIONS) assert.ok((perKind.get(kind) ?? 0) > 0, `no ${kind} mutation was detected`);
  });

  test('mutations of the real auger values (with their etcdctl newline and key line)', () => {
    const rand = prng(42);
    const c = new Checker();
    for (const a of augers) {
      const seed = seedOf(a);
      for (let i = 0; i < 500; i++) {
        const kind = MUTATIONS[i % MUTATIONS.length] as (typeof MUTATIONS)[number];
        c.check(`${a.name} ${kind} #${i}`, applyValueMutation(a.value, kind, seed, seed, rand), a.options);
      }
    }
    c.assertClean('auger mutations');
  });
});

describe('hostile input: crafted values', () => {
  const pod = goldens.find((g) => g.name === 'core.v1.Pod.pb');

  test('messages nested 10 000 deep give a depth error, not a stack overflow', () => {
    // No built-in kind nests itself, so give the schema one that does (as a CRD's JSONSchemaProps does).
    const base = loadSchema();
    const schema: CompiledSchema = {
      ...base,
      messages: {
        ...base.messages,
        'test.v1.Nest': {
          name: 'test.v1.Nest',
          goPackage: 'test/v1',
          fields: [
            {
              name: 'child',
              number: 1,
              type: 'message',
              message: 'test.v1.Nest',
              repeated: false,
              omitEmpty: true,
              nullable: true,
              pointer: true,
              inline: false,
              goType: '*Nest',
            },
          ],
        },
      },
      kinds: {
        ...base.kinds,
        'test.example/v1/Nest': {
          group: 'test.example',
          version: 'v1',
          kind: 'Nest',
          apiVersion: 'test.example/v1',
          message: 'test.v1.Nest',
        },
      },
    };
    const codec = createCodec({ schema });
    const value = envelope('test.example/v1', 'Nest', nested(10_000));
    const t = Date.now();
    const d = codec.decode(value);
    assert.ok(Date.now() - t < HANG_MS);
    assert.equal(d.error?.name, 'DecodeError', d.error?.message);
    assert.match(d.error?.message ?? '', /nested deeper than 100/);
    assert.ok(d.error !== undefined && d.error.offset > 0 && d.error.offset < value.length);
    // 100 levels are fine
    const ok = codec.decode(envelope('test.example/v1', 'Nest', nested(99)));
    assert.equal(ok.error, undefined, ok.error?.message);
  });

  test('groups nested 10 000 deep in an unknown field give a depth error', () => {
    assert.ok(pod !== undefined);
    const raw = rawOf(pod.value);
    // field 999 as a start-group (tag 0xbb 0x3e), 10 000 times, before the real Pod fields
    const deep = Buffer.concat([Buffer.alloc(20_000).map((_, i) => (i % 2 === 0 ? 0xbb : 0x3e)), Buffer.from(raw)]);
    const d = decode(envelope('v1', 'Pod', deep));
    assert.equal(d.error?.name, 'DecodeError');
    assert.match(d.error?.message ?? '', /nested deeper than 100/);
  });

  test('schema-less dump of an unknown kind nesting 10 000 deep gives a result', () => {
    const value = envelope('example.com/v1', 'Widget', nested(10_000, [0x08, 0x01]));
    const t = Date.now();
    const d = decode(value);
    assert.ok(Date.now() - t < HANG_MS);
    assert.match(d.error?.message ?? '', /Unknown kind "Widget"/);
    assert.ok(Array.isArray(d.protoFields));
  });

  test('lengths claiming far more than the value holds fail at once, without allocating', () => {
    assert.ok(pod !== undefined);
    const raw = rawOf(pod.value);
    const before = process.memoryUsage().arrayBuffers;
    for (const claim of [0xffffffffn, 0x7fffffffn, 1n << 40n, 1n << 62n]) {
      // the object's length in the envelope, then metadata's length inside the object
      const head = Buffer.from([
        0x6b, 0x38, 0x73, 0x00, 0x0a, 0x09, 0x0a, 0x02, 0x76, 0x31, 0x12, 0x03, 0x50, 0x6f, 0x64,
      ]);
      for (const value of [
        Buffer.concat([head, Buffer.from([0x12, ...varint(claim)]), raw]),
        envelope('v1', 'Pod', Buffer.concat([Buffer.from([0x0a, ...varint(claim)]), raw.subarray(2)])),
      ]) {
        const t = Date.now();
        const d = decode(value);
        assert.ok(Date.now() - t < 100, 'fails at once');
        assert.equal(d.error?.name, 'DecodeError');
        assert.match(d.error?.message ?? '', /runs past the end|longer than/);
        assert.ok(d.error !== undefined && d.error.offset <= value.length);
      }
    }
    assert.ok(process.memoryUsage().arrayBuffers - before < 64 * 1024 * 1024, 'no large allocation');
  });

  test("an envelope naming one kind around another kind's bytes gives a result or a clear error", () => {
    const c = new Checker();
    const named = ['Pod', 'ConfigMap', 'Node', 'Secret', 'Service', 'Event'];
    for (const g of goldens) {
      const raw = rawOf(g.value);
      for (const kind of named) c.check(`${g.name} as ${kind}`, envelope('v1', kind, raw));
    }
    c.assertClean('mismatched kinds');
    assert.ok(c.errors > 0, 'some mismatches are detected');
  });
});

describe('hostile input: regressions found by the fuzzer (bench/fuzz.ts)', () => {
  test('CBOR NaN and infinities are refused, as Kubernetes refuses them (decode seed=1 index=1302)', () => {
    // An indefinite-length CBOR map whose mutated half-float reads NaN: it used to decode to an object
    // that toKubeJson cannot print (InvalidArgumentError); Kubernetes' decoder forbids NaN and Inf.
    const found = Buffer.from(
      'd9d9f7bf646b696e647f6257696174ff6174c074323032347f30312d30325430333a30343a30355a6165c11a6500000061625f4201024103ff6168f97f00616e3b0000000100000000ff',
      'hex',
    );
    const d = decode(found);
    assert.equal(d.error?.name, 'DecodeError');
    assert.match(d.error?.message ?? '', /the float NaN is not allowed/);
    assert.equal(d.error?.offset, found.indexOf(Buffer.from([0xf9, 0x7f, 0x00])));
    for (const float of [
      'f97c00',
      'f9fc00',
      'fa7fc00000',
      'fb7ff0000000000000',
      'fbfff0000000000000',
      'fb7ff8000000000001',
    ]) {
      const v = decode(Buffer.from(`d9d9f7a16161${float}`, 'hex'));
      assert.equal(v.error?.name, 'DecodeError', float);
      assert.match(v.error?.message ?? '', /is not allowed \(NaN and infinities have no JSON form\)/, float);
    }
    assert.deepEqual(decode(Buffer.from('d9d9f7a16161f93c00', 'hex')).object, { a: 1 });
  });

  test('JSON nested deeper than 1000 levels is a DecodeError, not an object that overflows the stack when printed', () => {
    // JSON.parse (the fast path) has no depth limit: a 10 000-deep value decoded, then toKubeJson threw
    // RangeError (maximum call stack size exceeded). The slow parser's limit now holds for both paths.
    for (const n of [1001, 10_000, 100_000]) {
      for (const text of ['{"a":'.repeat(n) + '1' + '}'.repeat(n), `{"a":${'['.repeat(n)}${']'.repeat(n)}}`]) {
        const t = Date.now();
        const d = decode(Buffer.from(text));
        assert.ok(Date.now() - t < HANG_MS);
        assert.equal(d.error?.name, 'DecodeError', `${n}`);
        assert.match(d.error?.message ?? '', /nesting deeper than 1000 levels/);
      }
    }
    // 1000 levels decode and print
    const ok = decode(Buffer.from('{"a":'.repeat(1000) + '1' + '}'.repeat(1000)));
    assert.equal(ok.error, undefined);
    assert.equal(toKubeJson(ok.object).length, 6001);
    // brackets inside strings do not count
    const quoted = decode(Buffer.from(`{"a":"${'['.repeat(5000)}"}`));
    assert.equal(quoted.error, undefined);
  });
});
