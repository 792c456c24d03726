/**
 * The `kubetcd` command line read into CliArgs: the commands, the options each takes, their output
 * formats. The `kubectl get` flags come from the one table `k.kubectl()` reads too (GET_FLAGS in
 * src/kube/kubectl-command.ts), so both accept the same flags and spellings.
 */
import { InvalidArgumentError } from '../errors';
import {
  GET_FLAGS,
  KUBECTL_OUTPUTS,
  UNSUPPORTED_GET_FLAGS,
  parseKubectlOutput,
  splitFlag,
} from '../kube/kubectl-command';

/** The commands of `kubetcd`. */
export const COMMANDS = [
  'get',
  'keys',
  'resources',
  'tree',
  'sizes',
  'history',
  'deleted',
  'encodings',
  'leases',
  'info',
  'owners',
  'orphans',
  'hashkv',
  'diff',
  'churn',
  'check',
  'decode',
  'encode',
  'help',
] as const;

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
  /** `-L`/`--label-columns`, repeatable and comma-separated. */
  labelColumns?: string[];
  noHeaders?: boolean;
  fromRevision?: number;
  toRevision?: number;
  all?: boolean;
}

/** The CliArgs fields an option sets. */
export type FlagField = Exclude<keyof CliArgs, 'command' | 'positional' | 'template'>;
interface FlagSpec {
  field: FlagField;
  value: 'string' | 'int' | 'none';
}

const FLAGS: Record<string, FlagSpec> = {
  // kubectl get's flags, from the table k.kubectl() reads (a switch takes no value here; -L repeats)
  ...Object.fromEntries(
    Object.entries(GET_FLAGS).map(([flag, s]) => [
      flag,
      { field: s.field, value: s.value === 'switch' ? 'none' : 'string' } satisfies FlagSpec,
    ]),
  ),
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
  '--limit': { field: 'limit', value: 'int' },
  '--reveal': { field: 'reveal', value: 'none' },
  '--now': { field: 'now', value: 'string' },
  '--by': { field: 'by', value: 'string' },
  '--top': { field: 'top', value: 'int' },
  '--depth': { field: 'depth', value: 'int' },
  '--from-revision': { field: 'fromRevision', value: 'int' },
  '--to-revision': { field: 'toRevision', value: 'int' },
  '--all': { field: 'all', value: 'none' },
};

const SOURCE_FIELDS: readonly FlagField[] = [
  'snapshot',
  'skipHashCheck',
  'endpoints',
  'cacert',
  'cert',
  'key',
  'user',
  'password',
  'insecureSkipTlsVerify',
  'prefix',
  'revision',
];

/** The source options of a command that reads the latest revision only (or names its revisions itself). */
const LATEST_SOURCE_FIELDS: readonly FlagField[] = SOURCE_FIELDS.filter((f) => f !== 'revision');

/** The options each command accepts (besides -h/--help). */
export const ALLOWED: Record<string, readonly FlagField[]> = {
  check: ['output', 'snapshot'],
  decode: ['output', 'sources'],
  encode: ['output', 'sources'],
  help: [],
  get: [
    ...SOURCE_FIELDS,
    'output',
    'namespace',
    'allNamespaces',
    'labels',
    'fields',
    'limit',
    'reveal',
    'showManagedFields',
    'now',
    'sortBy',
    'showLabels',
    'labelColumns',
    'noHeaders',
  ],
  keys: [...SOURCE_FIELDS, 'output', 'limit'],
  resources: [...SOURCE_FIELDS, 'output'],
  tree: [...SOURCE_FIELDS, 'output', 'depth'],
  sizes: [...SOURCE_FIELDS, 'output', 'by', 'top'],
  history: [...LATEST_SOURCE_FIELDS, 'output', 'namespace', 'reveal'],
  deleted: [...LATEST_SOURCE_FIELDS, 'output', 'namespace', 'reveal'],
  encodings: [...SOURCE_FIELDS, 'output'],
  leases: [...LATEST_SOURCE_FIELDS, 'output'],
  info: [...LATEST_SOURCE_FIELDS, 'output'],
  owners: [...SOURCE_FIELDS, 'output', 'namespace', 'depth'],
  orphans: [...SOURCE_FIELDS, 'output', 'namespace', 'now'],
  hashkv: [...SOURCE_FIELDS.filter((f) => f !== 'prefix'), 'output'],
  diff: [...LATEST_SOURCE_FIELDS, 'fromRevision', 'toRevision', 'namespace', 'all', 'reveal', 'limit', 'output'],
  churn: [...LATEST_SOURCE_FIELDS, 'limit', 'output'],
};

/** Output formats per command; the first is the default. */
export const OUTPUTS: Record<string, readonly string[]> = {
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
  info: ['table', 'json'],
  owners: ['table', 'json'],
  orphans: ['table', 'json'],
  hashkv: ['table', 'json'],
  diff: ['table', 'json'],
  churn: ['table', 'json'],
};

/** The spellings of the option that sets `field`: `-n/--namespace`. */
export function flagNames(field: FlagField): string {
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
    throw new InvalidArgumentError(
      `unknown command ${JSON.stringify(command)}. Commands: ${COMMANDS.join(', ')}. See "kubetcd help".`,
    );
  }
  const end = argv.indexOf('--') < 0 ? argv.length : argv.indexOf('--');
  if (argv.slice(1, end).some((a) => a === '-h' || a === '--help')) {
    // `kubetcd get --help`: that command's help, whatever else the line holds (as kubectl does)
    return {
      command: 'help',
      positional:
        command === 'help'
          ? argv
              .slice(1, end)
              .filter((a) => !a.startsWith('-'))
              .slice(0, 1)
          : [command],
    };
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
      if (inline !== undefined && inline !== 'true')
        throw new InvalidArgumentError(`Option ${flag} takes no value (got ${JSON.stringify(inline)}).`);
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
    } else if (spec.field === 'labelColumns')
      args.labelColumns = [...(args.labelColumns ?? []), ...v.split(',').filter((k) => k !== '')];
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
    const live = (['endpoints', 'cacert', 'cert', 'key', 'user', 'password', 'insecureSkipTlsVerify'] as const).filter(
      (f) => args[f] !== undefined,
    );
    if (live.length > 0) {
      throw new InvalidArgumentError(
        `--snapshot reads a file, so ${live.map(flagNames).join(', ')} do not apply. Pass either --snapshot FILE or the live etcd options.`,
      );
    }
  }
  if (
    args.skipHashCheck === true &&
    args.snapshot === undefined &&
    !(args.command === 'diff' && args.positional.length > 0)
  ) {
    throw new InvalidArgumentError(
      '--skip-hash-check applies to a snapshot file: add --snapshot FILE, or remove --skip-hash-check (a live etcd has no trailer to check).',
    );
  }
  if (args.namespace !== undefined && args.allNamespaces) {
    throw new InvalidArgumentError('Pass either -n NAMESPACE or -A (--all-namespaces), not both.');
  }
  return args;
}
