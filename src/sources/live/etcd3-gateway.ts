/**
 * The only file of kubetcd that touches the `etcd3` package. It is loaded on the first live connection,
 * not at import: opening a snapshot or a dump never loads etcd3 or gRPC. Re-exports, under our own names,
 * the few etcd3 types the live source uses.
 */
import type * as Etcd3Module from 'etcd3';

/** A client of one etcd endpoint (etcd3's `Etcd3`). */
export type EtcdClient = Etcd3Module.Etcd3;
/** The options of {@link createEtcdClient} (etcd3's `IOptions`). */
export type EtcdClientOptions = Etcd3Module.IOptions;
/** Per-call gRPC options: the deadline. */
export type EtcdCallOptions = NonNullable<Parameters<EtcdClient['kv']['range']>[1]>;
/** etcd3's fault-handling policy type (its retries and circuit breakers). */
export type EtcdPolicy = NonNullable<NonNullable<EtcdClientOptions['faultHandling']>['global']>;
/** A watch stream of etcd3's watch client. */
export type EtcdWatchStream = Awaited<ReturnType<EtcdClient['watchClient']['watch']>>;
export type {
  IKeyValue as EtcdKeyValue,
  IRangeRequest as EtcdRangeRequest,
  IRangeResponse as EtcdRangeResponse,
  IRequestOp as EtcdRequestOp,
  ITxnResponse as EtcdTxnResponse,
  IHashKVResponse as EtcdHashKvResponse,
  IWatchCreateRequest as EtcdWatchCreateRequest,
  IWatchResponse as EtcdWatchResponse,
} from 'etcd3';

let etcd3: typeof Etcd3Module | undefined;

/**
 * A new etcd3 client (etcd3 is loaded on the first call).
 * @example
 * const client = createEtcdClient({ hosts: ['http://127.0.0.1:2379'] });
 * await client.kv.range({ key: Buffer.from('/registry/') });
 * client.close();
 */
export function createEtcdClient(options: EtcdClientOptions): EtcdClient {
  etcd3 ??= require('etcd3') as typeof Etcd3Module;
  return new etcd3.Etcd3(options);
}

/** The part of etcd3's connection pool that runs one RPC by its proto name. */
interface RpcCallable {
  exec(
    service: 'Maintenance',
    method: 'HashKV',
    payload: Etcd3Module.IHashKVRequest,
    options?: EtcdCallOptions,
  ): Promise<Etcd3Module.IHashKVResponse>;
}

/**
 * etcd's HashKV RPC. etcd3 1.1.2's `maintenance.hashKV()` asks gRPC for a method "hashKV", which its
 * client names "hashKv" (and "HashKV"), so it always fails with "client[method] is not a function": its
 * own connection pool is called with the method's proto name instead.
 * @example
 * const res = await callHashKv(client, 0, { deadline: Date.now() + 30_000 });
 * res.hash
 */
export function callHashKv(
  client: EtcdClient,
  revision: number,
  options: EtcdCallOptions,
): Promise<Etcd3Module.IHashKVResponse> {
  return (client.maintenance as unknown as { client: RpcCallable }).client.exec(
    'Maintenance',
    'HashKV',
    { revision },
    options,
  );
}
