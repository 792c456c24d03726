/**
 * k.clusterInfo() in the notebook: the versions in the summary line, one row per piece of evidence. Over a
 * real etcd holding a generated cluster.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as util from 'node:util';
import { open, present } from '../../src/notebook';
import { startNotebookEtcd } from './notebook-fixture';

test('clusterInfo() displays its versions and its evidence', { timeout: 60_000 }, async () => {
  const etcd = await startNotebookEtcd();
  const k = await open(etcd.endpoint);
  try {
    const info = await k.clusterInfo();
    assert.ok(info.kubernetes.versions.length > 0, 'the generated nodes name a kubelet version');
    const drawn = present(info, { method: 'clusterInfo', args: [] });
    assert.equal(
      drawn.summary,
      `ClusterInfo: Kubernetes ${info.kubernetes.versions.join(', ')}; etcd ${String(info.etcd.version)} (revision ${info.revision})`,
    );
    const rows = info.kubernetes.evidence.length + info.etcd.evidence.length;
    assert.equal((drawn.rendered.html.match(/<tr/g) ?? []).length, rows + 1, drawn.rendered.html);
    for (const e of [...info.kubernetes.evidence, ...info.etcd.evidence])
      assert.ok(drawn.rendered.text.includes(e.detail), e.detail);
    // the result the client returns displays itself the same way
    assert.ok(util.inspect(info).includes(info.kubernetes.evidence[0]?.detail ?? '?'));
  } finally {
    await k.close();
    await etcd.stop();
  }
});
