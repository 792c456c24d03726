/**
 * KubeClient.watch over a real etcd: the exact ADDED / MODIFIED / DELETED sequence for writes, updates and
 * deletes (replayed and live), selectors that make objects enter and leave, namespaces, cancellation by
 * `break` and by AbortSignal closing the gRPC watch (etcd's own watcher gauge), compaction, snapshots.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import _ from 'lodash';
import { startKubeFixture, type KubeFixture } from '../helpers/kube-fixture';
import { encode } from '../../src/codec';
import { openEtcdWriterForFixtures, type EtcdWriter } from '../../src/sources/live-etcd-source';
import type { KubeClient } from '../../src/kube/kube-client';
import type { KubeWatchEvent } from '../../src/kube/kube-watch';

const NS = 'kw';

function pod(name: string, namespace: string, app: string, image = 'nginx:1.27'): Uint8Array {
  return encode({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, uid: `00000000-0000-4000-8000-${name.padStart(12, '0').slice(-12)}`, labels: { app } },
    spec: { containers: [{ name: 'main', image }] },
  });
}

/** A compact view of events for exact comparisons. */
function summary(events: KubeWatchEvent[]): unknown[] {
  return events.map((e) => ({
    type: e.type,
    key: e.key,
    revision: e.revision,
    app: _.get(e.object, 'metadata.labels.app'),
    ...(e.selector ? { selector: e.selector } : {}),
    changes: e.changes.map((c) => `${c.op} ${c.path}`),
  }));
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Collects `n` events (then leaves the loop); a 15 s deadline aborts the watch so a missing event fails the test. */
async function take(
  open: (signal: AbortSignal) => AsyncIterable<KubeWatchEvent>,
  n: number,
): Promise<KubeWatchEvent[]> {
  const out: KubeWatchEvent[] = [];
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), 15_000);
  try {
    for await (const e of open(deadline.signal)) {
      out.push(e);
      if (out.length >= n) break;
    }
  } finally {
    clearTimeout(timer);
  }
  return out;
}

describe('KubeClient.watch over a real etcd', () => {
  let fx: KubeFixture;
  let writer: EtcdWriter;
  let k: KubeClient;

  /** etcd's count of open watchers (its own gauge, from /metrics). */
  async function watchers(): Promise<number> {
    const res = await fetch(`${fx.etcd.endpoint}/metrics`);
    const text = await res.text();
    const m = /^etcd_debugging_mvcc_watcher_total (\d+)/m.exec(text);
    assert.ok(m, 'etcd_debugging_mvcc_watcher_total missing from /metrics');
    return Number(m[1]);
  }

  before(async () => {
    fx = await startKubeFixture({ pods: 10, seed: 7 });
    writer = await openEtcdWriterForFixtures({ endpoints: fx.etcd.endpoint });
    k = fx.kubes[0];
  });

  after(async () => {
    await writer?.close();
    await fx?.close();
  });

  it('replays from a revision: the exact event sequence, with and without a label selector', async () => {
    const from = (await fx.live.status()).revision + 1;
    const key = (n: string, ns = NS): string => `/registry/pods/${ns}/${n}`;
    const r1 = await writer.put(key('a'), pod('a', NS, 'w'));
    const r2 = await writer.put(key('a'), pod('a', NS, 'w', 'nginx:1.28'));
    const r3 = await writer.put(key('b'), pod('b', NS, 'x'));
    const r4 = await writer.put(key('b'), pod('b', NS, 'w'));
    const r5 = await writer.put(key('a'), pod('a', NS, 'other', 'nginx:1.28'));
    await writer.put(key('c', 'elsewhere'), pod('c', 'elsewhere', 'w'));
    const r7 = await writer.delete(key('b'));
    const r8 = await writer.delete(key('a'));
    const r9 = await writer.put(key('d'), pod('d', NS, 'w'));
    assert.ok(r1 >= from);

    const filtered = await take(
      (signal) => k.watch('pods', { namespace: NS, labels: 'app=w', fromRevision: from, signal }),
      6,
    );
    assert.deepEqual(summary(filtered), [
      { type: 'ADDED', key: key('a'), revision: r1, app: 'w', changes: [] },
      { type: 'MODIFIED', key: key('a'), revision: r2, app: 'w', changes: ['changed spec.containers[0].image'] },
      {
        type: 'ADDED',
        key: key('b'),
        revision: r4,
        app: 'w',
        selector: 'entered',
        changes: ['changed metadata.labels.app'],
      },
      // It left the selector: reported as DELETED with its last matching state, as kube-apiserver does.
      {
        type: 'DELETED',
        key: key('a'),
        revision: r5,
        app: 'w',
        selector: 'left',
        changes: ['changed metadata.labels.app'],
      },
      { type: 'DELETED', key: key('b'), revision: r7, app: 'w', changes: [] },
      { type: 'ADDED', key: key('d'), revision: r9, app: 'w', changes: [] },
    ]);
    assert.equal(_.get(filtered[1]!.previous, 'spec.containers[0].image'), 'nginx:1.27');
    assert.equal(_.get(filtered[1]!.object, 'spec.containers[0].image'), 'nginx:1.28');

    const all = await take((signal) => k.watch('po', { namespace: NS, fromRevision: from, signal }), 8);
    assert.deepEqual(
      all.map((e) => [e.type, e.key, e.revision, _.get(e.object, 'metadata.labels.app')]),
      [
        ['ADDED', key('a'), r1, 'w'],
        ['MODIFIED', key('a'), r2, 'w'],
        ['ADDED', key('b'), r3, 'x'],
        ['MODIFIED', key('b'), r4, 'w'],
        ['MODIFIED', key('a'), r5, 'other'],
        ['DELETED', key('b'), r7, 'w'],
        ['DELETED', key('a'), r8, 'other'],
        ['ADDED', key('d'), r9, 'w'],
      ],
    );
    await until('the replay watchers to close', async () => (await watchers()) === 0);
  });

  it('watches live from now; leaving the loop closes the gRPC watch', async () => {
    assert.equal(await watchers(), 0);
    const key = `/registry/pods/${NS}/live-1`;
    const got = take((signal) => k.watch('pods', { namespace: NS, signal }), 3);
    await until('the watch to be registered', async () => (await watchers()) === 1);
    const r1 = await writer.put(key, pod('live-1', NS, 'w'));
    const r2 = await writer.put(key, pod('live-1', NS, 'w', 'nginx:1.29'));
    const r3 = await writer.delete(key);
    const events = await got;
    assert.deepEqual(
      events.map((e) => [e.type, e.key, e.revision]),
      [
        ['ADDED', key, r1],
        ['MODIFIED', key, r2],
        ['DELETED', key, r3],
      ],
    );
    assert.deepEqual(events[1]!.changes, [
      { path: 'spec.containers[0].image', op: 'changed', from: 'nginx:1.27', to: 'nginx:1.29' },
    ]);
    // each object carries the mod revision of its record, as get() does (a deletion: its last value's)
    const rv = (o: unknown): unknown =>
      (o as { metadata?: { resourceVersion?: unknown } } | undefined)?.metadata?.resourceVersion;
    assert.deepEqual(
      events.map((e) => [rv(e.object), rv(e.previous)]),
      [
        [String(r1), undefined],
        [String(r2), String(r1)],
        [String(r2), undefined],
      ],
    );
    await until('the watch to close after break', async () => (await watchers()) === 0);
  });

  it('an AbortSignal stops the watch with an AbortedError and closes it', async () => {
    const controller = new AbortController();
    const seen: KubeWatchEvent[] = [];
    const run = (async () => {
      for await (const e of k.watch('pods', { signal: controller.signal })) seen.push(e);
    })();
    await until('the watch to be registered', async () => (await watchers()) === 1);
    const r = await writer.put(`/registry/pods/${NS}/abort-1`, pod('abort-1', NS, 'w'));
    await until('the event', async () => seen.length === 1);
    assert.equal(seen[0]!.revision, r);
    controller.abort();
    await assert.rejects(run, { name: 'AbortedError' });
    await until('the watch to close after abort', async () => (await watchers()) === 0);
  });

  it('take() and forEach(): no for-await needed (tslab cannot run one at the top of a cell); both close the watch, also on a timeout', async () => {
    assert.equal(await watchers(), 0);
    const key = `/registry/pods/${NS}/take-1`;
    const got = k.watch('pods', { namespace: NS }).take(2, { timeoutMs: 20_000 });
    await until('the watch to be registered', async () => (await watchers()) === 1);
    const r1 = await writer.put(key, pod('take-1', NS, 'w'));
    const r2 = await writer.delete(key);
    assert.deepEqual(
      (await got).map((e) => [e.type, e.revision]),
      [
        ['ADDED', r1],
        ['DELETED', r2],
      ],
    );
    await until('take() to close its watch', async () => (await watchers()) === 0);

    // A quiet watch: the timeout ends it with what came (nothing), and the gRPC watch closes.
    assert.deepEqual(await k.watch('pods', { namespace: 'nobody-writes-here' }).take(1, { timeoutMs: 300 }), []);
    await until('the timed-out watch to close', async () => (await watchers()) === 0);

    const seen: string[] = [];
    // biome-ignore lint/suspicious/useIterableCallbackReturn: KubeWatch.forEach, an async method of ours, not Array's
    const counting = k.watch('pods', { namespace: NS }).forEach((e) => {
      seen.push(e.type);
      return seen.length < 2; // false: stop
    });
    await until('the watch to be registered', async () => (await watchers()) === 1);
    await writer.put(key, pod('take-1', NS, 'w'));
    await writer.put(key, pod('take-1', NS, 'w', 'nginx:1.29'));
    assert.equal(await counting, 2);
    assert.deepEqual(seen, ['ADDED', 'MODIFIED']);
    await until('forEach() to close its watch', async () => (await watchers()) === 0);
    await writer.delete(key);

    // The caller's signal still ends it with an AbortedError, as a loop would.
    const controller = new AbortController();
    const aborted = k.watch('pods', { namespace: NS, signal: controller.signal }).take(5);
    await until('the watch to be registered', async () => (await watchers()) === 1);
    controller.abort();
    await assert.rejects(aborted, { name: 'AbortedError' });
    await assert.rejects(k.watch('pods').take(0), { name: 'InvalidArgumentError', message: /Invalid count: 0/ });
    await until('every watch closed', async () => (await watchers()) === 0);
  });

  it('a snapshot cannot be watched: InvalidArgumentError at once', () => {
    assert.throws(() => fx.kubes[1].watch('pods'), {
      name: 'InvalidArgumentError',
      message: /a watch needs live etcd/,
    });
    assert.throws(() => k.watch('pods', { fromRevision: -1 }), { name: 'InvalidArgumentError' });
    assert.throws(() => k.watch('pdos'), /Unknown resource/);
  });

  it('a compacted fromRevision gives CompactedRevisionError with the oldest kept revision (last: it compacts)', async () => {
    const current = (await fx.live.status()).revision;
    await writer.compact(current);
    await assert.rejects(
      take((signal) => k.watch('pods', { fromRevision: 2, signal }), 1),
      (e: Error & { details?: Record<string, unknown> }) => {
        assert.equal(e.name, 'CompactedRevisionError');
        assert.equal(e.details?.['compactRevision'], current);
        assert.match(
          e.message,
          new RegExp(
            `^Cannot watch pods from revision 2: it was compacted \\(oldest kept: ${current}\\)\\. Pass \\{ fromRevision \\} >= ${current}`,
          ),
        );
        return true;
      },
    );
    await until('the refused watch to close', async () => (await watchers()) === 0);
  });
});
