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
exports.referenceBinary = void 0;
exports.startReference = startReference;
/**
 * The reference serializer: Kubernetes' own Go protobuf and JSON serializers, built by
 * `bash scripts/setup-reference.sh` into .cache/reference/bin/kubetcd-reference (source:
 * test/conformance/reference/main.go). One process answers any number of requests; requests are
 * pipelined over stdin and answered in order over stdout.
 *
 * Wire format (both directions): 1 byte (op, or status 0 ok / 1 error), a big-endian uint32 length,
 * then that many bytes; the ops are described in main.go.
 */
const node_child_process_1 = require("node:child_process");
const fs = __importStar(require("node:fs"));
const path = __importStar(require("node:path"));
/** Repository root: this file compiles to build/test/helpers/. */
const repoRoot = path.join(__dirname, '../../..');
/** Where setup-reference.sh puts the binary; KUBETCD_REFERENCE_BIN overrides it. */
exports.referenceBinary = process.env['KUBETCD_REFERENCE_BIN'] ?? path.join(repoRoot, '.cache/reference/bin/kubetcd-reference');
const MAX_PAYLOAD = 256 << 20;
/**
 * Starts the reference serializer. Throws when it is not built.
 *
 * @example
 * const ref = await startReference();
 * const r = await ref.decode(fs.readFileSync('pod.pb'));
 * if (r.ok) console.log(r.json);
 * await ref.close();
 */
async function startReference() {
    if (!fs.existsSync(exports.referenceBinary)) {
        throw new Error(`the reference serializer is not built: ${exports.referenceBinary} is missing. ` +
            'Run bash scripts/setup-reference.sh (npm test runs it as part of its set-up).');
    }
    const child = (0, node_child_process_1.spawn)(exports.referenceBinary, [], { stdio: ['pipe', 'pipe', 'pipe'] });
    const pending = [];
    let stderr = '';
    let failure;
    let buffered = Buffer.alloc(0);
    const failAll = (err) => {
        failure ??= err;
        for (const p of pending.splice(0))
            p.reject(failure);
    };
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk) => {
        stderr += chunk;
    });
    child.stdin.on('error', (err) => failAll(new Error(`writing to the reference serializer failed: ${err.message}`)));
    child.stdout.on('data', (chunk) => {
        buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
        while (buffered.length >= 5) {
            const status = buffered[0] ?? 255;
            const length = buffered.readUInt32BE(1);
            if (buffered.length < 5 + length)
                break;
            const payload = buffered.subarray(5, 5 + length);
            buffered = buffered.subarray(5 + length);
            const next = pending.shift();
            if (next === undefined) {
                failAll(new Error('the reference serializer sent an answer nobody asked for: the framing is out of step.'));
                child.kill();
                return;
            }
            next.resolve({ status, payload: Buffer.from(payload) });
        }
    });
    const exited = new Promise((resolve) => {
        child.on('error', (err) => {
            failAll(new Error(`the reference serializer ${exports.referenceBinary} could not run: ${err.message}`));
            resolve();
        });
        child.on('close', (code, signal) => {
            failAll(new Error(`the reference serializer exited (${signal ?? `code ${code}`}) with ${pending.length} answers outstanding.` +
                (stderr ? ` Its stderr: ${stderr.trim()}` : '')));
            resolve();
        });
    });
    const request = (op, payload) => {
        if (failure)
            return Promise.reject(failure);
        if (payload.length > MAX_PAYLOAD) {
            return Promise.reject(new Error(`request of ${payload.length} bytes exceeds the reference's ${MAX_PAYLOAD}-byte limit.`));
        }
        const header = Buffer.alloc(5);
        header.write(op, 0, 'latin1');
        header.writeUInt32BE(payload.length, 1);
        return new Promise((resolve, reject) => {
            pending.push({ resolve, reject });
            child.stdin.write(header);
            child.stdin.write(payload);
        });
    };
    // A kind hint is an 'h' request that applies to the request written right after it; both are
    // written in the same tick, so concurrent callers cannot come between them.
    const requestWith = async (op, payload, options) => {
        if (options?.kind === undefined)
            return request(op, payload);
        const [hint, answer] = await Promise.all([request('h', Buffer.from(options.kind, 'utf8')), request(op, payload)]);
        return hint.status === 0 ? answer : hint;
    };
    const decodeWith = async (op, value, options) => {
        const { status, payload } = await requestWith(op, value, options);
        return status === 0 ? { ok: true, json: payload.toString('utf8') } : { ok: false, error: payload.toString('utf8') };
    };
    return {
        decode: (value, options) => decodeWith('d', value, options),
        decodePretty: (value, options) => decodeWith('D', value, options),
        async encode(json, options) {
            const { status, payload } = await requestWith('e', Buffer.from(json, 'utf8'), options);
            return status === 0
                ? { ok: true, value: new Uint8Array(payload) }
                : { ok: false, error: payload.toString('utf8') };
        },
        async kinds() {
            const { status, payload } = await request('k', new Uint8Array(0));
            const text = payload.toString('utf8');
            if (status !== 0)
                throw new Error(`the reference serializer could not list kinds: ${text}`);
            return text === '' ? [] : text.split('\n');
        },
        async generate(req) {
            const { status, payload } = await request('g', Buffer.from(JSON.stringify(req), 'utf8'));
            const text = payload.toString('utf8');
            if (status !== 0)
                throw new Error(`the reference serializer could not generate ${req.kind}: ${text}`);
            const answer = JSON.parse(text);
            return (answer.records ?? []).map((r) => {
                const value = new Uint8Array(Buffer.from(r.value ?? '', 'base64'));
                const record = {
                    index: r.index,
                    of: r.of,
                    path: r.path,
                    variant: r.variant,
                    value,
                    json: r.json,
                    canonical: r.canonical === undefined ? value : new Uint8Array(Buffer.from(r.canonical, 'base64')),
                    canonicalJson: r.canonicalJson ?? r.json,
                };
                if (r.error !== undefined)
                    record.error = r.error;
                return record;
            });
        },
        async sites(req) {
            const { status, payload } = await request('g', Buffer.from(JSON.stringify({ ...req, count: 0, sites: true }), 'utf8'));
            const text = payload.toString('utf8');
            if (status !== 0)
                throw new Error(`the reference serializer could not list sites of ${req.kind}: ${text}`);
            return JSON.parse(text).sites ?? [];
        },
        async close() {
            child.stdin.end();
            await exited;
        },
    };
}
//# sourceMappingURL=reference.js.map