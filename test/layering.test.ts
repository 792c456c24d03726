/**
 * Holds the floors of src/: imports point down only, and each third-party gateway stays in one file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';

const src = path.join(__dirname, '..', '..', 'src');

/** Floor of each top-level part of src/ (higher may import lower or equal-named, never a sibling). */
const FLOORS: Record<string, number> = {
  errors: 0,
  util: 0,
  sources: 1,
  codec: 1,
  kube: 2,
  render: 2,
  notebook: 3,
  cli: 4,
  index: 4,
};

function partOf(file: string): string {
  const rel = path.relative(src, file).split(path.sep);
  return rel.length === 1 ? (rel[0] as string).replace(/\.ts$/, '') : (rel[0] as string);
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...sourceFiles(full));
    else if (e.name.endsWith('.ts')) out.push(full);
  }
  return out;
}

function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const specs: string[] = [];
  const re = /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+['"]([^'"]+)['"]|require\(\s*['"]([^'"]+)['"]\s*\)|import\(\s*['"]([^'"]+)['"]\s*\)/g;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) specs.push((m[1] ?? m[2] ?? m[3]) as string);
  return specs;
}

const files = sourceFiles(src);

test('every part of src/ has a floor', () => {
  for (const f of files) assert.ok(partOf(f) in FLOORS, `${path.relative(src, f)} is in no known floor`);
});

test('imports inside src/ point down (sources and codec never import each other)', () => {
  const problems: string[] = [];
  for (const f of files) {
    const from = partOf(f);
    for (const spec of importsOf(f)) {
      if (!spec.startsWith('.')) continue;
      const target = path.resolve(path.dirname(f), spec);
      const to = partOf(target.endsWith('.ts') ? target : target + '.ts');
      if (to === from) continue;
      const ok = (FLOORS[to] as number) < (FLOORS[from] as number) || to === 'errors' || to === 'util';
      if (!ok) problems.push(`${path.relative(src, f)} imports ${spec} (${from} -> ${to})`);
    }
  }
  assert.deepEqual(problems, []);
});

test('each third-party gateway is imported in exactly one file', () => {
  const gateways: Record<string, string> = {
    etcd3: 'sources/live/etcd3-gateway.ts',
    protobufjs: 'codec/proto-gateway.ts',
  };
  for (const [pkg, only] of Object.entries(gateways)) {
    const users = files.filter((f) => importsOf(f).some((s) => s === pkg || s.startsWith(pkg + '/'))).map((f) => path.relative(src, f));
    assert.deepEqual(users, [only], `${pkg} must be imported only by ${only}`);
  }
});

test('the etcd3 gateway imports etcd3 for its types only and loads it on first use', () => {
  const gateway = path.join(src, 'sources', 'live', 'etcd3-gateway.ts');
  const text = fs.readFileSync(gateway, 'utf8');
  const valueImports = text.split('\n').filter((l) => /^\s*import\s(?!type\b)[^;]*from\s+['"]etcd3['"]/.test(l));
  assert.deepEqual(valueImports, [], 'a value import of etcd3 would load gRPC with every source');
  // And at run time: opening and reading a snapshot loads neither etcd3 nor gRPC.
  const built = path.join(__dirname, '..', 'src', 'sources', 'open-source.js');
  const db = path.join(__dirname, '..', '..', '..', 'shared', 'data', 'auger-testdata', 'boltdb', 'db');
  const script = `
    const { openSource } = require(${JSON.stringify(built)});
    (async () => {
      const s = await openSource(${JSON.stringify(db)});
      let n = 0;
      for await (const kv of s.range({ prefix: '/registry/' }, { keysOnly: true })) n += kv.key.length > 0 ? 1 : 0;
      await s.close();
      const loaded = Object.keys(require.cache).filter((f) => /[\\/]node_modules[\\/](etcd3|@grpc)[\\/]/.test(f));
      console.log(JSON.stringify({ n, loaded }));
    })().catch((e) => { console.error(e); process.exit(1); });`;
  const run = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  const { n, loaded } = JSON.parse(run.stdout) as { n: number; loaded: string[] };
  assert.ok(n > 0, 'the snapshot was read');
  assert.deepEqual(loaded, []);
});

test('worker threads run compiled files loaded by path, never code in strings', () => {
  const problems: string[] = [];
  for (const f of files) {
    const text = fs.readFileSync(f, 'utf8');
    if (/eval:\s*true/.test(text)) problems.push(`${path.relative(src, f)} starts a worker from a string (eval: true)`);
    for (const spec of importsOf(f)) {
      if (/-worker$/.test(spec)) problems.push(`${path.relative(src, f)} imports ${spec}: a worker body runs only in its thread`);
    }
  }
  assert.deepEqual(problems, []);
});
