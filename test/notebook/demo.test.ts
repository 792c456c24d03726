/**
 * `npm run demo` for real (without set-up and build, which `npm test` has done): it starts etcd with a
 * generated cluster and Jupyter Notebook on 127.0.0.1, serves notebooks/ with the project-local tslab
 * kernel, keeps a demo snapshot, and Ctrl-C (SIGINT) stops everything it started.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runEtcdctl } from '../helpers/etcd';
import { pollUntil } from '../helpers/poll';
import { REPO } from './notebook-fixture';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test('npm run demo: etcd + Jupyter with the project kernel, a demo snapshot, and Ctrl-C stops it all', {
  timeout: 150_000,
}, async () => {
  const demoDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubetcd-demo-test-'));
  const demo = spawn(
    process.execPath,
    [path.join(REPO, 'scripts', 'demo.js'), '--no-setup', '--no-build', '--pods', '20', '--demo-dir', demoDir],
    {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  let err = '';
  demo.stdout.on('data', (b: Buffer) => (out += b.toString('utf8')));
  demo.stderr.on('data', (b: Buffer) => (err += b.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => demo.on('exit', (code) => resolve(code)));
  const pids: number[] = [];
  try {
    await pollUntil(
      'the demo printing its URL',
      120_000,
      () => /token=[0-9a-f]+/.test(out) || demo.exitCode !== null,
      () => `${out}\n${err}`,
    );
    const url = /(http:\/\/127\.0\.0\.1:\d+)\/tree\?token=([0-9a-f]+)/.exec(out);
    assert.ok(url, `no URL in the demo's output:\n${out}\n${err}`);
    const [, base, token] = url as unknown as [string, string, string];
    const endpoint = /the demo etcd at (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
    assert.ok(endpoint, out);
    const etcdPid = Number(/etcd http:\/\/127\.0\.0\.1:\d+ \(pid (\d+)\)/.exec(err)?.[1]);
    assert.ok(etcdPid > 0 && alive(etcdPid), err);
    pids.push(etcdPid);

    // etcd holds the generated cluster; the demo snapshot was saved where asked.
    const pods = await runEtcdctl(['get', '--prefix', '--keys-only', '/registry/pods/'], { endpoints: [endpoint] });
    assert.ok(pods.stdout.split('\n').filter(Boolean).length >= 15, pods.stdout);
    assert.ok(fs.statSync(path.join(demoDir, 'demo-cluster.db')).size > 0);

    // Jupyter serves notebooks/ and finds the project-local tslab kernel (through JUPYTER_PATH).
    const specs = (await (await fetch(`${base}/api/kernelspecs?token=${token}`)).json()) as {
      kernelspecs: Record<string, { spec: { argv: string[]; display_name: string } }>;
    };
    const ours = JSON.parse(fs.readFileSync(path.join(REPO, 'jupyter', 'kernels', 'tslab', 'kernel.json'), 'utf8')) as {
      argv: string[];
      display_name: string;
    };
    const tslab = specs.kernelspecs.tslab;
    assert.ok(tslab, JSON.stringify(specs));
    assert.deepEqual([tslab.spec.display_name, tslab.spec.argv], [ours.display_name, ours.argv]);
    const contents = (await (await fetch(`${base}/api/contents?token=${token}`)).json()) as {
      content: { name: string }[];
    };
    assert.ok(
      contents.content.some((c) => c.name === 'README.md'),
      JSON.stringify(contents),
    );

    // Ctrl-C: the demo stops Jupyter and etcd by PID and exits 0.
    demo.kill('SIGINT');
    assert.equal(await exited, 0, err);
    await pollUntil(
      'etcd to be gone',
      10_000,
      () => !alive(etcdPid),
      () => err,
    );
    await assert.rejects(fetch(`${base}/api/status?token=${token}`));
    assert.match(err, /stopping Jupyter Notebook \(pid \d+\)/);
    assert.match(err, /stopping etcd \(pid \d+\)/);
  } finally {
    if (demo.exitCode === null && demo.signalCode === null) {
      demo.kill('SIGINT');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
      if (demo.exitCode === null && demo.signalCode === null) demo.kill('SIGKILL');
    }
    for (const pid of pids) if (alive(pid)) process.kill(pid, 'SIGKILL');
    fs.rmSync(demoDir, { recursive: true, force: true });
  }
});

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  test(`npm run demo stopped through npm (${signal} to the npm process): the demo, Jupyter and etcd all stop`, {
    timeout: 150_000,
  }, async () => {
    const demoDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubetcd-demo-npm-'));
    // npm in its own process group, as a terminal would start it; the signal goes to npm's PID only.
    const npm = spawn(
      'npm',
      ['run', '--silent', 'demo', '--', '--no-setup', '--no-build', '--pods', '10', '--demo-dir', demoDir],
      {
        cwd: REPO,
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      },
    );
    let out = '';
    let err = '';
    npm.stdout.on('data', (b: Buffer) => (out += b.toString('utf8')));
    npm.stderr.on('data', (b: Buffer) => (err += b.toString('utf8')));
    const pids: number[] = [];
    try {
      await pollUntil(
        'the demo printing its URL',
        120_000,
        () => /token=[0-9a-f]+/.test(out) || npm.exitCode !== null,
        () => `${out}\n${err}`,
      );
      const base = /(http:\/\/127\.0\.0\.1:\d+)\/tree\?token=([0-9a-f]+)/.exec(out);
      assert.ok(base, `${out}\n${err}`);
      const demoPid = Number(/kubetcd demo: pid (\d+): stop everything with Ctrl-C or "kill \1"/.exec(err)?.[1]);
      const etcdPid = Number(/etcd http:\/\/127\.0\.0\.1:\d+ \(pid (\d+)\)/.exec(err)?.[1]);
      assert.ok(demoPid > 0 && alive(demoPid) && etcdPid > 0 && alive(etcdPid), err);
      pids.push(demoPid, etcdPid);
      process.kill(npm.pid as number, signal);
      await pollUntil(
        'the demo to stop',
        30_000,
        () => !alive(demoPid),
        () => err,
      );
      await pollUntil(
        'etcd to be gone',
        15_000,
        () => !alive(etcdPid),
        () => err,
      );
      await assert.rejects(fetch(`${base[1]}/api/status?token=${base[2]}`));
    } finally {
      if (npm.exitCode === null && npm.signalCode === null) {
        try {
          process.kill(-(npm.pid as number), 'SIGKILL');
        } catch {
          /* gone */
        }
      }
      for (const pid of pids) if (alive(pid)) process.kill(pid, 'SIGKILL');
      fs.rmSync(demoDir, { recursive: true, force: true });
    }
  });
}
