/**
 * Holds the floors of src/: imports point down only, and each third-party gateway stays in one file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

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
    etcd3: 'sources/live-etcd-source.ts',
    protobufjs: 'codec/proto-gateway.ts',
  };
  for (const [pkg, only] of Object.entries(gateways)) {
    const users = files.filter((f) => importsOf(f).some((s) => s === pkg || s.startsWith(pkg + '/'))).map((f) => path.relative(src, f));
    assert.deepEqual(users, [only], `${pkg} must be imported only by ${only}`);
  }
});
