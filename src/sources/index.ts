/**
 * The sources floor's public surface (`sources` in the package): bytes from storage, with no Kubernetes.
 * One KvSource interface over live etcd, snapshot or member db files, and etcdctl JSON dumps.
 * @example
 * const s = await sources.openSource('./etcd-backup.db'); (await s.status()).revision;
 */
export { openSource } from './open-source';
export type { SourceTarget } from './open-source';
export { openEtcdWriter, openLiveSource } from './live-etcd-source';
export type { CasResult, CasWriter, LiveOptions, WriteConsent } from './live-etcd-source';
export { openFileSource } from './open-file';
export type {
  HashKvOptions,
  KeyRange,
  KvTombstone,
  KvHash,
  KvHistoryEntry,
  KvRecord,
  KvSource,
  LeaseInfo,
  MemberInfo,
  RangeOptions,
  ReadOptions,
  SourceCapabilities,
  SourceStatus,
} from './types';

export { readEtcdMetaBucket } from './snapshot/meta-bucket';
export type { EtcdMetaBucket } from './snapshot/meta-bucket';
export { checkSnapshotFile } from './snapshot/snapshot-check';
