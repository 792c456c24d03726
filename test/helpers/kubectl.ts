/**
 * kubectl 1.36.4's own printers, run locally on files (no server: KUBECONFIG=/dev/null, --local), as the
 * reference for `-o json|yaml`. scripts/setup-kubectl.sh unpacks the binary into .cache/kubectl
 * (KUBETCD_KUBECTL_BIN overrides it).
 * - One object: `kubectl patch --local -f OBJ.json --type merge -p '{}' -o json|yaml|jsonpath=…` prints
 *   it as `kubectl get KIND NAME -o …` would.
 * - A List: kubectl flattens a List file into its items, so the List is made by kubectl itself: the seed
 *   file is one object holding the items under another name, and a JSON patch (`--type json`) renames
 *   the kind to List, sets `metadata` to `{"resourceVersion": ""}` and moves the items to `items`; kubectl
 *   reads the result back as an unstructured list and prints it with the printer `kubectl get` prints
 *   lists with (managedFields of each item left out unless --show-managed-fields). The items stay in the
 *   file, which kubectl reads as JSON: the patch itself goes through kubectl's YAML-to-JSON step, which
 *   would change some strings (a U+0085 folds to a space) before printing.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

function repoRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}

/** The kubectl binary the tests use. */
export const KUBECTL_BIN =
  process.env['KUBETCD_KUBECTL_BIN'] ?? path.join(repoRoot(), '.cache', 'kubectl', 'usr', 'bin', 'kubectl');

/** Options of {@link kubectlPrint} and {@link kubectlPrintList}. */
export interface KubectlPrintOptions {
  showManagedFields?: boolean;
}

function runKubectl(args: string[]): Promise<string> {
  if (!fs.existsSync(KUBECTL_BIN)) {
    throw new Error(`kubectl 1.36.4 is not installed: ${KUBECTL_BIN} is missing. Run: bash scripts/setup-kubectl.sh`);
  }
  return new Promise((resolve, reject) => {
    const env = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', KUBECONFIG: '/dev/null', HOME: os.tmpdir() };
    execFile(KUBECTL_BIN, args, { env, maxBuffer: 256 << 20 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`kubectl ${args.join(' ')} failed: ${stderr || error.message}`));
      else resolve(stdout);
    });
  });
}

async function withDir<T>(run: (dir: string) => Promise<T>): Promise<T> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubetcd-kubectl-'));
  try {
    return await run(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** `-o` values kubectl prints locally: json, yaml, name, jsonpath=…, jsonpath-as-json=…. */
export type KubectlLocalOutput = 'json' | 'yaml' | 'name' | `jsonpath=${string}` | `jsonpath-as-json=${string}`;

function printFlags(output: KubectlLocalOutput, options: KubectlPrintOptions): string[] {
  return ['-o', output, ...(options.showManagedFields === true ? ['--show-managed-fields'] : [])];
}

/**
 * What kubectl prints for one object given as the API server's JSON text.
 * @example
 * const text = await kubectlPrint(toKubeJson(object), 'yaml');
 */
export function kubectlPrint(
  objectJson: string,
  output: KubectlLocalOutput,
  options: KubectlPrintOptions = {},
): Promise<string> {
  return withDir(async (dir) => {
    const file = path.join(dir, 'object.json');
    fs.writeFileSync(file, objectJson);
    return runKubectl(['patch', '--local', '-f', file, '--type', 'merge', '-p', '{}', ...printFlags(output, options)]);
  });
}

/**
 * What kubectl prints for a List of these objects (each given as the API server's JSON text), as
 * `kubectl get` prints several objects.
 * @example
 * const text = await kubectlPrintList(items.map((o) => toKubeJson(o)), 'json');
 */
export function kubectlPrintList(
  itemJsons: readonly string[],
  output: KubectlLocalOutput,
  options: KubectlPrintOptions = {},
): Promise<string> {
  return withDir(async (dir) => {
    const seed = path.join(dir, 'seed.json');
    fs.writeFileSync(
      seed,
      `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"kubetcd-list-seed"},"kubetcdItems":[${itemJsons.join(',')}]}`,
    );
    const patch = path.join(dir, 'patch.json');
    fs.writeFileSync(
      patch,
      '[{"op":"replace","path":"/kind","value":"List"},{"op":"replace","path":"/metadata","value":{"resourceVersion":""}},' +
        '{"op":"move","from":"/kubetcdItems","path":"/items"}]',
    );
    return runKubectl([
      'patch',
      '--local',
      '-f',
      seed,
      '--type',
      'json',
      '--patch-file',
      patch,
      ...printFlags(output, options),
    ]);
  });
}

/** The resource a {@link kubectlGet} stand-in server serves. */
export interface ServedResource {
  /** Plural storage name (`pods`). */
  resource: string;
  kind: string;
  /** '' for the core group. */
  group: string;
  version: string;
  namespaced: boolean;
}

/**
 * A table the stand-in server hands kubectl when it asks for one (as the API server prints tables), one
 * row per object in order: kubectl then adds what it adds itself (`-L`, `--show-labels` from each row's
 * object metadata, `--no-headers`).
 */
export interface ServedTable {
  columns: readonly string[];
  rows: ReadonlyArray<readonly string[]>;
}

/**
 * What `kubectl get ARGS` prints with its client-side printers (`-o custom-columns`, `-o jsonpath`,
 * `--sort-by`, `--no-headers`) for these objects (the API server's JSON text of each). kubectl talks to a
 * stand-in HTTP server on 127.0.0.1 that only hands out what an API server would for them: discovery
 * naming the one resource, the list (`kind: <Kind>List`, `metadata.resourceVersion`) and each object by
 * name. Tables are not served (kubectl asks the server for those), so this is for client-side printers.
 * @example
 * const text = await kubectlGet(texts, { resource: 'pods', kind: 'Pod', group: '', version: 'v1', namespaced: true }, ['pods', '-n', 'shop', '-o', 'custom-columns=NAME:.metadata.name']);
 */
export async function kubectlGet(
  objectJsons: readonly string[],
  served: ServedResource,
  args: readonly string[],
  listRevision = '1',
  table?: ServedTable,
): Promise<string> {
  const http = await import('node:http');
  const objects = objectJsons.map((t) => JSON.parse(t) as { metadata: { name: string; namespace?: string } });
  const gv = served.group === '' ? served.version : `${served.group}/${served.version}`;
  const base = served.group === '' ? `/api/${served.version}` : `/apis/${served.group}/${served.version}`;
  const json = (res: import('node:http').ServerResponse, code: number, body: unknown): void => {
    res.writeHead(code, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const p = url.pathname;
    if (p === '/api') return json(res, 200, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] });
    if (p === '/apis') {
      const groups =
        served.group === ''
          ? []
          : [
              {
                name: served.group,
                versions: [{ groupVersion: gv, version: served.version }],
                preferredVersion: { groupVersion: gv, version: served.version },
              },
            ];
      return json(res, 200, { kind: 'APIGroupList', apiVersion: 'v1', groups });
    }
    if (p === base) {
      const singularName = served.kind.toLowerCase();
      return json(res, 200, {
        kind: 'APIResourceList',
        groupVersion: gv,
        resources: [
          {
            name: served.resource,
            singularName,
            namespaced: served.namespaced,
            kind: served.kind,
            verbs: ['get', 'list'],
          },
        ],
      });
    }
    const m = served.namespaced
      ? new RegExp(`^${base}/namespaces/([^/]+)/${served.resource}(?:/([^/]+))?$`).exec(p)
      : new RegExp(`^${base}/${served.resource}(?:/([^/]+))?$`).exec(p);
    const all = new RegExp(`^${base}/${served.resource}$`).test(p);
    if (m !== null || all) {
      const ns = served.namespaced && !all ? decodeURIComponent(m?.[1] ?? '') : undefined;
      const name = m !== null ? (served.namespaced ? m[2] : m[1]) : undefined;
      const inNs = objects.filter((o) => ns === undefined || o.metadata.namespace === ns);
      const chosen = objectJsons.filter((_, i) => inNs.includes(objects[i] as (typeof objects)[number]));
      if (name !== undefined) {
        const i = objects.findIndex((o) => inNs.includes(o) && o.metadata.name === decodeURIComponent(name));
        if (i < 0)
          return json(res, 404, {
            kind: 'Status',
            apiVersion: 'v1',
            status: 'Failure',
            reason: 'NotFound',
            code: 404,
            message: `${served.resource} "${name}" not found`,
          });
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end(objectJsons[i]);
      }
      if (table !== undefined && /as=Table/.test(req.headers.accept ?? '')) {
        const rows = table.rows.map((cells, i) => ({
          cells,
          object: {
            kind: 'PartialObjectMetadata',
            apiVersion: 'meta.k8s.io/v1',
            metadata: (JSON.parse(objectJsons[i] as string) as { metadata: unknown }).metadata,
          },
        }));
        const columnDefinitions = table.columns.map((name, i) => ({
          name,
          type: 'string',
          format: i === 0 ? 'name' : '',
          description: '',
          priority: 0,
        }));
        return json(res, 200, {
          kind: 'Table',
          apiVersion: 'meta.k8s.io/v1',
          metadata: { resourceVersion: listRevision },
          columnDefinitions,
          rows,
        });
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(
        `{"kind":"${served.kind}List","apiVersion":"${gv}","metadata":{"resourceVersion":"${listRevision}"},"items":[${chosen.join(',')}]}`,
      );
    }
    return json(res, 404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404 });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const port = (server.address() as { port: number }).port;
    return await runKubectlAsync(['--server', `http://127.0.0.1:${port}`, 'get', ...args]);
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

function runKubectlAsync(args: string[]): Promise<string> {
  return runKubectl(args);
}
