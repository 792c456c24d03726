// The seven teaching notebooks (notebooks/0*.ipynb) run top to bottom in the real tslab kernel through the
// headless runner (scripts/run-notebooks.py): 01–05 against a real etcd loaded by the cluster generator,
// 06 against a snapshot of it with no etcd involved, 07 against the snapshot of a cluster generated with
// known incidents (generate-cluster --incidents, as the demo's). Each lesson's outputs must show the tables
// and values it promises, checked against what the KubeClient answers directly.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import _ from 'lodash';
import { decode } from '../../src/codec';
import { generateCluster, type ClusterIncidents, type ClusterOperation } from '../../scripts/cluster/cluster-generator';
import { humanDuration } from '../../src/render/human-duration';
import { writeCluster } from '../../scripts/cluster/write-cluster';
import { openKube, type KubeClient } from '../../src/kube/kube-client';
import { openEtcdWriterForFixtures } from '../../src/sources/live-etcd-source';
import { openSource } from '../../src/sources/open-source';
import type { KvSource } from '../../src/sources/types';
import { startEtcd, type EtcdProcess } from '../helpers/etcd';
import { REPO, distDir, joined, readCells, runNotebooks, type NotebookCell, type RunResult } from './notebook-fixture';

const LESSONS = [
  '01-how-kubernetes-lays-out-etcd.ipynb',
  '02-what-a-stored-value-is.ipynb',
  '03-ad-hoc-queries-with-lodash.ipynb',
  '04-what-takes-space.ipynb',
  '05-history-and-revisions.ipynb',
  '06-offline-snapshot.ipynb',
  '07-incident-forensics.ipynb',
];

/** Everything a code cell printed or displayed, as text (stdout, stderr, and the text/plain twins). */
function cellText(cell: NotebookCell): string {
  return (cell.outputs ?? [])
    .map((o) => (o.output_type === 'stream' ? joined(o.text) : joined(o.data?.['text/plain'])))
    .join('\n');
}

/** The outputs of the first code cell whose source contains `marker`. */
function outputOf(cells: NotebookCell[], marker: string): string {
  const cell = cells.find((c) => joined(c.source).includes(marker));
  assert.ok(cell, `no code cell contains ${JSON.stringify(marker)}`);
  return cellText(cell);
}

/** The outputs of the code cell whose whole source is `source`. */
function outputOfCell(cells: NotebookCell[], source: string): string {
  const cell = cells.find((c) => joined(c.source).trim() === source);
  assert.ok(cell, `no code cell is just ${JSON.stringify(source)}`);
  return cellText(cell);
}

/** The `name: count` pairs of a printed object such as `{ 'node-1': 14, ReplicaSet: 40 }`. */
function printedCounts(text: string): Record<string, number> {
  const body = /\{([^{}]*)\}/.exec(text)?.[1] ?? '';
  return Object.fromEntries(
    [...body.matchAll(/'?([^',{}\s][^':]*?)'?:\s*(\d+)/g)].map((m) => [m[1] as string, Number(m[2])]),
  );
}

describe('the teaching notebooks run top to bottom and show what they teach', () => {
  let etcd: EtcdProcess;
  let dir: string;
  let snapshotFile: string;
  let ops: ClusterOperation[];
  let live: KvSource;
  let k: KubeClient;
  const outDir = (): string => path.join(dir, 'out');
  let runs: { live: RunResult; snapshot: RunResult; incidents: RunResult };
  let compactedAt = 0;
  /** Lesson 07's cluster: generated with incidents, in its own etcd, read from its snapshot. */
  let incidentEtcd: EtcdProcess;
  let incidentOps: ClusterOperation[];
  let incidents: ClusterIncidents;
  let incidentFile: string;

  before(async () => {
    etcd = await startEtcd();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubetcd-lessons-'));
    ops = [...generateCluster({ pods: 40, seed: 7 }).operations()];
    const writer = await openEtcdWriterForFixtures({ endpoints: etcd.endpoint });
    try {
      // A long master-lease TTL: the key must not expire while the notebooks and the checks run.
      await writeCluster(writer, ops, { leaseTtlSeconds: { masterleases: 3600 } });
      // Compacted as the demo is (generate-cluster --compact): at compact_rev_key, before the changes,
      // so lesson 05 meets a real CompactedRevisionError and the changes keep their history.
      const live = await openSource(etcd.endpoint);
      try {
        compactedAt = (await live.get('compact_rev_key'))?.modRevision ?? 0;
      } finally {
        await live.close();
      }
      assert.ok(compactedAt > 1);
      await writer.compact(compactedAt);
    } finally {
      await writer.close();
    }
    snapshotFile = path.join(dir, 'snapshot.db');
    const saved = await etcd.etcdctl(['snapshot', 'save', snapshotFile]);
    assert.equal(saved.code, 0, saved.stderr);
    // Lesson 07's: the same generator with incidents, compacted at compact_rev_key as the demo is.
    incidentEtcd = await startEtcd();
    const incidentCluster = generateCluster({ pods: 40, seed: 7, incidents: true });
    incidentOps = [...incidentCluster.operations()];
    incidents = incidentCluster.incidents() as ClusterIncidents;
    const incidentWriter = await openEtcdWriterForFixtures({ endpoints: incidentEtcd.endpoint });
    try {
      await writeCluster(incidentWriter, incidentOps, { leaseTtlSeconds: { masterleases: 3600 } });
      const at = incidentOps.findIndex((op) => op.key === 'compact_rev_key');
      assert.ok(at > 0);
      const s = await openSource(incidentEtcd.endpoint);
      try {
        await incidentWriter.compact((await s.get('compact_rev_key'))?.modRevision ?? 0);
      } finally {
        await s.close();
      }
    } finally {
      await incidentWriter.close();
    }
    incidentFile = path.join(dir, 'incidents.db');
    const savedIncidents = await incidentEtcd.etcdctl(['snapshot', 'save', incidentFile]);
    assert.equal(savedIncidents.code, 0, savedIncidents.stderr);
    await incidentEtcd.stop();
    // The notebooks import '../dist': stage them beside a link to the build.
    fs.mkdirSync(path.join(dir, 'notebooks'));
    fs.symlinkSync(distDir(), path.join(dir, 'dist'), 'dir');
    for (const name of LESSONS) fs.copyFileSync(path.join(REPO, 'notebooks', name), path.join(dir, 'notebooks', name));
    const staged = (names: string[]): string[] => names.map((n) => path.join(dir, 'notebooks', n));
    // Two runners side by side: one kernel at a time each.
    const [liveRun, [snapshotRun, incidentsRun]] = await Promise.all([
      runNotebooks(['--etcd', etcd.endpoint, '--output-dir', outDir(), ...staged(LESSONS.slice(0, 5))], 150_000),
      (async (): Promise<[RunResult, RunResult]> => [
        await runNotebooks(
          ['--snapshot', snapshotFile, '--output-dir', outDir(), ...staged(LESSONS.slice(5, 6))],
          150_000,
        ),
        await runNotebooks(
          ['--snapshot', incidentFile, '--output-dir', outDir(), ...staged(LESSONS.slice(6))],
          150_000,
        ),
      ])(),
    ]);
    runs = { live: liveRun, snapshot: snapshotRun, incidents: incidentsRun };
    live = await openSource(etcd.endpoint);
    k = await openKube(live);
  });

  after(async () => {
    await live?.close();
    await etcd?.stop();
    await incidentEtcd?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const cellsOf = (name: string): NotebookCell[] => readCells(path.join(outDir(), name));

  it('every notebook passes in the headless runner, and none is committed with outputs', () => {
    assert.equal(runs.live.code, 0, `${runs.live.stdout}\n${runs.live.stderr}`);
    assert.match(runs.live.stdout, /^5 passed, 0 failed$/m);
    assert.equal(runs.snapshot.code, 0, `${runs.snapshot.stdout}\n${runs.snapshot.stderr}`);
    assert.match(runs.snapshot.stdout, /^1 passed, 0 failed$/m);
    assert.equal(runs.incidents.code, 0, `${runs.incidents.stdout}\n${runs.incidents.stderr}`);
    assert.match(runs.incidents.stdout, /^1 passed, 0 failed$/m);
    for (const name of LESSONS) {
      const committed = readCells(path.join(REPO, 'notebooks', name));
      assert.ok(
        committed.every((c) => (c.outputs ?? []).length === 0),
        `${name} is committed with outputs: clear them`,
      );
      const nb = JSON.parse(fs.readFileSync(path.join(REPO, 'notebooks', name), 'utf8')) as {
        metadata: { kernelspec: { name: string } };
      };
      assert.equal(nb.metadata.kernelspec.name, 'tslab', name);
      // Every cell ran and printed nothing on stderr.
      for (const cell of cellsOf(name)) {
        const stderr = (cell.outputs ?? [])
          .filter((o) => o.output_type === 'stream' && o.name === 'stderr')
          .map((o) => joined(o.text));
        assert.deepEqual(stderr, [], `${name}: a cell wrote to stderr:\n${joined(cell.source)}`);
      }
    }
  });

  it('01 maps kubectl get deployments -n default -l hello=hello to its etcd range and finds the deployment', async () => {
    const cells = cellsOf(LESSONS[0] as string);
    const reads = outputOf(cells, "k.kubectl('get deployments -n default -l hello=hello')");
    assert.match(
      reads,
      /^etcdctl get --prefix \/registry\/deployments\/default\/\n# then keep objects whose labels match hello=hello/,
    );
    const table = outputOfCell(cells, 'hello').split('\n');
    assert.match(table[0] as string, /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE/);
    assert.match(table[1] as string, /^hello\s+\d+\/\d+\s/);
    const inDefault = await k.list('deployments', { namespace: 'default' });
    const matched = await k.list('deployments', { namespace: 'default', labels: 'hello=hello' });
    assert.deepEqual(
      _.map(matched.items, 'metadata.name'),
      ['hello'],
      'the generator writes deployment default/hello labelled hello=hello',
    );
    assert.match(
      outputOf(cells, 'read from etcd'),
      new RegExp(`read from etcd: ${inDefault.items.length} deployments, kept: 1 \\(hello\\)`),
    );
    assert.match(outputOf(cells, "k.keys('/registry/minions/')"), /\/registry\/minions\/control-plane-1\n/);
    assert.match(
      outputOf(cells, "'replicationcontrollers'"),
      /services\s+\/registry\/services\/specs\/[\s\S]*nodes\s+\/registry\/minions\//,
    );
    assert.match(outputOf(cells, "k.tree('/registry'"), /deployments\s+\(\d+ keys?, /);
  });

  it('02 takes a value apart by hand, then with decode, and counts the encodings of every value', async () => {
    const cells = cellsOf(LESSONS[1] as string);
    assert.match(outputOf(cells, 'bytes.subarray(0, 4)'), /<Buffer 6b 38 73 00>/);
    assert.match(outputOf(cells, 'const typeMeta'), /'apiVersion = v1', 'kind = Namespace'/);
    assert.match(outputOf(cells, 'const metadata = fields'), /default/);
    assert.match(
      outputOf(cells, 'const d = decode(bytes)'),
      /encoding: protobuf, apiVersion: v1, kind: Namespace\n[\s\S]*"name": "default"/,
    );
    assert.match(
      outputOf(cells, 'const secret ='),
      /k8s:enc:aescbc:v1:key1:\n[\s\S]*encoding: encrypted, provider: aescbc, key: key1/,
    );
    // The hex dump view of the stored bytes (show(Uint8Array)).
    assert.match(outputOf(cells, 'await show(bytes)'), /6b 38 73 00/);
    const expected: Record<string, number> = {};
    for await (const kv of live.range({ prefix: '' })) {
      const e = decode(kv.value).encoding;
      expected[e] = (expected[e] ?? 0) + 1;
    }
    assert.deepEqual(printedCounts(outputOf(cells, 'await countEncodings()')), expected);
  });

  it("03's lodash answers equal what the KubeClient counts directly", async () => {
    const cells = cellsOf(LESSONS[2] as string);
    const byNode = (await k.count('pods', { by: 'spec.nodeName' })).groups;
    assert.deepEqual(printedCounts(outputOf(cells, "_.countBy(items, 'spec.nodeName')")), byNode);
    assert.match(outputOf(cells, 'await k.count('), /k\.count\(\) agrees with _\.countBy/);
    const pods = (await k.list('pods')).items as Array<{
      spec: { containers: Array<{ image: string; resources?: { limits?: unknown } }> };
    }>;
    const unlimited = pods.filter((p) => p.spec.containers.some((c) => !c.resources?.limits)).length;
    assert.match(
      outputOf(cells, 'const unlimited'),
      new RegExp(`^${unlimited} of ${pods.length} pods have a container without limits`),
    );
    const images = _.countBy(
      pods.flatMap((p) => p.spec.containers),
      'image',
    );
    const shown = outputOf(cells, 'const images');
    for (const [image, n] of Object.entries(images))
      assert.ok(shown.includes(`image: '${image}', containers: ${n} }`), `${image}: ${n} not in\n${shown}`);
    // Pod -> ReplicaSet -> Deployment, followed here with the KubeClient's objects.
    const replicaSets = (await k.list('replicasets')).items;
    const owner = (o: unknown, kind: string): string | undefined =>
      (_.get(o, 'metadata.ownerReferences') as Array<{ kind: string; name: string }> | undefined)?.find(
        (r) => r.kind === kind,
      )?.name;
    const perDeployment = _.countBy(pods, (p) => {
      const ns = String(_.get(p as object, ['metadata', 'namespace']));
      const rs = replicaSets.find(
        (r) => _.get(r, 'metadata.namespace') === ns && _.get(r, 'metadata.name') === owner(p, 'ReplicaSet'),
      );
      return `${ns}/${owner(rs, 'Deployment')}`;
    });
    const rows = outputOf(cells, 'podsPerDeployment').trimEnd().split('\n');
    assert.match(rows[0] as string, /^deployment\s+pods$/);
    const top = _.orderBy(_.toPairs(perDeployment), [1, 0], ['desc', 'asc']).slice(0, 10);
    assert.deepEqual(
      rows.slice(1, 11).map((r) => r.split(/\s+/)),
      top.map(([d, n]) => [d, String(n)]),
    );
  });

  it('04 shows sizes by resource and namespace, the largest values and the events lease', async () => {
    const cells = cellsOf(LESSONS[3] as string);
    const sizes = await k.sizes({ top: 5 });
    const pods = sizes.byResource.find((g) => g.name === 'pods');
    assert.ok(pods);
    assert.match(
      outputOf(cells, 'const total = sizes.total.bytes'),
      new RegExp(`'pods: ${pods.keys} keys, ${pods.bytes} bytes, [\\d.]+% of ${sizes.total.bytes}'`),
    );
    assert.match(outputOf(cells, 'const sizes = await k.sizes'), /pods\s+█/);
    const largest = outputOf(cells, 'sizes.largest.map');
    assert.ok(
      largest.includes(`${sizes.largest[0]?.key}`) && largest.includes(String(sizes.largest[0]?.bytes)),
      largest,
    );
    assert.match(outputOf(cells, 'sizes.byNamespace.map'), /^namespace\s+keys\s+bytes\n/);
    // The histogram's text twin names every pod the stream read.
    const podCount = (await k.count('pods')).total;
    assert.match(outputOf(cells, 'renderHistogram(podBytes'), new RegExp(`stored size of ${podCount} pods`));
    // "Outliers stand out": the demo data spreads over more than one bin.
    const bars = outputOf(cells, 'renderHistogram(podBytes')
      .split('\n')
      .filter((l) => /█\S* \d+$/.test(l));
    assert.ok(bars.length >= 2, `one bar only:\n${outputOf(cells, 'renderHistogram(podBytes')}`);
    const events = outputOf(cells, 'const eventKeys');
    assert.match(events, /its lease: [1-9]\d* \(0 would mean no lease\)/);
  });

  it("05 shows an update's changes, finds the deleted pod and its tombstone", async () => {
    const cells = cellsOf(LESSONS[4] as string);
    assert.match(outputOf(cells, 'history[1].changes.map'), /'changed spec\.replicas: (\d+) -> (\d+)'/);
    assert.match(
      outputOf(cells, 'const before = history[1].revision - 1'),
      /replicas at revision \d+: (\d+); now: (\d+)/,
    );
    const deletedKeys = ops.filter((op) => op.type === 'delete').map((op) => op.key);
    assert.equal(deletedKeys.length, 1);
    assert.match(
      outputOf(cells, 'const scheduled ='),
      new RegExp(`\\[ '${_.escapeRegExp(deletedKeys[0] as string)}' \\]`),
    );
    const history = await k.history(deletedKeys[0] as string);
    assert.match(
      outputOf(cells, 'const podHistory'),
      new RegExp(`revision: ${history.at(-1)?.revision}, version: 0, deleted: true`),
    );
    assert.match(outputOf(cells, 'const deletedAt'), /at the latest revision: NotFoundError/);
    // The compaction the lesson describes happened: reads below it are refused, naming what is kept.
    assert.match(
      outputOf(cells, 'const compactRev ='),
      new RegExp(`etcd itself reports compaction up to: ${compactedAt}`),
    );
    assert.match(
      outputOf(cells, 'let answer'),
      new RegExp(`CompactedRevisionError: .*revision ${compactedAt - 1} was compacted`),
    );
  });

  it('06 answers the same questions from the snapshot file alone', async () => {
    const cells = cellsOf(LESSONS[5] as string);
    const snap = await openSource(snapshotFile);
    try {
      const status = await snap.status();
      assert.match(outputOf(cells, 'snap.source.status()'), new RegExp(`kind: snapshot, revision: ${status.revision}`));
      assert.match(
        outputOf(cells, "snap.kubectl('get deployments"),
        /etcdctl get --prefix \/registry\/deployments\/default\/[\s\S]*\nhello\s+\d+\/\d+/,
      );
      assert.deepEqual(
        printedCounts(outputOf(cells, "_.countBy(pods, 'spec.nodeName')")),
        (await k.count('pods', { by: 'spec.nodeName' })).groups,
      );
      assert.match(
        outputOf(cells, 'snap.sizes('),
        /resource: 'pods',\s+keys: \d+,\s+bytes: \d+,\s+revisions: \d+,\s+allRevisionsBytes: \d+/,
      );
      assert.match(outputOf(cells, 'snap.history('), /^REVISION\s+VERSION/m);
    } finally {
      await snap.close();
    }
  });

  it('07 finds each planted incident with the verb meant for it', async () => {
    const cells = cellsOf(LESSONS[6] as string);
    const source = await openSource(incidentFile);
    try {
      const k7 = await openKube(source);
      const status = await source.status();
      assert.match(
        outputOf(cells, 'const status = await k.source.status()'),
        new RegExp(`^snapshot source, revision ${status.revision}, compacted at revision ${status.compactRevision}`),
      );
      const h = await k7.hashKV();
      assert.match(
        outputOf(cells, 'const h = await k.hashKV()'),
        new RegExp(`^hash ${h.hash} up to revision ${h.hashRevision} \\(compact revision ${h.compactRevision}\\)`),
      );
      const earlier = await k7.hashKV({ revision: h.hashRevision - 1 });
      assert.notEqual(earlier.hash, h.hash);
      assert.match(
        outputOf(cells, 'const earlier ='),
        new RegExp(`^revision ${h.hashRevision - 1}: hash ${earlier.hash} \\(different\\)`),
      );
      // deleted: the table holds every kept delete; the cascade is told apart by uid
      const deleted = await k7.deleted();
      const table = outputOf(cells, 'const deleted = await k.deleted()');
      for (const d of deleted.items)
        assert.match(
          table,
          new RegExp(
            `^${_.escapeRegExp(d.resource ?? '')}\\s+${d.namespace}\\s+${_.escapeRegExp(d.name ?? '')}\\s+${d.revision}\\s`,
            'm',
          ),
        );
      const dd = incidents.deletedDeployment;
      const rs = incidents.orphanedReplicaSet;
      const cascade = outputOf(cells, 'const gone =');
      const revisionOf = (name: string): number | undefined =>
        deleted.items.find((d) => d.resource === 'deployments.apps' && d.name === name)?.revision;
      assert.ok(
        cascade.includes(
          `'${dd.namespace}/${dd.name} deleted at revision ${revisionOf(dd.name)}; deleted after it: 1 of its ReplicaSets, ${dd.pods.length} of their pods'`,
        ),
        cascade,
      );
      assert.ok(
        cascade.includes(
          `'${rs.namespace}/${rs.deployment} deleted at revision ${revisionOf(rs.deployment)}; deleted after it: 0 of its ReplicaSets, 0 of their pods'`,
        ),
        cascade,
      );
      const lastPut = incidentOps
        .filter((op) => op.type === 'put' && op.key === `/registry/deployments/${dd.namespace}/${dd.name}`)
        .at(-1);
      const spec = (lastPut?.type === 'put' ? lastPut.object?.['spec'] : undefined) as {
        replicas: number;
        template: { spec: { containers: Array<{ image: string }> } };
      };
      assert.match(
        outputOf(cells, 'const first = gone[0]'),
        new RegExp(
          `^${dd.name}: ${spec.replicas} replicas of ${_.escapeRegExp(spec.template.spec.containers[0]?.image ?? '')}, last written at revision \\d+`,
        ),
      );
      // orphans: the orphaned ReplicaSet, the stuck Namespace and claim with their age by the data clock
      const leftovers = await k7.orphans();
      const shown = outputOf(cells, 'const leftovers = await k.orphans()');
      assert.match(
        shown,
        new RegExp(
          `Owner gone \\(1\\):\\nKIND\\s+NAME\\s+MISSING-OWNER\\nReplicaSet\\s+${rs.namespace}/${rs.name}\\s+Deployment/${rs.deployment} \\(uid ${rs.deploymentUid}\\)`,
        ),
      );
      assert.equal(leftovers.stuck.length, 2);
      for (const st of leftovers.stuck) {
        assert.match(
          shown,
          new RegExp(
            `${st.kind}\\s+${_.escapeRegExp(`${st.namespace !== undefined ? `${st.namespace}/` : ''}${st.name}`)}\\s+${st.deletionTimestamp}\\s+${humanDuration(st.ageMs)}\\s+${_.escapeRegExp(st.finalizers.join(', '))}`,
          ),
        );
      }
      assert.deepEqual(
        leftovers.stuck.map((x) => humanDuration(x.ageMs)),
        ['2d5h', '2d5h'],
      );
      assert.match(shown, /ages as of \S+, the newest Lease renewal \(kube-node-lease\//);
      // owners: the orphan's graph with its missing owner, a healthy deployment's
      const graph = outputOf(cells, 'const orphan = leftovers.orphans[0]');
      assert.ok(
        graph.startsWith(
          `ReplicaSet ${rs.namespace}/${rs.name}\nowners (up):\n└── Deployment ${rs.namespace}/${rs.deployment}  [not in the data: no object has uid ${rs.deploymentUid}]\ndependents (down):\n`,
        ),
        graph,
      );
      for (const p of rs.pods) assert.ok(graph.includes(`── Pod ${rs.namespace}/${p}\n`), p);
      const hello = (await k7.owners('deployments', 'hello')).object;
      const helloShown = outputOf(cells, "await k.owners('deployments', 'hello'");
      assert.ok(helloShown.includes(`└── ReplicaSet default/${hello.dependents?.[0]?.name}\n`), helloShown);
      for (const p of hello.dependents?.[0]?.dependents ?? [])
        assert.ok(helloShown.includes(`── Pod default/${p.name}\n`), p.name);
      const why = outputOf(cells, "await k.get('namespaces', 'legacy')");
      assert.match(why, /'Namespace legacy: deletion requested \S+, waits on kubernetes'/);
      assert.match(
        why,
        /condition NamespaceFinalizersRemaining: Some content in the namespace has finalizers remaining: kubernetes\.io\/pvc-protection/,
      );
      // the rotation half done
      assert.match(
        outputOf(cells, 'const census = await k.encodings()'),
        /^secrets\s+(\d+)\s+0\s+0\s+0\s+\1\s+0\s+aescbc:key1=\d+, aescbc:key2=\d+$/m,
      );
      const stale = outputOf(cells, 'async function stillOn');
      assert.ok(
        stale.startsWith(
          `secrets: {"aescbc:key1":${incidents.rotation.key1.length},"aescbc:key2":${incidents.rotation.key2.length}}\n`,
        ),
        stale,
      );
      const listed = [...stale.matchAll(/'(\/registry\/secrets\/[^']+)'/g)].map((m) => m[1]);
      assert.deepEqual(listed, incidents.rotation.key1);
      // leases
      const leases = outputOf(cells, 'await k.leases()');
      for (const l of (await k7.leases()).leases)
        assert.match(leases, new RegExp(`^${l.id}\\s+${l.ttlSeconds}s\\s+<unknown>\\s+${l.keys.length}\\s`, 'm'));
      // diff over the incident window: from just before the first Deployment delete to the latest
      const ddKey = `/registry/deployments/${dd.namespace}/${dd.name}`;
      const incidentStart =
        Math.min(...deleted.items.filter((d) => d.resource === 'deployments.apps').map((d) => d.revision)) - 1;
      const span = await k7.diff({ fromRevision: incidentStart, toRevision: status.revision });
      const expectDeleted = [
        ddKey,
        `/registry/replicasets/${dd.namespace}/${dd.replicaSet}`,
        ...dd.pods.map((p) => `/registry/pods/${dd.namespace}/${p}`),
        `/registry/deployments/${rs.namespace}/${rs.deployment}`,
      ];
      for (const key of expectDeleted)
        assert.ok(
          span.entries.some((e) => e.change === 'deleted' && e.key === key),
          key,
        );
      for (const key of ['/registry/namespaces/legacy', '/registry/persistentvolumeclaims/legacy/data-legacy-db-0']) {
        assert.ok(
          span.entries.some(
            (e) =>
              e.change === 'changed' &&
              e.key === key &&
              (e.changes ?? []).some((c) => c.path === 'metadata.deletionTimestamp'),
          ),
          key,
        );
      }
      const diffShown = outputOf(cells, 'const incident = await k.diff(');
      for (const r of [...span.byResource, { resource: 'TOTAL', ...span.counts }]) {
        assert.match(
          diffShown,
          new RegExp(
            `^${_.escapeRegExp(r.resource)}\\s+${r.added}\\s+${r.deleted}\\s+${r.changed}\\s+${r.hidden}\\s*$`,
            'm',
          ),
          r.resource,
        );
      }
      for (const e of span.entries) {
        assert.match(
          diffShown,
          new RegExp(
            `^${_.escapeRegExp(e.resource ?? '')}\\s+${e.change}\\s+${_.escapeRegExp(e.namespace ?? '<none>')}\\s+${_.escapeRegExp(e.name ?? '')}\\s`,
            'm',
          ),
          e.key,
        );
      }
      assert.match(
        diffShown,
        new RegExp(
          `at revision ${incidentStart} -> .* at revision ${status.revision}: ${span.counts.added} added, ${span.counts.deleted} deleted, ${span.counts.changed} changed`,
        ),
      );
      // the noise: hidden by default, kept with { all: true }, where it names the writers of the changes
      const all = await k7.diff({ fromRevision: incidentStart, toRevision: status.revision }, { all: true });
      const noiseShown = outputOf(cells, 'const noisy = await k.diff(');
      assert.ok(
        noiseShown.startsWith(
          `${span.counts.hidden} objects changed only in noise; ${_.sumBy(span.entries, (e) => e.hiddenChanges ?? 0)} noise fields left out of the changes\n`,
        ),
        noiseShown,
      );
      const written = all.entries
        .filter((e) => e.change === 'changed')
        .flatMap((e) =>
          (e.changes ?? []).filter((c) => c.path.startsWith('metadata.managedFields')).map((c) => ({ e, c })),
        );
      assert.ok(written.length >= 2, JSON.stringify(all.entries));
      for (const { e, c } of written) {
        const manager = String(_.get(c.to, 'manager'));
        assert.equal(manager, 'kube-controller-manager', e.key);
        assert.ok(
          noiseShown.includes(
            `'${e.resource} ${e.namespace !== undefined ? `${e.namespace}/` : ''}${e.name}: ${c.path} ${c.op}, manager ${manager} at ${String(_.get(c.to, 'time'))}'`,
          ),
          noiseShown,
        );
      }
      // churn: the tables as the client counts them, the writers named from managedFields
      const churn = await k7.churn({ limit: 5 });
      const churnShown = outputOf(cells, 'const churn = await k.churn(');
      for (const w of churn.writers)
        assert.match(
          churnShown,
          new RegExp(
            `^${_.escapeRegExp(w.manager)}\\s+${w.writes}\\s+${((100 * w.writes) / churn.writes).toFixed(1)}%\\s`,
            'm',
          ),
          w.manager,
        );
      for (const g of churn.byResource)
        assert.match(
          churnShown,
          new RegExp(`^${_.escapeRegExp(g.name)}\\s+${g.writes}\\s+${g.deletes}\\s+${g.keys}\\s*$`, 'm'),
          g.name,
        );
      for (const key of churn.byKey)
        assert.match(
          churnShown,
          new RegExp(`^${_.escapeRegExp(key.key)}\\s+${key.writes}\\s+${key.deletes}\\s`, 'm'),
          key.key,
        );
      assert.equal(churn.byResource[0]?.name, 'events', 'events are most of the writes, as the lesson says');
      // every delete after the compaction is a tombstone churn cannot name a writer for
      const compactAt = incidentOps.findIndex((op) => op.key === 'compact_rev_key');
      const deletesAfter = incidentOps.filter((op, i) => i > compactAt && op.type === 'delete').length;
      assert.equal(churn.deletes, deletesAfter);
      assert.equal(churn.unknown.deletes, deletesAfter);
      // who wrote the incident's updates, among every writer (the lesson shows the top 5)
      const everyWriter = (await k7.churn({ limit: 1000 })).writers;
      const writer = (m: string): Record<string, number> => everyWriter.find((w) => w.manager === m)?.resources ?? {};
      assert.ok(
        (writer('kube-controller-manager')['namespaces'] ?? 0) >= 1 &&
          (writer('kube-controller-manager')['persistentvolumeclaims'] ?? 0) >= 1,
        JSON.stringify(everyWriter),
      );
      assert.ok((writer('kubelet')['pods'] ?? 0) >= 1, JSON.stringify(everyWriter));
      const named = everyWriter.filter((w) => w.manager !== 'unknown');
      assert.ok(_.sumBy(named, (w) => w.writes) > churn.writes / 2, JSON.stringify(everyWriter));
      const unknownShown = outputOf(cells, 'churn.writers.map(');
      assert.ok(
        unknownShown.startsWith(
          `${churn.writes} writes after revision ${churn.fromRevision} up to ${churn.toRevision}; unknown: ${JSON.stringify(churn.unknown)}\n`,
        ),
        unknownShown,
      );
      for (const w of churn.writers) {
        assert.ok(
          unknownShown.includes(
            `'${w.manager}: ${w.writes} (${Object.entries(w.resources)
              .map(([r, n]) => `${r} ${n}`)
              .join(', ')})'`,
          ),
          unknownShown,
        );
      }
    } finally {
      await source.close();
    }
  });
});
