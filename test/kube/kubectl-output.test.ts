/**
 * `kubectl get -o jsonpath=…|jsonpath-as-json=…|custom-columns=…`, `--sort-by` and `--no-headers`, through
 * KubeClient.kubectl() and the kubetcd CLI, against what kubectl 1.36.4 prints for the same objects: kubectl
 * runs `get` against a stand-in server that hands it the fixture's objects as the API server's JSON
 * (test/helpers/kubectl.ts: kubectlGet), so its own client-side printers and sorter make the reference.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import _ from 'lodash';
import { startKubeFixture, type KubeFixture } from '../helpers/kube-fixture';
import { kubectlGet, type ServedResource } from '../helpers/kubectl';
import { modRevisionOf, toKubeJson } from '../../src/codec';
import type { KubeObject } from '../../src/codec/types';
import type { KubeClient } from '../../src/kube/kube-client';

const cli = path.join(__dirname, '..', '..', 'src', 'cli.js');
const PODS: ServedResource = { resource: 'pods', kind: 'Pod', group: '', version: 'v1', namespaced: true };

function apiServerJson(object: KubeObject): string {
  const metadata = object['metadata'] as Record<string, unknown>;
  return toKubeJson({ ...object, metadata: { ...metadata, resourceVersion: String(modRevisionOf(object)) } });
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

function runCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('ETCDCTL_')));
    execFile(process.execPath, [cli, ...args], { env: clean, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

/** kubectl's one-line message (without "error: " and the debugging dump that follows). */
function kubectlMessage(e: unknown): string {
  const text = String((e as Error).message).replace(/^[\s\S]*?failed: error: /, '');
  return (text.split('\n')[0] as string).replace(/\. Printing more information[\s\S]*$/, '');
}

const JSONPATHS = [
  '{.items[*].metadata.name}',
  '{range .items[*]}{.metadata.name}{"\\t"}{.status.phase}{"\\n"}{end}',
  '{.items[?(@.status.phase=="Running")].metadata.name}',
  '{.items[?(@.status.phase!="Running")].metadata.name}',
  '{.items[?(@.spec.nodeName)].spec.nodeName}',
  '{.items[*].spec.containers[*]..image}',
  '{.items[0:2].metadata.name}',
  '{.items[-1:].metadata.name}',
  '{.items[0].metadata.labels}',
  '{.items[0].spec.containers[0]}',
  "{.items[0].metadata['name','namespace']}",
  '{.items[0,1].metadata.name}',
  '{$.items[1].metadata.uid}',
  'kind={.kind} first={.items[0].metadata.name}\n',
  '{range .items[*]}{.metadata.name}:{range .spec.containers[*]} {.name}={.image}{end}{"\\n"}{end}',
  '{.items[*].status.containerStatuses[*].restartCount}',
  '{.items[?(@.status.containerStatuses[0].restartCount>=0)].metadata.name}',
  '{.items[*].metadata.creationTimestamp}',
  '{.items[*].metadata.resourceVersion}',
  '{.items[*].spec.containers[*].resources}',
  '{.items[*].metadata.labels.app}',
  '{.items[*].metadata.nosuchfield}',
  '{.items[*].spec.containers[*].name}{"\\n"}{.items[*].spec.nodeName}',
];

/** For one object (kubectl walks map keys in random order, so `..` and `.*` stay where one key leads on). */
const ONE_POD = [
  '{.metadata.name}',
  '{@}',
  '{.spec.containers[*].name}',
  '{range .spec.containers[*]}{.name}{"\\n"}{end}',
  '{.metadata.labels}',
  '{.spec.containers[?(@.name!="x")].image}',
  '{.metadata.ownerReferences[0].name}',
  '{.status.conditions[*].type}',
  '{.status.containerStatuses[*]..restartCount}',
  '{.spec.containers[-1:]}',
];

describe('kubectl get -o jsonpath / custom-columns / --sort-by: byte for byte as kubectl 1.36.4', () => {
  let fx: KubeFixture;
  let kubes: KubeClient[];
  let ns = '';
  let texts: string[] = [];
  let pods: KubeObject[] = [];

  before(async () => {
    fx = await startKubeFixture({ pods: 20, seed: 3 });
    kubes = fx.kubes;
    const all = await (kubes[1] as KubeClient).list('pods');
    const counts = _.countBy(all.items, (o) => _.get(o, 'metadata.namespace') as string);
    ns = _.maxBy(Object.keys(counts), (n) => counts[n] ?? 0) as string;
    pods = (await (kubes[1] as KubeClient).list('pods', { namespace: ns })).items;
    assert.ok(pods.length >= 3, `namespace ${ns} has ${pods.length} pods`);
    texts = pods.map(apiServerJson);
  });
  after(async () => {
    await fx?.close();
  });

  for (const asJson of [false, true]) {
    const format = asJson ? 'jsonpath-as-json' : 'jsonpath';
    it(`-o ${format}: a List of pods and one pod, from both sources, as kubectl prints them`, async () => {
      for (const template of JSONPATHS) {
        const expected = await kubectlGet(texts, PODS, ['pods', '-n', ns, '-o', `${format}=${template}`]);
        for (const k of kubes) {
          const r = await k.kubectl(`get pods -n ${ns} -o ${shellQuote(`${format}=${template}`)}`);
          assert.equal(r.output, expected, `${format}=${template}`);
        }
      }
      const name = _.get(pods[1], 'metadata.name') as string;
      for (const template of ONE_POD) {
        const expected = await kubectlGet(texts, PODS, ['pods', name, '-n', ns, '-o', `${format}=${template}`]);
        const r = await (kubes[0] as KubeClient).kubectl(
          `get pods ${name} -n ${ns} -o ${shellQuote(`${format}=${template}`)}`,
        );
        assert.equal(r.output, expected, `one pod: ${format}=${template}`);
      }
    });
  }

  it("jsonpath errors: kubectl's message (parse errors with the offset), from kubectl() and the CLI (exit 2)", async () => {
    for (const template of [
      '{.items[}',
      '{.items[0].metadata.name',
      '{.items[*].metadata.name,x}',
      '{.items[99]}',
      '{.items[0].metadata[0]}',
      '{.items[?(@.metadata.name==1.5)]}',
      '{end}',
      '{.items[ 0 ]}',
      '{"a}',
      '{nosuch}',
    ]) {
      const message = await kubectlGet(texts, PODS, ['pods', '-n', ns, '-o', `jsonpath=${template}`]).then(
        (out) => assert.fail(`kubectl accepted ${template}: ${out}`),
        kubectlMessage,
      );
      const k = kubes[1] as KubeClient;
      await assert.rejects(k.kubectl(`get pods -n ${ns} -o ${shellQuote(`jsonpath=${template}`)}`), (e: Error) => {
        assert.equal(e.name, 'InvalidArgumentError');
        assert.ok(e.message.startsWith(message), `${template}: ${e.message} does not start with kubectl's ${message}`);
        if (message.startsWith('error parsing')) assert.match(e.message, /\(at offset \d+: /);
        return true;
      });
    }
    const c = await runCli(['get', 'pods', '-n', ns, '-o', 'jsonpath={.items[}', '--snapshot', fx.snapshot.origin]);
    assert.equal(c.code, 2);
    assert.match(c.stderr, /error parsing jsonpath \{\.items\[\}, unterminated array \(at offset 7/);
  });

  it("-o custom-columns (and --no-headers, --sort-by): kubectl's tabwriter, <none>, several values joined, %v of maps", async () => {
    const specs = [
      'NAME:.metadata.name,NODE:.spec.nodeName,PHASE:{.status.phase}',
      'NAME:metadata.name,IMAGES:.spec.containers[*].image,MISSING:.spec.nosuch,LABELS:.metadata.labels',
      'N:.metadata.name,RESTARTS:.status.containerStatuses[*].restartCount,REQ:.spec.containers[0].resources.requests,PORTS:.spec.containers[*].ports',
      'UID:.metadata.uid,CREATED:.metadata.creationTimestamp,OWNER:.metadata.ownerReferences[0].kind',
    ];
    for (const spec of specs) {
      for (const extra of [
        [],
        ['--no-headers'],
        ['--sort-by', '.metadata.creationTimestamp'],
        ['--sort-by', '{.spec.nodeName}', '--no-headers'],
        ['--sort-by', '.metadata.uid'],
      ]) {
        const expected = await kubectlGet(texts, PODS, ['pods', '-n', ns, '-o', `custom-columns=${spec}`, ...extra]);
        for (const k of kubes) {
          const r = await k.kubectl(
            `get pods -n ${ns} -o ${shellQuote(`custom-columns=${spec}`)} ${extra.map(shellQuote).join(' ')}`,
          );
          assert.equal(r.output, expected, `${spec} ${extra.join(' ')}`);
        }
      }
    }
    // the -file forms: a template file (with its final newline) and a columns file
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubetcd-columns-'));
    try {
      const jp = path.join(dir, 'template.jsonpath');
      fs.writeFileSync(jp, '{range .items[*]}{.metadata.name} {.spec.nodeName}{"\\n"}{end}\n');
      const cols = path.join(dir, 'columns.txt');
      fs.writeFileSync(cols, 'NAME          NODE             UID\n.metadata.name   {.spec.nodeName}   .metadata.uid\n');
      for (const output of [`jsonpath-file=${jp}`, `custom-columns-file=${cols}`]) {
        const expected = await kubectlGet(texts, PODS, ['pods', '-n', ns, '-o', output]);
        for (const k of kubes)
          assert.equal((await k.kubectl(`get pods -n ${ns} -o ${shellQuote(output)}`)).output, expected, output);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    const spec = specs[1] as string;
    const expected = await kubectlGet(texts, PODS, [
      'pods',
      '-n',
      ns,
      '-o',
      `custom-columns=${spec}`,
      '--sort-by',
      '.metadata.name',
    ]);
    const c = await runCli([
      'get',
      'pods',
      '-n',
      ns,
      '-o',
      `custom-columns=${spec}`,
      '--sort-by',
      '.metadata.name',
      '--snapshot',
      fx.snapshot.origin,
    ]);
    assert.equal(c.code, 0, c.stderr);
    assert.equal(c.stdout, expected);
    const j = await runCli([
      'get',
      'pods',
      '-n',
      ns,
      '-o',
      'jsonpath={range .items[*]}{.metadata.name}{"\\n"}{end}',
      '--sort-by',
      '.metadata.uid',
      '--endpoints',
      fx.etcd.endpoint,
    ]);
    assert.equal(j.code, 0, j.stderr);
    assert.equal(
      j.stdout,
      await kubectlGet(texts, PODS, [
        'pods',
        '-n',
        ns,
        '-o',
        'jsonpath={range .items[*]}{.metadata.name}{"\\n"}{end}',
        '--sort-by',
        '.metadata.uid',
      ]),
    );
  });
});

describe('tables: --show-labels, -L, --no-headers as kubectl adds them to a table', () => {
  let fx: KubeFixture;
  before(async () => {
    fx = await startKubeFixture({ pods: 12, seed: 5 });
  });
  after(async () => {
    await fx?.close();
  });

  it("kubectl, handed kubetcd's own table as the server's, adds the same label columns and drops the same header", async () => {
    const { renderTable } = await import('../../src/render/table');
    const k = fx.kubes[1];
    const pods = (await k.list('pods')).items.slice(0, 8);
    const now = Date.parse('2026-01-01T00:00:00Z');
    const base = renderTable(pods, { kind: 'Pod', now, maxRows: Infinity, namespaceColumn: false })
      .text.split('\n')
      .filter((l) => l !== '');
    // the columns start where the header's words do (aligned, three spaces apart at least)
    const header = base[0] as string;
    const starts = [...header.matchAll(/\S+/g)].map((m) => m.index);
    const cut = (line: string): string[] => starts.map((s, i) => line.slice(s, starts[i + 1]).trim());
    const table = { columns: cut(header), rows: base.slice(1).map(cut) };
    const texts = pods.map(apiServerJson);
    const ns = _.get(pods[0], 'metadata.namespace') as string;
    const inNs = pods.filter((o) => _.get(o, 'metadata.namespace') === ns);
    const served = {
      columns: table.columns,
      rows: table.rows.filter((_r, i) => _.get(pods[i], 'metadata.namespace') === ns),
    };
    const labelKeys = _.uniq(inNs.flatMap((o) => Object.keys((_.get(o, 'metadata.labels') ?? {}) as object)));
    assert.ok(labelKeys.length > 0);
    const keys = [labelKeys[0] as string, 'no-such.example.com/label-key'];
    for (const [flags, options] of [
      [['--show-labels'], { showLabels: true }],
      [['-L', keys.join(',')], { labelColumns: keys }],
      [
        ['-L', keys[0] as string, '-L', keys[1] as string, '--show-labels', '--no-headers'],
        { labelColumns: keys, showLabels: true, noHeaders: true },
      ],
      [['--no-headers'], { noHeaders: true }],
    ] as const) {
      const expected = await kubectlGet(
        texts.filter((_t, i) => _.get(pods[i], 'metadata.namespace') === ns),
        PODS,
        ['pods', '-n', ns, ...flags],
        '1',
        served,
      );
      const ours = renderTable(inNs, { kind: 'Pod', now, maxRows: Infinity, namespaceColumn: false, ...options }).text;
      assert.equal(ours, expected, flags.join(' '));
    }
  });
});

describe("custom resources: tables from the CRD's additionalPrinterColumns, as the API server prints them", () => {
  let fx: KubeFixture;
  before(async () => {
    fx = await startKubeFixture({ pods: 6, seed: 8 });
  });
  after(async () => {
    await fx?.close();
  });

  it("the generated cert-manager CRD's Ready column: NAME, READY from the Ready condition, through the CLI and kubectl()", async () => {
    for (const k of fx.kubes) {
      const info = k.resolve('certificates');
      assert.deepEqual(info.printerColumns, [
        { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status', priority: 0 },
      ]);
      const certs = (await k.list('certificates')).items;
      assert.ok(certs.length > 0);
      const r = await k.kubectl('get certificates -A');
      assert.deepEqual(r.printerColumns, info.printerColumns);
      const c = await runCli([
        'get',
        'certificates',
        '-A',
        ...(k === fx.kubes[0] ? ['--endpoints', fx.etcd.endpoint] : ['--snapshot', fx.snapshot.origin]),
      ]);
      assert.equal(c.code, 0, c.stderr);
      const lines = c.stdout.trimEnd().split('\n');
      assert.deepEqual(lines[0]?.split(/\s+/), ['NAMESPACE', 'NAME', 'READY']);
      const rows = lines.slice(1).map((l) => l.split(/\s+/));
      const expected = certs.map((o) => [
        _.get(o, 'metadata.namespace') as string,
        _.get(o, 'metadata.name') as string,
        ((_.get(o, 'status.conditions') ?? []) as Array<{ type: string; status: string }>).find(
          (x) => x.type === 'Ready',
        )?.status ?? '<none>',
      ]);
      assert.deepEqual(rows, expected);
    }
  });

  it('integer, number, boolean, date (as an age), string (maps as JSON), priority 1 only with -o wide, <none> and <invalid>', async () => {
    const { resourcesFromCrd } = await import('../../src/kube/resources');
    const { renderTable } = await import('../../src/render/table');
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'widgets.example.com' },
      spec: {
        group: 'example.com',
        scope: 'Namespaced',
        names: { plural: 'widgets', singular: 'widget', kind: 'Widget' },
        versions: [
          {
            name: 'v1alpha1',
            served: true,
            storage: false,
            additionalPrinterColumns: [{ name: 'Old', type: 'string', jsonPath: '.spec.old' }],
          },
          {
            name: 'v1',
            served: true,
            storage: true,
            additionalPrinterColumns: [
              { name: 'Replicas', type: 'integer', jsonPath: '.spec.replicas' },
              { name: 'Ratio', type: 'number', jsonPath: '.spec.ratio' },
              { name: 'Paused', type: 'boolean', jsonPath: '.spec.paused' },
              { name: 'Selector', type: 'string', jsonPath: '.spec.selector' },
              { name: 'Started', type: 'date', jsonPath: '.status.startTime' },
              { name: 'Node', type: 'string', jsonPath: '.spec.nodeName', priority: 1 },
            ],
          },
        ],
      },
    };
    const info = resourcesFromCrd(crd);
    assert.deepEqual(
      info.printerColumns?.map((c) => c.name),
      ['Replicas', 'Ratio', 'Paused', 'Selector', 'Started', 'Node'],
    );
    const now = Date.parse('2026-01-10T00:00:00Z');
    const w = (name: string, spec: Record<string, unknown>, status: Record<string, unknown>): KubeObject => ({
      apiVersion: 'example.com/v1',
      kind: 'Widget',
      metadata: { name, namespace: 'default', creationTimestamp: '2026-01-01T00:00:00Z' },
      spec,
      status,
    });
    const objects = [
      w(
        'a',
        { replicas: 3, ratio: 0.25, paused: false, selector: { app: 'a' }, nodeName: 'node-1' },
        { startTime: '2026-01-09T22:00:00Z' },
      ),
      w('b', { replicas: 2.9, ratio: 1234567.5, paused: 'no' }, { startTime: 'yesterday' }),
      w('c', {}, {}),
    ];
    const text = (wide: boolean): string =>
      renderTable(objects, {
        kind: 'Widget',
        now,
        maxRows: Infinity,
        namespaceColumn: false,
        wide,
        printerColumns: info.printerColumns ?? [],
      }).text;
    assert.equal(
      text(false),
      'NAME   REPLICAS   RATIO           PAUSED   SELECTOR      STARTED\n' +
        'a      3          0.25            false    {"app":"a"}   120m\n' +
        'b      2          1.2345675e+06   <none>   <none>        <invalid>\n' +
        'c      <none>     <none>          <none>   <none>        <none>\n',
    );
    assert.match(text(true).split('\n')[0] as string, /STARTED +NODE$/);
    assert.match(text(true).split('\n')[1] as string, /120m +node-1$/);
    // no columns named: the API server's NAME, AGE
    assert.equal(renderTable(objects.slice(0, 1), { now, printerColumns: [] }).text, 'NAME   AGE\na      9d\n');
  });
});
