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
exports.freePort = freePort;
exports.startEtcdProcess = startEtcdProcess;
exports.buildEtcdctlFixture = buildEtcdctlFixture;
exports.removeEtcdctlFixture = removeEtcdctlFixture;
/**
 * Builds real etcd files for the snapshot tests: starts a real etcd (Debian's /usr/bin/etcd) on loopback
 * with free ports and a temp data dir, writes through `etcdctl` (puts, deletes, a lease, a compaction,
 * values larger than a page, a few thousand keys in transactions), records what
 * `etcdctl get "" --prefix -w json --rev R` answers at several revisions, saves a snapshot, stops etcd by
 * PID and copies the stopped member's `member/snap/db`.
 */
const node_child_process_1 = require("node:child_process");
const fs = __importStar(require("node:fs"));
const net = __importStar(require("node:net"));
const os = __importStar(require("node:os"));
const path = __importStar(require("node:path"));
const ETCD = process.env.KUBETCD_ETCD_BIN ?? '/usr/bin/etcd';
const ETCDCTL = process.env.KUBETCD_ETCDCTL_BIN ?? '/usr/bin/etcdctl';
/** A free TCP port on 127.0.0.1. */
function freePort() {
    return new Promise((resolve, reject) => {
        const srv = net.createServer();
        srv.on('error', reject);
        srv.listen(0, '127.0.0.1', () => {
            const a = srv.address();
            const port = typeof a === 'object' && a ? a.port : 0;
            srv.close(() => resolve(port));
        });
    });
}
/** Start a one-member etcd on loopback; resolves once it answers. */
async function startEtcdProcess(dataDir) {
    const [clientPort, peerPort] = [await freePort(), await freePort()];
    const client = `http://127.0.0.1:${clientPort}`;
    const peer = `http://127.0.0.1:${peerPort}`;
    const log = fs.openSync(path.join(path.dirname(dataDir), 'etcd.log'), 'a');
    const child = (0, node_child_process_1.spawn)(ETCD, [
        '--name', 'fx', '--data-dir', dataDir,
        '--listen-client-urls', client, '--advertise-client-urls', client,
        '--listen-peer-urls', peer, '--initial-advertise-peer-urls', peer,
        '--initial-cluster', `fx=${peer}`, '--max-txn-ops', '5000', '--max-request-bytes', '10485760',
    ], { stdio: ['ignore', log, log] });
    fs.closeSync(log);
    const pid = child.pid;
    if (pid === undefined)
        throw new Error(`Could not start ${ETCD}`);
    let exited = false;
    const exitPromise = new Promise((resolve) => child.once('exit', () => { exited = true; resolve(); }));
    const etcdctl = (args, input) => (0, node_child_process_1.execFileSync)(ETCDCTL, [`--endpoints=${client}`, '--command-timeout=20s', ...args], {
        env: { ...process.env, ETCDCTL_API: '3' },
        input: input ?? '',
        maxBuffer: 512 << 20,
        stdio: ['pipe', 'pipe', 'pipe'],
    }).toString();
    const stop = async () => {
        if (exited)
            return;
        child.kill('SIGTERM');
        const killer = setTimeout(() => { if (!exited)
            child.kill('SIGKILL'); }, 10_000);
        await exitPromise;
        clearTimeout(killer);
    };
    const deadline = Date.now() + 30_000;
    for (;;) {
        if (exited)
            throw new Error(`etcd exited at start; see ${path.dirname(dataDir)}/etcd.log`);
        try {
            etcdctl(['endpoint', 'health']);
            break;
        }
        catch (e) {
            if (Date.now() > deadline) {
                await stop();
                throw new Error(`etcd did not become healthy within 30 s: ${e.message}`);
            }
            await new Promise((r) => setTimeout(r, 100));
        }
    }
    return { endpoint: client, dataDir, pid, etcdctl, stop };
}
function headerRevision(json) {
    const m = /"revision":(\d+)/.exec(json);
    if (!m)
        throw new Error(`no revision in ${json.slice(0, 200)}`);
    return Number(m[1]);
}
/**
 * Build the fixture in a fresh temp dir. Remove it with {@link removeEtcdctlFixture}.
 * @example
 * const fx = await buildEtcdctlFixture(); try { ... } finally { removeEtcdctlFixture(fx); }
 */
async function buildEtcdctlFixture(options = {}) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubetcd-etcd-'));
    const dataDir = path.join(dir, 'data');
    const etcd = await startEtcdProcess(dataDir);
    const histories = new Map();
    const note = (key, rev, deleted) => {
        const h = histories.get(key) ?? [];
        h.push([rev, deleted]);
        histories.set(key, h);
    };
    try {
        const put = (key, value, extra = []) => {
            const rev = headerRevision(etcd.etcdctl(['put', key, ...extra, '-w', 'json'], value));
            note(key, rev, false);
            return rev;
        };
        const del = (key) => {
            const rev = headerRevision(etcd.etcdctl(['del', key, '-w', 'json']));
            note(key, rev, true);
            return rev;
        };
        const early = put('/fx/a', 'a1');
        put('/fx/b', 'b1');
        put('/fx/a', 'a2');
        put('/fx/doomed', 'x');
        del('/fx/doomed');
        put('/fx/old', 'o1');
        const compactRevision = del('/fx/b');
        etcd.etcdctl(['compact', String(compactRevision)]);
        // Compaction keeps, per key, the newest revision <= the compaction unless it is a deletion.
        for (const [key, h] of histories) {
            const kept = h.filter(([rev]) => rev > compactRevision);
            const last = h.filter(([rev]) => rev <= compactRevision).pop();
            if (last && !last[1])
                kept.unshift(last);
            if (kept.length)
                histories.set(key, kept);
            else
                histories.delete(key);
        }
        put('/fx/a', 'a3');
        put('/fx/b', 'b2');
        del('/fx/old');
        const grant = etcd.etcdctl(['lease', 'grant', '3000']);
        const m = /lease ([0-9a-f]+) granted with TTL\((\d+)s\)/.exec(grant);
        if (!m)
            throw new Error(`unexpected lease grant output: ${grant}`);
        const leaseIdHex = m[1];
        put('/fx/leased', 'with lease', ['--lease', leaseIdHex]);
        const bigValues = new Map();
        for (const [key, n] of [['/fx/big/1', 10_000], ['/fx/big/2', 70_000], ['/fx/big/3', 5_000]]) {
            const value = Array.from({ length: n }, (_, i) => String.fromCharCode(97 + ((i * 7 + n) % 26))).join('');
            bigValues.set(key, value);
            put(key, value);
        }
        const manyKeys = options.manyKeys ?? 3000;
        const batch = 1000;
        for (let i = 0; i < manyKeys; i += batch) {
            const ops = [];
            for (let j = i; j < Math.min(manyKeys, i + batch); j++) {
                ops.push(`put /fx/many/${String(j).padStart(6, '0')} value-${j}-${'v'.repeat(j % 97)}`);
            }
            const rev = headerRevision(etcd.etcdctl(['txn', '-w', 'json'], `\n${ops.join('\n')}\n\n\n`));
            for (let j = i; j < Math.min(manyKeys, i + batch); j++)
                note(`/fx/many/${String(j).padStart(6, '0')}`, rev, false);
        }
        put('/fx/many/000007', 'rewritten');
        put('/fx/a', 'a4');
        const finalRevision = del('/fx/big/3');
        const dumps = new Map();
        for (const rev of new Set([compactRevision, compactRevision + 1, compactRevision + 4, finalRevision - 3, finalRevision - 1, finalRevision])) {
            dumps.set(rev, etcd.etcdctl(['get', '', '--prefix', '-w', 'json', '--rev', String(rev)]));
        }
        const dumpPath = path.join(dir, 'dump.json');
        fs.writeFileSync(dumpPath, etcd.etcdctl(['get', '', '--prefix', '-w', 'json']));
        const snapshotPath = path.join(dir, 'snapshot.db');
        etcd.etcdctl(['snapshot', 'save', snapshotPath]);
        const etcdVersion = /etcd Version: (\S+)/.exec((0, node_child_process_1.execFileSync)(ETCD, ['--version']).toString())?.[1] ?? '';
        await etcd.stop();
        const memberDbPath = path.join(dir, 'member.db');
        fs.copyFileSync(path.join(dataDir, 'member', 'snap', 'db'), memberDbPath);
        return {
            dir,
            snapshotPath,
            memberDbPath,
            dumpPath,
            dumps,
            compactRevision,
            compactedRevision: early,
            finalRevision,
            leaseIdHex,
            leaseTtlSeconds: Number(m[2]),
            histories,
            manyKeys,
            bigValues,
            etcdVersion,
        };
    }
    catch (e) {
        await etcd.stop();
        fs.rmSync(dir, { recursive: true, force: true });
        throw e;
    }
}
/** Delete the fixture's temp dir. */
function removeEtcdctlFixture(fx) {
    fs.rmSync(fx.dir, { recursive: true, force: true });
}
//# sourceMappingURL=etcdctl-fixture.js.map