/**
 * The sizes view in the notebook honours { top }: the chart and the group tables show the N largest and
 * say how many there are; its notes wrap in HTML. Over a real etcd.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as util from 'node:util';
import { open, present } from '../../src/notebook';
import { RENDER_CSS } from '../../src/render/rendered';
import { startNotebookEtcd } from './notebook-fixture';

/** The bar lines of the chart's text twin: between its title and the first blank-free table title. */
function chartBars(text: string): string[] {
  const lines = text.split('\n');
  const start = lines.indexOf('Value bytes per resource') + 1;
  const out: string[] = [];
  for (const l of lines.slice(start)) {
    if (!/[█▏▎▍▌▋▊▉]/.test(l)) break;
    out.push(l);
  }
  return out;
}

test('sizes({ top: 3 }) charts the 3 largest resources, says how many more, and cuts the group tables alike', {
  timeout: 60_000,
}, async () => {
  const etcd = await startNotebookEtcd();
  const k = await open(etcd.endpoint);
  try {
    const sizes = await k.sizes({ top: 3 });
    const resources = sizes.byResource.length;
    assert.ok(resources > 3, `the fixture holds ${resources} resources`);
    const text = util.inspect(sizes);
    const bars = chartBars(text);
    assert.equal(bars.length, 3, text);
    assert.deepEqual(
      bars.map((l) => l.split(/\s+/)[0]),
      sizes.byResource.slice(0, 3).map((g) => g.name),
    );
    assert.match(text, new RegExp(`\\n… ${resources - 3} more \\(`));
    const html = present(sizes, { method: 'sizes', args: [{ top: 3 }] }).rendered.html;
    assert.equal((html.match(/<rect /g) ?? []).length, 3);
    assert.match(
      text,
      new RegExp(
        `^Per resource: the 3 largest of ${resources} \\(all in \\.byResource\\):\\nNAME\\s+KEYS[^\\n]*\\n(?:[^\\n]+\\n){3}\\n`,
        'm',
      ),
    );
    assert.match(text, /^Per namespace: the 3 largest of \d+ \(all in \.byNamespace\):$/m);
    assert.equal(sizes.byResource.length, resources, 'the data keeps every group');

    // without top, every resource (up to the chart's own limit) is charted and nothing is cut
    const all = await k.sizes();
    assert.equal(chartBars(util.inspect(all)).length, Math.min(30, all.byResource.length));
    assert.match(util.inspect(all), /^Per resource:$/m);

    // notes are paragraphs that wrap, not preformatted lines
    const long = `${'a-very-long-key-segment/'.repeat(20)} and more words`;
    const drawn = present({ ...all, notes: [long] }, { method: 'sizes', args: [{}] });
    assert.match(drawn.rendered.html, /<p class="kubetcd-note">note: a-very-long-key-segment\//);
    assert.doesNotMatch(drawn.rendered.html, /<pre>note:/);
    assert.match(
      RENDER_CSS,
      /\.kubetcd:not\(#kubetcd-scope\) \.kubetcd-note\{[^}]*white-space:pre-wrap[^}]*overflow-wrap:anywhere/,
    );
    assert.ok(drawn.rendered.text.includes(`note: ${long}`));
  } finally {
    await k.close();
    await etcd.stop();
  }
});
