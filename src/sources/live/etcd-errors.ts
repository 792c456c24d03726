/**
 * What an etcd or gRPC failure means: a connection failure (move to the next endpoint) or an answer
 * mapped to a kubetcd error (compacted, future revision, authentication, permission, too large), with a
 * hint of what to do. Causes are sanitised: never a password or key material in a message.
 */
import { CompactedRevisionError, EtcdConnectionError, FutureRevisionError, KubetcdError } from '../../errors';
import { reasonOf } from './error-reason';
import type { Config } from './live-config';

export { reasonOf } from './error-reason';

/** Errors that mean "this member is unreachable or hung": try the next endpoint. */
export function isConnectionFailure(e: unknown): boolean {
  const name = (e as { constructor?: { name?: string } })?.constructor?.name ?? '';
  if (name === 'GRPCUnavailableError' || name === 'GRPCDeadlineExceededError' || name === 'GRPCCancelledError') {
    return true;
  }
  const message = e instanceof Error ? e.message : String(e);
  return /ECONNREFUSED|ECONNRESET|No connection established|Connection dropped|deadline exceeded|failed to connect|Received RST|stream removed|leader changed|no leader|timed out/i.test(
    message,
  );
}

/** What to do about failures whose reasons are `reasons` (TLS, refused, deadline…), for the end of a message. */
export function hintFor(reasons: string, config: Config): string {
  if (/certificate has expired|certificate expired/i.test(reasons)) {
    return "A certificate has expired: renew the client certificate (cert/key, ETCDCTL_CERT) or check the server's.";
  }
  if (/bad certificate|unknown ca|certificate required|alert/i.test(reasons)) {
    return 'etcd refused the client certificate: pass a cert and key (ETCDCTL_CERT, ETCDCTL_KEY) signed by a CA that etcd trusts (--trusted-ca-file).';
  }
  if (
    /self[- ]signed|unable to verify|unable to get local issuer|certificate signature failure|UNABLE_TO_VERIFY/i.test(
      reasons,
    )
  ) {
    if (config.tofuFailed) {
      return "insecureSkipVerify cannot skip chain verification here (grpc-js always verifies, and etcd did not send its CA): pass the CA that signed etcd's certificate as cacert (ETCDCTL_CACERT); insecureSkipVerify then skips only the name check.";
    }
    return config.hasCacert
      ? "etcd's server certificate is not signed by the given CA: pass the CA that signed it as cacert (ETCDCTL_CACERT)."
      : "etcd's server certificate is not signed by a CA this machine trusts, and no CA was given: pass the CA that signed it as cacert (ETCDCTL_CACERT), such as /etc/kubernetes/pki/etcd/ca.crt.";
  }
  if (/altnames|Hostname\/IP does not match|does not match certificate/i.test(reasons)) {
    return 'The server certificate is not valid for this host name: pass serverName, or connect by a name the certificate lists.';
  }
  if (/wrong version number|EPROTO|packet length too long|disconnected before secure TLS connection/i.test(reasons)) {
    return config.secure
      ? 'The server does not speak TLS there: use http:// endpoints without TLS options.'
      : 'The server expects TLS: use https:// endpoints and pass cacert (and cert/key if it wants client certificates).';
  }
  if (config.secure && /ECONNRESET/.test(reasons) && /No connection established/i.test(reasons)) {
    // etcd's plain port may reset a TLS ClientHello instead of answering it (seen under load)
    return 'The server reset the connection at the TLS handshake, as a plain (non-TLS) etcd port does: use http:// endpoints without TLS options, or check that this is the TLS client port.';
  }
  if (/ECONNREFUSED|connection refused/i.test(reasons)) {
    return 'Nothing listens there: check that etcd runs and that the endpoints (ETCDCTL_ENDPOINTS) are right.';
  }
  if (/deadline|timed out/i.test(reasons)) {
    return `No answer within the deadline (callTimeoutMs ${config.callTimeoutMs} ms): the member may be hung, overloaded or unreachable; retry, raise callTimeoutMs, or list other endpoints.`;
  }
  return 'Check the endpoints, that etcd runs, and the TLS options.';
}

/** Maps an etcd error that is not a connection failure to a kubetcd error. */
export function mapEtcdError(e: unknown, what: string, config: Config, endpoint: string, revision?: number): Error {
  const message = sanitise(e, config).message;
  if (/required revision has been compacted/i.test(message)) {
    return new CompactedRevisionError(
      `${what}: revision ${revision ?? '?'} was compacted on ${endpoint}. etcd keeps no history below its compaction revision. Omit { revision } or pass a newer one (status().compactRevision is the oldest kept); a paged read that hit this can simply be run again and restarts at a new revision.`,
      { revision, endpoint },
      { cause: sanitise(e, config) },
    );
  }
  if (/required revision is a future revision/i.test(message)) {
    return new FutureRevisionError(
      `${what}: revision ${revision ?? '?'} is newer than etcd's current revision. Omit { revision } or pass one <= status().revision.`,
      { revision, endpoint },
      { cause: sanitise(e, config) },
    );
  }
  if (/user name is empty|token/i.test(message) && config.user === undefined) {
    return new EtcdConnectionError(
      `${what}: etcd at ${endpoint} requires authentication and no user was given (${message}). Pass { user, password }, or set ETCDCTL_USER (and ETCDCTL_PASSWORD).`,
      { endpoint },
      { cause: sanitise(e, config) },
    );
  }
  if (/authentication failed|invalid user ID or password|user name is empty|user name not found/i.test(message)) {
    return new EtcdConnectionError(
      `${what}: etcd at ${endpoint} refused the credentials of user "${config.user ?? ''}" (authentication failed, invalid user name or password). Check user and password (ETCDCTL_USER, ETCDCTL_PASSWORD).`,
      { endpoint, user: config.user },
      { cause: sanitise(e, config) },
    );
  }
  if (/permission denied/i.test(message)) {
    return new EtcdConnectionError(
      `${what}: etcd at ${endpoint} denied permission to user "${config.user ?? '(none)'}" (${what.replace(/^[A-Z]/, (c) => c.toLowerCase())}). Grant the user's role read access to these keys (etcdctl role grant-permission ROLE read --prefix KEY), read a prefix the role may read, or use another user.`,
      { endpoint, user: config.user, permissionDenied: true },
      { cause: sanitise(e, config) },
    );
  }
  if (/larger than max|message too large|RESOURCE_EXHAUSTED/i.test(message)) {
    return new KubetcdError(
      `${what}: etcd's response was too large (${message}). Lower pageBytes / pageSize.`,
      { endpoint },
      { cause: sanitise(e, config) },
    );
  }
  if (/user name is empty|token|auth/i.test(message) && config.user === undefined) {
    return new EtcdConnectionError(
      `${what}: etcd at ${endpoint} requires authentication (${message}). Pass { user, password } or set ETCDCTL_USER.`,
      { endpoint },
      { cause: sanitise(e, config) },
    );
  }
  return new KubetcdError(`${what} failed on ${endpoint}: ${message}.`, { endpoint }, { cause: sanitise(e, config) });
}

/** Never let a password or key material through in a cause. */
export function sanitise(e: unknown, config: Config): Error {
  let message = reasonOf(e);
  if (config.password) message = message.split(config.password).join('***');
  message = message.replace(/-----BEGIN [^-]*-----[\s\S]*?(?:-----END [^-]*-----|$)/g, '(PEM text removed)');
  return new Error(message);
}
