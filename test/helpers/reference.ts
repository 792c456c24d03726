/**
 * The reference serializers: Kubernetes' own Go protobuf and JSON serializers, built by
 * `bash scripts/setup-reference.sh` once per Kubernetes version into
 * .cache/reference-<version>/bin/kubetcd-reference (source: test/conformance/reference/main.go):
 * 1.36 (k8s.io/api 0.36.4, the main one) and 1.32 (k8s.io/api 0.32.3, kept for the kinds Kubernetes
 * removed after 1.32). One process answers any number of requests; requests are pipelined over stdin
 * and answered in order over stdout.
 *
 * Wire format (both directions): 1 byte (op, or status 0 ok / 1 error), a big-endian uint32 length,
 * then that many bytes; the ops are described in main.go.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Repository root: this file compiles to build/test/helpers/. */
const repoRoot = path.join(__dirname, '../../..');

/** The Kubernetes versions a reference is built for, newest first. */
export const REFERENCE_VERSIONS = ['1.36', '1.32'] as const;
/** One of {@link REFERENCE_VERSIONS}. */
export type ReferenceVersion = (typeof REFERENCE_VERSIONS)[number];

/**
 * Where setup-reference.sh puts the binary of `version`; `KUBETCD_REFERENCE_BIN_1_36` (`_1_32`) overrides it.
 * @example
 * referenceBinaryOf('1.32') // '…/.cache/reference-1.32/bin/kubetcd-reference'
 */
export function referenceBinaryOf(version: ReferenceVersion): string {
  return (
    process.env[`KUBETCD_REFERENCE_BIN_${version.replace('.', '_')}`] ??
    path.join(repoRoot, `.cache/reference-${version}/bin/kubetcd-reference`)
  );
}

/** The main reference's binary (Kubernetes 1.36). */
export const referenceBinary = referenceBinaryOf('1.36');

/** One answer of the reference serializer: a result, or Kubernetes' error text. */
export type ReferenceResult<T> = ({ ok: true } & T) | { ok: false; error: string };

/** Options of one request. */
export interface ReferenceOptions {
  /**
   * `apiVersion/Kind` (`v1/WatchEvent`, `apps/v1/Deployment`) to assume where the bytes name no kind
   * (types without TypeMeta); a kind the bytes do name wins.
   */
  kind?: string;
}

/** A request for generated objects (op 'g'; see test/conformance/reference/generate.go). */
export interface GenerateRequest {
  /** `apiVersion/Kind`, as listed by `kinds()`. */
  kind: string;
  /** Baseline values and variant order: same seed, same objects. */
  seed: number;
  /** Index of the first variant (indexes wrap around the variant list). */
  start?: number;
  /** Number of records. */
  count: number;
  /** Per mille of the baseline's leaves given an edge value (0: records differ from the baseline in one site). */
  spice?: number;
  /** Site paths zeroed in the baseline before the variant is applied (shrinking). */
  drop?: string[];
  /** Only the record of this site and variant (as named in a record; survives `drop`, unlike an index). */
  path?: string;
  variant?: string;
}

/** One generated object, as Kubernetes' own serializers store and print it. */
export interface GeneratedRecord {
  /** Variant index (reproduce with `start: index, count: 1`) and the number of variants. */
  index: number;
  of: number;
  /** The site replaced (`spec.containers[0].image`; '' for whole-object variants). */
  path: string;
  /** What it was replaced with (`string-html`, `&int64-2^53+1`, `quantity-"1.5Gi"`, …). */
  variant: string;
  /** Go's storage value. */
  value: Uint8Array;
  /** Go's compact JSON of `value`. */
  json: string;
  /** Go's storage value of `json`: what an encoder given `json` must write. */
  canonical: Uint8Array;
  /** Go's compact JSON of `canonical` (differs from `json` only where `json` printed invalid UTF-8 as `\ufffd`). */
  canonicalJson: string;
  /** Go could not encode, decode or print this object (then `json` is ''). */
  error?: string;
}

/** A running reference serializer process. */
export interface Reference {
  /** The Kubernetes version it links. */
  readonly version: ReferenceVersion;
  /** Storage value (`k8s\0` + runtime.Unknown) → the API server's compact JSON (no trailing newline). */
  decode(value: Uint8Array, options?: ReferenceOptions): Promise<ReferenceResult<{ json: string }>>;
  /** Storage value → the API server's pretty JSON (`?pretty=true`, two-space indent, no trailing newline). */
  decodePretty(value: Uint8Array, options?: ReferenceOptions): Promise<ReferenceResult<{ json: string }>>;
  /** JSON of one object with apiVersion and kind → the storage value the API server writes. */
  encode(json: string, options?: ReferenceOptions): Promise<ReferenceResult<{ value: Uint8Array }>>;
  /** The Kubernetes version the binary says it links (op 'v'): equals `version` for a binary built by setup. */
  linkedVersion(): Promise<string>;
  /** Every `apiVersion/Kind` the scheme can write as protobuf, sorted. */
  kinds(): Promise<string[]>;
  /** Generated objects of one kind (op 'g'). Throws on a bad request. */
  generate(request: GenerateRequest): Promise<GeneratedRecord[]>;
  /** The site paths of a generated baseline (after `drop`), pre-order. Throws on a bad request. */
  sites(request: Omit<GenerateRequest, 'count' | 'start'>): Promise<string[]>;
  /** Ends the process (after answering what was already sent). */
  close(): Promise<void>;
}

interface Pending {
  resolve(frame: { status: number; payload: Buffer }): void;
  reject(err: Error): void;
}

const MAX_PAYLOAD = 256 << 20;

/** A record as op 'g' writes it (bytes in base64). */
interface RawRecord {
  index: number;
  of: number;
  path: string;
  variant: string;
  value?: string;
  json: string;
  canonical?: string;
  canonicalJson?: string;
  error?: string;
}

/**
 * Starts the reference serializer of a Kubernetes version (default 1.36). Throws when it is not built.
 *
 * @example
 * const ref = await startReference();
 * const r = await ref.decode(fs.readFileSync('pod.pb'));
 * if (r.ok) console.log(r.json);
 * await ref.close();
 */
export async function startReference(version: ReferenceVersion = '1.36'): Promise<Reference> {
  const binary = referenceBinaryOf(version);
  if (!fs.existsSync(binary)) {
    throw new Error(
      `the ${version} reference serializer is not built: ${binary} is missing. ` +
        `Run bash scripts/setup-reference.sh ${version} (npm test runs it as part of its set-up).`,
    );
  }
  const child: ChildProcessWithoutNullStreams = spawn(binary, [], { stdio: ['pipe', 'pipe', 'pipe'] });
  const pending: Pending[] = [];
  let stderr = '';
  let failure: Error | undefined;
  let buffered: Buffer = Buffer.alloc(0);

  const failAll = (err: Error): void => {
    failure ??= err;
    for (const p of pending.splice(0)) p.reject(failure);
  };

  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr += chunk;
  });
  child.stdin.on('error', (err) => failAll(new Error(`writing to the reference serializer failed: ${err.message}`)));
  child.stdout.on('data', (chunk: Buffer) => {
    buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
    while (buffered.length >= 5) {
      const status = buffered[0] ?? 255;
      const length = buffered.readUInt32BE(1);
      if (buffered.length < 5 + length) break;
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
  const exited = new Promise<void>((resolve) => {
    child.on('error', (err) => {
      failAll(new Error(`the reference serializer ${binary} could not run: ${err.message}`));
      resolve();
    });
    child.on('close', (code, signal) => {
      failAll(
        new Error(
          `the reference serializer exited (${signal ?? `code ${code}`}) with ${pending.length} answers outstanding.` +
            (stderr ? ` Its stderr: ${stderr.trim()}` : ''),
        ),
      );
      resolve();
    });
  });

  const request = (op: string, payload: Uint8Array): Promise<{ status: number; payload: Buffer }> => {
    if (failure) return Promise.reject(failure);
    if (payload.length > MAX_PAYLOAD) {
      return Promise.reject(
        new Error(`request of ${payload.length} bytes exceeds the reference's ${MAX_PAYLOAD}-byte limit.`),
      );
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
  const requestWith = async (
    op: string,
    payload: Uint8Array,
    options: ReferenceOptions | undefined,
  ): Promise<{ status: number; payload: Buffer }> => {
    if (options?.kind === undefined) return request(op, payload);
    const [hint, answer] = await Promise.all([request('h', Buffer.from(options.kind, 'utf8')), request(op, payload)]);
    return hint.status === 0 ? answer : hint;
  };

  const decodeWith = async (
    op: string,
    value: Uint8Array,
    options: ReferenceOptions | undefined,
  ): Promise<ReferenceResult<{ json: string }>> => {
    const { status, payload } = await requestWith(op, value, options);
    return status === 0 ? { ok: true, json: payload.toString('utf8') } : { ok: false, error: payload.toString('utf8') };
  };

  return {
    version,
    decode: (value, options) => decodeWith('d', value, options),
    decodePretty: (value, options) => decodeWith('D', value, options),
    async encode(json, options) {
      const { status, payload } = await requestWith('e', Buffer.from(json, 'utf8'), options);
      return status === 0
        ? { ok: true, value: new Uint8Array(payload) }
        : { ok: false, error: payload.toString('utf8') };
    },
    async linkedVersion() {
      const { status, payload } = await request('v', new Uint8Array(0));
      const text = payload.toString('utf8');
      if (status !== 0) throw new Error(`the reference serializer could not say its version: ${text}`);
      return text;
    },
    async kinds() {
      const { status, payload } = await request('k', new Uint8Array(0));
      const text = payload.toString('utf8');
      if (status !== 0) throw new Error(`the reference serializer could not list kinds: ${text}`);
      return text === '' ? [] : text.split('\n');
    },
    async generate(req) {
      const { status, payload } = await request('g', Buffer.from(JSON.stringify(req), 'utf8'));
      const text = payload.toString('utf8');
      if (status !== 0) throw new Error(`the reference serializer could not generate ${req.kind}: ${text}`);
      const answer = JSON.parse(text) as { records?: RawRecord[] };
      return (answer.records ?? []).map((r) => {
        const value = new Uint8Array(Buffer.from(r.value ?? '', 'base64'));
        const record: GeneratedRecord = {
          index: r.index,
          of: r.of,
          path: r.path,
          variant: r.variant,
          value,
          json: r.json,
          canonical: r.canonical === undefined ? value : new Uint8Array(Buffer.from(r.canonical, 'base64')),
          canonicalJson: r.canonicalJson ?? r.json,
        };
        if (r.error !== undefined) record.error = r.error;
        return record;
      });
    },
    async sites(req) {
      const { status, payload } = await request(
        'g',
        Buffer.from(JSON.stringify({ ...req, count: 0, sites: true }), 'utf8'),
      );
      const text = payload.toString('utf8');
      if (status !== 0) throw new Error(`the reference serializer could not list sites of ${req.kind}: ${text}`);
      return (JSON.parse(text) as { sites?: string[] }).sites ?? [];
    },
    async close() {
      child.stdin.end();
      await exited;
    },
  };
}
