/**
 * Empty results in the notebook say what kubectl says ("No resources found in default namespace." for a
 * namespaced list, "No resources found" for a cluster-scoped one or every namespace), in the text twin, the
 * HTML and the one-line summary; counts name the kind in a correct plural. Over a real etcd.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as util from 'node:util';
import { open, present } from '../../src/notebook';
import { startNotebookEtcd } from './notebook-fixture';

test('an empty list prints "No resources found in NS namespace." (text, HTML, summary), never "0 rows" or "podss"', {
  timeout: 60_000,
}, async () => {
  const etcd = await startNotebookEtcd();
  const k = await open(etcd.endpoint);
  try {
    const none = await k.list('pods', { namespace: 'default', labels: 'app=no-such-app' });
    assert.equal(none.items.length, 0);
    const text = util.inspect(none);
    assert.match(text, /^No resources found in default namespace\.\n/);
    assert.match(text, /revision \d+/);
    const drawn = present(none, {
      method: 'list',
      args: ['pods', { namespace: 'default', labels: 'app=no-such-app' }],
    });
    assert.match(drawn.rendered.html, />No resources found in default namespace\.</);
    assert.doesNotMatch(drawn.rendered.html, /0 rows|0 columns|<table/);
    assert.match(util.inspect({ none }), /\[KubeList: No resources found in default namespace at revision \d+\]/);
    assert.doesNotMatch(util.inspect({ none }), /podss/);

    // every namespace, and a cluster-scoped resource: the bare line
    assert.match(util.inspect(await k.list('pods', { labels: 'app=no-such-app' })), /^No resources found\n/);
    assert.match(util.inspect(await k.list('nodes', { labels: 'x=none' })), /^No resources found\n/);

    // kubectl(): its namespace, kubectl's default one unless -A
    assert.match(
      util.inspect(await k.kubectl('get pods -l app=no-such-app')),
      /^No resources found in default namespace\./,
    );
    assert.match(
      util.inspect(await k.kubectl('get pods -n kube-system -l app=no-such-app')),
      /^No resources found in kube-system namespace\./,
    );
    assert.match(util.inspect(await k.kubectl('get pods -A -l app=no-such-app')), /^No resources found\n/);

    // table(): the streamed table says it too, in both twins
    const t = await k.table('pods', { namespace: 'default', labels: 'app=no-such-app' });
    assert.match(t.text, /^No resources found in default namespace\.\n/);
    assert.match(t.html, />No resources found in default namespace\.</);
    assert.doesNotMatch(t.html, /0 rows/);

    // a count of objects names the kind in its plural
    const pods = await k.list('pods');
    assert.match(util.inspect({ pods }), /\[KubeList: \d+ Pods at revision \d+\]/);
    assert.equal(present(pods.items.slice(0, 1)).summary, '1 Pod');
    const kinds: Array<[string, string]> = [
      ['Ingress', '2 Ingresses'],
      ['NetworkPolicy', '2 NetworkPolicies'],
      ['Endpoints', '2 Endpoints'],
      ['StorageClass', '2 StorageClasses'],
      ['Gateway', '2 Gateways'],
    ];
    for (const [kind, expected] of kinds) {
      const objects = [1, 2].map((i) => ({ kind, metadata: { name: `x-${i}` } }));
      assert.equal(present(objects).summary, expected);
    }
  } finally {
    await k.close();
    await etcd.stop();
  }
});
