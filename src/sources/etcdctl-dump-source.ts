/**
 * A file of `etcdctl get --prefix -w json` output as a {@link KvSource}: the state of the dumped range at
 * the one revision in its header. 64-bit numbers (cluster and member ids, leases) are read from the text,
 * never through JavaScript numbers, so they stay exact.
 */
import * as fs from 'node:fs';
import {
  AbortedError,
  CompactedRevisionError,
  FutureRevisionError,
  InvalidArgumentError,
  SnapshotFormatError,
} from '../errors';
import { resolveKeyRange } from './snapshot/key-range';
import type {
  KeyRange,
  KvHistoryEntry,
  KvRecord,
  KvSource,
  LeaseInfo,
  RangeOptions,
  ReadOptions,
  SourceCapabilities,
  SourceStatus,
} from './types';

/** What a dump can do: read its one revision (value sizes known on keys-only reads), nothing more. */
const DUMP_CAPABILITIES: SourceCapabilities = Object.freeze({
  current: false,
  history: false,
  watch: false,
  valueBytesOnKeysOnly: true,
  mvccIndex: false,
  hashKV: false,
  tombstones: false,
  writes: false,
});

/** The header of an etcdctl JSON dump, numbers kept as decimal strings. */
export interface EtcdctlDumpHeader {
  clusterId: string;
  memberId: string;
  revision: number;
  raftTerm: number;
}

/**
 * Parse JSON text, turning every number into its decimal text (so 64-bit integers stay exact).
 * @example
 * parseJsonKeepingNumbers('{"id":14841639068965178418}') // { id: '14841639068965178418' }
 */
export function parseJsonKeepingNumbers(text: string): unknown {
  const quoted = text.replace(
    /("(?:[^"\\]|\\.)*")|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/g,
    (_m, str: string | undefined, num: string | undefined) => (str !== undefined ? str : `"${num}"`),
  );
  return JSON.parse(quoted);
}

function hexOf(decimal: string): string {
  try {
    return BigInt(decimal).toString(16);
  } catch {
    return decimal;
  }
}

/** A parsed dump, sorted by key. */
interface DumpRecord extends KvRecord {
  keyBuf: Buffer;
}

/**
 * An `etcdctl get --prefix -w json` dump held in memory.
 */
export class EtcdctlDumpSource implements KvSource {
  readonly kind = 'dump' as const;
  readonly capabilities = DUMP_CAPABILITIES;
  readonly origin: string;
  readonly header: EtcdctlDumpHeader;
  private records: DumpRecord[];

  /** @internal Use {@link openEtcdctlDumpSource} or {@link parseEtcdctlDump}. */
  constructor(origin: string, header: EtcdctlDumpHeader, records: DumpRecord[]) {
    this.origin = origin;
    this.header = header;
    this.records = records;
  }

  private pin(revision: number | undefined): void {
    const rev = this.header.revision;
    if (revision === undefined || revision === 0 || revision === rev) return;
    if (!Number.isSafeInteger(revision) || revision < 0) {
      throw new InvalidArgumentError(`Bad revision: ${revision}. Pass a positive integer, or omit { revision }.`);
    }
    if (revision > rev) {
      throw new FutureRevisionError(
        `Revision ${revision} is newer than the etcdctl dump "${this.origin}" (its revision: ${rev}). An etcdctl dump holds one revision: omit { revision } or pass ${rev}.`,
        {
          revision,
          currentRevision: rev,
        },
      );
    }
    throw new CompactedRevisionError(
      `Revision ${revision} is not in the etcdctl dump "${this.origin}": a dump holds only revision ${rev}. Omit { revision } or pass ${rev}; for history, read a snapshot or a live etcd.`,
      { revision, compactRevision: rev },
    );
  }

  private lowerBound(k: Buffer): number {
    let lo = 0;
    let hi = this.records.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (Buffer.compare((this.records[mid] as DumpRecord).keyBuf, k) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private span(range: KeyRange): [number, number] {
    const { start, end } = resolveKeyRange(range);
    return [this.lowerBound(start), end === undefined ? this.records.length : this.lowerBound(end)];
  }

  private static copy(r: DumpRecord, keysOnly: boolean): KvRecord {
    return {
      key: Buffer.from(r.key),
      value: keysOnly ? Buffer.alloc(0) : Buffer.from(r.value),
      createRevision: r.createRevision,
      modRevision: r.modRevision,
      version: r.version,
      lease: r.lease,
      valueBytes: r.valueBytes,
    };
  }

  /**
   * One key at the dump's revision.
   * @example
   * const kv = await dump.get('/registry/namespaces/default');
   */
  async get(key: string | Uint8Array, options: ReadOptions = {}): Promise<KvRecord | undefined> {
    this.pin(options.revision);
    const k = typeof key === 'string' ? Buffer.from(key) : Buffer.from(key);
    const i = this.lowerBound(k);
    const r = this.records[i];
    return r?.keyBuf.equals(k) ? EtcdctlDumpSource.copy(r, false) : undefined;
  }

  /**
   * Stream a range in key order.
   * @example
   * for await (const kv of dump.range({ prefix: '/registry/pods/' })) console.log(kv.key.toString());
   */
  async *range(range: KeyRange, options: RangeOptions = {}): AsyncGenerator<KvRecord> {
    this.pin(options.revision);
    const [from, to] = this.span(range);
    const limit = options.limit ?? Infinity;
    let records = 0;
    let valueBytes = 0;
    for (let i = from; i < to && records < limit; i++) {
      if (options.signal?.aborted) throw new AbortedError('range was cancelled by its AbortSignal.');
      const rec = EtcdctlDumpSource.copy(this.records[i] as DumpRecord, options.keysOnly === true);
      records++;
      valueBytes += rec.valueBytes;
      yield rec;
    }
    options.onProgress?.({ records, valueBytes, revision: this.header.revision });
  }

  /**
   * How many keys of a range the dump holds.
   * @example
   * await dump.count({ prefix: '' })
   */
  async count(range: KeyRange, options: ReadOptions = {}): Promise<number> {
    this.pin(options.revision);
    const [from, to] = this.span(range);
    return Math.max(0, to - from);
  }

  /**
   * The one revision a dump knows of the key (its state at the dump's revision).
   * @example
   * for await (const h of dump.history('/registry/pods/default/web')) console.log(h.modRevision);
   */
  async *history(key: string | Uint8Array): AsyncGenerator<KvHistoryEntry> {
    const kv = await this.get(key);
    if (kv) yield { ...kv, deleted: false };
  }

  /**
   * The header's revision, cluster and member ids.
   * @example
   * (await dump.status()).clusterId // 'cdf818194e3a8c32'
   */
  async status(): Promise<SourceStatus> {
    return {
      kind: 'dump',
      origin: this.origin,
      revision: this.header.revision,
      compactRevision: this.header.revision,
      clusterId: hexOf(this.header.clusterId),
      memberId: hexOf(this.header.memberId),
      members: [],
      raftTerm: this.header.raftTerm,
      keyCount: this.records.length,
    };
  }

  /**
   * The leases the dumped keys refer to (a dump does not hold TTLs: `ttlSeconds` is 0).
   * @example
   * (await dump.leases()).map((l) => l.id)
   */
  async leases(): Promise<LeaseInfo[]> {
    const byId = new Map<string, LeaseInfo>();
    for (const r of this.records) {
      if (r.lease === '0') continue;
      let l = byId.get(r.lease);
      if (!l) byId.set(r.lease, (l = { id: r.lease, ttlSeconds: 0, keys: [] }));
      l.keys?.push(Buffer.from(r.key));
    }
    return [...byId.values()];
  }

  /**
   * Drop the records. Safe to call twice.
   * @example
   * await dump.close();
   */
  async close(): Promise<void> {
    this.records = [];
  }
}

function safeInt(v: unknown, what: string, origin: string): number {
  if (v === undefined || v === null) return 0;
  const n = typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n)) {
    throw new SnapshotFormatError(
      `Cannot read "${origin}" as an etcdctl JSON dump: ${what} is ${JSON.stringify(v)}, not an integer. Pass the output of "etcdctl get --prefix -w json".`,
    );
  }
  return n;
}

function base64(v: unknown, what: string, origin: string): Buffer {
  if (v === undefined || v === null) return Buffer.alloc(0);
  if (typeof v !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(v)) {
    throw new SnapshotFormatError(
      `Cannot read "${origin}" as an etcdctl JSON dump: ${what} is not base64. Pass the output of "etcdctl get --prefix -w json".`,
    );
  }
  return Buffer.from(v, 'base64');
}

/**
 * Parse the text of `etcdctl get --prefix -w json` into a source.
 * @example
 * const dump = parseEtcdctlDump(execSync('etcdctl get / --prefix -w json').toString(), 'live dump');
 */
export function parseEtcdctlDump(text: string, origin = 'etcdctl dump'): EtcdctlDumpSource {
  let doc: unknown;
  try {
    doc = parseJsonKeepingNumbers(text);
  } catch (e) {
    throw new SnapshotFormatError(
      `Cannot read "${origin}" as an etcdctl JSON dump: ${(e as Error).message}. Pass the output of "etcdctl get --prefix -w json".`,
      { path: origin },
      { cause: e },
    );
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new SnapshotFormatError(
      `Cannot read "${origin}" as an etcdctl JSON dump: the text is not a JSON object. Pass the output of "etcdctl get --prefix -w json".`,
      { path: origin },
    );
  }
  const o = doc as Record<string, unknown>;
  const h = o.header as Record<string, unknown> | undefined;
  if (!h || typeof h !== 'object' || h.revision === undefined) {
    throw new SnapshotFormatError(
      `Cannot read "${origin}" as an etcdctl JSON dump: no header.revision. Pass the output of "etcdctl get --prefix -w json".`,
      { path: origin },
    );
  }
  const idText = (v: unknown): string => (typeof v === 'string' && /^\d+$/.test(v) ? v : '0');
  const header: EtcdctlDumpHeader = {
    clusterId: idText(h.cluster_id),
    memberId: idText(h.member_id),
    revision: safeInt(h.revision, 'header.revision', origin),
    raftTerm: safeInt(h.raft_term, 'header.raft_term', origin),
  };
  const kvs = o.kvs ?? [];
  if (!Array.isArray(kvs))
    throw new SnapshotFormatError(`Cannot read "${origin}" as an etcdctl JSON dump: "kvs" is not an array.`, {
      path: origin,
    });
  const records: DumpRecord[] = kvs.map((raw: unknown, i: number) => {
    if (!raw || typeof raw !== 'object')
      throw new SnapshotFormatError(`Cannot read "${origin}" as an etcdctl JSON dump: kvs[${i}] is not an object.`, {
        path: origin,
      });
    const kv = raw as Record<string, unknown>;
    const key = base64(kv.key, `kvs[${i}].key`, origin);
    const value = base64(kv.value, `kvs[${i}].value`, origin);
    const lease = kv.lease === undefined ? '0' : String(kv.lease);
    if (!/^-?\d+$/.test(lease))
      throw new SnapshotFormatError(
        `Cannot read "${origin}" as an etcdctl JSON dump: kvs[${i}].lease is ${JSON.stringify(kv.lease)}.`,
        { path: origin },
      );
    return {
      keyBuf: key,
      key,
      value,
      createRevision: safeInt(kv.create_revision, `kvs[${i}].create_revision`, origin),
      modRevision: safeInt(kv.mod_revision, `kvs[${i}].mod_revision`, origin),
      version: safeInt(kv.version, `kvs[${i}].version`, origin),
      lease: BigInt(lease).toString(),
      valueBytes: value.length,
    };
  });
  records.sort((a, b) => Buffer.compare(a.keyBuf, b.keyBuf));
  return new EtcdctlDumpSource(origin, header, records);
}

/**
 * Open a file holding `etcdctl get --prefix -w json` output.
 * @example
 * const dump = await openEtcdctlDumpSource('./dump.json');
 */
export async function openEtcdctlDumpSource(path: string): Promise<EtcdctlDumpSource> {
  const text = await fs.promises.readFile(path, 'utf8');
  return parseEtcdctlDump(text, path);
}
