/**
 * The live etcd source: a read-only {@link KvSource} over a running etcd cluster (v3 API, etcd ≥ 3.4),
 * through the `etcd3` npm client. This is the ONLY file of kubetcd that imports `etcd3`; it also exports
 * {@link openEtcdWriterForFixtures}, a separately named writer for tests and fixture scripts, and
 * {@link openEtcdWriter}, compare-and-swap writes that need `{ allowWrite: true }` (the source itself
 * has no write method). No own property of a source holds credentials: String(), util.inspect and
 * JSON.stringify show its endpoints only.
 *
 * How it talks to etcd:
 * - One gRPC client per endpoint and our own fail-over: a call goes to the member that last answered,
 *   and on a connection failure (refused, TLS failure, deadline) moves to the next endpoint. etcd3's
 *   retry and circuit-breaker policies are replaced by no-ops, so a too-large response or a refused
 *   password is never asked three times.
 * - Every unary call has a deadline (`callTimeoutMs`, default 30 s): a hung member costs at most one
 *   deadline per endpoint, never a hung notebook.
 * - `grpc.max_receive_message_length` is raised to 256 MB, but paging keeps responses near `pageBytes`.
 *
 * Paging (etcd ≤ 3.6 walks the whole requested window to compute `count` for every limited request,
 * so small pages over one big range are quadratic): the first page (pageBytes / 64 KiB keys; 1000 keys-only) pins revision R (its
 * header revision); every later page is read at R from the last key + `\0`. Each page's `count` says
 * how much of its window is left; when that is more than four pages, the next page is bounded by the
 * sub-prefix of the last key (the range prefix plus its next `/`-terminated segment, e.g. one
 * namespace), so etcd walks only that sub-prefix. When a bounded window is done, the next window covers
 * the nearby key space first (the prefix end of the previous window's end, then of it shortened by
 * 1, 2, 4, ... bytes), so the jump to the next sub-prefix rarely walks the whole rest of the range. Page sizes adapt
 * to `pageBytes` from the value sizes seen; the next page is requested while the current one is
 * consumed. Measured with 200 000 keys of 2 KB in 50 sub-prefixes: etcd walked 0.9 M index entries
 * instead of 5.2 M for plain paging, and spent about a third less CPU.
 * If R is compacted mid-read (kube-apiserver compacts every 5 minutes), the read restarts at the
 * current revision R' when that is sound: the part already handed out is read again (keys only) at R',
 * and if it holds exactly the records handed out (same keys, same mod revisions) the read goes on at R'
 * — the whole listing is then the state at R' — and `onProgress` reports the new revision with
 * `restarts`. If anything handed out has changed since, the read fails with a
 * {@link CompactedRevisionError} saying so (a listing never silently mixes two revisions). A read at an
 * explicit `revision` never moves.
 *
 * Records' `key` and `value` are Buffers that view the page's gRPC message (no copy): keeping one
 * record keeps its page (≈ pageBytes) alive; copy the bytes to keep a few records from a huge read.
 *
 * compactRevision (not exposed by etcd's API): found by binary search for the lowest revision at which
 * a single-key read is not refused as compacted (about log2(revision) tiny reads).
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as tls from 'node:tls';
import { inspect } from 'node:util';
import {
  Etcd3,
  type IOptions,
  type IKeyValue,
  type IRangeRequest,
  type IRangeResponse,
  type IRequestOp,
  type ITxnResponse,
  type IHashKVRequest,
  type IHashKVResponse,
  type IWatchCreateRequest,
  type IWatchResponse,
} from 'etcd3';
import {
  AbortedError,
  CompactedRevisionError,
  EtcdConnectionError,
  FutureRevisionError,
  InvalidArgumentError,
  KubetcdError,
} from '../errors';
import type {
  HashKvOptions,
  KeyRange,
  KvTombstone,
  KvHash,
  KvHistoryEntry,
  KvRecord,
  KvSource,
  LeaseInfo,
  MemberInfo,
  RangeOptions,
  ReadOptions,
  SourceStatus,
  KvWatchEvent,
  WatchOptions,
} from './types';

/** How to reach etcd. Every field is optional; without options the ETCDCTL_* variables apply. */
export interface LiveOptions {
  /** `host:port` or URLs, as an array or comma-separated (default ETCDCTL_ENDPOINTS, else 127.0.0.1:2379). */
  endpoints?: string | string[];
  /** CA certificate: a file path or PEM text (ETCDCTL_CACERT). */
  cacert?: string;
  /** Client certificate: a file path or PEM text (ETCDCTL_CERT). */
  cert?: string;
  /** Client private key: a file path or PEM text (ETCDCTL_KEY). */
  key?: string;
  /**
   * Skip TLS checks like etcdctl's --insecure-skip-tls-verify (ETCDCTL_INSECURE_SKIP_TLS_VERIFY).
   * grpc-js cannot turn verification off, so: the server name check is skipped (the name in the
   * server's certificate is used), and without `cacert` a self-signed root sent by etcd is trusted for
   * this session; if etcd sends no self-signed root, `cacert` is still needed.
   */
  insecureSkipVerify?: boolean;
  /** Check the server certificate against this name instead of the endpoint's host. */
  serverName?: string;
  /** User name, or `user:password` (ETCDCTL_USER). */
  user?: string;
  /** Password (ETCDCTL_PASSWORD); overrides a password given in `user`. */
  password?: string;
  /** Deadline to establish a connection, ms (default 5000). */
  dialTimeoutMs?: number;
  /** Deadline of each call to one member, ms (default 30000). */
  callTimeoutMs?: number;
  /**
   * A watch that has heard nothing for this long asks etcd for a progress report, and a member that
   * does not answer within `dialTimeoutMs` counts as hung: the watch moves to the next endpoint and
   * resumes after the last revision received (default 5000 ms).
   */
  watchProgressMs?: number;
  /** Most keys per page (default 10000). */
  pageSize?: number;
  /** Target bytes of values per page (default 4 MiB); the page size adapts to it. */
  pageBytes?: number;
  /**
   * Bound pages by the sub-prefix of the last key read (default true). False pages over the whole
   * rest of the range (what etcdctl does); kept for benchmarks.
   */
  subPrefixPaging?: boolean;
  /** Environment to read ETCDCTL_* from (default process.env). */
  env?: NodeJS.ProcessEnv;
}

interface Config {
  endpoints: string[];
  insecureSkipVerify: boolean;
  secure: boolean;
  /** For etcd3; without rootCertificate grpc-js uses the system's roots. */
  credentials?: { rootCertificate?: Buffer; certChain?: Buffer; privateKey?: Buffer };
  hasCacert?: boolean;
  /** insecureSkipVerify without cacert, and etcd did not send a self-signed root. */
  tofuFailed?: boolean;
  serverName?: string;
  user?: string;
  password?: string;
  dialTimeoutMs: number;
  callTimeoutMs: number;
  watchProgressMs: number;
  pageSize: number;
  pageBytes: number;
  subPrefixPaging: boolean;
}

type CallOptions = NonNullable<Parameters<Etcd3['kv']['range']>[1]>;
type EtcdPolicy = NonNullable<NonNullable<IOptions['faultHandling']>['global']>;

/** A policy that runs the call once: fail-over and retries are ours. */
const RUN_ONCE = {
  execute<T>(fn: (context: { signal: AbortSignal }) => PromiseLike<T> | T): Promise<T> {
    return Promise.resolve().then(() => fn({ signal: new AbortController().signal }));
  },
} as unknown as EtcdPolicy;

const MAX_RECEIVE_BYTES = 256 * 1024 * 1024;
const NUL = Buffer.from([0]);

function positiveInt(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) {
    throw new InvalidArgumentError(`Invalid ${name}: ${String(value)}. It must be a positive number.`);
  }
  return Math.floor(value);
}

function readPem(what: string, value: string | undefined): Buffer | undefined {
  if (value === undefined || value === '') return undefined;
  if (value.includes('-----BEGIN')) return Buffer.from(value);
  try {
    return fs.readFileSync(value);
  } catch (e) {
    // Never echo something that may be key material in another encoding.
    const shown = value.length > 512 || /[\r\n]/.test(value) ? `(text of ${value.length} characters, not PEM)` : value;
    const why = (e as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new InvalidArgumentError(
      `Cannot read the ${what} file: ${shown} (${why}). Pass a readable path or the PEM text itself.`,
    );
  }
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/**
 * Certificates must be PEM certificates that parse: OpenSSL skips text that is not one without a word,
 * so a wrong file (a key, a kubeconfig, garbage) would otherwise surface as a failed handshake later.
 */
function checkCertificates(what: string, given: string | undefined, pem: Buffer | undefined): Buffer | undefined {
  if (pem === undefined) return undefined;
  const named = given !== undefined && !given.includes('-----BEGIN') ? `"${given}"` : 'the PEM text given';
  const blocks = pem.toString('latin1').match(PEM_CERTIFICATE) ?? [];
  if (blocks.length === 0) {
    throw new InvalidArgumentError(
      `Cannot use the ${what} ${named}: it holds no PEM certificate ("-----BEGIN CERTIFICATE-----"). ` +
        "Pass etcd's certificate file, such as /etc/kubernetes/pki/etcd/ca.crt for the CA.",
    );
  }
  for (const [i, block] of blocks.entries()) {
    try {
      new crypto.X509Certificate(block);
    } catch (e) {
      throw new InvalidArgumentError(
        `Cannot use the ${what} ${named}: certificate ${i + 1} of ${blocks.length} does not parse (${reasonOf(e)}). The file is damaged or not a certificate; pass the right file.`,
      );
    }
  }
  return pem;
}

function truthy(value: string | undefined): boolean {
  return value !== undefined && /^(1|true|yes|on)$/i.test(value.trim());
}

function normaliseConfig(options: LiveOptions): Config {
  const env = options.env ?? process.env;
  const rawEndpoints = options.endpoints ?? env.ETCDCTL_ENDPOINTS ?? '127.0.0.1:2379';
  const list = (Array.isArray(rawEndpoints) ? rawEndpoints : [rawEndpoints])
    .flatMap((e) => e.split(','))
    .map((e) => e.trim())
    .filter((e) => e !== '');
  if (list.length === 0) {
    throw new InvalidArgumentError('No etcd endpoint given. Pass { endpoints: "127.0.0.1:2379" } or set ETCDCTL_ENDPOINTS.');
  }
  const cacert = checkCertificates('CA certificate (cacert, ETCDCTL_CACERT)', options.cacert ?? env.ETCDCTL_CACERT, readPem('CA certificate (cacert)', options.cacert ?? env.ETCDCTL_CACERT));
  const cert = checkCertificates('client certificate (cert, ETCDCTL_CERT)', options.cert ?? env.ETCDCTL_CERT, readPem('client certificate (cert)', options.cert ?? env.ETCDCTL_CERT));
  const key = readPem('client key (key)', options.key ?? env.ETCDCTL_KEY);
  if ((cert === undefined) !== (key === undefined)) {
    throw new InvalidArgumentError(
      'A client certificate needs its key and a key needs its certificate: pass both cert and key (or ETCDCTL_CERT and ETCDCTL_KEY).',
    );
  }
  const anyHttps = list.some((e) => e.startsWith('https://'));
  const secure = anyHttps || cacert !== undefined || cert !== undefined;
  const endpoints = list.map((e) => {
    const userInfo = /^(?:[a-z][a-z0-9+.-]*:\/\/)?([^/@]*)@/i.exec(e);
    if (userInfo) {
      // Never echo it: the part before "@" may be a password.
      const shown = e.replace(userInfo[1]!, '…');
      throw new InvalidArgumentError(
        `Unsupported endpoint: ${shown} holds credentials before "@". Pass them as { user, password } (ETCDCTL_USER, ETCDCTL_PASSWORD) and the endpoint as host:port.`,
      );
    }
    if (/^https?:\/\//.test(e)) {
      if (secure && e.startsWith('http://')) {
        throw new InvalidArgumentError(
          `Endpoint ${e} is plain http but TLS is configured. Use https:// for every endpoint, or drop the TLS options.`,
        );
      }
      return e.replace(/\/+$/, '');
    }
    if (/^[a-z]+:\/\//i.test(e)) {
      throw new InvalidArgumentError(`Unsupported endpoint: ${e}. Use host:port, http://host:port or https://host:port.`);
    }
    return `${secure ? 'https' : 'http'}://${e}`;
  });
  const insecureSkipVerify = options.insecureSkipVerify ?? truthy(env.ETCDCTL_INSECURE_SKIP_TLS_VERIFY);
  const serverName = options.serverName;
  let user = options.user ?? env.ETCDCTL_USER;
  let password: string | undefined;
  if (user !== undefined && user.includes(':')) {
    const at = user.indexOf(':');
    password = user.slice(at + 1);
    user = user.slice(0, at);
  }
  password = options.password ?? env.ETCDCTL_PASSWORD ?? password;
  if (user === '') user = undefined;
  if (user !== undefined && password === undefined) {
    throw new InvalidArgumentError(
      `No password for etcd user "${user}". Pass { password } or user "name:password", or set ETCDCTL_PASSWORD.`,
    );
  }
  const config: Config = {
    endpoints,
    secure,
    insecureSkipVerify,
    dialTimeoutMs: positiveInt('dialTimeoutMs', options.dialTimeoutMs, 5000),
    callTimeoutMs: positiveInt('callTimeoutMs', options.callTimeoutMs, 30_000),
    watchProgressMs: positiveInt('watchProgressMs', options.watchProgressMs, 5000),
    pageSize: positiveInt('pageSize', options.pageSize, 10_000),
    pageBytes: positiveInt('pageBytes', options.pageBytes, 4 * 1024 * 1024),
    subPrefixPaging: options.subPrefixPaging !== false,
  };
  if (secure) {
    config.credentials = {};
    if (cacert !== undefined) config.credentials.rootCertificate = cacert;
    config.hasCacert = cacert !== undefined;
    if (cert !== undefined) config.credentials.certChain = cert;
    if (key !== undefined) config.credentials.privateKey = key;
    // grpc-js throws OpenSSL's bare error from the client constructor: check the material here (the
    // reason never holds key bytes; the values are not echoed).
    try {
      tls.createSecureContext({ ca: cacert, cert, key });
    } catch (e) {
      throw new InvalidArgumentError(
        `Cannot use the TLS files (cacert, cert, key): ${reasonOf(e)}. Check that each is a PEM certificate or key (a path or the text) and that key is the private key of cert.`,
      );
    }
  }
  if (serverName !== undefined) config.serverName = serverName;
  if (user !== undefined) config.user = user;
  if (password !== undefined) config.password = password;
  return config;
}

function toBuffer(what: string, value: string | Uint8Array): Buffer {
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  throw new InvalidArgumentError(`Invalid ${what}: ${String(value)}. Pass a string or a Uint8Array.`);
}

/** The smallest key greater than every key starting with `prefix` (etcd's prefix range end). */
function prefixEnd(prefix: Buffer): Buffer {
  for (let i = prefix.length - 1; i >= 0; i--) {
    const byte = prefix[i]!;
    if (byte < 0xff) {
      const end = Buffer.from(prefix.subarray(0, i + 1));
      end[i] = byte + 1;
      return end;
    }
  }
  return NUL; // every key from the start
}

interface NormalRange {
  start: Buffer;
  /** Exclusive end; `\0` means "to the end of the keyspace" (etcd's convention). */
  end: Buffer;
  /** The common prefix used for sub-prefix splitting (empty for explicit ranges). */
  prefix: Buffer;
}

function normaliseRange(range: KeyRange): NormalRange {
  if (range === null || typeof range !== 'object') {
    throw new InvalidArgumentError(`Invalid key range: ${String(range)}. Pass { prefix } or { start, end? }.`);
  }
  if ('prefix' in range) {
    const prefix = toBuffer('prefix', range.prefix);
    if (prefix.length === 0) return { start: NUL, end: NUL, prefix };
    return { start: prefix, end: prefixEnd(prefix), prefix };
  }
  if ('start' in range) {
    let start = toBuffer('start key', range.start);
    if (start.length === 0) start = NUL;
    const end = range.end === undefined ? NUL : toBuffer('end key', range.end);
    if (end.length === 0) {
      throw new InvalidArgumentError('Invalid range end: the empty key. Omit end to read to the end of the keyspace.');
    }
    return { start, end, prefix: Buffer.alloc(0) };
  }
  throw new InvalidArgumentError(`Invalid key range: ${JSON.stringify(range)}. Pass { prefix } or { start, end? }.`);
}

function isToEnd(end: Buffer): boolean {
  return end.length === 1 && end[0] === 0;
}

/** min(a, b) of two range ends, where `\0` means infinity. */
function minEnd(a: Buffer, b: Buffer): Buffer {
  if (isToEnd(a)) return b;
  if (isToEnd(b)) return a;
  return Buffer.compare(a, b) <= 0 ? a : b;
}

function num(value: string | number | undefined): number {
  if (value === undefined) return 0;
  return typeof value === 'number' ? value : Number(value);
}

function hexId(value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  try {
    return BigInt(value).toString(16);
  } catch {
    return undefined;
  }
}

function toRecord(kv: IKeyValue, keysOnly: boolean): KvRecord {
  return {
    key: kv.key,
    value: keysOnly ? new Uint8Array(0) : kv.value,
    createRevision: num(kv.create_revision),
    modRevision: num(kv.mod_revision),
    version: num(kv.version),
    lease: kv.lease === undefined || kv.lease === '' ? '0' : String(kv.lease),
    valueBytes: keysOnly ? 0 : kv.value.length,
  };
}

/** The record a watch event carries; a delete's has no value, version or create revision left. */
function eventRecord(event: IWatchResponse['events'][number]): { record: KvRecord; deleted: boolean } {
  const deleted = event.type === 'Delete';
  const record = toRecord(event.kv, false);
  if (deleted) {
    record.createRevision = 0;
    record.version = 0;
    record.value = new Uint8Array(0);
    record.valueBytes = 0;
  }
  return { record, deleted };
}

/** A cheap order-sensitive digest (two 32-bit FNV-1a variants) of (key, modRevision) pairs. */
class RecordDigest {
  count = 0;
  private a = 0x811c9dc5;
  private b = 0x01000193;
  add(key: Uint8Array, modRevision: number): void {
    let a = this.a;
    let b = this.b;
    for (let i = 0; i < key.length; i++) {
      const c = key[i] as number;
      a = Math.imul(a ^ c, 0x01000193);
      b = Math.imul(b ^ c, 0x5bd1e995) ^ (b >>> 13);
    }
    const lo = modRevision >>> 0;
    const hi = Math.floor(modRevision / 0x100000000);
    a = Math.imul(a ^ lo ^ 0xff, 0x01000193);
    b = Math.imul(b ^ hi ^ lo, 0x5bd1e995) ^ (b >>> 13);
    this.a = a;
    this.b = b;
    this.count++;
  }
  equals(o: RecordDigest): boolean {
    return this.count === o.count && this.a === o.a && this.b === o.b;
  }
}

function checkRevision(revision: number | undefined): number | undefined {
  if (revision === undefined) return undefined;
  if (!Number.isSafeInteger(revision) || revision < 0) {
    throw new InvalidArgumentError(`Invalid revision: ${String(revision)}. Pass a positive integer, or omit it for the latest.`);
  }
  return revision === 0 ? undefined : revision;
}

function throwIfAborted(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw new AbortedError(`${what} was cancelled by its AbortSignal.`);
}

/** Errors that mean "this member is unreachable or hung": try the next endpoint. */
function isConnectionFailure(e: unknown): boolean {
  const name = (e as { constructor?: { name?: string } })?.constructor?.name ?? '';
  if (name === 'GRPCUnavailableError' || name === 'GRPCDeadlineExceededError' || name === 'GRPCCancelledError') {
    return true;
  }
  const message = e instanceof Error ? e.message : String(e);
  return /ECONNREFUSED|ECONNRESET|No connection established|Connection dropped|deadline exceeded|failed to connect|Received RST|stream removed|leader changed|no leader|timed out/i.test(
    message,
  );
}

/**
 * An error's message on one line, ready to be followed by ". ": grpc-js's empty trailing "Resolution
 * note:" dropped (a non-empty note kept in parentheses), and no final period of its own.
 */
function reasonOf(e: unknown): string {
  const message = (e instanceof Error ? e.message : String(e))
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/\.?\s*Resolution note:\s*$/, '')
    .replace(/\.?\s*Resolution note:\s*(.+?)\.?$/, ' (resolution note: $1)')
    .replace(/\.+$/, '');
  return message || (e as { constructor?: { name?: string } })?.constructor?.name || 'unknown error';
}

function hintFor(reasons: string, config: Config): string {
  if (/certificate has expired|certificate expired/i.test(reasons)) {
    return 'A certificate has expired: renew the client certificate (cert/key, ETCDCTL_CERT) or check the server\'s.';
  }
  if (/bad certificate|unknown ca|certificate required|alert/i.test(reasons)) {
    return 'etcd refused the client certificate: pass a cert and key (ETCDCTL_CERT, ETCDCTL_KEY) signed by a CA that etcd trusts (--trusted-ca-file).';
  }
  if (/self[- ]signed|unable to verify|unable to get local issuer|certificate signature failure|UNABLE_TO_VERIFY/i.test(reasons)) {
    if (config.tofuFailed) {
      return "insecureSkipVerify cannot skip chain verification here (grpc-js always verifies, and etcd did not send its CA): pass the CA that signed etcd's certificate as cacert (ETCDCTL_CACERT); insecureSkipVerify then skips only the name check.";
    }
    return config.hasCacert
      ? "etcd's server certificate is not signed by the given CA: pass the CA that signed it as cacert (ETCDCTL_CACERT)."
      : "etcd's server certificate is not signed by a CA this machine trusts, and no CA was given: pass the CA that signed it as cacert (ETCDCTL_CACERT), such as /etc/kubernetes/pki/etcd/ca.crt.";
  }
  if (/altnames|Hostname\/IP does not match|does not match certificate/i.test(reasons)) {
    return 'The server certificate is not valid for this host name: pass serverName, or connect by a name the certificate lists.';
  }
  if (/wrong version number|EPROTO|packet length too long|disconnected before secure TLS connection/i.test(reasons)) {
    return config.secure
      ? 'The server does not speak TLS there: use http:// endpoints without TLS options.'
      : 'The server expects TLS: use https:// endpoints and pass cacert (and cert/key if it wants client certificates).';
  }
  if (/ECONNREFUSED|connection refused/i.test(reasons)) {
    return 'Nothing listens there: check that etcd runs and that the endpoints (ETCDCTL_ENDPOINTS) are right.';
  }
  if (/deadline|timed out/i.test(reasons)) {
    return `No answer within the deadline (callTimeoutMs ${config.callTimeoutMs} ms): the member may be hung, overloaded or unreachable; retry, raise callTimeoutMs, or list other endpoints.`;
  }
  return 'Check the endpoints, that etcd runs, and the TLS options.';
}

/** A connection to one endpoint. */
interface Connection {
  endpoint: string;
  client: Etcd3;
}

function makeClient(endpoint: string, config: Config, forWrites: boolean): Etcd3 {
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
  const options: IOptions = {
    hosts: [endpoint],
    dialTimeout: config.dialTimeoutMs,
    grpcOptions,
    faultHandling: { host: () => RUN_ONCE, global: RUN_ONCE },
    defaultCallOptions: (context) =>
      context.isStream ? {} : { deadline: Date.now() + (forWrites ? Math.max(config.callTimeoutMs, 30_000) : config.callTimeoutMs) },
  };
  if (config.credentials) {
    options.credentials = config.credentials as NonNullable<IOptions['credentials']>;
  }
  if (config.user !== undefined) {
    options.auth = {
      username: config.user,
      password: config.password ?? '',
      callOptions: () => ({ deadline: Date.now() + config.callTimeoutMs }),
    };
  }
  return new Etcd3(options);
}

/** Maps an etcd error that is not a connection failure to a kubetcd error. */
function mapEtcdError(e: unknown, what: string, config: Config, endpoint: string, revision?: number): Error {
  const message = sanitise(e, config).message;
  if (/required revision has been compacted/i.test(message)) {
    return new CompactedRevisionError(
      `${what}: revision ${revision ?? '?'} was compacted on ${endpoint}. etcd keeps no history below its compaction revision. Omit { revision } or pass a newer one (status().compactRevision is the oldest kept); a paged read that hit this can simply be run again and restarts at a new revision.`,
      { revision, endpoint },
      { cause: sanitise(e, config) },
    );
  }
  if (/required revision is a future revision/i.test(message)) {
    return new FutureRevisionError(
      `${what}: revision ${revision ?? '?'} is newer than etcd's current revision. Omit { revision } or pass one <= status().revision.`,
      { revision, endpoint },
      { cause: sanitise(e, config) },
    );
  }
  if (/user name is empty|token/i.test(message) && config.user === undefined) {
    return new EtcdConnectionError(
      `${what}: etcd at ${endpoint} requires authentication and no user was given (${message}). Pass { user, password }, or set ETCDCTL_USER (and ETCDCTL_PASSWORD).`,
      { endpoint },
      { cause: sanitise(e, config) },
    );
  }
  if (/authentication failed|invalid user ID or password|user name is empty|user name not found/i.test(message)) {
    return new EtcdConnectionError(
      `${what}: etcd at ${endpoint} refused the credentials of user "${config.user ?? ''}" (authentication failed, invalid user name or password). Check user and password (ETCDCTL_USER, ETCDCTL_PASSWORD).`,
      { endpoint, user: config.user },
      { cause: sanitise(e, config) },
    );
  }
  if (/permission denied/i.test(message)) {
    return new EtcdConnectionError(
      `${what}: etcd at ${endpoint} denied permission to user "${config.user ?? '(none)'}" (${what.replace(/^[A-Z]/, (c) => c.toLowerCase())}). Grant the user's role read access to these keys (etcdctl role grant-permission ROLE read --prefix KEY), read a prefix the role may read, or use another user.`,
      { endpoint, user: config.user, permissionDenied: true },
      { cause: sanitise(e, config) },
    );
  }
  if (/larger than max|message too large|RESOURCE_EXHAUSTED/i.test(message)) {
    return new KubetcdError(
      `${what}: etcd's response was too large (${message}). Lower pageBytes / pageSize.`,
      { endpoint },
      { cause: sanitise(e, config) },
    );
  }
  if (/user name is empty|token|auth/i.test(message) && config.user === undefined) {
    return new EtcdConnectionError(
      `${what}: etcd at ${endpoint} requires authentication (${message}). Pass { user, password } or set ETCDCTL_USER.`,
      { endpoint },
      { cause: sanitise(e, config) },
    );
  }
  return new KubetcdError(`${what} failed on ${endpoint}: ${message}.`, { endpoint }, { cause: sanitise(e, config) });
}

/** Never let a password or key material through in a cause. */
function sanitise(e: unknown, config: Config): Error {
  let message = reasonOf(e);
  if (config.password) message = message.split(config.password).join('***');
  message = message.replace(/-----BEGIN [^-]*-----[\s\S]*?(?:-----END [^-]*-----|$)/g, '(PEM text removed)');
  return new Error(message);
}

/** The part of etcd3's connection pool that runs one RPC (see hashKV). */
interface HashKvCallable {
  exec(service: 'Maintenance', method: 'HashKV', payload: IHashKVRequest, options?: CallOptions): Promise<IHashKVResponse>;
}

interface WatchCreate {
  key: Buffer;
  range_end?: Buffer;
  start_revision: number;
  prev_kv?: boolean;
}

/** A watch stream; the gRPC duplex stream also pauses and resumes (flow control for slow consumers). */
type WatchStream = Awaited<ReturnType<Etcd3['watchClient']['watch']>> & { pause?(): unknown; resume?(): unknown };
/** Events queued before the gRPC stream is paused, and the level at which it resumes. */
const WATCH_HIGH_WATER = 4096;
const WATCH_LOW_WATER = 512;

interface PageResult {
  kvs: IKeyValue[];
  more: boolean;
  revision: number;
  count: number;
}

/**
 * A live source's configuration (credentials included) and clients, kept outside the object: no own
 * property of a source holds a password or key, so `util.inspect`, `JSON.stringify`, lodash clones and
 * notebook displays of a source never show them. Also how {@link openEtcdWriter} reuses a source's
 * connection options.
 */
const HIDDEN = new WeakMap<object, { config: Config; connections: Connection[] }>();

class LiveEtcdSource implements KvSource {
  readonly kind = 'live' as const;
  readonly origin: string;
  private preferred = 0;
  private closed = false;
  private compactCache: { value: number; atMs: number } | undefined;

  constructor(config: Config) {
    this.origin = config.endpoints.join(',');
    const connections = config.endpoints.map((endpoint) => ({ endpoint, client: makeClient(endpoint, config, false) }));
    HIDDEN.set(this, { config, connections });
  }

  private get config(): Config {
    return HIDDEN.get(this)!.config;
  }

  private get connections(): Connection[] {
    return HIDDEN.get(this)!.connections;
  }

  /** `LiveEtcdSource(<endpoints>)`: never credentials. */
  toString(): string {
    return `LiveEtcdSource(${this.origin})`;
  }

  /** What `JSON.stringify` shows: kind and endpoints, never credentials. */
  toJSON(): { kind: 'live'; origin: string } {
    return { kind: this.kind, origin: this.origin };
  }

  [inspect.custom](): string {
    return `LiveEtcdSource { kind: 'live', origin: ${JSON.stringify(this.origin)} }`;
  }

  /** Runs `fn` on one member after another until one answers; connection failures move on. */
  async call<T>(what: string, fn: (client: Etcd3, options: CallOptions) => Promise<T>, signal?: AbortSignal, revision?: number): Promise<T> {
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
        const options: CallOptions = { deadline: Date.now() + this.config.callTimeoutMs };
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
  async callFirstToAnswer<T>(what: string, fn: (client: Etcd3, options: CallOptions) => Promise<T>): Promise<T> {
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
      hedge = setTimeout(() => {
        hedge = undefined;
        startOthers();
      }, Math.min(500, this.config.dialTimeoutMs));
    });
  }

  private rangeCall(what: string, request: IRangeRequest, signal?: AbortSignal): Promise<IRangeResponse> {
    return this.call(what, (client, options) => client.kv.range(request, options), signal, num(request.revision) || undefined);
  }

  async get(key: string | Uint8Array, options: ReadOptions = {}): Promise<KvRecord | undefined> {
    const k = toBuffer('key', key);
    if (k.length === 0) throw new InvalidArgumentError('Invalid key: the empty key. Pass a non-empty key.');
    const revision = checkRevision(options.revision);
    const request: IRangeRequest = { key: k };
    if (revision !== undefined) request.revision = revision;
    const response = await this.rangeCall(`Reading key ${printable(k)}`, request, options.signal);
    const kv = response.kvs[0];
    return kv ? toRecord(kv, false) : undefined;
  }

  async count(range: KeyRange, options: ReadOptions = {}): Promise<number> {
    const r = normaliseRange(range);
    const revision = checkRevision(options.revision);
    const request: IRangeRequest = { key: r.start, range_end: r.end, count_only: true };
    if (revision !== undefined) request.revision = revision;
    const response = await this.rangeCall(`Counting keys in ${describeRange(r)}`, request, options.signal);
    return num(response.count);
  }

  range(range: KeyRange, options: RangeOptions = {}): AsyncIterable<KvRecord> {
    const r = normaliseRange(range);
    const revision = checkRevision(options.revision);
    if (options.limit !== undefined && (!Number.isSafeInteger(options.limit) || options.limit < 0)) {
      throw new InvalidArgumentError(`Invalid limit: ${String(options.limit)}. Pass a non-negative integer.`);
    }
    return {
      [Symbol.asyncIterator]: () => this.iterate(r, revision, options),
    };
  }

  private async *iterate(
    r: NormalRange,
    revisionIn: number | undefined,
    options: RangeOptions,
    resumable = true,
  ): AsyncGenerator<KvRecord> {
    const keysOnly = options.keysOnly === true;
    const limit = options.limit;
    const signal = options.signal;
    const what = `Reading ${describeRange(r)}`;
    if (limit === 0) return;
    let revision = revisionIn ?? 0;
    let records = 0;
    let valueBytes = 0;
    const pageSize = Math.min(this.config.pageSize, limit ?? Infinity);
    // The current window: [position, windowEnd) within [r.start, r.end).
    let position = r.start;
    let windowEnd = r.end;
    let avgBytes = 0;
    // Where the last non-empty window ended, and how many empty windows followed it.
    let anchor: Buffer | undefined;
    let level = 0;
    const fetch = (from: Buffer, end: Buffer, size: number): Promise<PageResult> => {
      const request: IRangeRequest = { key: from, range_end: end, limit: size };
      if (keysOnly) request.keys_only = true;
      if (revision !== 0) request.revision = revision;
      return this.rangeCall(what, request, signal).then((res) => ({
        kvs: res.kvs,
        more: res.more,
        revision: num(res.header.revision),
        count: num(res.count),
      }));
    };
    // What was handed out so far, to resume after a compaction: the last key and a digest of every
    // (key, modRevision) given to the caller.
    const given = new RecordDigest();
    let lastGiven: Buffer | undefined;
    let restarts = 0;
    // The first page is small: value sizes are unknown until it arrives. Sized for values of 64 KiB
    // (pageBytes / 64 KiB keys, 64 by default), so even a range of 1 MB ConfigMaps starts with a page of
    // tens of MB, not 1000 values (a GB) that would also exceed the receive limit.
    let requestSize = Math.min(pageSize, keysOnly ? 1000 : Math.max(8, Math.floor(this.config.pageBytes / 65_536)));
    let pending: Promise<PageResult> | undefined = fetch(position, windowEnd, requestSize);
    pending.catch(() => undefined);
    while (pending) {
      let page: PageResult;
      try {
        page = await pending;
      } catch (e) {
        // The pinned revision was compacted mid-read. Resume at the current revision only if the
        // records already handed out are exactly the state at that revision; else say so and stop.
        if (!(e instanceof CompactedRevisionError) || revisionIn !== undefined || !resumable || restarts >= 3) throw e;
        const resumed = await this.resumeAt(r, lastGiven, given, signal, what, revision);
        restarts++;
        revision = resumed;
        options.onProgress?.({ records, valueBytes, revision, restarts });
        // Go on right after the last key handed out, over the whole rest of the range: the page that
        // failed may have started a later window, and keys written since the pinned revision between
        // the last key handed out and that window's start belong to the state at the new revision.
        position = lastGiven === undefined ? r.start : Buffer.concat([lastGiven, NUL]);
        windowEnd = r.end;
        anchor = undefined;
        level = 0;
        pending = fetch(position, windowEnd, requestSize);
        pending.catch(() => undefined);
        continue;
      }
      pending = undefined;
      throwIfAborted(signal, what);
      if (revision === 0) {
        // Pinned by the first page: say so before its records are handed out.
        revision = page.revision;
        options.onProgress?.({ records, valueBytes, revision });
      }
      // Plan and request the next page before handing out this one.
      const last = page.kvs[page.kvs.length - 1];
      if (!keysOnly && page.kvs.length > 0) {
        let bytes = 0;
        for (const kv of page.kvs) bytes += kv.value.length + kv.key.length;
        const pageAvg = bytes / page.kvs.length;
        avgBytes = avgBytes === 0 ? pageAvg : (avgBytes + pageAvg) / 2;
      }
      const remaining = limit === undefined ? Infinity : limit - records - page.kvs.length;
      if (remaining > 0) {
        let nextFrom: Buffer | undefined;
        let nextEnd = r.end;
        if (page.more && last !== undefined) {
          // More in this window: continue after the last key, bounded by its sub-prefix.
          nextFrom = Buffer.concat([last.key, NUL]);
          nextEnd = windowEnd;
          // etcd walks the whole window for `count` on every page: when the rest of this window is
          // more than a few pages, narrow it to the sub-prefix of the last key.
          const restOfWindow = page.count - page.kvs.length;
          if (this.config.subPrefixPaging && restOfWindow > 4 * page.kvs.length) {
            const sub = narrowerSubPrefix(r.prefix, last.key, windowEnd);
            if (sub !== undefined) nextEnd = minEnd(windowEnd, prefixEnd(sub));
          }
          anchor = undefined;
        } else if (!bufferEquals(windowEnd, r.end)) {
          // The window is done: the next one starts at its end and, rather than the whole rest of the
          // range, covers the siblings of the keys just read, widening after each empty window.
          nextFrom = windowEnd;
          if (page.kvs.length > 0 || anchor === undefined) {
            anchor = windowEnd;
            level = 0;
          } else {
            level++;
          }
          nextEnd = gallopEnd(anchor, level, r);
          while (!isToEnd(nextEnd) && Buffer.compare(nextEnd, nextFrom) <= 0) nextEnd = gallopEnd(anchor, ++level, r);
        }
        if (nextFrom !== undefined) {
          position = nextFrom;
          windowEnd = nextEnd;
          let size = this.config.pageSize;
          if (!keysOnly && avgBytes > 0) size = Math.max(16, Math.min(size, Math.floor(this.config.pageBytes / avgBytes)));
          size = Math.min(size, remaining);
          requestSize = size;
          pending = fetch(position, windowEnd, size);
          pending.catch(() => undefined);
        }
      }
      for (const kv of page.kvs) {
        if (limit !== undefined && records >= limit) break;
        records++;
        const record = toRecord(kv, keysOnly);
        valueBytes += record.valueBytes;
        given.add(kv.key, record.modRevision);
        lastGiven = kv.key;
        yield record;
        if (signal?.aborted) {
          pending?.catch(() => undefined);
          throw new AbortedError(`${what} was cancelled by its AbortSignal after ${records} records.`, { records, revision });
        }
      }
      options.onProgress?.(restarts > 0 ? { records, valueBytes, revision, restarts } : { records, valueBytes, revision });
      if (limit !== undefined && records >= limit) return;
    }
  }

  /**
   * After revision `was` was compacted mid-read: reads the part of the range already handed out
   * (keys only) at the current revision R' and returns R' if it holds exactly the records handed out
   * (same keys, same mod revisions), so the read can go on at R' and stay consistent. Otherwise throws a
   * CompactedRevisionError saying that the listing cannot continue.
   */
  private async resumeAt(
    r: NormalRange,
    lastGiven: Buffer | undefined,
    given: RecordDigest,
    signal: AbortSignal | undefined,
    what: string,
    was: number,
  ): Promise<number> {
    if (lastGiven === undefined) {
      // Nothing handed out yet: simply start again at the current revision.
      const head = await this.rangeCall(what, { key: r.start, keys_only: true }, signal);
      return num(head.header.revision);
    }
    const done: NormalRange = { start: r.start, end: Buffer.concat([lastGiven, NUL]), prefix: r.prefix };
    const again = new RecordDigest();
    let now = 0;
    for await (const kv of this.iterate(done, undefined, { keysOnly: true, signal, onProgress: (p) => (now = p.revision) }, false)) {
      again.add(kv.key, kv.modRevision);
    }
    if (now === 0 || !again.equals(given)) {
      throw new CompactedRevisionError(
        `${what}: revision ${was} was compacted mid-read, and the ${given.count} records already returned ` +
          `are no longer the current state (${again.count} keys there now, or some changed). The listing cannot ` +
          'continue consistently: run it again (it starts at the current revision).',
        { revision: was, returned: given.count },
      );
    }
    return now;
  }

  async *history(key: string | Uint8Array, options: { signal?: AbortSignal } = {}): AsyncGenerator<KvHistoryEntry> {
    const k = toBuffer('key', key);
    if (k.length === 0) throw new InvalidArgumentError('Invalid key: the empty key. Pass a non-empty key.');
    const what = `Reading the history of ${printable(k)}`;
    const signal = options.signal;
    const now = await this.rangeCall(what, { key: k }, signal);
    const current = num(now.header.revision);
    const currentKv = now.kvs[0];
    const compact = await this.compactRevision(signal);
    const entries: KvHistoryEntry[] = [];
    let atCompact: IKeyValue | undefined;
    if (compact > 0) {
      const response = await this.rangeCall(what, { key: k, revision: compact }, signal);
      atCompact = response.kvs[0];
      if (atCompact) entries.push({ ...toRecord(atCompact, false), deleted: false });
    }
    // Whether there are events after the compaction revision at all.
    const currentMod = currentKv ? num(currentKv.mod_revision) : 0;
    const hasEvents = currentKv ? currentMod > compact : atCompact !== undefined || undefined;
    if (hasEvents !== false && compact < current) {
      const events = await this.watchHistory(k, compact + 1, current, currentKv ? currentMod : undefined, signal, what);
      entries.push(...events);
    }
    for (const entry of entries) {
      throwIfAborted(signal, what);
      yield entry;
    }
  }

  /**
   * Events of one key in [fromRevision, current] through watches, with an exact end (a watch never
   * says "history done", and etcd 3.4 answers a progress request before a new watcher has caught up):
   * - the key exists at `current`: watch exactly the key; the event at `lastMod` is the last one;
   * - the key is absent at `current`: first find a key S that changed at revision `current` (a watch
   *   over all keys from `current`: only the newest events), then watch the range between the key and
   *   S, keep the key's events, and stop at the first event at `current` or later: etcd sends events in
   *   revision order, so every earlier event of the key has arrived. Events of keys in between are
   *   read and dropped. This needs read access to all keys (under etcd auth, a user limited to a
   *   prefix gets a permission error naming the user).
   */
  private async watchHistory(
    key: Buffer,
    fromRevision: number,
    current: number,
    lastMod: number | undefined,
    signal: AbortSignal | undefined,
    what: string,
  ): Promise<KvHistoryEntry[]> {
    let low = key;
    let high = key;
    if (lastMod === undefined) {
      let sentinel: Buffer | undefined;
      await this.watchUntil(what, { key: NUL, range_end: NUL, start_revision: current }, signal, (events) => {
        const event = events.find((e) => num(e.kv.mod_revision) >= current);
        if (event) sentinel = event.kv.key;
        return event !== undefined;
      });
      if (sentinel === undefined) throw new KubetcdError(`${what}: etcd sent no event at revision ${current}.`);
      if (Buffer.compare(sentinel, low) < 0) low = sentinel;
      if (Buffer.compare(sentinel, high) > 0) high = sentinel;
    }
    const entries: KvHistoryEntry[] = [];
    const request: WatchCreate = { key: low, start_revision: Math.max(1, fromRevision) };
    if (!bufferEquals(low, high)) request.range_end = Buffer.concat([high, NUL]);
    await this.watchUntil(what, request, signal, (events) => {
      for (const event of events) {
        const rev = num(event.kv.mod_revision);
        if (rev > current) return true;
        if (bufferEquals(event.kv.key, key)) {
          const { record, deleted } = eventRecord(event);
          entries.push({ ...record, deleted });
          if (rev === lastMod) return true;
        }
        if (lastMod === undefined && rev >= current) return true;
      }
      return false;
    });
    return entries;
  }

  /**
   * One watcher: feeds each response's events to `onEvents` until it returns true; one deadline for the
   * whole watch, or (`idle`) for each response: a long replay then only has to keep going.
   */
  private watchUntil(
    what: string,
    request: WatchCreate,
    signal: AbortSignal | undefined,
    onEvents: (events: IWatchResponse['events']) => boolean,
    idle = false,
  ): Promise<void> {
    const timeoutMs = this.config.callTimeoutMs;
    return this.call(
      what,
      (client) =>
        new Promise<void>((resolve, reject) => {
          let finished = false;
          let stream: Awaited<ReturnType<Etcd3['watchClient']['watch']>> | undefined;
          const expire = (): void =>
            finish(new EtcdConnectionError(idle ? `${what}: the watch sent nothing for ${timeoutMs} ms (deadline exceeded).` : `${what}: the watch did not finish within ${timeoutMs} ms (deadline exceeded).`));
          let timer = setTimeout(expire, timeoutMs);
          const onAbort = (): void => finish(new AbortedError(`${what} was cancelled by its AbortSignal.`));
          signal?.addEventListener('abort', onAbort, { once: true });
          function finish(error?: Error): void {
            if (finished) return;
            finished = true;
            clearTimeout(timer);
            signal?.removeEventListener('abort', onAbort);
            try {
              stream?.cancel();
            } catch {
              /* already closed */
            }
            if (error) reject(error);
            else resolve();
          }
          client.watchClient
            .watch()
            .then((s) => {
              stream = s;
              if (finished) {
                s.cancel();
                return;
              }
              s.on('data', (res: IWatchResponse) => {
                if (finished) return;
                if (idle) {
                  clearTimeout(timer);
                  timer = setTimeout(expire, timeoutMs);
                }
                if (res.canceled) {
                  const compactRev = num(res.compact_revision);
                  finish(
                    compactRev > 0
                      ? new CompactedRevisionError(
                          `${what}: revision ${String(request.start_revision)} was compacted meanwhile (oldest kept: ${compactRev}). Run it again.`,
                          { revision: request.start_revision, compactRevision: compactRev },
                        )
                      : mapEtcdError(new Error(res.cancel_reason || 'watch cancelled'), what, this.config, this.origin),
                  );
                  return;
                }
                if (res.events.length > 0 && onEvents(res.events)) finish();
              });
              s.on('error', (e: Error) => finish(e));
              s.on('end', () => finish(new KubetcdError(`${what}: the watch stream ended early.`)));
              s.write({ create_request: request });
            })
            .catch((e: unknown) => finish(e instanceof Error ? e : new Error(String(e))));
        }),
      signal,
    );
  }

  /**
   * Changes to a range as they happen, each with the key's previous state (etcd's `prev_kv`); replays
   * from `fromRevision` when given. If the answering member fails mid-watch, the watch moves to the next
   * endpoint and resumes after the last revision received (etcd never splits one revision's events
   * across responses, so nothing is lost or repeated). Leaving the loop or aborting closes the gRPC stream.
   * @example
   * for await (const e of etcd.watch({ prefix: '/registry/pods/' })) console.log(e.type, e.record.key.toString());
   */
  watch(range: KeyRange, options: WatchOptions = {}): AsyncIterable<KvWatchEvent> {
    const r = normaliseRange(range);
    const from = checkRevision(options.fromRevision);
    return { [Symbol.asyncIterator]: () => this.watchEvents(r, from, options.signal) };
  }

  private async *watchEvents(r: NormalRange, fromRevision: number | undefined, signal: AbortSignal | undefined): AsyncGenerator<KvWatchEvent> {
    const what = `Watching ${describeRange(r)}`;
    const queue: Array<KvWatchEvent | undefined> = [];
    let head = 0;
    let failure: Error | undefined;
    let lost: Error | undefined;
    let wake: (() => void) | undefined;
    let stream: WatchStream | undefined;
    let paused = false;
    // The first revision not yet received (set once etcd confirms a watch that starts "now").
    let next = fromRevision;
    let moves = 0;
    // Liveness: when the stream last said anything, and when a progress request went unanswered.
    let heardAt = Date.now();
    let askedAt: number | undefined;
    let endpoint = '';
    let resumed: KvWatchEvent['resumed'];
    const notify = (): void => {
      const w = wake;
      wake = undefined;
      w?.();
    };
    const onAbort = (): void => {
      failure = new AbortedError(`${what} was cancelled by its AbortSignal.`);
      notify();
    };
    const open = async (): Promise<void> => {
      const s = (await this.call(what, (client) => client.watchClient.watch(), signal)) as WatchStream;
      stream = s;
      endpoint = this.connections[this.preferred]?.endpoint ?? this.origin;
      heardAt = Date.now();
      askedAt = undefined;
      s.on('data', (res: IWatchResponse) => {
        if (stream !== s) return;
        heardAt = Date.now();
        askedAt = undefined;
        if (res.canceled) {
          const compactRev = num(res.compact_revision);
          failure =
            compactRev > 0
              ? new CompactedRevisionError(
                  `${what}: revision ${next ?? '?'} was compacted (oldest kept: ${compactRev}). Watch from revision ${compactRev} or later, or read the current state first and watch from its revision + 1.`,
                  { revision: next, compactRevision: compactRev },
                )
              : mapEtcdError(new Error(res.cancel_reason || 'watch cancelled by etcd'), what, this.config, this.origin, next);
          notify();
          return;
        }
        if (res.created && next === undefined) next = num(res.header.revision) + 1;
        for (const event of res.events) {
          const { record, deleted } = eventRecord(event);
          const out: KvWatchEvent = { type: deleted ? 'delete' : 'put', record };
          if (event.prev_kv) out.previous = toRecord(event.prev_kv, false);
          if (resumed !== undefined) {
            out.resumed = resumed;
            resumed = undefined;
          }
          queue.push(out);
          next = record.modRevision + 1;
          moves = 0;
        }
        if (queue.length - head >= WATCH_HIGH_WATER && !paused && typeof s.pause === 'function') {
          paused = true;
          s.pause();
        }
        notify();
      });
      const drop = (e: Error): void => {
        if (stream !== s) return;
        stream = undefined;
        lost = e;
        notify();
      };
      dropCurrent = (e: Error): void => {
        drop(e);
        try {
          s.cancel();
        } catch {
          /* already closed */
        }
      };
      s.on('error', drop);
      s.on('end', () => drop(new KubetcdError(`${what}: etcd ended the watch stream.`)));
      const request: IWatchCreateRequest = { key: r.start, range_end: r.end, prev_kv: true };
      if (next !== undefined) request.start_revision = next;
      s.write({ create_request: request });
    };
    let dropCurrent: ((e: Error) => void) | undefined;
    // A member can hang with its connection open (SIGSTOP, a full disk, a partition that drops
    // packets): no error ever comes. Ask for progress when the stream is quiet, and give up on a
    // member that does not answer.
    const hungAfterMs = this.config.dialTimeoutMs;
    const quietMs = this.config.watchProgressMs;
    const liveness = setInterval(() => {
      const s = stream;
      if (s === undefined) return;
      const now = Date.now();
      if (askedAt !== undefined && now - askedAt >= hungAfterMs) {
        dropCurrent?.(new Error(`${endpoint} did not answer a watch progress request within ${hungAfterMs} ms (timed out): the member is hung or unreachable`));
      } else if (askedAt === undefined && now - heardAt >= quietMs) {
        askedAt = now;
        try {
          s.write({ progress_request: {} });
        } catch (e) {
          dropCurrent?.(e as Error);
        }
      }
    }, Math.max(50, Math.min(quietMs, hungAfterMs) / 4));
    liveness.unref();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      throwIfAborted(signal, what);
      await open();
      for (;;) {
        throwIfAborted(signal, what);
        if (head < queue.length) {
          const event = queue[head] as KvWatchEvent;
          queue[head++] = undefined;
          if (head >= 1024 && head * 2 >= queue.length) {
            queue.splice(0, head);
            head = 0;
          }
          if (paused && queue.length - head <= WATCH_LOW_WATER) {
            paused = false;
            stream?.resume?.();
          }
          yield event;
          continue;
        }
        if (failure) throw failure;
        if (lost) {
          const e = lost;
          lost = undefined;
          if (!isConnectionFailure(e) || moves >= 2 * this.connections.length) {
            throw isConnectionFailure(e)
              ? new EtcdConnectionError(`${what}: the watch lost its connection to etcd at ${this.origin} (${moves + 1} time${moves === 0 ? '' : 's'} in a row: ${reasonOf(e)}). Check the members' health, then watch again from the last revision seen + 1.`, { endpoints: this.config.endpoints })
              : mapEtcdError(e, what, this.config, this.origin, next);
          }
          moves++;
          const from = endpoint;
          this.preferred = (this.preferred + 1) % this.connections.length;
          paused = false;
          await open();
          resumed = { from, to: endpoint, reason: sanitise(e, this.config).message, revision: next ?? 0 };
          continue;
        }
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
      }
    } finally {
      clearInterval(liveness);
      signal?.removeEventListener('abort', onAbort);
      const s = stream;
      stream = undefined;
      if (s) {
        try {
          s.end();
        } catch {
          /* already closed */
        }
        try {
          s.cancel();
        } catch {
          /* already closed */
        }
      }
    }
  }

  /**
   * The lowest revision etcd still serves (0 if never compacted): a binary search for the lowest
   * revision at which a one-key read is not refused as compacted (about log2(revision) tiny reads; the
   * last answer only narrows the search, since compaction only moves forward).
   */
  async compactRevision(signal?: AbortSignal): Promise<number> {
    const cached = this.compactCache;
    const what = 'Finding the compaction revision';
    const head = await this.rangeCall(what, { key: NUL, limit: 1, keys_only: true }, signal);
    const current = num(head.header.revision);
    const readable = async (revision: number): Promise<boolean> => {
      try {
        await this.rangeCall(what, { key: NUL, revision, keys_only: true }, signal);
        return true;
      } catch (e) {
        if (e instanceof CompactedRevisionError) return false;
        throw e;
      }
    };
    let value = 0;
    if (current > 1 && !(await readable(1))) {
      // Invariant: lo not readable, hi readable.
      let lo = Math.max(1, cached?.value ? cached.value - 1 : 1);
      if (lo > 1 && (await readable(lo))) lo = 1;
      let hi = current;
      while (hi - lo > 1) {
        const mid = Math.floor((lo + hi) / 2);
        if (await readable(mid)) hi = mid;
        else lo = mid;
      }
      value = hi;
    }
    this.compactCache = { value, atMs: Date.now() };
    return value;
  }

  /**
   * etcd's own HashKV of the member that answers (`etcdctl endpoint hashkv`).
   * @example
   * const { hash, compactRevision } = await etcd.hashKV({ revision: 1234 });
   */
  async hashKV(options: HashKvOptions = {}): Promise<KvHash> {
    const revision = checkRevision(options.revision);
    const what = `Hashing the key-value store${revision !== undefined ? ` at revision ${revision}` : ''}`;
    // etcd3 1.1.2's maintenance.hashKV() asks grpc for a method "hashKV", which its client names
    // "hashKv" (and "HashKV"): it always fails with "client[method] is not a function". Its own gateway
    // is called with the method's proto name instead.
    const res = await this.call(
      what,
      (client, callOptions) => (client.maintenance as unknown as { client: HashKvCallable }).client.exec('Maintenance', 'HashKV', { revision: revision ?? 0 }, callOptions),
      options.signal,
      revision,
    );
    const current = num(res.header.revision);
    const out: KvHash = { hash: Number(res.hash) >>> 0, compactRevision: num(res.compact_revision), hashRevision: revision ?? current, revision: current };
    const memberId = hexId(res.header.member_id);
    if (memberId !== undefined) out.memberId = memberId;
    return out;
  }

  /**
   * Every delete kept since the compaction revision, with the state before it: a watch over all keys from
   * the compaction revision + 1 with `prev_kv`, up to the revision current when it began (every revision
   * has an event, so the first one at that revision ends it exactly). Reads every change since the
   * compaction (its deadline, callTimeoutMs, is per response, not for the whole replay): on a big cluster
   * a snapshot answers much faster.
   * @example
   * for await (const d of etcd.tombstones({ prefix: '/registry/pods/' })) console.log(d.key.toString(), d.revision);
   */
  async *tombstones(range: KeyRange, options: { signal?: AbortSignal } = {}): AsyncGenerator<KvTombstone> {
    const r = normaliseRange(range);
    const what = `Listing the deletions in ${describeRange(r)}`;
    const signal = options.signal;
    const head = await this.rangeCall(what, { key: NUL, limit: 1, keys_only: true }, signal);
    const current = num(head.header.revision);
    const compact = await this.compactRevision(signal);
    if (compact >= current) return;
    const inRange = (k: Buffer): boolean => Buffer.compare(k, r.start) >= 0 && (isToEnd(r.end) || Buffer.compare(k, r.end) < 0);
    const found: KvTombstone[] = [];
    await this.watchUntil(what, { key: NUL, range_end: NUL, start_revision: Math.max(1, compact + 1), prev_kv: true }, signal, (events) => {
      for (const event of events) {
        const rev = num(event.kv.mod_revision);
        if (rev > current) return true;
        if (event.type === 'Delete' && inRange(event.kv.key)) {
          const d: KvTombstone = { key: event.kv.key, revision: rev };
          if (event.prev_kv) d.previous = toRecord(event.prev_kv, false);
          found.push(d);
        }
        if (rev >= current) return true;
      }
      return false;
    }, true);
    // in key order, each key's deletes oldest first (the watch gave them in revision order)
    found.sort((a, b) => Buffer.compare(Buffer.from(a.key), Buffer.from(b.key)) || a.revision - b.revision);
    for (const d of found) {
      throwIfAborted(signal, what);
      yield d;
    }
  }

  async status(): Promise<SourceStatus> {
    const what = 'Reading etcd status';
    const status = await this.call(what, (client, options) => client.maintenance.status(options));
    const [members, compactRevision] = await Promise.all([
      this.call('Listing etcd members', (client, options) => client.cluster.memberList({}, options)),
      this.compactRevision(),
    ]);
    const header = status.header;
    const result: SourceStatus = {
      kind: 'live',
      origin: this.origin,
      revision: num(header.revision),
      compactRevision,
      members: members.members.map((m): MemberInfo => {
        const info: MemberInfo = {
          id: hexId(m.ID) ?? m.ID,
          name: m.name,
          peerUrls: [...m.peerURLs],
          clientUrls: [...m.clientURLs],
        };
        if (m.isLearner) info.isLearner = true;
        return info;
      }),
      serverVersion: status.version,
      dbSizeBytes: num(status.dbSize),
      raftTerm: num(status.raftTerm),
    };
    const clusterId = hexId(header.cluster_id);
    const memberId = hexId(header.member_id);
    if (clusterId !== undefined) result.clusterId = clusterId;
    if (memberId !== undefined) result.memberId = memberId;
    return result;
  }

  async leases(): Promise<LeaseInfo[]> {
    const list = await this.call('Listing leases', (client, options) => client.leaseClient.leaseLeases(options));
    const out: LeaseInfo[] = [];
    const one = async (id: string): Promise<void> => {
      try {
        const ttl = await this.call(`Reading lease ${id}`, (client, options) =>
          client.leaseClient.leaseTimeToLive({ ID: id, keys: true }, options),
        );
        const remaining = num(ttl.TTL);
        if (remaining < 0) return; // expired meanwhile
        out.push({ id: String(id), ttlSeconds: num(ttl.grantedTTL), remainingSeconds: remaining, keys: ttl.keys });
      } catch (e) {
        if (!/lease not found/i.test(reasonOf(e))) throw e;
      }
    };
    // Kubernetes clusters hold thousands of leases: ask 32 at a time.
    for (let i = 0; i < list.leases.length; i += 32) {
      await Promise.all(list.leases.slice(i, i + 32).map((lease) => one(String(lease.ID))));
    }
    out.sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : BigInt(a.id) > BigInt(b.id) ? 1 : 0));
    return out;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const c of this.connections) c.client.close();
  }
}

function bufferEquals(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}

/**
 * The end of the `level`-th window after `anchor`: the prefix end of `anchor` itself, then shortened
 * by 1, 2, 4, ... bytes (so windows cover ever wider key-space siblings), or the range end once that would cut into
 * the range's own prefix. Empty windows cost etcd almost nothing; a window's `count` walk covers only it.
 */
function gallopEnd(anchor: Buffer, level: number, r: NormalRange): Buffer {
  const cut = anchor.length - (level === 0 ? 0 : 2 ** Math.min(level - 1, 30));
  if (cut <= r.prefix.length || cut <= 0) return r.end;
  return minEnd(prefixEnd(anchor.subarray(0, cut)), r.end);
}

/** The range prefix plus the `/`-terminated segment of `key` after it, or undefined when none. */
function subPrefix(prefix: Buffer, key: Buffer): Buffer | undefined {
  if (key.length <= prefix.length) return undefined;
  const slash = key.indexOf(0x2f, prefix.length + (key[prefix.length] === 0x2f ? 1 : 0));
  if (slash < 0 || slash === key.length - 1) return undefined;
  return key.subarray(0, slash + 1);
}

/**
 * The shallowest sub-prefix of `key` below `prefix` whose range ends before `windowEnd`: one segment deeper
 * than the window being read. So a read of everything (`prefix` empty) narrows from `/registry/` to
 * `/registry/pods/` to `/registry/pods/<namespace>/` as long as each window stays large.
 */
function narrowerSubPrefix(prefix: Buffer, key: Buffer, windowEnd: Buffer): Buffer | undefined {
  let p = prefix;
  for (;;) {
    const sub = subPrefix(p, key);
    if (sub === undefined) return undefined;
    const end = prefixEnd(sub);
    if (isToEnd(windowEnd) ? !isToEnd(end) : Buffer.compare(end, windowEnd) < 0) return sub;
    p = sub;
  }
}

function printable(key: Buffer): string {
  const text = key.toString('utf8');
  return JSON.stringify(text.length > 200 ? `${text.slice(0, 200)}…` : text);
}

function describeRange(r: NormalRange): string {
  if (r.prefix.length > 0 || (bufferEquals(r.start, NUL) && isToEnd(r.end))) {
    return r.prefix.length > 0 ? `prefix ${printable(r.prefix)}` : 'all keys';
  }
  return `range [${printable(r.start)}, ${isToEnd(r.end) ? 'end' : printable(r.end)})`;
}

function raceAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined, what: string): Promise<T> {
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

/**
 * Open a read-only source over a running etcd cluster. Without options it reads ETCDCTL_ENDPOINTS,
 * ETCDCTL_CACERT, ETCDCTL_CERT, ETCDCTL_KEY, ETCDCTL_USER (`user` or `user:password`), ETCDCTL_PASSWORD and
 * ETCDCTL_INSECURE_SKIP_TLS_VERIFY, like etcdctl, and defaults to 127.0.0.1:2379. It checks that a member
 * answers (one status call) and throws an {@link EtcdConnectionError} naming the endpoints tried, the
 * reason and what to do when none does.
 * @example
 * const etcd = await openLiveSource({ endpoints: 'https://10.0.0.5:2379', cacert: '/etc/kubernetes/pki/etcd/ca.crt',
 *   cert: '/etc/kubernetes/pki/apiserver-etcd-client.crt', key: '/etc/kubernetes/pki/apiserver-etcd-client.key' });
 * for await (const kv of etcd.range({ prefix: '/registry/pods/' }, { keysOnly: true })) console.log(kv.key.toString());
 */
export async function openLiveSource(options: LiveOptions = {}): Promise<KvSource> {
  const config = normaliseConfig(options);
  if (config.secure && config.insecureSkipVerify && config.serverName === undefined) await trustOnFirstUse(config);
  const source = new LiveEtcdSource(config);
  try {
    // With a user, ask for status, which any user may (a reader allowed only /registry/ may not read
    // key "\0"); the client logs in first, so a wrong password fails here. Without one, a one-key read
    // fails here if etcd has auth on (status would not).
    await source.callFirstToAnswer<unknown>('Connecting to etcd', (client, callOptions) =>
      config.user !== undefined ? client.maintenance.status(callOptions) : client.kv.range({ key: NUL, keys_only: true, limit: 1 }, callOptions),
    );
  } catch (e) {
    await source.close();
    throw e;
  }
  return source;
}

/**
 * insecureSkipVerify: grpc-js cannot turn verification off, so we look at what the first reachable
 * endpoint presents (a plain TLS handshake without verification) and then verify against that: its
 * certificate names become the expected server name and, without a cacert, the top certificate of the
 * presented chain becomes the trusted root. This is what etcdctl's flag amounts to, for this session.
 */
async function trustOnFirstUse(config: Config): Promise<void> {
  for (const endpoint of config.endpoints) {
    const url = new URL(endpoint);
    const peer = await new Promise<tls.DetailedPeerCertificate | undefined>((resolve) => {
      const socket = tls.connect({
        host: url.hostname,
        port: Number(url.port || 2379),
        rejectUnauthorized: false,
        servername: /^[0-9.]+$|:/.test(url.hostname) ? undefined : url.hostname,
        cert: config.credentials?.certChain,
        key: config.credentials?.privateKey,
        timeout: config.dialTimeoutMs,
      });
      const done = (value: tls.DetailedPeerCertificate | undefined): void => {
        socket.destroy();
        resolve(value);
      };
      socket.once('secureConnect', () => done(socket.getPeerCertificate(true)));
      socket.once('error', () => done(undefined));
      socket.once('timeout', () => done(undefined));
    });
    if (!peer || !peer.raw) continue;
    const names = (peer.subjectaltname ?? '')
      .split(',')
      .map((n) => n.trim())
      .filter((n) => n.startsWith('DNS:'))
      .map((n) => n.slice(4));
    const name = names[0] ?? (typeof peer.subject?.CN === 'string' ? peer.subject.CN : undefined);
    if (name !== undefined) config.serverName = name;
    if (!config.hasCacert && config.credentials) {
      let top: tls.DetailedPeerCertificate = peer;
      for (let i = 0; i < 10 && top.issuerCertificate && top.issuerCertificate !== top; i++) top = top.issuerCertificate;
      // Only a self-issued certificate can serve as a root; otherwise verification fails and the
      // error says to pass cacert.
      if (top.issuer && top.subject && JSON.stringify(top.issuer) === JSON.stringify(top.subject)) {
        const pem = `-----BEGIN CERTIFICATE-----\n${top.raw.toString('base64').replace(/(.{64})/g, '$1\n')}\n-----END CERTIFICATE-----\n`;
        config.credentials.rootCertificate = Buffer.from(pem);
      } else {
        config.tofuFailed = true;
      }
    }
    return;
  }
}

// ---------------------------------------------------------------------------------------------------
// Writer for tests and fixture scripts only (kept here so that only this file imports etcd3).

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
  putMany(
    entries: Iterable<[string | Uint8Array, string | Uint8Array]>,
    options?: PutManyOptions,
  ): Promise<number>;
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
        throw new EtcdConnectionError(`${what}: cannot reach etcd at ${endpoint}: ${reason}. ${hintFor(reason, config)}`, { endpoint });
      }
      throw mapEtcdError(e, what, config, endpoint);
    }
  };
  return {
    put: (key, value, opts = {}) =>
      wrap('Writing a key', async () => {
        const res = await client.kv.put({ key: toBuffer('key', key), value: toBuffer('value', value), lease: opts.lease ?? 0 });
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
          if (batch.length > 0 && (batch.length >= batchSize || bytes + op.key.length + op.value.length > maxBatchBytes)) {
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
      wrap('Deleting a key', async () => num((await client.kv.deleteRange({ key: toBuffer('key', key) })).header.revision)),
    deletePrefix: (prefix) =>
      wrap('Deleting keys', async () => {
        const r = normaliseRange({ prefix });
        return num((await client.kv.deleteRange({ key: r.start, range_end: r.end })).header.revision);
      }),
    grantLease: (ttlSeconds) =>
      wrap('Granting a lease', async () => String((await client.leaseClient.leaseGrant({ TTL: ttlSeconds, ID: 0 })).ID)),
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

// ---------------------------------------------------------------------------------------------------
// Compare-and-swap writer: the only writer meant for a real cluster. Opt-in by name and by argument;
// every write is one etcd transaction conditioned on the key's mod revision.

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
    const hidden = HIDDEN.get(target);
    if (hidden === undefined) {
      const kind = (target as KvSource).kind;
      throw new InvalidArgumentError(
        `Cannot write through this source (${String(kind)}, ${(target as KvSource).origin}): only a live etcd source opened by openLiveSource/openSource can be written to${kind === 'live' ? '' : '; snapshots and dumps are read-only files'}.`,
      );
    }
    config = hidden.config;
  } else {
    config = normaliseConfig((target ?? {}) as LiveOptions);
  }
  const origin = config.endpoints.join(',');
  const clients = new Map<string, Etcd3>();
  const clientFor = (endpoint: string): Etcd3 => {
    let client = clients.get(endpoint);
    if (client === undefined) clients.set(endpoint, (client = makeClient(endpoint, config, true)));
    return client;
  };
  let chosen: string | undefined;
  let closed = false;
  /** A read, with fail-over: also picks the endpoint writes go to. */
  const read = async (what: string, key: Buffer): Promise<IRangeResponse> => {
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
  const txn = async (what: string, key: Buffer, expect: number, op: IRequestOp): Promise<CasResult> => {
    if (chosen === undefined) await read(what, key);
    const endpoint = chosen!;
    let res: ITxnResponse;
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
      const put: IRequestOp['request_put'] = { key: k, value: toBuffer('value', value), prev_kv: true };
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
