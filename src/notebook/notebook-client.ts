/**
 * The notebook's entry point: `open()` a live etcd or a snapshot and get the KubeClient API whose results
 * display themselves in tslab (HTML with a text twin) and print kubectl-like text in plain Node, with
 * progress of long reads shown in place. Every KubeClient method passes through, including ones added later.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as util from 'node:util';
import { InvalidArgumentError } from '../errors';
import {
  openKube,
  type KubeClient,
  type KubeList,
  type KubeOptions,
  type ListError,
  type ListOptions,
} from '../kube/kube-client';
import type { Rendered } from '../render/rendered';
import { createTableBuilder, noResourcesMessage, type ColumnSource } from '../render/table';
import { openSource, type SourceOptions, type SourceTarget } from '../sources/open-source';
import { checkOptionNames, FILE_OPTION_NAMES, LIVE_OPTION_NAMES } from '../sources/source-options';
import type { KvSource } from '../sources/types';
import { show, withDisplay, type PresentHint, type ShowOptions } from './present';
import { renderers } from './renderers';
import { clockCaption, dataClock, type DataClock } from '../kube/data-clock';
import { ProgressReporter, withReadProgress, type ProgressOptions } from './progress';
import { inTslab } from './tslab-display';

/** Options of {@link open}. Every field is optional. */
export interface OpenOptions extends KubeOptions, SourceOptions {
  /** Progress of long reads shown in place in the notebook (default on inside tslab; never shown outside). */
  progress?: boolean | ProgressOptions;
  /**
   * "Now" for the ages in tables. Default: this machine's clock for a live etcd; for a snapshot, the newest
   * Lease renewal it holds, so an old backup shows ages as the cluster saw them (captions say which).
   * `'clock'` always uses this machine's clock.
   */
  now?: Date | 'clock';
}

/** Options of {@link NotebookClient.table}: a list's filters plus the table's look. */
export interface TableQueryOptions extends ListOptions {
  /** kubectl's `-o wide` columns. */
  wide?: boolean;
  /** Custom columns, header → dotted path or function (`{ NODE: 'spec.nodeName' }`). */
  columns?: Record<string, ColumnSource>;
  /** Rows shown before the table is cut to head and tail (default 50; every row is still read). */
  maxRows?: number;
  /** "Now", for ages (default: the clock). */
  now?: Date;
}

/** What {@link NotebookClient.table} returns: the rendered table and what was read. */
export interface KubeTable extends Rendered {
  resource: string;
  /** Objects in the table. */
  rows: number;
  /** Values that could not be decoded (not in the table; listed under it, first 20). */
  errors: ListError[];
  errorCount: number;
  revision: number;
  etcdctl: string;
  truncated: boolean;
  truncatedReason?: string;
}

/** A KubeClient for notebooks: the same methods, results that display themselves, and `close()`. */
export type NotebookClient = Omit<KubeClient, 'list'> & {
  /**
   * A kubectl table of a resource, streamed: objects are rendered as they are read and never kept, so a
   * table of 300 000 pods needs no more memory than one page (unlike `list()`, which keeps every object).
   */
  table(resource: string, options?: TableQueryOptions): Promise<KubeTable>;
  /** {@link KubeClient.list}; `wide` adds columns to the table it displays as. */
  list(resource: string, options?: ListOptions & { wide?: boolean }): Promise<KubeList>;
  /** Displays any value (a result, a list, lodash output) as {@link show} does. */
  show(value: unknown, options?: ShowOptions): Promise<void>;
  /** Closes the source (an etcd connection or a snapshot file). Call it at the end of a notebook. */
  close(): Promise<void>;
};

/** The environment variable `open()` reads when given no target: a snapshot path or etcd endpoints. */
export const SOURCE_ENV = 'KUBETCD_SOURCE';

/** Every option name open() takes: its own, the Kubernetes layer's, and a source's of either kind. */
const OWN_OPTION_NAMES = ['progress', 'now', 'prefix', 'encryptionConfig'] as const;
const OPEN_OPTION_NAMES: readonly string[] = [
  ...OWN_OPTION_NAMES,
  ...FILE_OPTION_NAMES,
  ...LIVE_OPTION_NAMES.filter((n) => n !== 'endpoints'),
];
// An option added to OpenOptions (or KubeOptions) and not named above fails the build, instead of being
// refused at run time as unknown.
type UnnamedOpenOption = Exclude<
  keyof OpenOptions,
  (typeof OWN_OPTION_NAMES)[number] | (typeof FILE_OPTION_NAMES)[number] | (typeof LIVE_OPTION_NAMES)[number]
>;
const openOptionsComplete: UnnamedOpenOption extends never ? true : never = true;
void openOptionsComplete;

const INDEX_NOTICE_BYTES = 16 * 1024 * 1024;

function fileOf(target: SourceTarget): string | undefined {
  if (typeof target === 'string') return fs.existsSync(target.trim()) ? target.trim() : undefined;
  if (
    target !== null &&
    typeof target === 'object' &&
    !Array.isArray(target) &&
    'file' in target &&
    typeof target.file === 'string'
  )
    return target.file;
  return undefined;
}

function describeSource(source: KvSource): string {
  return source.kind === 'live' ? `live etcd ${source.origin}` : `${source.kind} ${source.origin}`;
}

/**
 * Opens a live etcd or a snapshot file for a notebook. With no target it reads `$KUBETCD_SOURCE` (a
 * snapshot path or endpoints), else the `ETCDCTL_*` variables (default `127.0.0.1:2379`).
 * @example
 * const k = await open('./etcd-backup.db');
 * await k.list('pods', { namespace: 'default' }) // the last expression of a cell: a table
 * await k.close();
 */
export async function open(target?: SourceTarget, options: OpenOptions = {}): Promise<NotebookClient> {
  if (options === null || typeof options !== 'object') {
    throw new InvalidArgumentError(
      `Invalid open() options: ${JSON.stringify(options)}. Pass an object such as { prefix: '/registry' } or omit it.`,
    );
  }
  checkOptionNames('open()', options, OPEN_OPTION_NAMES);
  const envTarget = process.env[SOURCE_ENV];
  const chosen: SourceTarget = target ?? (envTarget !== undefined && envTarget.trim() !== '' ? envTarget : undefined);
  const progressOn = options.progress !== false && inTslab();
  const progressOptions: ProgressOptions =
    typeof options.progress === 'object' && options.progress !== null ? options.progress : {};
  const file = fileOf(chosen);
  let notice: ProgressReporter | undefined;
  let fileBytes = 0;
  if (progressOn && file !== undefined) {
    fileBytes = fs.statSync(file).size;
    if (fileBytes >= INDEX_NOTICE_BYTES || progressOptions.delayMs === 0) {
      notice = new ProgressReporter({ ...progressOptions, delayMs: 0 });
      notice.update(`Indexing ${path.basename(file)} (${(fileBytes / 1024 / 1024).toFixed(1)} MB)…`, true);
      // Let the message leave before the index is built (synchronous work).
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
  const { progress: _progress, now, prefix, encryptionConfig, ...sourceOptions } = options;
  if (now !== undefined && now !== 'clock' && !(now instanceof Date && Number.isFinite(now.getTime()))) {
    throw new InvalidArgumentError(
      `Invalid open() option now: ${String(now)}. Pass a Date (new Date('2024-05-01T10:00:00Z')), 'clock' for this machine's clock, or omit it.`,
    );
  }
  const raw = await openSource(chosen, sourceOptions);
  let kube: KubeClient;
  try {
    const kubeOptions: KubeOptions = {};
    if (prefix !== undefined) kubeOptions.prefix = prefix;
    if (encryptionConfig !== undefined) kubeOptions.encryptionConfig = encryptionConfig;
    kube = await openKube(progressOn ? withReadProgress(raw, progressOptions) : raw, kubeOptions);
  } catch (e) {
    await raw.close();
    throw e;
  }
  notice?.finish(
    `Opened ${path.basename(file ?? '')}: ${(fileBytes / 1024 / 1024).toFixed(1)} MB indexed in ${notice.seconds()} s`,
  );
  let clock: DataClock | undefined;
  if (now instanceof Date) clock = { now, from: 'the time given to open()' };
  else if (now === undefined && !raw.capabilities.current) {
    try {
      clock = await dataClock(kube);
    } catch (e) {
      await raw.close();
      throw e;
    }
  }
  return notebookClient(kube, raw, clock);
}

function notebookClient(kube: KubeClient, raw: KvSource, clock: DataClock | undefined): NotebookClient {
  const clockHint: PresentHint = clock !== undefined ? { now: clock.now, clock: clockCaption(clock) } : {};
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await raw.close();
  };
  const summary = (): string =>
    `kubetcd: ${describeSource(raw)}, prefix ${kube.prefix}, ${kube.customResources.length} custom resource${kube.customResources.length === 1 ? '' : 's'}${closed ? ' (closed)' : ''}`;
  // Every KubeClient member, present or added later, passes through this proxy; async results are marked
  // to display themselves.
  const delegate = new Proxy(kube, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      const method = value as (...args: unknown[]) => unknown;
      return (...args: unknown[]): unknown => {
        const result = method.apply(target, args);
        if (result instanceof Promise) {
          const options = args.find((a, i) => i > 0 && a !== null && typeof a === 'object' && !Array.isArray(a)) as
            | { wide?: boolean }
            | undefined;
          return result.then((v: unknown) =>
            withDisplay(v, {
              ...clockHint,
              method: String(prop),
              args,
              ...(options?.wide !== undefined ? { wide: options.wide } : {}),
            }),
          );
        }
        return result;
      };
    },
  });
  // The client itself is an ordinary object on top of the proxy (util.inspect looks through proxies).
  const client = Object.create(delegate) as Record<PropertyKey, unknown>;
  Object.defineProperty(client, 'close', { value: close });
  Object.defineProperty(client, 'table', {
    value: async (resource: string, options: TableQueryOptions = {}): Promise<KubeTable> => {
      if (options === null || typeof options !== 'object' || Array.isArray(options)) {
        throw new InvalidArgumentError(
          `Invalid table() options: ${JSON.stringify(options)}. Pass an object such as { namespace: 'default', wide: true } or omit it.`,
        );
      }
      const { wide, columns, maxRows, now, ...listOptions } = options;
      const info = kube.resolve(resource);
      const builder = createTableBuilder({
        kind: info.kind !== '' ? info.kind : resource,
        now: now ?? clock?.now ?? new Date(),
        ...(wide !== undefined ? { wide } : {}),
        ...(columns !== undefined ? { columns } : {}),
        ...(maxRows !== undefined ? { maxRows } : {}),
        emptyMessage: noResourcesMessage(
          info.namespaced && typeof listOptions.namespace === 'string' ? listOptions.namespace : undefined,
        ),
      });
      // Only what the columns read is decoded (a projection), unless a `where` predicate needs whole objects.
      const stream = kube.stream(
        resource,
        builder.paths !== undefined ? { ...listOptions, paths: builder.paths } : listOptions,
      );
      let rows = 0;
      let errorCount = 0;
      const errors: ListError[] = [];
      for await (const entry of stream) {
        if (entry.object !== undefined) {
          builder.add(entry.object);
          rows++;
        }
        if (entry.error !== undefined) {
          errorCount++;
          if (errors.length < 20) errors.push(entry.error);
        }
      }
      const built = builder.finish();
      const rendered =
        now === undefined && clock !== undefined
          ? { ...built, ...renderers.caption(built, clockCaption(clock)) }
          : built;
      const table: KubeTable = {
        ...rendered,
        resource: info.resource,
        rows,
        errors,
        errorCount,
        revision: stream.revision,
        etcdctl: stream.etcdctl,
        truncated: stream.truncated,
        ...(stream.truncatedReason !== undefined ? { truncatedReason: stream.truncatedReason } : {}),
      };
      return withDisplay(table, { method: 'table', args: [resource, options] });
    },
  });
  Object.defineProperty(client, 'show', { value: show });
  Object.defineProperty(client, util.inspect.custom, { value: summary });
  return client as unknown as NotebookClient;
}
