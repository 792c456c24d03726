/**
 * Test certificates made with the `openssl` command (ECDSA P-256, fast) in a temporary directory.
 *
 * `makeTestCerts(): Promise<TestCerts>` returns paths to:
 * - `ca` / `caKey`: the CA etcd trusts and that signed the server and client certificates;
 * - `serverCert` / `serverKey`: server certificate, SAN IP:127.0.0.1 and DNS:localhost;
 * - `clientCert` / `clientKey`: client certificate (CN "root") signed by `ca`;
 * - `otherCa`: an unrelated CA (a client trusting it must refuse etcd's server certificate);
 * - `otherClientCert` / `otherClientKey`: a client certificate signed by `otherCa` (etcd must refuse it);
 * - `expiredClientCert` / `expiredClientKey`: signed by `ca`, already expired;
 * - `dir`, and `remove()` to delete everything.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface TestCerts {
  dir: string;
  ca: string;
  caKey: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  otherCa: string;
  otherClientCert: string;
  otherClientKey: string;
  expiredClientCert: string;
  expiredClientKey: string;
  remove(): void;
}

function openssl(args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('openssl', args, { cwd }, (error, _stdout, stderr) => {
      if (error) reject(new Error(`openssl ${args.join(' ')} failed: ${stderr || error.message}`));
      else resolve();
    });
  });
}

const KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

async function makeCa(dir: string, name: string): Promise<void> {
  await openssl(
    ['req', '-x509', ...KEY, '-keyout', `${name}.key`, '-out', `${name}.crt`, '-days', '2', '-subj', `/CN=${name}`],
    dir,
  );
}

async function makeSigned(dir: string, name: string, ca: string, cn: string, ext: string, days: number): Promise<void> {
  fs.writeFileSync(path.join(dir, `${name}.ext`), ext);
  await openssl(['req', '-new', ...KEY, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`], dir);
  await openssl(
    [
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      `${ca}.crt`,
      '-CAkey',
      `${ca}.key`,
      '-set_serial',
      String(Math.floor(Math.random() * 2 ** 40) + 1),
      '-out',
      `${name}.crt`,
      '-days',
      String(days),
      '-extfile',
      `${name}.ext`,
    ],
    dir,
  );
}

/**
 * Make a CA, server and client certificates, an unrelated CA and an expired client certificate.
 * @example
 * const certs = await makeTestCerts();
 * const etcd = await startEtcd({ tls: { caFile: certs.ca, certFile: certs.serverCert, keyFile: certs.serverKey } });
 */
export async function makeTestCerts(): Promise<TestCerts> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubetcd-certs-'));
  const serverExt =
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\nkeyUsage=digitalSignature,keyEncipherment\n';
  const clientExt = 'extendedKeyUsage=clientAuth\nkeyUsage=digitalSignature,keyEncipherment\n';
  await Promise.all([makeCa(dir, 'ca'), makeCa(dir, 'other-ca')]);
  await Promise.all([
    makeSigned(dir, 'server', 'ca', 'kubetcd-etcd', serverExt, 2),
    makeSigned(dir, 'client', 'ca', 'root', clientExt, 2),
    makeSigned(dir, 'other-client', 'other-ca', 'root', clientExt, 2),
    makeSigned(dir, 'expired-client', 'ca', 'root', clientExt, -1),
  ]);
  const p = (f: string): string => path.join(dir, f);
  return {
    dir,
    ca: p('ca.crt'),
    caKey: p('ca.key'),
    serverCert: p('server.crt'),
    serverKey: p('server.key'),
    clientCert: p('client.crt'),
    clientKey: p('client.key'),
    otherCa: p('other-ca.crt'),
    otherClientCert: p('other-client.crt'),
    otherClientKey: p('other-client.key'),
    expiredClientCert: p('expired-client.crt'),
    expiredClientKey: p('expired-client.key'),
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}
