/**
 * One etcd3 client per endpoint and our own fail-over: a call goes to the member that last answered and,
 * on a connection failure (refused, TLS, deadline), moves to the next endpoint. etcd3's retry and
 * circuit-breaker policies are replaced by a run-once policy; every unary call has a deadline.
 */
import { AbortedError, EtcdConnectionError, InvalidArgumentError } from '../../errors';
import {
  createEtcdClient,
  type EtcdCallOptions,
  type EtcdClient,
  type EtcdClientOptions,
  type EtcdPolicy,
  type EtcdRangeRequest,
  type EtcdRangeResponse,
} from './etcd3-gateway';
import { hintFor, isConnectionFailure, mapEtcdError, sanitise } from './etcd-errors';
import type { Config } from './live-config';
import { num, throwIfAborted } from './live-keys';

/** A policy that runs the call once: fail-over and retries are ours. */
const RUN_ONCE = {
  execute<T>(fn: (context: { signal: AbortSignal }) => PromiseLike<T> | T): Promise<T> {
    return Promise.resolve().then(() => fn({ signal: new AbortController().signal }));
  },
} as unknown as EtcdPolicy;

const MAX_RECEIVE_BYTES = 256 * 1024 * 1024;

/** A connection to one endpoint. */
export interface Connection {
  endpoint: string;
  client: EtcdClient;
}

/**
 * An etcd3 client of one endpoint: raised message limits, keepalive pings that find a hung member, a
 * deadline on every unary call (at least 30 s for writes), and no retries of etcd3's own.
 * @example
 * const client = makeClient('http://127.0.0.1:2379', normaliseConfig({}), false);
 */
export function makeClient(endpoint: string, config: Config, forWrites: boolean): EtcdClient {
  const grpcOptions: Record<string, string | number> = {
    'grpc.max_receive_message_length': MAX_RECEIVE_BYTES,
    'grpc.max_send_message_length': 64 * 1024 * 1024,
    // HTTP/2 flow-control window: the 64 KB default makes etcd send a large page in many small bursts.
    'grpc-node.flow_control_window': 16 * 1024 * 1024,
    'grpc.initial_reconnect_backoff_ms': 100,
    'grpc.max_reconnect_backoff_ms': Math.max(200, Math.min(2000, config.callTimeoutMs)),
    // A member that hangs with its connection open (SIGSTOP, a dead host behind a live route) answers
    // nothing: HTTP/2 pings while a call is waiting find out within keepalive time + timeout, and the
    // call then fails over instead of waiting its whole deadline. etcd refuses pings more often than
    // every 5 s (--grpc-keepalive-min-time), so 10 s.
    'grpc.keepalive_time_ms': 10_000,
    'grpc.keepalive_timeout_ms': Math.max(1000, Math.min(5000, config.dialTimeoutMs)),
  };
  if (config.serverName !== undefined) grpcOptions['grpc.ssl_target_name_override'] = config.serverName;
  const options: EtcdClientOptions = {
    hosts: [endpoint],
    dialTimeout: config.dialTimeoutMs,
    grpcOptions,
    faultHandling: { host: () => RUN_ONCE, global: RUN_ONCE },
    defaultCallOptions: (context) =>
      context.isStream
        ? {}
        : { deadline: Date.now() + (forWrites ? Math.max(config.callTimeoutMs, 30_000) : config.callTimeoutMs) },
  };
  if (config.credentials) {
    options.credentials = config.credentials as NonNullable<EtcdClientOptions['credentials']>;
  }
  if (config.user !== undefined) {
    options.auth = {
      username: config.user,
      password: config.password ?? '',
      callOptions: () => ({ deadline: Date.now() + config.callTimeoutMs }),
    };
  }
  return createEtcdClient(options);
}

/**
 * The clients of a live source's endpoints, its configuration (credentials included) and which member
 * answers: kept out of the source object itself (see {@link attachPool}), so no own property of a source
 * holds a password or key.
 */
export class EndpointPool {
  readonly origin: string;
  readonly connections: Connection[];
  /** The index of the member that answered last: calls go there first. */
  preferred = 0;
  closed = false;
  /** The last compaction revision found (see compactRevision in live-status.ts). */
  compactCache: { value: number; atMs: number } | undefined;

  constructor(readonly config: Config) {
    this.origin = config.endpoints.join(',');
    this.connections = config.endpoints.map((endpoint) => ({ endpoint, client: makeClient(endpoint, config, false) }));
  }

  /** Runs `fn` on one member after another until one answers; connection failures move on. */
  async call<T>(
    what: string,
    fn: (client: EtcdClient, options: EtcdCallOptions) => Promise<T>,
    signal?: AbortSignal,
    revision?: number,
  ): Promise<T> {
    if (this.closed) throw new InvalidArgumentError(`${what}: this live source was closed. Open a new one.`);
    throwIfAborted(signal, what);
    const failures: string[] = [];
    const count = this.connections.length;
    // Two rounds at most: a second one only when a member said the cluster is electing a leader
    // (killing the leader makes the others refuse reads for about an election timeout).
    for (let round = 0; round < 2; round++) {
      let electing = false;
      for (let attempt = 0; attempt < count; attempt++) {
        const index = (this.preferred + attempt) % count;
        const connection = this.connections[index]!;
        const options: EtcdCallOptions = { deadline: Date.now() + this.config.callTimeoutMs };
        try {
          const result = await raceAbort(fn(connection.client, options), signal, what);
          this.preferred = index;
          return result;
        } catch (e) {
          if (e instanceof AbortedError) throw e;
          if (!isConnectionFailure(e)) throw mapEtcdError(e, what, this.config, connection.endpoint, revision);
          const reason = sanitise(e, this.config).message;
          if (/leader changed|no leader/i.test(reason)) electing = true;
          failures.push(`${connection.endpoint}: ${reason}`);
          throwIfAborted(signal, what);
        }
      }
      if (!electing || count === 1) break;
      await new Promise((resolve) => setTimeout(resolve, Math.min(1000, this.config.callTimeoutMs / 2)));
    }
    const reasons = failures.join('; ');
    throw new EtcdConnectionError(
      `${what}: cannot reach etcd at ${this.origin} (tried ${count} endpoint${count === 1 ? '' : 's'}, each with a ${this.config.callTimeoutMs} ms deadline). ${reasons}. ${hintFor(reasons, this.config)}`,
      { endpoints: this.config.endpoints, failures },
    );
  }

  /**
   * Runs `fn` on the first member, and on all the others too once it has not answered within a short
   * grace (500 ms, or dialTimeoutMs if shorter); the first to answer becomes the preferred member. A
   * stopped or hung first endpoint then costs the grace at open, not a whole deadline, while a healthy
   * first endpoint stays the one used. Any non-connection failure is the answer, as in {@link call}.
   */
  async callFirstToAnswer<T>(
    what: string,
    fn: (client: EtcdClient, options: EtcdCallOptions) => Promise<T>,
  ): Promise<T> {
    const count = this.connections.length;
    if (count === 1) return this.call(what, fn);
    const failures: string[] = [];
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      let pending = count;
      let hedge: NodeJS.Timeout | undefined;
      const start = (connection: Connection, index: number): void => {
        fn(connection.client, { deadline: Date.now() + this.config.callTimeoutMs }).then(
          (result) => {
            if (settled) return;
            settled = true;
            clearTimeout(hedge);
            this.preferred = index;
            resolve(result);
          },
          (e: unknown) => {
            if (settled) return;
            if (!isConnectionFailure(e)) {
              settled = true;
              clearTimeout(hedge);
              reject(mapEtcdError(e, what, this.config, connection.endpoint));
              return;
            }
            failures.push(`${connection.endpoint}: ${sanitise(e, this.config).message}`);
            // The first one failed outright: ask the others now rather than after the grace.
            if (index === 0 && hedge !== undefined) {
              clearTimeout(hedge);
              hedge = undefined;
              startOthers();
            }
            if (--pending > 0) return;
            settled = true;
            const reasons = failures.join('; ');
            reject(
              new EtcdConnectionError(
                `${what}: cannot reach etcd at ${this.origin} (tried ${count} endpoints at once, each with a ${this.config.callTimeoutMs} ms deadline). ${reasons.replace(/ Resolution note:\.?/g, '')}. ${hintFor(reasons, this.config)}`,
                { endpoints: this.config.endpoints, failures },
              ),
            );
          },
        );
      };
      let othersStarted = false;
      const startOthers = (): void => {
        if (othersStarted || settled) return;
        othersStarted = true;
        this.connections.forEach((connection, index) => {
          if (index > 0) start(connection, index);
        });
      };
      start(this.connections[0]!, 0);
      hedge = setTimeout(
        () => {
          hedge = undefined;
          startOthers();
        },
        Math.min(500, this.config.dialTimeoutMs),
      );
    });
  }

  rangeCall(what: string, request: EtcdRangeRequest, signal?: AbortSignal): Promise<EtcdRangeResponse> {
    return this.call(
      what,
      (client, options) => client.kv.range(request, options),
      signal,
      num(request.revision) || undefined,
    );
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const c of this.connections) c.client.close();
  }
}

/** Settles with `promise`, or rejects with an AbortedError as soon as `signal` aborts. */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined, what: string): Promise<T> {
  if (!signal) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new AbortedError(`${what} was cancelled by its AbortSignal.`));
    if (signal.aborted) {
      onAbort();
      return;
    }
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

/** Each live source's pool, outside the source object (see {@link EndpointPool}). */
const POOLS = new WeakMap<object, EndpointPool>();

/** Ties a pool to the source that uses it. */
export function attachPool(source: object, pool: EndpointPool): void {
  POOLS.set(source, pool);
}

/** The pool of a live source opened by this module, or undefined for any other object. */
export function poolOf(source: object): EndpointPool | undefined {
  return POOLS.get(source);
}
