/**
 * Where the Kubernetes sources are: the kubetcd package folder, the installed source folders (one per
 * Kubernetes version), the k8s.io/api and k8s.io/apimachinery trees inside a folder, their package
 * folders, their version, and the stamps (sizes and mtimes) that vouch for a cached schema.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { SchemaError } from '../errors';

/** The Kubernetes versions proto/install.sh installs (proto/upstream/<version>), newest first. */
export const INSTALLED_KUBERNETES_VERSIONS: readonly string[] = ['1.36', '1.32'];

let repoRootCache: string | undefined;

/**
 * The kubetcd package folder (the nearest parent of this file whose package.json is named `kubetcd`).
 * @example
 * findRepoRoot() // '/work/main'
 */
export function findRepoRoot(): string {
  if (repoRootCache !== undefined) return repoRootCache;
  let dir = __dirname;
  for (;;) {
    const pj = path.join(dir, 'package.json');
    try {
      const json = JSON.parse(fs.readFileSync(pj, 'utf8')) as { name?: unknown };
      if (json.name === 'kubetcd') {
        repoRootCache = dir;
        return dir;
      }
    } catch {
      // not here
    }
    const up = path.dirname(dir);
    if (up === dir) {
      repoRootCache = path.resolve(__dirname, '..', '..');
      return repoRootCache;
    }
    dir = up;
  }
}

/** Where the two source trees are. */
export interface SourceTrees {
  root: string;
  api: string;
  apimachinery: string;
}

/** The SchemaError for a sources folder that lacks what a schema is compiled from. */
export function missingSources(dir: string, why: string): SchemaError {
  return new SchemaError(
    `Kubernetes sources not found in ${dir}: ${why}. Run \`bash proto/install.sh\` (or \`npm run setup\`) in the kubetcd folder, ` +
      'or set KUBETCD_K8S_SOURCES to a folder containing k8s.io/api and k8s.io/apimachinery.',
    { dir },
  );
}

/** Whether `p` is a folder (false when it does not exist). */
export function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** Finds k8s.io/api and k8s.io/apimachinery under (or at) `dir`, forgiving about the layout. */
export function locateTrees(dir: string): SourceTrees {
  const abs = path.resolve(dir);
  if (!isDir(abs)) throw missingSources(abs, 'the folder does not exist');
  const candidates = [
    abs,
    path.join(abs, 'src'),
    path.join(abs, 'staging', 'src'),
    path.join(abs, 'vendor'),
    path.join(abs, 'pkg', 'mod'),
    path.join(abs, 'usr', 'share', 'gocode', 'src'),
    path.join(abs, 'root', 'usr', 'share', 'gocode', 'src'),
  ];
  const pick = (base: string, name: string): string | undefined => {
    const plain = path.join(base, name);
    if (isDir(plain)) return plain;
    // Go module cache: k8s.io/api@v0.32.3
    try {
      const versions = fs
        .readdirSync(base)
        .filter((e) => e.startsWith(`${name}@`))
        .sort();
      const last = versions[versions.length - 1];
      if (last !== undefined) return path.join(base, last);
    } catch {
      // none
    }
    return undefined;
  };
  for (const c of candidates) {
    for (const k8s of [path.join(c, 'k8s.io'), c]) {
      if (!isDir(k8s)) continue;
      const api = pick(k8s, 'api');
      const apimachinery = pick(k8s, 'apimachinery');
      if (api !== undefined && apimachinery !== undefined && isDir(path.join(apimachinery, 'pkg'))) {
        return { root: abs, api, apimachinery };
      }
    }
  }
  // k8s.io/api itself (or k8s.io/api@vX in a module cache): apimachinery is its sibling
  const base = path.basename(abs);
  if ((base === 'api' || base.startsWith('api@')) && isDir(path.join(abs, 'core'))) {
    const parent = path.dirname(abs);
    const apimachinery = pick(parent, 'apimachinery');
    if (apimachinery !== undefined) return { root: abs, api: abs, apimachinery };
  }
  throw missingSources(abs, 'no k8s.io/api and k8s.io/apimachinery folders there');
}

/** Folders of a path-delimiter separated list (empty entries dropped). */
function splitSourceDirs(list: string): string[] {
  return list.split(path.delimiter).filter((d) => d !== '');
}

/**
 * The default sources folders, newest first: `$KUBETCD_K8S_SOURCES` (path-delimiter separated), else
 * the ones `proto/install.sh` fills (one per version of {@link INSTALLED_KUBERNETES_VERSIONS}).
 * @example
 * defaultSourcesDirs() // ['/work/main/proto/upstream/1.36/root/usr/share/gocode/src', '/work/main/proto/upstream/1.32/…']
 */
export function defaultSourcesDirs(): string[] {
  const env = process.env['KUBETCD_K8S_SOURCES'];
  const fromEnv = env !== undefined ? splitSourceDirs(env) : [];
  if (fromEnv.length > 0) return fromEnv;
  return INSTALLED_KUBERNETES_VERSIONS.map((v) => installedSourcesDir(v));
}

/**
 * The folder `proto/install.sh` unpacks one Kubernetes version's sources into.
 * @example
 * installedSourcesDir('1.32') // '/work/main/proto/upstream/1.32/root/usr/share/gocode/src'
 */
export function installedSourcesDir(version: string): string {
  return path.join(findRepoRoot(), 'proto', 'upstream', version, 'root', 'usr', 'share', 'gocode', 'src');
}

/**
 * The first (newest) of {@link defaultSourcesDirs}.
 * @example
 * defaultSourcesDir() // '/work/main/proto/upstream/1.36/root/usr/share/gocode/src'
 */
export function defaultSourcesDir(): string {
  return defaultSourcesDirs()[0] as string;
}

/** The folders of `sourcesDir` (or the defaults), resolved, in the order given. */
export function sourceDirsOf(sourcesDir: string | readonly string[] | undefined): string[] {
  if (sourcesDir === undefined) return defaultSourcesDirs().map((d) => path.resolve(d));
  let list: string[];
  if (typeof sourcesDir === 'string') list = splitSourceDirs(sourcesDir);
  else if (Array.isArray(sourcesDir) && sourcesDir.every((d) => typeof d === 'string' && d !== ''))
    list = [...sourcesDir];
  else list = [];
  if (list.length === 0) {
    throw new SchemaError(
      `No Kubernetes sources folder in sourcesDir: ${JSON.stringify(sourcesDir)}. Pass one or more folders holding ` +
        'k8s.io/api and k8s.io/apimachinery (an array, or one string joined with the path delimiter), or leave it out for the installed ones.',
      {},
    );
  }
  return list.map((d) => path.resolve(d));
}

/** One package folder holding a generated.proto, with the Go import path it stands for. */
export interface PackageDir {
  dir: string;
  importPath: string;
}

/** Every package folder of the two trees holding a generated.proto, sorted by import path. */
export function listPackageDirs(trees: SourceTrees): PackageDir[] {
  const out: PackageDir[] = [];
  const walk = (dir: string, importPath: string): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (e.isFile() && e.name === 'generated.proto') out.push({ dir, importPath });
    }
    for (const e of entries) {
      if (!e.isDirectory()) continue;
      if (e.name === 'testdata' || e.name === 'vendor' || e.name === 'third_party' || e.name.startsWith('.')) continue;
      walk(path.join(dir, e.name), `${importPath}/${e.name}`);
    }
  };
  walk(trees.api, 'k8s.io/api');
  walk(trees.apimachinery, 'k8s.io/apimachinery');
  out.sort((a, b) => (a.importPath < b.importPath ? -1 : a.importPath > b.importPath ? 1 : 0));
  return out;
}

/**
 * Files whose size and mtime vouch for a cached schema, in a fixed order: each package's
 * generated.proto, register.go and types*.go (where API structs live). Other .go files are parsed too,
 * but checking them all would double the cold-start cost; an added or removed file still shows in its
 * folder's mtime, and reinstalling the sources rewrites every file.
 */
export function sourceFiles(pkgs: PackageDir[]): string[] {
  const files: string[] = [];
  for (const p of pkgs) {
    files.push(path.join(p.dir, 'generated.proto'));
    for (const f of fs.readdirSync(p.dir).sort()) {
      if (f === 'register.go' || (f.startsWith('types') && f.endsWith('.go') && !f.endsWith('_test.go'))) {
        files.push(path.join(p.dir, f));
      }
    }
  }
  return files;
}

/** Sizes and mtimes of the files (and folders) a compiled schema came from. */
export interface Stamp {
  /** Folders walked, with mtimes (a new package changes its parent's mtime). */
  dirs: [string, number][];
  files: [string, number, number][];
}

/** The stamp of the given package folders and files, as they are now. */
export function takeStamp(pkgs: PackageDir[], trees: SourceTrees, files: string[]): Stamp {
  const dirSet = new Set<string>();
  for (const p of pkgs) {
    let d = p.dir;
    while (d.startsWith(trees.api) || d.startsWith(trees.apimachinery)) {
      if (dirSet.has(d)) break;
      dirSet.add(d);
      d = path.dirname(d);
    }
  }
  const dirs = [...dirSet].sort().map((d): [string, number] => [d, fs.statSync(d).mtimeMs]);
  const fileStats = files.map((f): [string, number, number] => {
    const st = fs.statSync(f);
    return [f, st.size, st.mtimeMs];
  });
  return { dirs, files: fileStats };
}

/** Whether every file and folder of `stamp` still has its size and mtime. */
export function stampStillValid(stamp: Stamp): boolean {
  try {
    for (const [d, m] of stamp.dirs) if (fs.statSync(d).mtimeMs !== m) return false;
    for (const [f, s, m] of stamp.files) {
      const st = fs.statSync(f);
      if (st.size !== s || st.mtimeMs !== m) return false;
    }
    return true;
  } catch {
    return false;
  }
}

/** What a source folder says about its version: the k8s.io/api version, when it names one. */
export interface SourceVersion {
  /** `k8s.io/api 0.36.4-1` (a Debian package), `k8s.io/api 0.36.4` (a Go module), or where it is. */
  description: string;
  /** k8s.io/api 0.MINOR.PATCH is Kubernetes 1.MINOR.PATCH. */
  minor?: number;
  patch?: number;
}

/**
 * The version of the k8s.io/api sources: from a Go module cache folder (`api@v0.36.4`), else from the
 * Debian changelog next to a Debian package's files (`usr/share/doc/golang-k8s-api-dev`, which
 * proto/install.sh unpacks too). Unknown for a plain checkout.
 */
export function sourceVersionOf(trees: SourceTrees): SourceVersion {
  const fromText = (text: string, what: string): SourceVersion | undefined => {
    const m = /^v?0\.(\d+)\.(\d+)/.exec(text);
    return m ? { description: `k8s.io/api ${what}`, minor: Number(m[1]), patch: Number(m[2]) } : undefined;
  };
  const at = path.basename(trees.api).split('@')[1];
  if (at !== undefined) {
    const v = fromText(at, at.replace(/^v/, ''));
    if (v !== undefined) return v;
  }
  // <share>/gocode/src/k8s.io/api → <share>/doc/golang-k8s-api-dev/changelog.Debian.gz
  const changelog = path.join(trees.api, '..', '..', '..', '..', 'doc', 'golang-k8s-api-dev', 'changelog.Debian.gz');
  try {
    const first = zlib.gunzipSync(fs.readFileSync(changelog)).toString('utf8').split('\n', 1)[0] ?? '';
    const m = /^\S+ \((?:\d+:)?([^)\s]+)\)/.exec(first);
    const v = m?.[1] !== undefined ? fromText(m[1], m[1]) : undefined;
    if (v !== undefined) return v;
  } catch {
    // not a Debian package
  }
  return { description: `k8s.io/api at ${trees.api}` };
}

/** One source folder, found and stamped (not compiled yet). */
export interface LocatedSource {
  dir: string;
  trees: SourceTrees;
  pkgs: PackageDir[];
  stamp: Stamp;
}

/** Finds the trees and package folders of one sources folder and stamps them. */
export function locateSource(dir: string): LocatedSource {
  const trees = locateTrees(dir);
  const pkgs = listPackageDirs(trees);
  if (pkgs.length === 0) throw missingSources(dir, 'no generated.proto files under k8s.io/api');
  return { dir, trees, pkgs, stamp: takeStamp(pkgs, trees, sourceFiles(pkgs)) };
}

/** The stamps of several sources as one (checked and fingerprinted together, in the order given). */
export function joinStamps(sources: LocatedSource[]): Stamp {
  if (sources.length === 1) return (sources[0] as LocatedSource).stamp;
  return { dirs: sources.flatMap((s) => s.stamp.dirs), files: sources.flatMap((s) => s.stamp.files) };
}
