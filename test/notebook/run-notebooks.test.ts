/**
 * The notebook layer in real Jupyter: the test notebooks run headless on the project-local tslab kernel
 * through scripts/run-notebooks.py against a real etcd. Proves that `import … from '../dist'` works in tslab,
 * that results display as HTML with a text/plain twin, that progress appears in the cell that did the work,
 * that etcd values are escaped, and that a failing cell fails the run with the real message.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  XSS_VALUE,
  joined,
  readCells,
  runNotebooks,
  saveSnapshot,
  stageNotebooks,
  startNotebookEtcd,
  type CellOutput,
  type NotebookCell,
} from './notebook-fixture';

function displays(cell: NotebookCell | undefined): CellOutput[] {
  return (cell?.outputs ?? []).filter(
    (o) => o.output_type === 'display_data' || o.output_type === 'update_display_data',
  );
}

function stdoutOf(cell: NotebookCell | undefined): string {
  return (cell?.outputs ?? [])
    .filter((o) => o.output_type === 'stream' && o.name === 'stdout')
    .map((o) => joined(o.text))
    .join('');
}

test('notebooks run headless in tslab: rich results, progress, escaping, and failing cells fail the run', {
  timeout: 150_000,
}, async () => {
  const etcd = await startNotebookEtcd();
  const staged = stageNotebooks(['display.ipynb', 'fails-throw.ipynb', 'fails-type.ipynb']);
  try {
    const out = path.join(staged.root, 'executed');
    const snapshot = await saveSnapshot(etcd, staged.root);
    const run = await runNotebooks([
      '--etcd',
      etcd.endpoint,
      '--snapshot',
      snapshot,
      '--output-dir',
      out,
      ...staged.files,
    ]);
    const report = `exit ${run.code}\n--- stdout\n${run.stdout}\n--- stderr\n${run.stderr}`;

    // The run: one notebook passed, two failed, with the real messages and the failing cells' source.
    assert.equal(run.code, 1, report);
    const lines = run.stdout.trim().split('\n');
    assert.equal(lines[lines.length - 1], '1 passed, 2 failed', report);
    assert.match(run.stdout, /^PASS .*display\.ipynb/m, report);
    assert.match(run.stdout, /^FAIL .*fails-throw\.ipynb.*cell 3 failed/m, report);
    assert.match(run.stdout, /throw new Error\(`kubetcd-test: deliberate failure \$\{answer\}`\)/, report);
    assert.match(run.stdout, /Error: kubetcd-test: deliberate failure 42/, report);
    assert.match(run.stdout, /^FAIL .*fails-type\.ipynb.*cell 2 failed/m, report);
    assert.match(run.stdout, /const n: number = 'kubetcd-type-error';/, report);
    assert.match(run.stdout, /not assignable to type 'number'/, report);
    // The run stopped at the failing cell: the cell after it never ran.
    const thrown = readCells(path.join(out, 'fails-throw.ipynb'));
    assert.deepEqual(thrown[2]?.outputs ?? [], []);

    const cells = readCells(path.join(out, 'display.ipynb'));
    // Cell 1: `import { open } from '../dist'` worked and open() showed its reads' progress in place.
    const progress = displays(cells[0]).map((o) => joined(o.data?.['text/plain']));
    assert.ok(
      progress.some((t) => /^Read \/registry\/.*in \d+\.\d s$/.test(t)),
      `no progress output in cell 1: ${JSON.stringify(cells[0]?.outputs)}`,
    );

    // Cell 2: the list shows as one output holding an HTML table and its text/plain twin, then a summary.
    const expected = (await etcd.etcdctl(['get', '--prefix', '--keys-only', '/registry/pods/'])).stdout
      .split('\n')
      .filter(Boolean)
      .map((k) => k.slice('/registry/pods/'.length).split('/') as [string, string]);
    assert.ok(expected.length > 0);
    const table = displays(cells[1]).find(
      (o) => o.data?.['text/html'] !== undefined && joined(o.data['text/html']).includes('<table'),
    );
    assert.ok(table, `no HTML table in cell 2: ${JSON.stringify(cells[1]?.outputs)}`);
    const html = joined(table.data?.['text/html']);
    const text = joined(table.data?.['text/plain']);
    assert.match(text, /^NAMESPACE\s+NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE/);
    for (const [namespace, name] of expected) {
      assert.ok(html.includes(`>${name}<`), `pod ${name} missing from the HTML table`);
      assert.match(text, new RegExp(`^${namespace}\\s+${name}\\s`, 'm'));
    }
    assert.match(stdoutOf(cells[1]), new RegExp(`^KubeList: ${expected.length} Pods at revision \\d+`, 'm'));

    // Cell 3: a get shows a <details> JSON tree; the hostile value is escaped in HTML, plain in the text twin.
    const got = displays(cells[2]).find((o) => joined(o.data?.['text/html']).includes('<details'));
    assert.ok(got, `no JSON tree in cell 3: ${JSON.stringify(cells[2]?.outputs)}`);
    const gotHtml = joined(got.data?.['text/html']);
    // Shown as a JSON string: quoted, with its inner quotes backslash-escaped, and every HTML character escaped.
    assert.ok(
      gotHtml.includes('&quot;&lt;img src=x onerror=\\&quot;window.__kubetcdXss = 1\\&quot;&gt;&quot;'),
      gotHtml,
    );
    assert.ok(!gotHtml.includes('<img'), 'raw <img> in the HTML output');
    assert.ok(joined(got.data?.['text/plain']).includes(XSS_VALUE));

    // Cell 5: show() of lodash output (countBy) is a table too.
    const counted = displays(cells[4]).find((o) => joined(o.data?.['text/html']).includes('<table'));
    assert.ok(counted, `no table in cell 5: ${JSON.stringify(cells[4]?.outputs)}`);
    assert.match(joined(counted.data?.['text/plain']), /^KEY\s+VALUE/);

    // Cell 6: opening a snapshot announces the index build in a display that is then rewritten in place
    // (nbclient applies the update) with how long it took.
    const indexing = displays(cells[5]).map((o) => joined(o.data?.['text/plain']));
    assert.ok(
      indexing.some((t) => /^Opened snapshot\.db: \d+\.\d MB indexed in \d+\.\d s$/.test(t)),
      `no indexing report in cell 6: ${JSON.stringify(cells[5]?.outputs)}`,
    );
    assert.ok(fs.existsSync(path.join(out, 'display.ipynb')));
  } finally {
    staged.remove();
    await etcd.stop();
  }
});
