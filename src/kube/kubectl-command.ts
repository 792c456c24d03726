/**
 * The one `kubectl get` command module: its flags (GET_FLAGS), the command they make (TYPE/NAME, the
 * combinations kubectl refuses), what it reads (getTarget) and kubectl's printers for -o. `k.kubectl()`
 * runs a command line here (shell-like quoting, answered with listObjects/getObject and explained as the
 * etcd reads it maps to); the CLI's `kubetcd get` (src/cli/get-command.ts) reads its flags from the same
 * table, builds the same command and prints with the same printers, adding only text tables.
 */
import {
  parseCustomColumns,
  parseCustomColumnsFile,
  printCustomColumns,
  sortByJsonPath,
} from '../codec/kubectl-columns';
import { toKubectlJson, toKubectlObject, toKubectlYaml, type KubectlItem } from '../codec/kubectl-format';
import { parseJsonPath, printJsonPath, relaxedJsonPath } from '../codec/kubectl-jsonpath';
import * as fs from 'node:fs';
import type { KubeObject } from '../codec/types';
import { InvalidArgumentError } from '../errors';
import { keyFor } from './keys';
import type { KubeContext } from './context';
import { getObject, type KubeGetResult } from './kube-get';
import { listObjects, type KubeList, type ListOptions } from './kube-list';
import type { PrinterColumn, ResourceInfo } from './resources';
import { shellQuote } from './verb-support';

/** The output formats of `-o` (those with `=TEMPLATE` carry it in {@link KubectlCommand.template}). */
export type KubectlOutput =
  | 'json'
  | 'yaml'
  | 'wide'
  | 'name'
  | 'jsonpath'
  | 'jsonpath-as-json'
  | 'jsonpath-file'
  | 'custom-columns'
  | 'custom-columns-file';

/** A parsed `kubectl get` command. */
export interface KubectlCommand {
  verb: 'get';
  resource: string;
  names: string[];
  /** `-n` / `--namespace`. */
  namespace?: string;
  /** `-A` / `--all-namespaces`. */
  allNamespaces: boolean;
  /** `-l` / `--selector`. */
  labels?: string;
  /** `--field-selector`. */
  fields?: string;
  /** `-o` / `--output`. */
  output?: KubectlOutput;
  /** `--show-managed-fields`: `-o json|yaml` keep `metadata.managedFields` (kubectl leaves them out). */
  showManagedFields?: boolean;
  /** The template of `-o jsonpath=…`, `jsonpath-as-json=…`, `custom-columns=…` (for the `-file` forms: the file's text). */
  template?: string;
  /** `--sort-by=JSONPATH`. */
  sortBy?: string;
  /** `--show-labels`. */
  showLabels?: boolean;
  /** `-L` / `--label-columns` (repeatable, comma-separated). */
  labelColumns?: string[];
  /** `--no-headers`. */
  noHeaders?: boolean;
}

/** The result of {@link runKubectl}. */
export interface KubectlResult {
  /** The parsed command. */
  command: KubectlCommand;
  /** A list (no names given) or one get result per name, in order. */
  result: KubeList | KubeGetResult[];
  /** The etcd reads it maps to; lines starting with `#` describe filtering done after the read. */
  etcdctl: string[];
  /** The printed output for `-o json|yaml|name|jsonpath…|custom-columns…` (tables are left to the renderer). */
  output?: string;
  /**
   * For tables of a custom resource: its CRD's `additionalPrinterColumns` (empty when it names none:
   * NAME, AGE), for the renderer (`renderTable({ printerColumns })`).
   */
  printerColumns?: readonly PrinterColumn[];
}

const SUPPORTED =
  'Supported: kubectl get RESOURCE [NAME...] | TYPE/NAME... [-n NS | --namespace NS | -A | --all-namespaces] [-l SELECTOR] ' +
  '[--field-selector SELECTOR] [-o json|yaml|wide|name|jsonpath=T|jsonpath-as-json=T|jsonpath-file=F|custom-columns=SPEC|custom-columns-file=F] ' +
  '[--sort-by JSONPATH] [--show-labels] [-L KEY,...] [--no-headers] [--show-managed-fields].';
/** The `-o` values, as they are typed (the template ones take `=…`). */
export const KUBECTL_OUTPUTS: readonly string[] = [
  'wide',
  'json',
  'yaml',
  'name',
  'jsonpath=…',
  'jsonpath-as-json=…',
  'jsonpath-file=…',
  'custom-columns=…',
  'custom-columns-file=…',
];
const TEMPLATED: readonly KubectlOutput[] = [
  'jsonpath',
  'jsonpath-as-json',
  'jsonpath-file',
  'custom-columns',
  'custom-columns-file',
];

/**
 * kubectl get flags kubetcd does not honour, with why: refused by name rather than dropped.
 */
export const UNSUPPORTED_GET_FLAGS: Record<string, string> = {
  '-w': 'etcd data is read once (KubeClient.watch() follows changes)',
  '--watch': 'etcd data is read once (KubeClient.watch() follows changes)',
  '--watch-only': 'etcd data is read once (KubeClient.watch() follows changes)',
  '--output-watch-events': 'etcd data is read once',
  '--chunk-size': 'kubetcd pages through etcd itself',
  '--raw': 'there is no API server to send a raw request to',
  '--subresource': 'subresources are served by the API server, not stored as such',
  '-f': 'objects are read from etcd, not from files',
  '--filename': 'objects are read from etcd, not from files',
  '-k': 'objects are read from etcd, not from kustomizations',
  '--kustomize': 'objects are read from etcd, not from kustomizations',
  '-R': 'objects are read from etcd, not from files',
  '--recursive': 'objects are read from etcd, not from files',
  '--server-print': 'tables are printed by kubetcd (there is no server)',
  '--ignore-not-found': 'not implemented',
  '--template': 'go templates are not implemented: use -o jsonpath=…',
  '--allow-missing-template-keys': 'missing keys are always allowed, as kubectl does by default',
  '--show-kind': 'not implemented',
};

/**
 * Parses the value of `-o` (`json`, `jsonpath={.metadata.name}`, `custom-columns=NAME:.metadata.name`);
 * the template forms are checked now. Throws InvalidArgumentError naming the value and listing the formats.
 * @example
 * parseKubectlOutput('jsonpath={.items[*].metadata.name}') // { output: 'jsonpath', template: '{.items[*].metadata.name}' }
 */
export function parseKubectlOutput(
  value: string,
  extra: readonly string[] = [],
): { output: string; template?: string } {
  if (['json', 'yaml', 'wide', 'name', ...extra].includes(value)) return { output: value };
  const eq = value.indexOf('=');
  const format = eq < 0 ? value : value.slice(0, eq);
  if (!(TEMPLATED as readonly string[]).includes(format)) {
    const why = ['go-template', 'go-template-file', 'template', 'templatefile', 'kyaml'].includes(format)
      ? ` (${format} is kubectl's, but not implemented here)`
      : '';
    throw new InvalidArgumentError(
      `Unsupported output format: ${JSON.stringify(value)}${why}. Pass -o with one of ${[...extra, ...KUBECTL_OUTPUTS].join(', ')}.`,
    );
  }
  let template = eq < 0 ? '' : value.slice(eq + 1);
  if (template === '')
    throw new InvalidArgumentError(
      `-o ${format} needs ${format.endsWith('-file') ? 'a file' : 'a template'}: pass -o ${format}=${format.startsWith('jsonpath') ? (format.endsWith('-file') ? 'FILE' : '{.metadata.name}') : format.endsWith('-file') ? 'FILE' : 'NAME:.metadata.name'}.`,
    );
  if (format.endsWith('-file')) {
    try {
      template = fs.readFileSync(template, 'utf8');
    } catch (e) {
      throw new InvalidArgumentError(
        `Cannot read the ${format} ${JSON.stringify(template)}: ${(e as { code?: string }).code ?? String(e)}. Check the path.`,
      );
    }
  }
  // checked now, before any read
  if (format.startsWith('jsonpath')) parseJsonPath(template);
  else if (format === 'custom-columns') parseCustomColumns(template);
  else parseCustomColumnsFile(template);
  return {
    output: format === 'jsonpath-file' ? 'jsonpath' : format === 'custom-columns-file' ? 'custom-columns-file' : format,
    template,
  };
}

/** Options of {@link printKubectlOutput}: the parts of a command that choose the printing. */
export interface KubectlPrintSpec {
  output?: string;
  template?: string;
  showManagedFields?: boolean;
  noHeaders?: boolean;
}

/**
 * What kubectl prints for `-o json|yaml|name|jsonpath…|custom-columns…` (undefined for tables): one
 * object when `single`, else a List (jsonpath) or one row or name per object.
 * @example
 * printKubectlOutput(list.items, false, 'pod', { output: 'jsonpath', template: '{.items[*].metadata.name}' })
 */
export function printKubectlOutput(
  items: readonly KubectlItem[],
  single: boolean,
  typeName: string,
  spec: KubectlPrintSpec,
): string | undefined {
  const formatOptions = spec.showManagedFields === true ? { showManagedFields: true } : {};
  const printed = single && items.length === 1 ? (items[0] as KubectlItem) : items;
  switch (spec.output) {
    case 'json':
      return toKubectlJson(printed, formatOptions);
    case 'yaml':
      return toKubectlYaml(printed, formatOptions);
    case 'name':
      return items
        .map((o) => toKubectlObject(o))
        .map((o) => `${typeName}/${String((o.metadata as { name?: unknown } | undefined)?.name ?? '')}\n`)
        .join('');
    case 'jsonpath':
    case 'jsonpath-as-json':
      return printJsonPath(toKubectlObject(printed, formatOptions), spec.template ?? '', {
        asJson: spec.output === 'jsonpath-as-json',
      });
    case 'custom-columns':
    case 'custom-columns-file': {
      const columns =
        spec.output === 'custom-columns'
          ? parseCustomColumns(spec.template ?? '')
          : parseCustomColumnsFile(spec.template ?? '');
      if (items.length === 0) return '';
      return printCustomColumns(
        items.map((o) => toKubectlObject(o, formatOptions)),
        columns,
        spec.noHeaders === true ? { noHeaders: true } : {},
      );
    }
    default:
      return undefined;
  }
}

/**
 * Items in `--sort-by` order (kubectl's form of each object is what the path is run on).
 * @example
 * sortKubectlItems(list.items, '.metadata.name')
 */
export function sortKubectlItems<T extends KubectlItem>(items: readonly T[], sortBy: string): T[] {
  relaxedJsonPath(sortBy);
  return sortByJsonPath(items, sortBy, (o) => toKubectlObject(o));
}

/**
 * Splits a command line into words as a POSIX shell would: blanks separate words, `'…'` is literal,
 * `"…"` allows `\"`, `\\`, `\$` and `` \` `` escapes, and a backslash outside quotes escapes the next character.
 * @example
 * splitCommandLine(`get pods -l 'app in (a, b)'`) // ['get', 'pods', '-l', 'app in (a, b)']
 */
export function splitCommandLine(line: string): string[] {
  if (typeof line !== 'string') {
    throw new InvalidArgumentError(
      `Invalid command: ${JSON.stringify(line)}. Pass a string such as "get pods -n default".`,
    );
  }
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let i = 0;
  while (i < line.length) {
    const c = line[i] as string;
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0)
        throw new InvalidArgumentError(
          `Unterminated single quote at offset ${i} in ${JSON.stringify(line)}. Close the quote.`,
        );
      word += line.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (c === '"') {
      i++;
      let closed = false;
      while (i < line.length) {
        const d = line[i] as string;
        if (d === '"') {
          closed = true;
          i++;
          break;
        }
        if (d === '\\' && i + 1 < line.length && '"\\$`'.includes(line[i + 1] as string)) {
          word += line[i + 1] as string;
          i += 2;
        } else {
          word += d;
          i++;
        }
      }
      if (!closed)
        throw new InvalidArgumentError(`Unterminated double quote in ${JSON.stringify(line)}. Close the quote.`);
      inWord = true;
    } else if (c === '\\') {
      if (i + 1 < line.length) word += line[i + 1] as string;
      inWord = true;
      i += 2;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      i++;
    } else {
      word += c;
      inWord = true;
      i++;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/**
 * One command-line word that starts with `-`, as kubectl (and the kubetcd CLI) read flags:
 * `--flag=value`, `--flag`, `-nvalue`, `-n=value`, `-n`. `inline` is the value given in the word, if any.
 * @example
 * splitFlag('-ndefault') // { flag: '-n', inline: 'default' }
 */
export function splitFlag(word: string): { flag: string; inline?: string } {
  const eq = word.indexOf('=');
  if (word.startsWith('--')) return eq > 0 ? { flag: word.slice(0, eq), inline: word.slice(eq + 1) } : { flag: word };
  // -ndefault, -n=default, -oname
  return word.length > 2 ? { flag: word.slice(0, 2), inline: word.slice(2).replace(/^=/, '') } : { flag: word };
}

/** The parts of a `kubectl get` command its flags set. */
export type GetFlagField =
  | 'namespace'
  | 'allNamespaces'
  | 'labels'
  | 'fields'
  | 'output'
  | 'showManagedFields'
  | 'sortBy'
  | 'showLabels'
  | 'labelColumns'
  | 'noHeaders';

/** How a get flag takes its value: a word, a switch (`--x`, `--x=true|false`), or a repeatable comma list. */
export type GetFlagValue = 'string' | 'switch' | 'list';

/**
 * The `kubectl get` flags kubetcd honours, each with the field it sets and how it takes its value: the
 * one table both `k.kubectl()` and the CLI's `kubetcd get` read their flags from.
 */
export const GET_FLAGS: Readonly<Record<string, { field: GetFlagField; value: GetFlagValue }>> = {
  '-n': { field: 'namespace', value: 'string' },
  '--namespace': { field: 'namespace', value: 'string' },
  '-A': { field: 'allNamespaces', value: 'switch' },
  '--all-namespaces': { field: 'allNamespaces', value: 'switch' },
  '-l': { field: 'labels', value: 'string' },
  '--selector': { field: 'labels', value: 'string' },
  '--field-selector': { field: 'fields', value: 'string' },
  '-o': { field: 'output', value: 'string' },
  '--output': { field: 'output', value: 'string' },
  '--show-managed-fields': { field: 'showManagedFields', value: 'switch' },
  '--sort-by': { field: 'sortBy', value: 'string' },
  '--show-labels': { field: 'showLabels', value: 'switch' },
  '--no-headers': { field: 'noHeaders', value: 'switch' },
  '-L': { field: 'labelColumns', value: 'list' },
  '--label-columns': { field: 'labelColumns', value: 'list' },
};

/** The flags of a `kubectl get` command, as its words gave them (before the positional arguments are read). */
export interface GetFlags {
  namespace?: string;
  allNamespaces?: boolean;
  labels?: string;
  fields?: string;
  /** `-o` as typed (`json`, `jsonpath={.metadata.name}`), or already parsed with its template. */
  output?: string;
  template?: string;
  showManagedFields?: boolean;
  sortBy?: string;
  showLabels?: boolean;
  labelColumns?: readonly string[];
  noHeaders?: boolean;
}

/**
 * A `kubectl get` command from its positional words (`RESOURCE [NAME...]` or `TYPE/NAME...`) and its
 * flags: the TYPE/NAME form split, `-o` parsed (unless `template` says it was), `--sort-by` checked, and
 * the combinations kubectl refuses refused. `what` names the command in messages (`"get pods a"`).
 * Used by {@link parseKubectlCommand} and by the CLI's `kubetcd get`.
 * @example
 * kubectlGetCommand(['pod/web'], { namespace: 'shop' }, '"kubetcd get pod/web"') // { verb: 'get', resource: 'pod', names: ['web'], … }
 */
export function kubectlGetCommand(
  words: readonly string[],
  flags: GetFlags,
  what: string,
  supported = SUPPORTED,
): KubectlCommand {
  const positional = [...words];
  const cmd: KubectlCommand = { verb: 'get', resource: '', names: [], allNamespaces: flags.allNamespaces === true };
  if (flags.namespace !== undefined) cmd.namespace = flags.namespace;
  if (flags.labels !== undefined) cmd.labels = flags.labels;
  if (flags.fields !== undefined) cmd.fields = flags.fields;
  if (flags.output !== undefined) {
    const o =
      flags.template !== undefined
        ? { output: flags.output, template: flags.template }
        : parseKubectlOutput(flags.output);
    cmd.output = o.output as KubectlOutput;
    if (o.template !== undefined) cmd.template = o.template;
  }
  if (flags.showManagedFields !== undefined) cmd.showManagedFields = flags.showManagedFields;
  if (flags.sortBy !== undefined) {
    parseJsonPath(relaxedJsonPath(flags.sortBy));
    cmd.sortBy = flags.sortBy;
  }
  if (flags.showLabels !== undefined) cmd.showLabels = flags.showLabels;
  if (flags.labelColumns !== undefined) cmd.labelColumns = [...flags.labelColumns];
  if (flags.noHeaders !== undefined) cmd.noHeaders = flags.noHeaders;
  if (positional.length > 0 && positional.every((p) => p.includes('/'))) {
    // TYPE/NAME form: `get pod/web pod/db` (one resource at a time).
    const types = [...new Set(positional.map((p) => p.slice(0, p.indexOf('/'))))];
    if (types.length > 1) {
      throw new InvalidArgumentError(
        `Several resources in ${what} (${types.join(', ')}): kubetcd answers one resource at a time. Run one command per resource.`,
      );
    }
    const bad = positional.find((p) => p.indexOf('/') === 0 || p.endsWith('/') || p.split('/').length !== 2);
    if (bad !== undefined)
      throw new InvalidArgumentError(`Invalid TYPE/NAME: ${JSON.stringify(bad)}. Pass it as pod/web.`);
    positional.splice(0, positional.length, types[0] as string, ...positional.map((p) => p.slice(p.indexOf('/') + 1)));
  } else if (positional.slice(1).some((p) => p.includes('/'))) {
    throw new InvalidArgumentError(`Mixed RESOURCE NAME and TYPE/NAME forms in ${what}: use one form. ${supported}`);
  }
  const resource = positional.shift();
  if (resource === undefined)
    throw new InvalidArgumentError(`kubectl get needs a resource (such as "pods"). ${supported}`);
  cmd.resource = resource;
  cmd.names = positional;
  if (cmd.names.length > 0 && (cmd.labels !== undefined || cmd.fields !== undefined)) {
    throw new InvalidArgumentError(
      `Names and selectors cannot be combined in ${what}: drop the names or the -l/--field-selector.`,
    );
  }
  if (cmd.names.length > 0 && cmd.allNamespaces) {
    throw new InvalidArgumentError(
      `A resource cannot be retrieved by name across all namespaces (${what}): use -n NAMESPACE instead of -A.`,
    );
  }
  return cmd;
}

/**
 * Parses a `kubectl get` command line (the leading `kubectl` is optional).
 * Throws InvalidArgumentError for other verbs and unknown flags, saying what is supported.
 * @example
 * parseKubectlCommand('kubectl get deploy -n default -l app=web -o name')
 * // { verb: 'get', resource: 'deploy', names: [], namespace: 'default', allNamespaces: false, labels: 'app=web', output: 'name' }
 */
export function parseKubectlCommand(line: string): KubectlCommand {
  const words = splitCommandLine(line);
  if (words[0] === 'kubectl') words.shift();
  const verb = words.shift();
  if (verb === undefined)
    throw new InvalidArgumentError(`Empty kubectl command: ${JSON.stringify(line)}. ${SUPPORTED}`);
  if (verb !== 'get') {
    throw new InvalidArgumentError(
      `Unsupported kubectl verb: ${JSON.stringify(verb)}. Only reads are possible over etcd data. ${SUPPORTED}`,
    );
  }
  const positional: string[] = [];
  const flags: Record<string, unknown> = {};
  let i = 0;
  while (i < words.length) {
    const w = words[i++] as string;
    if (w === '--') {
      positional.push(...words.slice(i));
      break;
    }
    if (!w.startsWith('-') || w === '-') {
      positional.push(w);
      continue;
    }
    const { flag, inline } = splitFlag(w);
    const spec = GET_FLAGS[flag];
    if (spec === undefined) {
      const why = UNSUPPORTED_GET_FLAGS[flag];
      if (why !== undefined)
        throw new InvalidArgumentError(`Unsupported flag: ${JSON.stringify(w)} (${why}). ${SUPPORTED}`);
      throw new InvalidArgumentError(`Unknown flag: ${JSON.stringify(w)}. ${SUPPORTED}`);
    }
    if (spec.value === 'switch') {
      if (inline !== undefined && inline !== 'true' && inline !== 'false') {
        throw new InvalidArgumentError(
          `Flag ${flag} takes ${spec.field === 'allNamespaces' ? 'no value' : 'true or false'} (got ${JSON.stringify(inline)}). ${SUPPORTED}`,
        );
      }
      flags[spec.field] = inline !== 'false';
      continue;
    }
    let value = inline;
    if (value === undefined) {
      value = words[i++];
      if (value === undefined) throw new InvalidArgumentError(`Flag ${flag} needs a value. ${SUPPORTED}`);
    }
    if (spec.value === 'list')
      flags[spec.field] = [
        ...((flags[spec.field] as string[] | undefined) ?? []),
        ...value.split(',').filter((k) => k !== ''),
      ];
    else {
      flags[spec.field] = value;
      if (spec.field === 'output') parseKubectlOutput(value); // checked where it is typed, before later flags
      if (spec.field === 'sortBy') parseJsonPath(relaxedJsonPath(value));
    }
  }
  return kubectlGetCommand(positional, flags as GetFlags, JSON.stringify(line));
}

/**
 * kubectl's `TYPE/NAME` type part of a resource: `pod`, `deployment.apps`.
 * @example
 * kubectlTypeName(k.resolve('deploy')) // 'deployment.apps'
 */
export function kubectlTypeName(info: ResourceInfo): string {
  return info.group === '' ? info.kind.toLowerCase() : `${info.kind.toLowerCase()}.${info.group}`;
}

/** What a `kubectl get` command reads: the resource, the namespace (undefined: every one, or none). */
export interface GetTarget {
  info: ResourceInfo;
  namespace?: string;
  /** True when objects of several namespaces are listed (a table then has a NAMESPACE column). */
  allNamespaces: boolean;
  /** kubectl's `TYPE/NAME` type part (`pod`, `deployment.apps`). */
  typeName: string;
}

/**
 * Resolves what a `kubectl get` command reads: `-n` defaults to `default` for namespaced resources, `-A`
 * reads every namespace, cluster-scoped resources ignore both (as kubectl does).
 * @example
 * getTarget(k, parseKubectlCommand('get deploy -A')) // { info: { kind: 'Deployment', … }, allNamespaces: true, typeName: 'deployment.apps' }
 */
export function getTarget(ctx: KubeContext, cmd: KubectlCommand): GetTarget {
  const info = ctx.resolve(cmd.resource);
  const namespace = info.namespaced ? (cmd.allNamespaces ? undefined : (cmd.namespace ?? 'default')) : undefined;
  const target: GetTarget = {
    info,
    allNamespaces: info.namespaced && namespace === undefined,
    typeName: kubectlTypeName(info),
  };
  if (namespace !== undefined) target.namespace = namespace;
  return target;
}

/**
 * Runs a `kubectl get` command line over a KubeClient: the list or objects it names, the etcd reads it
 * maps to, and the printed output for `-o json|yaml|name` exactly as kubectl 1.36 prints it (keys sorted,
 * managedFields left out unless `--show-managed-fields`, `metadata.resourceVersion` the mod revision).
 * @example
 * const r = await runKubectl(k, 'get deploy -n default -l app=web');
 * r.etcdctl // ['etcdctl get --prefix /registry/deployments/default/', '# then keep objects whose labels match app=web']
 */
export async function runKubectl(client: KubeContext, line: string): Promise<KubectlResult> {
  const cmd = parseKubectlCommand(line);
  const { info, namespace, typeName } = getTarget(client, cmd);
  const etcdctl: string[] = [];
  let result: KubeList | KubeGetResult[];
  let objects: KubeObject[];
  let printedItems: KubectlItem[];
  if (cmd.names.length === 0) {
    const options: ListOptions = {
      ...(namespace !== undefined ? { namespace } : {}),
      ...(cmd.labels !== undefined ? { labels: cmd.labels } : {}),
      ...(cmd.fields !== undefined ? { fields: cmd.fields } : {}),
    };
    const list = await listObjects(client, cmd.resource, options);
    etcdctl.push(list.etcdctl);
    if (cmd.labels !== undefined) etcdctl.push(`# then keep objects whose labels match ${cmd.labels}`);
    if (cmd.fields !== undefined) etcdctl.push(`# then keep objects whose fields match ${cmd.fields}`);
    result = list;
    objects = list.items;
    printedItems = list.items;
  } else {
    const gets: KubeGetResult[] = [];
    for (const name of cmd.names) {
      etcdctl.push(`etcdctl get ${shellQuote(keyFor(info, name, namespace, client.prefix))}`);
      gets.push(await getObject(client, cmd.resource, name, namespace !== undefined ? { namespace } : {}));
    }
    result = gets;
    objects = gets.flatMap((g) => (g.object !== undefined ? [g.object] : []));
    printedItems = gets.filter((g) => g.object !== undefined);
  }
  if (cmd.sortBy !== undefined) {
    printedItems = sortKubectlItems(printedItems, cmd.sortBy);
    objects = sortKubectlItems(objects, cmd.sortBy);
    if (Array.isArray(result))
      result = sortKubectlItems(
        result.filter((g) => g.object !== undefined),
        cmd.sortBy,
      ).concat(result.filter((g) => g.object === undefined));
    else result = { ...result, items: objects };
  }
  const out: KubectlResult = { command: cmd, result, etcdctl };
  // One name: the object itself; otherwise kubectl's List. Keys sorted, managedFields left out unless
  // --show-managed-fields, metadata.resourceVersion the record's mod revision (see kubectl-format.ts).
  const printed = printKubectlOutput(printedItems, cmd.names.length === 1, typeName, cmd);
  if (printed !== undefined) out.output = printed;
  else if (!info.builtin) out.printerColumns = info.printerColumns ?? [];
  return out;
}
