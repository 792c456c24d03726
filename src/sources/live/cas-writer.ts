/**
 * Compare-and-swap writes: the only writer meant for a real cluster. Opt-in by name and by argument;
 * every write is one etcd transaction conditioned on the key's mod revision.
 */
import { EtcdConnectionError, InvalidArgumentError } from '../../errors';
import type { KvRecord, KvSource } from '../types';
import { makeClient, poolOf } from './endpoint-pool';
import type { EtcdClient, EtcdRangeResponse, EtcdRequestOp, EtcdTxnResponse } from './etcd3-gateway';
import { hintFor, isConnectionFailure, mapEtcdError, sanitise } from './etcd-errors';
import { normaliseConfig, type Config, type LiveOptions } from './live-config';
import { num, printable, toBuffer, toRecord } from './live-keys';

/** The explicit consent {@link openEtcdWriter} requires. */
export interface WriteConsent {
  /** Must be `true`: kubetcd never writes to etcd otherwise. */
  allowWrite: true;
}

/** The result of one compare-and-swap transaction of a {@link CasWriter}. */
export interface CasResult {
  /** True when the key's mod revision was the expected one and the write was applied. */
  succeeded: boolean;
  /** etcd's revision after the transaction: the write's revision when it succeeded. */
  revision: number;
  /** The key just before the write when it succeeded, or as it is now when the compare failed; absent when there was no key. */
  before?: KvRecord;
}

/** Conditional writes to one etcd cluster (see {@link openEtcdWriter}). */
export interface CasWriter {
  /** The endpoints, for messages (never credentials). */
  readonly origin: string;
  /** One key at the latest revision (undefined when absent). */
  get(key: string | Uint8Array): Promise<KvRecord | undefined>;
  /**
   * Put `value` only if the key's mod revision is `expectModRevision` (0: only if the key does not
   * exist). An existing key keeps its lease. Never retried: a connection failure leaves it unknown
   * whether the write was applied, and the error says so.
   */
  putIfModRevision(key: string | Uint8Array, value: string | Uint8Array, expectModRevision: number): Promise<CasResult>;
  /** Delete the key only if its mod revision is `expectModRevision` (> 0). */
  deleteIfModRevision(key: string | Uint8Array, expectModRevision: number): Promise<CasResult>;
  close(): Promise<void>;
}

function checkExpectedModRevision(value: unknown, allowZero: boolean): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < (allowZero ? 0 : 1)) {
    throw new InvalidArgumentError(
      `Invalid expectModRevision: ${String(value)}. Pass the key's current mod revision (a positive integer${allowZero ? ', or 0 for a key that must not exist yet' : ''}).`,
    );
  }
  return value;
}

/**
 * Open a compare-and-swap writer over the cluster of a live source (its connection options are
 * reused; the source itself stays read-only) or over live options. Without `{ allowWrite: true }` it
 * throws an InvalidArgumentError. Each write is one etcd transaction: `If mod_revision(key) ==
 * expected Then put/delete Else read the key`, so a key changed by anyone since it was read is never
 * overwritten. Writes go to the first endpoint that answers a read.
 * @example
 * const w = await openEtcdWriter(source, { allowWrite: true });
 * const kv = await w.get('/registry/configmaps/default/x');
 * const r = await w.putIfModRevision('/registry/configmaps/default/x', bytes, kv?.modRevision ?? 0);
 * await w.close();
 */
export async function openEtcdWriter(target: KvSource | LiveOptions, consent: WriteConsent): Promise<CasWriter> {
  if (consent === null || typeof consent !== 'object' || (consent as { allowWrite?: unknown }).allowWrite !== true) {
    throw new InvalidArgumentError(
      'Refusing to open an etcd writer: kubetcd is read-only unless asked. Pass { allowWrite: true } as the second argument to write to this cluster.',
    );
  }
  let config: Config;
  if (target !== null && typeof target === 'object' && typeof (target as KvSource).range === 'function') {
    const pool = poolOf(target);
    if (pool === undefined) {
      const kind = (target as KvSource).kind;
      throw new InvalidArgumentError(
        `Cannot write through this source (${String(kind)}, ${(target as KvSource).origin}): only a live etcd source opened by openLiveSource/openSource can be written to${kind === 'live' ? '' : '; snapshots and dumps are read-only files'}.`,
      );
    }
    config = pool.config;
  } else {
    config = normaliseConfig((target ?? {}) as LiveOptions);
  }
  const origin = config.endpoints.join(',');
  const clients = new Map<string, EtcdClient>();
  const clientFor = (endpoint: string): EtcdClient => {
    let client = clients.get(endpoint);
    if (client === undefined) clients.set(endpoint, (client = makeClient(endpoint, config, true)));
    return client;
  };
  let chosen: string | undefined;
  let closed = false;
  /** A read, with fail-over: also picks the endpoint writes go to. */
  const read = async (what: string, key: Buffer): Promise<EtcdRangeResponse> => {
    if (closed) throw new InvalidArgumentError(`${what}: this writer was closed. Open a new one.`);
    const failures: string[] = [];
    const order = chosen === undefined ? config.endpoints : [chosen, ...config.endpoints.filter((e) => e !== chosen)];
    for (const endpoint of order) {
      try {
        const res = await clientFor(endpoint).kv.range({ key }, { deadline: Date.now() + config.callTimeoutMs });
        chosen = endpoint;
        return res;
      } catch (e) {
        if (!isConnectionFailure(e)) throw mapEtcdError(e, what, config, endpoint);
        failures.push(`${endpoint}: ${sanitise(e, config).message}`);
      }
    }
    const reasons = failures.join('; ');
    throw new EtcdConnectionError(`${what}: cannot reach etcd at ${origin}. ${reasons}. ${hintFor(reasons, config)}`, {
      endpoints: config.endpoints,
      failures,
    });
  };
  const txn = async (what: string, key: Buffer, expect: number, op: EtcdRequestOp): Promise<CasResult> => {
    if (chosen === undefined) await read(what, key);
    const endpoint = chosen!;
    let res: EtcdTxnResponse;
    try {
      res = await clientFor(endpoint).kv.txn(
        {
          compare: [{ key, target: 'Mod', result: 'Equal', mod_revision: expect }],
          success: [op],
          failure: [{ request_range: { key } }],
        },
        { deadline: Date.now() + Math.max(config.callTimeoutMs, 30_000) },
      );
    } catch (e) {
      if (isConnectionFailure(e)) {
        const reason = sanitise(e, config).message;
        throw new EtcdConnectionError(
          `${what}: the transaction to etcd at ${endpoint} failed (${reason}); it may or may not have been applied. Read the key (its mod revision) before trying again.`,
          { endpoint, key: key.toString('utf8') },
        );
      }
      throw mapEtcdError(e, what, config, endpoint);
    }
    const result: CasResult = { succeeded: res.succeeded, revision: num(res.header.revision) };
    const response = res.responses[0];
    const kv = res.succeeded
      ? (response?.response_put?.prev_kv ?? response?.response_delete_range?.prev_kvs?.[0])
      : response?.response_range?.kvs?.[0];
    if (kv) result.before = toRecord(kv, false);
    return result;
  };
  return {
    origin,
    get: async (key) => {
      const k = toBuffer('key', key);
      const res = await read(`Reading key ${printable(k)}`, k);
      const kv = res.kvs[0];
      return kv ? toRecord(kv, false) : undefined;
    },
    putIfModRevision: (key, value, expectModRevision) => {
      const k = toBuffer('key', key);
      const expect = checkExpectedModRevision(expectModRevision, true);
      const put: EtcdRequestOp['request_put'] = { key: k, value: toBuffer('value', value), prev_kv: true };
      // An existing key keeps its lease (as kube-apiserver's updates do), a new one gets none.
      if (expect > 0) put.ignore_lease = true;
      return txn(`Writing key ${printable(k)}`, k, expect, { request_put: put });
    },
    deleteIfModRevision: (key, expectModRevision) => {
      const k = toBuffer('key', key);
      const expect = checkExpectedModRevision(expectModRevision, false);
      return txn(`Deleting key ${printable(k)}`, k, expect, { request_delete_range: { key: k, prev_kv: true } });
    },
    close: async () => {
      closed = true;
      for (const client of clients.values()) client.close();
      clients.clear();
    },
  };
}
