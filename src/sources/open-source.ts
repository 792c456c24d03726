/**
 * One entry point for every kind of source: a live etcd cluster, an etcd snapshot or bbolt db file, or
 * an `etcdctl get -w json` dump. Callers get the same KvSource whichever it is.
 */
import * as fs from 'node:fs';
import { InvalidArgumentError } from '../errors';
import { openLiveSource, type LiveOptions } from './live-etcd-source';
import { openFileSource, type OpenFileOptions } from './open-file';
import { checkOptionNames, FILE_OPTION_NAMES, LIVE_OPTION_NAMES, otherKinds } from './source-options';
import type { KvSource } from './types';

/**
 * What {@link openSource} accepts:
 * - a path to a snapshot / db file / etcdctl JSON dump (`'./backup.db'`, `{ file: './backup.db' }`);
 * - etcd endpoints (`'127.0.0.1:2379'`, `'https://10.0.0.1:2379,https://10.0.0.2:2379'`, `['a:2379']`);
 * - live options (`{ endpoints, cacert, cert, key, user, password, … }`);
 * - nothing: a live etcd as configured by the `ETCDCTL_*` variables (default `127.0.0.1:2379`).
 */
export type SourceTarget = string | string[] | ({ file: string } & OpenFileOptions) | LiveOptions | undefined;

/**
 * Options that go with any target: a snapshot's (`verifyHash`, `indexCache`, …) or a live etcd's
 * (`user`, `password`, `cacert`, timeouts, …). Those that do not apply to the target are refused by name.
 */
export type SourceOptions = OpenFileOptions & Omit<LiveOptions, 'endpoints'>;

const ENDPOINT = /^(?:[a-z][a-z0-9+.-]*:\/\/)?(?:\[[0-9a-f:.]+\]|[a-z0-9.-]+):\d{1,5}\/?$/i;

function looksLikeEndpoints(text: string): boolean {
  const parts = text.split(',').map((p) => p.trim());
  return parts.length > 0 && parts.every((p) => ENDPOINT.test(p) || /^(?:https?|unix|unixs):\/\//i.test(p));
}

/**
 * Opens a live etcd or a snapshot file behind one interface.
 * @example
 * const live = await openSource('127.0.0.1:2379');
 * const offline = await openSource('./etcd-backup.db');
 * const damaged = await openSource('./backup.db', { verifyHash: false });
 * const guarded = await openSource('10.0.0.1:2379', { user: 'reader', password: process.env.PW });
 * for await (const kv of offline.range({ prefix: '/registry/pods/' }, { keysOnly: true })) console.log(Buffer.from(kv.key).toString());
 */
export async function openSource(target?: SourceTarget, options: SourceOptions = {}): Promise<KvSource> {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new InvalidArgumentError(
      `Cannot open with options ${JSON.stringify(options)}: options must be an object. Pass e.g. { verifyHash: false } or { user, password }, or omit them.`,
    );
  }
  if (target === undefined || target === null) return openLive(options);
  if (Array.isArray(target)) return openLive({ ...options, endpoints: target });
  if (typeof target === 'string') {
    const text = target.trim();
    if (text === '') {
      throw new InvalidArgumentError(
        'Cannot open "": the target is empty. Pass a snapshot file path, etcd endpoints ("127.0.0.1:2379"), or nothing to use $ETCDCTL_ENDPOINTS.',
      );
    }
    if (fs.existsSync(text)) return openFile(text, options);
    if (looksLikeEndpoints(text)) return openLive({ ...options, endpoints: text.split(',').map((p) => p.trim()) });
    throw new InvalidArgumentError(
      `Cannot open ${JSON.stringify(target)}: no such file, and it does not look like etcd endpoints (host:port or a URL). ` +
        'Check the path, or pass endpoints such as "127.0.0.1:2379" or "https://etcd-0:2379".',
    );
  }
  if (typeof target === 'object' && 'file' in target && typeof target.file === 'string') {
    const { file, ...fileOptions } = target;
    return openFile(file, { ...options, ...fileOptions });
  }
  if (typeof target === 'object') return openLive({ ...options, ...(target as LiveOptions) });
  throw new InvalidArgumentError(
    `Cannot open a ${typeof target}: pass a snapshot file path, etcd endpoints, or live options ({ endpoints, cacert, cert, key, user, password }).`,
  );
}

function openFile(path: string, options: SourceOptions): Promise<KvSource> {
  checkOptionNames(`Cannot open "${path}"`, options, FILE_OPTION_NAMES, otherKinds('file'));
  return openFileSource(path, options as OpenFileOptions);
}

function openLive(options: SourceOptions & { endpoints?: string | string[] | undefined }): Promise<KvSource> {
  const where =
    options.endpoints === undefined
      ? 'Cannot open the live etcd'
      : `Cannot open etcd at ${[options.endpoints].flat().join(',')}`;
  checkOptionNames(where, options, LIVE_OPTION_NAMES, otherKinds('live'));
  return openLiveSource(options as LiveOptions);
}
