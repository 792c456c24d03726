/**
 * The README's notebook snippets run in tslab as written: the "In a notebook" block over a snapshot and
 * the watch block over live etcd (only the file name and the endpoint are replaced). A failing cell fails
 * the run with its message, so a snippet that stops working (as a top-level for-await once did) fails here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openEtcdWriterForFixtures } from '../../src/sources/live-etcd-source';
import { startEtcd } from '../helpers/etcd';
import { distDir, joined, readCells, REPO, runNotebooks } from './notebook-fixture';

/** The ```ts blocks of the README's "## In a notebook" section, in order. */
function notebookBlocks(): string[] {
  const readme = fs.readFileSync(path.join(REPO, 'README.md'), 'utf8');
  const start = readme.indexOf('## In a notebook');
  const end = readme.indexOf('\n## ', start + 1);
  assert.ok(start >= 0 && end > start, 'the README has an "In a notebook" section');
  return [...readme.slice(start, end).matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1] as string);
}

const pod = (name: string, node: string): string =>
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', labels: { app: 'web' }, creationTimestamp: '2026-01-01T00:00:00Z' },
    spec: { nodeName: node, containers: [{ name: 'web', image: 'nginx' }] },
    status: { phase: 'Running' },
  });

test("the README's notebook blocks run in tslab: a snapshot, then a live watch", { timeout: 240_000 }, async () => {
  const blocks = notebookBlocks();
  assert.equal(blocks.length, 2, 'the open/list/get block and the watch block');
  const etcd = await startEtcd();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kubetcd-readme-'));
  let writing: NodeJS.Timeout | undefined;
  try {
    const writer = await openEtcdWriterForFixtures({ endpoints: etcd.endpoint });
    await writer.put('/registry/pods/default/web-0', pod('web-0', 'node-1'));
    await writer.put('/registry/pods/default/web-1', pod('web-1', 'node-2'));
    const snapshot = path.join(root, 'etcd-backup.db');
    const saved = await etcd.etcdctl(['snapshot', 'save', snapshot]);
    assert.equal(saved.code, 0, saved.stderr);

    fs.mkdirSync(path.join(root, 'notebooks'));
    fs.symlinkSync(distDir(), path.join(root, 'dist'), 'dir');
    const [first, watch] = blocks as [string, string];
    const sources = [
      first.replace("'./etcd-backup.db'", JSON.stringify(snapshot)),
      watch.replace("'127.0.0.1:2379'", JSON.stringify(etcd.endpoint)),
    ];
    assert.ok(sources[0] !== first && sources[1] !== watch, 'the blocks name a file and an endpoint to replace');
    const notebook = {
      cells: sources.map((source, i) => ({
        cell_type: 'code',
        execution_count: null,
        id: `readme-${i}`,
        metadata: {},
        outputs: [],
        source,
      })),
      metadata: { kernelspec: { display_name: 'TypeScript (tslab, kubetcd)', language: 'typescript', name: 'tslab' } },
      nbformat: 4,
      nbformat_minor: 5,
    };
    const file = path.join(root, 'notebooks', 'readme.ipynb');
    fs.writeFileSync(file, JSON.stringify(notebook));
    // Changes for the watch to see, while the notebook runs.
    let n = 0;
    writing = setInterval(() => {
      void writer
        .put(`/registry/pods/default/watched-${n++ % 3}`, pod(`watched-${n}`, 'node-1'))
        .catch(() => undefined);
    }, 300);
    const out = path.join(root, 'executed');
    const run = await runNotebooks(['--output-dir', out, file], 200_000);
    clearInterval(writing);
    writing = undefined;
    await writer.close();
    assert.equal(run.code, 0, `exit ${run.code}\n${run.stdout}\n${run.stderr}`);
    const cells = readCells(path.join(out, 'readme.ipynb'));
    const text = (i: number): string =>
      (cells[i]?.outputs ?? []).map((o) => joined(o.text ?? o.data?.['text/plain'] ?? '')).join('\n');
    assert.match(text(0), /web-0/);
    assert.match(text(1), /ADDED|MODIFIED/);
    assert.match(text(1), /\/registry\/pods\/default\/watched-\d/);
  } finally {
    if (writing) clearInterval(writing);
    await etcd.stop();
    fs.rmSync(root, { recursive: true, force: true });
  }
});
