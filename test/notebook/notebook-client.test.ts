/**
 * The notebook facade in plain Node (no tslab): open() over a real etcd and its snapshot, results that stay
 * plain data yet print as kubectl-like text, show() on stdout, escaping, and pass-through of every
 * KubeClient method.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as util from 'node:util';
import _ from 'lodash';
import { open, present, show, SOURCE_ENV } from '../../src/notebook';
import { XSS_VALUE, startNotebookEtcd } from './notebook-fixture';

async function captureStdout(fn: () => Promise<void>): Promise<string> {
  const original = process.stdout.write.bind(process.stdout);
  let out = '';
  process.stdout.write = ((chunk: string | Uint8Array): boolean => {
    out += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  }) as typeof process.stdout.write;
  try {
    await fn();
  } finally {
    process.stdout.write = original;
  }
  return out;
}

test('open() in plain Node: results are plain data that print as kubectl-like text, live and snapshot alike', {
  timeout: 60_000,
}, async () => {
  const etcd = await startNotebookEtcd();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubetcd-notebook-client-'));
  const file = path.join(dir, 'snap.db');
  const saved = await etcd.etcdctl(['snapshot', 'save', file]);
  assert.equal(saved.code, 0, saved.stderr);
  const live = await open(etcd.endpoint);
  const previous = process.env[SOURCE_ENV];
  process.env[SOURCE_ENV] = file;
  const offline = await open();
  if (previous === undefined) delete process.env[SOURCE_ENV];
  else process.env[SOURCE_ENV] = previous;
  try {
    assert.equal(offline.source.kind, 'snapshot', 'open() with no target reads $KUBETCD_SOURCE');
    assert.equal(live.source.kind, 'live');

    const keys = (await etcd.etcdctl(['get', '--prefix', '--keys-only', '/registry/pods/'])).stdout
      .split('\n')
      .filter(Boolean);
    const list = await live.list('pods');
    assert.equal(list.items.length, keys.length);
    // Plain data: no extra enumerable keys, JSON and lodash see the kube-layer result unchanged.
    assert.deepEqual(Object.keys(list), [
      'items',
      'revision',
      'range',
      'etcdctl',
      'errors',
      'encrypted',
      'truncated',
      'total',
    ]);
    const json = JSON.parse(JSON.stringify(list)) as { items: unknown[] };
    assert.equal(json.items.length, keys.length);
    assert.equal(_.cloneDeep(list).items.length, keys.length);

    // Printed (the last expression in a REPL, console.log): a kubectl-like table with every pod.
    const text = util.inspect(list);
    const lines = text.split('\n');
    assert.match(lines[0] ?? '', /^NAMESPACE\s+NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/);
    for (const key of keys) {
      const [, , , ns, name] = key.split('/');
      assert.match(text, new RegExp(`^${ns}\\s+${name}\\s`, 'm'));
    }
    assert.match(text, new RegExp(`revision ${list.revision}`));
    // Nested, it is one line.
    assert.match(util.inspect({ list }), /\[KubeList: \d+ Pods at revision \d+\]/);

    // table(): the same rows, streamed (objects never kept), with the etcdctl read under it.
    const streamed = await live.table('pods', { now: new Date(0), maxRows: Infinity });
    assert.equal(streamed.rows, keys.length);
    assert.equal(streamed.errorCount, 0);
    assert.match(streamed.etcdctl, /^etcdctl get --prefix \/registry\/pods\/$/);
    const tableLines = streamed.text.split('\n').filter((l) => l.trim() !== '');
    assert.match(tableLines[0] ?? '', /^NAMESPACE\s+NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/);
    for (const key of keys) {
      const [, , , ns, name] = key.split('/');
      assert.match(streamed.text, new RegExp(`^${ns}\\s+${name}\\s`, 'm'));
    }
    assert.match(util.inspect(streamed), new RegExp(`revision ${streamed.revision}`));
    const filtered = await offline.table('pods', { namespace: 'default', wide: true });
    assert.equal(filtered.rows, keys.filter((k) => k.startsWith('/registry/pods/default/')).length);
    assert.match(filtered.text.split('\n')[0] ?? '', /\bIP\s+NODE\b/);
    // Wrong arguments: clear errors, nothing half-drawn.
    await assert.rejects(
      live.table('podz'),
      (e: Error) => e.name === 'InvalidArgumentError' && /Did you mean "pods"/.test(e.message),
    );
    await assert.rejects(
      live.table('pods', null as never),
      (e: Error) => e.name === 'InvalidArgumentError' && /table\(\) options/.test(e.message),
    );
    await assert.rejects(live.table('pods', { labels: 'app in (' }), (e: Error) => e.name === 'InvalidArgumentError');

    // Snapshot and live print the same table (same data, same revision), but for ages: the snapshot's
    // count from the newest Lease renewal it holds, and its caption says so.
    const offList = await offline.list('pods');
    const withoutAge = (line: string | undefined): string => (line ?? '').replace(/\s+\S+$/, '');
    assert.equal(withoutAge(util.inspect(offList).split('\n')[1]), withoutAge(lines[1]));
    assert.match(util.inspect(offList), /ages as of \S+, the newest Lease renewal \(/);

    // get: YAML as text; the hostile value escaped in HTML and plain in text.
    const cm = await offline.get('configmaps', 'xss', { namespace: 'default' });
    assert.match(util.inspect(cm), /^\/registry\/configmaps\/default\/xss · modRevision \d+/);
    assert.match(util.inspect(cm), /kind: ConfigMap/);
    const drawn = present(cm);
    assert.ok(drawn.rendered.html.includes('&lt;img src=x onerror=') && !drawn.rendered.html.includes('<img'));
    assert.ok(drawn.rendered.text.includes(XSS_VALUE));

    // Every method passes through: resolve (sync), count, keys, resources, history, kubectl.
    assert.equal(live.resolve('po').kind, 'Pod');
    const count = await live.count('pods', { by: 'namespace' });
    assert.equal(count.total, keys.length);
    assert.match(util.inspect(count), /^GROUP\s+COUNT/);
    const podKeys = await offline.keys('/registry/pods/');
    assert.deepEqual(podKeys, keys);
    assert.equal(util.inspect(podKeys).split('\n')[0], keys[0]);
    const resources = await offline.resources();
    assert.match(util.inspect(resources), /^RESOURCE\s+KIND\s+NAMESPACED\s+COUNT\s+BYTES/);
    const history = await live.history('configmaps', 'xss', { namespace: 'default' });
    assert.match(util.inspect(history), /^REVISION\s+VERSION\s+EVENT\s+CHANGES\n\d+\s+1\s+created\s*$/);
    const k = await live.kubectl('get configmaps -n default');
    assert.match(util.inspect(k), /xss/);
    assert.match(util.inspect(k), /# etcd reads:/);
    // -o wide in the command line is the wide table, as kubectl prints it (not dropped).
    const wide = util.inspect(await live.kubectl('get pods -A -o wide'));
    assert.match(
      wide.split('\n')[0] ?? '',
      /^NAMESPACE\s+NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES$/,
    );
    assert.doesNotMatch(util.inspect(await live.kubectl('get pods -A')).split('\n')[0] ?? '', /NODE/);
    // --show-labels, -L and --no-headers shape the drawn table too; -o jsonpath draws kubectl's text
    const labelled = util.inspect(await live.kubectl('get pods -A -L app --show-labels')).split('\n')[0] ?? '';
    assert.match(labelled, /^NAMESPACE\s+NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+APP\s+LABELS$/);
    assert.doesNotMatch(util.inspect(await live.kubectl('get pods -A --no-headers')).split('\n')[0] ?? '', /NAMESPACE/);
    assert.match(util.inspect(await live.kubectl(`get pods -A -o 'jsonpath={.kind}'`)), /^List\n/);

    // show(): outside tslab it prints the text on stdout; lodash output becomes a table.
    const shown = await captureStdout(() => show(_.countBy(list.items, 'metadata.namespace')));
    assert.match(shown, /^KEY\s+VALUE\n/);
    assert.match(shown, /kube-system\s+\d+/);
    await assert.rejects(
      show(list, { format: 'xml' as 'json' }),
      /Invalid format: "xml"\. Pass one of 'auto', 'table'/,
    );

    assert.match(util.inspect(live), /^kubetcd: live etcd .*prefix \/registry/);
  } finally {
    await live.close();
    await live.close();
    await offline.close();
    await etcd.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
