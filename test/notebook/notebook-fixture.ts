/**
 * Shared by the notebook tests: a real etcd holding a small generated cluster plus one ConfigMap whose
 * value is hostile HTML, a staged copy of the test notebooks next to a `dist` link (so `'../dist'` resolves
 * in the kernel), and the headless runner (scripts/run-notebooks.py) run as a child process with a deadline.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { encode } from '../../src/codec';
import { generateCluster } from '../../scripts/cluster/cluster-generator';
import { writeCluster } from '../../scripts/cluster/write-cluster';
import { openEtcdWriterForFixtures } from '../../src/sources/live-etcd-source';
import { startEtcd, type EtcdProcess } from '../helpers/etcd';

/** The repository root (this file runs from build/test/notebook/). */
export const REPO = path.resolve(__dirname, '..', '..', '..');
/** Debian's python, which has nbclient (another python3 on PATH may not). */
export const PYTHON = '/usr/bin/python3';
/** The value of the hostile ConfigMap: shown as text it is harmless; run as HTML it sets a global. */
export const XSS_VALUE = '<img src=x onerror="window.__kubetcdXss = 1">';
/** The staged test notebooks. */
export const FIXTURES = path.join(REPO, 'test', 'notebook', 'fixtures');

/**
 * The dist the notebooks import: the repository's `dist` (built by `npm run build`), or
 * $KUBETCD_NOTEBOOK_DIST while developing against a private build.
 */
export function distDir(): string {
  return process.env.KUBETCD_NOTEBOOK_DIST ?? path.join(REPO, 'dist');
}

/**
 * The virtual environment holding JupyterLab 4.6 and Notebook 7.6 (scripts/setup-jupyter.sh):
 * $KUBETCD_JUPYTER_VENV, else `.cache/jupyter-venv`. Throws, saying how to make it, when it is missing.
 * @example
 * const lab = path.join(jupyterVenv(), 'bin', 'jupyter-lab');
 */
export function jupyterVenv(): string {
  const venv = process.env.KUBETCD_JUPYTER_VENV ?? path.join(REPO, '.cache', 'jupyter-venv');
  for (const tool of ['jupyter-lab', 'jupyter-notebook']) {
    if (!fs.existsSync(path.join(venv, 'bin', tool))) {
      throw new Error(
        `No ${tool} in ${venv}. Run bash scripts/setup-jupyter.sh (npm test runs scripts/setup.sh, which calls it).`,
      );
    }
  }
  return venv;
}

/**
 * Starts etcd and writes a generated cluster plus the ConfigMap `default/xss` holding {@link XSS_VALUE}.
 * @example
 * const etcd = await startNotebookEtcd(); try { … } finally { await etcd.stop(); }
 */
export async function startNotebookEtcd(): Promise<EtcdProcess> {
  const etcd = await startEtcd();
  try {
    const writer = await openEtcdWriterForFixtures({ endpoints: etcd.endpoint });
    try {
      await writeCluster(writer, generateCluster({ pods: 12, seed: 7 }).operations());
      const cm = {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: {
          name: 'xss',
          namespace: 'default',
          uid: '3f0c8e8e-0000-4000-8000-000000000001',
          creationTimestamp: '2025-12-31T00:00:00Z',
        },
        data: { html: XSS_VALUE },
      };
      await writer.put('/registry/configmaps/default/xss', encode(cm));
    } finally {
      await writer.close();
    }
    return etcd;
  } catch (e) {
    await etcd.stop();
    throw e;
  }
}

/**
 * Saves a snapshot of the etcd into `dir` (etcdctl snapshot save) and returns its path.
 * @example
 * const file = await saveSnapshot(etcd, staged.root);
 */
export async function saveSnapshot(etcd: EtcdProcess, dir: string): Promise<string> {
  const file = path.join(dir, 'snapshot.db');
  const saved = await etcd.etcdctl(['snapshot', 'save', file]);
  if (saved.code !== 0) throw new Error(`etcdctl snapshot save failed: ${saved.stderr}`);
  return file;
}

/** A temporary folder holding `notebooks/<copies>` and a `dist` link. */
export interface StagedNotebooks {
  root: string;
  notebooksDir: string;
  /** Paths of the staged copies, in the order asked. */
  files: string[];
  remove(): void;
}

/**
 * Copies fixture notebooks into a fresh folder beside a link to {@link distDir}.
 * @example
 * const staged = stageNotebooks(['display.ipynb']);
 */
export function stageNotebooks(names: readonly string[]): StagedNotebooks {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kubetcd-notebooks-'));
  const notebooksDir = path.join(root, 'notebooks');
  fs.mkdirSync(notebooksDir);
  fs.symlinkSync(distDir(), path.join(root, 'dist'), 'dir');
  const files = names.map((n) => {
    const to = path.join(notebooksDir, n);
    fs.copyFileSync(path.join(FIXTURES, n), to);
    return to;
  });
  return { root, notebooksDir, files, remove: () => fs.rmSync(root, { recursive: true, force: true }) };
}

/** What a child process printed. */
export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a command in its own process group and kills that group (by the child's PID) at the deadline.
 * @example
 * const r = await runProcess(PYTHON, ['scripts/run-notebooks.py', 'x.ipynb'], { deadlineMs: 60_000 });
 */
export function runProcess(
  command: string,
  args: readonly string[],
  options: { deadlineMs: number; env?: NodeJS.ProcessEnv; cwd?: string },
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd ?? REPO,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString('utf8')));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
    const timer = setTimeout(() => {
      stderr += `\n[killed after ${options.deadlineMs} ms]`;
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }, options.deadlineMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * Runs scripts/run-notebooks.py with these arguments.
 * @example
 * const r = await runNotebooks(['--etcd', etcd.endpoint, staged.files[0]!]);
 */
export function runNotebooks(args: readonly string[], deadlineMs = 90_000): Promise<RunResult> {
  return runProcess(PYTHON, [path.join(REPO, 'scripts', 'run-notebooks.py'), ...args], { deadlineMs });
}

/** One output of a notebook cell, as nbformat stores it. */
export interface CellOutput {
  output_type: string;
  name?: string;
  text?: string | string[];
  data?: Record<string, string | string[]>;
}

/** A cell of an executed notebook. */
export interface NotebookCell {
  cell_type: string;
  source: string | string[];
  outputs?: CellOutput[];
}

/**
 * Reads an executed notebook's code cells.
 * @example
 * const cells = readCells(path.join(outDir, 'display.ipynb'));
 */
export function readCells(file: string): NotebookCell[] {
  const nb = JSON.parse(fs.readFileSync(file, 'utf8')) as { cells: NotebookCell[] };
  return nb.cells.filter((c) => c.cell_type === 'code');
}

/**
 * Joins nbformat's multi-line strings.
 * @example
 * joined(['a\n', 'b']) // 'a\nb'
 */
export function joined(text: string | string[] | undefined): string {
  return Array.isArray(text) ? text.join('') : (text ?? '');
}
