/**
 * Schema compilation from Kubernetes sources, its cache, and its errors.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { compileSchema, createCodec, defaultSourcesDir, loadSchema, toKubeJson } from '../../src/codec';
import type { CompiledSchema } from '../../src/codec';

const schemaModule = path.join(__dirname, '..', '..', 'src', 'codec', 'schema.js');

/** Runs loadSchema in a fresh Node process (no in-memory schema) and returns what it printed. */
function inChild(script: string, env: Record<string, string> = {}): string {
  return execFileSync(process.execPath, ['-e', `const s = require(${JSON.stringify(schemaModule)});\n${script}`], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
}

describe('the installed sources', () => {
  const schema = loadSchema();

  test('hold every built-in kind and message', () => {
    const messages = Object.keys(schema.messages).length;
    const kinds = Object.keys(schema.kinds).length;
    assert.ok(messages >= 1000, `messages: ${messages}`);
    assert.ok(kinds >= 300, `kinds: ${kinds}`);
    assert.deepEqual(schema.kinds['v1/Pod'], { group: '', version: 'v1', kind: 'Pod', apiVersion: 'v1', message: 'k8s.io.api.core.v1.Pod' });
    assert.equal(schema.kinds['apps/v1/Deployment']?.message, 'k8s.io.api.apps.v1.Deployment');
    assert.equal(schema.kinds['coordination.k8s.io/v1/Lease']?.message, 'k8s.io.api.coordination.v1.Lease');
  });

  test('join Go struct order, JSON names, omitempty, pointers and inline', () => {
    const spec = schema.messages['k8s.io.api.apps.v1.DeploymentSpec'];
    assert.deepEqual(
      spec?.fields.map((f) => f.name),
      ['replicas', 'selector', 'template', 'strategy', 'minReadySeconds', 'revisionHistoryLimit', 'paused', 'progressDeadlineSeconds'],
    );
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

  test('mark the messages with custom JSON', () => {
    const special = (n: string): string | undefined => schema.messages[n]?.special;
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

  test('load from the cache in a fresh process quickly', (t) => {
    const out = inChild(
      'const t0 = process.hrtime.bigint(); const sc = s.loadSchema(); ' +
        'console.log(JSON.stringify({ ms: Number(process.hrtime.bigint() - t0) / 1e6, messages: Object.keys(sc.messages).length }));',
    );
    const { ms, messages } = JSON.parse(out) as { ms: number; messages: number };
    t.diagnostic(`cold-process schema load from cache: ${ms.toFixed(1)} ms (${messages} messages)`);
    assert.equal(messages, Object.keys(schema.messages).length);
    // generous: the machine is shared; a compile from sources takes seconds
    assert.ok(ms < 1500, `schema load took ${ms} ms`);
  });

  test('compile from a Go module cache layout (k8s.io/api@vX)', () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kubetcd-modcache-'));
    try {
      const k8s = path.join(defaultSourcesDir(), 'k8s.io');
      fs.mkdirSync(path.join(tmp, 'k8s.io'));
      fs.symlinkSync(path.join(k8s, 'api'), path.join(tmp, 'k8s.io', 'api@v0.32.3'));
      fs.symlinkSync(path.join(k8s, 'apimachinery'), path.join(tmp, 'k8s.io', 'apimachinery@v0.32.3'));
      const other = compileSchema({ sourcesDir: tmp });
      assert.equal(Object.keys(other.kinds).length, Object.keys(schema.kinds).length);
      assert.match(other.source.description, /0\.32\.3/);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});

describe('missing sources', () => {
  test('a SchemaError says what to run', () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'kubetcd-empty-'));
    try {
      assert.throws(() => loadSchema({ sourcesDir: empty, cacheDir: false }), (e: Error) => {
        assert.equal(e.name, 'SchemaError');
        assert.match(e.message, /Kubernetes sources not found in .*kubetcd-empty-/);
        assert.match(e.message, /bash proto\/install\.sh/);
        assert.match(e.message, /npm run setup/);
        assert.match(e.message, /KUBETCD_K8S_SOURCES/);
        return true;
      });
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });

  test('KUBETCD_K8S_SOURCES is honoured', () => {
    const out = inChild(
      'try { s.loadSchema(); console.log("loaded"); } catch (e) { console.log(e.name + ": " + e.message); }',
      { KUBETCD_K8S_SOURCES: path.join(os.tmpdir(), 'kubetcd-does-not-exist') },
    );
    assert.match(out, /^SchemaError: Kubernetes sources not found in .*kubetcd-does-not-exist: the folder does not exist/);
  });
});

describe('a small source tree of our own', () => {
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
  const widgetGo = (order: string[]): string => {
    const lines: Record<string, string> = {
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

  test('compiles, caches, recompiles when a source changes, and drives createCodec', () => {
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
      const first = JSON.parse(inChild(load)) as { fp: string; kind: unknown; names: string[] };
      assert.deepEqual(first.kind, { group: 'widgets.example.com', version: 'v1', kind: 'Widget', apiVersion: 'widgets.example.com/v1', message: 'k8s.io.api.widgets.v1.Widget' });
      assert.deepEqual(first.names, ['metadata', 'size', 'color', 'tags']);
      assert.ok(fs.existsSync(path.join(cache, `schema-${first.fp}.json`)));

      const again = JSON.parse(inChild(load)) as { fp: string };
      assert.equal(again.fp, first.fp);

      fs.writeFileSync(path.join(widgets, 'types.go'), widgetGo(['tags', 'color', 'size']));
      const later = new Date(Date.now() + 5000);
      fs.utimesSync(path.join(widgets, 'types.go'), later, later);
      const changed = JSON.parse(inChild(load)) as { fp: string; names: string[] };
      assert.notEqual(changed.fp, first.fp);
      assert.deepEqual(changed.names, ['metadata', 'tags', 'color', 'size']);

      const schema: CompiledSchema = loadSchema({ sourcesDir: src, cacheDir: cache });
      const codec = createCodec({ schema });
      const bytes = codec.encode({ apiVersion: 'widgets.example.com/v1', kind: 'Widget', metadata: { name: 'w' }, size: 0 });
      const d = codec.decode(bytes);
      assert.equal(d.error, undefined);
      assert.equal(
        toKubeJson(d.object),
        '{"kind":"Widget","apiVersion":"widgets.example.com/v1","metadata":{"name":"w"},"tags":null,"color":"","size":0}',
      );
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});
