/**
 * `kubetcd get`: the `kubectl get` command module of src/kube/kubectl-command.ts (one command: TYPE/NAME,
 * the combinations kubectl refuses, namespace defaulting, kubectl's printers for -o json|yaml|name|
 * jsonpath|custom-columns) over the CLI's source, with what only a terminal needs: text tables with ages
 * on the data's clock, lists streamed to stdout, errors said in CLI words.
 */
import type { KubeObject } from '../codec/types';
import { InvalidArgumentError, isKubetcdError, type NotFoundError } from '../errors';
import type { KubeClient, KubeGetResult, ListOptions } from '../kube/kube-client';
import {
  getTarget,
  kubectlGetCommand,
  printKubectlOutput,
  sortKubectlItems,
  type KubectlCommand,
} from '../kube/kubectl-command';
import type { ResourceInfo } from '../kube/resources';
import { DEFAULT_READS, kindPrinter } from '../render/kube-printers';
import { noResourcesMessage, renderTable } from '../render/table';
import { cliAdvice } from './advice';
import type { CliArgs } from './cli-args';
import { out, warn } from './cli-output';

/** The object paths `printObjects` reads for the output format, or undefined when it prints whole objects. */
function printedPaths(info: ResourceInfo, cmd: KubectlCommand): readonly string[] | undefined {
  const format = cmd.output ?? 'table';
  if (cmd.sortBy !== undefined) return undefined;
  if (format === 'name') return ['metadata.name'];
  if (format === 'table' || format === 'wide') {
    if (info.printerColumns !== undefined || !info.builtin) return undefined; // CRD columns read any path
    const reads = kindPrinter(info.kind)?.reads ?? DEFAULT_READS;
    return cmd.showLabels === true || cmd.labelColumns !== undefined ? [...reads, 'metadata.labels'] : reads;
  }
  return undefined;
}

/** How a table prints: "now" for its ages (undefined: this clock), and a note said with the first one. */
interface TableClock {
  now?: number;
  note?: string;
}

/**
 * The clock of a table's ages: --now, else for a snapshot the newest Lease renewal it holds (a backup's
 * ages are then as the cluster saw them, not the backup's own age), else this machine's clock.
 */
async function tableClock(args: CliArgs, k: KubeClient): Promise<TableClock> {
  if (args.now !== undefined) {
    if (args.now === 'now') return {};
    const t = Date.parse(args.now);
    if (!Number.isFinite(t) || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(args.now)) {
      throw new InvalidArgumentError(
        `Invalid --now: ${JSON.stringify(args.now)}. Pass an RFC 3339 time such as 2024-05-01T10:00:00Z, or "now" for this machine's clock.`,
      );
    }
    return { now: t };
  }
  if (k.source.capabilities.current) return {};
  const { dataClock, clockCaption } = await import('../kube/data-clock');
  const clock = await dataClock(k, args.revision !== undefined ? { revision: args.revision } : {});
  if (clock === undefined) return {};
  // Said with the first table printed (an old backup only: a recent one matches this clock anyway).
  const old = Date.now() - clock.now.getTime() > 3600_000;
  return {
    now: clock.now.getTime(),
    ...(old ? { note: `kubetcd: ${clockCaption(clock)} (--now now: this machine's clock).\n` } : {}),
  };
}

function objectsTable(
  objects: readonly KubeObject[],
  info: ResourceInfo,
  withNamespace: boolean,
  cmd: KubectlCommand,
  clock: TableClock,
): string {
  if (clock.note !== undefined && objects.length > 0) {
    process.stderr.write(clock.note);
    delete clock.note;
  }
  const t = renderTable(objects, {
    kind: info.kind,
    wide: cmd.output === 'wide',
    now: clock.now ?? Date.now(),
    maxRows: Infinity,
    namespaceColumn: withNamespace,
    ...(!info.builtin ? { printerColumns: info.printerColumns ?? [] } : {}),
    ...(cmd.showLabels === true ? { showLabels: true } : {}),
    ...(cmd.labelColumns !== undefined ? { labelColumns: cmd.labelColumns } : {}),
    ...(cmd.noHeaders === true ? { noHeaders: true } : {}),
  });
  return t.text.endsWith('\n') ? t.text : `${t.text}\n`;
}

/**
 * The `kubectl get` command of a `kubetcd get` line, read by the kubectl command module (TYPE/NAME, the
 * combinations kubectl refuses): checked before any source is opened.
 * @example
 * cliGetCommand(parseCliArgs(['get', 'pod/web', '-n', 'shop'])) // { verb: 'get', resource: 'pod', names: ['web'], namespace: 'shop', … }
 */
export function cliGetCommand(args: CliArgs): KubectlCommand {
  if (args.positional.length === 0) {
    throw new InvalidArgumentError(
      'kubetcd get needs a resource, such as "kubetcd get pods -n default". "kubetcd resources" lists what the source holds.',
    );
  }
  return kubectlGetCommand(
    args.positional,
    {
      ...(args.namespace !== undefined ? { namespace: args.namespace } : {}),
      ...(args.allNamespaces === true ? { allNamespaces: true } : {}),
      ...(args.labels !== undefined ? { labels: args.labels } : {}),
      ...(args.fields !== undefined ? { fields: args.fields } : {}),
      // parsed by parseCliArgs already (with the file of a -file form read): the template goes along
      ...(args.output !== undefined && args.output !== 'table' ? { output: args.output } : {}),
      ...(args.template !== undefined ? { template: args.template } : {}),
      ...(args.showManagedFields === true ? { showManagedFields: true } : {}),
      ...(args.sortBy !== undefined ? { sortBy: args.sortBy } : {}),
      ...(args.showLabels === true ? { showLabels: true } : {}),
      ...(args.labelColumns !== undefined ? { labelColumns: args.labelColumns } : {}),
      ...(args.noHeaders === true ? { noHeaders: true } : {}),
    },
    JSON.stringify(['kubetcd get', ...args.positional].join(' ')),
    'See "kubetcd help get".',
  );
}

/**
 * `kubetcd get` over an open source: each name got (a missing one said on stderr, exit status 1) or the
 * list printed, streamed for -o json|yaml.
 * @example
 * const args = parseCliArgs(['get', 'pods', '-n', 'default']);
 * await runGet(args, cliGetCommand(args), k) // 0
 */
export async function runGet(args: CliArgs, cmd: KubectlCommand, k: KubeClient): Promise<number> {
  const { info, namespace, allNamespaces, typeName } = getTarget(k, cmd);
  const clock: TableClock = cmd.output === undefined || cmd.output === 'wide' ? await tableClock(args, k) : {};
  const print = (unsorted: readonly KubeObject[], single: boolean, withNamespace: boolean): void => {
    const objects = cmd.sortBy !== undefined ? sortKubectlItems(unsorted, cmd.sortBy) : unsorted;
    // the printer of KubeClient.kubectl(): kubectl's form (src/codec/kubectl-format.ts)
    const printed = printKubectlOutput(objects, single, typeName, cmd);
    if (printed !== undefined) out(printed);
    else if (objects.length > 0) out(objectsTable(objects, info, withNamespace, cmd, clock));
  };
  if (cmd.names.length > 0) {
    const found: KubeObject[] = [];
    let status = 0;
    for (const name of cmd.names) {
      let got: KubeGetResult;
      try {
        got = await k.get(cmd.resource, name, {
          ...(namespace !== undefined ? { namespace } : {}),
          ...(args.revision !== undefined ? { revision: args.revision } : {}),
          ...(args.reveal ? { reveal: true } : {}),
        });
      } catch (e) {
        if (!(isKubetcdError(e) && e.name === 'NotFoundError')) throw e;
        process.stderr.write(`kubetcd: ${cliAdvice((e as NotFoundError).message)}\n`);
        status = 1;
        continue;
      }
      if (got.object === undefined) {
        process.stderr.write(`kubetcd: ${got.error ?? `${got.key} could not be decoded.`}\n`);
        status = 1;
        continue;
      }
      if (got.error !== undefined) warn(got.error);
      found.push(got.object);
    }
    print(found, cmd.names.length === 1, false);
    return status;
  }
  const paths = printedPaths(info, cmd);
  const options: ListOptions = {
    ...(namespace !== undefined ? { namespace } : {}),
    ...(cmd.labels !== undefined ? { labels: cmd.labels } : {}),
    ...(cmd.fields !== undefined ? { fields: cmd.fields } : {}),
    ...(args.limit !== undefined ? { limit: args.limit } : {}),
    ...(args.revision !== undefined ? { revision: args.revision } : {}),
    ...(args.reveal ? { reveal: true } : {}),
    // a table or names need a few fields: only those are decoded (json and yaml print whole objects)
    ...(paths !== undefined ? { paths } : {}),
  };
  if ((cmd.output === 'json' || cmd.output === 'yaml') && cmd.sortBy === undefined) {
    // streamed item by item: constant memory, whatever the number of objects
    const { streamList } = await import('./get-stream');
    const streamed = await streamList(
      k,
      cmd.resource,
      options,
      cmd.output,
      process.stdout,
      warn,
      cmd.showManagedFields === true ? { showManagedFields: true } : {},
    );
    if (streamed.truncatedReason !== undefined)
      process.stderr.write(`kubetcd: showing the first ${streamed.items}; more matched (raise --limit).\n`);
    return 0;
  }
  const list = await k.list(cmd.resource, options);
  for (const e of list.errors.slice(0, 5)) warn(e.error);
  if (list.errors.length > 5) warn(`${list.errors.length - 5} more value(s) could not be decoded.`);
  print(list.items, false, allNamespaces);
  if (list.items.length === 0 && (cmd.output === undefined || cmd.output === 'wide')) {
    process.stderr.write(`${noResourcesMessage(namespace)}\n`);
  }
  if (list.truncated)
    process.stderr.write(`kubetcd: showing the first ${list.items.length}; more matched (raise --limit).\n`);
  return 0;
}
