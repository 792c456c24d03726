#!/usr/bin/env node
/**
 * The `kubetcd` command. Every subcommand writes its result to stdout and its errors to stderr, with
 * exit status 2 for a wrong argument and 1 for a failure, so it composes with etcdctl in pipes:
 *
 *   etcdctl get /registry/pods/default/web | kubetcd decode -o yaml
 *   kubetcd get deployments -n default -l app=web --endpoints 127.0.0.1:2379
 *   kubetcd sizes --snapshot ./etcd-backup.db
 */
// Run as the command: let Node 22.1+ keep the compiled code of what follows between runs (a cold start
// is mostly compiling). Node 20 has no compile cache; NODE_DISABLE_COMPILE_CACHE=1 turns it off.
if (require.main === module) (require('node:module') as { enableCompileCache?: () => unknown }).enableCompileCache?.();

import { isKubetcdError, InvalidArgumentError } from './errors';
import { cliAdvice } from './cli/advice';
import { parseCliArgs } from './cli/cli-args';
import { helpText } from './cli/cli-help';
import { withKube } from './cli/cli-source';

// Each family of commands is loaded when one of its commands runs: a small job compiles only what it uses.
const getCommands = () => import('./cli/get-command');
const storeCommands = () => import('./cli/store-commands');
const valueCommands = () => import('./cli/value-commands');
const forensicsCommands = () => import('./cli/forensics-commands');

export { parseCliArgs, type CliArgs } from './cli/cli-args';
export { helpText } from './cli/cli-help';

/**
 * Runs the CLI with the given arguments and resolves to the exit status: 0 on success, 2 for a wrong
 * argument, 1 for a failure.
 * @example
 * main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
 */
export async function main(argv: string[]): Promise<number> {
  try {
    const args = parseCliArgs(argv);
    switch (args.command) {
      case 'check':
        return await (await valueCommands()).runCheck(args);
      case 'decode':
        return (await valueCommands()).runDecode(args);
      case 'encode':
        return (await valueCommands()).runEncode(args);
      case 'get': {
        const { cliGetCommand, runGet } = await getCommands();
        const cmd = cliGetCommand(args); // its errors before any source is opened
        return await withKube(args, (k) => runGet(args, cmd, k));
      }
      case 'keys':
        return await withKube(args, async (k) => (await storeCommands()).runKeys(args, k));
      case 'resources':
        return await withKube(args, async (k) => (await storeCommands()).runResources(args, k));
      case 'tree':
        return await withKube(args, async (k) => (await storeCommands()).runTree(args, k));
      case 'sizes':
        return await withKube(args, async (k) => (await storeCommands()).runSizes(args, k));
      case 'history':
        return await withKube(args, async (k) => (await storeCommands()).runHistory(args, k));
      case 'deleted':
        return await withKube(args, async (k) => (await storeCommands()).runDeleted(args, k));
      case 'encodings':
        return await withKube(args, async (k) => (await storeCommands()).runEncodings(args, k));
      case 'leases':
        return await withKube(args, async (k) => (await storeCommands()).runLeases(args, k));
      case 'owners':
        return await withKube(args, async (k) => (await forensicsCommands()).runOwners(args, k));
      case 'orphans':
        return await withKube(args, async (k) => (await forensicsCommands()).runOrphans(args, k));
      case 'info':
        return await withKube(args, async (k) => (await forensicsCommands()).runInfo(args, k));
      case 'hashkv':
        return await (await storeCommands()).runHashKv(args);
      case 'diff':
        return await (await forensicsCommands()).runDiff(args);
      case 'churn':
        return await withKube(args, async (k) => (await forensicsCommands()).runChurn(args, k));
      default: {
        if (args.positional.length > 1) {
          throw new InvalidArgumentError(
            `kubetcd help takes one command, got ${args.positional.length}: ${JSON.stringify(args.positional)}. Try "kubetcd help ${args.positional[0] ?? ''}".`,
          );
        }
        process.stdout.write(helpText(args.positional[0]));
        return 0;
      }
    }
  } catch (e) {
    const message = isKubetcdError(e) ? e.message : e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    process.stderr.write(`kubetcd: ${cliAdvice(message)}\n`);
    return isKubetcdError(e) && e.name === 'InvalidArgumentError' ? 2 : 1;
  }
}

if (require.main === module) {
  // A reader that stops early (`kubetcd keys | head`) is not an error.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
