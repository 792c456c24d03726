"use strict";
var __createBinding = (this && this.__createBinding) || (Object.create ? (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    var desc = Object.getOwnPropertyDescriptor(m, k);
    if (!desc || ("get" in desc ? !m.__esModule : desc.writable || desc.configurable)) {
      desc = { enumerable: true, get: function() { return m[k]; } };
    }
    Object.defineProperty(o, k2, desc);
}) : (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    o[k2] = m[k];
}));
var __setModuleDefault = (this && this.__setModuleDefault) || (Object.create ? (function(o, v) {
    Object.defineProperty(o, "default", { enumerable: true, value: v });
}) : function(o, v) {
    o["default"] = v;
});
var __importStar = (this && this.__importStar) || (function () {
    var ownKeys = function(o) {
        ownKeys = Object.getOwnPropertyNames || function (o) {
            var ar = [];
            for (var k in o) if (Object.prototype.hasOwnProperty.call(o, k)) ar[ar.length] = k;
            return ar;
        };
        return ownKeys(o);
    };
    return function (mod) {
        if (mod && mod.__esModule) return mod;
        var result = {};
        if (mod != null) for (var k = ownKeys(mod), i = 0; i < k.length; i++) if (k[i] !== "default") __createBinding(result, mod, k[i]);
        __setModuleDefault(result, mod);
        return result;
    };
})();
Object.defineProperty(exports, "__esModule", { value: true });
exports.SCHEMA_FORMAT_VERSION = void 0;
exports.findRepoRoot = findRepoRoot;
exports.defaultSourcesDir = defaultSourcesDir;
exports.compileSchema = compileSchema;
exports.loadSchema = loadSchema;
/**
 * Compiles the {@link CompiledSchema} from installed Kubernetes sources (every `generated.proto` of
 * k8s.io/api and k8s.io/apimachinery joined with the Go structs next to it), caches it as JSON under
 * `<repo>/proto/cache/`, and loads it back quickly.
 */
const crypto = __importStar(require("node:crypto"));
const fs = __importStar(require("node:fs"));
const path = __importStar(require("node:path"));
const errors_1 = require("../errors");
const go_types_1 = require("./go-types");
/** Bump when the compiled structure or the compiler's rules change: caches are rebuilt. */
exports.SCHEMA_FORMAT_VERSION = 5;
const SCALARS = new Set([
    'double', 'float', 'int32', 'int64', 'uint32', 'uint64', 'sint32', 'sint64',
    'fixed32', 'fixed64', 'sfixed32', 'sfixed64', 'bool', 'string', 'bytes',
]);
const SPECIAL_BY_NAME = {
    'k8s.io.apimachinery.pkg.apis.meta.v1.Time': 'Time',
    'k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime': 'MicroTime',
    'k8s.io.apimachinery.pkg.apis.meta.v1.Duration': 'Duration',
    'k8s.io.apimachinery.pkg.apis.meta.v1.FieldsV1': 'FieldsV1',
    'k8s.io.apimachinery.pkg.util.intstr.IntOrString': 'IntOrString',
    'k8s.io.apimachinery.pkg.api.resource.Quantity': 'Quantity',
    'k8s.io.apimachinery.pkg.runtime.RawExtension': 'RawExtension',
};
const TYPE_META_PKG = 'k8s.io/apimachinery/pkg/apis/meta/v1';
let repoRootCache;
/**
 * The kubetcd package folder (the nearest parent of this file whose package.json is named `kubetcd`).
 * @example
 * findRepoRoot() // '/work/main'
 */
function findRepoRoot() {
    if (repoRootCache !== undefined)
        return repoRootCache;
    let dir = __dirname;
    for (;;) {
        const pj = path.join(dir, 'package.json');
        try {
            const json = JSON.parse(fs.readFileSync(pj, 'utf8'));
            if (json.name === 'kubetcd') {
                repoRootCache = dir;
                return dir;
            }
        }
        catch {
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
function missingSources(dir, why) {
    return new errors_1.SchemaError(`Kubernetes sources not found in ${dir}: ${why}. Run \`bash proto/install.sh\` (or \`npm run setup\`) in the kubetcd folder, ` +
        'or set KUBETCD_K8S_SOURCES to a folder containing k8s.io/api and k8s.io/apimachinery.', { dir });
}
function isDir(p) {
    try {
        return fs.statSync(p).isDirectory();
    }
    catch {
        return false;
    }
}
/** Finds k8s.io/api and k8s.io/apimachinery under (or at) `dir`, forgiving about the layout. */
function locateTrees(dir) {
    const abs = path.resolve(dir);
    if (!isDir(abs))
        throw missingSources(abs, 'the folder does not exist');
    const candidates = [
        abs,
        path.join(abs, 'src'),
        path.join(abs, 'staging', 'src'),
        path.join(abs, 'vendor'),
        path.join(abs, 'pkg', 'mod'),
        path.join(abs, 'usr', 'share', 'gocode', 'src'),
        path.join(abs, 'root', 'usr', 'share', 'gocode', 'src'),
    ];
    const pick = (base, name) => {
        const plain = path.join(base, name);
        if (isDir(plain))
            return plain;
        // Go module cache: k8s.io/api@v0.32.3
        try {
            const versions = fs
                .readdirSync(base)
                .filter((e) => e.startsWith(`${name}@`))
                .sort();
            const last = versions[versions.length - 1];
            if (last !== undefined)
                return path.join(base, last);
        }
        catch {
            // none
        }
        return undefined;
    };
    for (const c of candidates) {
        for (const k8s of [path.join(c, 'k8s.io'), c]) {
            if (!isDir(k8s))
                continue;
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
        if (apimachinery !== undefined)
            return { root: abs, api: abs, apimachinery };
    }
    throw missingSources(abs, 'no k8s.io/api and k8s.io/apimachinery folders there');
}
/**
 * The default sources folder: `$KUBETCD_K8S_SOURCES`, else the one `proto/install.sh` fills.
 * @example
 * defaultSourcesDir() // '/work/main/proto/upstream/root/usr/share/gocode/src'
 */
function defaultSourcesDir() {
    const env = process.env['KUBETCD_K8S_SOURCES'];
    if (env !== undefined && env !== '')
        return env;
    return path.join(findRepoRoot(), 'proto', 'upstream', 'root', 'usr', 'share', 'gocode', 'src');
}
function listPackageDirs(trees) {
    const out = [];
    const walk = (dir, importPath) => {
        let entries;
        try {
            entries = fs.readdirSync(dir, { withFileTypes: true });
        }
        catch {
            return;
        }
        for (const e of entries) {
            if (e.isFile() && e.name === 'generated.proto')
                out.push({ dir, importPath });
        }
        for (const e of entries) {
            if (!e.isDirectory())
                continue;
            if (e.name === 'testdata' || e.name === 'vendor' || e.name === 'third_party' || e.name.startsWith('.'))
                continue;
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
function sourceFiles(pkgs) {
    const files = [];
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
function takeStamp(pkgs, trees, files) {
    const dirSet = new Set();
    for (const p of pkgs) {
        let d = p.dir;
        while (d.startsWith(trees.api) || d.startsWith(trees.apimachinery)) {
            if (dirSet.has(d))
                break;
            dirSet.add(d);
            d = path.dirname(d);
        }
    }
    const dirs = [...dirSet].sort().map((d) => [d, fs.statSync(d).mtimeMs]);
    const fileStats = files.map((f) => {
        const st = fs.statSync(f);
        return [f, st.size, st.mtimeMs];
    });
    return { dirs, files: fileStats };
}
function stampStillValid(stamp) {
    try {
        for (const [d, m] of stamp.dirs)
            if (fs.statSync(d).mtimeMs !== m)
                return false;
        for (const [f, s, m] of stamp.files) {
            const st = fs.statSync(f);
            if (st.size !== s || st.mtimeMs !== m)
                return false;
        }
        return true;
    }
    catch {
        return false;
    }
}
function fingerprintOf(stamp) {
    const h = crypto.createHash('sha256');
    h.update(`format ${exports.SCHEMA_FORMAT_VERSION}\n`);
    for (const [f, s, m] of stamp.files)
        h.update(`${f}\0${s}\0${m}\n`);
    for (const [d] of stamp.dirs)
        h.update(`${d}\n`);
    return h.digest('hex').slice(0, 16);
}
function readGoPackage(dir) {
    const info = { types: {}, importsOf: {} };
    for (const f of fs.readdirSync(dir).sort()) {
        if (!f.endsWith('.go') || f.endsWith('_test.go'))
            continue;
        let parsed;
        try {
            parsed = (0, go_types_1.parseGoTypes)(fs.readFileSync(path.join(dir, f), 'utf8'));
        }
        catch {
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
function goNullable(t, pkgPath, imports, goPkgs, depth = 0) {
    if (depth > 8)
        return false;
    switch (t.kind) {
        case 'pointer':
        case 'slice':
        case 'map':
            return true;
        case 'name': {
            const targetPath = t.pkg !== undefined ? imports[t.pkg] : pkgPath;
            if (targetPath === undefined)
                return false;
            const pkg = goPkgs.get(targetPath);
            const decl = pkg?.types[t.name];
            if (decl === undefined || pkg === undefined)
                return false;
            return goNullable(decl, targetPath, pkg.importsOf[t.name] ?? {}, goPkgs, depth + 1);
        }
        default:
            return false;
    }
}
/** Follows `type A pkg.B` declarations to the struct (or other type) they name. */
function resolveNamedStruct(decl, pkgPath, imports, goPkgs) {
    let cur = { type: decl, pkgPath, imports };
    for (let i = 0; i < 5 && cur.type !== undefined && cur.type.kind === 'name'; i++) {
        const t = cur.type;
        const target = t.pkg !== undefined ? cur.imports[t.pkg] : cur.pkgPath;
        const pkg = target !== undefined ? goPkgs.get(target) : undefined;
        const next = pkg?.types[t.name];
        if (pkg === undefined || target === undefined || next === undefined)
            break;
        cur = { type: next, pkgPath: target, imports: pkg.importsOf[t.name] ?? {} };
    }
    return cur;
}
function resolveProtoType(type, pkg, known) {
    const t = type.startsWith('.') ? type.slice(1) : type;
    if (known.has(`${pkg}.${t}`))
        return `${pkg}.${t}`;
    if (known.has(t))
        return t;
    // relative lookup walking up the package
    const parts = pkg.split('.');
    while (parts.length > 0) {
        parts.pop();
        const cand = parts.length ? `${parts.join('.')}.${t}` : t;
        if (known.has(cand))
            return cand;
    }
    return t;
}
function fieldFromProto(def, pkg, known) {
    const out = {
        number: def.number,
        type: 'message',
        repeated: def.repeated,
    };
    if (def.mapKey !== undefined) {
        out.type = 'map';
        out.repeated = false;
        out.mapKey = (SCALARS.has(def.mapKey) ? def.mapKey : 'string');
        if (SCALARS.has(def.type))
            out.mapValue = def.type;
        else {
            out.mapValue = 'message';
            out.mapValueMessage = resolveProtoType(def.type, pkg, known);
        }
    }
    else if (SCALARS.has(def.type)) {
        out.type = def.type;
    }
    else {
        out.message = resolveProtoType(def.type, pkg, known);
    }
    return out;
}
function parseProtobufTag(tag) {
    const v = (0, go_types_1.goTagValue)(tag, 'protobuf');
    if (v === undefined || v === '-')
        return undefined;
    const parts = v.split(',');
    const n = Number(parts[1]);
    if (!Number.isInteger(n) || n <= 0)
        return undefined;
    const nameOpt = parts.find((p) => p.startsWith('name='));
    return nameOpt !== undefined ? { number: n, name: nameOpt.slice(5) } : { number: n };
}
function isTypeMetaEmbed(f, imports, pkgPath) {
    if (f.name !== undefined)
        return false;
    const t = f.type;
    if (t.kind !== 'name' || t.name !== 'TypeMeta')
        return false;
    const p = t.pkg !== undefined ? imports[t.pkg] : pkgPath;
    if (p !== TYPE_META_PKG)
        return false;
    const json = (0, go_types_1.goTagValue)(f.tag, 'json');
    return json === undefined || json.split(',')[0] === '';
}
function compileFrom(input, source) {
    const { pkgs, protos, goPkgs } = input;
    const known = new Set();
    for (const def of protos.values())
        for (const m of def.messages)
            known.add(m.name);
    const messages = {};
    const kinds = {};
    for (const p of pkgs) {
        const def = protos.get(p.importPath);
        const goPkg = goPkgs.get(p.importPath);
        if (def === undefined || goPkg === undefined)
            continue;
        const version = path.basename(p.dir);
        for (const pm of def.messages) {
            const shortName = pm.name.slice(def.package.length + 1);
            const msg = { name: pm.name, goPackage: p.importPath, fields: [] };
            const special = SPECIAL_BY_NAME[pm.name];
            // `type MatchCondition v1.MatchCondition`, `type List metav1.List`: use the named struct's fields
            const resolved = resolveNamedStruct(goPkg.types[shortName], p.importPath, goPkg.importsOf[shortName] ?? {}, goPkgs);
            const goDecl = resolved.type;
            const imports = resolved.imports;
            const goPkgPath = resolved.pkgPath;
            const protoByNumber = new Map();
            for (const f of pm.fields)
                protoByNumber.set(f.number, f);
            const plain = (f, goType = '') => ({
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
            }
            else if (pm.fields.length === 1 &&
                pm.fields[0]?.name === 'items' &&
                pm.fields[0].repeated &&
                goDecl !== undefined &&
                goDecl.kind === 'slice') {
                msg.special = 'ListWrapper';
                msg.fields = pm.fields.map((f) => plain(f, (0, go_types_1.goTypeText)(goDecl)));
            }
            else if (goDecl !== undefined && goDecl.kind === 'struct') {
                const used = new Set();
                for (const gf of goDecl.fields) {
                    if (isTypeMetaEmbed(gf, imports, goPkgPath) && parseProtobufTag(gf.tag) === undefined) {
                        msg.typeMetaAt = msg.fields.length;
                        continue;
                    }
                    const pt = parseProtobufTag(gf.tag);
                    if (pt === undefined)
                        continue;
                    const pf = protoByNumber.get(pt.number);
                    if (pf === undefined)
                        continue;
                    const jsonTag = (0, go_types_1.goTagValue)(gf.tag, 'json');
                    const jsonParts = (jsonTag ?? '').split(',');
                    const jsonName = jsonParts[0] ?? '';
                    if (jsonName === '-' && jsonParts.length === 1)
                        continue;
                    const embedded = gf.name === undefined;
                    const inline = embedded && jsonName === '';
                    const goName = gf.name ?? (gf.type.kind === 'pointer' ? (0, go_types_1.goTypeText)(gf.type.elem) : (0, go_types_1.goTypeText)(gf.type)).replace(/^.*\./, '');
                    const pointer = gf.type.kind === 'pointer';
                    used.add(pt.number);
                    msg.fields.push({
                        name: inline ? pf.name : jsonName !== '' ? jsonName : goName,
                        ...fieldFromProto(pf, def.package, known),
                        omitEmpty: jsonParts.includes('omitempty'),
                        nullable: goNullable(gf.type, goPkgPath, imports, goPkgs),
                        pointer,
                        inline,
                        goType: (0, go_types_1.goTypeText)(gf.type),
                    });
                }
                const protoOnly = pm.fields.filter((f) => !used.has(f.number)).map((f) => plain(f));
                if (protoOnly.length > 0)
                    msg.protoOnly = protoOnly;
            }
            else {
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
    return { formatVersion: exports.SCHEMA_FORMAT_VERSION, source, messages, kinds };
}
function describeSources(trees) {
    const parts = [];
    for (const [name, dir] of [['k8s.io/api', trees.api], ['k8s.io/apimachinery', trees.apimachinery]]) {
        const at = path.basename(dir).split('@')[1];
        parts.push(at !== undefined ? `${name} ${at}` : name);
    }
    let desc = parts.join(', ');
    // proto/install.sh leaves installed.txt next to root/ with the package versions
    const stampFile = path.join(trees.api, '..', '..', '..', '..', '..', '..', 'installed.txt');
    try {
        const text = fs.readFileSync(stampFile, 'utf8');
        const m = /golang-k8s-api-dev=([^\s]+)/.exec(text);
        if (m)
            desc = `k8s.io/api ${m[1]}`;
    }
    catch {
        // no stamp
    }
    return desc;
}
/**
 * Compiles the schema from Kubernetes sources, without any cache.
 * @example
 * const schema = compileSchema({ sourcesDir: '/usr/share/gocode/src' });
 * schema.kinds['apps/v1/Deployment'].message // 'k8s.io.api.apps.v1.Deployment'
 */
function compileSchema(options = {}) {
    const dir = options.sourcesDir ?? defaultSourcesDir();
    const trees = locateTrees(dir);
    const pkgs = listPackageDirs(trees);
    if (pkgs.length === 0)
        throw missingSources(dir, 'no generated.proto files under k8s.io/api');
    const files = sourceFiles(pkgs);
    const stamp = takeStamp(pkgs, trees, files);
    return compileWithStamp(trees, pkgs, stamp);
}
function compileWithStamp(trees, pkgs, stamp) {
    // protobufjs takes ~150 ms to load: only when compiling, never on the cached path.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { parseProtoText } = require('./proto-gateway');
    const protos = new Map();
    const goPkgs = new Map();
    for (const p of pkgs) {
        const file = path.join(p.dir, 'generated.proto');
        protos.set(p.importPath, parseProtoText(fs.readFileSync(file, 'utf8'), file));
        goPkgs.set(p.importPath, readGoPackage(p.dir));
    }
    return compileFrom({ pkgs, protos, goPkgs }, { dir: trees.root, description: describeSources(trees), fingerprint: fingerprintOf(stamp) });
}
function dirKey(dir) {
    return crypto.createHash('sha256').update(path.resolve(dir)).digest('hex').slice(0, 12);
}
const loaded = new Map();
/**
 * Loads the compiled schema: from memory, else from the cache in `proto/cache/` when the sources are
 * unchanged, else compiles it from the sources and caches it.
 * @example
 * const schema = loadSchema();
 * Object.keys(schema.kinds).length // about 400
 */
function loadSchema(options = {}) {
    const dir = path.resolve(options.sourcesDir ?? defaultSourcesDir());
    const mem = loaded.get(dir);
    if (mem !== undefined)
        return mem;
    const cacheDir = options.cacheDir === undefined ? path.join(findRepoRoot(), 'proto', 'cache') : options.cacheDir;
    const indexFile = cacheDir === false ? undefined : path.join(cacheDir, `index-${dirKey(dir)}.json`);
    // Fast path: the index names the fingerprint and the stamp; re-stat the files to check.
    if (indexFile !== undefined && cacheDir !== false) {
        try {
            const index = JSON.parse(fs.readFileSync(indexFile, 'utf8'));
            if (index.formatVersion === exports.SCHEMA_FORMAT_VERSION && stampStillValid(index.stamp)) {
                const schema = JSON.parse(fs.readFileSync(path.join(cacheDir, `schema-${index.fingerprint}.json`), 'utf8'));
                if (schema.formatVersion === exports.SCHEMA_FORMAT_VERSION) {
                    loaded.set(dir, schema);
                    return schema;
                }
            }
        }
        catch {
            // no usable cache: compile
        }
    }
    const trees = locateTrees(dir);
    const pkgs = listPackageDirs(trees);
    if (pkgs.length === 0)
        throw missingSources(dir, 'no generated.proto files under k8s.io/api');
    const stamp = takeStamp(pkgs, trees, sourceFiles(pkgs));
    const fingerprint = fingerprintOf(stamp);
    let schema;
    if (cacheDir !== false) {
        try {
            const cached = JSON.parse(fs.readFileSync(path.join(cacheDir, `schema-${fingerprint}.json`), 'utf8'));
            if (cached.formatVersion === exports.SCHEMA_FORMAT_VERSION)
                schema = cached;
        }
        catch {
            // compile below
        }
    }
    if (schema === undefined)
        schema = compileWithStamp(trees, pkgs, stamp);
    if (cacheDir !== false && indexFile !== undefined) {
        try {
            fs.mkdirSync(cacheDir, { recursive: true });
            const target = path.join(cacheDir, `schema-${fingerprint}.json`);
            const tmp = `${target}.${process.pid}.tmp`;
            fs.writeFileSync(tmp, JSON.stringify(schema));
            fs.renameSync(tmp, target);
            const index = { formatVersion: exports.SCHEMA_FORMAT_VERSION, fingerprint, stamp };
            const tmpIndex = `${indexFile}.${process.pid}.tmp`;
            fs.writeFileSync(tmpIndex, JSON.stringify(index));
            fs.renameSync(tmpIndex, indexFile);
        }
        catch {
            // a read-only install still works, just slower on each cold start
        }
    }
    loaded.set(dir, schema);
    return schema;
}
//# sourceMappingURL=schema.js.map