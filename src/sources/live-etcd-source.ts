/**
 * The live etcd source: a read-only {@link KvSource} over a running etcd cluster (v3 API, etcd ≥ 3.4).
 * This file composes the parts in `live/` (configuration, endpoint fail-over, paged reads, watches,
 * status, writers) and re-exports their public names. No own property of a source holds credentials:
 * String(), util.inspect and JSON.stringify show its endpoints only.
 */
import { inspect } from 'node:util';
import { InvalidArgumentError } from '../errors';
import type {
  HashKvOptions,
  KeyRange,
  KvHash,
  KvHistoryEntry,
  KvRecord,
  KvSource,
  KvTombstone,
  KvWatchEvent,
  LeaseInfo,
  RangeOptions,
  ReadOptions,
  SourceCapabilities,
  SourceStatus,
  WatchOptions,
} from './types';
import { attachPool, EndpointPool, poolOf } from './live/endpoint-pool';
import { normaliseConfig, trustOnFirstUse, type Config, type LiveOptions } from './live/live-config';
import {
  checkRevision,
  describeRange,
  normaliseRange,
  NUL,
  num,
  printable,
  toBuffer,
  toRecord,
} from './live/live-keys';
import type { EtcdRangeRequest } from './live/etcd3-gateway';
import { pagedRange } from './live/paged-range';
import { compactRevision, hashKv, liveLeases, liveStatus } from './live/live-status';
import { deletions, keyHistory, watchRange } from './live/live-watch';

export type { LiveOptions } from './live/live-config';
export { openEtcdWriterForFixtures, type EtcdWriter, type PutManyOptions } from './live/fixture-writer';
export { openEtcdWriter, type CasResult, type CasWriter, type WriteConsent } from './live/cas-writer';

/** What a live etcd can do. */
const LIVE_CAPABILITIES: SourceCapabilities = Object.freeze({
  current: true,
  history: true,
  watch: true,
  valueBytesOnKeysOnly: false,
  mvccIndex: false,
  hashKV: true,
  tombstones: true,
  writes: true,
});

class LiveEtcdSource implements KvSource {
  readonly kind = 'live' as const;
  readonly capabilities = LIVE_CAPABILITIES;
  readonly origin: string;

  constructor(config: Config) {
    const pool = new EndpointPool(config);
    this.origin = pool.origin;
    attachPool(this, pool);
  }

  private get pool(): EndpointPool {
    return poolOf(this)!;
  }

  /** `LiveEtcdSource(<endpoints>)`: never credentials. */
  toString(): string {
    return `LiveEtcdSource(${this.origin})`;
  }

  /** What `JSON.stringify` shows: kind and endpoints, never credentials. */
  toJSON(): { kind: 'live'; origin: string } {
    return { kind: this.kind, origin: this.origin };
  }

  [inspect.custom](): string {
    return `LiveEtcdSource { kind: 'live', origin: ${JSON.stringify(this.origin)} }`;
  }

  async get(key: string | Uint8Array, options: ReadOptions = {}): Promise<KvRecord | undefined> {
    const k = toBuffer('key', key);
    if (k.length === 0) throw new InvalidArgumentError('Invalid key: the empty key. Pass a non-empty key.');
    const revision = checkRevision(options.revision);
    const request: EtcdRangeRequest = { key: k };
    if (revision !== undefined) request.revision = revision;
    const response = await this.pool.rangeCall(`Reading key ${printable(k)}`, request, options.signal);
    const kv = response.kvs[0];
    return kv ? toRecord(kv, false) : undefined;
  }

  async count(range: KeyRange, options: ReadOptions = {}): Promise<number> {
    const r = normaliseRange(range);
    const revision = checkRevision(options.revision);
    const request: EtcdRangeRequest = { key: r.start, range_end: r.end, count_only: true };
    if (revision !== undefined) request.revision = revision;
    const response = await this.pool.rangeCall(`Counting keys in ${describeRange(r)}`, request, options.signal);
    return num(response.count);
  }

  range(range: KeyRange, options: RangeOptions = {}): AsyncIterable<KvRecord> {
    const r = normaliseRange(range);
    const revision = checkRevision(options.revision);
    if (options.limit !== undefined && (!Number.isSafeInteger(options.limit) || options.limit < 0)) {
      throw new InvalidArgumentError(`Invalid limit: ${String(options.limit)}. Pass a non-negative integer.`);
    }
    return {
      [Symbol.asyncIterator]: () => pagedRange(this.pool, r, revision, options),
    };
  }

  history(key: string | Uint8Array, options: { signal?: AbortSignal } = {}): AsyncGenerator<KvHistoryEntry> {
    return keyHistory(this.pool, key, options);
  }

  /**
   * Changes to a range as they happen, each with the key's previous state (etcd's `prev_kv`); replays
   * from `fromRevision` when given. If the answering member fails mid-watch, the watch moves to the next
   * endpoint and resumes after the last revision received (etcd never splits one revision's events
   * across responses, so nothing is lost or repeated). Leaving the loop or aborting closes the gRPC stream.
   * @example
   * for await (const e of etcd.watch({ prefix: '/registry/pods/' })) console.log(e.type, e.record.key.toString());
   */
  watch(range: KeyRange, options: WatchOptions = {}): AsyncIterable<KvWatchEvent> {
    return watchRange(this.pool, range, options);
  }

  /**
   * The lowest revision etcd still serves (0 if never compacted), found by a binary search.
   * @example
   * await etcd.compactRevision() // 0 on a cluster never compacted
   */
  compactRevision(signal?: AbortSignal): Promise<number> {
    return compactRevision(this.pool, signal);
  }

  /**
   * etcd's own HashKV of the member that answers (`etcdctl endpoint hashkv`).
   * @example
   * const { hash, compactRevision } = await etcd.hashKV({ revision: 1234 });
   */
  hashKV(options: HashKvOptions = {}): Promise<KvHash> {
    return hashKv(this.pool, options);
  }

  /**
   * Every delete kept since the compaction revision, with the state before it (a replay of every change
   * since the compaction: on a big cluster a snapshot answers much faster).
   * @example
   * for await (const d of etcd.tombstones({ prefix: '/registry/pods/' })) console.log(d.key.toString(), d.revision);
   */
  tombstones(range: KeyRange, options: { signal?: AbortSignal } = {}): AsyncGenerator<KvTombstone> {
    return deletions(this.pool, range, options);
  }

  status(): Promise<SourceStatus> {
    return liveStatus(this.pool);
  }

  leases(): Promise<LeaseInfo[]> {
    return liveLeases(this.pool);
  }

  async close(): Promise<void> {
    this.pool.close();
  }
}

/**
 * Open a read-only source over a running etcd cluster. Without options it reads ETCDCTL_ENDPOINTS,
 * ETCDCTL_CACERT, ETCDCTL_CERT, ETCDCTL_KEY, ETCDCTL_USER (`user` or `user:password`), ETCDCTL_PASSWORD and
 * ETCDCTL_INSECURE_SKIP_TLS_VERIFY, like etcdctl, and defaults to 127.0.0.1:2379. It checks that a member
 * answers (one status call) and throws an {@link EtcdConnectionError} naming the endpoints tried, the
 * reason and what to do when none does.
 * @example
 * const etcd = await openLiveSource({ endpoints: 'https://10.0.0.5:2379', cacert: '/etc/kubernetes/pki/etcd/ca.crt',
 *   cert: '/etc/kubernetes/pki/apiserver-etcd-client.crt', key: '/etc/kubernetes/pki/apiserver-etcd-client.key' });
 * for await (const kv of etcd.range({ prefix: '/registry/pods/' }, { keysOnly: true })) console.log(kv.key.toString());
 */
export async function openLiveSource(options: LiveOptions = {}): Promise<KvSource> {
  const config = normaliseConfig(options);
  if (config.secure && config.insecureSkipVerify && config.serverName === undefined) await trustOnFirstUse(config);
  const source = new LiveEtcdSource(config);
  try {
    // With a user, ask for status, which any user may (a reader allowed only /registry/ may not read
    // key "\0"); the client logs in first, so a wrong password fails here. Without one, a one-key read
    // fails here if etcd has auth on (status would not).
    await poolOf(source)!.callFirstToAnswer<unknown>('Connecting to etcd', (client, callOptions) =>
      config.user !== undefined
        ? client.maintenance.status(callOptions)
        : client.kv.range({ key: NUL, keys_only: true, limit: 1 }, callOptions),
    );
  } catch (e) {
    await source.close();
    throw e;
  }
  return source;
}
