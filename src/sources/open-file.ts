/**
 * Open a file as a {@link KvSource}, whichever kind it is: a bbolt file (an etcd snapshot or a stopped
 * member's `member/snap/db`) or an `etcdctl get --prefix -w json` dump.
 */
import * as fs from 'node:fs';
import { InvalidArgumentError, SnapshotFormatError } from '../errors';
import { BBOLT_MAGIC, PAGE_HEADER_BYTES } from './snapshot/bbolt-file';
import { openSnapshotSource, type SnapshotSourceOptions } from './snapshot/snapshot-source';
import type { KvSource } from './types';

/** Options of {@link openFileSource}. */
export type OpenFileOptions = SnapshotSourceOptions;

/** What {@link sniffFile} found. */
export type FileKind = 'bbolt' | 'etcdctl-json';

const PROBE_PAGE_SIZES = [4096, 512, 1024, 2048, 8192, 16384, 32768, 65536];

/**
 * Tell a bbolt file from an etcdctl JSON dump by its first bytes; throws a SnapshotFormatError otherwise.
 * @example
 * sniffFile('./snapshot.db') // 'bbolt'
 */
export function sniffFile(path: string): FileKind {
  let fd: number;
  try {
    fd = fs.openSync(path, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InvalidArgumentError(
      `Cannot open "${path}": ${code ?? (e as Error).message}. Check the path.`,
      { path },
      { cause: e },
    );
  }
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile())
      throw new InvalidArgumentError(
        `Cannot open "${path}": it is not a regular file. Pass a snapshot, a member/snap/db file or an etcdctl JSON dump.`,
        { path },
      );
    const size = stat.size;
    const head = Buffer.alloc(Math.min(size, 4096));
    fs.readSync(fd, head, 0, head.length, 0);
    const magicAt = (offset: number): number | undefined => {
      if (offset + PAGE_HEADER_BYTES + 4 > size) return undefined;
      const b = Buffer.alloc(4);
      fs.readSync(fd, b, 0, 4, offset + PAGE_HEADER_BYTES);
      return b.readUInt32LE(0);
    };
    const first = magicAt(0);
    if (first === BBOLT_MAGIC) return 'bbolt';
    const text = head.toString('latin1').replace(/^\uFEFF?[\s]*/, '');
    if (text.startsWith('{')) return 'etcdctl-json';
    // Page 0 damaged: a valid second meta page still makes it a bbolt file.
    for (const ps of PROBE_PAGE_SIZES) if (magicAt(ps) === BBOLT_MAGIC) return 'bbolt';
    const shown =
      first === undefined
        ? `the file is ${size} bytes long, too short for a meta page`
        : `magic 0x${first.toString(16).padStart(8, '0')} at offset ${PAGE_HEADER_BYTES}`;
    throw new SnapshotFormatError(
      `Cannot open "${path}" as an etcd snapshot: ${shown}, expected 0x${BBOLT_MAGIC.toString(16)}. It is neither a bbolt file nor an etcdctl JSON dump: pass a file written by "etcdctl snapshot save", a stopped member's member/snap/db, or "etcdctl get --prefix -w json" output.`,
      { path, offset: PAGE_HEADER_BYTES },
    );
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Open an etcd snapshot, a member's db file or an etcdctl JSON dump as a {@link KvSource}.
 * @example
 * const source = await openFileSource('./snapshot.db');
 * for await (const kv of source.range({ prefix: '/registry/namespaces/' })) console.log(kv.key.toString());
 */
export async function openFileSource(path: string, options: OpenFileOptions = {}): Promise<KvSource> {
  const kind = sniffFile(path);
  if (kind === 'bbolt') return openSnapshotSource(path, options);
  // Loaded on demand: a snapshot does not need the dump reader.
  const { openEtcdctlDumpSource } = await import('./etcdctl-dump-source');
  return openEtcdctlDumpSource(path);
}
