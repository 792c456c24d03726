/**
 * How the live source reaches etcd: {@link LiveOptions} and the `ETCDCTL_*` variables normalised once
 * into a Config (endpoints, TLS material checked before gRPC sees it, user and password, deadlines,
 * paging), and insecureSkipVerify's trust-on-first-use of the certificate etcd presents.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as tls from 'node:tls';
import { InvalidArgumentError } from '../../errors';
import { reasonOf } from './error-reason';

/** How to reach etcd. Every field is optional; without options the ETCDCTL_* variables apply. */
export interface LiveOptions {
  /** `host:port` or URLs, as an array or comma-separated (default ETCDCTL_ENDPOINTS, else 127.0.0.1:2379). */
  endpoints?: string | string[] | undefined;
  /** CA certificate: a file path or PEM text (ETCDCTL_CACERT). */
  cacert?: string | undefined;
  /** Client certificate: a file path or PEM text (ETCDCTL_CERT). */
  cert?: string | undefined;
  /** Client private key: a file path or PEM text (ETCDCTL_KEY). */
  key?: string | undefined;
  /**
   * Skip TLS checks like etcdctl's --insecure-skip-tls-verify (ETCDCTL_INSECURE_SKIP_TLS_VERIFY).
   * grpc-js cannot turn verification off, so: the server name check is skipped (the name in the
   * server's certificate is used), and without `cacert` a self-signed root sent by etcd is trusted for
   * this session; if etcd sends no self-signed root, `cacert` is still needed.
   */
  insecureSkipVerify?: boolean | undefined;
  /** Check the server certificate against this name instead of the endpoint's host. */
  serverName?: string | undefined;
  /** User name, or `user:password` (ETCDCTL_USER). */
  user?: string | undefined;
  /** Password (ETCDCTL_PASSWORD); overrides a password given in `user`. */
  password?: string | undefined;
  /** Deadline to establish a connection, ms (default 5000). */
  dialTimeoutMs?: number | undefined;
  /** Deadline of each call to one member, ms (default 30000). */
  callTimeoutMs?: number | undefined;
  /**
   * A watch that has heard nothing for this long asks etcd for a progress report, and a member that
   * does not answer within `dialTimeoutMs` counts as hung: the watch moves to the next endpoint and
   * resumes after the last revision received (default 5000 ms).
   */
  watchProgressMs?: number | undefined;
  /** Most keys per page (default 10000). */
  pageSize?: number | undefined;
  /** Target bytes of values per page (default 4 MiB); the page size adapts to it. */
  pageBytes?: number | undefined;
  /**
   * Bound pages by the sub-prefix of the last key read (default true). False pages over the whole
   * rest of the range (what etcdctl does); kept for benchmarks.
   */
  subPrefixPaging?: boolean | undefined;
  /** Environment to read ETCDCTL_* from (default process.env). */
  env?: NodeJS.ProcessEnv | undefined;
}

/** The normalised options of a live source (credentials included: never an own property of a source). */
export interface Config {
  endpoints: string[];
  insecureSkipVerify: boolean;
  secure: boolean;
  /** For etcd3; without rootCertificate grpc-js uses the system's roots. */
  credentials?: { rootCertificate?: Buffer; certChain?: Buffer; privateKey?: Buffer };
  hasCacert?: boolean;
  /** insecureSkipVerify without cacert, and etcd did not send a self-signed root. */
  tofuFailed?: boolean;
  serverName?: string;
  user?: string;
  password?: string;
  dialTimeoutMs: number;
  callTimeoutMs: number;
  watchProgressMs: number;
  pageSize: number;
  pageBytes: number;
  subPrefixPaging: boolean;
}

/** `value` floored, or `fallback` when undefined; refuses anything not a positive number. */
export function positiveInt(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) {
    throw new InvalidArgumentError(`Invalid ${name}: ${String(value)}. It must be a positive number.`);
  }
  return Math.floor(value);
}

function readPem(what: string, value: string | undefined): Buffer | undefined {
  if (value === undefined || value === '') return undefined;
  if (value.includes('-----BEGIN')) return Buffer.from(value);
  try {
    return fs.readFileSync(value);
  } catch (e) {
    // Never echo something that may be key material in another encoding.
    const shown = value.length > 512 || /[\r\n]/.test(value) ? `(text of ${value.length} characters, not PEM)` : value;
    const why = (e as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new InvalidArgumentError(
      `Cannot read the ${what} file: ${shown} (${why}). Pass a readable path or the PEM text itself.`,
    );
  }
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/**
 * Certificates must be PEM certificates that parse: OpenSSL skips text that is not one without a word,
 * so a wrong file (a key, a kubeconfig, garbage) would otherwise surface as a failed handshake later.
 */
function checkCertificates(what: string, given: string | undefined, pem: Buffer | undefined): Buffer | undefined {
  if (pem === undefined) return undefined;
  const named = given !== undefined && !given.includes('-----BEGIN') ? `"${given}"` : 'the PEM text given';
  const blocks = pem.toString('latin1').match(PEM_CERTIFICATE) ?? [];
  if (blocks.length === 0) {
    throw new InvalidArgumentError(
      `Cannot use the ${what} ${named}: it holds no PEM certificate ("-----BEGIN CERTIFICATE-----"). ` +
        "Pass etcd's certificate file, such as /etc/kubernetes/pki/etcd/ca.crt for the CA.",
    );
  }
  for (const [i, block] of blocks.entries()) {
    try {
      new crypto.X509Certificate(block);
    } catch (e) {
      throw new InvalidArgumentError(
        `Cannot use the ${what} ${named}: certificate ${i + 1} of ${blocks.length} does not parse (${reasonOf(e)}). The file is damaged or not a certificate; pass the right file.`,
      );
    }
  }
  return pem;
}

function truthy(value: string | undefined): boolean {
  return value !== undefined && /^(1|true|yes|on)$/i.test(value.trim());
}

/** LiveOptions and the ETCDCTL_* variables to one checked Config (TLS material parsed here, not by gRPC). */
export function normaliseConfig(options: LiveOptions): Config {
  const env = options.env ?? process.env;
  const rawEndpoints = options.endpoints ?? env.ETCDCTL_ENDPOINTS ?? '127.0.0.1:2379';
  const list = (Array.isArray(rawEndpoints) ? rawEndpoints : [rawEndpoints])
    .flatMap((e) => e.split(','))
    .map((e) => e.trim())
    .filter((e) => e !== '');
  if (list.length === 0) {
    throw new InvalidArgumentError(
      'No etcd endpoint given. Pass { endpoints: "127.0.0.1:2379" } or set ETCDCTL_ENDPOINTS.',
    );
  }
  const cacert = checkCertificates(
    'CA certificate (cacert, ETCDCTL_CACERT)',
    options.cacert ?? env.ETCDCTL_CACERT,
    readPem('CA certificate (cacert)', options.cacert ?? env.ETCDCTL_CACERT),
  );
  const cert = checkCertificates(
    'client certificate (cert, ETCDCTL_CERT)',
    options.cert ?? env.ETCDCTL_CERT,
    readPem('client certificate (cert)', options.cert ?? env.ETCDCTL_CERT),
  );
  const key = readPem('client key (key)', options.key ?? env.ETCDCTL_KEY);
  if ((cert === undefined) !== (key === undefined)) {
    throw new InvalidArgumentError(
      'A client certificate needs its key and a key needs its certificate: pass both cert and key (or ETCDCTL_CERT and ETCDCTL_KEY).',
    );
  }
  const anyHttps = list.some((e) => e.startsWith('https://'));
  const secure = anyHttps || cacert !== undefined || cert !== undefined;
  const endpoints = list.map((e) => {
    const userInfo = /^(?:[a-z][a-z0-9+.-]*:\/\/)?([^/@]*)@/i.exec(e);
    if (userInfo) {
      // Never echo it: the part before "@" may be a password.
      const shown = e.replace(userInfo[1]!, '…');
      throw new InvalidArgumentError(
        `Unsupported endpoint: ${shown} holds credentials before "@". Pass them as { user, password } (ETCDCTL_USER, ETCDCTL_PASSWORD) and the endpoint as host:port.`,
      );
    }
    if (/^https?:\/\//.test(e)) {
      if (secure && e.startsWith('http://')) {
        throw new InvalidArgumentError(
          `Endpoint ${e} is plain http but TLS is configured. Use https:// for every endpoint, or drop the TLS options.`,
        );
      }
      return e.replace(/\/+$/, '');
    }
    if (/^[a-z]+:\/\//i.test(e)) {
      throw new InvalidArgumentError(
        `Unsupported endpoint: ${e}. Use host:port, http://host:port or https://host:port.`,
      );
    }
    return `${secure ? 'https' : 'http'}://${e}`;
  });
  const insecureSkipVerify = options.insecureSkipVerify ?? truthy(env.ETCDCTL_INSECURE_SKIP_TLS_VERIFY);
  const serverName = options.serverName;
  let user = options.user ?? env.ETCDCTL_USER;
  let password: string | undefined;
  if (user?.includes(':')) {
    const at = user.indexOf(':');
    password = user.slice(at + 1);
    user = user.slice(0, at);
  }
  password = options.password ?? env.ETCDCTL_PASSWORD ?? password;
  if (user === '') user = undefined;
  if (user !== undefined && password === undefined) {
    throw new InvalidArgumentError(
      `No password for etcd user "${user}". Pass { password } or user "name:password", or set ETCDCTL_PASSWORD.`,
    );
  }
  const config: Config = {
    endpoints,
    secure,
    insecureSkipVerify,
    dialTimeoutMs: positiveInt('dialTimeoutMs', options.dialTimeoutMs, 5000),
    callTimeoutMs: positiveInt('callTimeoutMs', options.callTimeoutMs, 30_000),
    watchProgressMs: positiveInt('watchProgressMs', options.watchProgressMs, 5000),
    pageSize: positiveInt('pageSize', options.pageSize, 10_000),
    pageBytes: positiveInt('pageBytes', options.pageBytes, 4 * 1024 * 1024),
    subPrefixPaging: options.subPrefixPaging !== false,
  };
  if (secure) {
    config.credentials = {};
    if (cacert !== undefined) config.credentials.rootCertificate = cacert;
    config.hasCacert = cacert !== undefined;
    if (cert !== undefined) config.credentials.certChain = cert;
    if (key !== undefined) config.credentials.privateKey = key;
    // grpc-js throws OpenSSL's bare error from the client constructor: check the material here (the
    // reason never holds key bytes; the values are not echoed).
    try {
      tls.createSecureContext({ ca: cacert, cert, key });
    } catch (e) {
      throw new InvalidArgumentError(
        `Cannot use the TLS files (cacert, cert, key): ${reasonOf(e)}. Check that each is a PEM certificate or key (a path or the text) and that key is the private key of cert.`,
      );
    }
  }
  if (serverName !== undefined) config.serverName = serverName;
  if (user !== undefined) config.user = user;
  if (password !== undefined) config.password = password;
  return config;
}

/**
 * insecureSkipVerify: grpc-js cannot turn verification off, so we look at what the first reachable
 * endpoint presents (a plain TLS handshake without verification) and then verify against that: its
 * certificate names become the expected server name and, without a cacert, the top certificate of the
 * presented chain becomes the trusted root. This is what etcdctl's flag amounts to, for this session.
 */
export async function trustOnFirstUse(config: Config): Promise<void> {
  for (const endpoint of config.endpoints) {
    const url = new URL(endpoint);
    const peer = await new Promise<tls.DetailedPeerCertificate | undefined>((resolve) => {
      const socket = tls.connect({
        host: url.hostname,
        port: Number(url.port || 2379),
        rejectUnauthorized: false,
        servername: /^[0-9.]+$|:/.test(url.hostname) ? undefined : url.hostname,
        cert: config.credentials?.certChain,
        key: config.credentials?.privateKey,
        timeout: config.dialTimeoutMs,
      });
      const done = (value: tls.DetailedPeerCertificate | undefined): void => {
        socket.destroy();
        resolve(value);
      };
      socket.once('secureConnect', () => done(socket.getPeerCertificate(true)));
      socket.once('error', () => done(undefined));
      socket.once('timeout', () => done(undefined));
    });
    if (!peer?.raw) continue;
    const names = (peer.subjectaltname ?? '')
      .split(',')
      .map((n) => n.trim())
      .filter((n) => n.startsWith('DNS:'))
      .map((n) => n.slice(4));
    const name = names[0] ?? (typeof peer.subject?.CN === 'string' ? peer.subject.CN : undefined);
    if (name !== undefined) config.serverName = name;
    if (!config.hasCacert && config.credentials) {
      let top: tls.DetailedPeerCertificate = peer;
      for (let i = 0; i < 10 && top.issuerCertificate && top.issuerCertificate !== top; i++)
        top = top.issuerCertificate;
      // Only a self-issued certificate can serve as a root; otherwise verification fails and the
      // error says to pass cacert.
      if (top.issuer && top.subject && JSON.stringify(top.issuer) === JSON.stringify(top.subject)) {
        const pem = `-----BEGIN CERTIFICATE-----\n${top.raw.toString('base64').replace(/(.{64})/g, '$1\n')}\n-----END CERTIFICATE-----\n`;
        config.credentials.rootCertificate = Buffer.from(pem);
      } else {
        config.tofuFailed = true;
      }
    }
    return;
  }
}
