/**
 * The fuzzing harness: runs seeded mutated inputs through the decoder (`decode`) or the snapshot reader
 * (`openFileSource` and every read of the source) in worker threads watched from the main thread.
 *
 * Properties checked for every input:
 * - no crash: `decode` never throws and reports only DecodeError (with an offset inside the value); the
 *   snapshot reader fails only with SnapshotFormatError — never TypeError, RangeError or anything else;
 * - no hang: each input's time is measured (the maximum is reported) and a watchdog in the main thread
 *   terminates a worker stuck on one input longer than `hangMs`, records the input and goes on after it;
 * - no unbounded allocation: ArrayBuffer and heap growth across each input are measured (V8's external
 *   memory counter, which every ArrayBuffer is charged to); growth above `memoryLimitBytes` is a finding.
 *
 * A finding is printed with its seed and index and saved under `findingsDir` as `<target>-s<seed>-i<index>.bin`
 * (the input) and `.json` (what failed, the seed fixture, the mutation, decode options); at most a few
 * files are saved per distinct failure. {@link reproduce} runs one saved or regenerated input again.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import { Worker } from 'node:worker_threads';
import { decode, toKubeJson } from '../../src/codec';
import type { DecodeOptions } from '../../src/codec';
import { openBboltFile } from '../../src/sources/snapshot/bbolt-file';
import { openFileSource } from '../../src/sources/open-file';
import { inputRandom, mutateSnapshot, mutateValue, type SnapshotSeed, type ValueSeed } from './fuzz-mutate';

/** Which reader a run fuzzes. */
export type FuzzTarget = 'decode' | 'snapshot';

/** A property violated by one input. */
export interface FuzzFinding {
  target: FuzzTarget;
  seed: number;
  index: number;
  /** crash: threw or reported a wrong error; hang: over the watchdog; slow: over `slowMs`; memory: grew too much. */
  kind: 'crash' | 'hang' | 'slow' | 'memory' | 'worker-died';
  message: string;
  stack?: string | undefined;
  seedName: string;
  mutation: string;
  options?: DecodeOptions;
  ms?: number;
  /** Where the input was saved (when it was). */
  file?: string;
}

/** Totals of a run. */
export interface FuzzStats {
  target: FuzzTarget;
  seed: number;
  inputs: number;
  /** Outcome counts: `ok` (an object / a readable source), `DecodeError`, `SnapshotFormatError`, ... */
  outcomes: Record<string, number>;
  findings: FuzzFinding[];
  /** Findings by signature (kind, error name and message shape), all of them, saved or not. */
  signatures: Record<string, number>;
  maxMs: number;
  maxLabel: string;
  /** Largest ArrayBuffer growth across one input, and over the largest heap growth. */
  maxArrayBufferGrowth: number;
  maxHeapGrowth: number;
  /** Outcomes per mutation (the first one of a stack): `mutation outcome` -> count. */
  byMutation: Record<string, number>;
  wallMs: number;
  inputsPerSec: number;
}

/** Options of {@link runFuzz}. */
export interface FuzzOptions {
  target: FuzzTarget;
  /** Inputs to run (index 0 .. count-1 of the seeded sequence). */
  count: number;
  /** The run's seed (unsigned 32-bit). Default 1. */
  seed?: number;
  /** First index (to resume or re-run a part). Default 0. */
  from?: number;
  /** Worker threads. Default 1. */
  workers?: number;
  /** Snapshot seed files (bbolt) beyond the built-in ones. */
  snapshotFiles?: string[];
  /** Extra value seeds (e.g. values read from a real etcd snapshot). */
  extraValues?: { name: string; bytes: Buffer }[];
  /** Watchdog: an input running longer than this is a hang (default 5 s for decode, 10 s for snapshots). */
  hangMs?: number;
  /**
   * An input slower than this (but under the hang bound) in each of three runs is a `slow` finding
   * (default 1 s decode, 3 s snapshot).
   */
  slowMs?: number;
  /** ArrayBuffer or heap growth across one input above this is a finding. Default 64 MiB. */
  memoryLimitBytes?: number;
  /** Where findings are saved. Default `<repo>/.cache/fuzz-findings`. */
  findingsDir?: string;
  /** Files saved per distinct failure. Default 5. */
  savePerSignature?: number;
  /** Called with a line of progress now and then. */
  onProgress?: (line: string) => void;
  /** Called for each finding as it arrives. */
  onFinding?: (f: FuzzFinding) => void;
  /**
   * For the harness's own tests: at input `hangAt` the worker loops forever, at `throwAt` the check
   * reports a TypeError, at `allocateAt` it keeps 32 MiB of ArrayBuffers alive across the input.
   */
  probe?: { hangAt?: number; throwAt?: number; allocateAt?: number };
}

/** What a worker is told. */
export interface WorkerJob {
  target: FuzzTarget;
  seed: number;
  from: number;
  to: number;
  snapshotFiles: string[];
  extraValues: { name: string; bytes: Buffer }[];
  slowMs: number;
  memoryLimitBytes: number;
  /** [0]: the index being run now (-1 between inputs), [1]: inputs finished. */
  progress: SharedArrayBuffer;
  tmpDir: string;
  probe: { hangAt?: number; throwAt?: number; allocateAt?: number };
}

/** Partial totals a worker reports. */
interface WorkerReport {
  type: 'report';
  done: number;
  outcomes: Record<string, number>;
  maxMs: number;
  maxLabel: string;
  maxArrayBufferGrowth: number;
  maxHeapGrowth: number;
  /** Outcomes per mutation (the first one of a stack): `mutation outcome` -> count. */
  byMutation: Record<string, number>;
  final: boolean;
}

interface WorkerFinding {
  type: 'finding';
  finding: FuzzFinding;
  bytes: Uint8Array;
}

/**
 * The repository root (found from this file, compiled or not).
 * @example
 * path.join(repoRoot(), '.cache', 'fuzz-findings')
 */
export function repoRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
  return dir;
}

/** One input, generated from (seed, index) alone. */
export interface FuzzInput {
  bytes: Buffer;
  seedName: string;
  mutation: string;
  options: DecodeOptions;
}

/**
 * Input `index` of a decode run seeded `seed` over `seeds`.
 * @example
 * const input = decodeInput(seeds, 1, 12345);
 */
export function decodeInput(seeds: ValueSeed[], seed: number, index: number): FuzzInput {
  const rand = inputRandom(seed, index);
  const s = seeds[rand(seeds.length)] as ValueSeed;
  const other = seeds[rand(seeds.length)] as ValueSeed;
  const { bytes, mutation } = mutateValue(s, other, rand);
  return {
    bytes,
    seedName: s.name,
    mutation: `${mutation}${other !== s && mutation.includes('splice') ? ` with ${other.name}` : ''}`,
    options: s.options,
  };
}

/**
 * Input `index` of a snapshot run seeded `seed` over `seeds`.
 * @example
 * const input = snapshotInput(seeds, 1, 99);
 */
export function snapshotInput(seeds: SnapshotSeed[], seed: number, index: number): FuzzInput {
  const rand = inputRandom(seed, index);
  const s = seeds[rand(seeds.length)] as SnapshotSeed;
  const other = seeds[rand(seeds.length)] as SnapshotSeed;
  const { bytes, mutation } = mutateSnapshot(s, other, rand);
  return { bytes, seedName: s.name, mutation, options: {} };
}

/**
 * The outcome of one decode (`ok`, `partial`, `DecodeError`), or the property it violated.
 * @example
 * checkDecode(Buffer.from('k8s\0'), {}).outcome // 'DecodeError'
 */
export function checkDecode(
  bytes: Buffer,
  options: DecodeOptions,
): { outcome: string; problem?: { message: string; stack?: string | undefined } } {
  let d: ReturnType<typeof decode>;
  try {
    d = decode(bytes, options);
  } catch (e) {
    const err = e as Error;
    return {
      outcome: 'threw',
      problem: { message: `decode threw ${err?.name ?? typeof e}: ${err?.message ?? String(e)}`, stack: err?.stack },
    };
  }
  if (d.error !== undefined) {
    const err = d.error as Error & { offset?: unknown };
    if (err.name !== 'DecodeError')
      return {
        outcome: err.name,
        problem: { message: `decode reported ${err.name}: ${err.message}`, stack: err.stack },
      };
    if (
      typeof err.offset !== 'number' ||
      !Number.isInteger(err.offset) ||
      err.offset < 0 ||
      err.offset > bytes.length
    ) {
      return {
        outcome: 'DecodeError',
        problem: { message: `DecodeError offset ${String(err.offset)} outside [0, ${bytes.length}]: ${err.message}` },
      };
    }
  }
  if (d.object !== undefined) {
    try {
      toKubeJson(d.object);
    } catch (e) {
      const err = e as Error;
      return {
        outcome: 'unprintable',
        problem: { message: `the decoded object cannot be printed: ${err.name}: ${err.message}`, stack: err.stack },
      };
    }
  }
  return { outcome: d.error !== undefined ? (d.object !== undefined ? 'partial' : 'DecodeError') : 'ok' };
}

/**
 * Uses everything a snapshot source offers (status, a full range with values, histories, gets, leases,
 * count, a range at an older revision), then walks every bucket of the bbolt file with a cursor and seeks.
 * Odd inputs of a run set `blocks`.
 * @example
 * (await checkSnapshot('/tmp/damaged.db')).outcome // 'ok' or 'SnapshotFormatError'
 */
export async function checkSnapshot(
  file: string,
  blocks = false,
): Promise<{ outcome: string; problem?: { message: string; stack?: string | undefined } }> {
  // `blocks`: read through the block cache (4 KiB blocks) as files over 8 MiB are, instead of whole
  const options = blocks ? { wholeFileBytes: 0, blockBytes: 4096 } : {};
  try {
    const s = await openFileSource(file, options);
    try {
      const st = await s.status();
      const keys: Uint8Array[] = [];
      for await (const kv of s.range({ prefix: '' }, { revision: st.revision })) keys.push(kv.key);
      for (const k of keys.slice(0, 64)) for await (const h of s.history(k)) void h;
      for (const k of keys.slice(0, 16)) await s.get(k);
      await s.get('/registry/zz-absent');
      await s.leases();
      await s.count({ prefix: '/registry/' });
      for await (const kv of s.range({ start: '/registry/c', end: '/registry/t' }, { limit: 5 })) void kv;
      const older = Math.max(st.compactRevision, Math.floor(st.revision / 2));
      if (older > 0) for await (const kv of s.range({ prefix: '/' }, { revision: older, keysOnly: true })) void kv;
    } finally {
      await s.close();
    }
    // The bbolt layer directly: every bucket walked with a cursor, and seeks (first, middle, past the end).
    const f = openBboltFile(file, { ...options, verifyHash: false });
    try {
      for (const name of f.root().bucketNames()) {
        const bucket = f.bucket(name);
        if (!bucket) continue;
        const entries = [...bucket.entries()];
        for (const e of [entries[0], entries[entries.length >> 1]]) if (e) bucket.cursor().seek(e.key);
        bucket.cursor().seek(Buffer.from([0xff, 0xff, 0xff]));
      }
    } finally {
      f.close();
    }
    return { outcome: 'ok' };
  } catch (e) {
    const err = e as Error;
    if (err?.name === 'SnapshotFormatError') return { outcome: 'SnapshotFormatError' };
    return {
      outcome: err?.name ?? 'threw',
      problem: {
        message: `the snapshot reader threw ${err?.name ?? typeof e}: ${err?.message ?? String(e)}`,
        stack: err?.stack,
      },
    };
  }
}

/** The signature of a finding: kind, error name and the message with numbers and quoted parts blurred. */
function signatureOf(f: FuzzFinding): string {
  const frame = /\n\s+at ([^\n(]+)/.exec(f.stack ?? '')?.[1]?.trim() ?? '';
  return `${f.target} ${f.kind} ${f.message
    .replace(/"[^"]*"/g, '""')
    .replace(/\d+/g, 'N')
    .slice(0, 120)} @ ${frame}`;
}

/**
 * Runs the worker side of a job (called in the worker thread by fuzz-worker.ts).
 * @example
 * await runWorkerJob(workerData as WorkerJob, (m) => parentPort!.postMessage(m));
 */
export async function runWorkerJob(job: WorkerJob, post: (m: WorkerReport | WorkerFinding) => void): Promise<void> {
  const progress = new Int32Array(job.progress);
  const seeds = await import('./fuzz-seeds');
  const valueSeeds =
    job.target === 'decode'
      ? seeds.loadValueSeeds(job.extraValues.map((e) => ({ name: e.name, bytes: Buffer.from(e.bytes) })))
      : [];
  const snapshotSeeds = job.target === 'snapshot' ? seeds.loadSnapshotSeeds(job.snapshotFiles) : [];
  const file = path.join(job.tmpDir, `fuzz-${job.from}.db`);
  const outcomes: Record<string, number> = {};
  const byMutation: Record<string, number> = {};
  let maxMs = 0;
  let maxLabel = '';
  let maxArrayBufferGrowth = 0;
  let maxHeapGrowth = 0;
  let done = 0;
  let lastReport = Date.now();
  const report = (final: boolean): void => {
    post({
      type: 'report',
      done,
      outcomes: { ...outcomes },
      maxMs,
      maxLabel,
      maxArrayBufferGrowth,
      maxHeapGrowth,
      byMutation: { ...byMutation },
      final,
    });
    for (const k of Object.keys(outcomes)) delete outcomes[k];
    for (const k of Object.keys(byMutation)) delete byMutation[k];
    done = 0;
    lastReport = Date.now();
  };
  for (let index = job.from; index < job.to; index++) {
    const input =
      job.target === 'decode'
        ? decodeInput(valueSeeds, job.seed, index)
        : snapshotInput(snapshotSeeds, job.seed, index);
    if (job.target === 'snapshot') fs.writeFileSync(file, input.bytes);
    const before = v8.getHeapStatistics();
    Atomics.store(progress, 0, index);
    const t = process.hrtime.bigint();
    let kept: ArrayBuffer[] | undefined;
    let r =
      job.target === 'decode' ? checkDecode(input.bytes, input.options) : await checkSnapshot(file, index % 2 === 1);
    if (index === job.probe.hangAt) for (;;) Atomics.add(progress, 1, 0);
    if (index === job.probe.throwAt)
      r = {
        outcome: 'TypeError',
        problem: { message: 'probe: TypeError: x is undefined', stack: new TypeError('x is undefined').stack ?? '' },
      };
    if (index === job.probe.allocateAt) kept = Array.from({ length: 32 }, () => new ArrayBuffer(2 ** 20));
    let ms = Number(process.hrtime.bigint() - t) / 1e6;
    // A slow input is timed twice more and judged by its fastest run: on a loaded machine one run can
    // wait for the CPU, while an input that is really slow stays slow.
    for (let again = 0; again < 2 && ms > job.slowMs && !r.problem; again++) {
      const t2 = process.hrtime.bigint();
      if (job.target === 'decode') checkDecode(input.bytes, input.options);
      else await checkSnapshot(file, index % 2 === 1);
      ms = Math.min(ms, Number(process.hrtime.bigint() - t2) / 1e6);
    }
    Atomics.store(progress, 0, -1);
    const after = v8.getHeapStatistics();
    if (kept !== undefined) kept.length = 0;
    const abGrowth = after.external_memory - before.external_memory;
    const heapGrowth = after.used_heap_size - before.used_heap_size;
    outcomes[r.outcome] = (outcomes[r.outcome] ?? 0) + 1;
    const mk = `${/^[a-z-]+/.exec(input.mutation.replace(/^stack\(/, ''))?.[0] ?? input.mutation} ${r.outcome}`;
    byMutation[mk] = (byMutation[mk] ?? 0) + 1;
    if (ms > maxMs) {
      maxMs = ms;
      maxLabel = `#${index} ${input.seedName} ${input.mutation}`;
    }
    if (abGrowth > maxArrayBufferGrowth) maxArrayBufferGrowth = abGrowth;
    if (heapGrowth > maxHeapGrowth) maxHeapGrowth = heapGrowth;
    const base = {
      target: job.target,
      seed: job.seed,
      index,
      seedName: input.seedName,
      mutation: input.mutation,
      options: input.options,
      ms,
    };
    const found = (finding: FuzzFinding): void => post({ type: 'finding', finding, bytes: input.bytes });
    if (r.problem)
      found({
        ...base,
        kind: 'crash',
        message: r.problem.message,
        ...(r.problem.stack ? { stack: r.problem.stack } : {}),
      });
    else if (ms > job.slowMs)
      found({ ...base, kind: 'slow', message: `took ${ms.toFixed(0)} ms (bound ${job.slowMs} ms)` });
    if (abGrowth > job.memoryLimitBytes || heapGrowth > 2 * job.memoryLimitBytes) {
      found({
        ...base,
        kind: 'memory',
        message: `ArrayBuffers grew by ${(abGrowth / 2 ** 20).toFixed(0)} MiB, the heap by ${(heapGrowth / 2 ** 20).toFixed(0)} MiB across one input`,
      });
    }
    done++;
    Atomics.add(progress, 1, 1);
    if ((done & 255) === 0 && Date.now() - lastReport > 1000) report(false);
  }
  if (job.target === 'snapshot') fs.rmSync(file, { force: true });
  report(true);
}

/** Where the compiled worker entry sits (next to this file once built). */
function workerEntry(): string {
  return path.join(__dirname, 'fuzz-worker.js');
}

/**
 * Runs `count` mutated inputs through the decoder or the snapshot reader, in worker threads under a watchdog.
 * @example
 * const stats = await runFuzz({ target: 'decode', count: 20000, seed: 7 });
 * stats.findings.length // 0
 */
export async function runFuzz(options: FuzzOptions): Promise<FuzzStats> {
  const target = options.target;
  const seed = (options.seed ?? 1) >>> 0;
  const from = options.from ?? 0;
  const to = from + options.count;
  const workers = Math.max(1, Math.min(options.workers ?? 1, options.count));
  const hangMs = options.hangMs ?? (target === 'decode' ? 5000 : 10000);
  const slowMs = options.slowMs ?? (target === 'decode' ? 1000 : 3000);
  const memoryLimitBytes = options.memoryLimitBytes ?? 64 * 2 ** 20;
  const findingsDir = options.findingsDir ?? path.join(repoRoot(), '.cache', 'fuzz-findings');
  const savePer = options.savePerSignature ?? 5;
  const tmpDir = fs.mkdtempSync(path.join(fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir(), 'kubetcd-fuzz-'));
  const stats: FuzzStats = {
    target,
    seed,
    inputs: 0,
    outcomes: {},
    findings: [],
    signatures: {},
    maxMs: 0,
    maxLabel: '',
    maxArrayBufferGrowth: 0,
    maxHeapGrowth: 0,
    byMutation: {},
    wallMs: 0,
    inputsPerSec: 0,
  };
  let regenerate: ((index: number) => FuzzInput) | undefined;
  const inputAt = async (index: number): Promise<FuzzInput> => {
    if (!regenerate) {
      const seeds = await import('./fuzz-seeds');
      if (target === 'decode') {
        const vs = seeds.loadValueSeeds(options.extraValues ?? []);
        regenerate = (i) => decodeInput(vs, seed, i);
      } else {
        const ss = seeds.loadSnapshotSeeds(options.snapshotFiles ?? []);
        regenerate = (i) => snapshotInput(ss, seed, i);
      }
    }
    return regenerate(index);
  };
  const record = (f: FuzzFinding, bytes: Uint8Array | undefined): void => {
    const sig = signatureOf(f);
    const n = (stats.signatures[sig] = (stats.signatures[sig] ?? 0) + 1);
    if (n <= savePer && bytes !== undefined) {
      fs.mkdirSync(findingsDir, { recursive: true });
      const name = path.join(findingsDir, `${target}-s${seed}-i${f.index}`);
      fs.writeFileSync(`${name}.bin`, bytes);
      f.file = `${name}.bin`;
      fs.writeFileSync(
        `${name}.json`,
        JSON.stringify({ ...f, signature: sig, repro: `node build/bench/fuzz.js --repro ${name}.bin` }, null, 2) + '\n',
      );
    }
    if (n <= savePer) stats.findings.push(f);
    options.onFinding?.(f);
  };
  const started = Date.now();
  const merge = (r: WorkerReport): void => {
    stats.inputs += r.done;
    for (const [k, v] of Object.entries(r.outcomes)) stats.outcomes[k] = (stats.outcomes[k] ?? 0) + v;
    if (r.maxMs > stats.maxMs) {
      stats.maxMs = r.maxMs;
      stats.maxLabel = r.maxLabel;
    }
    stats.maxArrayBufferGrowth = Math.max(stats.maxArrayBufferGrowth, r.maxArrayBufferGrowth);
    stats.maxHeapGrowth = Math.max(stats.maxHeapGrowth, r.maxHeapGrowth);
    for (const [k, v] of Object.entries(r.byMutation)) stats.byMutation[k] = (stats.byMutation[k] ?? 0) + v;
  };

  /** Runs [a, b) in one worker; after a hang or a dead worker, records the input and goes on after it. */
  const runSlice = async (a: number, b: number): Promise<void> => {
    let next = a;
    while (next < b) {
      const progress = new SharedArrayBuffer(8);
      const p = new Int32Array(progress);
      p[0] = -1;
      const job: WorkerJob = {
        target,
        seed,
        from: next,
        to: b,
        snapshotFiles: options.snapshotFiles ?? [],
        extraValues: options.extraValues ?? [],
        slowMs,
        memoryLimitBytes,
        progress,
        tmpDir,
        probe: options.probe ?? {},
      };
      const worker = new Worker(workerEntry(), { workerData: job, resourceLimits: { maxOldGenerationSizeMb: 1024 } });
      let reported = 0;
      const outcome = await new Promise<{ stuckAt: number; why: 'hang' | 'worker-died'; message: string } | undefined>(
        (resolve) => {
          let seen = -1;
          let since = Date.now();
          let settled = false;
          const finish = (v: { stuckAt: number; why: 'hang' | 'worker-died'; message: string } | undefined): void => {
            if (settled) return;
            settled = true;
            clearInterval(timer);
            resolve(v);
          };
          const timer = setInterval(() => {
            const now = Atomics.load(p, 0);
            if (now !== seen || now < 0) {
              seen = now;
              since = Date.now();
              return;
            }
            if (Date.now() - since > hangMs) {
              finish({ stuckAt: now, why: 'hang', message: `no result after ${hangMs} ms: the worker was stopped` });
              void worker.terminate();
            }
          }, 50);
          worker.on('message', (m: WorkerReport | WorkerFinding) => {
            if (m.type === 'report') {
              reported += m.done;
              merge(m);
              if (m.final) finish(undefined);
              options.onProgress?.(
                `${target}: ${stats.inputs} inputs, ${((stats.inputs * 1000) / Math.max(1, Date.now() - started)).toFixed(0)}/s, findings ${Object.values(stats.signatures).reduce((x, y) => x + y, 0)}`,
              );
            } else record(m.finding, m.bytes);
          });
          worker.on('error', (e) =>
            finish({
              stuckAt: Atomics.load(p, 0),
              why: 'worker-died',
              message: `the worker died: ${e.name}: ${e.message}`,
            }),
          );
          worker.on('exit', (code) =>
            finish(
              code === 0
                ? undefined
                : { stuckAt: Atomics.load(p, 0), why: 'worker-died', message: `the worker exited with code ${code}` },
            ),
          );
        },
      );
      await worker.terminate();
      if (outcome === undefined) return;
      // Inputs the worker finished but had not reported yet count too (the shared counter knows them).
      const finishedByWorker = Atomics.load(p, 1);
      const stuckAt = outcome.stuckAt >= 0 ? outcome.stuckAt : next + finishedByWorker;
      stats.inputs += Math.max(0, finishedByWorker - reported) + 1;
      stats.outcomes[outcome.why] = (stats.outcomes[outcome.why] ?? 0) + 1;
      const input = await inputAt(stuckAt);
      record(
        {
          target,
          seed,
          index: stuckAt,
          kind: outcome.why,
          message: outcome.message,
          seedName: input.seedName,
          mutation: input.mutation,
          options: input.options,
        },
        input.bytes,
      );
      next = stuckAt + 1;
    }
  };
  const slices: Promise<void>[] = [];
  const per = Math.ceil(options.count / workers);
  for (let w = 0; w < workers; w++) {
    const a = from + w * per;
    const b = Math.min(to, a + per);
    if (a < b) slices.push(runSlice(a, b));
  }
  try {
    await Promise.all(slices);
  } finally {
    fs.rmSync(tmpDir, { recursive: true, force: true });
  }
  stats.wallMs = Date.now() - started;
  stats.inputsPerSec = (stats.inputs * 1000) / Math.max(1, stats.wallMs);
  return stats;
}

/**
 * Runs one input again in this thread and says what happened: a saved finding (`.bin` with its `.json`
 * beside it) or input `index` of run `seed` regenerated.
 * @example
 * console.log(await reproduce({ file: '.cache/fuzz-findings/decode-s1-i42.bin' }));
 */
export async function reproduce(
  spec: { file: string } | { target: FuzzTarget; seed: number; index: number; snapshotFiles?: string[] },
): Promise<string> {
  let target: FuzzTarget;
  let bytes: Buffer;
  let options: DecodeOptions = {};
  let label: string;
  let index: number;
  if ('file' in spec) {
    bytes = fs.readFileSync(spec.file);
    const meta = JSON.parse(fs.readFileSync(spec.file.replace(/\.bin$/, '.json'), 'utf8')) as FuzzFinding;
    target = meta.target;
    options = meta.options ?? {};
    index = meta.index;
    label = `${meta.target} seed=${meta.seed} index=${meta.index} (${meta.seedName}, ${meta.mutation})`;
  } else {
    target = spec.target;
    index = spec.index;
    const seeds = await import('./fuzz-seeds');
    const input =
      target === 'decode'
        ? decodeInput(seeds.loadValueSeeds(), spec.seed, spec.index)
        : snapshotInput(seeds.loadSnapshotSeeds(spec.snapshotFiles ?? []), spec.seed, spec.index);
    bytes = input.bytes;
    options = input.options;
    label = `${target} seed=${spec.seed} index=${spec.index} (${input.seedName}, ${input.mutation})`;
  }
  const t = process.hrtime.bigint();
  let r: Awaited<ReturnType<typeof checkSnapshot>>;
  if (target === 'decode') r = checkDecode(bytes, options);
  else {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubetcd-repro-'));
    const file = path.join(dir, 'input.db');
    fs.writeFileSync(file, bytes);
    try {
      r = await checkSnapshot(file, index % 2 === 1);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  return `${label}: ${bytes.length} bytes, ${r.outcome} in ${ms.toFixed(1)} ms${r.problem ? `\n${r.problem.stack ?? r.problem.message}` : ''}`;
}
