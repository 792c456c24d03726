/**
 * kubetcd: explore the Kubernetes data kept in etcd.
 *
 * The public surface. At the top, what a notebook reaches for: `open`, `show`, `decode`, `encode`,
 * `toKubeJson`, `toKubeYaml`, the error classes and lodash's `_`. The floors are namespaces: `codec`
 * (bytes <-> objects), `sources` (bytes from storage), `kube` (Kubernetes over a source), `render` (pure
 * views) and `notebook` (display helpers). In a tslab notebook:
 * `import { open, show, _ } from 'kubetcd'` (or `from '../dist'` next to the repository).
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

// Codec: the calls a notebook uses most, and the types of their results
export { decode, encode, toKubeJson, toKubeYaml } from './codec';
export type { Decoded, DecodeOptions, EncodeOptions, KubeObject } from './codec';

// Notebook: the facade users touch in tslab
export { open, show } from './notebook';
export type { KubeTable, NotebookClient, OpenOptions, ShowOptions, TableQueryOptions } from './notebook';
export type { KubeClient } from './kube/kube-client';

// The floors, as namespaces: `codec.loadSchema()`, `sources.openSource()`, `kube.openKube()`, `render.renderTable()`
export * as codec from './codec';
export * as sources from './sources';
export * as kube from './kube';
export * as render from './notebook/render-surface';
export * as notebook from './notebook';

/** lodash, re-exported so a notebook needs one import: `import { _ } from 'kubetcd'`. */
export { _ };
