/**
 * The npm package as a user gets it: `npm pack` of a copy of this checkout (prepack builds dist/ and
 * compiles the schema into it), the tarball's contents checked, then `npm install` of the tarball into
 * an empty project with a fresh HOME and no KUBETCD_* variables. From there, with no proto/upstream in
 * reach: Kubernetes' golden files decode exactly, the packaged CLI lists pods from a real snapshot as the
 * checkout's CLI does, and a tslab notebook imports the installed package.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { installedSourcesDir } from '../src/codec';
import { PYTHON, runProcess } from './notebook/notebook-fixture';

const repo = path.join(__dirname, '..', '..');
/** Golden files of each installed Kubernetes version, newest first. */
const goldenDirs = ['1.36', '1.32'].map((v) => path.join(installedSourcesDir(v), 'k8s.io', 'api', 'testdata', 'HEAD'));
const realSnapshot = path.join(repo, '..', 'shared', 'data', 'auger-testdata', 'boltdb', 'db');

interface PackedFile {
  path: string;
  size: number;
}

/** The environment of a user: a fresh HOME, no KUBETCD_* or Kubernetes source variables. */
function userEnv(home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('KUBETCD_') && !k.startsWith('npm_')) env[k] = v;
  env.HOME = home;
  // The download cache only (packages are still installed from the registry's tarballs, checked by integrity).
  env.npm_config_cache = path.join(os.homedir(), '.npm');
  return env;
}

function check(r: SpawnSyncReturns<string>, what: string): string {
  assert.equal(r.status, 0, `${what} failed (exit ${r.status}):\n${r.stderr}\n${r.stdout}`);
  return r.stdout;
}

describe('the npm package, installed the way a user installs it', { timeout: 600_000 }, () => {
  let root: string;
  let tarball: string;
  let files: PackedFile[];
  let packedBytes: number;
  let project: string;
  let env: NodeJS.ProcessEnv;

  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'kubetcd-package-'));
    // A copy of the checkout's own files (as git lists them), so packing never touches the dist/ that
    // other tests run; node_modules and the installed sources are linked, as a contributor has them.
    const copy = path.join(root, 'checkout');
    const listed = check(
      spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
        cwd: repo,
        encoding: 'utf8',
      }),
      'git ls-files',
    );
    for (const file of listed.split('\0').filter(Boolean)) {
      const from = path.join(repo, file);
      if (!fs.existsSync(from) || fs.lstatSync(from).isSymbolicLink()) continue;
      fs.mkdirSync(path.dirname(path.join(copy, file)), { recursive: true });
      fs.copyFileSync(from, path.join(copy, file));
    }
    fs.symlinkSync(path.join(repo, 'node_modules'), path.join(copy, 'node_modules'), 'dir');
    fs.mkdirSync(path.join(copy, 'proto'), { recursive: true });
    fs.symlinkSync(fs.realpathSync(path.join(repo, 'proto', 'upstream')), path.join(copy, 'proto', 'upstream'), 'dir');
    const packEnv = { ...process.env };
    delete packEnv.KUBETCD_K8S_SOURCES;
    const packed = check(
      spawnSync('npm', ['pack', '--json', '--pack-destination', root], {
        cwd: copy,
        encoding: 'utf8',
        env: packEnv,
        maxBuffer: 64 << 20,
      }),
      'npm pack',
    );
    const report = (JSON.parse(packed) as Array<{ filename: string; size: number; files: PackedFile[] }>)[0];
    assert.ok(report, packed);
    tarball = path.join(root, report.filename);
    files = report.files;
    packedBytes = report.size;

    const home = path.join(root, 'home');
    fs.mkdirSync(home);
    env = userEnv(home);
    project = path.join(root, 'project');
    fs.mkdirSync(project);
    fs.writeFileSync(
      path.join(project, 'package.json'),
      JSON.stringify({ name: 'a-user-project', version: '1.0.0', private: true }),
    );
    check(
      spawnSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball], {
        cwd: project,
        encoding: 'utf8',
        env,
      }),
      'npm install of the tarball',
    );
  });

  after(() => {
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  test('the tarball holds what runs and nothing private: dist, the packaged schema, NOTICE, LICENSE', () => {
    const names = files.map((f) => f.path);
    for (const needed of [
      'package.json',
      'README.md',
      'LICENSE',
      'NOTICE',
      'dist/index.js',
      'dist/index.d.ts',
      'dist/cli.js',
      'dist/schema/kubernetes.json',
      'dist/sources/snapshot/hash-worker.js',
      'dist/sources/snapshot/read-worker.js',
    ]) {
      assert.ok(names.includes(needed), `${needed} is missing from the package`);
    }
    const stray = names.filter((n) =>
      /^(src|test|bench|scripts|proto|notebooks|jupyter|build|node_modules)\/|^\.|\.map$|\.tgz$|cluster-generator|write-cluster/.test(
        n,
      ),
    );
    assert.deepEqual(stray, [], 'files that do not belong in the package');
    assert.ok(packedBytes < 10 * 1024 * 1024, `the package is ${packedBytes} bytes packed`);
    const notice = fs.readFileSync(path.join(project, 'node_modules', 'kubetcd', 'NOTICE'), 'utf8');
    assert.match(notice, /Copyright The Kubernetes Authors/);
    assert.match(notice, /golang-k8s-api-dev 0\.36\.4-1 \(Debian; Kubernetes 1\.36\)/);
    assert.match(notice, /golang-k8s-api-dev 0\.32\.3-1 \(Debian; Kubernetes 1\.32\)/);
    const schema = JSON.parse(
      fs.readFileSync(path.join(project, 'node_modules', 'kubetcd', 'dist', 'schema', 'kubernetes.json'), 'utf8'),
    ) as {
      kinds: object;
      source: { dir: string };
      sources: { version: string; dir: string }[];
    };
    assert.ok(Object.keys(schema.kinds).length > 300);
    assert.deepEqual(
      schema.sources.map((s) => s.version),
      ['1.36', '1.32'],
    );
    assert.ok(
      !JSON.stringify([schema.source, schema.sources]).includes(repo),
      'the build folder does not leak into the package',
    );
  });

  test("require('kubetcd') decodes every golden file of Kubernetes exactly, with no sources installed", () => {
    // 1.36's golden files, and 1.32's of the kinds only 1.32 has
    const script = `
      const fs = require('node:fs');
      const path = require('node:path');
      const k = require('kubetcd');
      const kinds = k.codec.loadSchema().kinds;
      let checked = 0;
      const wrong = [];
      for (const [i, version] of ['1.36', '1.32'].entries()) {
        const dir = process.argv[1 + i];
        for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.pb')).sort()) {
          const parts = file.replace(/\\.pb$/, '').split('.');
          const kind = parts.pop(), v = parts.pop(), group = parts.join('.');
          const apiVersion = group === 'core' ? v : group + '/' + v;
          // (core.v1.WatchEvent is meta/v1's, registered in every group: the newest version's)
          if ((kinds[apiVersion + '/' + kind]?.schemaVersion ?? '1.36') !== version) continue;
          const pb = fs.readFileSync(path.join(dir, file));
          const json = fs.readFileSync(path.join(dir, file.replace(/\\.pb$/, '.json')), 'utf8');
          const d = k.decode(pb, { apiVersion, kind });
          if (d.error || k.toKubeJson(d.object, { indent: '  ' }) !== json) wrong.push(file + ': ' + (d.error ? d.error.message : 'differs'));
          else if (d.schemaVersion !== version) wrong.push(file + ': decoded by ' + d.schemaVersion);
          else if (!Buffer.from(k.encode(k.codec.parseKubeJson(json), { apiVersion, kind })).equals(pb)) wrong.push(file + ': encodes differently');
          checked++;
        }
      }
      console.log(JSON.stringify({ checked, wrong, schemaFrom: require.resolve('kubetcd') }));
    `;
    const out = check(
      spawnSync(process.execPath, ['-e', script, ...goldenDirs], { cwd: project, encoding: 'utf8', env }),
      'decoding in the installed package',
    );
    const result = JSON.parse(out) as { checked: number; wrong: string[]; schemaFrom: string };
    assert.ok(result.checked >= 185 + 10, `only ${result.checked} golden files`);
    assert.deepEqual(result.wrong, []);
    assert.equal(result.schemaFrom, path.join(fs.realpathSync(project), 'node_modules', 'kubetcd', 'dist', 'index.js'));
  });

  test('the installed package runs its worker threads from compiled files in dist/ (SHA-256 check, record reader)', () => {
    const script = `
      const crypto = require('node:crypto');
      const fs = require('node:fs');
      const path = require('node:path');
      const dist = path.dirname(require.resolve('kubetcd'));
      const { checkHashInWorker, RecordPrefetcher } = require(path.join(dist, 'sources', 'snapshot', 'file-workers.js'));
      const db = process.argv[1];
      const head = fs.readFileSync(db).subarray(0, 8192);
      (async () => {
        const { verdict } = checkHashInWorker(db, 4096, crypto.createHash('sha256').update(head.subarray(0, 4096)).digest());
        const hashError = await verdict;
        const reader = new RecordPrefetcher(db);
        const bytes = Buffer.from(await reader.read(new ArrayBuffer(64), Float64Array.of(4096, 16), Uint32Array.of(32, 32), 2));
        await reader.close();
        const expected = Buffer.concat([head.subarray(4096, 4128), head.subarray(16, 48)]);
        console.log(JSON.stringify({ hashError: hashError ? hashError.message : null, readMatches: bytes.equals(expected), dist }));
      })().catch((e) => { console.error(e); process.exit(1); });
    `;
    const out = check(
      spawnSync(process.execPath, ['-e', script, realSnapshot], { cwd: project, encoding: 'utf8', env }),
      'the workers of the installed package',
    );
    const result = JSON.parse(out) as { hashError: string | null; readMatches: boolean; dist: string };
    assert.deepEqual(
      { hashError: result.hashError, readMatches: result.readMatches },
      { hashError: null, readMatches: true },
    );
    assert.equal(result.dist, path.join(fs.realpathSync(project), 'node_modules', 'kubetcd', 'dist'));
  });

  test('npx kubetcd lists the pods of a real snapshot exactly as the checkout does', () => {
    const args = ['get', 'pods', '-A', '--snapshot', realSnapshot];
    const installed = check(
      spawnSync('npx', ['--no-install', 'kubetcd', ...args], { cwd: project, encoding: 'utf8', env }),
      'npx kubetcd',
    );
    const checkout = check(
      spawnSync(process.execPath, [path.join(repo, 'dist', 'cli.js'), ...args], { encoding: 'utf8' }),
      'the checkout CLI',
    );
    assert.match(installed, /^NAMESPACE\s+NAME\s+READY\s+STATUS/);
    assert.match(installed, /pi-dqtsw/);
    // Ages are relative to now: mask them before comparing.
    const masked = (s: string): string => s.replace(/\b\d+[smhdy][\dsmhdy]*\b/g, 'AGE');
    assert.equal(masked(installed), masked(checkout));
    const json = JSON.parse(
      check(
        spawnSync('npx', ['--no-install', 'kubetcd', 'get', 'pods', '-A', '-o', 'json', '--snapshot', realSnapshot], {
          cwd: project,
          encoding: 'utf8',
          env,
        }),
        'npx kubetcd -o json',
      ),
    ) as { items: unknown[] };
    assert.ok(json.items.length > 0);
  });

  test('a tslab notebook in the user project imports the installed package', { timeout: 180_000 }, async () => {
    const notebook = {
      cells: [
        {
          cell_type: 'code',
          execution_count: null,
          id: 'use-installed',
          metadata: {},
          outputs: [],
          source: [
            "import { open, decode } from 'kubetcd';\n",
            `const k = await open(${JSON.stringify(realSnapshot)});\n`,
            "const pods = await k.list('pods');\n",
            "console.log('pods:', pods.items.length, require.resolve('kubetcd'));\n",
            'await k.close();',
          ],
        },
      ],
      metadata: { kernelspec: { display_name: 'TypeScript (tslab, kubetcd)', language: 'typescript', name: 'tslab' } },
      nbformat: 4,
      nbformat_minor: 5,
    };
    const file = path.join(project, 'uses-kubetcd.ipynb');
    fs.writeFileSync(file, JSON.stringify(notebook));
    const out = path.join(root, 'executed');
    const run = await runProcess(PYTHON, [path.join(repo, 'scripts', 'run-notebooks.py'), '--output-dir', out, file], {
      deadlineMs: 150_000,
      env,
      cwd: project,
    });
    assert.equal(run.code, 0, `exit ${run.code}\n${run.stdout}\n${run.stderr}`);
    const executed = JSON.parse(fs.readFileSync(path.join(out, 'uses-kubetcd.ipynb'), 'utf8')) as {
      cells: Array<{ outputs: Array<{ text?: string | string[] }> }>;
    };
    const text =
      executed.cells[0]?.outputs.map((o) => (Array.isArray(o.text) ? o.text.join('') : (o.text ?? ''))).join('') ?? '';
    assert.match(text, /pods: [1-9]\d* /);
    assert.ok(text.includes(path.join('project', 'node_modules', 'kubetcd', 'dist', 'index.js')), text);
  });
});
