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

import * as fs from 'node:fs';
import { decode, encode, parseKubeJson, toKubeJson, toKubeYaml, createCodec } from './codec';
import type { Decoded, KubeObject } from './codec/types';
import { EtcdConnectionError, InvalidArgumentError, KubetcdError, NotFoundError, isKubetcdError } from './errors';
import type { SourceTarget } from './sources/open-source';
import type { KvSource } from './sources/types';
import type { KubeClient, KubeGetResult, ListOptions } from './kube/kube-client';
import type { ResourceInfo } from './kube/resources';
import type { KeyTreeNode } from './kube/kube-tree';
import { formatBytes } from './render/format-bytes';
import { DEFAULT_READS, kindPrinter } from './render/kube-printers';
import { noResourcesMessage, renderTable } from './render/table';
import { historyRows } from './render/history-view';
import { jsYaml } from './util/lazy-modules';
import { cliAdvice } from './cli/advice';
import { decodeGoString } from './codec/go-utf8';
import { visibleText } from './render/escape';
import { KUBECTL_OUTPUTS, UNSUPPORTED_GET_FLAGS, parseKubectlOutput, splitFlag, printKubectlOutput, sortKubectlItems } from './kube/kubectl-command';

/** The commands of `kubetcd`. */
const COMMANDS = ['get', 'keys', 'resources', 'tree', 'sizes', 'history', 'deleted', 'encodings', 'leases', 'owners', 'orphans', 'hashkv', 'check', 'decode', 'encode', 'help'] as const;

/** The parsed command line. */
export interface CliArgs {
  command: string;
  positional: string[];
  output?: string;
  sources?: string;
  snapshot?: string;
  endpoints?: string;
  cacert?: string;
  cert?: string;
  key?: string;
  user?: string;
  password?: string;
  insecureSkipTlsVerify?: boolean;
  skipHashCheck?: boolean;
  prefix?: string;
  revision?: number;
  namespace?: string;
  allNamespaces?: boolean;
  labels?: string;
  fields?: string;
  limit?: number;
  reveal?: boolean;
  showManagedFields?: boolean;
  now?: string;
  by?: string;
  top?: number;
  depth?: number;
  /** `-o jsonpath=…`, `custom-columns=…`: the template (file forms: the file's text), set by parseCliArgs. */
  template?: string;
  sortBy?: string;
  showLabels?: boolean;
  /** `-L`/`--label-columns`, repeatable and comma-separated (joined with commas). */
  labelColumns?: string;
  noHeaders?: boolean;
}

type FlagField = Exclude<keyof CliArgs, 'command' | 'positional' | 'template'>;
interface FlagSpec {
  field: FlagField;
  value: 'string' | 'int' | 'none';
}

const FLAGS: Record<string, FlagSpec> = {
  '-o': { field: 'output', value: 'string' },
  '--output': { field: 'output', value: 'string' },
  '--sources': { field: 'sources', value: 'string' },
  '--snapshot': { field: 'snapshot', value: 'string' },
  '--endpoints': { field: 'endpoints', value: 'string' },
  '--cacert': { field: 'cacert', value: 'string' },
  '--cert': { field: 'cert', value: 'string' },
  '--key': { field: 'key', value: 'string' },
  '--user': { field: 'user', value: 'string' },
  '--password': { field: 'password', value: 'string' },
  '--insecure-skip-tls-verify': { field: 'insecureSkipTlsVerify', value: 'none' },
  '--skip-hash-check': { field: 'skipHashCheck', value: 'none' },
  '--prefix': { field: 'prefix', value: 'string' },
  '--etcd-prefix': { field: 'prefix', value: 'string' },
  '--revision': { field: 'revision', value: 'int' },
  '--rev': { field: 'revision', value: 'int' },
  '-n': { field: 'namespace', value: 'string' },
  '--namespace': { field: 'namespace', value: 'string' },
  '-A': { field: 'allNamespaces', value: 'none' },
  '--all-namespaces': { field: 'allNamespaces', value: 'none' },
  '-l': { field: 'labels', value: 'string' },
  '--selector': { field: 'labels', value: 'string' },
  '--field-selector': { field: 'fields', value: 'string' },
  '--limit': { field: 'limit', value: 'int' },
  '--reveal': { field: 'reveal', value: 'none' },
  '--show-managed-fields': { field: 'showManagedFields', value: 'none' },
  '--now': { field: 'now', value: 'string' },
  '--by': { field: 'by', value: 'string' },
  '--top': { field: 'top', value: 'int' },
  '--depth': { field: 'depth', value: 'int' },
  '--sort-by': { field: 'sortBy', value: 'string' },
  '--show-labels': { field: 'showLabels', value: 'none' },
  '-L': { field: 'labelColumns', value: 'string' },
  '--label-columns': { field: 'labelColumns', value: 'string' },
  '--no-headers': { field: 'noHeaders', value: 'none' },
};

const SOURCE_FIELDS: readonly FlagField[] = [
  'snapshot', 'skipHashCheck', 'endpoints', 'cacert', 'cert', 'key', 'user', 'password', 'insecureSkipTlsVerify', 'prefix', 'revision',
];

/** The options each command accepts (besides -h/--help). */
const ALLOWED: Record<string, readonly FlagField[]> = {
  check: ['output', 'snapshot'],
  decode: ['output', 'sources'],
  encode: ['output', 'sources'],
  help: [],
  get: [...SOURCE_FIELDS, 'output', 'namespace', 'allNamespaces', 'labels', 'fields', 'limit', 'reveal', 'showManagedFields', 'now', 'sortBy', 'showLabels', 'labelColumns', 'noHeaders'],
  keys: [...SOURCE_FIELDS, 'output', 'limit'],
  resources: [...SOURCE_FIELDS, 'output'],
  tree: [...SOURCE_FIELDS, 'output', 'depth'],
  sizes: [...SOURCE_FIELDS, 'output', 'by', 'top'],
  history: ['snapshot', 'skipHashCheck', 'endpoints', 'cacert', 'cert', 'key', 'user', 'password', 'insecureSkipTlsVerify', 'prefix', 'output', 'namespace', 'reveal'],
  deleted: ['snapshot', 'skipHashCheck', 'endpoints', 'cacert', 'cert', 'key', 'user', 'password', 'insecureSkipTlsVerify', 'prefix', 'output', 'namespace', 'reveal'],
  encodings: [...SOURCE_FIELDS, 'output'],
  leases: [...SOURCE_FIELDS.filter((f) => f !== 'revision'), 'output'],
  owners: [...SOURCE_FIELDS, 'output', 'namespace', 'depth'],
  orphans: [...SOURCE_FIELDS, 'output', 'namespace', 'now'],
  hashkv: ['snapshot', 'skipHashCheck', 'endpoints', 'cacert', 'cert', 'key', 'user', 'password', 'insecureSkipTlsVerify', 'revision', 'output'],
};

/** Output formats per command; the first is the default. */
const OUTPUTS: Record<string, readonly string[]> = {
  get: ['table', ...KUBECTL_OUTPUTS],
  keys: ['plain', 'wide', 'json'],
  resources: ['table', 'json', 'yaml'],
  tree: ['table', 'json'],
  sizes: ['table', 'json', 'yaml'],
  history: ['table', 'json', 'yaml'],
  check: ['table', 'json'],
  deleted: ['table', 'json'],
  encodings: ['table', 'json'],
  leases: ['table', 'json'],
  owners: ['table', 'json'],
  orphans: ['table', 'json'],
  hashkv: ['table', 'json'],
};

// ---------------------------------------------------------------------------------------------------
// Help: the whole of it (`kubetcd help`), or one command's (`kubetcd help get`, `kubetcd get --help`)

/** What each command does: its usage lines (continuations indented) and a few lines about it. */
const COMMAND_HELP: Record<(typeof COMMANDS)[number], { usage: readonly string[]; about: string }> = {
  get: {
    usage: [
      'kubetcd get RESOURCE [NAME...] [-n NS | -A] [-l SELECTOR] [--field-selector SELECTOR]\n' +
        '            [-o table|wide|json|yaml|name|jsonpath=T|jsonpath-as-json=T|jsonpath-file=F|\n' +
        '                custom-columns=SPEC|custom-columns-file=F]\n' +
        '            [--sort-by JSONPATH] [--show-labels] [-L KEY,...] [--no-headers]\n' +
        '            [--show-managed-fields] [--limit N] [--reveal]',
    ],
    about:
      'List or get objects as "kubectl get" prints them, read straight from etcd. -n defaults to\n"default" for namespaced resources. Secret data is redacted unless --reveal. -o json|yaml print\n' +
      'exactly what kubectl 1.36 prints: keys sorted, metadata.resourceVersion the etcd mod revision,\nmetadata.managedFields left out unless --show-managed-fields. -o jsonpath=\'{.items[*].metadata.name}\'\n' +
      'and -o custom-columns=NAME:.metadata.name,NODE:.spec.nodeName print what kubectl prints (its\nJSONPath: range/end, filters [?(@.x=="y")], .., slices). kubectl flags kubetcd cannot honour\n' +
      '(--watch, --chunk-size, -f, -o go-template, ...) are refused by name.',
  },
  keys: {
    usage: ['kubetcd keys [KEY-PREFIX] [--limit N] [-o plain|wide|json]'],
    about: 'The etcd keys under KEY-PREFIX (default: the etcd prefix). -o wide adds size, revisions, lease.',
  },
  resources: {
    usage: ['kubetcd resources [-o table|json|yaml]'],
    about: 'What the source holds per resource: kind, scope, object count and value bytes.',
  },
  tree: {
    usage: ['kubetcd tree [KEY-PREFIX] [--depth N] [-o table|json]'],
    about: 'The key space as a tree of path segments, with key counts and value bytes per branch.',
  },
  sizes: {
    usage: ['kubetcd sizes [--by resource|namespace|object] [--top N] [-o table|json|yaml]'],
    about: 'What takes space: value bytes grouped by resource (default), by namespace, or the largest objects.',
  },
  history: {
    usage: ['kubetcd history RESOURCE NAME [-n NS] [-o table|json|yaml]', 'kubetcd history KEY [-o table|json|yaml]'],
    about: 'Every kept revision of one object, oldest first, with what changed; deletions are tombstones.',
  },
  deleted: {
    usage: ['kubetcd deleted [RESOURCE] [-n NS] [-o table|json] [--reveal]'],
    about:
      'Objects whose delete the source still keeps (deletes after the last compaction): key, resource,\n' +
      'namespace, name, the revision of the delete and, with -o json, the last value before it, decoded.\n' +
      'Secret data is redacted unless --reveal.',
  },
  leases: {
    usage: ['kubetcd leases [-o table|json]'],
    about:
      'Every etcd lease: its id as etcdctl prints it, granted TTL, seconds left (live etcd only), and the keys\n' +
      'it keeps alive, per resource (events expire with their lease, an API server\'s master lease with it).',
  },
  owners: {
    usage: ['kubetcd owners RESOURCE NAME [-n NS] [--depth N] [-o table|json]'],
    about:
      'The ownerReference graph around one object, by uid: its owners up (an owner missing from the data\n' +
      'is marked) and what it owns down (Deployment -> ReplicaSet -> Pod, and any other kind), as two trees.',
  },
  orphans: {
    usage: ['kubetcd orphans [-n NS] [--now TIME] [-o table|json]'],
    about:
      'Objects whose owner (by uid) is gone from the data, and objects stuck on finalizers (deletionTimestamp\n' +
      'set, finalizers pending) with the age of their delete: as of --now, else this clock for a live etcd,\n' +
      'the newest Lease renewal in a snapshot.',
  },
  encodings: {
    usage: ['kubetcd encodings [-o table|json]'],
    about:
      'Per resource, how many values are stored as protobuf, JSON, CBOR, encrypted at rest (by provider\n' +
      'and key name, from the k8s:enc:PROVIDER:v1:KEY: prefix: a half-done key rotation shows two keys), other.',
  },
  hashkv: {
    usage: ['kubetcd hashkv [--revision R] [-o table|json]'],
    about:
      'etcd\'s HashKV of the key-value store up to revision R (default: the latest): the hash, compact\n' +
      'revision and revision "etcdctl endpoint hashkv" prints. Live etcd answers itself; from --snapshot it\n' +
      'is computed as etcd computes it, to compare a backup with the members it came from.',
  },
  check: {
    usage: ['kubetcd check FILE [-o table|json]'],
    about:
      'Check a snapshot or member db as "bbolt check" does, and more: pages reached once, none both used\n' +
      'and free, none lost, the meta pages, the SHA-256 trailer, every record of etcd\'s key bucket. Lists\n' +
      'every problem found; exit status 1 when there is one. Never changes the file.',
  },
  decode: {
    usage: ['kubetcd decode [FILE|-] [-o json|yaml] [--sources DIR]'],
    about:
      'Decode one value as stored in etcd (protobuf, JSON, CBOR) into the object kubectl prints.\n' +
      'Reads FILE, or stdin when FILE is "-" or absent. Accepts what etcdctl prints: the raw value,\n' +
      '"etcdctl get --print-value-only" output (one trailing newline) and plain "etcdctl get" output\n' +
      '(the key line first).',
  },
  encode: {
    usage: ['kubetcd encode [FILE|-] [-o binary|hex|base64] [--sources DIR]'],
    about: 'Encode a Kubernetes object (JSON or YAML, with kind and apiVersion) into the bytes\nkube-apiserver stores in etcd ("k8s\\0" + runtime.Unknown).',
  },
  help: {
    usage: ['kubetcd help [COMMAND]', 'kubetcd COMMAND --help'],
    about: 'Every command and option, or one command\'s usage and options (-h works too).',
  },
};

/** Where to read: the options of the commands over a source, each line with the fields it describes. */
const SOURCE_HELP: ReadonlyArray<{ fields: readonly FlagField[]; text: string }> = [
  {
    fields: ['snapshot'],
    text:
      '--snapshot FILE       an etcd snapshot ("etcdctl snapshot save"), a stopped member\'s member/snap/db,\n' +
      '                      or "etcdctl get -w json" output; no etcd needs to run. With\n' +
      '                      $KUBETCD_INDEX_CACHE set to a directory, its index is kept there for the next run',
  },
  { fields: ['skipHashCheck'], text: '--skip-hash-check     read a snapshot whose SHA-256 trailer does not match (as etcdutl calls it)' },
  {
    fields: ['endpoints'],
    text: '--endpoints LIST      live etcd, comma-separated host:port or URLs (default $ETCDCTL_ENDPOINTS,\n                      else 127.0.0.1:2379)',
  },
  { fields: ['cacert'], text: "--cacert FILE         CA certificate of etcd's server certificate ($ETCDCTL_CACERT)" },
  { fields: ['cert'], text: '--cert FILE           client certificate ($ETCDCTL_CERT)' },
  { fields: ['key'], text: '--key FILE            client private key ($ETCDCTL_KEY)' },
  { fields: ['user', 'password'], text: '--user NAME[:PASS]    etcd user ($ETCDCTL_USER); --password PASS ($ETCDCTL_PASSWORD)' },
  { fields: ['insecureSkipTlsVerify'], text: '--insecure-skip-tls-verify   skip the server name check ($ETCDCTL_INSECURE_SKIP_TLS_VERIFY)' },
  { fields: ['prefix'], text: "--prefix PREFIX       kube-apiserver's --etcd-prefix (default: detected, else /registry)" },
  { fields: ['revision'], text: '--revision N          read the state at this etcd revision (default: the latest)' },
];

/** The other options, by field; `-o` is written per command (its formats). */
const OPTION_HELP: ReadonlyArray<{ field: FlagField; text: string }> = [
  { field: 'namespace', text: '-n, --namespace NS    the namespace' },
  { field: 'allNamespaces', text: '-A, --all-namespaces  every namespace' },
  { field: 'labels', text: "-l, --selector SEL    label selector, kubectl's grammar (app=web,tier!=cache,env in (a,b))" },
  { field: 'fields', text: '--field-selector SEL  field selector on any dotted path (status.phase=Running,spec.nodeName=node-1)' },
  { field: 'limit', text: '--limit N             at most N results (objects or keys)' },
  { field: 'reveal', text: '--reveal              show Secret data (redacted by default)' },
  {
    field: 'now',
    text: '--now TIME            ages in tables as of TIME (RFC 3339, or "now" for this clock); default: now for\n                      a live etcd, the newest Lease renewal in a snapshot (said on stderr when old)',
  },
  { field: 'showManagedFields', text: '--show-managed-fields  -o json|yaml: keep metadata.managedFields (kubectl leaves them out)' },
  { field: 'by', text: '--by GROUP            group by resource (default), namespace, or list the largest objects' },
  { field: 'top', text: '--top N               only the N largest groups or objects' },
  { field: 'depth', text: '--depth N             tree: levels of path segments shown (default 2 in the table); owners: levels followed (default 10)' },
  { field: 'sortBy', text: '--sort-by JSONPATH    sort the objects by a field (.metadata.creationTimestamp, {.status.phase})' },
  { field: 'showLabels', text: '--show-labels         tables: a last LABELS column' },
  { field: 'labelColumns', text: '-L, --label-columns K tables: a column per label key (repeat or comma-separate)' },
  { field: 'noHeaders', text: '--no-headers          tables and custom-columns: no header line' },
  {
    field: 'sources',
    text: '--sources DIR[:DIR]   Kubernetes API sources to compile the schema from, one folder per version; each\n                      kind from the newest (default: $KUBETCD_K8S_SOURCES, else 1.36 and 1.32 as\n                      installed by "npm run setup")',
  },
];

/** Output formats shown in help (decode and encode check theirs when they run). */
const HELP_OUTPUTS: Record<string, readonly string[]> = { ...OUTPUTS, decode: ['json', 'yaml'], encode: ['binary', 'hex', 'base64'] };

const EXAMPLES = [
  'etcdctl get /registry/pods/default/web --print-value-only | kubetcd decode -o yaml',
  'kubetcd encode deployment.yaml > value.bin && etcdctl put /registry/deployments/default/web < value.bin',
  'kubetcd get deployments -n default -l app=web --endpoints 127.0.0.1:2379',
  'kubetcd get pods -A -o wide --snapshot ./etcd-backup.db',
  'kubetcd keys /registry/pods/kube-system/ -o wide --snapshot ./etcd-backup.db',
  'kubetcd resources --endpoints 127.0.0.1:2379',
  'kubetcd tree /registry/configmaps --depth 3 --snapshot ./etcd-backup.db',
  'kubetcd sizes --by namespace --snapshot ./etcd-backup.db',
  'kubetcd history pods web-1 -n shop --endpoints https://10.0.0.1:2379 --cacert ca.crt --cert c.crt --key c.key',
  'kubetcd deleted secrets -n shop --snapshot ./etcd-backup.db',
  'kubetcd encodings --snapshot ./etcd-backup.db',
  'kubetcd hashkv --snapshot ./etcd-backup.db --revision 1234',
  'kubetcd check ./etcd-backup.db',
  'kubetcd leases --endpoints 127.0.0.1:2379',
  'kubetcd owners replicasets web-7d4b9c -n shop --snapshot ./etcd-backup.db',
  'kubetcd orphans --snapshot ./etcd-backup.db',
  'kubetcd help get',
];

const EXIT_HELP =
  'Exit status: 0 on success, 2 for a wrong argument, 1 for a failure (unreachable etcd, bad file,\nobject not found, a value that cannot be decoded).\n';

function indent(text: string, by: string): string {
  return text
    .split('\n')
    .map((l) => by + l)
    .join('\n');
}

/** `head` then `list`, wrapped after commas at 100 columns, continuation lines under the list's start. */
function wrapList(head: string, list: string): string {
  const lines: string[] = [];
  let line = head;
  for (const part of list.split(/(?<=, )/)) {
    if (line.length + part.length > 100 && line.trim() !== head.trim()) {
      lines.push(line.trimEnd());
      line = ' '.repeat(head.length);
    }
    line += part;
  }
  lines.push(line);
  return lines.join('\n');
}

/** The whole help: every command, every option. */
function fullHelp(): string {
  const commands = COMMANDS.map((c) => {
    const h = COMMAND_HELP[c];
    return `${h.usage.map((u) => indent(u, '  ')).join('\n')}\n${indent(h.about, '      ')}`;
  });
  const output = '-o, --output FORMAT   output format (see each command; the first one listed is the default)';
  const other = [output, ...OPTION_HELP.filter((o) => o.field !== 'allNamespaces').map((o) => (o.field === 'namespace' ? `${o.text}; -A, --all-namespaces: every namespace` : o.text))];
  return (
    'kubetcd — explore the Kubernetes data kept in etcd\n\n' +
    `Usage:\n${commands.join('\n')}\n\n` +
    `Where to read (every command but decode/encode):\n${SOURCE_HELP.map((o) => indent(o.text, '  ')).join('\n')}\n\n` +
    `Other options:\n${other.map((o) => indent(o, '  ')).join('\n')}\n` +
    '  -h, --help            help; "kubetcd help COMMAND" or "kubetcd COMMAND --help": one command\'s help\n\n' +
    `${EXIT_HELP}\n` +
    `Examples:\n${EXAMPLES.map((e) => `  ${e}`).join('\n')}\n`
  );
}

/**
 * One command's help: its usage lines, what it does, its options (`-o` with its formats), the source
 * options it takes, and its examples.
 */
function commandHelp(command: (typeof COMMANDS)[number]): string {
  if (command === 'help') return fullHelp();
  const h = COMMAND_HELP[command];
  const allowed = ALLOWED[command] ?? [];
  const outputs = HELP_OUTPUTS[command];
  const options = [
    ...(allowed.includes('output') && outputs !== undefined
      ? [wrapList(`-o, --output FORMAT   `, `${outputs.join(', ')} (default ${outputs[0] ?? ''})`)]
      : []),
    ...OPTION_HELP.filter((o) => allowed.includes(o.field)).map((o) => o.text),
    '-h, --help            this help',
  ];
  const sources = SOURCE_HELP.filter((o) => o.fields.some((f) => allowed.includes(f)));
  const examples = EXAMPLES.filter((e) => new RegExp(`\\bkubetcd ${command}\\b`).test(e));
  return (
    `Usage:\n${h.usage.map((u) => indent(u, '  ')).join('\n')}\n\n` +
    `${h.about}\n\n` +
    `Options:\n${options.map((o) => indent(o, '  ')).join('\n')}\n` +
    (sources.length > 0 ? `\nWhere to read:\n${sources.map((o) => indent(o.text, '  ')).join('\n')}\n` : '') +
    (examples.length > 0 ? `\nExamples:\n${examples.map((e) => `  ${e}`).join('\n')}\n` : '') +
    `\n${EXIT_HELP}`
  );
}

/**
 * The help `kubetcd help [COMMAND]` prints: the whole help, or one command's.
 * @example
 * helpText('keys') // 'Usage:\n  kubetcd keys [KEY-PREFIX] [--limit N] [-o plain|wide|json]\n…'
 */
export function helpText(command?: string): string {
  if (command === undefined) return fullHelp();
  if (!(COMMANDS as readonly string[]).includes(command)) {
    throw new InvalidArgumentError(`No help for ${JSON.stringify(command)}: not a command. Commands: ${COMMANDS.join(', ')}. "kubetcd help" shows them all.`);
  }
  return commandHelp(command as (typeof COMMANDS)[number]);
}

function flagNames(field: FlagField): string {
  return Object.entries(FLAGS)
    .filter(([, s]) => s.field === field)
    .map(([f]) => f)
    .join('/');
}

/**
 * Parses `kubetcd` arguments (`--flag value`, `--flag=value`, `-nvalue`, `-n=value`). Throws
 * InvalidArgumentError for an unknown command or option, an option the command does not take, or a
 * missing or malformed value.
 * @example
 * parseCliArgs(['get', 'pods', '-n', 'default', '-o', 'wide', '--snapshot', 'backup.db'])
 * // { command: 'get', positional: ['pods'], namespace: 'default', output: 'wide', snapshot: 'backup.db' }
 */
export function parseCliArgs(argv: string[]): CliArgs {
  const command = argv[0] ?? 'help';
  if (command === '--help' || command === '-h') return { command: 'help', positional: [] };
  if (!(COMMANDS as readonly string[]).includes(command)) {
    throw new InvalidArgumentError(`unknown command ${JSON.stringify(command)}. Commands: ${COMMANDS.join(', ')}. See "kubetcd help".`);
  }
  const end = argv.indexOf('--') < 0 ? argv.length : argv.indexOf('--');
  if (argv.slice(1, end).some((a) => a === '-h' || a === '--help')) {
    // `kubetcd get --help`: that command's help, whatever else the line holds (as kubectl does)
    return { command: 'help', positional: command === 'help' ? argv.slice(1, end).filter((a) => !a.startsWith('-')).slice(0, 1) : [command] };
  }
  const args: CliArgs = { command, positional: [] };
  const set = args as unknown as Record<string, unknown>;
  const allowed = ALLOWED[command] ?? [];
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--') {
      args.positional.push(...argv.slice(i + 1));
      break;
    }
    if (a === '-' || !a.startsWith('-')) {
      args.positional.push(a);
      continue;
    }
    // flags are read as kubectl() reads them (splitFlag, shared with src/kube/kubectl-command.ts)
    const { flag, inline } = splitFlag(a);
    const spec = FLAGS[flag];
    if (spec === undefined) {
      const why = command === 'get' ? UNSUPPORTED_GET_FLAGS[flag] : undefined;
      const takes = allowed.map(flagNames).join(', ');
      throw new InvalidArgumentError(
        `${why !== undefined ? 'Unsupported' : 'Unknown'} option: ${a}${why !== undefined ? ` (${why})` : ''}. "kubetcd ${command}" takes: ${takes || 'no options'}. See "kubetcd help ${command}".`,
      );
    }
    if (!allowed.includes(spec.field)) {
      const takes = allowed.map(flagNames).join(', ');
      throw new InvalidArgumentError(
        `Option ${flag} does not apply to "kubetcd ${command}". ${takes ? `Its options: ${takes}.` : 'It takes no options.'} See "kubetcd help".`,
      );
    }
    if (spec.value === 'none') {
      if (inline !== undefined && inline !== 'true') throw new InvalidArgumentError(`Option ${flag} takes no value (got ${JSON.stringify(inline)}).`);
      set[spec.field] = true;
      continue;
    }
    let v = inline;
    if (v === undefined) {
      v = argv[++i];
      if (v === undefined) throw new InvalidArgumentError(`Option ${flag} needs a value. See "kubetcd help".`);
    }
    if (spec.value === 'int') {
      const n = Number(v);
      if (!/^\d+$/.test(v) || !Number.isSafeInteger(n) || n <= 0) {
        throw new InvalidArgumentError(`Invalid value for ${flag}: ${JSON.stringify(v)}. Pass a positive integer.`);
      }
      set[spec.field] = n;
    } else if (spec.field === 'labelColumns' && args.labelColumns !== undefined) args.labelColumns += `,${v}`;
    else set[spec.field] = v;
  }
  const outputs = OUTPUTS[args.command];
  if (args.command === 'get' && args.output !== undefined) {
    const o = parseKubectlOutput(args.output, ['table']);
    args.output = o.output;
    if (o.template !== undefined) args.template = o.template;
  } else if (outputs !== undefined && args.output !== undefined && !outputs.includes(args.output)) {
    throw new InvalidArgumentError(
      `Unknown output format for ${args.command}: ${JSON.stringify(args.output)}. Use -o with one of ${outputs.join(', ')}.`,
    );
  }
  if (args.snapshot !== undefined) {
    const live = (['endpoints', 'cacert', 'cert', 'key', 'user', 'password', 'insecureSkipTlsVerify'] as const).filter((f) => args[f] !== undefined);
    if (live.length > 0) {
      throw new InvalidArgumentError(
        `--snapshot reads a file, so ${live.map(flagNames).join(', ')} do not apply. Pass either --snapshot FILE or the live etcd options.`,
      );
    }
  }
  if (args.skipHashCheck === true && args.snapshot === undefined) {
    throw new InvalidArgumentError('--skip-hash-check applies to a snapshot file: add --snapshot FILE, or remove --skip-hash-check (a live etcd has no trailer to check).');
  }
  if (args.namespace !== undefined && args.allNamespaces) {
    throw new InvalidArgumentError('Pass either -n NAMESPACE or -A (--all-namespaces), not both.');
  }
  return args;
}

// ---------------------------------------------------------------------------------------------------
// Reading a source

/** Opens the source the options name: --snapshot FILE, else live etcd (flags, then ETCDCTL_*). */
async function openCliSource(args: CliArgs): Promise<KvSource> {
  if (args.snapshot !== undefined) {
    if (!fs.existsSync(args.snapshot)) {
      throw new InvalidArgumentError(`Cannot read snapshot ${JSON.stringify(args.snapshot)}: no such file. Check the path.`);
    }
    // Loaded on demand: a snapshot never needs the etcd client (grpc), decode and encode need neither.
    const { openFileSource } = await import('./sources/open-file');
    // The SHA-256 check of a large file runs alongside the reads: withKube waits for its verdict.
    return openFileSource(args.snapshot, args.skipHashCheck === true ? { verifyHash: false } : { hashCheck: 'alongside' });
  }

  const live: Exclude<SourceTarget, string | string[] | undefined> = {
    ...(args.endpoints !== undefined ? { endpoints: args.endpoints } : {}),
    ...(args.cacert !== undefined ? { cacert: args.cacert } : {}),
    ...(args.cert !== undefined ? { cert: args.cert } : {}),
    ...(args.key !== undefined ? { key: args.key } : {}),
    ...(args.user !== undefined ? { user: args.user } : {}),
    ...(args.password !== undefined ? { password: args.password } : {}),
    ...(args.insecureSkipTlsVerify ? { insecureSkipVerify: true } : {}),
  };
  const { openSource } = await import('./sources/open-source');
  return openSource(live);
}

/** etcdctl's endpoint when none is named, which the live source falls back to. */
const DEFAULT_ENDPOINT = '127.0.0.1:2379';

/**
 * A failure to reach the default endpoint, said as such: no source was named, so 127.0.0.1:2379 was
 * tried; and how to name one. Other errors, and failures on a named source, pass unchanged.
 */
function explainDefaultSource(args: CliArgs, e: unknown, opening: boolean): unknown {
  const defaulted = args.snapshot === undefined && args.endpoints === undefined && process.env['ETCDCTL_ENDPOINTS'] === undefined;
  if (!defaulted || !isKubetcdError(e) || !(e.name === 'EtcdConnectionError' || (opening && e.name === 'KubetcdError'))) return e;
  const message =
    `No source named, so kubetcd tried live etcd at ${DEFAULT_ENDPOINT} (the default without --snapshot, --endpoints or ETCDCTL_ENDPOINTS): ` +
    `${e.message.replace(/\.?$/, '.')} Name a source: --snapshot FILE for a snapshot file, --endpoints HOST:PORT for a live etcd, or set ETCDCTL_ENDPOINTS.`;
  const details = { ...e.details, defaultEndpoint: DEFAULT_ENDPOINT };
  return e.name === 'EtcdConnectionError' ? new EtcdConnectionError(message, details, { cause: e }) : new KubetcdError(message, details, { cause: e });
}

/**
 * The SHA-256 verdict of a snapshot whose check runs alongside the reads (large files): a mismatch is
 * written to stderr the moment it is known, even while output is still being written; resolves true then.
 */
function reportHashMismatch(source: KvSource): Promise<boolean> {
  const verdict = source.hashVerdict?.();
  if (verdict === undefined) return Promise.resolve(false);
  return verdict.then((bad) => {
    if (bad === undefined) return false;
    process.stderr.write(
      `kubetcd: ${cliAdvice(bad.message)} What this command printed was read from that file while its checksum was being checked: ` +
        'do not trust it; the command fails (exit status 1).\n',
    );
    return true;
  });
}

/**
 * Opens the source, runs `run`, closes the source. A snapshot's SHA-256 trailer is checked while `run`
 * reads and writes (large files): the command waits for the verdict before it exits, and a mismatch fails
 * it with exit status 1 even when its output was already written (stdout cannot be taken back; stderr
 * says the output is not to be trusted). --skip-hash-check reads without checking.
 */
async function withKube(args: CliArgs, run: (k: KubeClient) => Promise<number>): Promise<number> {
  let source: KvSource;
  try {
    source = await openCliSource(args);
  } catch (e) {
    throw explainDefaultSource(args, e, true);
  }
  const mismatch = reportHashMismatch(source);
  try {
    const { openKube } = await import('./kube/kube-client');
    const k = await openKube(source, args.prefix !== undefined ? { prefix: args.prefix } : {});
    for (const e of k.crdErrors) warn(`${e.key}: ${e.error} (its custom resources cannot be resolved)`);
    const code = await run(k);
    return (await mismatch) ? 1 : code;
  } catch (e) {
    await mismatch; // a damaged file is the likelier cause of a failure: say so first
    throw explainDefaultSource(args, e, false);
  } finally {
    await source.close();
  }
}

// ---------------------------------------------------------------------------------------------------
// Text output

function out(text: string): void {
  process.stdout.write(text);
}

function warn(text: string): void {
  process.stderr.write(`kubetcd: warning: ${text}\n`);
}

/** Columns separated by three spaces, left-aligned, as kubectl prints them. */
function textTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('   ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

/** kubectl's `TYPE/NAME` type part: `pod`, `deployment.apps`. */
function typeName(info: ResourceInfo): string {
  return info.group === '' ? info.kind.toLowerCase() : `${info.kind.toLowerCase()}.${info.group}`;
}

/** The object paths `printObjects` reads for the output format, or undefined when it prints whole objects. */
function printedPaths(info: ResourceInfo, args: CliArgs): readonly string[] | undefined {
  const format = args.output ?? 'table';
  if (args.sortBy !== undefined) return undefined;
  if (format === 'name') return ['metadata.name'];
  if (format === 'table' || format === 'wide') {
    if (info.printerColumns !== undefined || !info.builtin) return undefined; // CRD columns read any path
    const reads = kindPrinter(info.kind)?.reads ?? DEFAULT_READS;
    return args.showLabels === true || args.labelColumns !== undefined ? [...reads, 'metadata.labels'] : reads;
  }
  return undefined;
}

/** "Now" for the ages in tables (set by runGet from --now or the data; undefined: this clock). */
let tableNow: number | undefined;
let tableNote: string | undefined;

/**
 * The clock of a table's ages: --now, else for a snapshot the newest Lease renewal it holds (a backup's
 * ages are then as the cluster saw them, not the backup's own age), else this machine's clock.
 */
async function tableClock(args: CliArgs, k: KubeClient): Promise<number | undefined> {
  if (args.now !== undefined) {
    if (args.now === 'now') return undefined;
    const t = Date.parse(args.now);
    if (!Number.isFinite(t) || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(args.now)) {
      throw new InvalidArgumentError(`Invalid --now: ${JSON.stringify(args.now)}. Pass an RFC 3339 time such as 2024-05-01T10:00:00Z, or "now" for this machine's clock.`);
    }
    return t;
  }
  if (k.source.kind === 'live') return undefined;
  const { dataClock, clockCaption } = await import('./kube/data-clock');
  const clock = await dataClock(k, args.revision !== undefined ? { revision: args.revision } : {});
  if (clock === undefined) return undefined;
  // Said with the first table printed (an old backup only: a recent one matches this clock anyway).
  if (Date.now() - clock.now.getTime() > 3600_000) tableNote = `kubetcd: ${clockCaption(clock)} (--now now: this machine's clock).\n`;
  return clock.now.getTime();
}

function objectsTable(objects: readonly KubeObject[], info: ResourceInfo, withNamespace: boolean, args: CliArgs): string {
  if (tableNote !== undefined && objects.length > 0) {
    process.stderr.write(tableNote);
    tableNote = undefined;
  }
  const t = renderTable(objects, {
    kind: info.kind,
    wide: args.output === 'wide',
    now: tableNow ?? Date.now(),
    maxRows: Infinity,
    namespaceColumn: withNamespace,
    ...(!info.builtin ? { printerColumns: info.printerColumns ?? [] } : {}),
    ...(args.showLabels === true ? { showLabels: true } : {}),
    ...(args.labelColumns !== undefined ? { labelColumns: args.labelColumns.split(',').filter((k) => k !== '') } : {}),
    ...(args.noHeaders === true ? { noHeaders: true } : {}),
  });
  return t.text.endsWith('\n') ? t.text : `${t.text}\n`;
}

function jsonText(value: unknown): string {
  return `${toKubeJson(value, { indent: '    ' })}\n`;
}

function printObjects(unsorted: readonly KubeObject[], info: ResourceInfo, args: CliArgs, single: boolean, withNamespace: boolean): void {
  const objects = args.sortBy !== undefined ? sortKubectlItems(unsorted, args.sortBy) : unsorted;
  // the same printer as KubeClient.kubectl(): kubectl's form (src/codec/kubectl-format.ts), the
  // objects carrying their mod revision from get()
  const printed = printKubectlOutput(objects, single, typeName(info), args);
  if (printed !== undefined) out(printed);
  else if (objects.length > 0) out(objectsTable(objects, info, withNamespace, args));
}

// ---------------------------------------------------------------------------------------------------
// Commands over a source

async function runGet(args: CliArgs, k: KubeClient): Promise<number> {
  const [resource, ...names] = args.positional;
  if (resource === undefined) {
    throw new InvalidArgumentError('kubetcd get needs a resource, such as "kubetcd get pods -n default". "kubetcd resources" lists what the source holds.');
  }
  const info = k.resolve(resource);
  if ((args.output ?? 'table') === 'table' || args.output === 'wide') tableNow = await tableClock(args, k);
  if (names.length > 0 && (args.labels !== undefined || args.fields !== undefined)) {
    throw new InvalidArgumentError('Names and selectors cannot be combined: drop the names or the -l/--field-selector.');
  }
  if (names.length > 0 && args.allNamespaces) {
    throw new InvalidArgumentError('A resource cannot be retrieved by name across all namespaces: use -n NAMESPACE instead of -A.');
  }
  const namespace = info.namespaced ? (args.allNamespaces ? undefined : (args.namespace ?? 'default')) : undefined;
  const withNamespace = info.namespaced && namespace === undefined;
  if (names.length > 0) {
    const found: KubeObject[] = [];
    let status = 0;
    for (const name of names) {
      let got: KubeGetResult;
      try {
        got = await k.get(resource, name, {
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
    printObjects(found, info, args, names.length === 1, false);
    return status;
  }
  const options: ListOptions = {
    ...(namespace !== undefined ? { namespace } : {}),
    ...(args.labels !== undefined ? { labels: args.labels } : {}),
    ...(args.fields !== undefined ? { fields: args.fields } : {}),
    ...(args.limit !== undefined ? { limit: args.limit } : {}),
    ...(args.revision !== undefined ? { revision: args.revision } : {}),
    ...(args.reveal ? { reveal: true } : {}),
    // a table or names need a few fields: only those are decoded (json and yaml print whole objects)
    ...(printedPaths(info, args) !== undefined ? { paths: printedPaths(info, args) } : {}),
  };
  if ((args.output === 'json' || args.output === 'yaml') && args.sortBy === undefined) {
    // streamed item by item: constant memory, whatever the number of objects
    const { streamList } = await import('./cli/get-stream');
    const streamed = await streamList(k, resource, options, args.output, process.stdout, warn, args.showManagedFields === true ? { showManagedFields: true } : {});
    if (streamed.truncatedReason !== undefined) process.stderr.write(`kubetcd: showing the first ${streamed.items}; more matched (raise --limit).\n`);
    return 0;
  }
  const list = await k.list(resource, options);
  for (const e of list.errors.slice(0, 5)) warn(e.error);
  if (list.errors.length > 5) warn(`${list.errors.length - 5} more value(s) could not be decoded.`);
  printObjects(list.items, info, args, false, withNamespace);
  const format = args.output ?? 'table';
  if (list.items.length === 0 && (format === 'table' || format === 'wide')) {
    process.stderr.write(`${noResourcesMessage(namespace)}\n`);
  }
  if (list.truncated) process.stderr.write(`kubetcd: showing the first ${list.items.length}; more matched (raise --limit).\n`);
  return 0;
}

async function runKeys(args: CliArgs, k: KubeClient): Promise<number> {
  const prefix = args.positional[0] ?? `${k.prefix}/`;
  if (args.positional.length > 1) throw new InvalidArgumentError(`kubetcd keys takes one key prefix, got ${args.positional.length}: ${JSON.stringify(args.positional)}.`);
  const format = args.output ?? 'plain';
  const shown = (key: Uint8Array): string => visibleText(decodeGoString(key, 0, key.length));
  if (format === 'plain') {
    // Keys as a terminal shows them safely: controls and invalid UTF-8 bytes as visible escapes (\x1b, \xff).
    const lines: string[] = [];
    const options = { keysOnly: true, ...(args.revision !== undefined ? { revision: args.revision } : {}), ...(args.limit !== undefined ? { limit: args.limit } : {}) };
    for await (const kv of k.source.range({ prefix }, options)) lines.push(`${shown(kv.key)}\n`);
    out(lines.join(''));
    return 0;
  }
  // Live etcd reports value sizes only when values are read.
  const keysOnly = k.source.kind !== 'live';
  const records: Array<{ key: string; valueBytes: number; createRevision: number; modRevision: number; version: number; lease: string }> = [];
  const td = new TextDecoder();
  const shownKeys: string[] = [];
  for await (const kv of k.source.range(
    { prefix },
    { keysOnly, ...(args.revision !== undefined ? { revision: args.revision } : {}), ...(args.limit !== undefined ? { limit: args.limit } : {}) },
  )) {
    shownKeys.push(shown(kv.key));
    records.push({ key: td.decode(kv.key), valueBytes: kv.valueBytes, createRevision: kv.createRevision, modRevision: kv.modRevision, version: kv.version, lease: kv.lease });
  }
  if (format === 'json') {
    out(jsonText(records));
    return 0;
  }
  out(
    textTable(
      ['KEY', 'BYTES', 'CREATE-REV', 'MOD-REV', 'VERSION', 'LEASE'],
      records.map((r, i) => [shownKeys[i] ?? r.key, String(r.valueBytes), String(r.createRevision), String(r.modRevision), String(r.version), r.lease === '0' ? '<none>' : r.lease]),
    ),
  );
  return 0;
}

async function runResources(args: CliArgs, k: KubeClient): Promise<number> {
  const rs = await k.resources(args.revision !== undefined ? { revision: args.revision } : {});
  const format = args.output ?? 'table';
  if (format === 'json') out(jsonText(rs));
  else if (format === 'yaml') out(toKubeYaml(rs));
  else {
    out(
      textTable(
        ['RESOURCE', 'KIND', 'NAMESPACED', 'OBJECTS', 'BYTES'],
        rs.map((r) => [r.resource, r.kind || '<unknown>', String(r.namespaced), String(r.count), String(r.bytes)]),
      ),
    );
  }
  return 0;
}

async function runTree(args: CliArgs, k: KubeClient): Promise<number> {
  if (args.positional.length > 1) throw new InvalidArgumentError(`kubetcd tree takes one key prefix, got ${args.positional.length}: ${JSON.stringify(args.positional)}.`);
  const format = args.output ?? 'table';
  const tree = await k.tree(args.positional[0] ?? k.prefix, {
    ...(args.depth !== undefined ? { depth: args.depth } : format === 'table' ? { depth: 2 } : {}),
    ...(args.revision !== undefined ? { revision: args.revision } : {}),
  });
  if (format === 'json') {
    out(jsonText(tree));
    return 0;
  }
  const rows: string[][] = [];
  const walk = (n: KeyTreeNode, indent: string): void => {
    const name = `${indent}${n.name === '' ? '(all keys)' : visibleText(n.name)}${n.children.length > 0 || n.collapsed ? '/' : ''}`;
    rows.push([name, String(n.keys), formatBytes(n.bytes), n.resource ?? '']);
    for (const c of n.children) walk(c, `${indent}  `);
  };
  walk(tree.root, '');
  out(textTable(['PATH', 'KEYS', 'SIZE', 'RESOURCE'], rows));
  return 0;
}

async function runSizes(args: CliArgs, k: KubeClient): Promise<number> {
  const by = args.by ?? 'resource';
  if (by !== 'resource' && by !== 'namespace' && by !== 'object') {
    throw new InvalidArgumentError(`Invalid --by: ${JSON.stringify(by)}. Pass resource, namespace or object.`);
  }
  const sizes = await k.sizes({
    ...(args.revision !== undefined ? { revision: args.revision } : {}),
    ...(args.top !== undefined ? { top: args.top } : {}),
  });
  const format = args.output ?? 'table';
  if (format === 'json') {
    out(jsonText(sizes));
    return 0;
  }
  if (format === 'yaml') {
    out(toKubeYaml(sizes));
    return 0;
  }
  const total = sizes.total.bytes;
  const pct = (b: number): string => (total === 0 ? '0.0%' : `${((100 * b) / total).toFixed(1)}%`);
  if (by === 'object') {
    out(
      textTable(
        ['RESOURCE', 'NAMESPACE', 'NAME', 'BYTES', 'SHARE'],
        sizes.largest.map((v) => [v.resource ?? '<none>', v.namespace ?? '<none>', v.name ?? v.key, String(v.bytes), pct(v.bytes)]),
      ),
    );
    return 0;
  }
  const groups = (by === 'resource' ? sizes.byResource : sizes.byNamespace).slice(0, args.top ?? Infinity);
  const history = groups.some((g) => g.revisions !== undefined);
  out(
    textTable(
      [by.toUpperCase(), 'KEYS', 'BYTES', 'SIZE', 'SHARE', ...(history ? ['REVISIONS', 'ALL-REVISIONS'] : [])],
      groups.map((g) => [
        g.name,
        String(g.keys),
        String(g.bytes),
        formatBytes(g.bytes),
        pct(g.bytes),
        ...(history ? [String(g.revisions ?? ''), g.allRevisionsBytes !== undefined ? formatBytes(g.allRevisionsBytes) : ''] : []),
      ]),
    ),
  );
  for (const note of sizes.notes) process.stderr.write(`kubetcd: note: ${note}\n`);
  return 0;
}

async function runHistory(args: CliArgs, k: KubeClient): Promise<number> {
  const [first, name, ...rest] = args.positional;
  if (first === undefined) {
    throw new InvalidArgumentError('kubetcd history needs RESOURCE NAME (kubetcd history pods web-1 -n shop) or a full key (kubetcd history /registry/pods/shop/web-1).');
  }
  if (rest.length > 0) throw new InvalidArgumentError(`kubetcd history takes RESOURCE NAME or one KEY, got ${JSON.stringify(args.positional)}.`);
  const entries = await k.history(first, name, {
    ...(args.namespace !== undefined ? { namespace: args.namespace } : {}),
    ...(args.reveal ? { reveal: true } : {}),
  });
  const status = await k.source.status();
  const format = args.output ?? 'table';
  if (format === 'json') out(jsonText(entries));
  else if (format === 'yaml') out(toKubeYaml(entries));
  else {
    const { headers, rows } = historyRows(entries);
    out(textTable(headers, rows));
  }
  if (status.compactRevision > 0 && format === 'table') {
    process.stderr.write(`kubetcd: revisions before ${status.compactRevision} were compacted: older changes are gone.\n`);
  }
  return 0;
}

// ---------------------------------------------------------------------------------------------------
// Forensics: deleted, encodings, hashkv

async function runDeleted(args: CliArgs, k: KubeClient): Promise<number> {
  if (args.positional.length > 1) throw new InvalidArgumentError(`kubetcd deleted takes at most one resource, got ${JSON.stringify(args.positional)}.`);
  const result = await k.deleted(args.positional[0], {
    ...(args.namespace !== undefined ? { namespace: args.namespace } : {}),
    ...(args.reveal ? { reveal: true } : {}),
  });
  if ((args.output ?? 'table') === 'json') {
    out(jsonText(result));
    return 0;
  }
  if (result.items.length === 0) process.stderr.write(`kubetcd: no deletions kept under ${visibleText(result.range.prefix)}.\n`);
  else {
    out(
      textTable(
        ['RESOURCE', 'NAMESPACE', 'NAME', 'DELETED-AT', 'LAST-REV', 'KIND'],
        result.items.map((d) => [
          d.resource ?? '<none>',
          d.namespace ?? '<none>',
          visibleText(d.name ?? d.key),
          String(d.revision),
          d.lastRevision !== undefined ? String(d.lastRevision) : '<unknown>',
          typeof d.object?.kind === 'string' ? d.object.kind : d.encoding === 'encrypted' ? '<encrypted>' : '<unknown>',
        ]),
      ),
    );
  }
  if (result.compactRevision > 0) process.stderr.write(`kubetcd: deletes at or before revision ${result.compactRevision} were compacted: they are gone.\n`);
  return 0;
}

/** Counts by name as one cell, names sorted: `events=2,masterleases=1`; `<none>` when empty. */
function countsText(by: Record<string, number>): string {
  return (
    Object.entries(by)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, n]) => `${visibleText(name)}=${n}`)
      .join(',') || '<none>'
  );
}

async function runEncodings(args: CliArgs, k: KubeClient): Promise<number> {
  const census = await k.encodings(args.revision !== undefined ? { revision: args.revision } : {});
  if ((args.output ?? 'table') === 'json') {
    out(jsonText(census));
    return 0;
  }
  out(
    textTable(
      ['RESOURCE', 'VALUES', 'PROTOBUF', 'JSON', 'CBOR', 'ENCRYPTED', 'OTHER', 'ENCRYPTED-BY'],
      [...census.resources, census.total].map((r) => [
        r === census.total ? 'TOTAL' : visibleText(r.resource),
        String(r.total),
        String(r.protobuf),
        String(r.json),
        String(r.cbor),
        String(r.encrypted),
        String(r.other),
        countsText(r.encryptedBy),
      ]),
    ),
  );
  return 0;
}

async function runLeases(args: CliArgs, k: KubeClient): Promise<number> {
  if (args.positional.length > 0) throw new InvalidArgumentError(`kubetcd leases takes no arguments, got ${JSON.stringify(args.positional)}. Name the source with --snapshot FILE or --endpoints.`);
  const result = await k.leases();
  if ((args.output ?? 'table') === 'json') {
    out(jsonText(result));
    return 0;
  }
  out(
    textTable(
      ['ID', 'TTL', 'REMAINING', 'KEYS', 'RESOURCES'],
      result.leases.map((l) => [l.id, `${l.ttlSeconds}s`, l.remainingSeconds !== undefined ? `${l.remainingSeconds}s` : '<unknown>', String(l.keys.length), countsText(l.byResource)]),
    ),
  );
  return 0;
}

async function runOwners(args: CliArgs, k: KubeClient): Promise<number> {
  const [resource, name, ...rest] = args.positional;
  if (resource === undefined || name === undefined || rest.length > 0) {
    throw new InvalidArgumentError(`kubetcd owners takes a resource and a name, got ${JSON.stringify(args.positional)}: such as "kubetcd owners replicasets web-7d4b9c -n shop".`);
  }
  const result = await k.owners(resource, name, {
    ...(args.namespace !== undefined ? { namespace: args.namespace } : {}),
    ...(args.revision !== undefined ? { revision: args.revision } : {}),
    ...(args.depth !== undefined ? { depth: args.depth } : {}),
  });
  if ((args.output ?? 'table') === 'json') {
    out(jsonText(result));
    return 0;
  }
  const { renderOwnerGraph } = await import('./render/owner-graph');
  out(renderOwnerGraph(result.object).text);
  if (result.unreadable > 0) warn(`${result.unreadable} values could not be read (encrypted or damaged): their owners are not in the graph.`);
  return 0;
}

async function runOrphans(args: CliArgs, k: KubeClient): Promise<number> {
  if (args.positional.length > 0) throw new InvalidArgumentError(`kubetcd orphans takes no arguments, got ${JSON.stringify(args.positional)}. Use -n NS for one namespace.`);
  let now: Date | undefined;
  if (args.now !== undefined && args.now !== 'now') {
    const t = Date.parse(args.now);
    if (!Number.isFinite(t) || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(args.now)) {
      throw new InvalidArgumentError(`Invalid --now: ${JSON.stringify(args.now)}. Pass an RFC 3339 time such as 2024-05-01T10:00:00Z, or "now" for this machine's clock.`);
    }
    now = new Date(t);
  } else if (args.now === 'now') now = new Date();
  const result = await k.orphans({
    ...(args.namespace !== undefined ? { namespace: args.namespace } : {}),
    ...(args.revision !== undefined ? { revision: args.revision } : {}),
    ...(now !== undefined ? { now } : {}),
  });
  if ((args.output ?? 'table') === 'json') {
    out(jsonText(result));
    return 0;
  }
  const { humanDuration } = await import('./render/human-duration');
  const name = (o: { namespace?: string; name: string }): string => visibleText(`${o.namespace !== undefined ? `${o.namespace}/` : ''}${o.name}`);
  out(`OWNER GONE (${result.orphans.length})
`);
  if (result.orphans.length > 0) {
    out(
      textTable(
        ['KIND', 'NAME', 'MISSING-OWNER'],
        result.orphans.map((o) => [visibleText(o.kind), name(o), o.missingOwners.map((m) => visibleText(`${m.kind}/${m.name} (uid ${m.uid})`)).join(',')]),
      ),
    );
  }
  out(`\nSTUCK ON FINALIZERS (${result.stuck.length})\n`);
  if (result.stuck.length > 0) {
    out(
      textTable(
        ['KIND', 'NAME', 'DELETION-REQUESTED', 'AGE', 'FINALIZERS'],
        result.stuck.map((s) => [visibleText(s.kind), name(s), visibleText(s.deletionTimestamp), humanDuration(s.ageMs), s.finalizers.map((f) => visibleText(f)).join(',')]),
      ),
    );
  }
  process.stderr.write(`kubetcd: ages as of ${result.now}, ${result.clock}; ${result.scanned} objects read at revision ${result.revision}.\n`);
  if (result.unreadable > 0) warn(`${result.unreadable} values could not be read (encrypted or damaged): their owners are not checked.`);
  return 0;
}

async function runHashKv(args: CliArgs): Promise<number> {
  if (args.positional.length > 0) throw new InvalidArgumentError(`kubetcd hashkv takes no arguments, got ${JSON.stringify(args.positional)}. Name the source with --snapshot FILE or --endpoints.`);
  let source: KvSource;
  try {
    source = await openCliSource(args);
  } catch (e) {
    throw explainDefaultSource(args, e, true);
  }
  try {
    if (typeof source.hashKV !== 'function') {
      throw new InvalidArgumentError(`Cannot compute etcd's HashKV of ${source.origin}: a ${source.kind} source holds no revision records. Use a snapshot ("etcdctl snapshot save") or live etcd.`);
    }
    const h = await source.hashKV(args.revision !== undefined ? { revision: args.revision } : {});
    if ((args.output ?? 'table') === 'json') out(jsonText({ origin: source.origin, ...h }));
    else {
      out(textTable(['SOURCE', 'HASH', 'COMPACT-REVISION', 'HASH-REVISION', 'REVISION'], [[visibleText(source.origin), String(h.hash), String(h.compactRevision), String(h.hashRevision), String(h.revision)]]));
    }
    return 0;
  } catch (e) {
    throw explainDefaultSource(args, e, false);
  } finally {
    await source.close();
  }
}

// ---------------------------------------------------------------------------------------------------
// decode and encode

function readInput(file: string | undefined): Uint8Array {
  if (file === undefined || file === '-') {
    if (process.stdin.isTTY) {
      throw new InvalidArgumentError(
        'No input: stdin is a terminal. Give a FILE, or pipe a value in, e.g. "etcdctl get KEY --print-value-only | kubetcd decode".',
      );
    }
    return fs.readFileSync(0);
  }
  try {
    return fs.readFileSync(file);
  } catch (e) {
    const code = (e as { code?: string }).code;
    throw new InvalidArgumentError(`Cannot read ${JSON.stringify(file)}: ${code ?? String(e)}. Check the path.`);
  }
}

function describeProblem(d: Decoded): string {
  if (d.encoding === 'encrypted' && d.encryption) {
    return `The value is encrypted at rest (provider ${d.encryption.provider}, key "${d.encryption.keyName}", ${d.encryption.ciphertextBytes} bytes of ciphertext). kubetcd can only show what the prefix says without the cluster's EncryptionConfiguration.`;
  }
  if (d.encoding === 'raw') {
    return `The value is not a Kubernetes object (no "k8s\\0" protobuf envelope, JSON or CBOR found). It starts: ${d.preview ?? ''}`;
  }
  return d.error ? d.error.message : 'The value could not be decoded.';
}

function runDecode(args: CliArgs): number {
  const format = args.output ?? 'json';
  if (format !== 'json' && format !== 'yaml') {
    throw new InvalidArgumentError(`Unknown output format for decode: ${JSON.stringify(format)}. Use -o json or -o yaml.`);
  }
  const input = readInput(args.positional[0]);
  const d = args.sources ? createCodec({ sourcesDir: args.sources }).decode(input) : decode(input);
  if (d.object === undefined) {
    process.stderr.write(`kubetcd decode: ${describeProblem(d)}\n`);
    if (d.protoFields) process.stdout.write(toKubeJson(d.protoFields, { indent: '    ' }) + '\n');
    return 1;
  }
  process.stdout.write(format === 'yaml' ? toKubeYaml(d.object) : toKubeJson(d.object, { indent: '    ' }) + '\n');
  if (d.unknownFields && d.unknownFields.length > 0) {
    process.stderr.write(
      `kubetcd decode: warning: ${d.unknownFields.length} field(s) unknown to the schema were left out of the object: ` +
        d.unknownFields.map((f) => `${f.path || '(top)'}#${f.number}=${toKubeJson(f.value)}`).join(', ') +
        '. They were written by another Kubernetes version; use --sources to decode with its schema.\n',
    );
  }
  if (d.error) process.stderr.write(`kubetcd decode: warning: ${d.error.message}\n`);
  return 0;
}

function parseObjectText(bytes: Uint8Array): Record<string, unknown> {
  const text = Buffer.from(bytes).toString('utf8');
  const trimmed = text.trimStart();
  let value: unknown;
  if (trimmed.startsWith('{')) {
    value = parseKubeJson(text);
  } else {
    try {
      value = jsYaml().load(text);
    } catch (e) {
      throw new InvalidArgumentError(`Cannot parse the input as JSON or YAML: ${(e as Error).message}`);
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidArgumentError('The input is not a Kubernetes object: expected a JSON or YAML mapping with kind and apiVersion.');
  }
  return value as Record<string, unknown>;
}

function runEncode(args: CliArgs): number {
  const format = args.output ?? 'binary';
  if (format !== 'binary' && format !== 'hex' && format !== 'base64') {
    throw new InvalidArgumentError(`Unknown output format for encode: ${JSON.stringify(format)}. Use -o binary, hex or base64.`);
  }
  if (format === 'binary' && process.stdout.isTTY) {
    throw new InvalidArgumentError(
      'Refusing to write binary to a terminal. Redirect stdout (kubetcd encode x.json > value.bin) or use -o hex / -o base64.',
    );
  }
  const object = parseObjectText(readInput(args.positional[0]));
  const bytes = args.sources ? createCodec({ sourcesDir: args.sources }).encode(object) : encode(object);
  if (format === 'binary') process.stdout.write(bytes);
  else process.stdout.write(Buffer.from(bytes).toString(format) + '\n');
  return 0;
}


async function runCheck(args: CliArgs): Promise<number> {
  const files = [...args.positional, ...(args.snapshot !== undefined ? [args.snapshot] : [])];
  if (files.length !== 1) {
    throw new InvalidArgumentError(`kubetcd check takes one file, got ${files.length}${files.length > 0 ? `: ${JSON.stringify(files)}` : ''}. Run "kubetcd check FILE" with a snapshot or a member's member/snap/db.`);
  }
  const file = files[0] as string;
  if (!fs.existsSync(file)) throw new InvalidArgumentError(`Cannot check ${JSON.stringify(file)}: no such file. Check the path.`);
  const { checkSnapshotFile } = await import('./sources/snapshot-check');
  const report = await checkSnapshotFile(file);
  if ((args.output ?? 'table') === 'json') {
    out(jsonText(report));
    return report.ok ? 0 : 1;
  }
  const lines = report.problems.map((p) => visibleText(p.message));
  if (report.moreProblems > 0) lines.push(`… and ${report.moreProblems} more problems`);
  const trailer = { match: 'SHA-256 trailer matches', mismatch: 'SHA-256 trailer does NOT match', absent: 'no SHA-256 trailer (a member db, or a copy of one)' }[report.hash];
  const pages = `${report.pages} pages of ${report.pageSize} bytes: ${report.reachable} in use, ${report.freelist ? `${report.free} on the freelist` : report.freelistPage !== undefined ? `the freelist (page ${report.freelistPage}) unreadable` : 'no freelist (etcd does not write one)'}`;
  const keys = report.keys !== undefined ? `, ${report.keys} keys at the latest revision` : '';
  lines.push(`${report.ok ? 'OK' : `${report.problems.length + report.moreProblems} problem${report.problems.length + report.moreProblems === 1 ? '' : 's'}`}: ${visibleText(file)}: ${pages}; ${trailer}${keys}.`);
  out(`${lines.join('\n')}\n`);
  return report.ok ? 0 : 1;
}

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
        return await runCheck(args);
      case 'decode':
        return runDecode(args);
      case 'encode':
        return runEncode(args);
      case 'get':
        return await withKube(args, (k) => runGet(args, k));
      case 'keys':
        return await withKube(args, (k) => runKeys(args, k));
      case 'resources':
        return await withKube(args, (k) => runResources(args, k));
      case 'tree':
        return await withKube(args, (k) => runTree(args, k));
      case 'sizes':
        return await withKube(args, (k) => runSizes(args, k));
      case 'history':
        return await withKube(args, (k) => runHistory(args, k));
      case 'deleted':
        return await withKube(args, (k) => runDeleted(args, k));
      case 'encodings':
        return await withKube(args, (k) => runEncodings(args, k));
      case 'leases':
        return await withKube(args, (k) => runLeases(args, k));
      case 'owners':
        return await withKube(args, (k) => runOwners(args, k));
      case 'orphans':
        return await withKube(args, (k) => runOrphans(args, k));
      case 'hashkv':
        return await runHashKv(args);
      default: {
        if (args.positional.length > 1) {
          throw new InvalidArgumentError(`kubetcd help takes one command, got ${args.positional.length}: ${JSON.stringify(args.positional)}. Try "kubetcd help ${args.positional[0] ?? ''}".`);
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
