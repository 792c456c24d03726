/**
 * The one interface every storage source implements: a live etcd cluster, an etcd snapshot / bbolt
 * db file, or an `etcdctl get -w json` dump. This floor knows etcd, not Kubernetes: bytes in, bytes out.
 */
import type { MvccIndex } from './snapshot/mvcc-index';

/** One key's state at a revision, as etcd's `mvccpb.KeyValue` holds it. */
export interface KvRecord {
  /**
   * The key's bytes. Kubernetes keys are UTF-8, but etcd allows any bytes. Like `value`, it may be a view
   * into the source's own buffers (a gRPC page, a snapshot's index): copy it before changing it.
   */
  key: Uint8Array;
  /** The value's bytes (empty for keys-only reads and tombstones). */
  value: Uint8Array;
  /** Revision of the transaction that created this key (since its last deletion). */
  createRevision: number;
  /** Revision of the transaction that last modified this key. */
  modRevision: number;
  /** Number of modifications since creation (1 after creation). 0 for a tombstone. */
  version: number;
  /** The etcd lease attached to the key, as a decimal string; "0" when none (int64: kept exact). */
  lease: string;
  /** Size of the stored value in bytes (set also for keys-only reads where the source knows it). */
  valueBytes: number;
}

/** One kept revision of one key, oldest first in {@link KvSource.history}. */
export interface KvHistoryEntry extends KvRecord {
  /** True when this revision deleted the key (a tombstone: value empty, version 0, createRevision 0). */
  deleted: boolean;
}

/**
 * A key range. Keys are strings (UTF-8) or bytes.
 * - `{ prefix }`: every key starting with `prefix` (etcd's `--prefix`; the empty prefix means all keys).
 * - `{ start, end }`: keys in `[start, end)`; without `end`, every key from `start` to the end of the
 *   keyspace.
 */
export type KeyRange = { prefix: string | Uint8Array } | { start: string | Uint8Array; end?: string | Uint8Array };

/** Options of a range read. Every field is optional. */
export interface RangeOptions {
  /** Read the state at this etcd revision (default: the latest). */
  revision?: number | undefined;
  /** Return keys and metadata only (`value` empty). */
  keysOnly?: boolean | undefined;
  /** Stop after this many records. */
  limit?: number | undefined;
  /** Cancel the read; the iterator then throws an `AbortedError`. */
  signal?: AbortSignal | undefined;
  /** Called now and then with how far the read has come. */
  onProgress?: ((progress: RangeProgress) => void) | undefined;
  /**
   * Values may be views that are valid only until the next record is asked for (then reused or emptied):
   * for readers that decode each value at once, and copy what they keep. Saves a copy of every value on
   * snapshots; other sources ignore it.
   */
  transientValues?: boolean | undefined;
}

/** How far a range read has come (see RangeOptions.onProgress). */
export interface RangeProgress {
  records: number;
  valueBytes: number;
  /** The revision the whole read is pinned to. */
  revision: number;
  /**
   * How often the read moved to a newer revision because its revision was compacted mid-read (live
   * etcd only; done only when every record already returned is unchanged at the new revision).
   */
  restarts?: number;
}

/** Options of a point read or a count. */
export interface ReadOptions {
  revision?: number | undefined;
  signal?: AbortSignal | undefined;
}

/** A member of the etcd cluster the source came from. */
export interface MemberInfo {
  /** Member id as a hex string (as etcdctl prints it). */
  id: string;
  name: string;
  peerUrls: string[];
  clientUrls: string[];
  isLearner?: boolean;
}

/** A lease as etcd keeps it. */
export interface LeaseInfo {
  /** Lease id as a decimal string (int64, kept exact). */
  id: string;
  /** Granted TTL in seconds. */
  ttlSeconds: number;
  /** Seconds left: live etcd only (a snapshot has no clock); undefined when unknown. */
  remainingSeconds?: number;
  /** Keys attached to the lease, when the source knows them. */
  keys?: Uint8Array[];
}

/** What a source says about itself. */
export interface SourceStatus {
  /** 'live' (an etcd cluster), 'snapshot' (a bbolt file) or 'dump' (an `etcdctl -w json` file). */
  kind: 'live' | 'snapshot' | 'dump';
  /** Human-readable origin: endpoints or file path (never credentials). */
  origin: string;
  /** The latest revision. */
  revision: number;
  /** The revision up to which history was compacted (reads below it are refused); 0 if never. */
  compactRevision: number;
  /** Cluster id as a hex string, when known. */
  clusterId?: string;
  /** Member id (hex) of the member answering, when known. */
  memberId?: string;
  members: MemberInfo[];
  /** etcd cluster version (e.g. "3.4.0"), when known. */
  clusterVersion?: string;
  /** etcd server version of the answering member (live only). */
  serverVersion?: string;
  /** Size of the backend database in bytes, when known. */
  dbSizeBytes?: number;
  /** Raft term, when known. */
  raftTerm?: number;
  /** Index of the last applied raft entry (etcd's consistent index), when known. */
  consistentIndex?: number;
  /** Number of keys at the latest revision, when cheap to know. */
  keyCount?: number;
}

/** Options of {@link KvSource.watch}. Every field is optional. */
export interface WatchOptions {
  /**
   * Replay every change from this revision on (inclusive: etcd's `start_revision`), then go on live.
   * Default: only changes made after the watch started. To continue a listing made at revision R, pass R + 1.
   */
  fromRevision?: number;
  /** Stop the watch: the gRPC watch is closed and the iterator throws an `AbortedError`. */
  signal?: AbortSignal;
}

/** One change seen by {@link KvSource.watch}, in revision order. */
export interface KvWatchEvent {
  /** `put` (a creation or an update) or `delete` (also a lease expiry). */
  type: 'put' | 'delete';
  /**
   * The key's state after the change. For a delete: `modRevision` is the deleting revision, the value
   * is empty and `version` and `createRevision` are 0 (a tombstone).
   */
  record: KvRecord;
  /** The key's state before the change, when etcd still had it (absent for creations). */
  previous?: KvRecord;
  /**
   * On the first event after the watch moved to another member (the one it watched failed or hung):
   * from where to where, why, and the revision it resumed at (nothing before it was lost or repeated).
   */
  resumed?: { from: string; to: string; reason: string; revision: number };
}

/** Options of {@link KvSource.hashKV}. Every field is optional. */
export interface HashKvOptions {
  /** Hash the key bucket up to this revision (default 0: the latest), as `etcdctl endpoint hashkv --rev`. */
  revision?: number | undefined;
  signal?: AbortSignal | undefined;
}

/** What etcd's HashKV RPC (`etcdctl endpoint hashkv`) reports. */
export interface KvHash {
  /** CRC-32C (Castagnoli) over etcd's `key` bucket up to `hashRevision`, as an unsigned 32-bit number. */
  hash: number;
  /** The store's compaction revision when the hash began; -1 when it was never compacted. */
  compactRevision: number;
  /** The revision the hash covers up to (the one asked for, or the latest). */
  hashRevision: number;
  /** The store's latest revision (the response header's `revision`). */
  revision: number;
  /** The member that answered (hex), when known. */
  memberId?: string;
}

/** One deletion the source still keeps (a tombstone), from {@link KvSource.tombstones}. */
export interface KvTombstone {
  key: Uint8Array;
  /** The revision of the delete. */
  revision: number;
  /** The key's last state before the delete (its value included), when the source still holds it. */
  previous?: KvRecord;
}

/**
 * What a source can do, declared by the source itself (so callers never guess from {@link KvSource.kind}).
 * Live etcd: everything but an MVCC index and value sizes on keys-only reads; a snapshot: every read and an
 * index, nothing that changes; an etcdctl dump: one revision of keys and values.
 * @example
 * const source = await openSource('./backup.db');
 * if (source.capabilities.watch) for await (const e of source.watch!({ prefix: '/registry/pods/' })) console.log(e.type);
 */
export interface SourceCapabilities {
  /** The data is the cluster's current state and moves on while it is read (live etcd): ages use this machine's clock. */
  readonly current: boolean;
  /** Reads at older revisions and each key's kept history, beyond one revision. */
  readonly history: boolean;
  /** {@link KvSource.watch}: changes as they happen. */
  readonly watch: boolean;
  /** Keys-only reads still report each record's `valueBytes` (the sizes are known without reading values). */
  readonly valueBytesOnKeysOnly: boolean;
  /** {@link KvSource.mvccIndex}: an in-memory index of every kept revision, for passes that read no values. */
  readonly mvccIndex: boolean;
  /** {@link KvSource.hashKV}: etcd's hash of the key bucket. */
  readonly hashKV: boolean;
  /** {@link KvSource.tombstones}: the deletions the source still keeps. */
  readonly tombstones: boolean;
  /** The store can be written (through `openEtcdWriter`, with explicit consent). */
  readonly writes: boolean;
}

/**
 * The interface shared by live etcd and snapshot files. Records come in key order (bytewise).
 * Every read of one `range()` call is pinned to one revision, so a listing is consistent.
 */
export interface KvSource {
  readonly kind: 'live' | 'snapshot' | 'dump';
  /** What this source can do. */
  readonly capabilities: SourceCapabilities;
  /** Endpoints or file path, for messages (never credentials). */
  readonly origin: string;
  /** One key at the latest revision or at `revision`; undefined when absent (or deleted). */
  get(key: string | Uint8Array, options?: ReadOptions): Promise<KvRecord | undefined>;
  /** Stream the records of a range, in key order, all at one revision. */
  range(range: KeyRange, options?: RangeOptions): AsyncIterable<KvRecord>;
  /** How many keys a range holds at a revision. */
  count(range: KeyRange, options?: ReadOptions): Promise<number>;
  /** Every kept revision of one key, oldest first, tombstones included. */
  history(key: string | Uint8Array, options?: { signal?: AbortSignal }): AsyncIterable<KvHistoryEntry>;
  /**
   * Changes to a range as they happen (live etcd only; snapshots and dumps have no such method). Ends
   * only by an error, `signal`, or the caller leaving the loop (`return()` closes the gRPC watch).
   */
  watch?(range: KeyRange, options?: WatchOptions): AsyncIterable<KvWatchEvent>;
  /**
   * Every delete of a key in the range that the source still keeps (its tombstone: deletes at or before
   * the compaction revision are gone), in key order, each key's oldest first, with the state before it.
   */
  tombstones?(range: KeyRange, options?: { signal?: AbortSignal }): AsyncIterable<KvTombstone>;
  /**
   * etcd's HashKV: the CRC-32C of the MVCC key bucket up to a revision, the number `etcdctl endpoint
   * hashkv` prints (live etcd asks the member; a snapshot computes it as etcd does; a dump cannot).
   */
  hashKV?(options?: HashKvOptions): Promise<KvHash>;
  /** Snapshots: the MVCC index of every kept revision (built on first use; see {@link SourceCapabilities.mvccIndex}). */
  mvccIndex?(signal?: AbortSignal): MvccIndex;
  /** Revision, compaction, cluster and member information. */
  status(): Promise<SourceStatus>;
  /** The leases etcd holds. */
  leases(): Promise<LeaseInfo[]>;
  /**
   * Snapshot files: the verdict of a SHA-256 trailer check still running in a worker (undefined: the file
   * matched, or nothing was checked). See SnapshotSourceOptions.hashCheck.
   */
  hashVerdict?(): Promise<Error | undefined>;
  /** Release connections, file handles and indexes. Safe to call twice. */
  close(): Promise<void>;
}
