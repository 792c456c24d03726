/**
 * The decoder under the fuzzing harness, short mode (bench/fuzz.ts runs it long): tens of thousands of
 * seeded mutations of the real stored values (goldens as stored and bare, auger, JSON, CBOR) in a worker
 * thread watched for hangs. Every input must give an object or a DecodeError whose offset lies inside the
 * value, never a throw; the object must print; no input may take long or grow memory. The harness itself
 * is checked too: a planted hang, crash and allocation must each become a finding saved for reproduction.
 * Then: strings holding HTML, control characters and invalid UTF-8 come back without loss.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import { describe, test } from 'node:test';
import { decode, encode, toKubeJson } from '../../src/codec';
import { decodeGoString, encodeUtf8 } from '../../src/codec/go-utf8';
import { WireWriter } from '../../src/codec/wire-writer';
import { VALUE_MUTATIONS, inputRandom, mutateValue } from '../../bench/lib/fuzz-mutate';
import { reproduce, runFuzz } from '../../bench/lib/fuzz-run';
import { checkFuzzRun } from '../helpers/fuzz-check';
import { loadValueSeeds } from '../../bench/lib/fuzz-seeds';

/** Inputs of the short mode: a few seconds on a 2-core machine. */
const SHORT_COUNT = 40_000;
const SEED = 0x6b387300;

describe('decoder fuzzing (short mode)', () => {
  test(`${SHORT_COUNT} mutated values: a result or a DecodeError, in bounded time and memory`, async (t) => {
    const stats = await runFuzz({
      target: 'decode',
      count: SHORT_COUNT,
      seed: SEED,
      workers: 1,
      hangMs: 5000,
      slowMs: 1000,
    });
    checkFuzzRun(t, stats, { count: SHORT_COUNT, maxMs: 1000 });
    // the mutations reach both outcomes, and each mutation kind is detected at least sometimes
    assert.ok((stats.outcomes['ok'] ?? 0) > SHORT_COUNT / 20, JSON.stringify(stats.outcomes));
    assert.ok((stats.outcomes['DecodeError'] ?? 0) > SHORT_COUNT / 2, JSON.stringify(stats.outcomes));
    for (const m of VALUE_MUTATIONS.filter((x) => x !== 'stack')) {
      assert.ok(
        (stats.byMutation[`${m} DecodeError`] ?? 0) > 0,
        `no ${m} mutation was detected: ${JSON.stringify(stats.byMutation)}`,
      );
    }
  });

  test('the same (seed, index) gives the same input, whatever was generated before', () => {
    const seeds = loadValueSeeds();
    const a = mutateValue(seeds[3] as never, seeds[9] as never, inputRandom(5, 123_456));
    for (let i = 0; i < 10; i++) mutateValue(seeds[i] as never, seeds[0] as never, inputRandom(5, i));
    const b = mutateValue(seeds[3] as never, seeds[9] as never, inputRandom(5, 123_456));
    assert.deepEqual(a, b);
    assert.notDeepEqual(a.bytes, mutateValue(seeds[3] as never, seeds[9] as never, inputRandom(6, 123_456)).bytes);
  });

  test('the harness catches a planted hang, crash and allocation, saves each input and goes on', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubetcd-fuzz-probe-'));
    try {
      const stats = await runFuzz({
        target: 'decode',
        count: 400,
        seed: 9,
        hangMs: 3000,
        memoryLimitBytes: 16 * 2 ** 20,
        findingsDir: dir,
        probe: { hangAt: 100, throwAt: 200, allocateAt: 300 },
      });
      const kinds = stats.findings.map((f) => `${f.kind}@${f.index}`).sort();
      assert.deepEqual(kinds, ['crash@200', 'hang@100', 'memory@300']);
      assert.equal(stats.inputs, 400, 'every input is counted, the hung one included, and the run goes on after it');
      for (const f of stats.findings) {
        assert.ok(f.file !== undefined && fs.existsSync(f.file), `${f.kind} saved`);
        const meta = JSON.parse(fs.readFileSync(f.file.replace(/\.bin$/, '.json'), 'utf8')) as {
          seed: number;
          index: number;
          repro: string;
        };
        assert.equal(meta.seed, 9);
        assert.equal(meta.index, f.index);
        assert.match(meta.repro, /node build\/bench\/fuzz\.js --repro .*\.bin/);
      }
      // the saved input and the regenerated one are the same bytes, and reproduce runs it
      const hang = stats.findings.find((f) => f.kind === 'hang');
      assert.ok(hang?.file !== undefined);
      const again = await reproduce({ target: 'decode', seed: 9, index: 100 });
      assert.match(again, new RegExp(`^decode seed=9 index=100 .*: ${fs.statSync(hang.file).size} bytes, `));
      assert.match(await reproduce({ file: hang.file }), /decode seed=9 index=100/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('decoder fuzzing: lengths claiming far more than the value holds', () => {
  test('every length prefix of every seed set to huge values: an error at once, no allocation', () => {
    const seeds = loadValueSeeds().filter((s) => s.prefixes.length > 0);
    const huge = [0x7fffffffn, 0xffffffffn, 1n << 40n, 1n << 62n, -1n];
    let inputs = 0;
    let maxGrowth = 0;
    let maxMs = 0;
    for (const s of seeds) {
      for (const [p, size] of s.prefixes.slice(0, 40)) {
        for (const claim of huge) {
          const w = new WireWriter();
          w.varint64(claim);
          const value = Buffer.concat([s.bytes.subarray(0, p), w.finish(), s.bytes.subarray(p + size)]);
          const before = v8.getHeapStatistics().external_memory;
          const t = process.hrtime.bigint();
          const d = decode(value, s.options);
          maxMs = Math.max(maxMs, Number(process.hrtime.bigint() - t) / 1e6);
          maxGrowth = Math.max(maxGrowth, v8.getHeapStatistics().external_memory - before);
          inputs++;
          assert.ok(d.error === undefined || d.error.name === 'DecodeError', `${s.name} @${p}: ${d.error?.name}`);
        }
      }
    }
    assert.ok(inputs > 10_000, `${inputs} inputs`);
    assert.ok(maxGrowth < 16 * 2 ** 20, `ArrayBuffers grew by ${maxGrowth} bytes across one decode`);
    assert.ok(maxMs < 1000, `slowest ${maxMs} ms`);
  });
});

describe('strings a renderer must escape come back without loss', () => {
  // HTML, every C0 control, DEL, C1 as UTF-8, line/paragraph separators, BOM, and invalid UTF-8 bytes
  const invalid = [
    [0xff],
    [0xfe, 0x41],
    [0xc0, 0x80],
    [0xed, 0xa0, 0x80],
    [0xf4, 0x90, 0x80, 0x80],
    [0xe2, 0x82],
    [0x80],
    [0xf8, 0x88, 0x80, 0x80, 0x80],
  ];
  const controls =
    Array.from({ length: 32 }, (_, i) => String.fromCharCode(i)).join('') + '\u007f\u0085\u2028\u2029\ufeff';
  const texts: Buffer[] = [
    Buffer.from('<script>alert("x")</script> & <b>bold</b> &amp; \'q\''),
    Buffer.from(controls),
    Buffer.from('\u001b[31mred\u001b[0m\r\n\ttab'),
    ...invalid.map((b) => Buffer.concat([Buffer.from('a'), Buffer.from(b), Buffer.from('<z>')])),
    Buffer.concat(invalid.map((b) => Buffer.from(b))),
  ];

  test('a protobuf ConfigMap written with those bytes (keys and values, raw on the wire) decodes to strings that give the bytes back', () => {
    for (const bytes of texts) {
      // ConfigMap {metadata 1 {name 1}, data 2 (map<string,string>: key 1, value 2)}, wrapped as stored
      const w = new WireWriter();
      w.tag(1, 2);
      w.begin();
      w.tag(1, 2);
      w.bytes(Buffer.from('odd'));
      w.end();
      w.tag(2, 2);
      w.begin();
      w.tag(1, 2);
      w.bytes(bytes);
      w.tag(2, 2);
      w.bytes(bytes);
      w.end();
      const d = decode(Buffer.from(w.finish()), { apiVersion: 'v1', kind: 'ConfigMap', bare: true });
      assert.equal(d.error, undefined, d.error?.message);
      const data = d.object?.['data'] as Record<string, string>;
      const keys = Object.keys(data);
      assert.equal(keys.length, 1);
      const key = keys[0] as string;
      assert.equal(typeof data[key], 'string');
      assert.deepEqual(Buffer.from(encodeUtf8(key)), bytes, 'the key keeps every byte');
      assert.deepEqual(Buffer.from(encodeUtf8(data[key] as string)), bytes, 'the value keeps every byte');
      assert.equal(key, decodeGoString(bytes, 0, bytes.length));
      // and prints (each invalid byte as \ufffd, as Go does), and encodes back to the same value
      assert.doesNotThrow(() => toKubeJson(d.object));
      const again = decode(encode({ ...d.object, apiVersion: 'v1', kind: 'ConfigMap' }));
      assert.deepEqual(again.object?.['data'], data);
    }
  });

  test('a JSON value with escaped HTML and control characters keeps them', () => {
    for (const bytes of texts.slice(0, 3)) {
      const s = bytes.toString('utf8');
      const json = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: s }, data: { [s]: s } });
      const d = decode(Buffer.from(json));
      assert.equal(d.error, undefined, d.error?.message);
      assert.equal((d.object?.['metadata'] as { name: string } | undefined)?.name, s);
      assert.deepEqual(d.object?.['data'], { [s]: s });
    }
  });

  test('a CBOR value with those bytes in text strings keeps the valid ones and refuses invalid UTF-8', () => {
    const text = texts[0] as Buffer;
    const ok = decode(
      Buffer.concat([
        Buffer.from([0xd9, 0xd9, 0xf7, 0xa1, 0x78, text.length]),
        text,
        Buffer.from([0x78, text.length]),
        text,
      ]),
    );
    assert.equal(ok.error, undefined);
    assert.deepEqual(ok.object, { [text.toString('utf8')]: text.toString('utf8') });
    // Kubernetes' CBOR decoder refuses invalid UTF-8 in text strings: so does decode, with a DecodeError
    const bad = texts[3] as Buffer;
    const refused = decode(Buffer.concat([Buffer.from([0xd9, 0xd9, 0xf7, 0xa1, 0x61, 0x6b, 0x78, bad.length]), bad]));
    assert.equal(refused.error?.name, 'DecodeError');
    assert.match(refused.error?.message ?? '', /not valid UTF-8/);
  });
});
