/**
 * Schema compilation from Kubernetes sources, its cache, and its errors.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import {
  compileSchema,
  createCodec,
  defaultSourcesDirs,
  installedSourcesDir,
  loadSchema,
  toKubeJson,
} from '../../src/codec';
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
    assert.deepEqual(schema.kinds['v1/Pod'], {
      group: '',
      version: 'v1',
      kind: 'Pod',
      apiVersion: 'v1',
      message: 'k8s.io.api.core.v1.Pod',
      schemaVersion: '1.36',
    });
    assert.equal(schema.kinds['apps/v1/Deployment']?.message, 'k8s.io.api.apps.v1.Deployment');
    assert.equal(schema.kinds['coordination.k8s.io/v1/Lease']?.message, 'k8s.io.api.coordination.v1.Lease');
  });

  test('join Go struct order, JSON names, omitempty, pointers and inline', () => {
    const spec = schema.messages['k8s.io.api.apps.v1.DeploymentSpec'];
    assert.deepEqual(
      spec?.fields.map((f) => f.name),
      [
        'replicas',
        'selector',
        'template',
        'strategy',
        'minReadySeconds',
        'revisionHistoryLimit',
        'paused',
        'progressDeadlineSeconds',
      ],
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

  test('are 1.36 and 1.32: each kind from the newest that has it, 1.32 messages prefixed', () => {
    assert.deepEqual(defaultSourcesDirs(), [installedSourcesDir('1.36'), installedSourcesDir('1.32')]);
    assert.deepEqual(
      schema.sources?.map((s) => [s.version, s.messagePrefix, s.description]),
      [
        ['1.36', '', 'k8s.io/api 0.36.4-1'],
        ['1.32', '1.32/', 'k8s.io/api 0.32.3-1'],
      ],
    );
    const hpa = schema.kinds['autoscaling/v2beta1/HorizontalPodAutoscaler'];
    assert.equal(hpa?.schemaVersion, '1.32');
    assert.equal(hpa?.message, '1.32/k8s.io.api.autoscaling.v2beta1.HorizontalPodAutoscaler');
    assert.equal(schema.kinds['autoscaling/v2/HorizontalPodAutoscaler']?.schemaVersion, '1.36');
    // 1.32's own ObjectMeta (no omitzero) for its kinds, 1.36's for the others
    const created = (name: string): unknown =>
      schema.messages[name]?.fields.find((f) => f.name === 'creationTimestamp')?.omitZero;
    assert.equal(created('k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta'), true);
    assert.equal(created('1.32/k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta'), undefined);
    // only what 1.32's winning kinds reach is kept
    assert.equal(schema.messages['1.32/k8s.io.api.core.v1.Pod'], undefined);
    const only132 = Object.values(schema.kinds)
      .filter((k) => k.schemaVersion === '1.32')
      .map((k) => `${k.apiVersion}/${k.kind}`)
      .sort();
    assert.deepEqual(only132, [
      'autoscaling/v2beta1/HorizontalPodAutoscaler',
      'autoscaling/v2beta1/HorizontalPodAutoscalerList',
      'autoscaling/v2beta2/HorizontalPodAutoscaler',
      'autoscaling/v2beta2/HorizontalPodAutoscalerList',
      'networking.k8s.io/v1alpha1/IPAddress',
      'networking.k8s.io/v1alpha1/IPAddressList',
      'networking.k8s.io/v1alpha1/ServiceCIDR',
      'networking.k8s.io/v1alpha1/ServiceCIDRList',
      'resource.k8s.io/v1alpha3/DeviceClass',
      'resource.k8s.io/v1alpha3/DeviceClassList',
      'resource.k8s.io/v1alpha3/ResourceClaim',
      'resource.k8s.io/v1alpha3/ResourceClaimList',
      'resource.k8s.io/v1alpha3/ResourceClaimTemplate',
      'resource.k8s.io/v1alpha3/ResourceClaimTemplateList',
      'resource.k8s.io/v1alpha3/ResourceSlice',
      'resource.k8s.io/v1alpha3/ResourceSliceList',
      'scheduling.k8s.io/v1alpha1/PriorityClass',
      'scheduling.k8s.io/v1alpha1/PriorityClassList',
      'storagemigration.k8s.io/v1alpha1/StorageVersionMigration',
      'storagemigration.k8s.io/v1alpha1/StorageVersionMigrationList',
    ]);
    // 1.32's messages refer only to 1.32's messages, and all of them are there
    for (const m of Object.values(schema.messages).filter((x) => x.name.startsWith('1.32/'))) {
      for (const f of [...m.fields, ...(m.protoOnly ?? [])]) {
        for (const ref of [f.message, f.mapValueMessage]) {
          if (ref !== undefined)
            assert.ok(ref.startsWith('1.32/') && schema.messages[ref] !== undefined, `${m.name}.${f.name}: ${ref}`);
        }
      }
    }
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
      const k8s = path.join(installedSourcesDir('1.32'), 'k8s.io');
      fs.mkdirSync(path.join(tmp, 'k8s.io'));
      fs.symlinkSync(path.join(k8s, 'api'), path.join(tmp, 'k8s.io', 'api@v0.32.3'));
      fs.symlinkSync(path.join(k8s, 'apimachinery'), path.join(tmp, 'k8s.io', 'apimachinery@v0.32.3'));
      const other = compileSchema({ sourcesDir: tmp });
      const installed = loadSchema({ sourcesDir: installedSourcesDir('1.32') });
      assert.equal(Object.keys(other.kinds).length, Object.keys(installed.kinds).length);
      assert.equal(other.source.description, 'Kubernetes 1.32 (k8s.io/api 0.32.3)');
      assert.equal(installed.source.description, 'Kubernetes 1.32 (k8s.io/api 0.32.3-1)');
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});

describe('missing sources', () => {
  test('a SchemaError says what to run', () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'kubetcd-empty-'));
    try {
      assert.throws(
        () => loadSchema({ sourcesDir: empty, cacheDir: false }),
        (e: Error) => {
          assert.equal(e.name, 'SchemaError');
          assert.match(e.message, /Kubernetes sources not found in .*kubetcd-empty-/);
          assert.match(e.message, /bash proto\/install\.sh/);
          assert.match(e.message, /npm run setup/);
          assert.match(e.message, /KUBETCD_K8S_SOURCES/);
          return true;
        },
      );
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });

  test('KUBETCD_K8S_SOURCES is honoured', () => {
    const out = inChild(
      'try { s.loadSchema(); console.log("loaded"); } catch (e) { console.log(e.name + ": " + e.message); }',
      { KUBETCD_K8S_SOURCES: path.join(os.tmpdir(), 'kubetcd-does-not-exist') },
    );
    assert.match(
      out,
      /^SchemaError: Kubernetes sources not found in .*kubetcd-does-not-exist: the folder does not exist/,
    );
  });

  test('KUBETCD_K8S_SOURCES takes a list (path-delimiter separated), sorted newest first', () => {
    const out = inChild('const sc = s.loadSchema(); console.log(JSON.stringify(sc.sources.map((x) => x.version)));', {
      KUBETCD_K8S_SOURCES: [installedSourcesDir('1.32'), installedSourcesDir('1.36')].join(path.delimiter),
    });
    assert.deepEqual(JSON.parse(out), ['1.36', '1.32']);
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
      fs.writeFileSync(
        path.join(widgets, 'register.go'),
        'package v1\n\n// GroupName is the group.\nconst GroupName = "widgets.example.com"\n',
      );
      fs.writeFileSync(path.join(widgets, 'types.go'), widgetGo(['size', 'color', 'tags']));

      const load = `const sc = s.loadSchema({ sourcesDir: ${JSON.stringify(src)}, cacheDir: ${JSON.stringify(cache)} });
        const m = sc.messages['k8s.io.api.widgets.v1.Widget'];
        console.log(JSON.stringify({ fp: sc.source.fingerprint, kind: sc.kinds['widgets.example.com/v1/Widget'], names: m.fields.map((f) => f.name) }));`;
      const first = JSON.parse(inChild(load)) as { fp: string; kind: unknown; names: string[] };
      assert.deepEqual(first.kind, {
        group: 'widgets.example.com',
        version: 'v1',
        kind: 'Widget',
        apiVersion: 'widgets.example.com/v1',
        message: 'k8s.io.api.widgets.v1.Widget',
        schemaVersion: 'source-1', // a plain folder names no version
      });
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
      const bytes = codec.encode({
        apiVersion: 'widgets.example.com/v1',
        kind: 'Widget',
        metadata: { name: 'w' },
        size: 0,
      });
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

  test('several versions: each kind from the newest, with its own messages; sorted by version; cached together', () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kubetcd-versions-'));
    try {
      // Go module cache layouts name their versions: k8s.io/api@v0.40.0 is Kubernetes 1.40
      const tree = (version: string, opts: { uid: boolean; gadget: boolean }): string => {
        const root = path.join(tmp, version);
        const meta = path.join(root, 'k8s.io', `apimachinery@v${version}`, 'pkg', 'apis', 'meta', 'v1');
        const widgets = path.join(root, 'k8s.io', `api@v${version}`, 'widgets');
        fs.mkdirSync(meta, { recursive: true });
        fs.mkdirSync(path.join(widgets, 'v1'), { recursive: true });
        const uidProto = opts.uid ? '  optional string uid = 5;\n' : '';
        const uidGo = opts.uid ? '\tUID string `json:"uid,omitempty" protobuf:"bytes,5,opt,name=uid"`\n' : '';
        fs.writeFileSync(
          path.join(meta, 'generated.proto'),
          META_PROTO.replace(
            'message ObjectMeta { optional string name = 1; }',
            `message ObjectMeta {\n  optional string name = 1;\n${uidProto}}`,
          ),
        );
        fs.writeFileSync(
          path.join(meta, 'types.go'),
          META_GO.replace(
            '\tName string `json:"name,omitempty" protobuf:"bytes,1,opt,name=name"`\n',
            `\tName string \`json:"name,omitempty" protobuf:"bytes,1,opt,name=name"\`\n${uidGo}`,
          ),
        );
        const register = (dir: string): void =>
          fs.writeFileSync(
            path.join(dir, 'register.go'),
            `package ${path.basename(dir)}\n\nconst GroupName = "widgets.example.com"\n`,
          );
        fs.writeFileSync(path.join(widgets, 'v1', 'generated.proto'), WIDGET_PROTO);
        fs.writeFileSync(path.join(widgets, 'v1', 'types.go'), widgetGo(['size', 'color', 'tags']));
        register(path.join(widgets, 'v1'));
        if (opts.gadget) {
          const beta = path.join(widgets, 'v1beta1');
          fs.mkdirSync(beta);
          fs.writeFileSync(
            path.join(beta, 'generated.proto'),
            WIDGET_PROTO.replace(/widgets\.v1/g, 'widgets.v1beta1')
              .replace('widgets/v1"', 'widgets/v1beta1"')
              .replace('message Widget', 'message Gadget'),
          );
          fs.writeFileSync(
            path.join(beta, 'types.go'),
            widgetGo(['size'])
              .replace('package v1', 'package v1beta1')
              .replace(/Widget/g, 'Gadget'),
          );
          register(beta);
        }
        return root;
      };
      const newer = tree('0.40.0', { uid: true, gadget: false });
      const older = tree('0.39.2', { uid: false, gadget: true });
      const cache = path.join(tmp, 'cache');
      // given oldest first, as one path-delimited string: sorted newest first all the same
      const schema = loadSchema({ sourcesDir: [older, newer].join(path.delimiter), cacheDir: cache });
      assert.deepEqual(
        schema.sources?.map((s) => [s.version, s.messagePrefix, s.description]),
        [
          ['1.40', '', 'k8s.io/api 0.40.0'],
          ['1.39', '1.39/', 'k8s.io/api 0.39.2'],
        ],
      );
      assert.equal(
        schema.source.description,
        'Kubernetes 1.40 (k8s.io/api 0.40.0) + Kubernetes 1.39 (k8s.io/api 0.39.2)',
      );
      assert.equal(schema.kinds['widgets.example.com/v1/Widget']?.message, 'k8s.io.api.widgets.v1.Widget');
      assert.equal(
        schema.kinds['widgets.example.com/v1beta1/Gadget']?.message,
        '1.39/k8s.io.api.widgets.v1beta1.Gadget',
      );
      assert.deepEqual(
        Object.keys(schema.messages)
          .filter((n) => n.startsWith('1.39/'))
          .sort(),
        ['1.39/k8s.io.api.widgets.v1beta1.Gadget', '1.39/k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta'],
      );

      const codec = createCodec({ schema });
      const widget = codec.decode(
        codec.encode({ apiVersion: 'widgets.example.com/v1', kind: 'Widget', metadata: { name: 'w', uid: 'u1' } }),
      );
      assert.equal(widget.schemaVersion, '1.40');
      assert.deepEqual(widget.object?.['metadata'], { name: 'w', uid: 'u1' });
      // a Gadget's ObjectMeta is 1.39's, which has no uid: the field stays visible, unknown
      const gadget = codec.decode(
        codec.encode({ apiVersion: 'widgets.example.com/v1beta1', kind: 'Gadget', metadata: { name: 'g' }, size: 3 }),
      );
      assert.equal(gadget.schemaVersion, '1.39');
      assert.equal(
        toKubeJson(gadget.object),
        '{"kind":"Gadget","apiVersion":"widgets.example.com/v1beta1","metadata":{"name":"g"},"size":3}',
      );
      assert.throws(
        () =>
          codec.encode({
            apiVersion: 'widgets.example.com/v1beta1',
            kind: 'Gadget',
            metadata: { name: 'g', uid: 'u2' },
          }),
        (e: Error) => e.name === 'EncodeError' && /has no field "uid"/.test(e.message),
      );

      // an array works the same, and a fresh process loads the joined schema from the cache
      const load = `const sc = s.loadSchema({ sourcesDir: ${JSON.stringify([newer, older])}, cacheDir: ${JSON.stringify(cache)} });
        console.log(JSON.stringify({ fp: sc.source.fingerprint, versions: sc.sources.map((x) => x.version) }));`;
      const first = JSON.parse(inChild(load)) as { fp: string; versions: string[] };
      assert.deepEqual(first.versions, ['1.40', '1.39']);
      assert.equal(fs.readdirSync(cache).filter((f) => f.startsWith('schema-')).length, 2);
      const again = JSON.parse(inChild(load)) as { fp: string };
      assert.equal(again.fp, first.fp);
      assert.equal(fs.readdirSync(cache).filter((f) => f.startsWith('schema-')).length, 2);

      assert.throws(
        () => loadSchema({ sourcesDir: [], cacheDir: false }),
        (e: Error) => {
          assert.equal(e.name, 'SchemaError');
          assert.match(e.message, /^No Kubernetes sources folder in sourcesDir: \[\]\. Pass one or more folders/);
          return true;
        },
      );
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});
