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
  ConflictError,
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
  toKubeYamlListItem,
  toKubectlJson,
  toKubectlYaml,
  toKubectlObject,
  toKubectlJsonItem,
  toKubectlYamlItem,
  modRevisionOf,
  MOD_REVISION,
  parseKubeJson,
  compactJson,
  sniffValue,
  canonicalQuantity,
  dumpProtoFields,
  loadEncryptionConfig,
  decryptValue,
  encryptValue,
  createProjector,
  getPath,
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
  KubectlFormatOptions,
  KubectlInput,
  KubectlItem,
  ProtoDumpField,
  SchemaOptions,
  SchemaSource,
  UnknownField,
  DecryptOptions,
  DecryptedValue,
  EncryptOptions,
  EncryptionConfig,
  EncryptionConfigInput,
  EncryptionKey,
  EncryptionProvider,
  EncryptionProviderType,
  EncryptionRule,
  ProjectOptions,
  Projected,
  Projector,
  ProjectorOptions,
} from './codec';

// Sources: bytes from storage
export { openSource } from './sources/open-source';
export type { SourceTarget } from './sources/open-source';
export { openEtcdWriter, openLiveSource } from './sources/live-etcd-source';
export type { CasResult, CasWriter, LiveOptions, WriteConsent } from './sources/live-etcd-source';
export { openFileSource } from './sources/open-file';
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
} from './kube/kube-client';
export { keyTree } from './kube/kube-tree';
export type { KeyTree, KeyTreeNode, TreeOptions } from './kube/kube-tree';
export { storageSizes } from './kube/kube-sizes';
export type { KubeSizes, LargestValue, MostRevisedKey, SizeGroup, SizesOptions } from './kube/kube-sizes';
export { deletedObjects, encodingCensus, sourceHashKV } from './kube/kube-forensics';
export type { DeletedObject, DeletedOptions, EncodingsOptions, KubeDeleted, KubeEncodings, ResourceEncodings } from './kube/kube-forensics';
export { DIFF_NOISE, diffKube, diffWith, isDiffNoise, streamDiff } from './kube/kube-diff';
export type { DiffCounts, DiffEntry, DiffOptions, DiffSide, DiffStreamItem, DiffTarget, KubeDiff } from './kube/kube-diff';
export { keyChurn, UNKNOWN_WRITER } from './kube/kube-churn';
export type { ChurnGroup, ChurnKey, ChurnOptions, ChurnUnknown, ChurnWriter, KubeChurn } from './kube/kube-churn';
export { clusterInfo } from './kube/kube-cluster-info';
export type { ClusterInfo, VersionEvidence, VersionSource } from './kube/kube-cluster-info';
export { readEtcdMetaBucket } from './sources/snapshot/meta-bucket';
export type { EtcdMetaBucket } from './sources/snapshot/meta-bucket';
export { removedKind, REMOVED_KINDS } from './codec/unknown-kind';
export type { RemovedKind } from './codec/unknown-kind';
export { findOrphans, objectOwners } from './kube/kube-owners';
export type { KubeOrphans, KubeOwners, OrphanedObject, OrphansOptions, OwnerNode, OwnerReference, OwnersOptions, StuckObject } from './kube/kube-owners';
export { watchResource } from './kube/kube-watch';
export type { KubeWatch, KubeWatchEvent, KubeWatchOptions } from './kube/kube-watch';
export { deleteKey, writeObject } from './kube/kube-write';
export type { DeleteKeyOptions, WriteObjectOptions, WriteSummary, WriteTarget } from './kube/kube-write';

// Rendering: data in, { html, text } out
export { renderTable, renderTableAsync, createTableBuilder } from './notebook/kind-tables';
export type { ColumnSource, TableBuilder, TableOptions } from './render/table';
export { renderJson } from './render/json-tree';
export type { JsonTreeOptions } from './render/json-tree';
export { renderYaml } from './render/yaml-view';
export { renderBarChart, renderHistogram, renderRevisionChart } from './render/charts';
export type { BarChartOptions, BarDatum, HistogramOptions, RevisionChartOptions, RevisionPoint } from './render/charts';
export { renderHexDump } from './render/hex-dump';
export type { HexDumpOptions } from './render/hex-dump';
export { renderKeyTree } from './render/key-tree';
export { renderOwnerGraph } from './render/owner-graph';
export type { OwnerGraphNode, OwnerGraphOptions } from './render/owner-graph';
export type { KeyTreeOptions } from './render/key-tree';
export { escapeAttr, escapeHtml, visibleText } from './render/escape';
export { humanDuration, shortHumanDuration } from './render/human-duration';
export { formatBytes } from './render/format-bytes';
export { podSummary } from './render/pod-status';
export type { PodSummary } from './render/pod-status';
export { PRINTED_KINDS } from './render/kube-printers';
export { kindPrinter } from './notebook/kind-tables';
export type { Rendered } from './render/rendered';
export { fromRawDump, toCsv, toJson, toRawDump, toYaml } from './render/export';
export { jsonListFormat, kubectlListFormat, listChunks, toJsonChunks, toYamlChunks, yamlListFormat } from './render/list-stream';
export type { JsonItemFormatter, JsonListFormatOptions, ListFormat, ListInput, ListWrapper, YamlItemFormatter, YamlListFormatOptions } from './render/list-stream';
export { writeChunks, writeList } from './render/write-list';
export type { ChunkSink, WriteListOptions } from './render/write-list';
export type {
  CsvColumn,
  CsvOptions,
  ExportList,
  JsonExportOptions,
  RawDump,
  RawDumpOptions,
  RawDumpRecord,
  RawRecordFacts,
  RawRecordInput,
} from './render/export';

// Notebook: the facade users touch in tslab
export { open, present, show, withDisplay, SOURCE_ENV } from './notebook';
export type { KubeTable, NotebookClient, OpenOptions, TableQueryOptions, Presentation, PresentHint, ProgressOptions, ShowOptions } from './notebook';

/** lodash, re-exported so a notebook needs one import: `import { _ } from 'kubetcd'`. */
export { _ };
