/**
 * `kubetcd help`: the whole of it, or one command's (`kubetcd help get`, `kubetcd get --help`), made
 * from the same tables the parser reads (the options each command takes, its output formats).
 */
import { InvalidArgumentError } from '../errors';
import { ALLOWED, COMMANDS, OUTPUTS, type FlagField } from './cli-args';

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
      "exactly what kubectl 1.36 prints: keys sorted, metadata.resourceVersion the etcd mod revision,\nmetadata.managedFields left out unless --show-managed-fields. -o jsonpath='{.items[*].metadata.name}'\n" +
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
      "it keeps alive, per resource (events expire with their lease, an API server's master lease with it).",
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
      "etcd's HashKV of the key-value store up to revision R (default: the latest): the hash, compact\n" +
      'revision and revision "etcdctl endpoint hashkv" prints. Live etcd answers itself; from --snapshot it\n' +
      'is computed as etcd computes it, to compare a backup with the members it came from.',
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
  info: {
    usage: ['kubetcd info [-o table|json]'],
    about:
      'Which Kubernetes and etcd versions wrote the data, and what says so: the kubeadm-config ConfigMap,\n' +
      'kubelet versions, control-plane images, API server identity leases, lease candidates, storage versions;\n' +
      "etcd's status (live), or the db's cluster and meta buckets (term and confState from 3.5, storageVersion from 3.6).",
  },
  diff: {
    usage: [
      'kubetcd diff A B [--from-revision R1] [--to-revision R2] [-n NS] [--all] [--reveal] [--limit N]\n' +
        '             [-o table|json]',
      'kubetcd diff --from-revision R1 [--to-revision R2] [...]   (one source: --snapshot FILE or --endpoints)',
    ],
    about:
      'Every object added, deleted or changed from A to B (each a snapshot file or live etcd endpoints), or\n' +
      'on one source from revision R1 to R2 (default: the latest): key, resource, namespace, name, and for a\n' +
      'change the fields that differ (old -> new). Left out unless --all: metadata.managedFields,\n' +
      'metadata.resourceVersion, fields named *HeartbeatTime and renewTime (Node and Lease heartbeats), and\n' +
      'objects that changed only in those (counted as HIDDEN). Secret data is redacted unless --reveal.',
  },
  churn: {
    usage: ['kubetcd churn [--limit N] [-o table|json]'],
    about:
      'Writes (etcd revisions) per resource, namespace and key over the kept history (after the compaction\n' +
      'revision), and who made them: each write goes to the manager of the managedFields entry whose time\n' +
      'it moved (unknown: deletions, values without managedFields, ties). --limit rows per table (default 20).',
  },
  check: {
    usage: ['kubetcd check FILE [-o table|json]'],
    about:
      'Check a snapshot or member db as "bbolt check" does, and more: pages reached once, none both used\n' +
      "and free, none lost, the meta pages, the SHA-256 trailer, every record of etcd's key bucket. Lists\n" +
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
    about:
      'Encode a Kubernetes object (JSON or YAML, with kind and apiVersion) into the bytes\nkube-apiserver stores in etcd ("k8s\\0" + runtime.Unknown).',
  },
  help: {
    usage: ['kubetcd help [COMMAND]', 'kubetcd COMMAND --help'],
    about: "Every command and option, or one command's usage and options (-h works too).",
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
  {
    fields: ['skipHashCheck'],
    text: '--skip-hash-check     read a snapshot whose SHA-256 trailer does not match (as etcdutl calls it)',
  },
  {
    fields: ['endpoints'],
    text: '--endpoints LIST      live etcd, comma-separated host:port or URLs (default $ETCDCTL_ENDPOINTS,\n                      else 127.0.0.1:2379)',
  },
  { fields: ['cacert'], text: "--cacert FILE         CA certificate of etcd's server certificate ($ETCDCTL_CACERT)" },
  { fields: ['cert'], text: '--cert FILE           client certificate ($ETCDCTL_CERT)' },
  { fields: ['key'], text: '--key FILE            client private key ($ETCDCTL_KEY)' },
  {
    fields: ['user', 'password'],
    text: '--user NAME[:PASS]    etcd user ($ETCDCTL_USER); --password PASS ($ETCDCTL_PASSWORD)',
  },
  {
    fields: ['insecureSkipTlsVerify'],
    text: '--insecure-skip-tls-verify   skip the server name check ($ETCDCTL_INSECURE_SKIP_TLS_VERIFY)',
  },
  {
    fields: ['prefix'],
    text: "--prefix PREFIX       kube-apiserver's --etcd-prefix (default: detected, else /registry)",
  },
  { fields: ['revision'], text: '--revision N          read the state at this etcd revision (default: the latest)' },
];

/** The other options, by field; `-o` is written per command (its formats). */
const OPTION_HELP: ReadonlyArray<{ field: FlagField; text: string }> = [
  { field: 'namespace', text: '-n, --namespace NS    the namespace' },
  { field: 'allNamespaces', text: '-A, --all-namespaces  every namespace' },
  {
    field: 'labels',
    text: "-l, --selector SEL    label selector, kubectl's grammar (app=web,tier!=cache,env in (a,b))",
  },
  {
    field: 'fields',
    text: '--field-selector SEL  field selector on any dotted path (status.phase=Running,spec.nodeName=node-1)',
  },
  { field: 'limit', text: '--limit N             at most N results (objects or keys)' },
  { field: 'reveal', text: '--reveal              show Secret data (redacted by default)' },
  {
    field: 'now',
    text: '--now TIME            ages in tables as of TIME (RFC 3339, or "now" for this clock); default: now for\n                      a live etcd, the newest Lease renewal in a snapshot (said on stderr when old)',
  },
  {
    field: 'showManagedFields',
    text: '--show-managed-fields  -o json|yaml: keep metadata.managedFields (kubectl leaves them out)',
  },
  { field: 'by', text: '--by GROUP            group by resource (default), namespace, or list the largest objects' },
  { field: 'top', text: '--top N               only the N largest groups or objects' },
  {
    field: 'depth',
    text: '--depth N             tree: levels of path segments shown (default 2 in the table); owners: levels followed (default 10)',
  },
  {
    field: 'sortBy',
    text: '--sort-by JSONPATH    sort the objects by a field (.metadata.creationTimestamp, {.status.phase})',
  },
  { field: 'showLabels', text: '--show-labels         tables: a last LABELS column' },
  { field: 'labelColumns', text: '-L, --label-columns K tables: a column per label key (repeat or comma-separate)' },
  { field: 'noHeaders', text: '--no-headers          tables and custom-columns: no header line' },
  { field: 'fromRevision', text: '--from-revision R1    diff: read A (or the one source) at this revision' },
  {
    field: 'toRevision',
    text: '--to-revision R2      diff: read B (or the one source) at this revision (default: the latest)',
  },
  { field: 'all', text: '--all                 diff: keep managedFields, resourceVersion and heartbeat fields' },
  {
    field: 'sources',
    text: '--sources DIR[:DIR]   Kubernetes API sources to compile the schema from, one folder per version; each\n                      kind from the newest (default: $KUBETCD_K8S_SOURCES, else 1.36 and 1.32 as\n                      installed by "npm run setup")',
  },
];

/** Output formats shown in help (decode and encode check theirs when they run). */
const HELP_OUTPUTS: Record<string, readonly string[]> = {
  ...OUTPUTS,
  decode: ['json', 'yaml'],
  encode: ['binary', 'hex', 'base64'],
};

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
  'kubetcd diff ./before.db ./after.db -n shop',
  'kubetcd diff ./etcd-backup.db 127.0.0.1:2379',
  'kubetcd diff --snapshot ./etcd-backup.db --from-revision 1200 --to-revision 1400',
  'kubetcd churn --limit 10 --snapshot ./etcd-backup.db',
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
  const other = [
    output,
    ...OPTION_HELP.filter((o) => o.field !== 'allNamespaces').map((o) =>
      o.field === 'namespace' ? `${o.text}; -A, --all-namespaces: every namespace` : o.text,
    ),
  ];
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
    throw new InvalidArgumentError(
      `No help for ${JSON.stringify(command)}: not a command. Commands: ${COMMANDS.join(', ')}. "kubetcd help" shows them all.`,
    );
  }
  return commandHelp(command as (typeof COMMANDS)[number]);
}
