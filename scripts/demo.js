#!/usr/bin/env node
// The notebook demo: `npm run demo` installs what is missing (scripts/setup.sh), builds, starts a local etcd
// on 127.0.0.1 (free ports, a temporary data dir) loaded with a generated demo cluster, saves a demo
// snapshot, and starts Jupyter Notebook on 127.0.0.1 over notebooks/ with the project-local tslab kernel.
// Ctrl-C stops everything it started, by PID.
//
//   node scripts/demo.js [--snapshot [FILE]] [--pods N] [--port P] [--demo-dir DIR] [--no-setup] [--no-build]
//   node scripts/demo.js --run [NOTEBOOK_OR_FOLDER...] [RUNNER OPTIONS]   (npm run notebooks: headless, CI-style)
//
// --snapshot      notebooks read the demo snapshot (etcd is stopped once it is saved), or FILE if given.
//                 Without etcd on the machine the demo falls back to the last demo snapshot.
// --run           runs the notebooks headless (scripts/run-notebooks.py) instead of starting Jupyter;
//                 default: every notebook in notebooks/. Exits with the runner's code. Everything after
//                 --run goes to the runner (`--output-dir DIR`, `--timeout S`, …).
// --demo-dir      where the demo snapshot is kept (default .cache/demo).

const { spawn, spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const REPO = path.join(__dirname, '..');
const PYTHON = '/usr/bin/python3';
let DEMO_DIR = path.join(REPO, '.cache', 'demo');
let DEMO_SNAPSHOT = path.join(DEMO_DIR, 'demo-cluster.db');
const USAGE =
  'Usage: node scripts/demo.js [--snapshot [FILE]] [--pods N] [--port P] [--demo-dir DIR] [--no-setup] [--no-build] [--run [NOTEBOOK...]]';

function say(text) {
  process.stderr.write(`kubetcd demo: ${text}\n`);
}

function die(text) {
  say(text);
  process.exit(1);
}

function parseArgs(argv) {
  const args = { snapshot: undefined, pods: 200, port: undefined, setup: true, build: true, run: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = argv[i + 1];
    if (args.run !== undefined) {
      args.run.push(a);
    } else if (a === '--run') {
      args.run = [];
    } else if (a === '--snapshot') {
      if (next !== undefined && !next.startsWith('--')) {
        args.snapshot = path.resolve(next);
        i++;
      } else args.snapshot = 'demo';
    } else if (a === '--demo-dir') {
      if (next === undefined) die(`--demo-dir needs a folder.\n${USAGE}`);
      DEMO_DIR = path.resolve(next);
      DEMO_SNAPSHOT = path.join(DEMO_DIR, 'demo-cluster.db');
      i++;
    } else if (a === '--pods' || a === '--port') {
      const n = Number(next);
      if (!Number.isInteger(n) || n <= 0) die(`${a} needs a positive integer, got ${JSON.stringify(next)}.\n${USAGE}`);
      args[a.slice(2)] = n;
      i++;
    } else if (a === '--no-setup') args.setup = false;
    else if (a === '--no-build') args.build = false;
    else if (a === '--help' || a === '-h') {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    } else die(`Unknown argument: ${JSON.stringify(a)}.\n${USAGE}`);
  }
  if (args.snapshot === 'demo') args.snapshot = DEMO_SNAPSHOT;
  return args;
}

/** The runner's options that take a value (scripts/run-notebooks.py), so their values are not notebooks. */
const RUNNER_VALUE_OPTIONS = new Set(['--etcd', '--snapshot', '--output-dir', '--cwd', '--timeout', '--kernel']);

function runnerPositionals(runArgs) {
  const positionals = [];
  for (let i = 0; i < runArgs.length; i++) {
    const a = runArgs[i];
    if (RUNNER_VALUE_OPTIONS.has(a)) i++;
    else if (!a.startsWith('-')) positionals.push(a);
  }
  return positionals;
}

function which(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).status === 0;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function poll(what, deadlineMs, check) {
  const deadline = Date.now() + deadlineMs;
  let delay = 50;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 500);
  }
  throw new Error(`${what} did not happen within ${Math.round(deadlineMs / 1000)} s.`);
}

/** Everything this script started, stopped in reverse order by PID. */
const started = [];
let tempDir;

function startChild(name, command, args, options) {
  // Own process group: the terminal's Ctrl-C reaches this script only, which then stops each child.
  const child = spawn(command, args, { ...options, detached: true });
  const entry = { name, child, exited: new Promise((resolve) => child.on('exit', resolve)) };
  started.push(entry);
  return entry;
}

async function stopAll() {
  for (const { name, child, exited } of started.reverse()) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    say(`stopping ${name} (pid ${child.pid})`);
    child.kill('SIGTERM');
    const done = await Promise.race([exited.then(() => true), new Promise((r) => setTimeout(() => r(false), 10_000))]);
    if (!done) {
      child.kill('SIGKILL');
      await exited;
    }
  }
  started.length = 0;
  if (tempDir) fs.rmSync(tempDir, { recursive: true, force: true });
}

function makeTempDir() {
  return fs.mkdtempSync(path.join(fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir(), 'kubetcd-demo-'));
}

function etcdctl(endpoint, args) {
  const env = { ...process.env, ETCDCTL_API: '3' };
  for (const k of Object.keys(env)) if (k.startsWith('ETCDCTL_') && k !== 'ETCDCTL_API') delete env[k];
  return spawnSync('etcdctl', [`--endpoints=${endpoint}`, ...args], { encoding: 'utf8', env });
}

async function startDemoEtcd(pods) {
  const dataDir = path.join(tempDir, 'etcd');
  const client = await freePort();
  const peer = await freePort();
  const endpoint = `http://127.0.0.1:${client}`;
  const log = fs.openSync(path.join(tempDir, 'etcd.log'), 'a');
  const etcd = startChild(
    'etcd',
    'etcd',
    [
      '--name=kubetcd-demo',
      `--data-dir=${dataDir}`,
      `--listen-client-urls=${endpoint}`,
      `--advertise-client-urls=${endpoint}`,
      `--listen-peer-urls=http://127.0.0.1:${peer}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${peer}`,
      `--initial-cluster=kubetcd-demo=http://127.0.0.1:${peer}`,
      '--log-level=warn',
      '--logger=zap',
    ],
    { stdio: ['ignore', log, log] },
  );
  await poll('etcd becoming healthy', 30_000, async () => {
    if (etcd.child.exitCode !== null) throw new Error(`etcd exited; see ${path.join(tempDir, 'etcd.log')}`);
    return etcdctl(endpoint, ['endpoint', 'health', '--command-timeout=2s']).status === 0;
  });
  say(`etcd ${endpoint} (pid ${etcd.child.pid}), loading a demo cluster of ${pods} pods`);
  // lesson 07's incidents (generate-cluster --incidents) need 30 pods or more: a smaller demo has none
  const gen = spawnSync(
    process.execPath,
    [
      path.join(REPO, 'build', 'scripts', 'generate-cluster.js'),
      '--endpoints',
      endpoint,
      '--pods',
      String(pods),
      '--seed',
      '1',
      '--compact',
      ...(pods >= 30 ? ['--incidents'] : []),
    ],
    {
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  if (gen.status !== 0) throw new Error('the cluster generator failed (see above).');
  fs.mkdirSync(DEMO_DIR, { recursive: true });
  const tmp = `${DEMO_SNAPSHOT}.part`;
  fs.rmSync(tmp, { force: true });
  const saved = etcdctl(endpoint, ['snapshot', 'save', tmp]);
  if (saved.status !== 0) throw new Error(`etcdctl snapshot save failed: ${saved.stderr}`);
  fs.renameSync(tmp, DEMO_SNAPSHOT);
  say(`demo snapshot ${path.relative(REPO, DEMO_SNAPSHOT)}`);
  return { endpoint, etcd };
}

async function startJupyter(source, snapshot, port) {
  const token = crypto.randomBytes(24).toString('hex');
  const env = {
    ...process.env,
    JUPYTER_PATH: [path.join(REPO, 'jupyter'), process.env.JUPYTER_PATH].filter(Boolean).join(path.delimiter),
    JUPYTER_RUNTIME_DIR: path.join(tempDir, 'jupyter-runtime'),
    KUBETCD_SOURCE: source,
    ...(source.includes('://') ? { KUBETCD_ETCD: source } : {}),
    ...(fs.existsSync(snapshot) ? { KUBETCD_SNAPSHOT: snapshot } : {}),
  };
  const log = path.join(tempDir, 'jupyter.log');
  const out = fs.openSync(log, 'a');
  const jupyter = startChild(
    'Jupyter Notebook',
    PYTHON,
    [
      '-m',
      'notebook',
      '--no-browser',
      '--ip=127.0.0.1',
      `--port=${port}`,
      '--port-retries=0',
      `--notebook-dir=${path.join(REPO, 'notebooks')}`,
      `--NotebookApp.token=${token}`,
      ...(process.getuid && process.getuid() === 0 ? ['--allow-root'] : []),
    ],
    { env, stdio: ['ignore', out, out] },
  );
  const base = `http://127.0.0.1:${port}`;
  await poll('Jupyter Notebook answering', 60_000, async () => {
    if (jupyter.child.exitCode !== null)
      throw new Error(`Jupyter Notebook exited:\n${fs.readFileSync(log, 'utf8').slice(-3000)}`);
    try {
      return (await fetch(`${base}/api/status?token=${token}`)).ok;
    } catch {
      return false;
    }
  });
  return { url: `${base}/tree?token=${token}`, jupyter };
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (args.setup) {
    const setup = spawnSync('bash', [path.join(REPO, 'scripts', 'setup.sh')], { stdio: 'inherit' });
    if (setup.status !== 0) say('set-up did not finish (see above); going on with what is there.');
  }
  if (args.build) {
    const build = spawnSync('npm', ['run', '--silent', 'build'], { cwd: REPO, stdio: 'inherit' });
    if (build.status !== 0) die('the build failed (see above).');
  }
  tempDir = makeTempDir();
  let source;
  let snapshot = DEMO_SNAPSHOT;
  const userSnapshot = args.snapshot !== undefined && args.snapshot !== DEMO_SNAPSHOT;
  if (userSnapshot) {
    if (!fs.existsSync(args.snapshot)) die(`no snapshot file at ${args.snapshot}.`);
    source = args.snapshot;
    snapshot = args.snapshot;
  } else if (which('etcd') && which('etcdctl')) {
    const { endpoint } = await startDemoEtcd(args.pods);
    if (args.snapshot !== undefined) {
      await stopAll(); // only etcd so far; the notebooks read the snapshot it left
      tempDir = makeTempDir();
      source = DEMO_SNAPSHOT;
    } else source = endpoint;
  } else if (fs.existsSync(DEMO_SNAPSHOT)) {
    say(`etcd is not installed: the notebooks read the last demo snapshot ${path.relative(REPO, DEMO_SNAPSHOT)}`);
    source = DEMO_SNAPSHOT;
  } else {
    die(
      "etcd is not installed and there is no demo snapshot yet. Install Debian's etcd-server and etcd-client (bash scripts/setup.sh as root), or pass --snapshot FILE.",
    );
  }

  if (args.run !== undefined) {
    // `npm run notebooks -- --output-dir DIR` names runner options only: the notebooks are still the default.
    const notebooks = [...args.run, ...(runnerPositionals(args.run).length > 0 ? [] : [path.join(REPO, 'notebooks')])];
    const target = [
      ...(source.includes('://') ? ['--etcd', source] : []),
      ...(fs.existsSync(snapshot) ? ['--snapshot', snapshot] : []),
    ];
    const runner = startChild(
      'notebook runner',
      PYTHON,
      [path.join(REPO, 'scripts', 'run-notebooks.py'), ...target, ...notebooks],
      { stdio: 'inherit' },
    );
    const code = await runner.exited;
    await stopAll();
    process.exit(code === null ? 1 : code);
  }

  const { url, jupyter } = await startJupyter(source, snapshot, args.port ?? (await freePort()));
  process.stdout.write(
    `\nkubetcd demo is running. Open the notebooks at:\n\n  ${url}\n\n` +
      `Notebooks read ${source.includes('://') ? `the demo etcd at ${source}` : `the snapshot ${source}`} (KUBETCD_SOURCE).\n` +
      'Press Ctrl-C to stop Jupyter and etcd.\n',
  );
  jupyter.exited.then(async () => {
    if (stopping || started.length === 0) return;
    stopping = true;
    say('Jupyter Notebook exited');
    await stopAll();
    process.exit(1);
  });
}

let stopping = false;
function stopAndExit(code) {
  if (stopping) return;
  stopping = true;
  stopAll().then(() => process.exit(code));
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => stopAndExit(0));

/**
 * `npm run demo` puts npm (and a shell) between the user and this script, and a signal sent to npm does
 * not always reach us: npm may die and leave us running, with etcd, Jupyter and its token. So watch the
 * processes that started us, and stop everything when one of them is gone.
 */
function parentOf(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}
function watchAncestors() {
  const ancestors = [];
  // Up to three: the shell npm runs us in, npm itself, and what started npm.
  for (let pid = process.ppid; pid !== undefined && pid > 1 && ancestors.length < 3; pid = parentOf(pid))
    ancestors.push(pid);
  const timer = setInterval(() => {
    const gone = ancestors.find((pid) => {
      try {
        process.kill(pid, 0);
        return false;
      } catch (e) {
        return e.code === 'ESRCH';
      }
    });
    if (gone !== undefined || process.ppid === 1) {
      say(`the process that started the demo (pid ${gone ?? process.ppid}) is gone: stopping`);
      clearInterval(timer);
      stopAndExit(0);
    }
  }, 500);
  timer.unref();
}
watchAncestors();
say(`pid ${process.pid}: stop everything with Ctrl-C or "kill ${process.pid}"`);

main().catch(async (e) => {
  say(e instanceof Error ? e.message : String(e));
  await stopAll();
  process.exit(1);
});
