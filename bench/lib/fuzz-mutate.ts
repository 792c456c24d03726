/**
 * Seeded mutations for the fuzzing harness (bench/fuzz.ts, test/codec/fuzz.test.ts,
 * test/sources/snapshot-fuzz.test.ts). Input `index` of a run with seed `seed` is made from its own
 * generator, `inputRandom(seed, index)`, so any one input is rebuilt from (seed, index) alone without
 * replaying the ones before it.
 *
 * Values (protobuf, JSON, CBOR): bit flips, bytes set to boundary values (0, 0x7f, 0x80, 0xff), length
 * prefixes inflated (a little or hugely), truncation, insertions and deletions, duplicated chunks, splices
 * of two seeds, huge varints and tags. Snapshots (bbolt files): the same byte mutations plus page-header
 * corruption (flags, count, overflow, id), branch children out of range or forming cycles, element
 * fields (pos, ksize, vsize, flags) at boundary values, bucket roots, meta fields (with the checksum
 * fixed so the damage gets past the meta check), truncation and the snapshot trailer recomputed.
 */
import * as crypto from 'node:crypto';
import { seededRandom } from '../../src/util/seeded-random';

/** An integer source: `rand(n)` is uniform in [0, n). */
export type Rand = (n: number) => number;

/**
 * The generator of input `index` of a run seeded with `seed` (mulberry32 of a mix of both).
 * @example
 * const rand = inputRandom(1, 42); rand(256) // the same byte on every run
 */
export function inputRandom(seed: number, index: number): Rand {
  let h =
    Math.imul((seed >>> 0) ^ 0x9e3779b9, 0x85ebca6b) ^
    Math.imul(index >>> 0, 0xc2b2ae35) ^
    Math.floor(index / 0x100000000);
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  const random = seededRandom((h ^ (h >>> 16)) >>> 0);
  return (n: number): number => Math.floor(random() * n);
}

const BOUNDARY_BYTES = [0x00, 0x7f, 0x80, 0xff];

/**
 * A varint's bytes (two's complement for negatives, as protobuf writes them).
 * @example
 * varintBytes(300n) // [0xac, 0x02]
 */
export function varintBytes(v: bigint): number[] {
  const out: number[] = [];
  let x = BigInt.asUintN(64, v);
  while (x >= 0x80n) {
    out.push(Number(x & 0x7fn) | 0x80);
    x >>= 7n;
  }
  out.push(Number(x));
  return out;
}

/** A length prefix: [position of its varint, bytes of the varint, the length]. */
export type LengthPrefix = [number, number, number];

/**
 * Where length prefixes sit in protobuf bytes, found by a schema-less walk that descends into every
 * length-delimited field that itself walks as fields (at most 40 levels).
 * @example
 * findLengthPrefixes(value, 4) // [[5, 1, 9], [7, 1, 2], ...]
 */
export function findLengthPrefixes(buf: Uint8Array, start = 0, end = buf.length): LengthPrefix[] {
  const out: LengthPrefix[] = [];
  walk(buf, start, end, out, 0);
  return out;
}

function walk(buf: Uint8Array, start: number, end: number, out: LengthPrefix[], depth: number): boolean {
  let p = start;
  const read = (): number | undefined => {
    let v = 0;
    let scale = 1;
    for (let i = 0; i < 10 && p < end; i++) {
      const b = buf[p++] as number;
      v += (b & 0x7f) * scale;
      scale *= 128;
      if (b < 0x80) return v;
    }
    return undefined;
  };
  const found: LengthPrefix[] = [];
  while (p < end) {
    const tag = read();
    if (tag === undefined || tag < 8) return false;
    switch (tag % 8) {
      case 0:
        if (read() === undefined) return false;
        break;
      case 1:
        p += 8;
        break;
      case 5:
        p += 4;
        break;
      case 2: {
        const at = p;
        const len = read();
        if (len === undefined || len > end - p) return false;
        found.push([at, p - at, len]);
        if (depth < 40) walk(buf, p, p + len, found, depth + 1);
        p += len;
        break;
      }
      default:
        return false;
    }
    if (p > end) return false;
  }
  out.push(...found);
  return true;
}

/** The value mutations, in the order `mutateValue` names them. */
export const VALUE_MUTATIONS = [
  'bit-flip',
  'boundary-byte',
  'random-byte',
  'length-inflate',
  'length-huge',
  'truncate',
  'insert',
  'delete',
  'duplicate-chunk',
  'splice',
  'huge-varint',
  'huge-tag',
  'stack',
] as const;
export type ValueMutation = (typeof VALUE_MUTATIONS)[number];

/** A seed value and what the mutators know about it. */
export interface ValueSeed {
  name: string;
  bytes: Buffer;
  /** decode() options the seed is decoded with (apiVersion/kind, bare). */
  options: { apiVersion?: string; kind?: string; bare?: boolean };
  /** Length prefixes of the protobuf inside (empty for JSON, CBOR). */
  prefixes: LengthPrefix[];
  /** Bytes at the start that the mutators leave alone most of the time (the `k8s\0` magic). */
  keep: number;
}

/**
 * One seeded mutation of a value seed; `other` is a second seed to splice from.
 * @example
 * const { bytes, mutation } = mutateValue(seed, other, inputRandom(1, 0));
 */
export function mutateValue(seed: ValueSeed, other: ValueSeed, rand: Rand): { bytes: Buffer; mutation: string } {
  const kind = VALUE_MUTATIONS[rand(VALUE_MUTATIONS.length)] as ValueMutation;
  if (kind !== 'stack') return { bytes: applyValueMutation(seed.bytes, kind, seed, other, rand), mutation: kind };
  // two to four mutations on top of each other (length prefixes are those of the seed: approximate)
  let bytes = seed.bytes;
  const names: string[] = [];
  for (let i = 2 + rand(3); i > 0; i--) {
    const k = VALUE_MUTATIONS[rand(VALUE_MUTATIONS.length - 1)] as ValueMutation;
    names.push(k);
    bytes = applyValueMutation(bytes, k, seed, other, rand);
  }
  return { bytes, mutation: `stack(${names.join(',')})` };
}

/**
 * One mutation of the named kind applied to `v` (the seed's bytes, or bytes already mutated from them);
 * `seed` gives the length prefixes and the magic to keep, `other` the seed to splice from. `stack`
 * returns `v` unchanged (use {@link mutateValue} for stacks).
 * @example
 * applyValueMutation(seed.bytes, 'length-huge', seed, other, inputRandom(1, 0)) // a length varint now claims ~2^32
 */
export function applyValueMutation(
  v: Buffer,
  kind: ValueMutation,
  seed: ValueSeed,
  other: ValueSeed,
  rand: Rand,
): Buffer {
  const n = v.length;
  // mostly after the magic (which only selects the decoder), sometimes anywhere
  const from = rand(16) === 0 ? 0 : Math.min(seed.keep, n);
  const pick = (): number => from + rand(Math.max(1, n - from));
  switch (kind) {
    case 'bit-flip': {
      const out = Buffer.from(v);
      if (n === 0) return out;
      for (let i = 1 + rand(4); i > 0; i--) {
        const p = Math.min(n - 1, pick());
        out[p] = (out[p] as number) ^ (1 << rand(8));
      }
      return out;
    }
    case 'boundary-byte':
    case 'random-byte': {
      const out = Buffer.from(v);
      if (n === 0) return out;
      for (let i = 1 + rand(2); i > 0; i--) {
        const p = Math.min(n - 1, pick());
        out[p] = kind === 'random-byte' ? rand(256) : (BOUNDARY_BYTES[rand(4)] as number);
      }
      return out;
    }
    case 'length-inflate':
    case 'length-huge': {
      const prefixes = seed.prefixes.filter(([p, size]) => p + size <= n);
      if (prefixes.length === 0) return applyValueMutation(v, 'boundary-byte', seed, other, rand);
      const [p, size, len] = prefixes[rand(prefixes.length)] as LengthPrefix;
      const choices: bigint[] =
        kind === 'length-inflate'
          ? [
              BigInt(len + 1),
              BigInt(len + 2 + rand(64)),
              BigInt(Math.max(0, len - 1)),
              0n,
              BigInt(rand(Math.max(1, len))),
              BigInt(len + n),
            ]
          : [
              0x7fffffffn,
              0xffffffffn,
              0x100000000n,
              1n << 53n,
              1n << 62n,
              -1n,
              BigInt(n * 1000),
              0x0fffffffn,
              2_000_000_000n,
            ];
      const repl = Buffer.from(varintBytes(choices[rand(choices.length)] as bigint));
      return Buffer.concat([v.subarray(0, p), repl, v.subarray(p + size)]);
    }
    case 'truncate': {
      const cut = rand(3) === 0 ? n - 1 - rand(Math.min(8, Math.max(1, n))) : rand(n + 1);
      return Buffer.from(v.subarray(0, Math.max(0, cut)));
    }
    case 'insert': {
      const at = pick();
      const ins = Buffer.from(
        Array.from({ length: 1 + rand(8) }, () => (rand(2) === 0 ? (BOUNDARY_BYTES[rand(4)] as number) : rand(256))),
      );
      return Buffer.concat([v.subarray(0, at), ins, v.subarray(at)]);
    }
    case 'delete': {
      const at = pick();
      return Buffer.concat([v.subarray(0, at), v.subarray(Math.min(n, at + 1 + rand(16)))]);
    }
    case 'duplicate-chunk': {
      const at = pick();
      const region = v.subarray(at, at + 1 + rand(Math.max(1, Math.min(512, n - at))));
      const to = pick();
      const times = rand(4) === 0 ? 2 + rand(30) : 1;
      return Buffer.concat([v.subarray(0, to), ...Array.from({ length: times }, () => region), v.subarray(to)]);
    }
    case 'splice': {
      const o = other.bytes;
      const at = pick();
      const start = rand(Math.max(1, o.length));
      const region = o.subarray(start, start + 1 + rand(Math.max(1, Math.min(1024, o.length - start))));
      // replace a region, or join this seed's head to the other's tail
      if (rand(3) === 0) return Buffer.concat([v.subarray(0, at), o.subarray(start)]);
      return Buffer.concat([v.subarray(0, at), region, v.subarray(Math.min(n, at + rand(64)))]);
    }
    case 'huge-varint': {
      const forms = [
        [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01], // 2^64 - 1
        [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01], // 11 bytes: too long
        [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00], // overlong zero
        [0xff, 0xff, 0xff, 0xff, 0x0f], // 2^32 - 1
        [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01], // 2^63
        [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f], // 2^56 - 1
      ];
      const form = Buffer.from(forms[rand(forms.length)] as number[]);
      const at = pick();
      return Buffer.concat([v.subarray(0, at), form, v.subarray(rand(2) === 0 ? Math.min(n, at + form.length) : at)]);
    }
    case 'huge-tag': {
      const forms = [
        [0xfa, 0xff, 0xff, 0xff, 0x0f, 0xff, 0xff, 0xff, 0xff, 0x0f], // field 2^29-1, bytes, 2^32-1 long
        [0xfb, 0xff, 0xff, 0xff, 0x0f], // start group of field 2^29-1
        [0x0b, 0x0b, 0x0b, 0x0b], // groups that never end
        [0x0c], // end group without a start
        [0x00], // field 0
        [0x0f], // wire type 7
        [0x12, 0xff, 0xff, 0xff, 0xff, 0x07], // field 2, 2^31-1 bytes
      ];
      const form = Buffer.from(forms[rand(forms.length)] as number[]);
      const at = pick();
      return Buffer.concat([v.subarray(0, at), form, v.subarray(at)]);
    }
    case 'stack':
      return v;
  }
}

/** The structure of a bbolt seed that the snapshot mutators aim at. */
export interface SnapshotSeed {
  name: string;
  bytes: Buffer;
  pageSize: number;
  pageCount: number;
  /** Page ids of branch and leaf pages (from the page headers). */
  branchPages: number[];
  leafPages: number[];
  /** File offsets of leaf elements whose flags mark a sub-bucket (their values start with the bucket header). */
  bucketValues: number[];
  /** [offset, length] of leaf values that are not buckets (mvccpb.KeyValue records, meta values). */
  values: [number, number][];
  /** Ends with an `etcdctl snapshot save` SHA-256 trailer. */
  trailer: boolean;
}

/**
 * Reads what the mutators need from a healthy bbolt file (page kinds, leaf values, bucket headers).
 * @example
 * const seed = describeSnapshot('snap', fs.readFileSync('snap.db'));
 */
export function describeSnapshot(name: string, bytes: Buffer): SnapshotSeed {
  const pageSize = bytes.readUInt32LE(16 + 8);
  const pageCount = bytes.readUInt32LE(16 + 40);
  const trailer = bytes.length % pageSize === 32;
  const seed: SnapshotSeed = {
    name,
    bytes,
    pageSize,
    pageCount,
    branchPages: [],
    leafPages: [],
    bucketValues: [],
    values: [],
    trailer,
  };
  const leaves: [number, number][] = []; // [offset, bytes] of leaf pages, inline ones included
  for (let id = 2; id < pageCount && (id + 1) * pageSize <= bytes.length; ) {
    const at = id * pageSize;
    const flags = bytes.readUInt16LE(at + 8);
    const overflow = bytes.readUInt32LE(at + 12);
    if (bytes.readUInt32LE(at) === id) {
      if (flags === 0x01) seed.branchPages.push(id);
      if (flags === 0x02) {
        seed.leafPages.push(id);
        leaves.push([at, (1 + overflow) * pageSize]);
      }
    }
    id += bytes.readUInt32LE(at) === id ? 1 + Math.min(overflow, pageCount) : 1;
  }
  for (let li = 0; li < leaves.length; li++) {
    const [at, size] = leaves[li] as [number, number];
    const count = bytes.readUInt16LE(at + 10);
    for (let i = 0; i < count; i++) {
      const el = at + 16 + i * 16;
      if (el + 16 > at + size) break;
      const flags = bytes.readUInt32LE(el);
      const start = el + bytes.readUInt32LE(el + 4);
      const ksize = bytes.readUInt32LE(el + 8);
      const vsize = bytes.readUInt32LE(el + 12);
      if (start + ksize + vsize > at + size) break;
      const valueAt = start + ksize;
      if (flags & 1) {
        seed.bucketValues.push(valueAt);
        // an inline bucket: its page follows the 16-byte header
        if (vsize >= 32 && bytes.readUInt32LE(valueAt) === 0 && bytes.readUInt32LE(valueAt + 4) === 0)
          leaves.push([valueAt + 16, vsize - 16]);
      } else if (vsize > 0) seed.values.push([valueAt, vsize]);
    }
  }
  return seed;
}

/** FNV-1a 64, the bbolt meta checksum. */
function fnv1a64(bytes: Uint8Array): bigint {
  let h = 0xcbf29ce484222325n;
  for (const b of bytes) h = ((h ^ BigInt(b)) * 0x100000001b3n) & 0xffffffffffffffffn;
  return h;
}

/**
 * Rewrites the checksum of the meta page at `offset` (after a meta field was changed).
 * @example
 * fixMeta(bytes, 4096);
 */
export function fixMeta(bytes: Buffer, offset: number): void {
  if (offset + 16 + 64 > bytes.length) return;
  bytes.writeBigUInt64LE(fnv1a64(bytes.subarray(offset + 16, offset + 16 + 56)), offset + 16 + 56);
}

/** The snapshot mutations. */
export const SNAPSHOT_MUTATIONS = [
  'bit-flip',
  'boundary-byte',
  'page-flags',
  'page-count',
  'page-overflow',
  'page-id',
  'branch-child',
  'branch-cycle',
  'element-field',
  'bucket-root',
  'meta-field',
  'record',
  'truncate',
  'copy-page',
  'splice',
] as const;
export type SnapshotMutation = (typeof SNAPSHOT_MUTATIONS)[number];

const U32_BOUNDARIES = [0, 1, 0x7f, 0x80, 0xff, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff, 0xfffffff0];

/**
 * One seeded mutation of a snapshot seed (one to three damages); `other` is a second seed to splice from.
 * The meta checksums and the SHA-256 trailer are usually recomputed, so that the damage reaches the tree.
 * @example
 * const { bytes, mutation } = mutateSnapshot(seed, other, inputRandom(7, 0));
 */
export function mutateSnapshot(
  seed: SnapshotSeed,
  other: SnapshotSeed,
  rand: Rand,
): { bytes: Buffer; mutation: string } {
  let b: Buffer = Buffer.from(seed.bytes);
  const names: string[] = [];
  let touchedMeta = false;
  for (let k = rand(4) === 0 ? 2 + rand(2) : 1; k > 0; k--) {
    const kind = SNAPSHOT_MUTATIONS[rand(SNAPSHOT_MUTATIONS.length)] as SnapshotMutation;
    names.push(kind);
    const r = applySnapshotMutation(b, kind, seed, other, rand);
    b = r.bytes;
    touchedMeta ||= r.meta;
  }
  // Keep the metas valid (mostly) and the trailer matching (mostly): otherwise every input stops at open.
  if (touchedMeta ? rand(8) !== 0 : rand(16) !== 0) {
    fixMeta(b, 0);
    fixMeta(b, seed.pageSize);
  }
  if (seed.trailer && b.length >= 32 && b.length % seed.pageSize === 32 && rand(16) !== 0) {
    crypto
      .createHash('sha256')
      .update(b.subarray(0, b.length - 32))
      .digest()
      .copy(b, b.length - 32);
  }
  return { bytes: b, mutation: names.join('+') };
}

function pageIdValue(seed: SnapshotSeed, rand: Rand, self: number): bigint {
  const choices = [
    0n,
    1n,
    BigInt(seed.pageCount),
    BigInt(seed.pageCount + 1),
    0xffffffffn,
    0x100000000n,
    1n << 53n,
    0xffffffffffffffffn,
    BigInt(self),
  ];
  const pages = [...seed.branchPages, ...seed.leafPages];
  if (pages.length > 0 && rand(2) === 0) return BigInt(pages[rand(pages.length)] as number);
  return choices[rand(choices.length)] as bigint;
}

function applySnapshotMutation(
  b: Buffer,
  kind: SnapshotMutation,
  seed: SnapshotSeed,
  other: SnapshotSeed,
  rand: Rand,
): { bytes: Buffer; meta: boolean } {
  const ps = seed.pageSize;
  const n = b.length;
  const treePages = [...seed.branchPages, ...seed.leafPages];
  const anyPage = (): number => (treePages.length > 0 ? (treePages[rand(treePages.length)] as number) : 2);
  const inFile = (at: number, size: number): boolean => at >= 0 && at + size <= n;
  switch (kind) {
    case 'bit-flip':
    case 'boundary-byte': {
      for (let i = 1 + rand(4); i > 0; i--) {
        // mostly in the tree pages, sometimes in the metas
        const at = rand(8) === 0 ? rand(2) * ps + rand(96) : 2 * ps + rand(Math.max(1, n - 2 * ps));
        if (at >= n) continue;
        b[at] = kind === 'bit-flip' ? (b[at] as number) ^ (1 << rand(8)) : (BOUNDARY_BYTES[rand(4)] as number);
      }
      return { bytes: b, meta: false };
    }
    case 'page-flags': {
      const at = anyPage() * ps + 8;
      if (inFile(at, 2)) b.writeUInt16LE([0, 0x01, 0x02, 0x04, 0x10, 0x03, 0xff, 0xffff][rand(8)] as number, at);
      return { bytes: b, meta: false };
    }
    case 'page-count': {
      const at = anyPage() * ps + 10;
      if (inFile(at, 2)) {
        const c = b.readUInt16LE(at);
        b.writeUInt16LE(
          ([0, 1, c + 1, Math.max(0, c - 1), 0xffff, 0x8000, rand(0x10000), (ps - 16) / 16, (ps - 16) / 16 + 1][
            rand(9)
          ] as number) & 0xffff,
          at,
        );
      }
      return { bytes: b, meta: false };
    }
    case 'page-overflow': {
      const id = anyPage();
      const at = id * ps + 12;
      if (inFile(at, 4))
        b.writeUInt32LE(
          ([1, 2, 0xffffffff, 0x7fffffff, seed.pageCount - id - 1, seed.pageCount - id, seed.pageCount][
            rand(7)
          ] as number) >>> 0,
          at,
        );
      return { bytes: b, meta: false };
    }
    case 'page-id': {
      const id = anyPage();
      const at = id * ps;
      if (inFile(at, 8)) b.writeBigUInt64LE(pageIdValue(seed, rand, id), at);
      return { bytes: b, meta: false };
    }
    case 'branch-child':
    case 'branch-cycle': {
      if (seed.branchPages.length === 0) return applySnapshotMutation(b, 'bucket-root', seed, other, rand);
      const id = seed.branchPages[rand(seed.branchPages.length)] as number;
      const count = inFile(id * ps + 10, 2) ? b.readUInt16LE(id * ps + 10) : 1;
      const el = id * ps + 16 + rand(Math.max(1, Math.min(count, (ps - 16) / 16))) * 16;
      if (!inFile(el, 16)) return { bytes: b, meta: false };
      if (kind === 'branch-cycle') {
        // point at itself, at another branch (a parent or a sibling), or at a leaf already reachable
        const targets = [id, ...seed.branchPages, ...seed.leafPages.slice(0, 4)];
        b.writeBigUInt64LE(BigInt(targets[rand(targets.length)] as number), el + 8);
      } else if (rand(3) === 0) {
        // the element's key position and size
        b.writeUInt32LE(U32_BOUNDARIES[rand(U32_BOUNDARIES.length)] as number, el + rand(2) * 4);
      } else b.writeBigUInt64LE(pageIdValue(seed, rand, id), el + 8);
      return { bytes: b, meta: false };
    }
    case 'element-field': {
      if (seed.leafPages.length === 0) return { bytes: b, meta: false };
      const id = seed.leafPages[rand(seed.leafPages.length)] as number;
      const count = inFile(id * ps + 10, 2) ? b.readUInt16LE(id * ps + 10) : 1;
      const el = id * ps + 16 + rand(Math.max(1, count)) * 16;
      const field = rand(4); // flags, pos, ksize, vsize
      if (!inFile(el + field * 4, 4)) return { bytes: b, meta: false };
      const old = b.readUInt32LE(el + field * 4);
      const values = [...U32_BOUNDARIES, old + 1, Math.max(0, old - 1), old + ps, old * 2];
      b.writeUInt32LE((values[rand(values.length)] as number) >>> 0, el + field * 4);
      return { bytes: b, meta: false };
    }
    case 'bucket-root': {
      if (seed.bucketValues.length === 0) return { bytes: b, meta: false };
      const at = seed.bucketValues[rand(seed.bucketValues.length)] as number;
      if (!inFile(at, 16)) return { bytes: b, meta: false };
      const old = b.readBigUInt64LE(at);
      // out of range, another bucket's root (shared), a leaf, 0 (inline: the bytes after are read as a page)
      b.writeBigUInt64LE(
        rand(4) === 0 ? 0n : rand(3) === 0 ? old : pageIdValue(seed, rand, Number(old & 0xffffffffn)),
        at,
      );
      if (rand(3) === 0) b.writeBigUInt64LE(0xffffffffffffffffn, at + 8); // the sequence
      return { bytes: b, meta: false };
    }
    case 'meta-field': {
      const meta = rand(2) * ps + 16;
      // pageSize u32 @8, flags @12, root @16, freelist @32, pgid (page count) @40, txid @48
      const field = [8, 12, 16, 32, 40, 48][rand(6)] as number;
      if (!inFile(meta + field, 8)) return { bytes: b, meta: true };
      if (field === 8)
        b.writeUInt32LE(
          ([0, 256, 512, 1024, 2048, 8192, 65536, 1 << 20, 1 << 21, 4095, 0xffffffff][rand(11)] as number) >>> 0,
          meta + field,
        );
      else if (field === 12) b.writeUInt32LE(U32_BOUNDARIES[rand(U32_BOUNDARIES.length)] as number, meta + field);
      else if (field === 40) {
        const choices = [
          0n,
          1n,
          2n,
          3n,
          BigInt(seed.pageCount - 1),
          BigInt(seed.pageCount + 1),
          BigInt(Math.floor(n / ps)),
          BigInt(Math.floor(n / ps) + 1),
          0xffffffffn,
          1n << 53n,
          0xffffffffffffffffn,
        ];
        b.writeBigUInt64LE(choices[rand(choices.length)] as bigint, meta + field);
      } else if (field === 48)
        b.writeBigUInt64LE([0n, 0xffffffffffffffffn, BigInt(rand(1000))][rand(3)] as bigint, meta + field);
      else b.writeBigUInt64LE(pageIdValue(seed, rand, 2), meta + field);
      return { bytes: b, meta: true };
    }
    case 'record': {
      // damage inside a stored record (mvccpb.KeyValue, meta value) without moving anything
      if (seed.values.length === 0) return { bytes: b, meta: false };
      const [at, size] = seed.values[rand(seed.values.length)] as [number, number];
      for (let i = 1 + rand(3); i > 0; i--) {
        const p = at + rand(Math.min(size, rand(2) === 0 ? 24 : size));
        if (p >= n) continue;
        const r = rand(3);
        b[p] = r === 0 ? (b[p] as number) ^ (1 << rand(8)) : r === 1 ? (BOUNDARY_BYTES[rand(4)] as number) : rand(256);
      }
      return { bytes: b, meta: false };
    }
    case 'truncate': {
      const cuts = [rand(n), Math.floor(n / ps) * ps - ps, n - 1, n - 32, n - 33, 2 * ps, 2 * ps + rand(ps)];
      return {
        bytes: Buffer.from(b.subarray(0, Math.max(0, Math.min(n, cuts[rand(cuts.length)] as number)))),
        meta: false,
      };
    }
    case 'copy-page': {
      // one tree page copied over another (a duplicate id or, with the id fixed, a page in two places)
      const from = anyPage();
      const to = anyPage();
      if (!inFile(from * ps, ps) || !inFile(to * ps, ps)) return { bytes: b, meta: false };
      b.copyWithin(to * ps, from * ps, from * ps + ps);
      if (rand(2) === 0) b.writeBigUInt64LE(BigInt(to), to * ps);
      return { bytes: b, meta: false };
    }
    case 'splice': {
      // a page of another seed (another tree's layout) in place of one of this one's
      const o = other.bytes;
      const opages = [...other.branchPages, ...other.leafPages];
      const from = opages.length > 0 ? (opages[rand(opages.length)] as number) : 2;
      const to = anyPage();
      const len = Math.min(ps, other.pageSize);
      if (from * other.pageSize + len > o.length || !inFile(to * ps, len)) return { bytes: b, meta: false };
      o.copy(b, to * ps, from * other.pageSize, from * other.pageSize + len);
      if (rand(2) === 0) b.writeBigUInt64LE(BigInt(to), to * ps);
      return { bytes: b, meta: false };
    }
  }
}
