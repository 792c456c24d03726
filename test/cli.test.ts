import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { decode, parseKubeJson, toKubeJson, toKubeYaml } from '../src/codec';

const repo = path.join(__dirname, '..', '..');
const cli = path.join(repo, 'dist', 'cli.js');
const data = path.join(repo, '..', 'shared', 'data', 'auger-testdata');
const headDir = path.join(repo, 'proto', 'upstream', 'root', 'usr', 'share', 'gocode', 'src', 'k8s.io', 'api', 'testdata', 'HEAD');

function run(args: string[], input?: Uint8Array): { code: number; stdout: Buffer; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { input: input ?? Buffer.alloc(0), maxBuffer: 64 << 20 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr.toString('utf8') };
}

test('the CLI is built into dist/ (package.json bin)', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8')) as { bin: Record<string, string> };
  assert.equal(pkg.bin.kubetcd, 'dist/cli.js');
  assert.ok(fs.existsSync(cli), `${cli} is missing: run npm run build`);
});

test('decode FILE prints the object as kubectl does (4-space JSON) and warns about removed fields', () => {
  const r = run(['decode', path.join(data, 'storage', 'pod.bin')]);
  assert.equal(r.code, 0, r.stderr);
  const expected = decode(fs.readFileSync(path.join(data, 'storage', 'pod.bin')));
  assert.equal(r.stdout.toString('utf8'), toKubeJson(expected.object, { indent: '    ' }) + '\n');
  const printed = parseKubeJson(r.stdout.toString('utf8')) as { metadata: { name: string } };
  assert.equal(printed.metadata.name, 'pi-dqtsw');
  // ObjectMeta field 15 (clusterName, removed in 1.25) must be reported, not silently dropped.
  assert.match(r.stderr, /metadata#15/);
});

test('decode reads stdin, skips the key line of plain etcdctl get, and prints YAML with -o yaml', () => {
  const withKey = fs.readFileSync(path.join(data, 'storage', 'pod-with-key.bin'));
  const r = run(['decode', '-o', 'yaml'], withKey);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString('utf8'), toKubeYaml(decode(withKey).object));
  assert.match(r.stdout.toString('utf8'), /^apiVersion: v1\nkind: Pod\n/);
  const r2 = run(['decode', '-'], fs.readFileSync(path.join(data, 'storage', 'job.bin')));
  assert.equal(r2.code, 0, r2.stderr);
  assert.equal((parseKubeJson(r2.stdout.toString('utf8')) as { kind: string }).kind, 'Job');
});

test('encode | decode round-trips a golden object byte for byte', () => {
  const json = fs.readFileSync(path.join(headDir, 'apps.v1.Deployment.json'));
  const pb = fs.readFileSync(path.join(headDir, 'apps.v1.Deployment.pb'));
  const enc = run(['encode', '-'], json);
  assert.equal(enc.code, 0, enc.stderr);
  assert.ok(Buffer.compare(enc.stdout, pb) === 0, 'encode output differs from the golden .pb');
  const hex = run(['encode', '-o', 'hex'], json);
  assert.equal(hex.stdout.toString('utf8').trim(), pb.toString('hex'));
  const back = run(['decode', '-'], enc.stdout);
  assert.equal(back.code, 0, back.stderr);
  assert.deepEqual(parseKubeJson(back.stdout.toString('utf8')), parseKubeJson(json.toString('utf8')));
});

test('encode accepts YAML', () => {
  const yamlText = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: demo\n  namespace: default\ndata:\n  a: "1"\n';
  const r = run(['encode', '-o', 'base64'], Buffer.from(yamlText));
  assert.equal(r.code, 0, r.stderr);
  const d = decode(Buffer.from(r.stdout.toString('utf8').trim(), 'base64'));
  assert.equal(d.kind, 'ConfigMap');
  assert.deepEqual((d.object as { data: unknown }).data, { a: '1' });
});

test('bad input gives a clear message on stderr and a non-zero exit', () => {
  const missing = run(['decode', path.join(os.tmpdir(), 'kubetcd-no-such-file.bin')]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /Cannot read ".*kubetcd-no-such-file\.bin": ENOENT/);

  const raw = run(['decode'], Buffer.from('hello <b>world</b>'));
  assert.equal(raw.code, 1);
  assert.match(raw.stderr, /not a Kubernetes object/);

  const truncated = run(['decode'], fs.readFileSync(path.join(headDir, 'core.v1.Pod.pb')).subarray(0, 200));
  assert.equal(truncated.code, 1);
  assert.match(truncated.stderr, /at byte \d+: length \d+ runs past the end/);

  const enc = run(['decode'], Buffer.from('k8s:enc:aescbc:v1:key1:' + 'x'.repeat(40)));
  assert.equal(enc.code, 1);
  assert.match(enc.stderr, /encrypted at rest \(provider aescbc, key "key1"/);

  const badOpt = run(['decode', '--frobnicate']);
  assert.equal(badOpt.code, 2);
  assert.match(badOpt.stderr, /Unknown option: --frobnicate/);

  const badFormat = run(['decode', '-o', 'xml'], fs.readFileSync(path.join(data, 'storage', 'pod.bin')));
  assert.equal(badFormat.code, 2);
  assert.match(badFormat.stderr, /Use -o json or -o yaml/);

  const notObject = run(['encode'], Buffer.from('[1, 2]'));
  assert.equal(notObject.code, 2);
  assert.match(notObject.stderr, /not a Kubernetes object/);

  const unknownKind = run(['encode'], Buffer.from('{"apiVersion":"v1","kind":"Nope","metadata":{"name":"x"}}'));
  assert.notEqual(unknownKind.code, 0);
  assert.match(unknownKind.stderr, /Nope/);

  const unknownCommand = run(['frob']);
  assert.equal(unknownCommand.code, 2);
  assert.match(unknownCommand.stderr, /unknown command "frob"/);
});
