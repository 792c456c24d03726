/**
 * A real browser on real notebook front ends: the display test notebook is executed headless against a real
 * etcd, trusted (so its HTML is not sanitized by Jupyter: escaping must be ours), and served on 127.0.0.1 by
 * Debian's classic Notebook 6.4, by Notebook 7.6 and by JupyterLab 4.6 in its light and dark themes (the
 * last two from the project's virtual environment, scripts/setup-jupyter.sh), each opened in headless Debian
 * Chromium through playwright-core. In every one, what a person sees is checked from computed styles and
 * layout: the tables' cells left-aligned and monospace as kubectl prints them, a table wider than the
 * screen scrolling inside its own box while the page and the notebook around it do not, every tree row
 * with a visible ▶/▼ marker that a click flips, YAML monospace in a box that scrolls when tall; and the
 * etcd value `<img src=x onerror=…>` shown as text that never runs, while the control cell, the same markup
 * sent unescaped, does run in the same page. KUBETCD_SCREENSHOTS=DIR saves what each front end showed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { freePort } from '../helpers/etcd';
import { pollUntil } from '../helpers/poll';
import {
  PYTHON,
  REPO,
  XSS_VALUE,
  jupyterVenv,
  runNotebooks,
  runProcess,
  saveSnapshot,
  stageNotebooks,
  startNotebookEtcd,
} from './notebook-fixture';
import { PAGE_PROBE, type PageProbe } from './page-probe';

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
  const done = await Promise.race([
    exited.then(() => true),
    new Promise<boolean>((r) => setTimeout(() => r(false), 10_000)),
  ]);
  if (!done) {
    child.kill('SIGKILL');
    await exited;
  }
}

/** A notebook front end: how to start its server on a port with a token, and the notebook's address. */
interface FrontEnd {
  name: string;
  command: string;
  args(port: number, token: string, root: string): string[];
  url(base: string, token: string): string;
  /** JupyterLab user settings (JUPYTERLAB_SETTINGS_DIR), by plugin id, for the front ends built on it. */
  labSettings?: Record<string, Record<string, unknown>>;
  /** The theme JupyterLab should report it applied. */
  theme?: string;
  /** Script errors of the front end's own, raised on any notebook (not from our outputs). */
  ownPageErrors?: RegExp[];
}

const ROOT_FLAG = process.getuid?.() === 0 ? ['--allow-root'] : [];

/**
 * JupyterLab settings: the theme, every cell laid out (not windowed), and in JupyterLab itself no news or
 * update toasts over the outputs (Notebook 7 has no such plugin: a setting for one breaks its page).
 */
function labSettings(theme: string, quiet: boolean): Record<string, Record<string, unknown>> {
  return {
    '@jupyterlab/apputils-extension/themes': { theme },
    '@jupyterlab/notebook-extension/tracker': { windowingMode: 'none' },
    ...(quiet ? { '@jupyterlab/apputils-extension/notification': { fetchNews: 'false', checkForUpdates: false } } : {}),
  };
}

function frontEnds(): FrontEnd[] {
  const classic: FrontEnd = {
    name: 'classic Notebook 6.4',
    command: PYTHON,
    args: (port, token, root) => [
      '-m',
      'notebook',
      '--no-browser',
      '--ip=127.0.0.1',
      `--port=${port}`,
      '--port-retries=0',
      `--notebook-dir=${root}`,
      `--NotebookApp.token=${token}`,
      ...ROOT_FLAG,
    ],
    url: (base, token) => `${base}/notebooks/display.ipynb?token=${token}`,
  };
  const venv = jupyterVenv();
  const server = (port: number, token: string, root: string): string[] => [
    '--no-browser',
    '--ip=127.0.0.1',
    `--port=${port}`,
    '--ServerApp.port_retries=0',
    `--ServerApp.root_dir=${root}`,
    `--IdentityProvider.token=${token}`,
    ...ROOT_FLAG,
  ];
  const lab = (theme: string): FrontEnd => ({
    name: `JupyterLab 4.6 (${theme})`,
    command: path.join(venv, 'bin', 'jupyter-lab'),
    args: server,
    url: (base, token) => `${base}/lab/tree/display.ipynb?reset&token=${token}`,
    labSettings: labSettings(theme, true),
    theme,
  });
  return [
    classic,
    {
      name: 'Notebook 7.6',
      command: path.join(venv, 'bin', 'jupyter-notebook'),
      args: server,
      url: (base, token) => `${base}/notebooks/display.ipynb?token=${token}`,
      labSettings: labSettings('JupyterLab Light', false),
      theme: 'JupyterLab Light',
      // Notebook 7.6.3's keyboard-shortcuts plugin reads the schema of a plugin it has not got when another
      // plugin's settings load; it happens on a notebook holding one Markdown cell, without any settings.
      ownPageErrors: [/^Cannot read properties of undefined \(reading 'schema'\)$/],
    },
    lab('JupyterLab Light'),
    lab('JupyterLab Dark'),
  ];
}

async function probe(page: Page): Promise<PageProbe> {
  return (await page.evaluate(PAGE_PROBE)) as PageProbe;
}

/** Opens the served notebook in one front end and checks what it shows. */
async function checkFrontEnd(
  front: FrontEnd,
  browser: Browser,
  served: string,
  env: NodeJS.ProcessEnv,
  shots: string | undefined,
): Promise<void> {
  const slug = front.name
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/-+$/, '')
    .toLowerCase();
  const stateDir = path.join(served, '..', `state-${slug}`);
  const serverEnv: NodeJS.ProcessEnv = { ...env, JUPYTER_RUNTIME_DIR: path.join(stateDir, 'runtime') };
  if (front.labSettings) {
    const settingsDir = path.join(stateDir, 'lab-settings');
    for (const [plugin, value] of Object.entries(front.labSettings)) {
      const file = path.join(settingsDir, `${plugin}.jupyterlab-settings`);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, JSON.stringify(value));
    }
    serverEnv.JUPYTERLAB_SETTINGS_DIR = settingsDir;
    serverEnv.JUPYTERLAB_WORKSPACES_DIR = path.join(stateDir, 'lab-workspaces');
  }
  const port = await freePort();
  const token = randomBytes(16).toString('hex');
  const server = spawn(front.command, front.args(port, token, served), {
    env: serverEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => server.on('exit', () => resolve()));
  let serverLog = '';
  server.stdout?.on('data', (b: Buffer) => (serverLog += b.toString('utf8')));
  server.stderr?.on('data', (b: Buffer) => (serverLog += b.toString('utf8')));
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  try {
    const base = `http://127.0.0.1:${port}`;
    await pollUntil(
      `${front.name} answering`,
      90_000,
      async () => {
        if (server.exitCode !== null) throw new Error(`${front.name} exited (${server.exitCode}):\n${serverLog}`);
        try {
          return (await fetch(`${base}/api/status?token=${token}`)).ok;
        } catch {
          return false;
        }
      },
      () => serverLog.slice(-3000),
    );
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(front.url(base, token));

    // The list renders as an HTML table with the pods in it; every output of the notebook is there.
    const table = page.locator('div.kubetcd table').first();
    await table.waitFor({ state: 'visible', timeout: 90_000 });
    assert.ok((await table.locator('tbody tr').count()) >= 10);
    assert.equal(await table.locator('th').first().textContent(), 'NAMESPACE');
    await page.locator('div.kubetcd pre').first().waitFor({ state: 'attached', timeout: 30_000 });
    await page.locator('div.kubetcd .kubetcd-tree').first().waitFor({ state: 'attached', timeout: 30_000 });
    if (shots) await page.screenshot({ path: path.join(shots, `${slug}-top.png`) });

    // The get result shows as our <details> tree (JupyterLab and Notebook 7 too prefer the HTML to the
    // application/json twin); `data` (opened if it is closed) shows the hostile value as text.
    const closedData = page.locator('details:not([open]) > summary').filter({ hasText: /data/ });
    if ((await closedData.count()) > 0) await closedData.first().click();
    const valueText = page.getByText('<img src=x onerror=', { exact: false }).first();
    await valueText.waitFor({ state: 'visible', timeout: 10_000 });
    const shownValue = (await valueText.textContent()) ?? '';
    assert.ok(
      shownValue.includes(JSON.stringify(XSS_VALUE)) || shownValue.includes(XSS_VALUE),
      `${front.name}: the hostile value in full: ${shownValue}`,
    );

    // The control: the same markup sent unescaped runs its onerror in this page (so the check below means something).
    await pollUntil(
      'the unescaped control image running its onerror',
      20_000,
      async () => (await page.evaluate(() => (globalThis as { __kubetcdControl?: number }).__kubetcdControl)) === 1,
      () => 'Jupyter may be sanitizing the output (is the notebook trusted?)',
    );
    assert.equal(await page.evaluate(() => (globalThis as { __kubetcdXss?: number }).__kubetcdXss), undefined);
    assert.equal(await page.locator('img[onerror*="__kubetcdXss"]').count(), 0);

    const seen = await probe(page);
    const where = (what: string): string => `${front.name}: ${what}\n${JSON.stringify(seen, null, 1).slice(0, 6000)}`;
    if (front.theme) assert.equal(seen.theme, front.theme, where('the theme asked for is applied'));

    // Tables: every cell left-aligned and monospace, as kubectl prints them.
    assert.ok(seen.tables.length >= 3, where('the pods, countBy and wide tables'));
    for (const t of seen.tables) {
      assert.deepEqual(t.textAligns, ['left'], where(`cells of ${t.headers.join(' ')} left-aligned`));
      assert.ok(t.monospace, where(`cells of ${t.headers.join(' ')} monospace (${t.fontFamily})`));
      const maxHeight = Number.parseFloat(t.box.maxHeight);
      assert.ok(
        maxHeight > 0 && maxHeight <= seen.viewportHeight,
        where(`a table taller than a screen scrolls in its box (max-height ${t.box.maxHeight})`),
      );
    }
    // The wide table scrolls sideways inside its own box; nothing around it (output, cell, notebook, page) does.
    const wide = seen.tables.find((t) => t.headers.some((h) => h.toLowerCase() === 'column-16'));
    assert.ok(wide, where('the wide table'));
    assert.equal(wide.box.overflowX, 'auto', where('the wide table box scrolls'));
    assert.ok(wide.box.scrollWidth > wide.box.clientWidth, where('the wide table is wider than its box'));
    for (const t of seen.tables)
      assert.deepEqual(
        t.overflowingAncestors,
        [],
        where(`nothing around ${t.headers.slice(0, 3).join(' ')} overflows`),
      );
    assert.equal(seen.pageOverflowsX, false, where('the page does not scroll sideways'));

    // Trees: every row that folds has a visible ▶ (closed) or ▼ (open) marker of its own, and only one.
    assert.ok(seen.markers.length >= 3, where('tree rows with markers'));
    assert.ok(
      seen.markers.some((m) => !m.open),
      where('a closed tree row'),
    );
    for (const m of seen.markers) {
      assert.equal(m.content, m.open ? '"▼"' : '"▶"', where(`the marker of ${m.label}`));
      assert.notEqual(m.display, 'none', where(`the marker of ${m.label} displayed`));
      assert.equal(m.visibility, 'visible', where(`the marker of ${m.label} visible`));
      assert.ok(
        m.contrast >= 3,
        where(`the marker of ${m.label} stands out from the background (contrast ${m.contrast.toFixed(2)})`),
      );
      assert.notEqual(m.summaryDisplay, 'list-item', where(`no second, browser-drawn marker on ${m.label}`));
      assert.equal(m.cursor, 'pointer', where(`${m.label} looks clickable`));
    }
    // A click on a closed row of the key tree opens it and flips its marker.
    const closedRow = page.locator('div.kubetcd .kubetcd-tree details:not([open]) > summary').first();
    const rowLabel = (await closedRow.textContent()) ?? '';
    await closedRow.scrollIntoViewIfNeeded();
    await closedRow.click();
    const opened = (await probe(page)).markers.find((m) => m.label === rowLabel.slice(0, 60));
    assert.ok(
      opened?.open === true && opened.content === '"▼"',
      where(`clicking ${rowLabel} opened it: ${JSON.stringify(opened)}`),
    );

    // YAML: monospace, not wrapped, in a box that scrolls when taller than a screen.
    const yaml = seen.pres.find((p) => p.text.startsWith('apiVersion: v1'));
    assert.ok(yaml, where('the YAML view'));
    assert.ok(
      yaml.monospace && yaml.whiteSpace === 'pre' && yaml.overflowY === 'auto',
      where('the YAML view set as kubectl prints it'),
    );
    assert.ok(
      Number.parseFloat(yaml.maxHeight) <= seen.viewportHeight,
      where(`the YAML view scrolls when taller than a screen (max-height ${yaml.maxHeight})`),
    );

    if (shots) {
      await page.locator('div.kubetcd table').filter({ hasText: 'column-16' }).scrollIntoViewIfNeeded();
      await page.screenshot({ path: path.join(shots, `${slug}-wide.png`) });
    }
    const ours = pageErrors.filter((e) => !(front.ownPageErrors ?? []).some((known) => known.test(e)));
    assert.deepEqual(ours, [], `${front.name}: script errors in the page: ${JSON.stringify(pageErrors)}`);
  } finally {
    await context.close();
    await stopProcess(server, exited);
  }
}

test('the display notebook in classic Notebook, Notebook 7 and JupyterLab (light, dark) in Chromium: tables, trees and YAML look as kubectl prints them; hostile etcd values shown as text, never run', {
  timeout: 600_000,
}, async (t) => {
  const fronts = frontEnds(); // fails first, naming the set-up step, when the virtual environment is missing
  const etcd = await startNotebookEtcd();
  const staged = stageNotebooks(['display.ipynb']);
  let browser: Browser | undefined;
  try {
    const served = path.join(staged.root, 'served');
    const snapshot = await saveSnapshot(etcd, staged.root);
    const run = await runNotebooks([
      '--etcd',
      etcd.endpoint,
      '--snapshot',
      snapshot,
      '--output-dir',
      served,
      ...staged.files,
    ]);
    assert.equal(run.code, 0, `the display notebook failed:\n${run.stdout}\n${run.stderr}`);
    await etcd.stop();

    // Jupyter state lives in the temporary folder only; the notebook is signed there (trusted), and every
    // front end reads the same signature database.
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
      [
        '-c',
        'import sys, nbformat; from nbformat.sign import NotebookNotary; n = NotebookNotary(); nb = nbformat.read(sys.argv[1], 4); n.sign(nb); assert n.check_signature(nb)',
        path.join(served, 'display.ipynb'),
      ],
      { deadlineMs: 30_000, env },
    );
    assert.equal(sign.code, 0, `signing failed: ${sign.stderr}`);

    const shots = process.env.KUBETCD_SCREENSHOTS;
    if (shots) fs.mkdirSync(shots, { recursive: true });
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
    for (const front of fronts) {
      const b = browser;
      await t.test(front.name, { timeout: 240_000 }, () => checkFrontEnd(front, b, served, env, shots));
    }
  } finally {
    await browser?.close();
    await etcd.stop();
    staged.remove();
  }
});
