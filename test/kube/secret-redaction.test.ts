/**
 * A Secret written by `kubectl apply` holds its values twice: in `data` and in the
 * `kubectl.kubernetes.io/last-applied-configuration` annotation. Neither copy may show unless revealed,
 * in any output: get, list, stream, tables, history, watch, exports, kubectl(), the CLI and the notebook.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { startKubeFixture, type KubeFixture } from '../helpers/kube-fixture';
import { encode } from '../../src/codec';
import type { KubeObject } from '../../src/codec/types';
import { redactSecret } from '../../src/kube/secret-redaction';
import { toCsv, toJson, toYaml } from '../../src/render/export';
import { present } from '../../src/notebook/present';

const PASSWORD = 'hunter2-s3cr3t';
const PASSWORD_B64 = Buffer.from(PASSWORD).toString('base64');
const NOTE = 'plain-text-note-value';
const KEY = '/registry/secrets/default/db-credentials';
const cli = path.join(__dirname, '..', '..', '..', 'dist', 'cli.js');

/** The manifest as a user applies it, and the annotation kubectl apply stores: its JSON and a newline. */
function appliedSecret(password: string): KubeObject {
  const manifest = {
    apiVersion: 'v1',
    data: { password: Buffer.from(password).toString('base64') },
    kind: 'Secret',
    metadata: { annotations: {}, name: 'db-credentials', namespace: 'default' },
    stringData: { note: NOTE },
    type: 'Opaque',
  };
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: 'db-credentials',
      namespace: 'default',
      uid: '0d3c59a4-1111-4000-8000-00000000abcd',
      annotations: {
        'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify(manifest) + '\n',
        'example.com/owner': 'team-db',
      },
    },
    data: { password: Buffer.from(password).toString('base64'), note: Buffer.from(NOTE).toString('base64') },
    type: 'Opaque',
  };
}

/** Fails when any copy of a value shows in `text`. */
function assertNoLeak(text: string, where: string): void {
  for (const secret of [PASSWORD, PASSWORD_B64, NOTE, Buffer.from(NOTE).toString('base64')]) {
    assert.ok(!text.includes(secret), `${where} shows a Secret value (${secret}):\n${text.slice(0, 2000)}`);
  }
}

describe('redactSecret: values inside annotations', () => {
  it('keeps keys and layout of the last-applied JSON, replaces its values', () => {
    const out = redactSecret(appliedSecret(PASSWORD));
    const annotations = (out.metadata as { annotations: Record<string, string> }).annotations;
    const applied = annotations['kubectl.kubernetes.io/last-applied-configuration']!;
    assert.ok(applied.endsWith('}\n'), applied);
    const parsed = JSON.parse(applied) as Record<string, Record<string, string>>;
    assert.deepEqual(Object.keys(parsed), ['apiVersion', 'data', 'kind', 'metadata', 'stringData', 'type']);
    assert.deepEqual(parsed.data, { password: `<redacted: ${PASSWORD.length} bytes>` });
    assert.deepEqual(parsed.stringData, { note: `<redacted: ${NOTE.length} bytes>` });
    assert.equal(annotations['example.com/owner'], 'team-db');
    assertNoLeak(JSON.stringify(out), 'redactSecret');
  });

  it('an annotation that names data fields but is not JSON is replaced whole; the input is unchanged', () => {
    const obj = appliedSecret(PASSWORD);
    (obj.metadata as { annotations: Record<string, string> }).annotations['x/copy'] =
      `{"data": {"password": "${PASSWORD_B64}"`;
    const out = redactSecret(obj);
    assertNoLeak(JSON.stringify(out), 'redactSecret of a damaged annotation');
    assert.match(
      (out.metadata as { annotations: Record<string, string> }).annotations['x/copy']!,
      /^<redacted: \d+ bytes>$/,
    );
    assert.ok(JSON.stringify(obj).includes(PASSWORD_B64), 'the input object must not be changed');
  });
});

describe('Secrets made by kubectl apply stay redacted everywhere, live and offline', () => {
  let fx: KubeFixture;

  before(async () => {
    fx = await startKubeFixture({
      pods: 5,
      seed: 11,
      extra: async (writer) => {
        await writer.put(KEY, encode(appliedSecret('first-password')));
        await writer.put(KEY, encode(appliedSecret(PASSWORD)));
      },
    });
  });

  after(async () => {
    await fx?.close();
  });

  it('get, list, stream, exports and the notebook display', async () => {
    for (const k of fx.kubes) {
      const where = k.source.kind;
      const got = await k.get('secrets', 'db-credentials', { namespace: 'default' });
      assertNoLeak(JSON.stringify(got), `${where} get`);
      const list = await k.list('secrets', { namespace: 'default' });
      assert.ok(list.items.some((o) => (o.metadata as { name: string }).name === 'db-credentials'));
      assertNoLeak(JSON.stringify(list.items), `${where} list`);
      for (const text of [toJson(list), toYaml(list), toCsv(list, ['metadata.name', 'metadata.annotations', 'data'])]) {
        assertNoLeak(text, `${where} export`);
      }
      const streamed: unknown[] = [];
      for await (const e of k.stream('secrets')) streamed.push(e.object);
      assertNoLeak(JSON.stringify(streamed), `${where} stream`);
      for (const value of [list, got]) {
        const shown = present(value);
        assertNoLeak(shown.rendered.html + shown.rendered.text, `${where} notebook display`);
      }
      const table = await k.kubectl('get secrets -n default -o yaml');
      assert.ok(table.output?.includes('last-applied-configuration'), 'the annotation itself stays visible');
      assertNoLeak(table.output ?? '', `${where} kubectl() -o yaml`);
      const revealed = await k.get('secrets', 'db-credentials', { namespace: 'default', reveal: true });
      assert.ok(JSON.stringify(revealed.object).includes(PASSWORD_B64), `${where}: reveal shows the values`);
    }
  });

  it('history and watch', async () => {
    for (const k of fx.kubes) {
      const history = await k.history(KEY);
      assert.equal(history.length, 2);
      assert.ok(history[1]!.changes.length > 0, 'the password change still shows as a change');
      assertNoLeak(JSON.stringify(history), `${k.source.kind} history`);
      assert.ok(!JSON.stringify(history).includes('first-password'));
    }
    const ac = new AbortController();
    const events: unknown[] = [];
    for await (const e of fx.kubes[0].watch('secrets', { fromRevision: 1, signal: ac.signal })) {
      if (e.key !== KEY) continue;
      events.push(e);
      if (events.length === 2) break;
    }
    assertNoLeak(JSON.stringify(events), 'watch');
    assert.ok(!JSON.stringify(events).includes(Buffer.from('first-password').toString('base64')));
  });

  it('the CLI: -o json, -o yaml and history; --reveal shows the values', () => {
    const file = fx.snapshot.origin;
    assert.ok(file.endsWith('.db'), file);
    const run = (args: string[]): string => {
      const r = spawnSync(process.execPath, [cli, ...args, '--snapshot', file], { maxBuffer: 64 << 20 });
      assert.equal(r.status, 0, r.stderr.toString());
      return r.stdout.toString('utf8');
    };
    for (const output of ['json', 'yaml']) {
      const text = run(['get', 'secrets', '-n', 'default', '-o', output]);
      assert.ok(text.includes('db-credentials'));
      assertNoLeak(text, `CLI -o ${output}`);
    }
    assertNoLeak(run(['history', 'secrets', 'db-credentials', '-n', 'default']), 'CLI history');
    assert.ok(
      run(['get', 'secrets', 'db-credentials', '-n', 'default', '-o', 'json', '--reveal']).includes(PASSWORD_B64),
    );
  });
});
