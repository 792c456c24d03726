/**
 * Decoder benchmark (prints numbers, asserts nothing): `npm run bench:decode`, or after a build
 * `node build/bench/decode.js [--rounds 15] [--ms 100]`.
 *
 * For a Pod, a Deployment and a Node (Kubernetes' own testdata/HEAD fixtures), the real pod of etcd-io/auger
 * (as etcdctl printed it, trailing `\n` included) and all 171 fixtures together, measures `decode()` of
 * the stored bytes to the final object against `JSON.parse` of the same object's Kubernetes JSON (the
 * fixture's `.json` compacted; for the auger pod, the JSON `toKubeJson` prints for it), in the same run.
 * `JSON.parse` is given a string already in memory, so the reference does not pay for UTF-8 decoding.
 *
 * Each case is warmed up until decoding stops getting faster (decode generates one function per message
 * on first use, and each must get hot), then measured in rounds that alternate decode and JSON.parse
 * (so machine load hits both alike); the table shows the median of the rounds. `ratio` is the median of
 * each round's decode objects/s over JSON.parse objects/s: above 1 is faster.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { compactJson, decode, defaultSourcesDir, toKubeJson } from '../src/codec';
import type { DecodeOptions } from '../src/codec';

interface Case {
  name: string;
  /** The stored values, decoded in turn. */
  values: Uint8Array[];
  /** apiVersion and kind of each (some fixtures' envelopes name none). */
  options: DecodeOptions[];
  /** The same objects' Kubernetes JSON. */
  json: string[];
}

interface Result {
  name: string;
  objects: number;
  valueBytes: number;
  jsonBytes: number;
  decodePerSec: number;
  parsePerSec: number;
  /** Median over rounds of (decode objects/s ÷ JSON.parse objects/s), each pair measured back to back. */
  ratio: number;
}

const goldenDir = path.join(defaultSourcesDir(), 'k8s.io', 'api', 'testdata', 'HEAD');
const augerPod = path.join(__dirname, '..', '..', '..', 'shared', 'data', 'auger-testdata', 'storage', 'pod.bin');

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  const v = i >= 0 ? Number(process.argv[i + 1]) : NaN;
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

/** A fixture's apiVersion and kind from its name (`apps.v1.Deployment`, `core.v1.Pod`). */
function optionsOf(file: string): DecodeOptions {
  const parts = file.split('.');
  const kind = parts.pop() as string;
  const version = parts.pop() as string;
  const group = parts.join('.');
  return { apiVersion: group === 'core' ? version : `${group}/${version}`, kind };
}

function golden(file: string): { value: Uint8Array; json: string; options: DecodeOptions } {
  const value = fs.readFileSync(path.join(goldenDir, `${file}.pb`));
  const json = compactJson(fs.readFileSync(path.join(goldenDir, `${file}.json`), 'utf8'));
  return { value, json, options: optionsOf(file) };
}

function goldenCase(name: string, file: string): Case {
  const g = golden(file);
  return { name, values: [g.value], options: [g.options], json: [g.json] };
}

function augerCase(): Case | undefined {
  if (!fs.existsSync(augerPod)) return undefined;
  const value = fs.readFileSync(augerPod);
  const d = decode(value);
  if (d.object === undefined) throw new Error(`auger pod does not decode: ${d.error?.message ?? '?'}`);
  return { name: 'Pod (auger, real)', values: [value], options: [{}], json: [toKubeJson(d.object)] };
}

function allCase(): Case {
  const files = fs
    .readdirSync(goldenDir)
    .filter((f) => f.endsWith('.pb'))
    .sort()
    .map((f) => f.slice(0, -3));
  const values: Uint8Array[] = [];
  const options: DecodeOptions[] = [];
  const json: string[] = [];
  for (const f of files) {
    const g = golden(f);
    values.push(g.value);
    options.push(g.options);
    json.push(g.json);
  }
  return { name: `all ${files.length} kinds`, values, options, json };
}

/** Warm-up decodes of each object before measuring (see {@link measure}). */
const WARM_PASSES = 2000;

/** Keeps results alive so the work cannot be optimised away. */
let sink = 0;

function decodeAll(c: Case, times: number): void {
  const values = c.values;
  const options = c.options;
  for (let t = 0; t < times; t++) {
    for (let i = 0; i < values.length; i++) {
      const d = decode(values[i] as Uint8Array, options[i]);
      if (d.object === undefined) throw new Error(`${c.name}: ${d.error?.message ?? 'no object'}`);
      sink ^= d.valueBytes;
    }
  }
}

function parseAll(c: Case, times: number): void {
  const json = c.json;
  for (let t = 0; t < times; t++) {
    for (let i = 0; i < json.length; i++) {
      const o = JSON.parse(json[i] as string) as Record<string, unknown>;
      sink ^= o === null ? 0 : 1;
    }
  }
}

/** Seconds taken by `fn(times)`. */
function timed(fn: (times: number) => void, times: number): number {
  const t = process.hrtime.bigint();
  fn(times);
  return Number(process.hrtime.bigint() - t) / 1e9;
}

/** How many passes over the case take about `ms` milliseconds. */
function calibrate(fn: (times: number) => void, ms: number): number {
  let times = 1;
  for (;;) {
    const s = timed(fn, times);
    if (s * 1000 >= ms / 4) return Math.max(1, Math.round((times * ms) / (s * 1000)));
    times *= 4;
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

function measure(c: Case, rounds: number, ms: number): Result {
  const dec = (n: number): void => decodeAll(c, n);
  const par = (n: number): void => parseAll(c, n);
  // Warm-up: the decoder generates one function per message on first use, and each must run often
  // enough to be optimised (with all kinds, ~900 functions: seconds). Decode every object at least
  // WARM_PASSES times, then until decoding stops getting faster.
  const chunk = calibrate(dec, ms);
  let best = Infinity;
  let stale = 0;
  let passes = 0;
  const warmStart = Date.now();
  while ((stale < 5 || passes < WARM_PASSES) && Date.now() - warmStart < 30_000) {
    const s = timed(dec, chunk);
    passes += chunk;
    par(1);
    if (s < best * 0.99) stale = 0;
    else stale++;
    best = Math.min(best, s);
  }
  const nd = calibrate(dec, ms);
  const np = calibrate(par, ms);
  const d: number[] = [];
  const p: number[] = [];
  const ratios: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const dr = (nd * c.values.length) / timed(dec, nd);
    const pr = (np * c.json.length) / timed(par, np);
    d.push(dr);
    p.push(pr);
    ratios.push(dr / pr);
  }
  return {
    ratio: median(ratios),
    name: c.name,
    objects: c.values.length,
    valueBytes: c.values.reduce((n, v) => n + v.length, 0),
    jsonBytes: c.json.reduce((n, j) => n + Buffer.byteLength(j), 0),
    decodePerSec: median(d),
    parsePerSec: median(p),
  };
}

function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function printTable(results: Result[]): void {
  const header = [
    'case',
    'bytes pb',
    'bytes json',
    'decode obj/s',
    'decode MB/s',
    'JSON.parse obj/s',
    'JSON.parse MB/s',
    'ratio',
  ];
  const rows = results.map((r) => {
    const avgPb = r.valueBytes / r.objects;
    const avgJson = r.jsonBytes / r.objects;
    return [
      r.name,
      fmt(avgPb),
      fmt(avgJson),
      fmt(r.decodePerSec),
      fmt((r.decodePerSec * avgPb) / 1e6, 1),
      fmt(r.parsePerSec),
      fmt((r.parsePerSec * avgJson) / 1e6, 1),
      `${r.ratio.toFixed(2)}x`,
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] as string).length)));
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));
}

function main(): void {
  const rounds = Math.round(option('--rounds', 15));
  const ms = option('--ms', 100);
  const cases = [
    goldenCase('Pod', 'core.v1.Pod'),
    goldenCase('Deployment', 'apps.v1.Deployment'),
    goldenCase('Node', 'core.v1.Node'),
    augerCase(),
    allCase(),
  ].filter((c): c is Case => c !== undefined);
  console.log(
    `decode() vs JSON.parse, node ${process.version}, median of ${rounds} rounds of ~${ms} ms each (bytes: average per object)`,
  );
  const results: Result[] = [];
  for (const c of cases) results.push(measure(c, rounds, ms));
  printTable(results);
  if (sink === 0.5) console.log(sink);
}

main();
