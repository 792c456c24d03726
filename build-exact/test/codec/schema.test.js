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
/**
 * Schema compilation from Kubernetes sources, its cache, and its errors.
 */
const assert = __importStar(require("node:assert/strict"));
const node_child_process_1 = require("node:child_process");
const fs = __importStar(require("node:fs"));
const os = __importStar(require("node:os"));
const path = __importStar(require("node:path"));
const node_test_1 = require("node:test");
const codec_1 = require("../../src/codec");
const schemaModule = path.join(__dirname, '..', '..', 'src', 'codec', 'schema.js');
/** Runs loadSchema in a fresh Node process (no in-memory schema) and returns what it printed. */
function inChild(script, env = {}) {
    return (0, node_child_process_1.execFileSync)(process.execPath, ['-e', `const s = require(${JSON.stringify(schemaModule)});\n${script}`], {
        encoding: 'utf8',
        env: { ...process.env, ...env },
    });
}
(0, node_test_1.describe)('the installed sources', () => {
    const schema = (0, codec_1.loadSchema)();
    (0, node_test_1.test)('hold every built-in kind and message', () => {
        const messages = Object.keys(schema.messages).length;
        const kinds = Object.keys(schema.kinds).length;
        assert.ok(messages >= 1000, `messages: ${messages}`);
        assert.ok(kinds >= 300, `kinds: ${kinds}`);
        assert.deepEqual(schema.kinds['v1/Pod'], { group: '', version: 'v1', kind: 'Pod', apiVersion: 'v1', message: 'k8s.io.api.core.v1.Pod' });
        assert.equal(schema.kinds['apps/v1/Deployment']?.message, 'k8s.io.api.apps.v1.Deployment');
        assert.equal(schema.kinds['coordination.k8s.io/v1/Lease']?.message, 'k8s.io.api.coordination.v1.Lease');
    });
    (0, node_test_1.test)('join Go struct order, JSON names, omitempty, pointers and inline', () => {
        const spec = schema.messages['k8s.io.api.apps.v1.DeploymentSpec'];
        assert.deepEqual(spec?.fields.map((f) => f.name), ['replicas', 'selector', 'template', 'strategy', 'minReadySeconds', 'revisionHistoryLimit', 'paused', 'progressDeadlineSeconds']);
        const replicas = spec?.fields[0];
        assert.equal(replicas?.pointer, true);
        assert.equal(replicas?.omitEmpty, true);
        assert.equal(replicas?.goType, '*int32');
        const volume = schema.messages['k8s.io.api.core.v1.Volume'];
        assert.equal(volume?.fields[1]?.inline, true);
        assert.equal(schema.messages['k8s.io.api.core.v1.Pod']?.typeMetaAt, 0);
        const status = schema.messages['k8s.io.api.core.v1.ContainerStatus']?.fields.find((f) => f.name === 'ready');
        assert.equal(status?.omitEmpty, false);
    });
    (0, node_test_1.test)('mark the messages with custom JSON', () => {
        const special = (n) => schema.messages[n]?.special;
        assert.equal(special('k8s.io.apimachinery.pkg.apis.meta.v1.Time'), 'Time');
        assert.equal(special('k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime'), 'MicroTime');
        assert.equal(special('k8s.io.apimachinery.pkg.apis.meta.v1.Duration'), 'Duration');
        assert.equal(special('k8s.io.apimachinery.pkg.apis.meta.v1.FieldsV1'), 'FieldsV1');
        assert.equal(special('k8s.io.apimachinery.pkg.util.intstr.IntOrString'), 'IntOrString');
        assert.equal(special('k8s.io.apimachinery.pkg.api.resource.Quantity'), 'Quantity');
        assert.equal(special('k8s.io.apimachinery.pkg.runtime.RawExtension'), 'RawExtension');
        assert.equal(special('k8s.io.apimachinery.pkg.apis.meta.v1.Verbs'), 'ListWrapper');
        assert.equal(special('k8s.io.api.authentication.v1.ExtraValue'), 'ListWrapper');
    });
    (0, node_test_1.test)('load from the cache in a fresh process quickly', (t) => {
        const out = inChild('const t0 = process.hrtime.bigint(); const sc = s.loadSchema(); ' +
            'console.log(JSON.stringify({ ms: Number(process.hrtime.bigint() - t0) / 1e6, messages: Object.keys(sc.messages).length }));');
        const { ms, messages } = JSON.parse(out);
        t.diagnostic(`cold-process schema load from cache: ${ms.toFixed(1)} ms (${messages} messages)`);
        assert.equal(messages, Object.keys(schema.messages).length);
        // generous: the machine is shared; a compile from sources takes seconds
        assert.ok(ms < 1500, `schema load took ${ms} ms`);
    });
    (0, node_test_1.test)('compile from a Go module cache layout (k8s.io/api@vX)', () => {
        const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kubetcd-modcache-'));
        try {
            const k8s = path.join((0, codec_1.defaultSourcesDir)(), 'k8s.io');
            fs.mkdirSync(path.join(tmp, 'k8s.io'));
            fs.symlinkSync(path.join(k8s, 'api'), path.join(tmp, 'k8s.io', 'api@v0.32.3'));
            fs.symlinkSync(path.join(k8s, 'apimachinery'), path.join(tmp, 'k8s.io', 'apimachinery@v0.32.3'));
            const other = (0, codec_1.compileSchema)({ sourcesDir: tmp });
            assert.equal(Object.keys(other.kinds).length, Object.keys(schema.kinds).length);
            assert.match(other.source.description, /0\.32\.3/);
        }
        finally {
            fs.rmSync(tmp, { recursive: true, force: true });
        }
    });
});
(0, node_test_1.describe)('missing sources', () => {
    (0, node_test_1.test)('a SchemaError says what to run', () => {
        const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'kubetcd-empty-'));
        try {
            assert.throws(() => (0, codec_1.loadSchema)({ sourcesDir: empty, cacheDir: false }), (e) => {
                assert.equal(e.name, 'SchemaError');
                assert.match(e.message, /Kubernetes sources not found in .*kubetcd-empty-/);
                assert.match(e.message, /bash proto\/install\.sh/);
                assert.match(e.message, /npm run setup/);
                assert.match(e.message, /KUBETCD_K8S_SOURCES/);
                return true;
            });
        }
        finally {
            fs.rmSync(empty, { recursive: true, force: true });
        }
    });
    (0, node_test_1.test)('KUBETCD_K8S_SOURCES is honoured', () => {
        const out = inChild('try { s.loadSchema(); console.log("loaded"); } catch (e) { console.log(e.name + ": " + e.message); }', { KUBETCD_K8S_SOURCES: path.join(os.tmpdir(), 'kubetcd-does-not-exist') });
        assert.match(out, /^SchemaError: Kubernetes sources not found in .*kubetcd-does-not-exist: the folder does not exist/);
    });
});
(0, node_test_1.describe)('a small source tree of our own', () => {
    const META_PROTO = `syntax = "proto2";
package k8s.io.apimachinery.pkg.apis.meta.v1;
option go_package = "k8s.io/apimachinery/pkg/apis/meta/v1";
message ObjectMeta { optional string name = 1; }
`;
    const META_GO = `package v1
type TypeMeta struct {
	Kind string \`json:"kind,omitempty" protobuf:"bytes,1,opt,name=kind"\`
	APIVersion string \`json:"apiVersion,omitempty" protobuf:"bytes,2,opt,name=apiVersion"\`
}
type ObjectMeta struct {
	Name string \`json:"name,omitempty" protobuf:"bytes,1,opt,name=name"\`
}
`;
    const WIDGET_PROTO = `syntax = "proto2";
package k8s.io.api.widgets.v1;
import "k8s.io/apimachinery/pkg/apis/meta/v1/generated.proto";
option go_package = "k8s.io/api/widgets/v1";
message Widget {
  optional k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1;
  optional int32 size = 2;
  optional string color = 3;
  repeated string tags = 4;
}
`;
    const widgetGo = (order) => {
        const lines = {
            size: 'Size *int32 `json:"size,omitempty" protobuf:"varint,2,opt,name=size"`',
            color: 'Color string `json:"color" protobuf:"bytes,3,opt,name=color"`',
            tags: '// a comment with `backticks`\n\tTags []string `json:"tags" protobuf:"bytes,4,rep,name=tags"`',
        };
        return `package v1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Widget is a test kind.
type Widget struct {
	metav1.TypeMeta \`json:",inline"\`
	metav1.ObjectMeta \`json:"metadata,omitempty" protobuf:"bytes,1,opt,name=metadata"\`
	${order.map((n) => lines[n]).join('\n\t')}
}

func (w *Widget) DeepCopy() *Widget { if w == nil { return nil }; out := new(Widget); *out = *w; return out }
`;
    };
    (0, node_test_1.test)('compiles, caches, recompiles when a source changes, and drives createCodec', () => {
        const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kubetcd-tree-'));
        try {
            const src = path.join(tmp, 'src');
            const cache = path.join(tmp, 'cache');
            const meta = path.join(src, 'k8s.io', 'apimachinery', 'pkg', 'apis', 'meta', 'v1');
            const widgets = path.join(src, 'k8s.io', 'api', 'widgets', 'v1');
            fs.mkdirSync(meta, { recursive: true });
            fs.mkdirSync(widgets, { recursive: true });
            fs.writeFileSync(path.join(meta, 'generated.proto'), META_PROTO);
            fs.writeFileSync(path.join(meta, 'types.go'), META_GO);
            fs.writeFileSync(path.join(widgets, 'generated.proto'), WIDGET_PROTO);
            fs.writeFileSync(path.join(widgets, 'register.go'), 'package v1\n\n// GroupName is the group.\nconst GroupName = "widgets.example.com"\n');
            fs.writeFileSync(path.join(widgets, 'types.go'), widgetGo(['size', 'color', 'tags']));
            const load = `const sc = s.loadSchema({ sourcesDir: ${JSON.stringify(src)}, cacheDir: ${JSON.stringify(cache)} });
        const m = sc.messages['k8s.io.api.widgets.v1.Widget'];
        console.log(JSON.stringify({ fp: sc.source.fingerprint, kind: sc.kinds['widgets.example.com/v1/Widget'], names: m.fields.map((f) => f.name) }));`;
            const first = JSON.parse(inChild(load));
            assert.deepEqual(first.kind, { group: 'widgets.example.com', version: 'v1', kind: 'Widget', apiVersion: 'widgets.example.com/v1', message: 'k8s.io.api.widgets.v1.Widget' });
            assert.deepEqual(first.names, ['metadata', 'size', 'color', 'tags']);
            assert.ok(fs.existsSync(path.join(cache, `schema-${first.fp}.json`)));
            const again = JSON.parse(inChild(load));
            assert.equal(again.fp, first.fp);
            fs.writeFileSync(path.join(widgets, 'types.go'), widgetGo(['tags', 'color', 'size']));
            const later = new Date(Date.now() + 5000);
            fs.utimesSync(path.join(widgets, 'types.go'), later, later);
            const changed = JSON.parse(inChild(load));
            assert.notEqual(changed.fp, first.fp);
            assert.deepEqual(changed.names, ['metadata', 'tags', 'color', 'size']);
            const schema = (0, codec_1.loadSchema)({ sourcesDir: src, cacheDir: cache });
            const codec = (0, codec_1.createCodec)({ schema });
            const bytes = codec.encode({ apiVersion: 'widgets.example.com/v1', kind: 'Widget', metadata: { name: 'w' }, size: 0 });
            const d = codec.decode(bytes);
            assert.equal(d.error, undefined);
            assert.equal((0, codec_1.toKubeJson)(d.object), '{"kind":"Widget","apiVersion":"widgets.example.com/v1","metadata":{"name":"w"},"tags":null,"color":"","size":0}');
        }
        finally {
            fs.rmSync(tmp, { recursive: true, force: true });
        }
    });
});
//# sourceMappingURL=schema.test.js.map