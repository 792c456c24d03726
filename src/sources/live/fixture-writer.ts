/**
 * A writer for tests and fixture scripts (batched puts, deletes, leases, compaction): never for users
 * exploring data, who get the compare-and-swap writer of cas-writer.ts.
 */
import { EtcdConnectionError } from '../../errors';
import { makeClient } from './endpoint-pool';
import { hintFor, isConnectionFailure, mapEtcdError, sanitise } from './etcd-errors';
import { normaliseConfig, positiveInt, type LiveOptions } from './live-config';
import { normaliseRange, num, toBuffer } from './live-keys';

/** Options of {@link EtcdWriter.putMany}. */
export interface PutManyOptions {
  /** Attach every key to this lease (decimal id). */
  lease?: string;
  /** Most operations per transaction (default 128, etcd's --max-txn-ops default). */
  batchSize?: number;
  /** Transactions in flight at once (default 4). */
  concurrency?: number;
}

/** Writes to etcd: for tests and fixture scripts, never for users exploring data. */
export interface EtcdWriter {
  /** Put one key; resolves with the revision of the write. */
  put(key: string | Uint8Array, value: string | Uint8Array, options?: { lease?: string }): Promise<number>;
  /** Put many keys in batched transactions; resolves with the revision of the last transaction. */
  putMany(entries: Iterable<[string | Uint8Array, string | Uint8Array]>, options?: PutManyOptions): Promise<number>;
  /** Delete one key; resolves with the revision after the delete. */
  delete(key: string | Uint8Array): Promise<number>;
  /** Delete every key with this prefix. */
  deletePrefix(prefix: string | Uint8Array): Promise<number>;
  /** Grant a lease; resolves with its decimal id. */
  grantLease(ttlSeconds: number): Promise<string>;
  /** Revoke a lease (its keys are deleted). */
  revokeLease(id: string): Promise<void>;
  /** Compact history up to `revision` (reads below it are then refused). */
  compact(revision: number, options?: { physical?: boolean }): Promise<void>;
  close(): Promise<void>;
}

/**
 * Open a writer for tests and fixture scripts (batched puts in transactions, deletes, leases, compaction).
 * Takes the same options as {@link openLiveSource}; writes go to the first endpoint.
 * @example
 * const w = await openEtcdWriterForFixtures({ endpoints: etcd.endpoint });
 * await w.putMany([['/registry/pods/default/a', 'x']]);
 * await w.close();
 */
export async function openEtcdWriterForFixtures(options: LiveOptions = {}): Promise<EtcdWriter> {
  const config = normaliseConfig(options);
  const client = makeClient(config.endpoints[0]!, config, true);
  const endpoint = config.endpoints[0]!;
  const wrap = async <T>(what: string, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (e) {
      if (isConnectionFailure(e)) {
        const reason = sanitise(e, config).message;
        throw new EtcdConnectionError(
          `${what}: cannot reach etcd at ${endpoint}: ${reason}. ${hintFor(reason, config)}`,
          { endpoint },
        );
      }
      throw mapEtcdError(e, what, config, endpoint);
    }
  };
  return {
    put: (key, value, opts = {}) =>
      wrap('Writing a key', async () => {
        const res = await client.kv.put({
          key: toBuffer('key', key),
          value: toBuffer('value', value),
          lease: opts.lease ?? 0,
        });
        return num(res.header.revision);
      }),
    putMany: (entries, opts = {}) =>
      wrap('Writing keys', async () => {
        const batchSize = positiveInt('batchSize', opts.batchSize, 128);
        const concurrency = positiveInt('concurrency', opts.concurrency, 4);
        const maxBatchBytes = 1024 * 1024;
        let lastRevision = 0;
        const inFlight = new Set<Promise<void>>();
        let failure: unknown;
        const send = (ops: Array<{ key: Buffer; value: Buffer }>): void => {
          const p = client.kv
            .txn({
              success: ops.map((op) => ({ request_put: { key: op.key, value: op.value, lease: opts.lease ?? 0 } })),
            })
            .then((res) => {
              lastRevision = Math.max(lastRevision, num(res.header.revision));
            })
            .catch((e: unknown) => {
              failure ??= e;
            })
            .finally(() => inFlight.delete(p));
          inFlight.add(p);
        };
        let batch: Array<{ key: Buffer; value: Buffer }> = [];
        let bytes = 0;
        for (const [key, value] of entries) {
          const op = { key: toBuffer('key', key), value: toBuffer('value', value) };
          if (
            batch.length > 0 &&
            (batch.length >= batchSize || bytes + op.key.length + op.value.length > maxBatchBytes)
          ) {
            send(batch);
            batch = [];
            bytes = 0;
            while (inFlight.size >= concurrency) await Promise.race(inFlight);
            if (failure) throw failure;
          }
          batch.push(op);
          bytes += op.key.length + op.value.length;
        }
        if (batch.length > 0) send(batch);
        await Promise.all(inFlight);
        if (failure) throw failure;
        return lastRevision;
      }),
    delete: (key) =>
      wrap('Deleting a key', async () =>
        num((await client.kv.deleteRange({ key: toBuffer('key', key) })).header.revision),
      ),
    deletePrefix: (prefix) =>
      wrap('Deleting keys', async () => {
        const r = normaliseRange({ prefix });
        return num((await client.kv.deleteRange({ key: r.start, range_end: r.end })).header.revision);
      }),
    grantLease: (ttlSeconds) =>
      wrap('Granting a lease', async () =>
        String((await client.leaseClient.leaseGrant({ TTL: ttlSeconds, ID: 0 })).ID),
      ),
    revokeLease: (id) =>
      wrap('Revoking a lease', async () => {
        await client.leaseClient.leaseRevoke({ ID: id });
      }),
    compact: (revision, opts = {}) =>
      wrap('Compacting', async () => {
        await client.kv.compact({ revision, physical: opts.physical ?? true });
      }),
    close: async () => client.close(),
  };
}
