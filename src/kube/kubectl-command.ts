/**
 * A `kubectl get` command line run over etcd: parsed (shell-like quoting), answered with list()/get(),
 * and explained as the etcd reads it maps to.
 */
import { toKubectlJson, toKubectlYaml, type KubectlItem } from '../codec/kubectl-format';
import type { KubeObject } from '../codec/types';
import { InvalidArgumentError } from '../errors';
import { keyFor } from './keys';
import type { KubeClient, KubeGetResult, KubeList, ListOptions } from './kube-client';

/** The output formats of `-o`. */
export type KubectlOutput = 'json' | 'yaml' | 'wide' | 'name';

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
}

/** The result of {@link runKubectl}. */
export interface KubectlResult {
  /** The parsed command. */
  command: KubectlCommand;
  /** A list (no names given) or one get result per name, in order. */
  result: KubeList | KubeGetResult[];
  /** The etcd reads it maps to; lines starting with `#` describe filtering done after the read. */
  etcdctl: string[];
  /** The printed output for `-o json`, `yaml` and `name` (tables are left to the renderer). */
  output?: string;
}

const SUPPORTED =
  'Supported: kubectl get RESOURCE [NAME...] | TYPE/NAME... [-n NS | --namespace NS | -A | --all-namespaces] [-l SELECTOR] ' +
  '[--field-selector SELECTOR] [-o json|yaml|wide|name] [--show-managed-fields].';
const OUTPUTS: readonly KubectlOutput[] = ['json', 'yaml', 'wide', 'name'];

/**
 * Splits a command line into words as a POSIX shell would: blanks separate words, `'…'` is literal,
 * `"…"` allows `\"`, `\\`, `\$` and `` \` `` escapes, and a backslash outside quotes escapes the next character.
 * @example
 * splitCommandLine(`get pods -l 'app in (a, b)'`) // ['get', 'pods', '-l', 'app in (a, b)']
 */
export function splitCommandLine(line: string): string[] {
  if (typeof line !== 'string') {
    throw new InvalidArgumentError(`Invalid command: ${JSON.stringify(line)}. Pass a string such as "get pods -n default".`);
  }
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let i = 0;
  while (i < line.length) {
    const c = line[i] as string;
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new InvalidArgumentError(`Unterminated single quote at offset ${i} in ${JSON.stringify(line)}. Close the quote.`);
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
      if (!closed) throw new InvalidArgumentError(`Unterminated double quote in ${JSON.stringify(line)}. Close the quote.`);
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
  if (verb === undefined) throw new InvalidArgumentError(`Empty kubectl command: ${JSON.stringify(line)}. ${SUPPORTED}`);
  if (verb !== 'get') {
    throw new InvalidArgumentError(`Unsupported kubectl verb: ${JSON.stringify(verb)}. Only reads are possible over etcd data. ${SUPPORTED}`);
  }
  const positional: string[] = [];
  const cmd: KubectlCommand = { verb: 'get', resource: '', names: [], allNamespaces: false };
  let i = 0;
  const valueOf = (flag: string, inline: string | undefined): string => {
    if (inline !== undefined) return inline;
    const v = words[i++];
    if (v === undefined) throw new InvalidArgumentError(`Flag ${flag} needs a value. ${SUPPORTED}`);
    return v;
  };
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
    let flag = w;
    let inline: string | undefined;
    const eq = w.indexOf('=');
    if (w.startsWith('--') && eq > 0) {
      flag = w.slice(0, eq);
      inline = w.slice(eq + 1);
    } else if (!w.startsWith('--') && w.length > 2) {
      // -ndefault, -n=default, -oname
      flag = w.slice(0, 2);
      inline = w.slice(2).replace(/^=/, '');
    }
    switch (flag) {
      case '-n':
      case '--namespace':
        cmd.namespace = valueOf(flag, inline);
        break;
      case '-A':
      case '--all-namespaces':
        if (inline !== undefined && inline !== 'true') throw new InvalidArgumentError(`Flag ${flag} takes no value (got ${JSON.stringify(inline)}). ${SUPPORTED}`);
        cmd.allNamespaces = true;
        break;
      case '-l':
      case '--selector':
        cmd.labels = valueOf(flag, inline);
        break;
      case '--field-selector':
        cmd.fields = valueOf(flag, inline);
        break;
      case '--show-managed-fields':
        if (inline !== undefined && inline !== 'true' && inline !== 'false') {
          throw new InvalidArgumentError(`Flag ${flag} takes true or false (got ${JSON.stringify(inline)}). ${SUPPORTED}`);
        }
        cmd.showManagedFields = inline !== 'false';
        break;
      case '-o':
      case '--output': {
        const o = valueOf(flag, inline);
        if (!(OUTPUTS as readonly string[]).includes(o)) {
          throw new InvalidArgumentError(`Unsupported output format: ${JSON.stringify(o)}. Pass -o with one of ${OUTPUTS.join(', ')}.`);
        }
        cmd.output = o as KubectlOutput;
        break;
      }
      default:
        throw new InvalidArgumentError(`Unknown flag: ${JSON.stringify(w)}. ${SUPPORTED}`);
    }
  }
  if (positional.length > 0 && positional.every((p) => p.includes('/'))) {
    // TYPE/NAME form: `get pod/web pod/db` (one resource at a time).
    const types = [...new Set(positional.map((p) => p.slice(0, p.indexOf('/'))))];
    if (types.length > 1) {
      throw new InvalidArgumentError(
        `Several resources in ${JSON.stringify(line)} (${types.join(', ')}): kubetcd answers one resource at a time. Run one command per resource.`,
      );
    }
    const bad = positional.find((p) => p.indexOf('/') === 0 || p.endsWith('/') || p.split('/').length !== 2);
    if (bad !== undefined) throw new InvalidArgumentError(`Invalid TYPE/NAME: ${JSON.stringify(bad)}. Pass it as pod/web.`);
    positional.splice(0, positional.length, types[0] as string, ...positional.map((p) => p.slice(p.indexOf('/') + 1)));
  } else if (positional.slice(1).some((p) => p.includes('/'))) {
    throw new InvalidArgumentError(`Mixed RESOURCE NAME and TYPE/NAME forms in ${JSON.stringify(line)}: use one form. ${SUPPORTED}`);
  }
  const resource = positional.shift();
  if (resource === undefined) throw new InvalidArgumentError(`kubectl get needs a resource (such as "pods"). ${SUPPORTED}`);
  cmd.resource = resource;
  cmd.names = positional;
  if (cmd.names.length > 0 && (cmd.labels !== undefined || cmd.fields !== undefined)) {
    throw new InvalidArgumentError(`Names and selectors cannot be combined in ${JSON.stringify(line)}: drop the names or the -l/--field-selector.`);
  }
  if (cmd.names.length > 0 && cmd.allNamespaces) {
    throw new InvalidArgumentError(`A resource cannot be retrieved by name across all namespaces (${JSON.stringify(line)}): use -n NAMESPACE instead of -A.`);
  }
  return cmd;
}

function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * Runs a `kubectl get` command line over a KubeClient: the list or objects it names, the etcd reads it
 * maps to, and the printed output for `-o json|yaml|name` exactly as kubectl 1.36 prints it (keys sorted,
 * managedFields left out unless `--show-managed-fields`, `metadata.resourceVersion` the mod revision).
 * @example
 * const r = await runKubectl(k, 'get deploy -n default -l app=web');
 * r.etcdctl // ['etcdctl get --prefix /registry/deployments/default/', '# then keep objects whose labels match app=web']
 */
export async function runKubectl(client: KubeClient, line: string): Promise<KubectlResult> {
  const cmd = parseKubectlCommand(line);
  const info = client.resolve(cmd.resource);
  const namespace = info.namespaced ? (cmd.allNamespaces ? undefined : (cmd.namespace ?? 'default')) : undefined;
  const typeName = info.group === '' ? info.kind.toLowerCase() : `${info.kind.toLowerCase()}.${info.group}`;
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
    const list = await client.list(cmd.resource, options);
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
      gets.push(await client.get(cmd.resource, name, namespace !== undefined ? { namespace } : {}));
    }
    result = gets;
    objects = gets.flatMap((g) => (g.object !== undefined ? [g.object] : []));
    printedItems = gets.filter((g) => g.object !== undefined);
  }
  const out: KubectlResult = { command: cmd, result, etcdctl };
  // One name: the object itself; otherwise kubectl's List. Keys sorted, managedFields left out unless
  // --show-managed-fields, metadata.resourceVersion the record's mod revision (see kubectl-format.ts).
  const single = cmd.names.length === 1 ? printedItems[0] : undefined;
  const printed = single ?? printedItems;
  const formatOptions = cmd.showManagedFields === true ? { showManagedFields: true } : {};
  if (cmd.output === 'json') out.output = toKubectlJson(printed, formatOptions);
  else if (cmd.output === 'yaml') out.output = toKubectlYaml(printed, formatOptions);
  else if (cmd.output === 'name') {
    out.output = objects.map((o) => `${typeName}/${String((o.metadata as { name?: unknown } | undefined)?.name ?? '')}\n`).join('');
  }
  return out;
}
