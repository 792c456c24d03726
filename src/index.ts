/**
 * kubetcd — explore the Kubernetes data kept in etcd.
 *
 * The public surface only. In a tslab notebook: `import { decode, openSource, _ } from 'kubetcd'`
 * (or `from '../dist'` next to the repository).
 */
import _ from 'lodash';

// Errors
export {
  AbortedError,
  CompactedRevisionError,
  DecodeError,
  EncodeError,
  EtcdConnectionError,
  FutureRevisionError,
  InvalidArgumentError,
  KubetcdError,
  NotFoundError,
  SchemaError,
  SnapshotFormatError,
  isKubetcdError,
} from './errors';

// Codec: bytes <-> objects
export {
  createCodec,
  decode,
  encode,
  loadSchema,
  toKubeJson,
  toKubeYaml,
  parseKubeJson,
  compactJson,
  sniffValue,
  canonicalQuantity,
  dumpProtoFields,
} from './codec';
export type {
  Codec,
  CodecOptions,
  CompiledSchema,
  Decoded,
  DecodeOptions,
  EncodeOptions,
  Encoding,
  EncryptionInfo,
  KubeObject,
  ProtoDumpField,
  SchemaOptions,
  UnknownField,
} from './codec';

// Sources: bytes from storage
export { openSource } from './sources/open-source';
export type { SourceTarget } from './sources/open-source';
export { openLiveSource } from './sources/live-etcd-source';
export type { LiveOptions } from './sources/live-etcd-source';
export { openFileSource } from './sources/open-file';
export type {
  KeyRange,
  KvHistoryEntry,
  KvRecord,
  KvSource,
  LeaseInfo,
  MemberInfo,
  RangeOptions,
  ReadOptions,
  SourceStatus,
} from './sources/types';

// Kubernetes: resources, keys, selectors
export { builtinResources, resolveResource, resourcesFromCrd } from './kube/resources';
export type { ResourceInfo } from './kube/resources';
export { DEFAULT_ETCD_PREFIX, detectEtcdPrefix, keyFor, listPrefixFor, parseKey } from './kube/keys';
export type { ParsedKey } from './kube/keys';
export { labelSelectorFromObject, parseLabelSelector } from './kube/label-selector';
export type { LabelSelector } from './kube/label-selector';
export { parseFieldSelector } from './kube/field-selector';
export type { FieldSelector } from './kube/field-selector';
export { openKube } from './kube/kube-client';
export type {
  CountOptions,
  EncryptedEntry,
  GetOptions,
  KubeClient,
  KubeCount,
  KubeGetResult,
  KubeList,
  KubeOptions,
  ListError,
  ListOptions,
  StoredResource,
  WherePredicate,
} from './kube/kube-client';

/** lodash, re-exported so a notebook needs one import: `import { _ } from 'kubetcd'`. */
export { _ };
