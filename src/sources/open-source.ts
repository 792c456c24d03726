/**
 * One entry point for every kind of source: a live etcd cluster, an etcd snapshot or bbolt db file, or
 * an `etcdctl get -w json` dump. Callers get the same KvSource whichever it is.
 */
import * as fs from 'node:fs';
import { InvalidArgumentError } from '../errors';
import { openLiveSource, type LiveOptions } from './live-etcd-source';
import { openFileSource, type OpenFileOptions } from './open-file';
import type { KvSource } from './types';

/**
 * What {@link openSource} accepts:
 * - a path to a snapshot / db file / etcdctl JSON dump (`'./backup.db'`, `{ file: './backup.db' }`);
 * - etcd endpoints (`'127.0.0.1:2379'`, `'https://10.0.0.1:2379,https://10.0.0.2:2379'`, `['a:2379']`);
 * - live options (`{ endpoints, cacert, cert, key, user, password, … }`);
 * - nothing: a live etcd as configured by the `ETCDCTL_*` variables (default `127.0.0.1:2379`).
 */
export type SourceTarget = string | string[] | ({ file: string } & OpenFileOptions) | LiveOptions | undefined;

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
 * for await (const kv of offline.range({ prefix: '/registry/pods/' }, { keysOnly: true })) console.log(Buffer.from(kv.key).toString());
 */
export async function openSource(target?: SourceTarget): Promise<KvSource> {
  if (target === undefined || target === null) return openLiveSource();
  if (Array.isArray(target)) return openLiveSource({ endpoints: target });
  if (typeof target === 'string') {
    const text = target.trim();
    if (text === '') {
      throw new InvalidArgumentError(
        'Cannot open "": the target is empty. Pass a snapshot file path, etcd endpoints ("127.0.0.1:2379"), or nothing to use $ETCDCTL_ENDPOINTS.',
      );
    }
    if (fs.existsSync(text)) return openFileSource(text);
    if (looksLikeEndpoints(text)) return openLiveSource({ endpoints: text.split(',').map((p) => p.trim()) });
    throw new InvalidArgumentError(
      `Cannot open ${JSON.stringify(target)}: no such file, and it does not look like etcd endpoints (host:port or a URL). ` +
        'Check the path, or pass endpoints such as "127.0.0.1:2379" or "https://etcd-0:2379".',
    );
  }
  if (typeof target === 'object' && 'file' in target && typeof target.file === 'string') {
    const { file, ...options } = target;
    return openFileSource(file, options);
  }
  if (typeof target === 'object') return openLiveSource(target as LiveOptions);
  throw new InvalidArgumentError(
    `Cannot open a ${typeof target}: pass a snapshot file path, etcd endpoints, or live options ({ endpoints, cacert, cert, key, user, password }).`,
  );
}
