/**
 * The fast paths of stream()/list() (labels, name and namespace read by projection before any full
 * decode) and of count() (only the group's field read) give the answers of the full decode, over a
 * generated cluster in a real etcd and its snapshot, with values that cannot be read whole among them:
 * a pod truncated inside its status, a matching pod broken inside its spec, a JSON pod, a pod without labels.
 * A value whose labels cannot be read is decoded in full and lands in `errors`.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import _ from 'lodash';
import { decode, encode } from '../../src/codec';
import type { KubeObject } from '../../src/codec/types';
import { generateCluster } from '../../scripts/cluster/cluster-generator';
import type { KubeClient, KubeList } from '../../src/kube/kube-client';
import { parseFieldSelector } from '../../src/kube/field-selector';
import { parseLabelSelector } from '../../src/kube/label-selector';
import { openEtcdWriterForFixtures } from '../../src/sources/live-etcd-source';
import { startKubeFixture, type KubeFixture } from '../helpers/kube-fixture';

const PODS = 60;
const SEED = 5;
const NS = 'fast-path';

/** Reads a protobuf varint at `at`: [value, next offset]. */
function varint(b: Uint8Array, at: number): [number, number] {
  let v = 0;
  let shift = 0;
  for (;;) {
    const x = b[at++] as number;
    v += (x & 0x7f) * 2 ** shift;
    if (x < 0x80) return [v, at];
    shift += 7;
  }
}

function lengthPrefix(n: number): number[] {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}

/**
 * The pod's stored bytes with `extra` appended inside its own message (runtime.Unknown's raw), so the
 * envelope stays valid and the projection can skip the added field by its length.
 */
function withExtraField(pod: KubeObject, extra: number[]): Uint8Array {
  const b = encode(pod);
  let at = 4;
  assert.equal(b[at], 0x0a); // typeMeta
  const [tmLen, tmStart] = varint(b, at + 1);
  at = tmStart + tmLen;
  assert.equal(b[at], 0x12); // raw
  const [rawLen, rawStart] = varint(b, at + 1);
  const raw = b.subarray(rawStart, rawStart + rawLen);
  const rest = b.subarray(rawStart + rawLen);
  const newRaw = Buffer.concat([raw, Buffer.from(extra)]);
  return Buffer.concat([b.subarray(0, at), Buffer.from([0x12, ...lengthPrefix(newRaw.length)]), newRaw, rest]);
}

function pod(name: string, labels: Record<string, string> | undefined, template: KubeObject): KubeObject {
  const o = _.cloneDeep(template);
  const meta = o['metadata'] as Record<string, unknown>;
  meta['name'] = name;
  meta['namespace'] = NS;
  meta['uid'] = `00000000-0000-4000-8000-${name.length.toString().padStart(12, '0')}`;
  if (labels === undefined) delete meta['labels'];
  else meta['labels'] = labels;
  return o;
}

/** count() computed the slow way: from every fully decoded object (what count did before the fast path). */
function countFromList(
  all: KubeList,
  by: string | string[] | undefined,
  labels?: string,
  fields?: string,
): { total: number; groups: Record<string, number>; errors: number } {
  const l = labels !== undefined ? parseLabelSelector(labels) : undefined;
  const f = fields !== undefined ? parseFieldSelector(fields) : undefined;
  const groups: Record<string, number> = {};
  let total = 0;
  for (const o of all.items) {
    if (l && !l.matches(_.get(o, ['metadata', 'labels']) as Record<string, string> | undefined)) continue;
    if (f && !f.matches(o)) continue;
    total++;
    if (by === undefined) continue;
    const v: unknown = _.get(o, by);
    const g =
      v === undefined || v === null || v === ''
        ? '<none>'
        : typeof v === 'string'
          ? v
          : typeof v === 'object'
            ? JSON.stringify(v)
            : String(v);
    groups[g] = (groups[g] ?? 0) + 1;
  }
  return { total, groups, errors: all.errors.length };
}

describe('fast paths (projection) answer as the full decode does', () => {
  let fx: KubeFixture;
  let rev: number;
  let app = '';
  let template: KubeObject;
  const brokenKeys: string[] = [];

  before(async () => {
    const ops = [...generateCluster({ pods: PODS, seed: SEED }).operations()];
    const first = ops.find((op) => op.type === 'put' && op.resource === 'pods');
    template = (first as { object: KubeObject }).object;
    app = (_.get(template, ['metadata', 'labels', 'app']) as string | undefined) ?? '';
    assert.notEqual(app, '', 'the generated pods carry an app label');
    fx = await startKubeFixture({
      pods: PODS,
      seed: SEED,
      extra: async (writer) => {
        const key = (name: string): string => `/registry/pods/${NS}/${name}`;
        // truncated inside its status: its labels cannot be read by projection either (non-matching labels)
        const whole = encode(pod('truncated', { app: 'other' }, template));
        await writer.put(key('truncated'), whole.subarray(0, whole.length - 7));
        // matching labels, broken inside its spec (a second spec whose volumes field runs past its end)
        await writer.put(
          key('broken-spec'),
          withExtraField(pod('broken-spec', { app }, template), [0x12, 0x03, 0x0a, 0x05, 0xff]),
        );
        // JSON (decoded in full by the projector) and a pod without labels
        await writer.put(key('json'), JSON.stringify(pod('json', { app }, template)));
        await writer.put(key('no-labels'), encode(pod('no-labels', undefined, template)));
        brokenKeys.push(key('truncated'), key('broken-spec'));
      },
    });
    rev = (await fx.snapshot.status()).revision;
  });

  after(async () => {
    await fx?.close();
  });

  const each = async (f: (k: KubeClient, where: string) => Promise<void>): Promise<void> => {
    for (const [i, where] of (['live', 'snapshot'] as const).entries()) await f(fx.kubes[i] as KubeClient, where);
  };

  it('list with a label or name/namespace selector: the items and errors of the full decode, filtered', async () => {
    await each(async (k, where) => {
      const all = await k.list('pods', { revision: rev });
      assert.deepEqual(
        all.errors.map((e) => e.key).sort(),
        [...brokenKeys].sort(),
        `${where}: both broken values are errors`,
      );
      for (const [labels, fields] of [
        [`app=${app}`, undefined],
        [`app!=${app}`, undefined],
        ['!app', undefined],
        [`app in (${app},other)`, `metadata.namespace=${NS}`],
        [undefined, `metadata.namespace!=${NS}`],
        [undefined, 'metadata.name=json'],
      ] as const) {
        const opts = {
          revision: rev,
          ...(labels !== undefined ? { labels } : {}),
          ...(fields !== undefined ? { fields } : {}),
        };
        const fast = await k.list('pods', opts);
        const l = labels !== undefined ? parseLabelSelector(labels) : undefined;
        const f = fields !== undefined ? parseFieldSelector(fields) : undefined;
        const expected = all.items.filter(
          (o) =>
            (!l || l.matches(_.get(o, ['metadata', 'labels']) as Record<string, string> | undefined)) &&
            (!f || f.matches(o)),
        );
        const what = `${where} ${JSON.stringify(opts)}`;
        assert.deepEqual(fast.items, expected, what);
        assert.equal(fast.total, all.total, what);
        // nothing dropped: the truncated pod (labels unreadable) is reported whatever the selector; the
        // broken pod whenever its labels match
        const want = all.errors.filter(
          (e) =>
            e.key.endsWith('/truncated') ||
            (e.key.endsWith('/broken-spec') &&
              (!l || l.matches({ app })) &&
              (!f || f.matches({ metadata: { name: 'broken-spec', namespace: NS } }))),
        );
        assert.deepEqual(fast.errors, want, what);
      }
      const json = await k.list('pods', { revision: rev, labels: `app=${app}`, namespace: NS });
      assert.deepEqual(
        json.items.map((o) => _.get(o, 'metadata.name')).sort(),
        ['json'],
        `${where}: the JSON pod matches`,
      );
      assert.ok(
        json.errors.some((e) => e.key.endsWith('/truncated')),
        `${where}: the truncated pod is reported`,
      );
    });
  });

  it('count by a projected path equals the count of fully decoded objects', async () => {
    await each(async (k, where) => {
      const all = await k.list('pods', { revision: rev });
      const cases: Array<
        [string | undefined, string | string[] | undefined, (string | undefined)?, (string | undefined)?]
      > = [
        ['spec.nodeName', 'spec.nodeName'],
        ['namespace', ['metadata', 'namespace']],
        ['name', ['metadata', 'name']],
        ['kind', ['kind']],
        ['label:app', ['metadata', 'labels', 'app']],
        ['metadata.labels.pod-template-hash', ['metadata', 'labels', 'pod-template-hash']],
        ['status.phase', 'status.phase'],
        ['spec.containers[0].image', 'spec.containers[0].image'],
        ['status.containerStatuses', 'status.containerStatuses'],
        ['spec.nodeName', 'spec.nodeName', `app=${app}`],
        [undefined, undefined, '!app'],
        ['spec.nodeName', 'spec.nodeName', undefined, `metadata.namespace=${NS}`],
      ];
      for (const [by, lodashPath, labels, fields] of cases) {
        const opts = {
          revision: rev,
          ...(by !== undefined ? { by } : {}),
          ...(labels !== undefined ? { labels } : {}),
          ...(fields !== undefined ? { fields } : {}),
        };
        const got = await k.count('pods', opts);
        const what = `${where} ${JSON.stringify(opts)}`;
        if (typeof lodashPath === 'string' && lodashPath.startsWith('spec.')) {
          // reading spec meets the broken second spec: decoded in full, an error as before
          assert.deepEqual(got, countFromList(all, lodashPath, labels, fields), what);
        } else {
          // The one difference, said in count()'s docs: the pod broken inside its spec is counted from the
          // fields count() reads (as the pod it was before the damage), not reported in errors.
          const intended = decode(encode(pod('broken-spec', { app }, template))).object as KubeObject;
          const want = countFromList({ ...all, items: [...all.items, intended] }, lodashPath, labels, fields);
          assert.deepEqual(got, { ...want, errors: want.errors - 1 }, what);
        }
      }
    });
  });

  it('list with paths: each object holds exactly the paths of the full decode, selectors and errors as without', async () => {
    const { getPath } = await import('../../src/codec/project');
    const { kindPrinter } = await import('../../src/render/kube-printers');
    await each(async (k, where) => {
      const all = await k.list('pods', { revision: rev });
      const podReads = [...(kindPrinter('Pod')?.reads ?? [])];
      for (const [paths, labels, fields] of [
        [['metadata.name', 'spec.nodeName'], undefined, undefined],
        [podReads, undefined, undefined],
        [['spec.nodeName'], `app=${app}`, undefined],
        [['metadata.name'], undefined, 'status.phase=Running'],
      ] as const) {
        const opts = {
          revision: rev,
          paths,
          ...(labels !== undefined ? { labels } : {}),
          ...(fields !== undefined ? { fields } : {}),
        };
        const what = `${where} ${JSON.stringify(opts)}`;
        const got = await k.list('pods', opts);
        const l = labels !== undefined ? parseLabelSelector(labels) : undefined;
        const f = fields !== undefined ? parseFieldSelector(fields) : undefined;
        // As with count(): the pod damaged only inside its spec is read from the paths when they skip the spec
        // (as the pod it was before the damage), and listed; otherwise it is an error, as without paths.
        const skipsSpec = ![...paths, ...(fields !== undefined ? ['status'] : [])].some((p) => p.startsWith('spec'));
        const intended = decode(encode(pod('broken-spec', { app }, template))).object as KubeObject;
        const keyOf = (o: KubeObject): string =>
          `${String(_.get(o, 'metadata.namespace'))}/${String(_.get(o, 'metadata.name'))}`;
        const candidates = skipsSpec
          ? [...all.items, intended].sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0))
          : all.items;
        const expected = candidates.filter(
          (o) =>
            (!l || l.matches(_.get(o, ['metadata', 'labels']) as Record<string, string> | undefined)) &&
            (!f || f.matches(o)),
        );
        assert.equal(got.items.length, expected.length, what);
        assert.equal(
          got.errors.some((e) => e.key.endsWith('/broken-spec')),
          !skipsSpec,
          `${what}: the pod broken in its spec`,
        );
        assert.ok(got.items.length > 0, what);
        got.items.forEach((o, i) => {
          const whole = expected[i] as KubeObject; // both in key order
          const name = String(_.get(whole, 'metadata.name'));
          for (const p of paths) assert.deepStrictEqual(getPath(o, p), getPath(whole, p), `${what}: ${name} ${p}`);
          // only what was asked (a value stored as JSON is decoded whole)
          if (!paths.some((p) => p.startsWith('spec.containers')) && name !== 'json')
            assert.equal(_.get(o, 'spec.containers'), undefined, `${what}: ${name}`);
        });
        // the damaged values are still reported, as without paths
        assert.ok(
          got.errors.some((e) => e.key.endsWith('/truncated')),
          `${what}: the truncated pod is reported`,
        );
      }
      // a predicate may read anything: with `where`, objects are whole
      const whole = await k.list('pods', {
        revision: rev,
        paths: ['metadata.name'],
        where: (o: KubeObject) => _.get(o, 'metadata.name') === 'json',
      });
      assert.deepEqual(
        whole.items,
        all.items.filter((o) => _.get(o, 'metadata.name') === 'json'),
        `${where}: where gives whole objects`,
      );
      for (const bad of [[], [''], 'metadata.name', [42]]) {
        assert.throws(
          () => k.stream('pods', { paths: bad as never }),
          { name: 'InvalidArgumentError', message: /Invalid paths/ },
          `${where}: ${JSON.stringify(bad)}`,
        );
      }
    });
  });

  it('a value whose labels cannot be read is decoded in full and counted in errors', async () => {
    const [liveK] = fx.kubes;
    const c = await liveK.count('pods', { revision: rev, by: 'spec.nodeName', labels: 'app=nothing-has-this' });
    assert.equal(c.total, 0);
    assert.ok(c.errors >= 1, 'the truncated pod is an error');
    // a later write, live only: the same bytes under another name are still reported
    const writer = await openEtcdWriterForFixtures({ endpoints: fx.etcd.endpoint });
    try {
      const got = await fx.live.get(`/registry/pods/${NS}/truncated`);
      await writer.put(`/registry/pods/${NS}/truncated-2`, got?.value as Uint8Array);
    } finally {
      await writer.close();
    }
    const l = await liveK.list('pods', { labels: 'app=nothing-has-this', namespace: NS });
    assert.deepEqual(l.items, []);
    assert.deepEqual(
      l.errors.map((e) => e.key),
      [`/registry/pods/${NS}/truncated`, `/registry/pods/${NS}/truncated-2`],
    );
  });
});
