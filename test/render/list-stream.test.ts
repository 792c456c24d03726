/**
 * Streamed lists: the chunks of toJsonChunks/toYamlChunks are exactly the text toJson/toYaml return
 * (Kubernetes' own fixtures of every kind, every indent, both key orders, empty lists, tiny chunks), and
 * a listing longer than V8's longest string streams through a real Node Writable with flat memory.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { constants as bufferConstants } from 'node:buffer';
import { decode, defaultSourcesDir, parseKubeJson } from '../../src/codec';
import type { KubeObject } from '../../src/codec/types';
import { toJson, toYaml } from '../../src/render/export';
import { jsonListFormat, listChunks, toJsonChunks, toYamlChunks, yamlListFormat } from '../../src/render/list-stream';
import { writeChunks, writeList } from '../../src/render/write-list';

/** Every fixture of Kubernetes' testdata/HEAD that decodes (171 kinds). */
function goldenObjects(): KubeObject[] {
  const dir = path.join(defaultSourcesDir(), 'k8s.io', 'api', 'testdata', 'HEAD');
  const out: KubeObject[] = [];
  for (const f of fs
    .readdirSync(dir)
    .filter((n) => n.endsWith('.pb'))
    .sort()) {
    const [group, version, kind] = f.replace(/\.pb$/, '').split('.') as [string, string, string];
    const apiVersion = group === 'core' ? version : `${group}/${version}`;
    const d = decode(fs.readFileSync(path.join(dir, f)), { apiVersion, kind });
    if (d.object !== undefined) out.push(d.object);
  }
  return out;
}

async function join(chunks: AsyncIterable<string>): Promise<{ text: string; count: number }> {
  let text = '';
  let count = 0;
  for await (const c of chunks) {
    text += c;
    count++;
  }
  return { text, count };
}

async function* slowly<T>(items: readonly T[]): AsyncGenerator<T> {
  for (const i of items) {
    await new Promise((r) => setImmediate(r));
    yield i;
  }
}

describe('streamed lists', () => {
  const objects = goldenObjects();

  test('chunks join to exactly toJson / toYaml (every fixture, indents, orders, empty)', async () => {
    assert.ok(objects.length > 150, `only ${objects.length} fixtures decoded`);
    for (const indent of ['    ', '  ', '']) {
      for (const order of ['kubectl', 'stored'] as const) {
        const want = toJson(objects, { indent, order });
        assert.equal(
          (await join(toJsonChunks(objects, { indent, order }))).text,
          want,
          `indent ${JSON.stringify(indent)} ${order}`,
        );
        // tiny chunks: one item each; an async source; a list with items
        const small = await join(listChunks(slowly(objects), jsonListFormat({ indent, order }), 1));
        assert.equal(small.text, want);
        assert.equal(small.count, objects.length + 1);
        assert.equal((await join(toJsonChunks({ items: objects }, { indent, order }))).text, want);
      }
      assert.equal((await join(toJsonChunks([], { indent }))).text, toJson([], { indent }));
      assert.equal(
        (await join(toJsonChunks(objects.slice(0, 1), { indent }))).text,
        toJson(objects.slice(0, 1), { indent }),
      );
    }
    assert.equal((await join(toYamlChunks(objects))).text, toYaml(objects));
    assert.equal((await join(listChunks(objects, yamlListFormat(), 1))).text, toYaml(objects));
    assert.equal((await join(toYamlChunks([]))).text, toYaml([]));
  });

  test('k.stream() entries print their objects and skip those without one; a per-item formatter plugs in', async () => {
    const entries = objects
      .slice(0, 3)
      .map((object, i) => ({ key: `/k/${i}`, valueBytes: 1, ...(i === 1 ? {} : { object }) }));
    const want = toJson([objects[0] as KubeObject, objects[2] as KubeObject]);
    assert.equal((await join(toJsonChunks(slowly(entries)))).text, want);
    const seen: Array<[string, string]> = [];
    const format = jsonListFormat({
      formatItem: (o, prefix, indent) => {
        seen.push([prefix, indent]);
        return JSON.stringify(o['kind'] ?? null);
      },
    });
    const text = (await join(listChunks(objects.slice(0, 2), format))).text;
    assert.deepEqual(seen, [
      ['        ', '    '],
      ['        ', '    '],
    ]);
    const parsed = parseKubeJson(text) as { items: unknown[]; kind: string };
    assert.equal(parsed.kind, 'List');
    assert.equal(parsed.items.length, 2);
  });

  test('writeList writes JSON or YAML files (format from the extension) that read back', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubetcd-list-'));
    try {
      await writeList(slowly(objects), path.join(dir, 'all.json'));
      assert.equal(fs.readFileSync(path.join(dir, 'all.json'), 'utf8'), toJson(objects));
      await writeList(objects, path.join(dir, 'all.yaml'));
      assert.equal(fs.readFileSync(path.join(dir, 'all.yaml'), 'utf8'), toYaml(objects));
      await assert.rejects(writeList(objects, path.join(dir, 'x'), { format: 'xml' as never }), {
        name: 'InvalidArgumentError',
        message: /Unknown list format/,
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a listing longer than V8 can hold in one string streams through a Writable in flat memory', async () => {
    const limit = bufferConstants.MAX_STRING_LENGTH;
    // one 4 MiB string shared by every object, so only the output is large
    const blob = 'x'.repeat(4 << 20);
    const count = Math.ceil((limit * 1.1) / blob.length);
    const makeItem = (i: number): KubeObject => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: `cm-${i}`, namespace: 'big' },
      data: { blob },
    });
    function* items(): Generator<KubeObject> {
      for (let i = 0; i < count; i++) yield makeItem(i);
    }
    // the expected length, from toJson of one and two items (names of equal length: cm-1000…)
    const lengthOf = (n: number): number => toJson(Array.from({ length: n }, (_, j) => makeItem(1000 + j))).length;
    const one = lengthOf(1);
    const perItem = lengthOf(2) - one;
    const digits = (i: number): number => String(i).length;
    let expected = one + (count - 1) * perItem;
    for (let i = 0; i < count; i++) expected += digits(i) - 4;
    assert.ok(expected > limit, 'the listing is longer than the longest string');

    const before = process.memoryUsage().heapUsed;
    let peak = 0;
    let written = 0;
    let head = '';
    let tail = '';
    const sink = new Writable({
      highWaterMark: 1 << 20,
      decodeStrings: false,
      write(chunk: string, _encoding, done) {
        written += chunk.length;
        if (head.length < 200) head += chunk.slice(0, 200);
        tail = (tail + chunk.slice(-200)).slice(-200);
        peak = Math.max(peak, process.memoryUsage().heapUsed - before);
        setImmediate(done); // asynchronous: write() returns false and writeChunks waits for 'drain'
      },
    });
    const chars = await writeChunks(toJsonChunks(items()), sink);
    assert.equal(chars, expected);
    assert.equal(written, expected);
    assert.ok(
      head.startsWith(
        '{\n    "apiVersion": "v1",\n    "items": [\n        {\n            "apiVersion": "v1",\n            "data": {',
      ),
      head,
    );
    assert.ok(
      tail.endsWith(
        `"name": "cm-${count - 1}",\n                "namespace": "big"\n            }\n        }\n    ],\n    "kind": "List",\n    "metadata": {\n        "resourceVersion": ""\n    }\n}\n`,
      ),
      tail,
    );
    assert.ok(
      peak < 256 << 20,
      `heap grew by ${Math.round(peak / 2 ** 20)} MiB while writing ${Math.round(written / 2 ** 20)} M characters`,
    );
    // and toJson itself cannot hold it
    assert.throws(() => toJson(Array.from(items())), RangeError);
  });
});
