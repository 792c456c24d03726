"use strict";
var __createBinding = (this && this.__createBinding) || (Object.create ? (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    var desc = Object.getOwnPropertyDescriptor(m, k);
    if (!desc || ("get" in desc ? !m.__esModule : desc.writable || desc.configurable)) {
      desc = { enumerable: true, get: function() { return m[k]; } };
    }
    Object.defineProperty(o, k2, desc);
}) : (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    o[k2] = m[k];
}));
var __setModuleDefault = (this && this.__setModuleDefault) || (Object.create ? (function(o, v) {
    Object.defineProperty(o, "default", { enumerable: true, value: v });
}) : function(o, v) {
    o["default"] = v;
});
var __importStar = (this && this.__importStar) || (function () {
    var ownKeys = function(o) {
        ownKeys = Object.getOwnPropertyNames || function (o) {
            var ar = [];
            for (var k in o) if (Object.prototype.hasOwnProperty.call(o, k)) ar[ar.length] = k;
            return ar;
        };
        return ownKeys(o);
    };
    return function (mod) {
        if (mod && mod.__esModule) return mod;
        var result = {};
        if (mod != null) for (var k = ownKeys(mod), i = 0; i < k.length; i++) if (k[i] !== "default") __createBinding(result, mod, k[i]);
        __setModuleDefault(result, mod);
        return result;
    };
})();
Object.defineProperty(exports, "__esModule", { value: true });
exports.ETCDCTL_BIN = exports.ETCD_BIN = void 0;
exports.freePort = freePort;
exports.makeTempDir = makeTempDir;
exports.runEtcdctl = runEtcdctl;
exports.startEtcd = startEtcd;
exports.startCluster = startCluster;
/**
 * Real etcd processes for tests and benchmarks (Debian's etcd 3.4 at /usr/bin/etcd, etcdctl at
 * /usr/bin/etcdctl; override with KUBETCD_ETCD_BIN / KUBETCD_ETCDCTL_BIN).
 *
 * Stable API (other helpers depend on it):
 *
 * - `startEtcd(options?: StartEtcdOptions): Promise<EtcdProcess>` starts one member on 127.0.0.1 with
 *   ports the OS hands out and a fresh temporary data dir (under /dev/shm when it exists, for speed),
 *   and resolves once `etcdctl endpoint health` succeeds (polled with a deadline, no fixed sleeps).
 *   If etcd exits or the deadline passes, it rejects with etcd's stderr in the message.
 *   Options: `tls` (certificate paths, see {@link EtcdTlsFiles}; clients then need https and, with
 *   `clientCertAuth`, a client certificate), `auth` (`{ rootPassword }`: creates user root and enables
 *   auth; `etcdctl()` then logs in as root), `name`, `extraArgs`, `keepDataDir`, `startTimeoutMs`.
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
const node_child_process_1 = require("node:child_process");
const fs = __importStar(require("node:fs"));
const net = __importStar(require("node:net"));
const os = __importStar(require("node:os"));
const path = __importStar(require("node:path"));
exports.ETCD_BIN = process.env.KUBETCD_ETCD_BIN ?? '/usr/bin/etcd';
exports.ETCDCTL_BIN = process.env.KUBETCD_ETCDCTL_BIN ?? '/usr/bin/etcdctl';
/**
 * Ask the OS for a free TCP port on 127.0.0.1 (listen on port 0, read it, close).
 * @example
 * const port = await freePort(); // e.g. 41234: nothing listens there now
 */
async function freePort() {
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
function makeTempDir(prefix) {
    const base = fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir();
    return fs.mkdtempSync(path.join(base, prefix));
}
function cleanEnv() {
    const env = {};
    for (const [k, v] of Object.entries(process.env)) {
        if (!k.startsWith('ETCDCTL_') && !k.startsWith('ETCD_'))
            env[k] = v;
    }
    env.ETCDCTL_API = '3';
    return env;
}
/**
 * Run etcdctl once. Never throws for a non-zero exit; rejects only if etcdctl cannot be spawned.
 * @example
 * const { stdout } = await runEtcdctl(['get', '/a', '-w', 'json'], { endpoints: [etcd.endpoint] });
 */
function runEtcdctl(args, options, input) {
    const flags = [`--endpoints=${options.endpoints.join(',')}`];
    if (options.tls?.caFile)
        flags.push(`--cacert=${options.tls.caFile}`);
    if (options.tls?.certFile)
        flags.push(`--cert=${options.tls.certFile}`);
    if (options.tls?.keyFile)
        flags.push(`--key=${options.tls.keyFile}`);
    if (options.user)
        flags.push(`--user=${options.user}`);
    return new Promise((resolve, reject) => {
        const child = (0, node_child_process_1.spawn)(exports.ETCDCTL_BIN, [...flags, ...args], {
            env: cleanEnv(),
            stdio: ['pipe', 'pipe', 'pipe'],
        });
        const out = [];
        const err = [];
        child.stdout.on('data', (b) => out.push(b));
        child.stderr.on('data', (b) => err.push(b));
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
        if (input !== undefined)
            child.stdin.end(input);
        else
            child.stdin.end();
    });
}
async function planMember(name, tls) {
    return { name, clientPort: await freePort(), peerPort: await freePort(), scheme: tls ? 'https' : 'http' };
}
function launch(plan, initialCluster, clusterToken, options) {
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
        if (tls.clientCertAuth !== false)
            args.push(`--trusted-ca-file=${tls.caFile}`, '--client-cert-auth');
    }
    args.push(...(options.extraArgs ?? []));
    const child = (0, node_child_process_1.spawn)(exports.ETCD_BIN, args, { env: cleanEnv(), stdio: ['ignore', 'ignore', 'pipe'] });
    let stderrText = '';
    child.stderr?.on('data', (b) => {
        stderrText += b.toString('utf8');
        if (stderrText.length > 200_000)
            stderrText = stderrText.slice(-100_000);
    });
    let hasExited = false;
    const exitPromise = new Promise((resolve) => {
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
    let user;
    let removed = false;
    const removeDir = () => {
        if (removed || options.keepDataDir)
            return;
        removed = true;
        fs.rmSync(dataDir, { recursive: true, force: true });
    };
    const waitExit = async (ms) => {
        if (hasExited)
            return true;
        let timer;
        const timeout = new Promise((resolve) => {
            timer = setTimeout(() => resolve(false), ms);
        });
        const done = await Promise.race([exitPromise.then(() => true), timeout]);
        if (timer)
            clearTimeout(timer);
        return done;
    };
    const signal = (sig) => {
        if (!hasExited && pid > 0) {
            try {
                process.kill(pid, sig);
            }
            catch {
                /* already gone */
            }
        }
    };
    const proc = {
        endpoint: clientUrl,
        endpoints: [clientUrl],
        peerUrl,
        name: plan.name,
        dataDir,
        pid,
        etcdctl: (a, input) => runEtcdctl(a, {
            endpoints: [clientUrl],
            tls: tls ? { caFile: tls.caFile, certFile: tls.clientCertFile, keyFile: tls.clientKeyFile } : undefined,
            user,
        }, input),
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
        setUser(u) {
            user = u;
        },
    };
    return proc;
}
async function waitHealthy(proc, deadlineMs) {
    const deadline = Date.now() + deadlineMs;
    let last;
    let delay = 20;
    while (Date.now() < deadline) {
        if (proc.exited()) {
            throw new Error(`etcd ${proc.name} exited during start-up. Its stderr:\n${proc.stderr().slice(-4000)}`);
        }
        last = await proc.etcdctl(['endpoint', 'health', '--command-timeout=2s', '--dial-timeout=1s']);
        if (last.code === 0)
            return;
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, 200);
    }
    await proc.stop();
    throw new Error(`etcd ${proc.name} (${proc.endpoint}) was not healthy within ${deadlineMs} ms. ` +
        `Last etcdctl: ${last?.stderr.trim() ?? 'none'}. etcd stderr:\n${proc.stderr().slice(-4000)}`);
}
async function enableAuth(proc, rootPassword) {
    const add = await proc.etcdctl(['user', 'add', 'root', '--interactive=false'], `${rootPassword}\n`);
    if (add.code !== 0)
        throw new Error(`etcdctl user add root failed: ${add.stderr}`);
    const enable = await proc.etcdctl(['auth', 'enable']);
    if (enable.code !== 0)
        throw new Error(`etcdctl auth enable failed: ${enable.stderr}`);
    proc.setUser(`root:${rootPassword}`);
}
let counter = 0;
/**
 * Start one real etcd member on loopback and wait until it is healthy.
 * @example
 * const etcd = await startEtcd();
 * try { await etcd.etcdctl(['put', 'a', '1']); } finally { await etcd.stop(); }
 */
async function startEtcd(options = {}) {
    const name = options.name ?? 'kubetcd-test';
    const plan = await planMember(name, options.tls !== undefined);
    const token = `kubetcd-${process.pid}-${++counter}-${Date.now()}`;
    const proc = launch(plan, `${name}=http://127.0.0.1:${plan.peerPort}`, token, options);
    await waitHealthy(proc, options.startTimeoutMs ?? 20_000);
    if (options.auth) {
        try {
            await enableAuth(proc, options.auth.rootPassword);
        }
        catch (e) {
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
async function startCluster(size = 3, options = {}) {
    const plans = [];
    for (let i = 0; i < size; i++)
        plans.push(await planMember(`m${i}`, options.tls !== undefined));
    const initial = plans.map((p) => `${p.name}=http://127.0.0.1:${p.peerPort}`).join(',');
    const token = `kubetcd-cluster-${process.pid}-${++counter}-${Date.now()}`;
    const members = plans.map((p) => launch(p, initial, token, options));
    const endpoints = members.map((m) => m.endpoint);
    const stop = async () => {
        await Promise.all(members.map((m) => m.stop()));
    };
    try {
        await Promise.all(members.map((m) => waitHealthy(m, options.startTimeoutMs ?? 30_000)));
    }
    catch (e) {
        await stop();
        throw e;
    }
    const tls = options.tls;
    return {
        members,
        endpoints,
        etcdctl: (a, input) => runEtcdctl(a, {
            endpoints,
            tls: tls ? { caFile: tls.caFile, certFile: tls.clientCertFile, keyFile: tls.clientKeyFile } : undefined,
        }, input),
        stop,
    };
}
//# sourceMappingURL=etcd.js.map