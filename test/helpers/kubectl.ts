/**
 * kubectl 1.36.4's own printers, run locally on files (no server: KUBECONFIG=/dev/null, --local), as the
 * reference for `-o json|yaml`. scripts/setup-kubectl.sh unpacks the binary into .cache/kubectl
 * (KUBETCD_KUBECTL_BIN overrides it).
 * - One object: `kubectl patch --local -f OBJ.json --type merge -p '{}' -o json|yaml` prints it as
 *   `kubectl get KIND NAME -o json|yaml` would.
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
export const KUBECTL_BIN = process.env['KUBETCD_KUBECTL_BIN'] ?? path.join(repoRoot(), '.cache', 'kubectl', 'usr', 'bin', 'kubectl');

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

function printFlags(output: 'json' | 'yaml', options: KubectlPrintOptions): string[] {
  return ['-o', output, ...(options.showManagedFields === true ? ['--show-managed-fields'] : [])];
}

/**
 * What kubectl prints for one object given as the API server's JSON text.
 * @example
 * const text = await kubectlPrint(toKubeJson(object), 'yaml');
 */
export function kubectlPrint(objectJson: string, output: 'json' | 'yaml', options: KubectlPrintOptions = {}): Promise<string> {
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
export function kubectlPrintList(itemJsons: readonly string[], output: 'json' | 'yaml', options: KubectlPrintOptions = {}): Promise<string> {
  return withDir(async (dir) => {
    const seed = path.join(dir, 'seed.json');
    fs.writeFileSync(seed, `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"kubetcd-list-seed"},"kubetcdItems":[${itemJsons.join(',')}]}`);
    const patch = path.join(dir, 'patch.json');
    fs.writeFileSync(
      patch,
      '[{"op":"replace","path":"/kind","value":"List"},{"op":"replace","path":"/metadata","value":{"resourceVersion":""}},' +
        '{"op":"move","from":"/kubetcdItems","path":"/items"}]',
    );
    return runKubectl(['patch', '--local', '-f', seed, '--type', 'json', '--patch-file', patch, ...printFlags(output, options)]);
  });
}
