/**
 * Cold start of the kubetcd command: one command line run in a fresh process, paired against references
 * measured in the same rounds: Node starting with nothing to do (`node -e ''`, the floor no change can go
 * under), and optionally another build of the CLI (`--baseline OLD/dist/cli.js`, e.g. the commit before a
 * change). Prints medians and ratios. No assertions.
 *
 *   node build/bench/cold-start.js [--rounds 15] [--baseline OLD/dist/cli.js] -- get pod NAME -n NS -o json --snapshot FILE
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { loadLine } from './lib/process-stats';

function option(name: string): string | undefined {
  const end = process.argv.indexOf('--');
  const i = process.argv.indexOf(name);
  return i >= 0 && (end < 0 || i < end) ? process.argv[i + 1] : undefined;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

function timeMs(args: string[]): number {
  const started = process.hrtime.bigint();
  execFileSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  return Number(process.hrtime.bigint() - started) / 1e6;
}

function main(): void {
  const end = process.argv.indexOf('--');
  if (end < 0 || end === process.argv.length - 1)
    throw new Error(
      'Usage: node build/bench/cold-start.js [--rounds 15] [--baseline OLD/dist/cli.js] -- KUBETCD-ARGS...',
    );
  const command = process.argv.slice(end + 1);
  const rounds = Math.max(1, Number(option('--rounds') ?? 15));
  const cli = path.join(__dirname, '..', '..', 'dist', 'cli.js');
  const baselineOption = option('--baseline');
  const baseline = baselineOption !== undefined ? path.resolve(baselineOption) : undefined;
  const runs: Array<[string, string[]]> = [
    ['kubetcd', [cli, ...command]],
    ["node -e ''", ['-e', '']],
    ...(baseline !== undefined ? ([['baseline', [baseline, ...command]]] as Array<[string, string[]]>) : []),
  ];
  for (const [, args] of runs) timeMs(args); // warm the page cache
  const times = runs.map(() => [] as number[]);
  for (let round = 0; round < rounds; round++)
    runs.forEach(([, args], i) => {
      (times[i] as number[]).push(timeMs(args));
    });
  const ours = median(times[0] as number[]);
  console.log(
    `kubetcd ${command.join(' ')}: median of ${rounds} paired rounds, each run a fresh process (node ${process.version})`,
  );
  console.log('| run | median ms | kubetcd ÷ this |');
  console.log('|---|---|---|');
  runs.forEach(([name], i) => {
    const m = median(times[i] as number[]);
    console.log(`| ${name} | ${m.toFixed(0)} | ${(ours / m).toFixed(2)} |`);
  });
  console.log(loadLine());
}

main();
