/**
 * Compiles the {@link CompiledSchema} from installed Kubernetes sources (every `generated.proto` of
 * k8s.io/api and k8s.io/apimachinery joined with the Go structs next to it), caches it as JSON under
 * `<repo>/proto/cache/`, and loads it back quickly.
 *
 * Several source folders (one per Kubernetes version) compile into one schema: each kind comes from the
 * newest version that has it, and decodes with that version's messages only. The newest version's
 * messages keep their protobuf names; an older version's are kept (only those its winning kinds reach)
 * under a prefix naming the version (`1.32/k8s.io.api.autoscaling.v2beta1.HorizontalPodAutoscaler`).
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SchemaError } from '../errors';
import { goTagValue, goTypeText, parseGoTypes, type GoField, type GoFileTypes, type GoType } from './go-types';
import type { ProtoFieldDef, ProtoFileDef } from './proto-gateway';
import {
  defaultSourcesDirs,
  findRepoRoot,
  isDir,
  joinStamps,
  locateSource,
  sourceDirsOf,
  sourceVersionOf,
  stampStillValid,
  type LocatedSource,
  type PackageDir,
  type SourceVersion,
  type Stamp,
} from './schema-sources';
import type {
  CompiledSchema,
  ScalarType,
  SchemaField,
  SchemaKind,
  SchemaMessage,
  SchemaSource,
  SpecialKind,
} from './schema-types';

export {
  defaultSourcesDir,
  defaultSourcesDirs,
  findRepoRoot,
  INSTALLED_KUBERNETES_VERSIONS,
  installedSourcesDir,
} from './schema-sources';

/** Bump when the compiled structure or the compiler's rules change: caches are rebuilt. */
export const SCHEMA_FORMAT_VERSION = 6;

/** Options of {@link loadSchema} and {@link compileSchema}. */
export interface SchemaOptions {
  /**
   * Folders holding the Kubernetes sources, one per Kubernetes version: each contains `k8s.io/api` and
   * `k8s.io/apimachinery` (a GOPATH `src`, a Go module cache, a Kubernetes checkout's `staging/src`), or
   * is `k8s.io` itself. An array, or one string of folders joined with the platform's path delimiter
   * (`:` on Linux). They compile into one schema where each kind comes from the newest version that has
   * it (newest by the k8s.io/api version the folder names; folders that name none keep the order given).
   * Default: `$KUBETCD_K8S_SOURCES` (path-delimiter separated), else the folders `proto/install.sh`
   * fills, `<repo>/proto/upstream/<version>/root/usr/share/gocode/src` for 1.36 and 1.32.
   */
  sourcesDir?: string | readonly string[];
  /** Where cached schemas live. Default `<repo>/proto/cache`; `false` disables the cache. */
  cacheDir?: string | false;
}

const SCALARS = new Set<string>([
  'double',
  'float',
  'int32',
  'int64',
  'uint32',
  'uint64',
  'sint32',
  'sint64',
  'fixed32',
  'fixed64',
  'sfixed32',
  'sfixed64',
  'bool',
  'string',
  'bytes',
]);

const SPECIAL_BY_NAME: Record<string, SpecialKind> = {
  'k8s.io.apimachinery.pkg.apis.meta.v1.Time': 'Time',
  'k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime': 'MicroTime',
  'k8s.io.apimachinery.pkg.apis.meta.v1.Duration': 'Duration',
  'k8s.io.apimachinery.pkg.apis.meta.v1.FieldsV1': 'FieldsV1',
  'k8s.io.apimachinery.pkg.util.intstr.IntOrString': 'IntOrString',
  'k8s.io.apimachinery.pkg.api.resource.Quantity': 'Quantity',
  'k8s.io.apimachinery.pkg.runtime.RawExtension': 'RawExtension',
};

const TYPE_META_PKG = 'k8s.io/apimachinery/pkg/apis/meta/v1';

function fingerprintOf(stamp: Stamp): string {
  const h = crypto.createHash('sha256');
  h.update(`format ${SCHEMA_FORMAT_VERSION}\n`);
  for (const [f, s, m] of stamp.files) h.update(`${f}\0${s}\0${m}\n`);
  for (const [d] of stamp.dirs) h.update(`${d}\n`);
  return h.digest('hex').slice(0, 16);
}

// ---------------------------------------------------------------------------------------------
// Compilation

interface GoPackageInfo {
  /** Struct and named types declared in the package (merged over files). */
  types: Record<string, GoType>;
  /** For each declared type name, the file's imports (to resolve `pkg.Name`). */
  importsOf: Record<string, Record<string, string>>;
  groupName?: string;
}

function readGoPackage(dir: string): GoPackageInfo {
  const info: GoPackageInfo = { types: {}, importsOf: {} };
  for (const f of fs.readdirSync(dir).sort()) {
    if (!f.endsWith('.go') || f.endsWith('_test.go')) continue;
    let parsed: GoFileTypes;
    try {
      parsed = parseGoTypes(fs.readFileSync(path.join(dir, f), 'utf8'));
    } catch {
      continue;
    }
    for (const [name, t] of Object.entries(parsed.types)) {
      info.types[name] = t;
      info.importsOf[name] = parsed.imports;
    }
    if (parsed.groupName !== undefined && (f === 'register.go' || info.groupName === undefined)) {
      info.groupName = parsed.groupName;
    }
  }
  return info;
}

/** Resolves a Go type through named types to see if it is a slice or map (can be nil). */
function goNullable(
  t: GoType,
  pkgPath: string,
  imports: Record<string, string>,
  goPkgs: Map<string, GoPackageInfo>,
  depth = 0,
): boolean {
  if (depth > 8) return false;
  switch (t.kind) {
    case 'pointer':
    case 'slice':
    case 'map':
      return true;
    case 'name': {
      const targetPath = t.pkg !== undefined ? imports[t.pkg] : pkgPath;
      if (targetPath === undefined) return false;
      const pkg = goPkgs.get(targetPath);
      const decl = pkg?.types[t.name];
      if (decl === undefined || pkg === undefined) return false;
      return goNullable(decl, targetPath, pkg.importsOf[t.name] ?? {}, goPkgs, depth + 1);
    }
    default:
      return false;
  }
}

/** Follows `type A pkg.B` declarations to the struct (or other type) they name. */
function resolveNamedStruct(
  decl: GoType | undefined,
  pkgPath: string,
  imports: Record<string, string>,
  goPkgs: Map<string, GoPackageInfo>,
): { type: GoType | undefined; pkgPath: string; imports: Record<string, string> } {
  let cur = { type: decl, pkgPath, imports };
  for (let i = 0; i < 5 && cur.type !== undefined && cur.type.kind === 'name'; i++) {
    const t: { pkg?: string; name: string } = cur.type;
    const target = t.pkg !== undefined ? cur.imports[t.pkg] : cur.pkgPath;
    const pkg = target !== undefined ? goPkgs.get(target) : undefined;
    const next = pkg?.types[t.name];
    if (pkg === undefined || target === undefined || next === undefined) break;
    cur = { type: next, pkgPath: target, imports: pkg.importsOf[t.name] ?? {} };
  }
  return cur;
}

function resolveProtoType(type: string, pkg: string, known: Set<string>): string {
  const t = type.startsWith('.') ? type.slice(1) : type;
  if (known.has(`${pkg}.${t}`)) return `${pkg}.${t}`;
  if (known.has(t)) return t;
  // relative lookup walking up the package
  const parts = pkg.split('.');
  while (parts.length > 0) {
    parts.pop();
    const cand = parts.length ? `${parts.join('.')}.${t}` : t;
    if (known.has(cand)) return cand;
  }
  return t;
}

function fieldFromProto(
  def: ProtoFieldDef,
  pkg: string,
  known: Set<string>,
): Pick<SchemaField, 'number' | 'type' | 'message' | 'repeated' | 'mapKey' | 'mapValue' | 'mapValueMessage'> {
  const out: Pick<SchemaField, 'number' | 'type' | 'message' | 'repeated' | 'mapKey' | 'mapValue' | 'mapValueMessage'> =
    {
      number: def.number,
      type: 'message',
      repeated: def.repeated,
    };
  if (def.mapKey !== undefined) {
    out.type = 'map';
    out.repeated = false;
    out.mapKey = (SCALARS.has(def.mapKey) ? def.mapKey : 'string') as ScalarType;
    if (SCALARS.has(def.type)) out.mapValue = def.type as ScalarType;
    else {
      out.mapValue = 'message';
      out.mapValueMessage = resolveProtoType(def.type, pkg, known);
    }
  } else if (SCALARS.has(def.type)) {
    out.type = def.type as ScalarType;
  } else {
    out.message = resolveProtoType(def.type, pkg, known);
  }
  return out;
}

function parseProtobufTag(tag: string): { number: number; name?: string } | undefined {
  const v = goTagValue(tag, 'protobuf');
  if (v === undefined || v === '-') return undefined;
  const parts = v.split(',');
  const n = Number(parts[1]);
  if (!Number.isInteger(n) || n <= 0) return undefined;
  const nameOpt = parts.find((p) => p.startsWith('name='));
  return nameOpt !== undefined ? { number: n, name: nameOpt.slice(5) } : { number: n };
}

function isTypeMetaEmbed(f: GoField, imports: Record<string, string>, pkgPath: string): boolean {
  if (f.name !== undefined) return false;
  const t = f.type;
  if (t.kind !== 'name' || t.name !== 'TypeMeta') return false;
  const p = t.pkg !== undefined ? imports[t.pkg] : pkgPath;
  if (p !== TYPE_META_PKG) return false;
  const json = goTagValue(f.tag, 'json');
  return json === undefined || json.split(',')[0] === '';
}

interface CompileInput {
  pkgs: PackageDir[];
  protos: Map<string, ProtoFileDef>;
  goPkgs: Map<string, GoPackageInfo>;
}

function compileFrom(input: CompileInput, source: CompiledSchema['source']): CompiledSchema {
  const { pkgs, protos, goPkgs } = input;
  const known = new Set<string>();
  for (const def of protos.values()) for (const m of def.messages) known.add(m.name);

  const messages: Record<string, SchemaMessage> = {};
  const kinds: Record<string, SchemaKind> = {};

  for (const p of pkgs) {
    const def = protos.get(p.importPath);
    const goPkg = goPkgs.get(p.importPath);
    if (def === undefined || goPkg === undefined) continue;
    const version = path.basename(p.dir);
    for (const pm of def.messages) {
      const shortName = pm.name.slice(def.package.length + 1);
      const msg: SchemaMessage = { name: pm.name, goPackage: p.importPath, fields: [] };
      const special = SPECIAL_BY_NAME[pm.name];
      // `type MatchCondition v1.MatchCondition`, `type List metav1.List`: use the named struct's fields
      const resolved = resolveNamedStruct(
        goPkg.types[shortName],
        p.importPath,
        goPkg.importsOf[shortName] ?? {},
        goPkgs,
      );
      const goDecl = resolved.type;
      const imports = resolved.imports;
      const goPkgPath = resolved.pkgPath;
      const protoByNumber = new Map<number, ProtoFieldDef>();
      for (const f of pm.fields) protoByNumber.set(f.number, f);

      const plain = (f: ProtoFieldDef, goType = ''): SchemaField => ({
        name: f.name,
        ...fieldFromProto(f, def.package, known),
        omitEmpty: false,
        nullable: f.repeated || f.mapKey !== undefined || f.type === 'bytes',
        pointer: false,
        inline: false,
        goType,
      });

      if (special !== undefined) {
        msg.special = special;
        msg.fields = pm.fields.map((f) => plain(f));
      } else if (
        pm.fields.length === 1 &&
        pm.fields[0]?.name === 'items' &&
        pm.fields[0].repeated &&
        goDecl !== undefined &&
        goDecl.kind === 'slice'
      ) {
        msg.special = 'ListWrapper';
        msg.fields = pm.fields.map((f) => plain(f, goTypeText(goDecl)));
      } else if (goDecl !== undefined && goDecl.kind === 'struct') {
        const used = new Set<number>();
        for (const gf of goDecl.fields) {
          if (isTypeMetaEmbed(gf, imports, goPkgPath) && parseProtobufTag(gf.tag) === undefined) {
            msg.typeMetaAt = msg.fields.length;
            continue;
          }
          const pt = parseProtobufTag(gf.tag);
          if (pt === undefined) continue;
          const pf = protoByNumber.get(pt.number);
          if (pf === undefined) continue;
          const jsonTag = goTagValue(gf.tag, 'json');
          const jsonParts = (jsonTag ?? '').split(',');
          const jsonName = jsonParts[0] ?? '';
          if (jsonName === '-' && jsonParts.length === 1) continue;
          const embedded = gf.name === undefined;
          const inline = embedded && jsonName === '';
          const goName =
            gf.name ??
            (gf.type.kind === 'pointer' ? goTypeText(gf.type.elem) : goTypeText(gf.type)).replace(/^.*\./, '');
          const pointer = gf.type.kind === 'pointer';
          used.add(pt.number);
          msg.fields.push({
            name: inline ? pf.name : jsonName !== '' ? jsonName : goName,
            ...fieldFromProto(pf, def.package, known),
            omitEmpty: jsonParts.includes('omitempty'),
            ...(jsonParts.slice(1).includes('omitzero') ? { omitZero: true } : {}),
            nullable: goNullable(gf.type, goPkgPath, imports, goPkgs),
            pointer,
            inline,
            goType: goTypeText(gf.type),
          });
        }
        const protoOnly = pm.fields.filter((f) => !used.has(f.number)).map((f) => plain(f));
        if (protoOnly.length > 0) msg.protoOnly = protoOnly;
      } else {
        // No Go struct found: fall back to the .proto alone.
        msg.fields = pm.fields.map((f) => plain(f));
      }
      messages[pm.name] = msg;

      if (msg.typeMetaAt !== undefined && goPkg.groupName !== undefined) {
        const group = goPkg.groupName;
        const apiVersion = group === '' ? version : `${group}/${version}`;
        kinds[`${apiVersion}/${shortName}`] = { group, version, kind: shortName, apiVersion, message: pm.name };
      }
    }
  }
  return { formatVersion: SCHEMA_FORMAT_VERSION, source, messages, kinds };
}

/** Compiles one source folder on its own (message names unprefixed, kinds without schemaVersion). */
function compileSource(src: LocatedSource, description: string): CompiledSchema {
  // protobufjs takes ~150 ms to load: only when compiling, never on the cached path.
  // (a require, not an import, so that it loads here and not with this module)
  const { parseProtoText } = require('./proto-gateway') as typeof import('./proto-gateway');
  const protos = new Map<string, ProtoFileDef>();
  const goPkgs = new Map<string, GoPackageInfo>();
  for (const p of src.pkgs) {
    const file = path.join(p.dir, 'generated.proto');
    protos.set(p.importPath, parseProtoText(fs.readFileSync(file, 'utf8'), file));
    goPkgs.set(p.importPath, readGoPackage(p.dir));
  }
  return compileFrom(
    { pkgs: src.pkgs, protos, goPkgs },
    { dir: src.trees.root, description, fingerprint: fingerprintOf(src.stamp) },
  );
}

/** A copy of a message under `prefix`, its references to other messages prefixed too. */
function prefixedMessage(m: SchemaMessage, prefix: string): SchemaMessage {
  const fix = (f: SchemaField): SchemaField => {
    const g = { ...f };
    if (g.message !== undefined) g.message = prefix + g.message;
    if (g.mapValueMessage !== undefined) g.mapValueMessage = prefix + g.mapValueMessage;
    return g;
  };
  const out: SchemaMessage = { ...m, name: prefix + m.name, fields: m.fields.map(fix) };
  if (m.protoOnly !== undefined) out.protoOnly = m.protoOnly.map(fix);
  return out;
}

/** Names of the messages reachable from `roots` (the roots included). */
function reachableMessages(schema: CompiledSchema, roots: string[]): string[] {
  const seen = new Set<string>();
  const todo = [...roots];
  while (todo.length > 0) {
    const name = todo.pop() as string;
    if (seen.has(name)) continue;
    const m = schema.messages[name];
    if (m === undefined) continue;
    seen.add(name);
    for (const f of m.protoOnly === undefined ? m.fields : [...m.fields, ...m.protoOnly]) {
      if (f.message !== undefined) todo.push(f.message);
      if (f.mapValueMessage !== undefined) todo.push(f.mapValueMessage);
    }
  }
  return [...seen].sort();
}

/**
 * Compiles and joins several source folders (given in `dirs` order) into one schema: sorted newest
 * first when every folder names its version; each kind from the first that has it.
 */
function compileSources(sources: LocatedSource[], fingerprint: string): CompiledSchema {
  const versions = sources.map((s) => sourceVersionOf(s.trees));
  const order = sources.map((_, i) => i);
  if (versions.every((v) => v.minor !== undefined)) {
    const key = (i: number): number => (versions[i]?.minor ?? 0) * 1e6 + (versions[i]?.patch ?? 0);
    order.sort((a, b) => key(b) - key(a) || a - b);
  }
  const labels: string[] = [];
  for (const i of order) {
    const v = versions[i] as SourceVersion;
    let label = v.minor !== undefined ? `1.${v.minor}` : `source-${i + 1}`;
    if (labels.includes(label) && v.minor !== undefined) label = `1.${v.minor}.${v.patch ?? 0}`;
    if (labels.includes(label)) label = `${label}-${i + 1}`;
    labels.push(label);
  }

  const messages: Record<string, SchemaMessage> = {};
  const kinds: Record<string, SchemaKind> = {};
  const used: SchemaSource[] = [];
  order.forEach((i, rank) => {
    const src = sources[i] as LocatedSource;
    const version = versions[i] as SourceVersion;
    const label = labels[rank] as string;
    const one = compileSource(src, version.description);
    const prefix = rank === 0 ? '' : `${label}/`;
    used.push({
      version: label,
      dir: src.dir,
      description: version.description,
      fingerprint: one.source.fingerprint,
      messagePrefix: prefix,
    });
    const won = Object.entries(one.kinds).filter(([key]) => kinds[key] === undefined);
    if (rank === 0) Object.assign(messages, one.messages);
    else {
      for (const name of reachableMessages(
        one,
        won.map(([, k]) => k.message),
      )) {
        messages[prefix + name] = prefixedMessage(one.messages[name] as SchemaMessage, prefix);
      }
    }
    for (const [key, k] of won) kinds[key] = { ...k, message: prefix + k.message, schemaVersion: label };
  });
  const description = used
    .map((u) => (u.version.startsWith('source-') ? u.description : `Kubernetes ${u.version} (${u.description})`))
    .join(' + ');
  return {
    formatVersion: SCHEMA_FORMAT_VERSION,
    source: { dir: used.map((u) => u.dir).join(path.delimiter), description, fingerprint },
    sources: used,
    messages,
    kinds,
  };
}

/**
 * Compiles the schema from Kubernetes sources, without any cache.
 * @example
 * const schema = compileSchema({ sourcesDir: '/usr/share/gocode/src' });
 * schema.kinds['apps/v1/Deployment'].message // 'k8s.io.api.apps.v1.Deployment'
 */
export function compileSchema(options: SchemaOptions = {}): CompiledSchema {
  const sources = sourceDirsOf(options.sourcesDir).map(locateSource);
  return compileSources(sources, fingerprintOf(joinStamps(sources)));
}

interface CacheIndex {
  formatVersion: number;
  fingerprint: string;
  stamp: Stamp;
}

function dirKey(dir: string): string {
  return crypto.createHash('sha256').update(dir).digest('hex').slice(0, 12);
}

/** Schemas loaded in this process, by their folders (joined with NUL). */
const loaded = new Map<string, CompiledSchema>();

/** Where `npm pack` puts the compiled schema (scripts/prepack.js): `dist/schema/` next to `dist/codec/`. */
export const PACKAGED_SCHEMA_FILE = path.join(__dirname, '..', 'schema', 'kubernetes.json');

let packagedSchema: CompiledSchema | null | undefined;

/**
 * The schema compiled into the package at `npm pack`, when none of the default sources folders exists
 * (an installed package has no proto/upstream). Undefined in a checkout with sources, or with none at all.
 */
function loadPackagedSchema(): CompiledSchema | undefined {
  if (packagedSchema === undefined) {
    packagedSchema = null;
    if (!defaultSourcesDirs().some(isDir) && fs.existsSync(PACKAGED_SCHEMA_FILE)) {
      let parsed: CompiledSchema;
      try {
        parsed = JSON.parse(fs.readFileSync(PACKAGED_SCHEMA_FILE, 'utf8')) as CompiledSchema;
      } catch (e) {
        throw new SchemaError(
          `Cannot read the packaged schema ${PACKAGED_SCHEMA_FILE}: ${(e as Error).message}. The installed package is damaged: reinstall kubetcd, or set KUBETCD_K8S_SOURCES to a folder holding k8s.io/api and k8s.io/apimachinery.`,
          { file: PACKAGED_SCHEMA_FILE },
        );
      }
      if (parsed.formatVersion !== SCHEMA_FORMAT_VERSION) {
        throw new SchemaError(
          `The packaged schema ${PACKAGED_SCHEMA_FILE} has format ${String(parsed.formatVersion)}, this kubetcd reads ${SCHEMA_FORMAT_VERSION}. The package is mixed from two versions: reinstall kubetcd.`,
          { file: PACKAGED_SCHEMA_FILE },
        );
      }
      packagedSchema = parsed;
    }
  }
  return packagedSchema ?? undefined;
}

/**
 * Loads the compiled schema: from memory, else from the cache in `proto/cache/` when the sources are
 * unchanged, else compiles it from the sources and caches it. By default from every installed version
 * (1.36, then 1.32 for the kinds 1.36 no longer has).
 * @example
 * const schema = loadSchema();
 * schema.kinds['v1/Pod'].schemaVersion // '1.36'
 * schema.kinds['autoscaling/v2beta1/HorizontalPodAutoscaler'].schemaVersion // '1.32'
 */
export function loadSchema(options: SchemaOptions = {}): CompiledSchema {
  const env = process.env['KUBETCD_K8S_SOURCES'];
  if (options.sourcesDir === undefined && (env === undefined || env === '')) {
    // An installed package carries its compiled schema; a checkout compiles from proto/upstream.
    const packaged = loadPackagedSchema();
    if (packaged !== undefined) return packaged;
  }
  const dirs = sourceDirsOf(options.sourcesDir);
  const key = dirs.join('\0');
  const mem = loaded.get(key);
  if (mem !== undefined) return mem;
  const cacheDir = options.cacheDir === undefined ? path.join(findRepoRoot(), 'proto', 'cache') : options.cacheDir;
  const indexFile = cacheDir === false ? undefined : path.join(cacheDir, `index-${dirKey(key)}.json`);

  // Fast path: the index names the fingerprint and the stamp; re-stat the files to check.
  if (indexFile !== undefined && cacheDir !== false) {
    try {
      const index = JSON.parse(fs.readFileSync(indexFile, 'utf8')) as CacheIndex;
      if (index.formatVersion === SCHEMA_FORMAT_VERSION && stampStillValid(index.stamp)) {
        const schema = JSON.parse(
          fs.readFileSync(path.join(cacheDir, `schema-${index.fingerprint}.json`), 'utf8'),
        ) as CompiledSchema;
        if (schema.formatVersion === SCHEMA_FORMAT_VERSION) {
          loaded.set(key, schema);
          return schema;
        }
      }
    } catch {
      // no usable cache: compile
    }
  }

  const sources = dirs.map(locateSource);
  const stamp = joinStamps(sources);
  const fingerprint = fingerprintOf(stamp);
  let schema: CompiledSchema | undefined;
  if (cacheDir !== false) {
    try {
      const cached = JSON.parse(
        fs.readFileSync(path.join(cacheDir, `schema-${fingerprint}.json`), 'utf8'),
      ) as CompiledSchema;
      if (cached.formatVersion === SCHEMA_FORMAT_VERSION) schema = cached;
    } catch {
      // compile below
    }
  }
  if (schema === undefined) schema = compileSources(sources, fingerprint);
  if (cacheDir !== false && indexFile !== undefined) {
    try {
      fs.mkdirSync(cacheDir, { recursive: true });
      const target = path.join(cacheDir, `schema-${fingerprint}.json`);
      const tmp = `${target}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, JSON.stringify(schema));
      fs.renameSync(tmp, target);
      const index: CacheIndex = { formatVersion: SCHEMA_FORMAT_VERSION, fingerprint, stamp };
      const tmpIndex = `${indexFile}.${process.pid}.tmp`;
      fs.writeFileSync(tmpIndex, JSON.stringify(index));
      fs.renameSync(tmpIndex, indexFile);
    } catch {
      // a read-only install still works, just slower on each cold start
    }
  }
  loaded.set(key, schema);
  return schema;
}
