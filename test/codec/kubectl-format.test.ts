/**
 * `-o json` and `-o yaml` exactly as kubectl 1.36.4 prints them: real objects read from a real etcd and
 * from its snapshot, written to a file as the API server's JSON (the decoded object plus
 * metadata.resourceVersion, the mod revision etcdctl reports), printed by kubectl's own printers
 * (test/helpers/kubectl.ts: `kubectl patch --local`), and compared byte for byte with
 * toKubectlJson/toKubectlYaml, `k.kubectl('get … -o json|yaml')` and `kubetcd get -o json|yaml` (which
 * streams lists item by item). Objects include <, &, > and non-ASCII text in labels and annotations, an
 * invalid UTF-8 byte, managedFields, a custom resource whose stored JSON has numbers Go re-formats
 * (12.50, 1e3, -0, beyond int64) and Secrets (compared revealed; redacted output checked on its own).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { startKubeFixture, type KubeFixture } from '../helpers/kube-fixture';
import { kubectlPrint, kubectlPrintList } from '../helpers/kubectl';
import { decode, encode, toKubeJson, toKubectlJson, toKubectlYaml, modRevisionOf } from '../../src/codec';
import type { KubeObject } from '../../src/codec/types';
import type { KubeClient } from '../../src/kube/kube-client';
import { kubectlListFormat, listChunks } from '../../src/render/list-stream';

const cli = path.join(__dirname, '..', '..', '..', 'dist', 'cli.js');

const PASSWORD = 'hunter2-s3cr3t';
const TOKEN = 'tok-\u00e9-<&>-value';
const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

const MANAGED_FIELDS = [
  {
    manager: 'kubectl-client-side-apply',
    operation: 'Update',
    apiVersion: 'v1',
    time: '2024-03-01T10:20:30Z',
    fieldsType: 'FieldsV1',
    fieldsV1: {
      'f:data': { '.': {}, 'f:html': {}, 'f:quoted': {} },
      'f:metadata': { 'f:annotations': { '.': {}, 'f:note': {} } },
    },
  },
];

/** A ConfigMap whose labels, annotations and data need every escape and quoting rule. */
function textConfigMap(): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: 'html-and-unicode',
      namespace: 'default',
      uid: '6f1c3a52-0000-4000-8000-000000000001',
      creationTimestamp: '2024-03-01T10:20:30Z',
      labels: { app: 'caf\u00e9', 'z-order': '0755', 'a.example.com/tier': 'true' },
      annotations: {
        note: 'a<b && c>d "quoted" \\ back',
        'unicode/\u00fcber': '\u65e5\u672c\u8a9e \u2014 \u{1F680} line\u2028sep end',
        'kubectl.kubernetes.io/last-applied-configuration':
          '{"apiVersion":"v1","data":{"html":"<b>&amp;</b>"},"kind":"ConfigMap"}\n',
        invalid: 'bad\udcffbyte',
      },
      managedFields: MANAGED_FIELDS,
    },
    data: {
      html: '<b>bold</b> & <i>\u00e9</i>',
      quoted: 'it\'s: a "test"',
      multi: 'line one\nline two\n',
      empty: '',
      tab: 'a\tb',
      long: 'word '.repeat(30).trim(),
      number: '12',
      '10': 'ten',
      '9': 'nine',
      // two keys that differ only in an invalid UTF-8 byte: both print as "dup\ufffdkey", kubectl keeps the last
      'dup\udcfekey': 'first',
      'dup\udcffkey': 'second',
    },
  };
}

/**
 * Strings that take every YAML scalar style and rule: values that would read back as another type, YAML
 * indicators, blanks at the ends, line breaks, long lines, control and invisible characters, U+0085
 * (which kubectl's JSON→YAML step folds) and a leading U+FEFF (go-yaml then escapes every character).
 */
const HOSTILE_VALUES = [
  'yes',
  'No',
  '~',
  'null',
  'true',
  '1e3',
  '0x1F',
  '0o17',
  '017',
  '08',
  '1_000',
  '.5',
  '-.inf',
  '.nan',
  '+1',
  '-',
  '- x',
  ': x',
  'a: b',
  '#c',
  'a #c',
  'a#c',
  '?',
  '? x',
  '!tag',
  '&a',
  '*a',
  '|',
  '>',
  '%',
  '@x',
  '`x',
  '"q"',
  "'s'",
  ' lead',
  'trail ',
  'two  spaces',
  '---',
  '...',
  '--- x',
  '2024-01-02',
  '2024-01-02T03:04:05Z',
  '2024-1-2',
  '12:30',
  '1:20:30',
  '190:20:30',
  '0b101',
  '-0b11',
  '0.',
  '-0',
  '1.5e+3',
  'inf',
  '[a]',
  '{a}',
  'a,b',
  '\u0001ctl',
  'a\u0000b',
  'tab\there',
  '\ttab',
  'cr\rlf',
  'new\nline',
  'new\nline\n',
  '\n',
  '\n\n',
  'trailing\n\n',
  ' \nx',
  'x \ny',
  '\u00e9',
  '\u{1F680}',
  '\u00a0nbsp',
  'a\u2028b',
  '\u2029',
  '<<',
  '=',
  'a'.repeat(130),
  'word '.repeat(40),
  'x:y',
  'x: ',
  'http://a.b/c?d=e&f',
  'a\\b',
  '\u200b',
  '\ufffd',
  'y',
  'n',
  'off',
  '0',
  '-1',
  '9223372036854775808',
  '18446744073709551616',
  '1e400',
  '0.0.1',
  '3.',
  '+',
  '.',
  '',
  ' ',
  '\u0085nel',
  'a\u0085b',
  'a \u0085 b',
  'a\u0085\u0085b',
  '\u0085',
  '\u00e9\u0085',
  '\u0085\n',
  '\ufeffbom',
  'a\ufeffb',
];
/** Keys in every style. (Keys mixing digit runs and letters such as `1a`, `12:30` and `3.` are left out:
 * go-yaml's key order is not a total order for them, and kubectl prints them in a different order from one
 * run to the next.) */
const HOSTILE_KEYS = [
  'yes',
  '~',
  'null',
  'true',
  '-',
  '- x',
  '#c',
  'a #c',
  '?',
  '!tag',
  '&a',
  '*a',
  '|',
  '>',
  '%',
  '@x',
  '`x',
  '"q"',
  "'s'",
  ' lead',
  'trail ',
  '---',
  '2024-01-02',
  '<<',
  '=',
  'a'.repeat(130),
  '\u00e9',
  '\u{1F680}',
  '\ufeffbom',
  'a\u2028b',
  'x:y',
  'a10',
  'a9',
  'a-b',
  'A',
  '_',
  'Z',
  'z0',
  'z00',
  'z01',
  'z1',
  '0',
  '00',
  '1',
  '9',
  '10',
  'app.kubernetes.io/name',
  'x\ty',
  'new\nline',
  '',
];

function hostileConfigMap(): KubeObject {
  const data: Record<string, string> = {};
  HOSTILE_VALUES.forEach((v, i) => {
    data[`k${String(i).padStart(3, '0')}`] = v;
  });
  const annotations: Record<string, string> = {};
  HOSTILE_KEYS.forEach((k, i) => {
    annotations[k] = String(i);
  });
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: 'hostile-text',
      namespace: 'default',
      uid: '6f1c3a52-0000-4000-8000-000000000004',
      creationTimestamp: '2024-03-01T10:20:33Z',
      annotations,
    },
    data,
  };
}

/** A ConfigMap kubectl cannot print as YAML (U+007F in a value): `yaml: control characters are not allowed`. */
function refusedConfigMap(): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: 'del-char',
      namespace: 'refused',
      uid: '6f1c3a52-0000-4000-8000-000000000005',
      creationTimestamp: '2024-03-01T10:20:34Z',
    },
    data: { ok: 'fine', bad: 'rub\u007fout' },
  };
}

/** A Secret as `kubectl apply` writes it: values in data and in the last-applied annotation. */
function appliedSecret(): KubeObject {
  const manifest = {
    apiVersion: 'v1',
    data: { password: b64(PASSWORD), token: b64(TOKEN) },
    kind: 'Secret',
    metadata: { name: 'app-credentials', namespace: 'default' },
    type: 'Opaque',
  };
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: 'app-credentials',
      namespace: 'default',
      uid: '6f1c3a52-0000-4000-8000-000000000002',
      creationTimestamp: '2024-03-01T10:20:31Z',
      labels: { owner: '\u00e9quipe<&>' },
      annotations: { 'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify(manifest) + '\n' },
      managedFields: MANAGED_FIELDS,
    },
    data: { password: b64(PASSWORD), token: b64(TOKEN) },
    type: 'Opaque',
  };
}

/** A custom resource stored as JSON whose numbers and escapes Go re-formats once read into maps. */
const CERTIFICATE_JSON =
  '{"apiVersion":"cert-manager.io/v1","kind":"Certificate","metadata":{"name":"numbers","namespace":"default",' +
  '"uid":"6f1c3a52-0000-4000-8000-000000000003","generation":9007199254740993,"creationTimestamp":"2024-03-01T10:20:32Z",' +
  '"annotations":{"esc":"\\u00e9\\/\\u003c","dup":"first","dup":"second"},' +
  '"managedFields":[{"manager":"cert-manager","operation":"Apply","apiVersion":"cert-manager.io/v1","fieldsType":"FieldsV1","fieldsV1":{"f:spec":{"f:ratio":{}}}}]},' +
  '"spec":{"secretName":"numbers-tls","ratio":12.50,"thousand":1e3,"negZero":-0,"huge":18446744073709551615,"int64":9223372036854775807,' +
  '"tiny":1.5e-7,"big":1e21,"float":123456789.25,"one":1.0,"list":[1,2.5,null,true,"x"],"empty":{},"none":[]}}';

async function etcdModRevision(fx: KubeFixture, key: string): Promise<number> {
  const r = await fx.etcd.etcdctl(['get', key, '-w', 'json']);
  assert.equal(r.code, 0, r.stderr);
  const kvs = (JSON.parse(r.stdout) as { kvs?: Array<{ mod_revision: number }> }).kvs ?? [];
  assert.equal(kvs.length, 1, `${key}: etcdctl found ${kvs.length} records`);
  return (kvs[0] as { mod_revision: number }).mod_revision;
}

/** The API server's JSON for an object read at `modRevision`: its stored JSON with resourceVersion set. */
function apiServerJson(object: KubeObject, modRevision: number): string {
  const metadata = object['metadata'] as Record<string, unknown>;
  // toKubeJson keeps embedded JSON's stored text (12.50, 1e3), as the API server sends it.
  return toKubeJson({ ...object, metadata: { ...metadata, resourceVersion: String(modRevision) } });
}

function keyOf(object: KubeObject, resource: string): string {
  const m = object['metadata'] as { name: string; namespace?: string };
  return `/registry/${resource}/${m.namespace !== undefined ? `${m.namespace}/` : ''}${m.name}`;
}

interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

function runCli(args: string[]): Promise<RunResult> {
  return new Promise((resolve) => {
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('ETCDCTL_')));
    execFile(process.execPath, [cli, ...args], { env: clean, maxBuffer: 256 << 20 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

describe('-o json|yaml as kubectl 1.36 prints them: live etcd and its snapshot', () => {
  let fx: KubeFixture;
  let kubes: KubeClient[];
  const sources = (): Array<[string, KubeClient, string[]]> => [
    ['live', kubes[0] as KubeClient, ['--endpoints', fx.etcd.endpoint]],
    ['snapshot', kubes[1] as KubeClient, ['--snapshot', fx.snapshot.origin]],
  ];

  before(async () => {
    fx = await startKubeFixture({
      pods: 12,
      seed: 21,
      extra: async (writer) => {
        await writer.put('/registry/configmaps/default/html-and-unicode', encode(textConfigMap()));
        await writer.put('/registry/secrets/default/app-credentials', encode(appliedSecret()));
        await writer.put('/registry/cert-manager.io/certificates/default/numbers', CERTIFICATE_JSON);
        await writer.put('/registry/configmaps/default/hostile-text', encode(hostileConfigMap()));
        await writer.put('/registry/configmaps/refused/del-char', encode(refusedConfigMap()));
      },
    });
    kubes = fx.kubes;
  });
  after(async () => {
    await fx?.close();
  });

  /** The reference: kubectl printing the objects `resource` in `namespace` holds, as read back with reveal. */
  async function referenceList(
    k: KubeClient,
    resource: string,
    namespace: string,
    output: 'json' | 'yaml',
    showManagedFields = false,
  ): Promise<string> {
    const list = await k.list(resource, { namespace, reveal: true });
    assert.ok(list.items.length > 0, `${resource} in ${namespace}: nothing listed`);
    const texts: string[] = [];
    for (const o of list.items)
      texts.push(
        apiServerJson(
          o,
          await etcdModRevision(fx, keyOf(o, resource === 'certificates' ? 'cert-manager.io/certificates' : resource)),
        ),
      );
    return kubectlPrintList(texts, output, { showManagedFields });
  }

  it('one object: toKubectlJson/Yaml of get() results are what kubectl prints (escapes, unicode, invalid UTF-8, managedFields)', async () => {
    for (const [label, k] of sources()) {
      for (const [resource, name] of [
        ['configmaps', 'html-and-unicode'],
        ['configmaps', 'hostile-text'],
        ['secrets', 'app-credentials'],
        ['certificates', 'numbers'],
      ] as const) {
        const got = await k.get(resource, name, { namespace: 'default', reveal: true });
        assert.ok(got.object !== undefined, `${label} ${resource}/${name}: ${got.error}`);
        const rev = await etcdModRevision(fx, got.key);
        assert.equal(got.record.modRevision, rev);
        assert.equal(modRevisionOf(got.object), rev);
        const file = apiServerJson(got.object, rev);
        for (const output of ['json', 'yaml'] as const) {
          for (const showManagedFields of [false, true]) {
            const expected = await kubectlPrint(file, output, { showManagedFields });
            const print = output === 'json' ? toKubectlJson : toKubectlYaml;
            const what = `${label} ${resource}/${name} -o ${output}${showManagedFields ? ' --show-managed-fields' : ''}`;
            assert.equal(print(got, { showManagedFields }), expected, what);
            // the object alone carries its revision too
            assert.equal(print(got.object, { showManagedFields }), expected, `${what} (object)`);
            const hasManagedFields = Array.isArray(
              (got.object['metadata'] as Record<string, unknown>)['managedFields'],
            );
            assert.equal(expected.includes('managedFields'), showManagedFields && hasManagedFields, what);
            assert.ok(
              expected.includes(`resourceVersion: "${rev}"`) || expected.includes(`"resourceVersion": "${rev}"`),
              what,
            );
          }
        }
      }
      // get() answers as the API server does: resourceVersion the mod revision, managedFields kept;
      // decode() of the stored bytes is the stored object itself, with no resourceVersion key
      const got = await k.get('configmaps', 'html-and-unicode', { namespace: 'default' });
      const plain = got.object as KubeObject;
      assert.equal((plain['metadata'] as Record<string, unknown>)['resourceVersion'], String(got.record.modRevision));
      assert.ok(Array.isArray((plain['metadata'] as Record<string, unknown>)['managedFields']));
      const stored = decode((await k.source.get(got.key))!.value).object as KubeObject;
      assert.equal((stored['metadata'] as Record<string, unknown>)['resourceVersion'], undefined);
      // printed once, in its sorted place
      assert.equal(toKubectlJson(got).split('"resourceVersion"').length, 2);
    }
  });

  it("lists: toKubectlJson/Yaml of list() are kubectl's List; the CLI streams the same bytes; k.kubectl() too", async () => {
    const cases: Array<[string, string]> = [
      ['configmaps', 'default'],
      ['pods', 'kube-system'],
      ['certificates', 'default'],
    ];
    for (const [resource, namespace] of cases) {
      const expected: { [k: string]: string } = {};
      for (const output of ['json', 'yaml'] as const) {
        for (const show of [false, true])
          expected[`${output}${show}`] = await referenceList(kubes[0] as KubeClient, resource, namespace, output, show);
      }
      for (const [label, k, src] of sources()) {
        const list = await k.list(resource, { namespace });
        for (const output of ['json', 'yaml'] as const) {
          for (const show of [false, true]) {
            const what = `${label} ${resource} -n ${namespace} -o ${output}${show ? ' --show-managed-fields' : ''}`;
            const want = expected[`${output}${show}`] as string;
            const print = output === 'json' ? toKubectlJson : toKubectlYaml;
            assert.equal(print(list, { showManagedFields: show }), want, `${what}: list()`);
            assert.equal(print(list.items, { showManagedFields: show }), want, `${what}: items`);
            let streamed = '';
            for await (const chunk of listChunks(
              k.stream(resource, { namespace }),
              kubectlListFormat(output, { showManagedFields: show }),
            ))
              streamed += chunk;
            assert.equal(streamed, want, `${what}: listChunks(k.stream(), kubectlListFormat())`);
            const r = await k.kubectl(
              `get ${resource} -n ${namespace} -o ${output}${show ? ' --show-managed-fields' : ''}`,
            );
            assert.equal(r.output, want, `${what}: k.kubectl()`);
            if (show && resource !== 'configmaps') continue; // the CLI flag once is enough
            const c = await runCli([
              'get',
              resource,
              '-n',
              namespace,
              '-o',
              output,
              ...(show ? ['--show-managed-fields'] : []),
              ...src,
            ]);
            assert.equal(c.code, 0, `${what}: ${c.stderr}`);
            assert.equal(c.stdout, want, `${what}: kubetcd get`);
          }
        }
      }
    }
  });

  it("every resource the cluster holds, all namespaces: kubectl's List, JSON and YAML", async () => {
    // every record's mod revision, from etcdctl
    const dump = await fx.etcd.etcdctl(['get', '/registry/', '--prefix', '-w', 'json']);
    assert.equal(dump.code, 0, dump.stderr);
    const revisions = new Map<string, number>();
    for (const kv of (JSON.parse(dump.stdout) as { kvs: Array<{ key: string; mod_revision: number }> }).kvs) {
      revisions.set(Buffer.from(kv.key, 'base64').toString('utf8'), kv.mod_revision);
    }
    const resources = await (kubes[0] as KubeClient).resources();
    let compared = 0;
    for (const r of resources) {
      if (r.kind === '') continue; // not a resource kubetcd knows (e.g. masterleases)
      for (const [label, k] of sources()) {
        const stream = k.stream(r.resource, { reveal: true });
        const items: KubeObject[] = [];
        const texts: string[] = [];
        for await (const e of stream) {
          if (e.object === undefined || e.key === '/registry/configmaps/refused/del-char') continue; // YAML refused: its own test
          assert.equal(e.modRevision, revisions.get(e.key), e.key);
          items.push(e.object);
          texts.push(apiServerJson(e.object, revisions.get(e.key) as number));
        }
        if (items.length === 0) continue;
        for (const output of ['json', 'yaml'] as const) {
          const want = await kubectlPrintList(texts, output);
          assert.equal(
            (output === 'json' ? toKubectlJson : toKubectlYaml)(items),
            want,
            `${label} ${r.resource} -A -o ${output}`,
          );
        }
        compared += items.length;
      }
    }
    assert.ok(compared > 100, `${compared} objects compared`);
  });

  it('names: one name prints the object, several a List (CLI and k.kubectl())', async () => {
    const k0 = kubes[0] as KubeClient;
    const cm = await k0.get('configmaps', 'html-and-unicode', { namespace: 'default' });
    const cmFile = apiServerJson(cm.object as KubeObject, await etcdModRevision(fx, cm.key));
    const otherObject = (await k0.list('configmaps', { namespace: 'default' })).items.find(
      (o) => (o['metadata'] as { name: string }).name !== 'html-and-unicode',
    );
    assert.ok(otherObject !== undefined, 'a second ConfigMap in default');
    const otherName = (otherObject['metadata'] as { name: string }).name;
    const otherFile = apiServerJson(
      otherObject,
      await etcdModRevision(fx, `/registry/configmaps/default/${otherName}`),
    );
    for (const output of ['json', 'yaml'] as const) {
      const one = await kubectlPrint(cmFile, output);
      const two = await kubectlPrintList([cmFile, otherFile], output);
      for (const [label, k, src] of sources()) {
        assert.equal(
          (await k.kubectl(`get configmap html-and-unicode -n default -o ${output}`)).output,
          one,
          `${label} -o ${output}`,
        );
        assert.equal(
          (await k.kubectl(`get configmaps html-and-unicode ${otherName} -n default -o ${output}`)).output,
          two,
          `${label} two -o ${output}`,
        );
        const c1 = await runCli(['get', 'configmap', 'html-and-unicode', '-n', 'default', '-o', output, ...src]);
        assert.equal(c1.stdout, one, `${label} kubetcd get NAME -o ${output}: ${c1.stderr}`);
        const c2 = await runCli([
          'get',
          'configmaps',
          'html-and-unicode',
          otherName,
          '-n',
          'default',
          '-o',
          output,
          ...src,
        ]);
        assert.equal(c2.stdout, two, `${label} kubetcd get NAME NAME -o ${output}: ${c2.stderr}`);
      }
    }
    // an empty list
    const none = await kubectlPrintList([], 'json');
    assert.equal(toKubectlJson([]), none);
    assert.equal(toKubectlYaml([]), await kubectlPrintList([], 'yaml'));
    const c = await runCli([
      'get',
      'configmaps',
      '-n',
      'no-such-namespace',
      '-o',
      'json',
      '--snapshot',
      fx.snapshot.origin,
    ]);
    assert.equal(c.stdout, none);
  });

  it('YAML kubectl cannot print (U+007F): kubectl fails, toKubectlYaml and the CLI refuse naming the field; JSON prints', async () => {
    for (const [label, k, src] of sources()) {
      const got = await k.get('configmaps', 'del-char', { namespace: 'refused' });
      const file = apiServerJson(got.object as KubeObject, await etcdModRevision(fx, got.key));
      await assert.rejects(kubectlPrint(file, 'yaml'), /yaml: control characters are not allowed/);
      assert.throws(() => toKubectlYaml(got), {
        name: 'InvalidArgumentError',
        message: /^Cannot print data\.bad as kubectl's YAML: the string "rub\\u007fout" holds U\+007F.*-o json/,
      });
      assert.equal(toKubectlJson(got), await kubectlPrint(file, 'json'), label);
      const c = await runCli(['get', 'configmaps', '-n', 'refused', '-o', 'yaml', ...src]);
      // exit status 2: the argument (-o yaml) is what to change
      assert.equal(c.code, 2, `${label}: ${c.stderr}`);
      assert.match(c.stderr, /Cannot print data\.bad as kubectl's YAML/);
      assert.ok(!c.stderr.includes('\u007f'), 'the message shows the character escaped');
      const j = await runCli(['get', 'configmaps', '-n', 'refused', '-o', 'json', ...src]);
      assert.equal(j.stdout, toKubectlJson(await k.list('configmaps', { namespace: 'refused' })), label);
    }
  });

  it('Secrets stay redacted in kubectl form: kubectl prints the redacted object the same, and no value shows', async () => {
    for (const [label, k, src] of sources()) {
      const got = await k.get('secrets', 'app-credentials', { namespace: 'default' });
      const rev = await etcdModRevision(fx, got.key);
      for (const output of ['json', 'yaml'] as const) {
        const expected = await kubectlPrint(apiServerJson(got.object as KubeObject, rev), output);
        const printed = [
          (output === 'json' ? toKubectlJson : toKubectlYaml)(got),
          (await k.kubectl(`get secret app-credentials -n default -o ${output}`)).output as string,
          (await runCli(['get', 'secret', 'app-credentials', '-n', 'default', '-o', output, ...src])).stdout,
          (await runCli(['get', 'secrets', '-n', 'default', '-o', output, ...src])).stdout,
        ];
        for (const [i, text] of printed.entries()) {
          if (i < 3) assert.equal(text, expected, `${label} redacted -o ${output} (${i})`);
          for (const secret of [PASSWORD, b64(PASSWORD), b64(TOKEN), 'tok-'])
            assert.ok(!text.includes(secret), `${label} -o ${output} (${i}) shows ${secret}`);
          assert.match(text, /redacted: 14 bytes/, `${label} -o ${output} (${i})`);
        }
        // revealed: the values, as kubectl prints them
        const revealed = await runCli([
          'get',
          'secret',
          'app-credentials',
          '-n',
          'default',
          '-o',
          output,
          '--reveal',
          ...src,
        ]);
        const all = await k.get('secrets', 'app-credentials', { namespace: 'default', reveal: true });
        assert.equal(
          revealed.stdout,
          await kubectlPrint(apiServerJson(all.object as KubeObject, rev), output),
          `${label} --reveal -o ${output}`,
        );
        assert.ok(revealed.stdout.includes(b64(PASSWORD)));
      }
    }
  });
});
