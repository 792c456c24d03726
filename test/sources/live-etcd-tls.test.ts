// The live source against a real etcd with TLS, client certificates (mTLS) and password auth, all made
// here with openssl: the right material works, and each wrong piece gives a clear EtcdConnectionError.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { startEtcd, type EtcdProcess } from '../helpers/etcd';
import { makeTestCerts, type TestCerts } from '../helpers/certs';
import { openLiveSource } from '../../src/sources/live-etcd-source';

describe('live etcd source over TLS', () => {
  let certs: TestCerts;
  let etcd: EtcdProcess;
  let authEtcd: EtcdProcess;
  const rootPassword = 'S3cret-Passw0rd-xyzzy';

  before(async () => {
    certs = await makeTestCerts();
    const tls = {
      caFile: certs.ca,
      certFile: certs.serverCert,
      keyFile: certs.serverKey,
      clientCertFile: certs.clientCert,
      clientKeyFile: certs.clientKey,
    };
    [etcd, authEtcd] = await Promise.all([
      startEtcd({ tls, name: 'tls' }),
      startEtcd({ tls: { ...tls, clientCertAuth: false }, name: 'auth', auth: { rootPassword } }),
    ]);
    assert.equal((await etcd.etcdctl(['put', '/secure/a', 'A'])).code, 0);
    assert.equal((await authEtcd.etcdctl(['put', '/secure/b', 'B'])).code, 0);
  });

  after(async () => {
    await Promise.all([etcd?.stop(), authEtcd?.stop()]);
    certs?.remove();
  });

  it('connects with mTLS from paths, from PEM text and from ETCDCTL_* variables', async () => {
    const a = await openLiveSource({
      endpoints: etcd.endpoint,
      cacert: certs.ca,
      cert: certs.clientCert,
      key: certs.clientKey,
    });
    const b = await openLiveSource({
      endpoints: [etcd.endpoint.replace('https://', '')],
      cacert: fs.readFileSync(certs.ca, 'utf8'),
      cert: fs.readFileSync(certs.clientCert, 'utf8'),
      key: fs.readFileSync(certs.clientKey, 'utf8'),
    });
    const c = await openLiveSource({
      env: {
        ETCDCTL_ENDPOINTS: etcd.endpoint.replace('127.0.0.1', 'localhost'),
        ETCDCTL_CACERT: certs.ca,
        ETCDCTL_CERT: certs.clientCert,
        ETCDCTL_KEY: certs.clientKey,
      },
    });
    try {
      for (const s of [a, b, c]) assert.equal(Buffer.from((await s.get('/secure/a'))!.value).toString(), 'A');
      assert.equal(b.origin, etcd.endpoint);
    } finally {
      await Promise.all([a.close(), b.close(), c.close()]);
    }
  });

  it('checks the server name unless told otherwise (serverName, insecureSkipVerify)', async () => {
    const base = { endpoints: etcd.endpoint, cert: certs.clientCert, key: certs.clientKey, callTimeoutMs: 3000 };
    await assert.rejects(
      openLiveSource({ ...base, cacert: certs.ca, serverName: 'not-this-server.example' }),
      (e: Error) => {
        assert.equal(e.name, 'EtcdConnectionError');
        assert.match(e.message, /not valid for this host name|altnames|does not match/i);
        return true;
      },
    );
    const named = await openLiveSource({ ...base, cacert: certs.ca, serverName: 'localhost' });
    await named.close();
    // Without a CA the server certificate cannot be verified...
    await assert.rejects(openLiveSource(base), { name: 'EtcdConnectionError' });
    // ...and skip-verify cannot help when etcd sends only its leaf certificate: the error says so.
    await assert.rejects(openLiveSource({ ...base, insecureSkipVerify: true }), (e: Error) => {
      assert.equal(e.name, 'EtcdConnectionError');
      assert.match(e.message, /insecureSkipVerify cannot skip chain verification/);
      return true;
    });
    // With the CA, skip-verify skips the name check (ETCDCTL_INSECURE_SKIP_TLS_VERIFY), as etcdctl would.
    const skip = await openLiveSource({ ...base, cacert: certs.ca, env: { ETCDCTL_INSECURE_SKIP_TLS_VERIFY: 'true' } });
    try {
      assert.equal(await skip.count({ prefix: '/secure/' }), 1);
    } finally {
      await skip.close();
    }
  });

  it('explains a wrong CA, a missing or foreign client certificate, and an expired one', async () => {
    const cases: Array<[string, Parameters<typeof openLiveSource>[0], RegExp]> = [
      [
        'wrong CA',
        { cacert: certs.otherCa, cert: certs.clientCert, key: certs.clientKey },
        /not signed by the given CA/,
      ],
      [
        'no CA',
        { cert: certs.clientCert, key: certs.clientKey },
        /no CA was given: pass the CA that signed it as cacert/,
      ],
      ['no client cert', { cacert: certs.ca }, /client certificate|cert/],
      [
        'foreign client cert',
        { cacert: certs.ca, cert: certs.otherClientCert, key: certs.otherClientKey },
        /client certificate/,
      ],
      [
        'expired client cert',
        { cacert: certs.ca, cert: certs.expiredClientCert, key: certs.expiredClientKey },
        /expired|client certificate/,
      ],
    ];
    for (const [label, options, hint] of cases) {
      const started = Date.now();
      await assert.rejects(
        openLiveSource({ ...options, endpoints: etcd.endpoint, callTimeoutMs: 3000 }),
        (e: Error) => {
          assert.equal(e.name, 'EtcdConnectionError', `${label}: ${e.message}`);
          assert.ok(e.message.includes(etcd.endpoint), `${label}: ${e.message}`);
          assert.match(e.message, hint, label);
          assert.ok(!e.message.includes('PRIVATE KEY'), label);
          return true;
        },
      );
      assert.ok(Date.now() - started < 5000, `${label} took ${Date.now() - started} ms`);
    }
  });

  it('refuses a CA or client certificate file that holds no certificate, before any connection', async () => {
    const dir = fs.mkdtempSync(`${require('node:os').tmpdir()}/kubetcd-garbage-ca-`);
    try {
      const garbage = `${dir}/ca.crt`;
      fs.writeFileSync(garbage, 'this is not a certificate\n');
      await assert.rejects(openLiveSource({ endpoints: etcd.endpoint, cacert: garbage }), {
        name: 'InvalidArgumentError',
        message: new RegExp(`CA certificate \\(cacert, ETCDCTL_CACERT\\) "${garbage}": it holds no PEM certificate`),
      });
      const damaged = `${dir}/damaged.crt`;
      fs.writeFileSync(damaged, '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
      await assert.rejects(openLiveSource({ endpoints: etcd.endpoint, cacert: damaged }), {
        name: 'InvalidArgumentError',
        message: /certificate 1 of 1 does not parse/,
      });
      // A private key where the CA belongs is not a certificate either.
      await assert.rejects(openLiveSource({ endpoints: etcd.endpoint, cacert: certs.clientKey }), {
        name: 'InvalidArgumentError',
        message: /holds no PEM certificate/,
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('authenticates with user and password, and a wrong password gives an error without the password', async () => {
    const ok = await openLiveSource({ endpoints: authEtcd.endpoint, cacert: certs.ca, user: `root:${rootPassword}` });
    try {
      assert.equal(Buffer.from((await ok.get('/secure/b'))!.value).toString(), 'B');
    } finally {
      await ok.close();
    }
    const env = await openLiveSource({
      env: {
        ETCDCTL_ENDPOINTS: authEtcd.endpoint,
        ETCDCTL_CACERT: certs.ca,
        ETCDCTL_USER: 'root',
        ETCDCTL_PASSWORD: rootPassword,
      },
    });
    await env.close();
    const wrong = 'Wrong-Passw0rd-plugh';
    await assert.rejects(
      openLiveSource({ endpoints: authEtcd.endpoint, cacert: certs.ca, user: 'root', password: wrong }),
      (e: Error) => {
        assert.equal(e.name, 'EtcdConnectionError');
        assert.match(e.message, /refused the credentials of user "root"/);
        const everything = `${e.message} ${JSON.stringify((e as { details?: unknown }).details)} ${String((e as { cause?: Error }).cause?.message)}`;
        assert.ok(!everything.includes(wrong));
        assert.ok(!everything.includes(rootPassword));
        return true;
      },
    );
    await assert.rejects(openLiveSource({ endpoints: authEtcd.endpoint, cacert: certs.ca }), (e: Error) => {
      assert.equal(e.name, 'EtcdConnectionError');
      assert.match(e.message, /authentication|user/i);
      return true;
    });
  });
});
