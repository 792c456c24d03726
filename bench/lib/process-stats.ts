/**
 * Process measurements shared by the benchmarks: CPU seconds of a running process (from /proc), and a
 * timed run of a command with its wall time, peak RSS and CPU (through /usr/bin/time when present).
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';

/** What {@link timedRun} measured. */
export interface TimedRun {
  /** Wall seconds from spawn to exit (as seen by the parent). */
  wallS: number;
  /** Peak resident set of the command, MB (NaN without /usr/bin/time). */
  maxRssMb: number;
  /** User + system CPU seconds of the command (NaN without /usr/bin/time). */
  cpuS: number;
  /** The last 4 KB of stdout (empty when stdout was discarded). */
  stdout: string;
}

/**
 * CPU seconds (user + system) process `pid` has used so far, from /proc/<pid>/stat (Linux); NaN elsewhere.
 * @example
 * const before = cpuSeconds(etcd.pid); await work(); const etcdCpu = cpuSeconds(etcd.pid) - before;
 */
export function cpuSeconds(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return ticks / 100; // USER_HZ is 100 on Linux
  } catch {
    return NaN;
  }
}

/**
 * Wait until process `pid` uses less than `quietCpuS` CPU seconds in 200 ms (at most `maxWaitMs`).
 * @example
 * await waitQuiet(etcd.pid); // etcd has finished what a load left behind
 */
export async function waitQuiet(pid: number, quietCpuS = 0.03, maxWaitMs = 10_000): Promise<void> {
  const deadline = Date.now() + maxWaitMs;
  while (Date.now() < deadline) {
    const c0 = cpuSeconds(pid);
    await new Promise((r) => setTimeout(r, 200));
    if (!(cpuSeconds(pid) - c0 >= quietCpuS)) return;
  }
}

/**
 * Run `cmd args` to completion and measure it. With `discardStdout`, stdout goes to /dev/null (for
 * commands that print gigabytes); otherwise its last 4 KB are kept. Rejects on a non-zero exit.
 * @example
 * const r = await timedRun('/usr/bin/etcdctl', ['get', '/registry/', '--prefix'], { discardStdout: true });
 */
export function timedRun(
  cmd: string,
  args: string[],
  options: { discardStdout?: boolean; env?: NodeJS.ProcessEnv } = {},
): Promise<TimedRun> {
  return new Promise((resolve, reject) => {
    const useTime = fs.existsSync('/usr/bin/time');
    const env = { ...(options.env ?? process.env), ETCDCTL_API: '3' };
    const devNull = options.discardStdout ? fs.openSync('/dev/null', 'w') : undefined;
    const stdout = devNull ?? 'pipe';
    const started = process.hrtime.bigint();
    const p = useTime
      ? spawn('/usr/bin/time', ['-f', 'TIME %e %M %U %S', cmd, ...args], { stdio: ['ignore', stdout, 'pipe'], env })
      : spawn(cmd, args, { stdio: ['ignore', stdout, 'pipe'], env });
    if (devNull !== undefined) fs.closeSync(devNull);
    let stdoutTail = '';
    let stderr = '';
    p.stdout?.on('data', (b: Buffer) => {
      stdoutTail = (stdoutTail + b.toString('latin1')).slice(-4096);
    });
    p.stderr?.on('data', (b: Buffer) => (stderr = (stderr + b.toString()).slice(-8192)));
    p.on('error', reject);
    p.on('close', (code) => {
      const wallS = Number(process.hrtime.bigint() - started) / 1e9;
      const m = /TIME ([\d.]+) (\d+) ([\d.]+) ([\d.]+)/.exec(stderr);
      if (code !== 0) reject(new Error(`${cmd} ${args.slice(0, 4).join(' ')} exited ${code}: ${stderr.slice(-2000)}`));
      else
        resolve({
          wallS,
          maxRssMb: m ? Number(m[2]) / 1024 : NaN,
          cpuS: m ? Number(m[3]) + Number(m[4]) : NaN,
          stdout: stdoutTail,
        });
    });
  });
}

/**
 * The machine's load average and core count, as one line for a benchmark report.
 * @example
 * console.log(loadLine()); // 'load average: 2.1 1.8 1.5 on 2 cores'
 */
export function loadLine(): string {
  return `load average: ${os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')} on ${os.cpus().length} cores`;
}
