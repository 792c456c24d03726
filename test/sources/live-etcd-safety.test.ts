// Gentle on etcd, and never leaking: live reads are paged (each response bounded by pageSize keys and
// about pageBytes of values, the first one included), an AbortSignal stops a listing at once (also while
// a page is in flight to a hung member), and neither a password nor a PEM key appears in errors,
// String(source), util.inspect(source), JSON.stringify of the source or its status, or the writers.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { inspect } from 'node:util';
import { freePort, startEtcd, type EtcdProcess } from '../helpers/etcd';
import { makeTestCerts, type TestCerts } from '../helpers/certs';
import {
  openEtcdWriter,
  openEtcdWriterForFixtures,
  openLiveSource,
  type LiveOptions,
} from '../../src/sources/live-etcd-source';
import type { KvSource, RangeProgress } from '../../src/sources/types';

interface Page {
  records: number;
  valueBytes: number;
}

/** The pages of a listing, from onProgress (called once per page). */
async function pagesOf(
  source: KvSource,
  prefix: string,
  keysOnly = false,
): Promise<{ pages: Page[]; records: number }> {
  const progress: RangeProgress[] = [];
  let records = 0;
  for await (const _ of source.range({ prefix }, { keysOnly, onProgress: (p) => progress.push({ ...p }) })) records++;
  const pages: Page[] = progress.map((p, i) => ({
    records: p.records - (progress[i - 1]?.records ?? 0),
    valueBytes: p.valueBytes - (progress[i - 1]?.valueBytes ?? 0),
  }));
  return { pages, records };
}

describe('live etcd source: paged, cancellable reads', () => {
  let etcd: EtcdProcess;
  const VALUE_BYTES = 8 * 1024;
  const KEYS = 1200;

  before(async () => {
    etcd = await startEtcd();
    const writer = await openEtcdWriterForFixtures({ endpoints: etcd.endpoint });
    try {
      const value = 'v'.repeat(VALUE_BYTES);
      await writer.putMany(
        Array.from({ length: KEYS }, (_, i): [string, string] => [
          `/big/ns${i % 4}/k${String(i).padStart(5, '0')}`,
          value,
        ]),
      );
    } finally {
      await writer.close();
    }
  });

  after(async () => {
    await etcd?.stop();
  });

  it('bounds every page by pageBytes of values, the first page included', async () => {
    const pageBytes = 256 * 1024;
    const source = await openLiveSource({ endpoints: etcd.endpoint, pageBytes });
    try {
      const { pages, records } = await pagesOf(source, '/big/');
      assert.equal(records, KEYS);
      assert.ok(pages.length >= (KEYS * VALUE_BYTES) / pageBytes, `${pages.length} pages`);
      for (const [i, page] of pages.entries()) {
        assert.ok(page.valueBytes <= 2 * pageBytes, `page ${i}: ${page.records} records, ${page.valueBytes} bytes`);
      }
    } finally {
      await source.close();
    }
  });

  it('with default options: pages of at most 10 000 keys and about 4 MiB, never one response for the whole range', async () => {
    const source = await openLiveSource({ endpoints: etcd.endpoint });
    try {
      const { pages, records } = await pagesOf(source, '/big/');
      assert.equal(records, KEYS);
      assert.ok(pages.length >= 3, `${pages.length} pages`);
      for (const page of pages) {
        assert.ok(page.records <= 10_000);
        assert.ok(page.valueBytes <= 2 * 4 * 1024 * 1024, `${page.valueBytes} bytes`);
      }
      // The first page is sized before any value was seen: at most pageBytes / 64 KiB keys.
      assert.ok(pages[0]!.records <= 64, `first page: ${pages[0]!.records} records`);
    } finally {
      await source.close();
    }
  });

  it('bounds keys-only pages by pageSize', async () => {
    const source = await openLiveSource({ endpoints: etcd.endpoint, pageSize: 100 });
    try {
      const { pages, records } = await pagesOf(source, '/big/', true);
      assert.equal(records, KEYS);
      assert.ok(pages.every((p) => p.records <= 100));
      assert.ok(pages.length >= KEYS / 100);
    } finally {
      await source.close();
    }
  });

  it('an AbortSignal stops a listing at once, between records and while a page is in flight to a hung member', async () => {
    const source = await openLiveSource({ endpoints: etcd.endpoint, pageSize: 100, callTimeoutMs: 20_000 });
    try {
      // Aborted before it starts.
      const aborted = new AbortController();
      aborted.abort();
      await assert.rejects(
        source.range({ prefix: '/big/' }, { signal: aborted.signal })[Symbol.asyncIterator]().next(),
        { name: 'AbortedError' },
      );

      // Aborted between records: no record after the abort.
      const controller = new AbortController();
      let seen = 0;
      await assert.rejects(
        (async () => {
          for await (const _ of source.range({ prefix: '/big/' }, { signal: controller.signal })) {
            if (++seen === 150) controller.abort();
          }
        })(),
        (e: Error) => {
          assert.equal(e.name, 'AbortedError');
          assert.match(e.message, /cancelled by its AbortSignal after 150 records/);
          return true;
        },
      );
      assert.equal(seen, 150);

      // Aborted while waiting on a hung member: rejects now, not at the 20 s deadline.
      const hung = new AbortController();
      let got = 0;
      let abortedAt = 0;
      const listing = (async () => {
        for await (const _ of source.range({ prefix: '/big/' }, { signal: hung.signal })) {
          if (++got === 1) {
            etcd.pause();
            setTimeout(() => {
              abortedAt = Date.now();
              hung.abort();
            }, 200);
          }
        }
      })();
      try {
        await assert.rejects(listing, { name: 'AbortedError' });
        assert.ok(Date.now() - abortedAt < 500, `stopped ${Date.now() - abortedAt} ms after the abort`);
        assert.ok(got < KEYS);
      } finally {
        etcd.resume();
      }
      // The source still works afterwards.
      assert.equal(await source.count({ prefix: '/big/' }), KEYS);
    } finally {
      await source.close();
    }
  });
});

describe('live etcd source: credentials never leak', () => {
  let certs: TestCerts;
  let etcd: EtcdProcess;
  const password = 'Pa55-w0rd-NEVER-SHOWN-4711';
  let keyPem: string;
  let keyBody: string[];

  before(async () => {
    certs = await makeTestCerts();
    etcd = await startEtcd({
      name: 'creds',
      tls: {
        caFile: certs.ca,
        certFile: certs.serverCert,
        keyFile: certs.serverKey,
        clientCertFile: certs.clientCert,
        clientKeyFile: certs.clientKey,
      },
      auth: { rootPassword: password },
    });
    assert.equal((await etcd.etcdctl(['put', '/c/a', 'A'])).code, 0);
    keyPem = fs.readFileSync(certs.clientKey, 'utf8');
    // The base64 lines of the key: none may show up anywhere.
    keyBody = keyPem.split('\n').filter((l) => l.length >= 16 && !l.startsWith('-----'));
    assert.ok(keyBody.length > 0);
  });

  after(async () => {
    await etcd?.stop();
    certs?.remove();
  });

  function assertClean(label: string, text: string): void {
    assert.ok(!text.includes(password), `${label} shows the password`);
    assert.ok(!text.includes('PRIVATE KEY'), `${label} shows a private key`);
    for (const line of keyBody) assert.ok(!text.includes(line), `${label} shows key material`);
    // The key's bytes as JSON numbers (a serialised Buffer) would not contain the base64 text.
    assert.ok(
      !text.includes(JSON.stringify([...Buffer.from(keyPem)].slice(0, 24)).slice(1, -1)),
      `${label} shows key bytes`,
    );
  }

  function everythingAbout(e: unknown): string {
    const err = e as Error & { details?: unknown; cause?: unknown };
    return [
      String(err),
      err.message,
      err.stack ?? '',
      inspect(err, { depth: Infinity, showHidden: true }),
      JSON.stringify(err.details ?? null),
      inspect(err.cause, { depth: Infinity, showHidden: true }),
    ].join('\n');
  }

  const good = (): LiveOptions => ({
    endpoints: etcd.endpoint,
    cacert: fs.readFileSync(certs.ca, 'utf8'),
    cert: fs.readFileSync(certs.clientCert, 'utf8'),
    key: keyPem,
    user: 'root',
    password,
    callTimeoutMs: 3000,
    dialTimeoutMs: 2000,
  });

  it('the source, its status and the writers show endpoints only', async () => {
    const source = await openLiveSource(good());
    try {
      assert.equal(Buffer.from((await source.get('/c/a'))!.value).toString(), 'A');
      assert.equal(String(source), `LiveEtcdSource(${etcd.endpoint})`);
      assert.deepEqual(JSON.parse(JSON.stringify(source)), { kind: 'live', origin: etcd.endpoint });
      for (const [label, text] of [
        ['String', String(source)],
        ['template', `${source}`],
        ['inspect', inspect(source, { depth: Infinity, showHidden: true })],
        ['inspect without custom', inspect(source, { depth: Infinity, showHidden: true, customInspect: false })],
        ['JSON', JSON.stringify(source)],
        ['keys', JSON.stringify(Object.entries(source))],
        ['status', JSON.stringify(await source.status())],
        ['leases', JSON.stringify(await source.leases())],
      ] as const) {
        assertClean(label, text);
      }
      const writer = await openEtcdWriter(source, { allowWrite: true });
      const fixtureWriter = await openEtcdWriterForFixtures(good());
      try {
        for (const w of [writer, fixtureWriter]) {
          assertClean('writer inspect', inspect(w, { depth: Infinity, showHidden: true }));
          assertClean('writer JSON', JSON.stringify(w));
        }
      } finally {
        await writer.close();
        await fixtureWriter.close();
      }
    } finally {
      await source.close();
    }
  });

  async function writeOnce(options: LiveOptions): Promise<unknown> {
    const w = await openEtcdWriter(options, { allowWrite: true });
    try {
      return await w.putIfModRevision('/c/never', 'x', 0);
    } finally {
      await w.close();
    }
  }

  it('connection failures name endpoints and reasons, never the password or the key', async () => {
    const down = `127.0.0.1:${await freePort()}`;
    const failures: Array<[string, () => Promise<unknown>]> = [
      ['wrong password', () => openLiveSource({ ...good(), password: `${password}-wrong` })],
      ['nothing listens', () => openLiveSource({ ...good(), endpoints: `https://${down}` })],
      ['wrong CA', () => openLiveSource({ ...good(), cacert: fs.readFileSync(certs.otherCa, 'utf8') })],
      [
        'foreign client key',
        () =>
          openLiveSource({
            ...good(),
            cert: fs.readFileSync(certs.otherClientCert, 'utf8'),
            key: fs.readFileSync(certs.otherClientKey, 'utf8'),
          }),
      ],
      [
        'key of another certificate',
        () => openLiveSource({ ...good(), cert: fs.readFileSync(certs.otherClientCert, 'utf8') }),
      ],
      ['key without a certificate', () => openLiveSource({ ...good(), cert: undefined })],
      ['garbled key header', () => openLiveSource({ ...good(), key: keyPem.replace('-----BEGIN', '-----BEGlN') })],
      [
        'garbled key body',
        () =>
          openLiveSource({
            ...good(),
            key: keyPem.replace(keyBody[0]!, `${keyBody[0]!.slice(0, 8)}!!!!${keyBody[0]!.slice(12)}`),
          }),
      ],
      ['TLS to a plain port', () => openLiveSource({ ...good(), endpoints: `https://${down}`, callTimeoutMs: 500 })],
      [
        'password in the URL',
        () => openLiveSource({ ...good(), endpoints: `https://root:${password}@127.0.0.1:2379` }),
      ],
      ['writer, wrong password', () => writeOnce({ ...good(), password: `${password}-wrong` })],
      ['writer, nothing listens', () => writeOnce({ ...good(), endpoints: `https://${down}` })],
    ];
    for (const [label, run] of failures) {
      const started = Date.now();
      let error: unknown;
      try {
        await run();
      } catch (e) {
        error = e;
      }
      assert.ok(error instanceof Error, `${label}: no error`);
      assert.ok(
        ['EtcdConnectionError', 'InvalidArgumentError'].includes(error.name),
        `${label}: ${error.name}: ${error.message}`,
      );
      assertClean(label, everythingAbout(error));
      assert.ok(Date.now() - started < 5000, `${label} took ${Date.now() - started} ms`);
    }
    // A failure after opening (the member stops answering) is clean too.
    const source = await openLiveSource({ ...good(), callTimeoutMs: 500 });
    try {
      etcd.pause();
      let error: unknown;
      try {
        await source.count({ prefix: '/c/' });
      } catch (e) {
        error = e;
      } finally {
        etcd.resume();
      }
      assert.equal((error as Error).name, 'EtcdConnectionError');
      assertClean('hung member', everythingAbout(error));
    } finally {
      await source.close();
    }
  });
});
