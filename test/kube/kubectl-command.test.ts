/**
 * KubeClient.kubectl over a real etcd and its snapshot: `kubectl get` lines answer as list()/get() do,
 * explain the etcd reads, print json/yaml/name; bad commands say what is supported.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import _ from 'lodash';
import { startKubeFixture, type KubeFixture } from '../helpers/kube-fixture';
import { parseKubeJson, toKubectlObject } from '../../src/codec';
import type { KubeObject } from '../../src/codec/types';
import type { ClusterOperation } from '../../scripts/cluster/cluster-generator';
import type { KubeClient, KubeGetResult, KubeList } from '../../src/kube/kube-client';
import { GET_FLAGS, kubectlGetCommand, parseKubectlCommand, splitCommandLine } from '../../src/kube/kubectl-command';
import { parseCliArgs } from '../../src/cli';

describe('KubeClient.kubectl: live etcd and its snapshot', () => {
  let fx: KubeFixture;
  let ops: ClusterOperation[];
  let kubes: KubeClient[] = [];

  before(async () => {
    fx = await startKubeFixture({ pods: 20, seed: 3 });
    ops = fx.ops;
    kubes = fx.kubes;
  });

  after(async () => {
    await fx?.close();
  });

  it('get deployments -n NS -l app=X: exactly what list() returns, with the etcdctl lines', async () => {
    // A namespace with several deployments, so the label filter has something to drop.
    const deployments = ops.filter(
      (o) => o.type === 'put' && o.resource === 'deployments' && _.get(o.object, 'metadata.labels.app'),
    );
    const perNs = _.countBy(_.uniqBy(deployments, 'key'), (o) => o.key.split('/')[3]);
    const deployment = deployments.find((o) => (perNs[o.key.split('/')[3]!] ?? 0) > 1);
    assert.ok(deployment && deployment.type === 'put');
    const ns = _.get(deployment.object, 'metadata.namespace') as string;
    const app = _.get(deployment.object, 'metadata.labels.app') as string;
    const outputs: unknown[] = [];
    for (const k of kubes) {
      const r = await k.kubectl(`kubectl get deployments -n ${ns} -l "app=${app}"`);
      const expected = await k.list('deployments', { namespace: ns, labels: `app=${app}` });
      const list = r.result as KubeList;
      assert.deepEqual(list.items, expected.items);
      assert.ok(list.items.length >= 1);
      assert.ok(list.items.length < (await k.list('deployments', { namespace: ns })).items.length);
      assert.ok(
        list.items.every((o) => _.get(o, 'metadata.labels.app') === app && _.get(o, 'metadata.namespace') === ns),
      );
      assert.deepEqual(r.etcdctl, [
        `etcdctl get --prefix /registry/deployments/${ns}/`,
        `# then keep objects whose labels match app=${app}`,
      ]);
      assert.equal(r.output, undefined);
      outputs.push(list.items);
    }
    assert.deepEqual(outputs[1], outputs[0]);
  });

  it('get po -A -o name: one pod/NAME line per pod in every namespace', async () => {
    for (const k of kubes) {
      const r = await k.kubectl('get po -A -o name');
      const all = await k.list('pods');
      assert.ok(all.items.length >= 20);
      assert.equal(r.output, all.items.map((o) => `pod/${_.get(o, 'metadata.name')}\n`).join(''));
      assert.deepEqual(r.etcdctl, ['etcdctl get --prefix /registry/pods/']);
      // The deployment names its group, as kubectl does.
      const d = await k.kubectl('get deploy --all-namespaces --output=name');
      assert.match(d.output!, /^deployment\.apps\/\S+\n/);
    }
  });

  it('get pod NAME -n NS -o json|yaml: the object, kubectl-indented', async () => {
    const pod = ops.find((o) => o.type === 'put' && o.resource === 'pods' && !o.update);
    assert.ok(pod && pod.type === 'put');
    const [, , ns, name] = pod.key.split('/').slice(1);
    for (const k of kubes) {
      const r = await k.kubectl(`get pod ${name} -n ${ns} -o json`);
      const got = await k.get('pods', name!, { namespace: ns! });
      assert.deepEqual(r.result as KubeGetResult[], [got]);
      assert.deepEqual(r.etcdctl, [`etcdctl get ${pod.key}`]);
      // kubectl's form: keys sorted, resourceVersion the mod revision (byte-for-byte against kubectl 1.36
      // itself in test/codec/kubectl-format.test.ts)
      assert.deepEqual(parseKubeJson(r.output!), toKubectlObject(got));
      assert.equal(_.get(parseKubeJson(r.output!), 'metadata.resourceVersion'), String(got.record.modRevision));
      assert.match(r.output!, /^\{\n {4}"apiVersion": "v1",\n {4}"kind": "Pod",\n {4}"metadata": \{\n {8}"/);
      assert.deepEqual(JSON.parse(r.output!).metadata.name, name);
      const y = await k.kubectl(`get pod ${name} --namespace=${ns} -oyaml`);
      assert.match(y.output!, new RegExp(`^apiVersion: v1\\n(.|\\n)*\\n  name: ${name}\\n`));
      // Two names: a v1 List of both.
      const two = await k.kubectl(`get pods ${name} ${name} -n ${ns} -o json`);
      const list = JSON.parse(two.output!) as { kind: string; items: KubeObject[] };
      assert.equal(list.kind, 'List');
      assert.equal(list.items.length, 2);
    }
  });

  it('errors say what is supported', async () => {
    const k = kubes[1]!;
    await assert.rejects(
      k.kubectl('delete pods x'),
      (e: Error) =>
        e.name === 'InvalidArgumentError' && /"delete"/.test(e.message) && /kubectl get RESOURCE/.test(e.message),
    );
    await assert.rejects(
      k.kubectl('get pods --frobnicate'),
      (e: Error) =>
        e.name === 'InvalidArgumentError' && /--frobnicate/.test(e.message) && /--field-selector/.test(e.message),
    );
    await assert.rejects(
      k.kubectl('get pdos'),
      (e: Error) => e.name === 'InvalidArgumentError' && /Did you mean.*pods/.test(e.message),
    );
    await assert.rejects(
      k.kubectl('get pods -o table'),
      (e: Error) => e.name === 'InvalidArgumentError' && /wide, json, yaml, name, jsonpath=…/.test(e.message),
    );
    await assert.rejects(k.kubectl('get pods x -l a=b'), (e: Error) => e.name === 'InvalidArgumentError');
    await assert.rejects(k.kubectl('get pods x -A'), (e: Error) => e.name === 'InvalidArgumentError');
    await assert.rejects(k.kubectl('get pods nope -n default'), (e: Error) => e.name === 'NotFoundError');
  });
});

describe('kubectl command parsing', () => {
  it('splits like a shell: single quotes literal, double quotes with escapes, backslashes', () => {
    assert.deepEqual(splitCommandLine(`get pods -l 'app in (a, b)' --field-selector="spec.nodeName=n 1"`), [
      'get',
      'pods',
      '-l',
      'app in (a, b)',
      '--field-selector=spec.nodeName=n 1',
    ]);
    assert.deepEqual(splitCommandLine(`a "x\\"y" 'p\\q' b\\ c ''`), ['a', 'x"y', 'p\\q', 'b c', '']);
    assert.throws(() => splitCommandLine(`get 'pods`), /Unterminated single quote/);
    assert.throws(() => splitCommandLine(`get "pods`), /Unterminated double quote/);
  });

  it('parses flags in their several spellings', () => {
    assert.deepEqual(
      parseKubectlCommand('kubectl get deploy -ndefault -l=app=web --field-selector metadata.name=x -o name'),
      {
        verb: 'get',
        resource: 'deploy',
        names: [],
        allNamespaces: false,
        namespace: 'default',
        labels: 'app=web',
        fields: 'metadata.name=x',
        output: 'name',
      },
    );
    assert.equal(parseKubectlCommand('get po --selector=a=b').labels, 'a=b');
    assert.equal(parseKubectlCommand('get po -o yaml --show-managed-fields').showManagedFields, true);
    assert.equal(parseKubectlCommand('get po -o yaml --show-managed-fields=false').showManagedFields, false);
    assert.equal(parseKubectlCommand('get po -o yaml').showManagedFields, undefined);
    assert.throws(() => parseKubectlCommand('get po --show-managed-fields=yes'), /takes true or false/);
    assert.throws(() => parseKubectlCommand('get'), /needs a resource/);
    assert.throws(() => parseKubectlCommand('get pods -n'), /needs a value/);
    assert.throws(() => parseKubectlCommand(''), /Empty/);
  });

  it('parses names, TYPE/NAME and -o wide (the format is recorded for the renderer)', () => {
    assert.deepEqual(parseKubectlCommand('get pods a b -n ns -o wide'), {
      verb: 'get',
      resource: 'pods',
      names: ['a', 'b'],
      allNamespaces: false,
      namespace: 'ns',
      output: 'wide',
    });
    const typed = parseKubectlCommand('kubectl get pod/a pod/b -n ns');
    assert.equal(typed.resource, 'pod');
    assert.deepEqual(typed.names, ['a', 'b']);
    assert.throws(() => parseKubectlCommand('get pod/a deploy/b'), {
      name: 'InvalidArgumentError',
      message: /one resource at a time/,
    });
    assert.throws(() => parseKubectlCommand('get pods a pod/b'), /Mixed RESOURCE NAME and TYPE\/NAME/);
    assert.throws(() => parseKubectlCommand('get pod/'), /Invalid TYPE\/NAME/);
    assert.throws(
      () => parseKubectlCommand('get pods -o jsonpath'),
      /-o jsonpath needs a template: pass -o jsonpath=\{\.metadata\.name\}/,
    );
    assert.throws(
      () => parseKubectlCommand('get pods -o go-template={{.kind}}'),
      /Unsupported output format: "go-template=\{\{\.kind\}\}" \(go-template is kubectl's, but not implemented here\)\. Pass -o with one of wide, json, yaml, name, jsonpath=…/,
    );
    // kubectl get flags kubetcd cannot honour are refused by name, with why and what is supported
    for (const flag of [
      '-w',
      '--watch',
      '--watch-only',
      '--chunk-size=10',
      '--raw=/api',
      '-f x.yaml',
      '--ignore-not-found',
      '--template={{.kind}}',
    ]) {
      assert.throws(
        () => parseKubectlCommand(`get pods ${flag}`),
        (e: Error) =>
          e.name === 'InvalidArgumentError' &&
          e.message.startsWith(`Unsupported flag: "${flag.split(' ')[0] as string}" (`) &&
          /Supported: kubectl get RESOURCE.*--sort-by JSONPATH/.test(e.message),
        flag,
      );
    }
    const c = parseKubectlCommand(
      `get pods -o 'custom-columns=NAME:.metadata.name' --sort-by=.metadata.name --show-labels -L app -Ltier,zone --no-headers`,
    );
    assert.deepEqual(_.pick(c, ['output', 'template', 'sortBy', 'showLabels', 'labelColumns', 'noHeaders']), {
      output: 'custom-columns',
      template: 'NAME:.metadata.name',
      sortBy: '.metadata.name',
      showLabels: true,
      labelColumns: ['app', 'tier', 'zone'],
      noHeaders: true,
    });
    assert.throws(
      () => parseKubectlCommand('get pods --sort-by={.items['),
      /error parsing jsonpath \{\.items\[\}, unterminated array/,
    );
  });
});

describe('one kubectl get: k.kubectl() and kubetcd get read the same flags into the same command', () => {
  it('every flag of the table sets the same field in both, in every spelling', () => {
    const value = (field: string): string =>
      field === 'output'
        ? 'name'
        : field === 'sortBy'
          ? '.metadata.name'
          : field === 'labelColumns'
            ? 'app,tier'
            : 'x=y';
    for (const [flag, spec] of Object.entries(GET_FLAGS)) {
      const words = spec.value === 'switch' ? [flag] : [flag, value(spec.field)];
      const cmd = parseKubectlCommand(`get pods ${words.join(' ')}`);
      const args = parseCliArgs(['get', 'pods', ...words]);
      const expected = spec.value === 'switch' ? true : spec.value === 'list' ? ['app', 'tier'] : value(spec.field);
      assert.deepEqual((cmd as unknown as Record<string, unknown>)[spec.field], expected, `kubectl(): ${flag}`);
      assert.deepEqual((args as unknown as Record<string, unknown>)[spec.field], expected, `kubetcd get: ${flag}`);
      // with the value joined (--flag=value, -nvalue), as kubectl takes it
      if (spec.value !== 'switch') {
        const joined = flag.startsWith('--') ? `${flag}=${value(spec.field)}` : `${flag}${value(spec.field)}`;
        assert.deepEqual(
          (parseKubectlCommand(`get pods ${joined}`) as unknown as Record<string, unknown>)[spec.field],
          expected,
          joined,
        );
        assert.deepEqual(
          (parseCliArgs(['get', 'pods', joined]) as unknown as Record<string, unknown>)[spec.field],
          expected,
          joined,
        );
      }
    }
  });

  it('the command is the same object whichever front end read the line', () => {
    const line = [
      'pod/web',
      'pod/db',
      '-n',
      'shop',
      '-o',
      'jsonpath={.metadata.name}',
      '--sort-by',
      '.metadata.name',
      '-L',
      'app',
    ];
    const viaKubectl = parseKubectlCommand(`get ${line.map((w) => `'${w}'`).join(' ')}`);
    const args = parseCliArgs(['get', ...line]);
    const viaCli = kubectlGetCommand(
      args.positional,
      { ...args, labelColumns: args.labelColumns ?? [] } as never,
      '"kubetcd get"',
    );
    assert.deepEqual(viaCli, viaKubectl);
    assert.deepEqual(_.pick(viaKubectl, ['resource', 'names', 'output', 'template']), {
      resource: 'pod',
      names: ['web', 'db'],
      output: 'jsonpath',
      template: '{.metadata.name}',
    });
  });
});
