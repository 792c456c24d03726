import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { decode, parseKubeJson, toKubeJson, toKubeYaml, toKubectlJson, toKubectlYaml } from '../src/codec';
import type { KubeObject } from '../src/codec/types';
import { present } from '../src/notebook';
import { COMMANDS } from '../src/cli/cli-args';
import { startKubeFixture, type KubeFixture } from './helpers/kube-fixture';
import { freePort, startEtcd } from './helpers/etcd';
import { makeTestCerts } from './helpers/certs';

const repo = path.join(__dirname, '..', '..');
const cli = path.join(repo, 'dist', 'cli.js');
const data = path.join(repo, '..', 'shared', 'data', 'auger-testdata');
const headDir = path.join(
  repo,
  'proto',
  'upstream',
  '1.36',
  'root',
  'usr',
  'share',
  'gocode',
  'src',
  'k8s.io',
  'api',
  'testdata',
  'HEAD',
);

function run(args: string[], input?: Uint8Array): { code: number; stdout: Buffer; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { input: input ?? Buffer.alloc(0), maxBuffer: 64 << 20 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr.toString('utf8') };
}

test('the CLI is built into dist/ (package.json bin)', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8')) as { bin: Record<string, string> };
  assert.equal(pkg.bin.kubetcd, 'dist/cli.js');
  assert.ok(fs.existsSync(cli), `${cli} is missing: run npm run build`);
});

test('--show-managed-fields belongs to get only', () => {
  const r = run(['keys', '--show-managed-fields', '--snapshot', '/nonexistent.db']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /Option --show-managed-fields does not apply to "kubetcd keys"/);
  const g = run(['get', 'pods', '--show-managed-fields=maybe', '--snapshot', '/nonexistent.db']);
  assert.equal(g.code, 2);
  assert.match(g.stderr, /Option --show-managed-fields takes no value/);
  assert.match(run(['help']).stdout.toString('utf8'), /--show-managed-fields/);
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

test('help lists every command and the source options', () => {
  const r = run(['help']);
  assert.equal(r.code, 0);
  const text = r.stdout.toString('utf8');
  for (const c of COMMANDS) {
    assert.match(text, new RegExp(`^  kubetcd ${c}\\b`, 'm'), `help does not list "${c}"`);
  }
  for (const flag of [
    '--snapshot',
    '--endpoints',
    '--cacert',
    '--cert',
    '--key',
    '--user',
    '--revision',
    '--prefix',
    '--field-selector',
  ]) {
    assert.ok(text.includes(flag), `help does not mention ${flag}`);
  }
  assert.equal(run(['--help']).stdout.toString('utf8'), text);
  assert.equal(run(['help', '--help']).stdout.toString('utf8'), text);
});

test('each command has its own help (COMMAND --help, COMMAND -h, help COMMAND): its usage, its options, the source options it takes', () => {
  const expected: Record<string, { usage: RegExp; has: string[]; lacks: string[] }> = {
    get: {
      usage: /^Usage:\n {2}kubetcd get RESOURCE \[NAME\.\.\.\]/,
      has: [
        '-o, --output FORMAT   table, wide, json, yaml, name, jsonpath=…, jsonpath-as-json=…,\n                        jsonpath-file=…, custom-columns=…, custom-columns-file=… (default table)',
        '--sort-by JSONPATH',
        '--show-labels',
        '-L, --label-columns',
        '--no-headers',
        '-n, --namespace',
        '-A, --all-namespaces',
        '-l, --selector',
        '--field-selector',
        '--limit',
        '--reveal',
        '--snapshot FILE',
        '--endpoints LIST',
        '--revision N',
      ],
      lacks: ['--by', '--top', '--depth', '--sources'],
    },
    keys: {
      usage: /^Usage:\n {2}kubetcd keys \[KEY-PREFIX\]/,
      has: ['plain, wide, json (default plain)', '--limit', '--snapshot FILE', '--cacert FILE', '--revision N'],
      lacks: ['--namespace', '--selector', '--reveal', '--by'],
    },
    resources: {
      usage: /^Usage:\n {2}kubetcd resources /,
      has: ['table, json, yaml (default table)', '--snapshot FILE', '--prefix PREFIX'],
      lacks: ['--limit', '--namespace'],
    },
    tree: {
      usage: /^Usage:\n {2}kubetcd tree /,
      has: ['table, json (default table)', '--depth N', '--snapshot FILE'],
      lacks: ['--limit', '--top'],
    },
    sizes: {
      usage: /^Usage:\n {2}kubetcd sizes /,
      has: ['--by GROUP', '--top N', '--snapshot FILE', '--revision N'],
      lacks: ['--limit', '--depth'],
    },
    history: {
      usage: /^Usage:\n {2}kubetcd history RESOURCE NAME .*\n {2}kubetcd history KEY /,
      has: ['-n, --namespace', '--reveal', '--snapshot FILE', '--endpoints LIST'],
      lacks: ['--revision', '--limit', '-A, --all-namespaces'],
    },
    deleted: {
      usage: /^Usage:\n {2}kubetcd deleted \[RESOURCE\]/,
      has: ['table, json (default table)', '-n, --namespace', '--reveal', '--snapshot FILE', '--endpoints LIST'],
      lacks: ['--revision', '--limit', '--by'],
    },
    encodings: {
      usage: /^Usage:\n {2}kubetcd encodings /,
      has: ['table, json (default table)', '--snapshot FILE', '--revision N'],
      lacks: ['--namespace', '--limit', '--reveal'],
    },
    owners: {
      usage: /^Usage:\n {2}kubetcd owners RESOURCE NAME /,
      has: ['table, json (default table)', '-n, --namespace', '--depth N', '--snapshot FILE', '--revision N'],
      lacks: ['--limit', '--reveal', '--now'],
    },
    orphans: {
      usage: /^Usage:\n {2}kubetcd orphans /,
      has: ['table, json (default table)', '-n, --namespace', '--now TIME', '--snapshot FILE', '--revision N'],
      lacks: ['--limit', '--reveal', '--depth'],
    },
    hashkv: {
      usage: /^Usage:\n {2}kubetcd hashkv /,
      has: ['table, json (default table)', '--revision N', '--snapshot FILE', '--endpoints LIST'],
      lacks: ['--prefix', '--namespace', '--limit'],
    },
    diff: {
      usage: /^Usage:\n {2}kubetcd diff A B .*\n.*\n {2}kubetcd diff --from-revision R1 /,
      has: [
        'table, json (default table)',
        '--from-revision R1',
        '--to-revision R2',
        '--all',
        '-n, --namespace',
        '--reveal',
        '--limit',
        '--snapshot FILE',
        '--endpoints LIST',
      ],
      lacks: ['--revision N', '--by', '--depth'],
    },
    churn: {
      usage: /^Usage:\n {2}kubetcd churn /,
      has: ['table, json (default table)', '--limit', '--snapshot FILE', '--endpoints LIST'],
      lacks: ['--revision N', '--namespace', '--reveal', '--all'],
    },
    decode: {
      usage: /^Usage:\n {2}kubetcd decode \[FILE\|-\]/,
      has: ['json, yaml (default json)', '--sources DIR'],
      lacks: ['--snapshot', '--endpoints', 'Where to read'],
    },
    encode: {
      usage: /^Usage:\n {2}kubetcd encode \[FILE\|-\]/,
      has: ['binary, hex, base64 (default binary)', '--sources DIR'],
      lacks: ['--snapshot', '--endpoints', 'Where to read'],
    },
  };
  const full = run(['help']).stdout.toString('utf8');
  for (const [command, want] of Object.entries(expected)) {
    const long = run([command, '--help']);
    assert.equal(long.code, 0, long.stderr);
    assert.equal(long.stderr, '');
    const text = long.stdout.toString('utf8');
    assert.notEqual(text, full, `${command} --help prints the whole help`);
    assert.match(text, want.usage, command);
    for (const flag of [...want.has, '-h, --help'])
      assert.ok(text.includes(flag), `${command} --help does not mention ${flag}:\n${text}`);
    for (const flag of want.lacks)
      assert.ok(!text.includes(flag), `${command} --help mentions ${flag}, which ${command} does not take:\n${text}`);
    // no other command's usage line
    for (const other of Object.keys(expected).filter((c) => c !== command))
      assert.doesNotMatch(text, new RegExp(`^  kubetcd ${other}\\b`, 'm'), `${command} --help`);
    assert.equal(run([command, '-h']).stdout.toString('utf8'), text, `${command} -h`);
    assert.equal(run(['help', command]).stdout.toString('utf8'), text, `help ${command}`);
  }
  // --help wins over everything else on the line, even options that would be refused
  const busy = run(['get', 'pods', '--snapshot', 'a.db', '--endpoints', '127.0.0.1:1', '-o', 'xml', '--help']);
  assert.equal(busy.code, 0, busy.stderr);
  assert.equal(busy.stdout.toString('utf8'), run(['help', 'get']).stdout.toString('utf8'));
  const unknown = run(['help', 'frob']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /No help for "frob": not a command\. Commands: get, keys/);
});

test('bad arguments of the source commands exit 2 before touching etcd', () => {
  const cases: Array<[string[], RegExp]> = [
    [['get', 'pods', '--sources', 'x'], /Option --sources does not apply to "kubetcd get"/],
    [
      ['get', 'pods', '-o', 'xml'],
      /Unsupported output format: "xml". Pass -o with one of table, wide, json, yaml, name, jsonpath=…, jsonpath-as-json=…/,
    ],
    [
      ['get', 'pods', '-o', 'go-template={{.kind}}'],
      /Unsupported output format: "go-template=\{\{\.kind\}\}" \(go-template is kubectl's, but not implemented here\)/,
    ],
    [
      ['get', 'pods', '-o', 'jsonpath={.items[}'],
      /error parsing jsonpath \{\.items\[\}, unterminated array \(at offset 7/,
    ],
    [
      ['get', 'pods', '--watch'],
      /Unsupported option: --watch \(etcd data is read once.*"kubetcd get" takes: .*--sort-by.*--show-labels.*-L\/--label-columns.*--no-headers/,
    ],
    [['get', 'pods', '-w'], /Unsupported option: -w \(etcd data is read once/],
    [['get', 'pods', '--chunk-size=500'], /Unsupported option: --chunk-size=500 \(kubetcd pages through etcd itself\)/],
    [['keys', '-o', 'yaml'], /Unknown output format for keys/],
    [
      ['get', 'pods', '--snapshot', 'a.db', '--endpoints', '127.0.0.1:1'],
      /--snapshot reads a file, so --endpoints do not apply/,
    ],
    [['get', 'pods', '-n', 'a', '-A'], /either -n NAMESPACE or -A/],
    [['get', 'pods', '--revision', 'x'], /Invalid value for --revision: "x"/],
    [['get', 'pods', '--limit', '0'], /Invalid value for --limit: "0"/],
    [
      ['get', 'pods', '--snapshot', path.join(os.tmpdir(), 'kubetcd-no-such.db')],
      /Cannot read snapshot .*no such file/,
    ],
    [['history', 'pods', 'x', '--revision', '3'], /Option --revision does not apply to "kubetcd history"/],
    [['get', 'pods', '-n'], /Option -n needs a value/],
    // the kubectl get command module's checks (shared with k.kubectl()), said about the kubetcd line
    [
      ['get', 'pods', 'web', '-l', 'app=web'],
      /Names and selectors cannot be combined in "kubetcd get pods web": drop the names or the -l\/--field-selector/,
    ],
    [
      ['get', 'pods', 'web', '-A'],
      /A resource cannot be retrieved by name across all namespaces \("kubetcd get pods web"\): use -n NAMESPACE instead of -A/,
    ],
    [
      ['get', 'pod/a', 'deploy/b'],
      /Several resources in "kubetcd get pod\/a deploy\/b" \(pod, deploy\): kubetcd answers one resource at a time/,
    ],
    [
      ['get', 'pods', 'a', 'pod/b'],
      /Mixed RESOURCE NAME and TYPE\/NAME forms in "kubetcd get pods a pod\/b": use one form\. See "kubetcd help get"\./,
    ],
    [['get', 'pods', '--sort-by', '{.items['], /error parsing jsonpath \{\.items\[\}, unterminated array/],
  ];
  for (const [args, message] of cases) {
    const r = run(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message, args.join(' '));
    assert.equal(r.stdout.length, 0);
  }
});

interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

function runAsync(args: string[], env: NodeJS.ProcessEnv = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    // The tests' own ETCDCTL_* variables must not leak into the CLI.
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('ETCDCTL_')));
    execFile(
      process.execPath,
      [cli, ...args],
      { env: { ...clean, ...env }, maxBuffer: 64 << 20 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

function names(items: readonly KubeObject[]): string[] {
  return items.map((o) => String((o['metadata'] as { name: string }).name));
}

describe('source commands against a generated cluster: live etcd and its snapshot', () => {
  let fx: KubeFixture;
  let live: string[];
  let snap: string[];
  let both: Array<[string, string[]]>;

  before(async () => {
    fx = await startKubeFixture({ pods: 40, seed: 11 });
    live = ['--endpoints', fx.etcd.endpoint];
    snap = ['--snapshot', fx.snapshot.origin];
    both = [
      ['live', live],
      ['snapshot', snap],
    ];
  });
  after(async () => {
    await fx?.close();
  });
  /** Runs the same checks on the live etcd and on the snapshot, at the same time. */
  const eachSource = async (
    check: (label: string, src: string[], k: KubeFixture['kubes'][0]) => Promise<void>,
  ): Promise<void> => {
    await Promise.all(both.map(([label, src], i) => check(label, src, fx.kubes[i] as KubeFixture['kubes'][0])));
  };

  // Byte-for-byte against kubectl 1.36 itself: test/codec/kubectl-format.test.ts.
  test('get -o json|yaml|name prints what kubectl prints for the objects list() returns', async () => {
    const k = fx.kubes[0];
    const pods = await k.list('pods', { namespace: 'kube-system' });
    assert.ok(pods.items.length > 0);
    const deployments = await k.list('deployments');
    const one = deployments.items[0] as KubeObject;
    const oneMeta = one['metadata'] as { name: string; namespace: string };
    await eachSource(async (label, src) => {
      const json = await runAsync(['get', 'pods', '-n', 'kube-system', '-o', 'json', ...src]);
      assert.equal(json.code, 0, `${label}: ${json.stderr}`);
      assert.equal(json.stdout, toKubectlJson(pods), label);
      const ylist = await runAsync(['get', 'pods', '-n', 'kube-system', '-o', 'yaml', ...src]);
      assert.equal(ylist.code, 0, `${label}: ${ylist.stderr}`);
      assert.equal(ylist.stdout, toKubectlYaml(pods), label);
      const none = await runAsync(['get', 'pods', '-n', 'no-such-namespace', '-o', 'json', ...src]);
      assert.equal(none.stdout, toKubectlJson([]), label);

      const yml = await runAsync(['get', 'deploy', oneMeta.name, '-n', oneMeta.namespace, '-o', 'yaml', ...src]);
      assert.equal(yml.code, 0, `${label}: ${yml.stderr}`);
      assert.equal(yml.stdout, toKubectlYaml(one), label);
      // kubectl's TYPE/NAME form, as k.kubectl() reads it
      const typed = await runAsync([
        'get',
        `deployment.apps/${oneMeta.name}`,
        '-n',
        oneMeta.namespace,
        '-o',
        'yaml',
        ...src,
      ]);
      assert.equal(typed.code, 0, `${label}: ${typed.stderr}`);
      assert.equal(typed.stdout, yml.stdout, label);

      const name = await runAsync(['get', 'deployments', '-A', '-o', 'name', ...src]);
      assert.equal(name.code, 0, `${label}: ${name.stderr}`);
      assert.deepEqual(
        name.stdout.trimEnd().split('\n'),
        names(deployments.items).map((n) => `deployment.apps/${n}`),
        label,
      );
    });
  });

  test('get prints a table with selectors applied, and says when nothing matched', async () => {
    const k = fx.kubes[0];
    const pods = await k.list('pods');
    const node = String((pods.items[0]?.['spec'] as { nodeName: string } | undefined)?.nodeName);
    const onNode = pods.items.filter((p) => (p['spec'] as { nodeName?: string }).nodeName === node);
    const app = String((pods.items.at(-1)?.['metadata'] as { labels: { app: string } } | undefined)?.labels.app);
    const appNs = String((pods.items.at(-1)?.['metadata'] as { namespace: string } | undefined)?.namespace);
    const withApp = (await k.list('pods', { namespace: appNs, labels: `app=${app}` })).items;
    await eachSource(async (label, src) => {
      const t = await runAsync(['get', 'pods', '-A', '--field-selector', `spec.nodeName=${node}`, ...src]);
      assert.equal(t.code, 0, `${label}: ${t.stderr}`);
      const lines = t.stdout.trimEnd().split('\n');
      assert.match(lines[0] as string, /^NAMESPACE\s+NAME\s/);
      assert.deepEqual(
        lines.slice(1).map((l) => l.split(/\s+/)[1]),
        names(onNode),
        label,
      );

      const l = await runAsync(['get', 'po', '-n', appNs, '-l', `app=${app}`, ...src]);
      assert.equal(l.code, 0, `${label}: ${l.stderr}`);
      const rows = l.stdout.trimEnd().split('\n');
      assert.match(rows[0] as string, /^NAME\s/);
      assert.deepEqual(
        rows.slice(1).map((r) => r.split(/\s+/)[0]),
        names(withApp),
        label,
      );

      const none = await runAsync(['get', 'pods', '-l', 'app=no-such-app', ...src]);
      assert.equal(none.code, 0);
      assert.equal(none.stdout, '');
      assert.equal(none.stderr, 'No resources found in default namespace.\n');
      // every namespace, or a cluster-scoped resource: kubectl's bare line, still on stderr only
      for (const empty of [
        ['get', 'pods', '-A', '-l', 'app=no-such-app'],
        ['get', 'nodes', '-l', 'x=none', '-o', 'wide'],
      ]) {
        const r = await runAsync([...empty, ...src]);
        assert.equal(r.code, 0, `${label}: ${r.stderr}`);
        assert.equal(r.stdout, '', `${label} ${empty.join(' ')}`);
        assert.equal(r.stderr, 'No resources found\n', `${label} ${empty.join(' ')}`);
      }
    });
  });

  test('keys, resources, tree and sizes agree with the KubeClient on both sources', async () => {
    await eachSource(async (label, src, k) => {
      const keys = await runAsync(['keys', '/registry/deployments/', ...src]);
      assert.equal(keys.code, 0, `${label}: ${keys.stderr}`);
      assert.deepEqual(keys.stdout.trimEnd().split('\n'), await k.keys('/registry/deployments/'), label);

      const wide = await runAsync(['keys', '/registry/namespaces/', '-o', 'json', ...src]);
      const records = JSON.parse(wide.stdout) as Array<{ key: string; valueBytes: number; modRevision: number }>;
      for (const r of records) {
        const got = await k.get(r.key);
        assert.equal(r.valueBytes, got.record.valueBytes, `${label} ${r.key}`);
        assert.equal(r.modRevision, got.record.modRevision, `${label} ${r.key}`);
      }

      const resources = await k.resources();
      const rj = await runAsync(['resources', '-o', 'json', ...src]);
      assert.equal(rj.code, 0, `${label}: ${rj.stderr}`);
      assert.deepEqual(JSON.parse(rj.stdout), resources, label);
      const rt = await runAsync(['resources', ...src]);
      assert.match(rt.stdout, /^RESOURCE\s+KIND\s+NAMESPACED\s+OBJECTS\s+BYTES\n/);
      const podRow = rt.stdout.split('\n').find((line) => line.startsWith('pods '));
      const pods = resources.find((r) => r.resource === 'pods');
      assert.deepEqual(podRow?.split(/\s+/), ['pods', 'Pod', 'true', String(pods?.count), String(pods?.bytes)], label);

      // Pinned to one revision: the master lease (15 s TTL) may expire in between.
      const rev = (await k.source.status()).revision;
      const all = await k.keys('/registry/', { revision: rev });
      const tree = JSON.parse((await runAsync(['tree', '-o', 'json', '--revision', String(rev), ...src])).stdout) as {
        root: { path: string; keys: number; children: Array<{ name: string; keys: number }> };
      };
      assert.equal(tree.root.path, '/registry');
      assert.equal(tree.root.keys, all.length, label);
      assert.equal(
        tree.root.children.find((c) => c.name === 'pods')?.keys,
        all.filter((key) => key.startsWith('/registry/pods/')).length,
        label,
      );
      const treeText = (await runAsync(['tree', '--depth', '1', ...src])).stdout;
      assert.match(treeText, /^PATH\s+KEYS\s+SIZE\s+RESOURCE\n\/registry\/\s+\d+/);
      assert.match(treeText, new RegExp(`\\n  pods/\\s+${pods?.count}\\s+\\S+ \\S+\\s+pods\\n`));

      const sizes = JSON.parse((await runAsync(['sizes', '-o', 'json', ...src])).stdout) as {
        byResource: Array<{ name: string; keys: number; bytes: number }>;
        largest: Array<{ key: string; bytes: number }>;
      };
      const podSize = sizes.byResource.find((g) => g.name === 'pods');
      assert.deepEqual([podSize?.keys, podSize?.bytes], [pods?.count, pods?.bytes], label);
      const sizeText = (await runAsync(['sizes', ...src])).stdout;
      assert.match(sizeText, new RegExp(`\\npods\\s+${pods?.count}\\s+${pods?.bytes}\\s`));
      const largest = (await runAsync(['sizes', '--by', 'object', '--top', '3', ...src])).stdout.trimEnd().split('\n');
      assert.equal(largest.length, 4);
      assert.ok(largest[1]?.includes(String(sizes.largest[0]?.bytes)));
      const byNs = await runAsync(['sizes', '--by', 'namespace', ...src]);
      assert.match(byNs.stdout, /^NAMESPACE\s+KEYS\s+BYTES\s+SIZE\s+SHARE\s/);
      assert.match(byNs.stdout, /\n\(cluster-scoped\)\s+\d+/);
    });
  });

  test('history shows an update with what changed and a deletion as a tombstone; --revision reads the past', async () => {
    const updated = fx.ops.find((op) => op.type === 'put' && op.resource === 'deployments' && op.update);
    const deleted = fx.ops.find((op) => op.type === 'delete');
    assert.ok(updated && deleted, 'the generator writes an update and a delete');
    await eachSource(async (label, src, k) => {
      const h = await runAsync(['history', updated.key, ...src]);
      assert.equal(h.code, 0, `${label}: ${h.stderr}`);
      const rows = h.stdout.trimEnd().split('\n');
      assert.match(rows[0] as string, /^REVISION\s+VERSION\s+EVENT\s+CHANGES$/);
      assert.match(rows[1] as string, /^\d+\s+1\s+created$/);
      assert.match(rows[2] as string, /^\d+\s+2\s+modified\s+.*spec\.replicas: \d+ -> \d+/);
      // the notebook shows the same history in the same words: same columns, same cells
      const cellsOf = (text: string): string[][] =>
        text
          .trimEnd()
          .split('\n')
          .map((l) => l.trim().split(/\s{2,}/));
      const drawn = present(await k.history(updated.key));
      assert.deepEqual(cellsOf(drawn.rendered.text), cellsOf(h.stdout), label);
      assert.match(drawn.rendered.html, /<th[^>]*>EVENT<\/th><th[^>]*>CHANGES<\/th>/);
      assert.doesNotMatch(drawn.rendered.html, /DELETED|ADDED|>false</);

      const parts: string[] = deleted.key.split('/');
      const ns: string = parts[3] as string;
      const name: string = parts[4] as string;
      const d = await runAsync(['history', 'pods', name, '-n', ns, '-o', 'json', ...src]);
      assert.equal(d.code, 0, `${label}: ${d.stderr}`);
      const entries = JSON.parse(d.stdout) as Array<{ revision: number; deleted: boolean }>;
      assert.equal(entries.at(-1)?.deleted, true); // the data keeps its field
      const table = await runAsync(['history', 'pods', name, '-n', ns, ...src]);
      assert.match(
        table.stdout.trimEnd().split('\n').at(-1) as string,
        new RegExp(`^${entries.at(-1)?.revision}\\s+0\\s+deleted$`),
      );
      assert.deepEqual(
        cellsOf(present(await k.history('pods', name, { namespace: ns })).rendered.text),
        cellsOf(table.stdout),
        label,
      );
      const before = (entries.at(-1)?.revision as number) - 1;
      const past = await runAsync(['get', 'pods', name, '-n', ns, '-o', 'name', '--revision', String(before), ...src]);
      assert.equal(past.code, 0, `${label}: ${past.stderr}`);
      assert.equal(past.stdout, `pod/${name}\n`);
      const now = await runAsync(['get', 'pods', name, '-n', ns, ...src]);
      assert.equal(now.code, 1);
      assert.match(now.stderr, /not found in namespace/);
    });
  });

  test('failures exit 1 with the reason on stderr', async () => {
    const encrypted = await runAsync(['get', 'secrets', 'bootstrap-token-abcdef', '-n', 'kube-system', ...snap]);
    assert.equal(encrypted.code, 1);
    assert.match(encrypted.stderr, /encrypted at rest \(aescbc, key "key1"\)/);
    const listed = await runAsync(['get', 'secrets', '-n', 'kube-system', '-o', 'name', ...snap]);
    assert.equal(listed.code, 0);
    assert.match(listed.stderr, /warning: .*bootstrap-token-abcdef is encrypted at rest/);
    const unknown = await runAsync(['get', 'pdos', ...snap]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /Did you mean "pods"\?/);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubetcd-cli-'));
    try {
      const bad = path.join(dir, 'bad.db');
      fs.writeFileSync(bad, Buffer.alloc(8192, 7));
      const corrupt = await runAsync(['resources', '--snapshot', bad]);
      assert.equal(corrupt.code, 1);
      assert.match(corrupt.stderr, /^kubetcd: .*bad\.db/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    const down = await runAsync(['resources', '--endpoints', '127.0.0.1:1']);
    assert.equal(down.code, 1);
    assert.match(down.stderr, /cannot reach etcd at http:\/\/127\.0\.0\.1:1/);
  });

  test('with no source option the ETCDCTL_* variables apply, as for etcdctl', async () => {
    const r = await runAsync(['get', 'namespaces', '-o', 'name'], { ETCDCTL_ENDPOINTS: fx.etcd.endpoint });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(
      r.stdout.trimEnd().split('\n'),
      names((await fx.kubes[0].list('namespaces')).items).map((n) => `namespace/${n}`),
    );
  });

  test('info: the versions k.clusterInfo() finds, as JSON and as a table', async () => {
    await eachSource(async (label, src, k) => {
      const info = await k.clusterInfo();
      assert.ok(info.kubernetes.versions.length > 0 && info.etcd.version !== undefined, `${label}: versions found`);
      const json = await runAsync(['info', '-o', 'json', ...src]);
      assert.equal(json.code, 0, `${label}: ${json.stderr}`);
      assert.deepEqual(JSON.parse(json.stdout), JSON.parse(JSON.stringify(info)), label);
      const table = await runAsync(['info', ...src]);
      assert.equal(table.code, 0, `${label}: ${table.stderr}`);
      const lines = table.stdout.split('\n');
      assert.equal(lines[0], `Kubernetes: ${info.kubernetes.versions.join(', ')}`, label);
      assert.equal(lines[1], `etcd: ${info.etcd.version ?? ''}`, label);
      assert.match(lines[2] ?? '', /^OF +SOURCE +VERSION +DETAIL +KEY$/, label);
      assert.equal(
        lines.filter((l) => /^(kubernetes|etcd) /.test(l)).length,
        info.kubernetes.evidence.length + info.etcd.evidence.length,
        label,
      );
    });
  });
});

/** True when something accepts connections on 127.0.0.1:port (then the default endpoint cannot be shown failing). */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

test('with no source named, a failure to reach 127.0.0.1:2379 says it was the default and how to name a source', async (t) => {
  if (await listening(2379)) {
    t.skip('something listens on 127.0.0.1:2379 on this machine');
    return;
  }
  for (const args of [['get', 'pods'], ['keys'], ['history', 'pods', 'web', '-n', 'shop']]) {
    const r = await runAsync(args);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stdout, '');
    const line = r.stderr.trimEnd();
    assert.match(
      line,
      /^kubetcd: No source named, so kubetcd tried live etcd at 127\.0\.0\.1:2379 \(the default without --snapshot, --endpoints or ETCDCTL_ENDPOINTS\)/,
    );
    assert.match(
      line,
      /Name a source: --snapshot FILE for a snapshot file, --endpoints HOST:PORT for a live etcd, or set ETCDCTL_ENDPOINTS\.$/,
    );
    // grpc's reason with the whole address, no dangling "Resolution note:", no doubled period
    assert.match(line, /ECONNREFUSED 127\.0\.0\.1:2379\. /);
    assert.doesNotMatch(line, /Resolution note|\.\.|\.;/);
  }
  // a named source that fails is not explained as a default
  const port = await freePort();
  for (const [args, env] of [
    [['get', 'pods', '--endpoints', `127.0.0.1:${port}`], {}],
    [['get', 'pods'], { ETCDCTL_ENDPOINTS: `127.0.0.1:${port}` }],
  ] as const) {
    const r = await runAsync([...args], env);
    assert.equal(r.code, 1, r.stderr);
    assert.doesNotMatch(r.stderr, /No source named/);
    assert.match(r.stderr, new RegExp(`ECONNREFUSED 127\\.0\\.0\\.1:${port}\\. Nothing listens there`));
    assert.doesNotMatch(r.stderr, /Resolution note|\.\./);
  }
  // several endpoints: each reason whole, separated by "; "
  const two = await runAsync(['keys', '--endpoints', `127.0.0.1:${port},127.0.0.2:${port}`]);
  assert.match(two.stderr, new RegExp(`ECONNREFUSED 127\\.0\\.0\\.1:${port}; http://127\\.0\\.0\\.2:${port}: `));
  assert.doesNotMatch(two.stderr, /Resolution note|\.\.|\.;/);
});

test("custom resources: a CRD without printer columns prints the API server's NAME, AGE; a cluster-scoped one has no NAMESPACE column; a namespaced one with -A shows it once, first", async () => {
  const etcd = await startEtcd({ name: 'cli-crd' });
  const crd = (plural: string, kind: string, scope: string): string =>
    JSON.stringify({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: `${plural}.example.com`, creationTimestamp: '2026-01-01T00:00:00Z' },
      spec: {
        group: 'example.com',
        names: { plural, singular: kind.toLowerCase(), kind, listKind: `${kind}List` },
        scope,
        versions: [{ name: 'v1', served: true, storage: true }],
      },
    });
  const cr = (kind: string, name: string, namespace?: string): string =>
    JSON.stringify({
      apiVersion: 'example.com/v1',
      kind,
      metadata: { name, ...(namespace !== undefined ? { namespace } : {}), creationTimestamp: '2026-01-01T00:00:00Z' },
    });
  try {
    const puts: Array<[string, string]> = [
      [
        '/registry/apiextensions.k8s.io/customresourcedefinitions/clusterwidgets.example.com',
        crd('clusterwidgets', 'ClusterWidget', 'Cluster'),
      ],
      [
        '/registry/apiextensions.k8s.io/customresourcedefinitions/widgets.example.com',
        crd('widgets', 'Widget', 'Namespaced'),
      ],
      ['/registry/example.com/clusterwidgets/cw-1', cr('ClusterWidget', 'cw-1')],
      ['/registry/example.com/clusterwidgets/cw-2', cr('ClusterWidget', 'cw-2')],
      ['/registry/example.com/widgets/a/w-1', cr('Widget', 'w-1', 'a')],
      ['/registry/example.com/widgets/b/w-2', cr('Widget', 'w-2', 'b')],
    ];
    for (const [key, value] of puts) assert.equal((await etcd.etcdctl(['put', key, value])).code, 0);
    const src = ['--endpoints', etcd.endpoint];
    const cluster = await runAsync(['get', 'clusterwidgets', ...src]);
    assert.equal(cluster.code, 0, cluster.stderr);
    const [header, ...rows] = cluster.stdout.trimEnd().split('\n');
    assert.doesNotMatch(header as string, /NAMESPACE/);
    assert.match(header as string, /^NAME\s+AGE$/);
    assert.deepEqual(
      rows.map((r) => r.split(/\s+/)[0]),
      ['cw-1', 'cw-2'],
    );
    const wide = await runAsync(['get', 'clusterwidgets', '-o', 'wide', ...src]);
    assert.doesNotMatch(wide.stdout, /NAMESPACE/);
    const all = await runAsync(['get', 'widgets', '-A', ...src]);
    assert.equal(all.code, 0, all.stderr);
    assert.match(all.stdout, /^NAMESPACE\s+NAME\s+AGE\na\s+w-1\s+\S+\nb\s+w-2\s+\S+\n$/);
    const one = await runAsync(['get', 'widgets', '-n', 'a', ...src]);
    assert.match(one.stdout, /^NAME\s+AGE\nw-1\s+\S+\n$/);
  } finally {
    await etcd.stop();
  }
});

test('TLS flags --cacert --cert --key reach an etcd that requires client certificates', async () => {
  const certs = await makeTestCerts();
  const etcd = await startEtcd({
    tls: {
      caFile: certs.ca,
      certFile: certs.serverCert,
      keyFile: certs.serverKey,
      clientCertFile: certs.clientCert,
      clientKeyFile: certs.clientKey,
    },
    name: 'cli-tls',
  });
  try {
    assert.equal((await etcd.etcdctl(['put', '/registry/x/a', 'A'])).code, 0);
    const ok = await runAsync([
      'keys',
      '--endpoints',
      etcd.endpoint,
      '--cacert',
      certs.ca,
      '--cert',
      certs.clientCert,
      '--key',
      certs.clientKey,
    ]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stdout, '/registry/x/a\n');
    const viaEnv = await runAsync(['keys'], {
      ETCDCTL_ENDPOINTS: etcd.endpoint,
      ETCDCTL_CACERT: certs.ca,
      ETCDCTL_CERT: certs.clientCert,
      ETCDCTL_KEY: certs.clientKey,
    });
    assert.equal(viaEnv.stdout, '/registry/x/a\n', viaEnv.stderr);
    const noCert = await runAsync(['keys', '--endpoints', etcd.endpoint, '--cacert', certs.ca]);
    assert.equal(noCert.code, 1);
    assert.match(noCert.stderr, /client certificate/);
  } finally {
    await etcd.stop();
    certs.remove();
  }
});

test('keys and tree print hostile key bytes as visible escapes (\\x1b, \\xff), never raw to the terminal', {
  timeout: 60_000,
}, async () => {
  const { openEtcdWriterForFixtures } = await import('../src/sources/live-etcd-source');
  const etcd = await startEtcd();
  try {
    const writer = await openEtcdWriterForFixtures({ endpoints: etcd.endpoint });
    try {
      await writer.put('/registry/configmaps/default/red\x1b[31mtext', 'x');
      await writer.put(
        Buffer.concat([Buffer.from('/registry/configmaps/bad'), Buffer.from([0xff, 0xfe]), Buffer.from('/name')]),
        'y',
      );
    } finally {
      await writer.close();
    }
    const plain = run(['keys', '/registry/', '--endpoints', etcd.endpoint]);
    assert.equal(plain.code, 0, plain.stderr);
    const text = plain.stdout.toString('utf8');
    assert.ok(!text.includes('\x1b') && !text.includes('\ufffd'), JSON.stringify(text));
    assert.deepEqual(text.trim().split('\n'), [
      '/registry/configmaps/bad\\xff\\xfe/name',
      '/registry/configmaps/default/red\\x1b[31mtext',
    ]);
    const wide = run(['keys', '/registry/', '-o', 'wide', '--endpoints', etcd.endpoint]).stdout.toString('utf8');
    assert.match(wide, /^\/registry\/configmaps\/bad\\xff\\xfe\/name\s+1\s/m);
    assert.ok(!wide.includes('\x1b'));
    const tree = run(['tree', '/registry/configmaps', '--depth', '3', '--endpoints', etcd.endpoint]);
    assert.equal(tree.code, 0, tree.stderr);
    const treeText = tree.stdout.toString('utf8');
    assert.match(treeText, /bad\\xff\\xfe\//);
    assert.match(treeText, /red\\x1b\[31mtext/);
    assert.ok(!treeText.includes('\x1b') && !treeText.includes('\ufffd'), JSON.stringify(treeText));
  } finally {
    await etcd.stop();
  }
});

test('a large snapshot is read while its SHA-256 is checked: a mismatch still fails the command (exit 1), said on stderr, even after the output', {
  timeout: 120_000,
}, async () => {
  const { openEtcdWriterForFixtures } = await import('../src/sources/live-etcd-source');
  const etcd = await startEtcd({ name: 'cli-hash' });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubetcd-cli-hash-'));
  try {
    const writer = await openEtcdWriterForFixtures({ endpoints: etcd.endpoint });
    try {
      // 36 values of 1 MiB: above the 32 MiB from which the check runs in a worker, alongside the reads
      for (let i = 0; i < 36; i++)
        await writer.put(
          `/registry/configmaps/default/big-${String(i).padStart(2, '0')}`,
          Buffer.alloc(1 << 20, 0x61 + (i % 26)),
        );
    } finally {
      await writer.close();
    }
    const good = path.join(dir, 'good.db');
    const saved = await etcd.etcdctl(['snapshot', 'save', good]);
    assert.equal(saved.code, 0, saved.stderr);
    const b = fs.readFileSync(good);
    const at = b.indexOf(Buffer.alloc(64, 0x62)); // inside big-01's value
    assert.ok(at > 0);
    b[at] = 0x63;
    const damaged = path.join(dir, 'damaged.db');
    fs.writeFileSync(damaged, b);

    const ok = run(['keys', '/registry/', '--snapshot', good]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stdout.toString('utf8').trim().split('\n').length, 36);
    const bad = run(['keys', '/registry/', '--snapshot', damaged]);
    assert.equal(bad.code, 1);
    assert.equal(bad.stdout.toString('utf8').trim().split('\n').length, 36); // the output was written…
    assert.match(bad.stderr, /fails its SHA-256 check/); // …and the command says it is not to be trusted
    assert.match(bad.stderr, /do not trust it; the command fails \(exit status 1\)/);
    assert.match(bad.stderr, /pass --skip-hash-check/);
    const skipped = run(['keys', '/registry/', '--snapshot', damaged, '--skip-hash-check']);
    assert.equal(skipped.code, 0, skipped.stderr);
  } finally {
    await etcd.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
