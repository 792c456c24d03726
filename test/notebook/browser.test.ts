/**
 * A real browser on a real Jupyter Notebook: the display test notebook is executed headless against a real
 * etcd, trusted (so its HTML is not sanitized by Jupyter: escaping must be ours), served by Debian's Jupyter
 * Notebook on 127.0.0.1 and opened in headless Debian Chromium through playwright-core. The page must show
 * the rendered table and the JSON <details> tree, and the etcd value `<img src=x onerror=…>` as text that
 * never runs — while the control cell, the same markup sent unescaped, does run in the same page.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { freePort } from '../helpers/etcd';
import { pollUntil } from '../helpers/poll';
import { PYTHON, REPO, XSS_VALUE, runNotebooks, runProcess, saveSnapshot, stageNotebooks, startNotebookEtcd } from './notebook-fixture';

/** Flags for Debian's Chromium on this closed network (see the machine notes). */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

async function stopProcess(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  child.kill('SIGTERM');
  const done = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 10_000))]);
  if (!done) {
    child.kill('SIGKILL');
    await exited;
  }
}

test('a rendered notebook in Chromium: table and JSON tree shown, hostile etcd values shown as text, never run', { timeout: 170_000 }, async () => {
  const etcd = await startNotebookEtcd();
  const staged = stageNotebooks(['display.ipynb']);
  let server: ChildProcess | undefined;
  let serverExited: Promise<void> = Promise.resolve();
  let browser: Browser | undefined;
  let serverLog = '';
  try {
    const served = path.join(staged.root, 'served');
    const snapshot = await saveSnapshot(etcd, staged.root);
    const run = await runNotebooks(['--etcd', etcd.endpoint, '--snapshot', snapshot, '--output-dir', served, ...staged.files]);
    assert.equal(run.code, 0, `the display notebook failed:\n${run.stdout}\n${run.stderr}`);
    await etcd.stop();

    // Jupyter state lives in the temporary folder only; the notebook is signed there (trusted).
    const env = {
      ...process.env,
      JUPYTER_PATH: path.join(REPO, 'jupyter'),
      JUPYTER_DATA_DIR: path.join(staged.root, 'jupyter-data'),
      JUPYTER_CONFIG_DIR: path.join(staged.root, 'jupyter-config'),
      JUPYTER_RUNTIME_DIR: path.join(staged.root, 'jupyter-runtime'),
      JUPYTER_PLATFORM_DIRS: '1',
    };
    const sign = await runProcess(
      PYTHON,
      ['-c', 'import sys, nbformat; from nbformat.sign import NotebookNotary; n = NotebookNotary(); nb = nbformat.read(sys.argv[1], 4); n.sign(nb); assert n.check_signature(nb)', path.join(served, 'display.ipynb')],
      { deadlineMs: 30_000, env },
    );
    assert.equal(sign.code, 0, `signing failed: ${sign.stderr}`);

    const port = await freePort();
    const token = randomBytes(16).toString('hex');
    server = spawn(
      PYTHON,
      ['-m', 'notebook', '--no-browser', '--ip=127.0.0.1', `--port=${port}`, '--port-retries=0', `--notebook-dir=${served}`, `--NotebookApp.token=${token}`, ...(process.getuid?.() === 0 ? ['--allow-root'] : [])],
      { env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const child = server;
    serverExited = new Promise((resolve) => child.on('exit', () => resolve()));
    child.stdout?.on('data', (b: Buffer) => (serverLog += b.toString('utf8')));
    child.stderr?.on('data', (b: Buffer) => (serverLog += b.toString('utf8')));
    const base = `http://127.0.0.1:${port}`;
    await pollUntil(
      'Jupyter Notebook answering',
      60_000,
      async () => {
        if (child.exitCode !== null) throw new Error(`Jupyter Notebook exited (${child.exitCode}):\n${serverLog}`);
        try {
          return (await fetch(`${base}/api/status?token=${token}`)).ok;
        } catch {
          return false;
        }
      },
      () => serverLog.slice(-3000),
    );

    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
    const page = await browser.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`${base}/notebooks/display.ipynb?token=${token}`);

    // The list renders as an HTML table with the pods in it.
    const table = page.locator('.output_html div.kubetcd table').first();
    await table.waitFor({ state: 'visible', timeout: 60_000 });
    assert.ok((await table.locator('tbody tr').count()) >= 10);
    assert.equal(await table.locator('th').first().textContent(), 'NAMESPACE');

    // The get result renders as a <details> tree; `data` (opened if it is closed) shows the hostile value as text.
    const tree = page.locator('.output_html div.kubetcd details').first();
    await tree.waitFor({ state: 'visible', timeout: 30_000 });
    const closedData = page.locator('.output_html details:not([open]) > summary').filter({ hasText: /data/ });
    if ((await closedData.count()) > 0) await closedData.first().click();
    const valueText = page.locator('.output_html div.kubetcd details').getByText('<img src=x onerror=', { exact: false }).first();
    await valueText.waitFor({ state: 'visible', timeout: 10_000 });
    assert.equal(await valueText.textContent(), JSON.stringify(XSS_VALUE));

    // The control: the same markup sent unescaped runs its onerror in this page (so the check below means something).
    await pollUntil(
      'the unescaped control image running its onerror',
      20_000,
      async () => (await page.evaluate(() => (globalThis as { __kubetcdControl?: number }).__kubetcdControl)) === 1,
      () => 'Jupyter may be sanitizing the output (is the notebook trusted?)',
    );
    assert.equal(await page.evaluate(() => (globalThis as { __kubetcdXss?: number }).__kubetcdXss), undefined);
    assert.equal(await page.locator('.output_html img[onerror*="__kubetcdXss"]').count(), 0);
    assert.deepEqual(pageErrors, []);
    // For a person to look at: KUBETCD_SCREENSHOT=/tmp/notebook.png
    if (process.env.KUBETCD_SCREENSHOT) await page.screenshot({ path: process.env.KUBETCD_SCREENSHOT, fullPage: true });
  } finally {
    await browser?.close();
    if (server) await stopProcess(server, serverExited);
    await etcd.stop();
    staged.remove();
    fs.rmSync(path.join(staged.root), { recursive: true, force: true });
  }
});
