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
  const re =
    /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+['"]([^'"]+)['"]|require\(\s*['"]([^'"]+)['"]\s*\)|import\(\s*['"]([^'"]+)['"]\s*\)/g;
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
  const gateways: Record<string, string[]> = {
    etcd3: ['sources/live/etcd3-gateway.ts'],
    protobufjs: ['codec/proto-gateway.ts'],
    tslab: ['notebook/tslab-display.ts'],
    'js-yaml': ['util/lazy-modules.ts'],
    // and the package's top level, which re-exports lodash as `_`
    lodash: ['index.ts', 'util/lazy-modules.ts'],
  };
  for (const [pkg, only] of Object.entries(gateways)) {
    const users = files
      .filter((f) => importsOf(f).some((s) => s === pkg || s.startsWith(pkg + '/')))
      .map((f) => path.relative(src, f))
      .sort();
    assert.deepEqual(users, only, `${pkg} must be imported only by ${only.join(' and ')}`);
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
      if (/-worker$/.test(spec))
        problems.push(`${path.relative(src, f)} imports ${spec}: a worker body runs only in its thread`);
    }
  }
  assert.deepEqual(problems, []);
});

/** The file an import of `spec` from `file` names inside src/, or undefined (a package, or outside src/). */
function resolveImport(file: string, spec: string): string | undefined {
  if (!spec.startsWith('.')) return undefined;
  const target = path.resolve(path.dirname(file), spec);
  for (const candidate of [target, `${target}.ts`, path.join(target, 'index.ts')]) {
    if (candidate.endsWith('.ts') && fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

/**
 * The import cycles of a graph (file -> files it imports): one cycle, as a path that comes back to its
 * start, per strongly connected component with more than one file (or a file importing itself).
 */
function importCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  // Tarjan's strongly connected components, iterative (no recursion limit on deep chains).
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let next = 0;
  for (const start of graph.keys()) {
    if (index.has(start)) continue;
    const work: Array<{ node: string; edge: number }> = [{ node: start, edge: 0 }];
    index.set(start, next);
    low.set(start, next++);
    stack.push(start);
    onStack.add(start);
    while (work.length > 0) {
      const top = work[work.length - 1] as { node: string; edge: number };
      const edges = graph.get(top.node) ?? [];
      if (top.edge < edges.length) {
        const to = edges[top.edge++] as string;
        if (!index.has(to)) {
          index.set(to, next);
          low.set(to, next++);
          stack.push(to);
          onStack.add(to);
          work.push({ node: to, edge: 0 });
        } else if (onStack.has(to)) {
          low.set(top.node, Math.min(low.get(top.node) as number, index.get(to) as number));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent !== undefined)
        low.set(parent.node, Math.min(low.get(parent.node) as number, low.get(top.node) as number));
      if (low.get(top.node) === index.get(top.node)) {
        const component: string[] = [];
        let n: string;
        do {
          n = stack.pop() as string;
          onStack.delete(n);
          component.push(n);
        } while (n !== top.node);
        if (component.length > 1 || (graph.get(top.node) ?? []).includes(top.node)) components.push(component);
      }
    }
  }
  // One concrete cycle per component: a shortest path back to its first file, within the component.
  return components.map((component) => {
    const inside = new Set(component);
    const first = [...component].sort()[0] as string;
    const from = new Map<string, string>();
    const queue = [first];
    while (queue.length > 0) {
      const n = queue.shift() as string;
      for (const to of graph.get(n) ?? []) {
        if (!inside.has(to)) continue;
        if (to === first) {
          const cycle = [n];
          for (let p = from.get(n); p !== undefined; p = from.get(p)) cycle.unshift(p);
          return [...cycle, first];
        }
        if (!from.has(to) && to !== first) {
          from.set(to, n);
          queue.push(to);
        }
      }
    }
    return [first, first];
  });
}

test('the import graph of src/ has no cycle (type imports and dynamic imports included)', () => {
  const graph = new Map<string, string[]>();
  for (const f of files) {
    const to = importsOf(f)
      .map((spec) => resolveImport(f, spec))
      .filter((t): t is string => t !== undefined);
    graph.set(path.relative(src, f), [...new Set(to.map((t) => path.relative(src, t)))]);
  }
  const cycles = importCycles(graph).map((c) => c.join(' -> '));
  assert.deepEqual(cycles, [], `import cycles in src/:\n${cycles.join('\n')}`);
});

test('the cycle check finds and names a cycle', () => {
  const graph = new Map<string, string[]>([
    ['a.ts', ['b.ts']],
    ['b.ts', ['c.ts', 'd.ts']],
    ['c.ts', ['a.ts']],
    ['d.ts', []],
    ['e.ts', ['e.ts']],
  ]);
  assert.deepEqual(importCycles(graph), [
    ['a.ts', 'b.ts', 'c.ts', 'a.ts'],
    ['e.ts', 'e.ts'],
  ]);
});
