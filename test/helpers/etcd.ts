/**
 * Real etcd processes for tests and benchmarks (Debian's etcd 3.4 at /usr/bin/etcd, etcdctl at
 * /usr/bin/etcdctl; override with KUBETCD_ETCD_BIN / KUBETCD_ETCDCTL_BIN). etcd 3.5.30 (Debian sid,
 * installed by scripts/setup-etcd35.sh) is at .cache/etcd-3.5/usr/bin/{etcd,etcdctl,etcdutl}: pass
 * `{ version: '3.5' }` to startEtcd / startCluster / runEtcdctl, or take its paths from etcdBinaries('3.5').
 *
 * Stable API (other helpers depend on it):
 *
 * - `startEtcd(options?: StartEtcdOptions): Promise<EtcdProcess>` starts one member on 127.0.0.1 with
 *   ports the OS hands out and a fresh temporary data dir (under /dev/shm when it exists, for speed),
 *   and resolves once `etcdctl endpoint health` succeeds (polled with a deadline, no fixed sleeps).
 *   If etcd exits or the deadline passes, it rejects with etcd's stderr in the message.
 *   Options: `tls` (certificate paths, see {@link EtcdTlsFiles}; clients then need https and, with
 *   `clientCertAuth`, a client certificate), `auth` (`{ rootPassword }`: creates user root and enables
 *   auth; `etcdctl()` then logs in as root), `name`, `extraArgs`, `keepDataDir`, `startTimeoutMs`,
 *   `version` (`'3.4'`, the default, or `'3.5'`; etcdctl() then runs the same version's etcdctl).
 * - `EtcdProcess`: `endpoint` (e.g. `http://127.0.0.1:41234`), `endpoints` ([endpoint]), `dataDir`, `pid`,
 *   `peerUrl`, `etcdctl(args, input?)` (runs etcdctl against this member with the right TLS flags and
 *   credentials; never throws on a non-zero exit), `stop()` (SIGTERM, SIGKILL after a deadline, then
 *   removes the data dir unless `keepDataDir`; safe to call twice), `kill()` (SIGKILL now, keeps
 *   nothing running), `pause()` / `resume()` (SIGSTOP / SIGCONT), `stderr()` (what etcd logged so far).
 * - `startCluster(size, options?)` starts a loopback cluster of `size` members (all started at once,
 *   each checked healthy) and returns `{ members, endpoints, etcdctl, stop }`.
 * - `runEtcdctl(args, options)` runs etcdctl once with explicit endpoints/TLS/credentials.
 *
 * ETCDCTL_* variables of the calling process are never passed to etcdctl (tests set them explicitly).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

/** Certificate files for a TLS etcd (all paths). */
export interface EtcdTlsFiles {
  /** CA that signed the server certificate (etcdctl's --cacert) and the client certificates etcd
   * accepts (etcd's --trusted-ca-file, only passed with clientCertAuth). */
  caFile: string;
  /** Server certificate and key (SAN 127.0.0.1 and localhost). */
  certFile: string;
  keyFile: string;
  /** Require client certificates (mTLS). Default true. */
  clientCertAuth?: boolean;
  /** Client certificate and key that `etcdctl()` uses (needed when clientCertAuth). */
  clientCertFile?: string;
  clientKeyFile?: string;
}

export interface StartEtcdOptions {
  tls?: EtcdTlsFiles;
  /** Enable auth with a root user of this password; etcdctl() then runs as root. */
  auth?: { rootPassword: string };
  /** Member name (default "kubetcd-test"). */
  name?: string;
  /** More etcd flags, e.g. ['--auto-compaction-retention', '0']. */
  extraArgs?: string[];
  /** Keep the data dir after stop() (e.g. to read its db file). */
  keepDataDir?: boolean;
  /** How long to wait for health (default 20 s). */
  startTimeoutMs?: number;
  /** Which etcd to run: '3.4' (the system's, default) or '3.5' (.cache/etcd-3.5). */
  version?: EtcdVersion;
}

export interface EtcdctlResult {
  stdout: string;
  stderr: string;
  /** Exit code (null if killed by a signal). */
  code: number | null;
}

export interface EtcdProcess {
  /** Client URL, e.g. http://127.0.0.1:41234 (https with tls). */
  endpoint: string;
  endpoints: string[];
  /** Peer URL (for clusters). */
  peerUrl: string;
  name: string;
  dataDir: string;
  pid: number;
  /** Run etcdctl (API v3) against this member; resolves with its output whatever the exit code. */
  etcdctl(args: string[], input?: string | Buffer): Promise<EtcdctlResult>;
  /** SIGTERM, then SIGKILL after `timeoutMs` (default 5 s); removes the data dir unless kept. */
  stop(timeoutMs?: number): Promise<void>;
  /** SIGKILL at once and wait for the exit (data dir is kept until stop()). */
  kill(): Promise<void>;
  /** SIGSTOP: the process hangs (connections stay open, nothing answers). */
  pause(): void;
  /** SIGCONT after pause(). */
  resume(): void;
  /** etcd's stderr so far. */
  stderr(): string;
  /** True once the process has exited. */
  exited(): boolean;
  /** The etcd version this member runs. */
  version: EtcdVersion;
}

export interface EtcdCluster {
  members: EtcdProcess[];
  endpoints: string[];
  /** etcdctl against all endpoints. */
  etcdctl(args: string[], input?: string | Buffer): Promise<EtcdctlResult>;
  /** Stop every member (those still running). */
  stop(): Promise<void>;
}

export const ETCD_BIN = process.env.KUBETCD_ETCD_BIN ?? '/usr/bin/etcd';
export const ETCDCTL_BIN = process.env.KUBETCD_ETCDCTL_BIN ?? '/usr/bin/etcdctl';

/** The etcd versions tests can start. */
export type EtcdVersion = '3.4' | '3.5';
/** Every version, oldest first (for tests parametrized by version). */
export const ETCD_VERSIONS: readonly EtcdVersion[] = ['3.4', '3.5'];

/** Paths of one etcd version's programs. */
export interface EtcdBinaries {
  version: EtcdVersion;
  etcd: string;
  etcdctl: string;
  /** etcdutl (3.5 only: `etcdutl snapshot restore|status`); undefined for 3.4. */
  etcdutl?: string;
}

/**
 * The binaries of etcd `version`: 3.4 is the system's (KUBETCD_ETCD_BIN / KUBETCD_ETCDCTL_BIN override it),
 * 3.5 is the one scripts/setup-etcd35.sh unpacked into .cache/etcd-3.5/usr/bin. Throws, saying how to
 * install it, when 3.5 is missing.
 * @example
 * const { etcdctl, etcdutl } = etcdBinaries('3.5');
 */
export function etcdBinaries(version: EtcdVersion = '3.4'): EtcdBinaries {
  if (version === '3.4') return { version, etcd: ETCD_BIN, etcdctl: ETCDCTL_BIN };
  if (version !== '3.5')
    throw new Error(`etcdBinaries: unknown etcd version "${String(version)}"; use '3.4' or '3.5'.`);
  // build/test/helpers/etcd.js or test/helpers/etcd.ts: the repository root is two or three levels up.
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  const bin = path.join(dir, '.cache', 'etcd-3.5', 'usr', 'bin');
  const found: EtcdBinaries = {
    version,
    etcd: path.join(bin, 'etcd'),
    etcdctl: path.join(bin, 'etcdctl'),
    etcdutl: path.join(bin, 'etcdutl'),
  };
  if (!fs.existsSync(found.etcd)) {
    throw new Error(`etcd 3.5 is not installed: ${found.etcd} is missing. Run: bash scripts/setup-etcd35.sh`);
  }
  return found;
}

/**
 * Ask the OS for a free TCP port on 127.0.0.1 (listen on port 0, read it, close).
 * @example
 * const port = await freePort(); // e.g. 41234: nothing listens there now
 */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error('freePort: the OS gave no port'));
        return;
      }
      const port = address.port;
      server.close(() => resolve(port));
    });
  });
}

/**
 * A fresh temporary directory (in /dev/shm when present: etcd fsyncs a lot).
 * @example
 * const dir = makeTempDir('kubetcd-x-');
 */
export function makeTempDir(prefix: string): string {
  const base = fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir();
  return fs.mkdtempSync(path.join(base, prefix));
}

function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('ETCDCTL_') && !k.startsWith('ETCD_')) env[k] = v;
  }
  env.ETCDCTL_API = '3';
  return env;
}

export interface RunEtcdctlOptions {
  endpoints: string[];
  tls?: { caFile?: string | undefined; certFile?: string | undefined; keyFile?: string | undefined } | undefined;
  /** `user:password` */
  user?: string | undefined;
  /** Kill etcdctl after this long (default 30 s). */
  timeoutMs?: number;
  /** Which etcdctl to run (default '3.4'). */
  version?: EtcdVersion | undefined;
}

/**
 * Run etcdctl once. Never throws for a non-zero exit; rejects only if etcdctl cannot be spawned.
 * @example
 * const { stdout } = await runEtcdctl(['get', '/a', '-w', 'json'], { endpoints: [etcd.endpoint] });
 */
export function runEtcdctl(
  args: string[],
  options: RunEtcdctlOptions,
  input?: string | Buffer,
): Promise<EtcdctlResult> {
  const flags = [`--endpoints=${options.endpoints.join(',')}`];
  if (options.tls?.caFile) flags.push(`--cacert=${options.tls.caFile}`);
  if (options.tls?.certFile) flags.push(`--cert=${options.tls.certFile}`);
  if (options.tls?.keyFile) flags.push(`--key=${options.tls.keyFile}`);
  if (options.user) flags.push(`--user=${options.user}`);
  return new Promise((resolve, reject) => {
    const child = spawn(etcdBinaries(options.version).etcdctl, [...flags, ...args], {
      env: cleanEnv(),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), code });
    });
    child.stdin.on('error', () => undefined);
    if (input !== undefined) child.stdin.end(input);
    else child.stdin.end();
  });
}

interface PlannedMember {
  name: string;
  clientPort: number;
  peerPort: number;
  scheme: 'http' | 'https';
}

async function planMember(name: string, tls: boolean): Promise<PlannedMember> {
  return { name, clientPort: await freePort(), peerPort: await freePort(), scheme: tls ? 'https' : 'http' };
}

function launch(
  plan: PlannedMember,
  initialCluster: string,
  clusterToken: string,
  options: StartEtcdOptions,
): EtcdProcess {
  const dataDir = makeTempDir(`kubetcd-etcd-${plan.name}-`);
  const clientUrl = `${plan.scheme}://127.0.0.1:${plan.clientPort}`;
  const peerUrl = `http://127.0.0.1:${plan.peerPort}`;
  const args = [
    `--name=${plan.name}`,
    `--data-dir=${dataDir}`,
    `--listen-client-urls=${clientUrl}`,
    `--advertise-client-urls=${clientUrl}`,
    `--listen-peer-urls=${peerUrl}`,
    `--initial-advertise-peer-urls=${peerUrl}`,
    `--initial-cluster=${initialCluster}`,
    `--initial-cluster-state=new`,
    `--initial-cluster-token=${clusterToken}`,
    '--logger=zap',
    '--log-outputs=stderr',
    '--log-level=warn',
  ];
  const tls = options.tls;
  if (tls) {
    args.push(`--cert-file=${tls.certFile}`, `--key-file=${tls.keyFile}`);
    // etcd 3.4 asks for client certificates whenever it has a trusted CA file.
    if (tls.clientCertAuth !== false) args.push(`--trusted-ca-file=${tls.caFile}`, '--client-cert-auth');
  }
  args.push(...(options.extraArgs ?? []));
  const child: ChildProcess = spawn(etcdBinaries(options.version).etcd, args, {
    env: cleanEnv(),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderrText = '';
  child.stderr?.on('data', (b: Buffer) => {
    stderrText += b.toString('utf8');
    if (stderrText.length > 200_000) stderrText = stderrText.slice(-100_000);
  });
  let hasExited = false;
  const exitPromise = new Promise<void>((resolve) => {
    child.on('exit', () => {
      hasExited = true;
      resolve();
    });
    child.on('error', (e) => {
      stderrText += `\nspawn failed: ${e.message}`;
      hasExited = true;
      resolve();
    });
  });
  const pid = child.pid ?? -1;
  let user: string | undefined;
  let removed = false;
  const removeDir = (): void => {
    if (removed || options.keepDataDir) return;
    removed = true;
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  const waitExit = async (ms: number): Promise<boolean> => {
    if (hasExited) return true;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), ms);
    });
    const done = await Promise.race([exitPromise.then(() => true), timeout]);
    if (timer) clearTimeout(timer);
    return done;
  };
  const signal = (sig: NodeJS.Signals): void => {
    if (!hasExited && pid > 0) {
      try {
        process.kill(pid, sig);
      } catch {
        /* already gone */
      }
    }
  };
  const proc: EtcdProcess & { setUser(u: string): void } = {
    endpoint: clientUrl,
    endpoints: [clientUrl],
    peerUrl,
    name: plan.name,
    dataDir,
    pid,
    version: options.version ?? '3.4',
    etcdctl: (a, input) =>
      runEtcdctl(
        a,
        {
          endpoints: [clientUrl],
          tls: tls ? { caFile: tls.caFile, certFile: tls.clientCertFile, keyFile: tls.clientKeyFile } : undefined,
          user,
          version: options.version,
        },
        input,
      ),
    async stop(timeoutMs = 5000) {
      signal('SIGCONT');
      signal('SIGTERM');
      if (!(await waitExit(timeoutMs))) {
        signal('SIGKILL');
        await waitExit(5000);
      }
      removeDir();
    },
    async kill() {
      signal('SIGCONT');
      signal('SIGKILL');
      await waitExit(5000);
    },
    pause: () => signal('SIGSTOP'),
    resume: () => signal('SIGCONT'),
    stderr: () => stderrText,
    exited: () => hasExited,
    setUser(u: string) {
      user = u;
    },
  };
  return proc;
}

async function waitHealthy(proc: EtcdProcess, deadlineMs: number): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  let last: EtcdctlResult | undefined;
  let delay = 20;
  while (Date.now() < deadline) {
    if (proc.exited()) {
      throw new Error(`etcd ${proc.name} exited during start-up. Its stderr:\n${proc.stderr().slice(-4000)}`);
    }
    last = await proc.etcdctl(['endpoint', 'health', '--command-timeout=2s', '--dial-timeout=1s']);
    if (last.code === 0) return;
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 200);
  }
  await proc.stop();
  throw new Error(
    `etcd ${proc.name} (${proc.endpoint}) was not healthy within ${deadlineMs} ms. ` +
      `Last etcdctl: ${last?.stderr.trim() ?? 'none'}. etcd stderr:\n${proc.stderr().slice(-4000)}`,
  );
}

async function enableAuth(proc: EtcdProcess, rootPassword: string): Promise<void> {
  const add = await proc.etcdctl(['user', 'add', 'root', '--interactive=false'], `${rootPassword}\n`);
  if (add.code !== 0) throw new Error(`etcdctl user add root failed: ${add.stderr}`);
  const enable = await proc.etcdctl(['auth', 'enable']);
  if (enable.code !== 0) throw new Error(`etcdctl auth enable failed: ${enable.stderr}`);
  (proc as EtcdProcess & { setUser(u: string): void }).setUser(`root:${rootPassword}`);
}

let counter = 0;

/**
 * Start one real etcd member on loopback and wait until it is healthy.
 * @example
 * const etcd = await startEtcd();
 * try { await etcd.etcdctl(['put', 'a', '1']); } finally { await etcd.stop(); }
 */
export async function startEtcd(options: StartEtcdOptions = {}): Promise<EtcdProcess> {
  const name = options.name ?? 'kubetcd-test';
  const plan = await planMember(name, options.tls !== undefined);
  const token = `kubetcd-${process.pid}-${++counter}-${Date.now()}`;
  const proc = launch(plan, `${name}=http://127.0.0.1:${plan.peerPort}`, token, options);
  await waitHealthy(proc, options.startTimeoutMs ?? 20_000);
  if (options.auth) {
    try {
      await enableAuth(proc, options.auth.rootPassword);
    } catch (e) {
      await proc.stop();
      throw e;
    }
  }
  return proc;
}

/**
 * Start a loopback cluster of `size` members (default 3) and wait until every member is healthy.
 * @example
 * const cluster = await startCluster(3);
 * try { await cluster.members[0]!.kill(); } finally { await cluster.stop(); }
 */
export async function startCluster(
  size = 3,
  options: Omit<StartEtcdOptions, 'name' | 'auth'> = {},
): Promise<EtcdCluster> {
  const plans: PlannedMember[] = [];
  for (let i = 0; i < size; i++) plans.push(await planMember(`m${i}`, options.tls !== undefined));
  const initial = plans.map((p) => `${p.name}=http://127.0.0.1:${p.peerPort}`).join(',');
  const token = `kubetcd-cluster-${process.pid}-${++counter}-${Date.now()}`;
  const members = plans.map((p) => launch(p, initial, token, options));
  const endpoints = members.map((m) => m.endpoint);
  const stop = async (): Promise<void> => {
    await Promise.all(members.map((m) => m.stop()));
  };
  try {
    await Promise.all(members.map((m) => waitHealthy(m, options.startTimeoutMs ?? 30_000)));
  } catch (e) {
    await stop();
    throw e;
  }
  const tls = options.tls;
  return {
    members,
    endpoints,
    etcdctl: (a, input) =>
      runEtcdctl(
        a,
        {
          endpoints,
          tls: tls ? { caFile: tls.caFile, certFile: tls.clientCertFile, keyFile: tls.clientKeyFile } : undefined,
          version: options.version,
        },
        input,
      ),
    stop,
  };
}
