/**
 * Exports round-trip without loss: JSON back through parseKubeJson (int64 exact), raw dumps back to the
 * identical bytes (undecodable and encrypted values included), CSV quoted per RFC 4180.
 * Real objects: etcd-io/auger's stored pod and job (see /work/shared/data), decoded.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as yaml from 'js-yaml';
import { decode, findRepoRoot, parseKubeJson } from '../../src/codec';
import type { KubeObject } from '../../src/codec/types';
import { fromRawDump, toCsv, toJson, toRawDump, toYaml, type RawRecordInput } from '../../src/render/export';

const data = path.join(findRepoRoot(), '..', 'shared', 'data', 'auger-testdata');
const read = (p: string): Buffer => fs.readFileSync(path.join(data, p));

function realObjects(): KubeObject[] {
  const out: KubeObject[] = [];
  for (const f of ['storage/pod.bin', 'storage/job.bin']) {
    const d = decode(read(f));
    assert.ok(d.object, `${f}: ${d.error?.message}`);
    out.push(d.object);
  }
  return out;
}

const BIG: KubeObject = {
  apiVersion: 'example.com/v1',
  kind: 'Widget',
  metadata: {
    name: 'w,1',
    namespace: 'default',
    generation: 9007199254740993n,
    labels: { 'app.kubernetes.io/name': 'a "quoted", value' },
  },
  spec: {
    note: 'line one\nline two\r\nend',
    formula: '=HYPERLINK("http://x")',
    negative: -5,
    size: 18446744073709551615n,
    b: true,
    z: null,
    list: [1, 2.5, 'x'],
  },
};

/** RFC 4180 reader, for the test only. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i += 2;
      } else if (c === '"') {
        quoted = false;
        i++;
      } else {
        cell += c;
        i++;
      }
    } else if (c === '"') {
      quoted = true;
      i++;
    } else if (c === ',') {
      row.push(cell);
      cell = '';
      i++;
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i += 2;
    } else {
      cell += c;
      i++;
    }
  }
  assert.equal(cell, '', 'the text ends with a line break');
  return rows;
}

describe('toJson', () => {
  test('a List document that parses back to the same objects, bigint exact', () => {
    const objects = [...realObjects(), BIG];
    for (const order of ['kubectl', 'stored'] as const) {
      const text = toJson({ items: objects }, { order });
      const back = parseKubeJson(text) as { apiVersion: string; kind: string; items: KubeObject[]; metadata: unknown };
      assert.equal(back.kind, 'List');
      assert.equal(back.apiVersion, 'v1');
      assert.deepEqual(back.metadata, { resourceVersion: '' });
      assert.deepEqual(back.items, objects);
      assert.equal(typeof (back.items[2]!.metadata as { generation: unknown }).generation, 'bigint');
      assert.ok(text.includes('"generation": 9007199254740993'));
      assert.ok(text.endsWith('}\n'));
    }
  });

  test('kubectl order: keys sorted at every level, four-space indents', () => {
    const text = toJson([
      { kind: 'Pod', apiVersion: 'v1', metadata: { namespace: 'n', name: 'p', labels: { b: '1', a: '2' } } },
    ]);
    assert.equal(
      text,
      '{\n    "apiVersion": "v1",\n    "items": [\n        {\n            "apiVersion": "v1",\n            "kind": "Pod",\n            "metadata": {\n' +
        '                "labels": {\n                    "a": "2",\n                    "b": "1"\n                },\n' +
        '                "name": "p",\n                "namespace": "n"\n            }\n        }\n    ],\n    "kind": "List",\n' +
        '    "metadata": {\n        "resourceVersion": ""\n    }\n}\n',
    );
    const stored = toJson([{ kind: 'Pod', apiVersion: 'v1' }], { order: 'stored', indent: '' });
    assert.equal(
      stored,
      '{"apiVersion":"v1","items":[{"kind":"Pod","apiVersion":"v1"}],"kind":"List","metadata":{"resourceVersion":""}}\n',
    );
    assert.equal(
      toJson([]),
      '{\n    "apiVersion": "v1",\n    "items": [],\n    "kind": "List",\n    "metadata": {\n        "resourceVersion": ""\n    }\n}\n',
    );
  });

  test('refuses what is not a list', () => {
    assert.throws(() => toJson({} as never), {
      name: 'InvalidArgumentError',
      message: /expected an array of objects or a list with items/,
    });
  });
});

describe('toYaml', () => {
  test('a List document as kubectl prints it; reads back to the same objects', () => {
    const objects = realObjects();
    const text = toYaml(objects);
    assert.ok(text.startsWith('apiVersion: v1\nitems:\n- apiVersion: '), text.slice(0, 60));
    assert.ok(text.endsWith('kind: List\nmetadata:\n  resourceVersion: ""\n'));
    const back = yaml.load(text) as { items: unknown[] };
    // js-yaml reads timestamps as strings under the JSON schema; compare through JSON
    assert.deepEqual(JSON.parse(JSON.stringify(back.items)), JSON.parse(JSON.stringify(objects)));
  });
});

describe('toCsv', () => {
  test('commas, quotes and line breaks are quoted (RFC 4180) and read back exactly', () => {
    const csv = toCsv(
      [BIG, ...realObjects()],
      [
        'metadata.name',
        { header: 'app, "name"', path: ['metadata', 'labels', 'app.kubernetes.io/name'] },
        'spec.note',
        'metadata.generation',
        'spec.size',
        'spec.negative',
        'spec.b',
        'spec.z',
        'spec.list',
        {
          header: 'containers',
          value: (o) => ((o.spec as { containers?: unknown[] } | undefined)?.containers ?? []).length,
        },
      ],
      { escapeFormulas: false },
    );
    const rows = parseCsv(csv);
    assert.deepEqual(rows[0], [
      'metadata.name',
      'app, "name"',
      'spec.note',
      'metadata.generation',
      'spec.size',
      'spec.negative',
      'spec.b',
      'spec.z',
      'spec.list',
      'containers',
    ]);
    assert.deepEqual(rows[1], [
      'w,1',
      'a "quoted", value',
      'line one\nline two\r\nend',
      '9007199254740993',
      '18446744073709551615',
      '-5',
      'true',
      '',
      '[1,2.5,"x"]',
      '0',
    ]);
    assert.equal(rows.length, 4);
    assert.ok(csv.includes('"a ""quoted"", value"'));
    assert.equal(rows[2]![9], '1');
  });

  test('formula cells are neutralised by default; numbers are not', () => {
    const rows = parseCsv(
      toCsv(
        [BIG],
        [
          'spec.formula',
          'spec.negative',
          { header: '@sum', value: () => '-1+2' },
          { header: 'tab', value: () => '\tx' },
        ],
      ),
    );
    assert.deepEqual(rows, [
      ['spec.formula', 'spec.negative', "'@sum", 'tab'],
      [`'=HYPERLINK("http://x")`, '-5', "'-1+2", "'\tx"],
    ]);
    assert.equal(toCsv([{ a: 'x' }], ['a'], { newline: '\n', header: false }), 'x\n');
    assert.throws(() => toCsv([BIG], []), { name: 'InvalidArgumentError', message: /without columns/ });
  });
});

describe('raw dumps', () => {
  const records = (): RawRecordInput[] => {
    const encrypted = Buffer.concat([Buffer.from('k8s:enc:aescbc:v1:key1:'), crypto.randomBytes(48)]);
    return [
      {
        key: Buffer.from('/registry/pods/default/web'),
        value: read('storage/pod.bin'),
        createRevision: 5,
        modRevision: 9,
        version: 3,
        lease: '0',
      },
      // undecodable: truncated protobuf, random bytes, a non-UTF-8 key, an empty value
      {
        key: '/registry/pods/default/broken',
        raw: read('storage/pod.bin').subarray(0, 40),
        encoding: 'protobuf',
        error: 'Cannot decode v1/Pod: truncated',
      },
      {
        key: '/registry/secrets/kube-system/token',
        raw: encrypted,
        encoding: 'encrypted',
        error: 'is encrypted at rest (aescbc, key "key1")',
      },
      {
        key: Uint8Array.from([0x2f, 0xff, 0x00, 0x0a, 0x80]),
        value: crypto.randomBytes(300),
        createRevision: 7,
        modRevision: 7,
        version: 1,
        lease: '7587862236519923715',
      },
      { key: '/registry/leases/x', value: new Uint8Array(0), modRevision: 12, deleted: true, version: 0 },
    ];
  };

  test('back to identical bytes, undecodable and encrypted values included', () => {
    const input = records();
    const text = toRawDump(input, { revision: 12, source: 'snapshot.db' });
    const dump = fromRawDump(text);
    assert.equal(dump.revision, 12);
    assert.equal(dump.source, 'snapshot.db');
    assert.equal(dump.records.length, input.length);
    input.forEach((r, i) => {
      const got = dump.records[i]!;
      assert.deepEqual(
        Buffer.from(got.key),
        Buffer.from(typeof r.key === 'string' ? Buffer.from(r.key) : r.key),
        `key ${i}`,
      );
      assert.deepEqual(Buffer.from(got.value), Buffer.from(r.value ?? r.raw!), `value ${i}`);
      for (const f of ['createRevision', 'modRevision', 'version', 'lease', 'deleted', 'encoding', 'error'] as const)
        assert.equal(got[f], r[f], `${f} ${i}`);
    });
    // the decodable one still decodes, the broken ones still fail as before
    assert.equal(decode(dump.records[0]!.value).object?.kind, 'Pod');
    assert.ok(decode(dump.records[1]!.value).error);
    assert.equal(decode(dump.records[2]!.value).encryption?.keyName, 'key1');
    // readable: the header, and printable keys as text
    const lines = text.split('\n');
    assert.equal(
      lines[0],
      '{"format":"kubetcd-raw-dump","version":1,"records":5,"revision":12,"source":"snapshot.db"}',
    );
    assert.match(lines[1]!, /"keyText":"\/registry\/pods\/default\/web"/);
    assert.ok(!lines[4]!.includes('keyText'));
    assert.equal(fromRawDump(text.replace(/\n/g, '\r\n')).records.length, 5);
    assert.deepEqual(fromRawDump(toRawDump([])).records, []);
  });

  test('damaged dumps are refused, naming the line', () => {
    const text = toRawDump(records());
    const lines = text.split('\n');
    const cases: Array<[string, RegExp]> = [
      ['', /line 1: the text is empty/],
      ['{"format":"other","version":1}\n', /line 1: format is "other"/],
      ['{"format":"kubetcd-raw-dump","version":2}\n', /line 1: version 2 is not supported/],
      [lines.slice(0, 3).join('\n') + '\n', /header says 5 records, the text holds 2 \(truncated\?\)/],
      [[lines[0], lines[1]!.slice(0, 30)].join('\n'), /line 2: not JSON/],
      [[lines[0], lines[1]!.replace(/"value":"[^"]{4}/, '"value":"!!!!')].join('\n'), /line 2: "value" is not base64/],
      [
        [lines[0], lines[1]!.replace(/"valueBytes":\d+/, '"valueBytes":3')].join('\n'),
        /line 2: the value is \d+ bytes, but valueBytes says 3/,
      ],
      [[lines[0], lines[1]!.replace(/"lease":"0"/, '"lease":"zero"')].join('\n'), /line 2: "lease" is "zero"/],
      [
        [lines[0], lines[1]!.replace(/"createRevision":5/, '"createRevision":-1')].join('\n'),
        /line 2: "createRevision" is -1/,
      ],
    ];
    for (const [bad, message] of cases)
      assert.throws(() => fromRawDump(bad), { name: 'InvalidArgumentError', message }, String(message));
    assert.throws(() => toRawDump([{ value: new Uint8Array(1) } as never]), /Cannot dump record 0: it has no key/);
  });
});
