/**
 * The Kubernetes floor's public surface (`kube` in the package): resources, keys and selectors, and the
 * verbs over a source (openKube and the free functions its client delegates to).
 * @example
 * const k = await kube.openKube(await sources.openSource('./etcd-backup.db')); (await k.list('pods')).items.length;
 */
export { builtinResources, resolveResource, resourcesFromCrd } from './resources';
export type { ResourceInfo } from './resources';
export { DEFAULT_ETCD_PREFIX, detectEtcdPrefix, keyFor, listPrefixFor, parseKey } from './keys';
export type { ParsedKey } from './keys';
export { labelSelectorFromObject, parseLabelSelector } from './label-selector';
export type { LabelSelector } from './label-selector';
export { parseFieldSelector } from './field-selector';
export type { FieldSelector } from './field-selector';
export { openKube } from './kube-client';
export type {
  CountOptions,
  EncryptedEntry,
  GetOptions,
  KubeClient,
  KubeContext,
  KubeCount,
  KubeGetResult,
  KubeList,
  KubeOptions,
  ListError,
  ListOptions,
  StoredResource,
  WherePredicate,
  KubeStream,
  KubeStreamEntry,
} from './kube-client';
export { keyTree } from './kube-tree';
export type { KeyTree, KeyTreeNode, TreeOptions } from './kube-tree';
export { storageSizes } from './kube-sizes';
export type { KubeSizes, LargestValue, MostRevisedKey, SizeGroup, SizesOptions } from './kube-sizes';
export { deletedObjects, encodingCensus, sourceHashKV } from './kube-forensics';
export type {
  DeletedObject,
  DeletedOptions,
  EncodingsOptions,
  KubeDeleted,
  KubeEncodings,
  ResourceEncodings,
} from './kube-forensics';
export { DIFF_NOISE, diffKube, diffWith, isDiffNoise, streamDiff } from './kube-diff';
export type { DiffCounts, DiffEntry, DiffOptions, DiffSide, DiffStreamItem, DiffTarget, KubeDiff } from './kube-diff';
export { keyChurn, UNKNOWN_WRITER } from './kube-churn';
export type { ChurnGroup, ChurnKey, ChurnOptions, ChurnUnknown, ChurnWriter, KubeChurn } from './kube-churn';
export { clusterInfo } from './kube-cluster-info';
export type { ClusterInfo, VersionEvidence, VersionSource } from './kube-cluster-info';
export { findOrphans, objectOwners } from './kube-owners';
export type {
  KubeOrphans,
  KubeOwners,
  OrphanedObject,
  OrphansOptions,
  OwnerNode,
  OwnerReference,
  OwnersOptions,
  StuckObject,
} from './kube-owners';
export { watchResource } from './kube-watch';
export type { KubeWatch, KubeWatchEvent, KubeWatchOptions } from './kube-watch';
export { deleteKey, writeObject } from './kube-write';
export type { DeleteKeyOptions, WriteObjectOptions, WriteSummary, WriteTarget } from './kube-write';
