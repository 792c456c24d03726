/**
 * Writing one Kubernetes object (or deleting one key) straight into etcd, behind kube-apiserver's
 * back: for repairs on a broken cluster and for test set-ups, never for everyday changes (no
 * validation, no admission, and watchers see the change only as etcd reports it).
 *
 * kubetcd is read-only unless asked: every write needs `{ allowWrite: true }` and the key's expected mod
 * revision, and is one etcd transaction `If mod_revision(key) == expected Then write Else read`, so a
 * key changed by anyone since it was read is never overwritten (a {@link ConflictError} names its
 * current mod revision). Values are encoded as kube-apiserver stores them: a protobuf `k8s\0` envelope
 * for built-in resources, JSON (with Go's newline) for custom resources and the JSON-stored built-ins;
 * an existing key keeps its encoding. Each write returns a change summary: key, old → new mod revision
 * and a structural diff (Secrets' values redacted).
 */
import { lodash } from '../util/lazy-modules';
import { decode, encode, toKubeJson } from '../codec';
import type { KubeObject } from '../codec/types';
import { ConflictError, EncodeError, InvalidArgumentError } from '../errors';
import { openEtcdWriter, type CasResult, type CasWriter, type LiveOptions } from '../sources/live-etcd-source';
import type { KvRecord, KvSource } from '../sources/types';
import { parseKey, type ParsedKey } from './keys';
import type { KubeContext } from './context';
import { diffObjects, type HistoryChange } from './kube-history';

/**
 * Where to write: a KubeClient (any KubeContext) or a source opened on a live etcd (its connection options are reused),
 * live options (`{ endpoints, cacert, cert, key, user, password }`), or endpoints.
 */
export type WriteTarget = KubeContext | KvSource | LiveOptions | string | string[];

/** Options of {@link writeObject}. `allowWrite` and `expectModRevision` are required. */
export interface WriteObjectOptions {
  /** Must be `true`: without it nothing is written. */
  allowWrite?: boolean;
  /** The key's mod revision when it was read (`k.get(…).record.modRevision`); 0 to create a key that must not exist. */
  expectModRevision?: number;
  /** Force the stored encoding (default: the existing value's, else the resource's: protobuf for built-ins, JSON for custom resources). */
  encoding?: 'protobuf' | 'json';
  /** The etcd prefix (kube-apiserver's --etcd-prefix), when the target is not a KubeClient (default: from the key). */
  prefix?: string;
}

/** Options of {@link deleteKey}. `allowWrite` and `expectModRevision` are required. */
export interface DeleteKeyOptions {
  /** Must be `true`: without it nothing is deleted. */
  allowWrite?: boolean;
  /** The key's mod revision when it was read (> 0). */
  expectModRevision?: number;
}

/** What a write changed. */
export interface WriteSummary {
  key: string;
  operation: 'create' | 'update' | 'delete';
  /** The key's mod revision before the write (0: it did not exist). */
  oldModRevision: number;
  /** The key's mod revision after the write (0: deleted). */
  newModRevision: number;
  /** etcd's revision of the write. */
  revision: number;
  /** How the new value is stored (absent for a delete). */
  encoding?: 'protobuf' | 'json';
  oldValueBytes: number;
  newValueBytes: number;
  /** Structural diff old → new (for a create: every top-level field added; empty for a delete). Secrets' values are redacted. */
  changes: HistoryChange[];
  /** The summary as printable lines. */
  text: string;
}

interface Resolved {
  writer: CasWriter;
}

function isKubeClient(t: unknown): t is KubeContext {
  return (
    typeof t === 'object' &&
    t !== null &&
    typeof (t as KubeContext).resolve === 'function' &&
    typeof (t as KubeContext).source === 'object'
  );
}

function isSource(t: unknown): t is KvSource {
  return typeof t === 'object' && t !== null && typeof (t as KvSource).range === 'function';
}

async function openTarget(target: WriteTarget): Promise<Resolved> {
  const consent = { allowWrite: true } as const;
  if (isKubeClient(target)) return { writer: await openEtcdWriter(target.source, consent) };
  if (isSource(target)) return { writer: await openEtcdWriter(target, consent) };
  if (typeof target === 'string' || Array.isArray(target))
    return { writer: await openEtcdWriter({ endpoints: target }, consent) };
  if (typeof target === 'object' && target !== null) return { writer: await openEtcdWriter(target, consent) };
  throw new InvalidArgumentError(
    `Cannot write to ${String(target)}: pass a KubeClient or a source opened on a live etcd, live options ({ endpoints, cacert, cert, key }), or endpoints.`,
  );
}

function checkConsent(
  what: string,
  key: unknown,
  options: { allowWrite?: boolean; expectModRevision?: number },
  allowZero: boolean,
): number {
  if (typeof key !== 'string' || key === '') {
    throw new InvalidArgumentError(
      `Cannot ${what} ${JSON.stringify(key)}: pass the full etcd key, e.g. "/registry/configmaps/default/web".`,
    );
  }
  const expect = options.expectModRevision;
  const how = `{ allowWrite: true, expectModRevision: <the key's mod revision from k.get(…).record.modRevision${allowZero ? ', or 0 to create it' : ''}> }`;
  if (options.allowWrite !== true) {
    throw new InvalidArgumentError(
      `Refusing to ${what} ${key}: kubetcd is read-only unless asked, and a write to etcd bypasses kube-apiserver (no validation, no admission). To ${what} it anyway, pass ${how}.`,
    );
  }
  if (typeof expect !== 'number' || !Number.isSafeInteger(expect) || expect < (allowZero ? 0 : 1)) {
    throw new InvalidArgumentError(
      `Cannot ${what} ${key} without the mod revision it is expected to have (got ${String(expect)}): writes are compare-and-swap. Pass ${how}.`,
    );
  }
  return expect;
}

function conflict(key: string, expected: number, current: KvRecord | undefined, retryHint: string): ConflictError {
  const now = current?.modRevision ?? 0;
  const state =
    current === undefined
      ? 'the key does not exist (deleted, or never created)'
      : expected === 0
        ? `the key already exists, at mod revision ${now}`
        : `the key is now at mod revision ${now}`;
  return new ConflictError(
    `Write conflict on ${key}: expected mod revision ${expected}, but ${state}; someone changed it since it was read. Nothing was written. ${retryHint}`,
    { key, expectedModRevision: expected, currentModRevision: now },
  );
}

const REDACTED = /^<redacted: \d+ bytes>$/;

function isSecretKey(parsed: ParsedKey): boolean {
  return parsed.kind === 'object' && parsed.resource === 'secrets' && parsed.group === undefined;
}

function redactValue(v: unknown): unknown {
  if (typeof v === 'string') return `<redacted: ${Buffer.from(v, 'base64').length} bytes>`;
  if (v instanceof Uint8Array) return `<redacted: ${v.length} bytes>`;
  if (lodash().isPlainObject(v)) return lodash().mapValues(v as Record<string, unknown>, redactValue);
  return v;
}

function redactChanges(changes: HistoryChange[]): HistoryChange[] {
  return changes.map((c) => {
    if (!/^(?:data|stringData)(?:$|[.[])/.test(c.path)) return c;
    const out: HistoryChange = { path: c.path, op: c.op };
    if ('from' in c) out.from = redactValue(c.from);
    if ('to' in c) out.to = redactValue(c.to);
    return out;
  });
}

function shown(v: unknown): string {
  let text: string;
  try {
    text =
      typeof v === 'bigint'
        ? v.toString()
        : (JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x)) ?? String(v));
  } catch {
    text = String(v);
  }
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}

function summaryText(s: Omit<WriteSummary, 'text'>): string {
  const verb = s.operation === 'create' ? 'created' : s.operation === 'update' ? 'updated' : 'deleted';
  const lines = [
    `${verb} ${s.key}${s.encoding ? ` (${s.encoding})` : ''}: mod revision ${s.oldModRevision} → ${s.newModRevision} at revision ${s.revision}, ${s.oldValueBytes} → ${s.newValueBytes} bytes`,
  ];
  const limit = 50;
  for (const c of s.changes.slice(0, limit)) {
    if (c.op === 'added') lines.push(`  + ${c.path}: ${shown(c.to)}`);
    else if (c.op === 'removed') lines.push(`  - ${c.path}: ${shown(c.from)}`);
    else lines.push(`  ~ ${c.path}: ${shown(c.from)} → ${shown(c.to)}`);
  }
  if (s.changes.length > limit) lines.push(`  … ${s.changes.length - limit} more changes (see .changes)`);
  if (s.operation === 'update' && s.changes.length === 0) lines.push('  (no field changed)');
  return lines.join('\n');
}

function withText(s: Omit<WriteSummary, 'text'>): WriteSummary {
  return { ...s, text: summaryText(s) };
}

/** The object as kube-apiserver stores it: resourceVersion is never stored (it is etcd's mod revision). */
function forStorage(object: KubeObject): KubeObject {
  const metadata = object.metadata as Record<string, unknown>;
  if (metadata.resourceVersion === undefined) return object;
  const { resourceVersion: _dropped, ...rest } = metadata;
  return { ...object, metadata: rest };
}

function checkObject(key: string, parsed: ParsedKey, object: KubeObject): void {
  if (!lodash().isPlainObject(object)) {
    throw new InvalidArgumentError(
      `Cannot write ${key}: the object is ${object === null ? 'null' : typeof object}, not a plain object shaped like kubectl get -o json.`,
    );
  }
  if (
    typeof object.apiVersion !== 'string' ||
    typeof object.kind !== 'string' ||
    object.apiVersion === '' ||
    object.kind === ''
  ) {
    throw new InvalidArgumentError(
      `Cannot write ${key}: the object needs apiVersion and kind (got ${shown(object.apiVersion)}, ${shown(object.kind)}); they say how kube-apiserver reads the value back.`,
    );
  }
  const metadata = object.metadata as Record<string, unknown> | undefined;
  if (!lodash().isPlainObject(metadata))
    throw new InvalidArgumentError(`Cannot write ${key}: the object has no metadata.`);
  if (parsed.kind !== 'object') {
    throw new InvalidArgumentError(
      `Cannot write an object to ${key}: it is not the key of a Kubernetes object (<prefix>/<resource>/[<namespace>/]<name>). deleteKey() handles other keys; etcdctl writes raw values.`,
    );
  }
  const name = metadata!.name;
  const namespace = metadata!.namespace;
  if (name !== parsed.name) {
    throw new InvalidArgumentError(
      `Cannot write ${key}: metadata.name is ${shown(name)} but the key names ${JSON.stringify(parsed.name)}. Make them agree.`,
    );
  }
  if ((namespace === '' ? undefined : namespace) !== parsed.namespace) {
    throw new InvalidArgumentError(
      `Cannot write ${key}: metadata.namespace is ${shown(namespace)} but the key's namespace is ${shown(parsed.namespace)}. Make them agree.`,
    );
  }
  if (isSecretKey(parsed)) {
    for (const field of ['data', 'stringData']) {
      const values = object[field];
      if (
        lodash().isPlainObject(values) &&
        Object.values(values as Record<string, unknown>).some((v) => typeof v === 'string' && REDACTED.test(v))
      ) {
        throw new InvalidArgumentError(
          `Cannot write ${key}: ${field} holds redacted values ("<redacted: N bytes>"), which would replace the real ones. Read the Secret with { reveal: true } before changing it.`,
        );
      }
    }
  }
}

function chooseEncoding(
  key: string,
  parsed: ParsedKey,
  current: KvRecord | undefined,
  forced: WriteObjectOptions['encoding'],
): 'protobuf' | 'json' {
  if (forced !== undefined) {
    if (forced !== 'protobuf' && forced !== 'json') {
      throw new InvalidArgumentError(`Invalid encoding: ${shown(forced)}. Pass 'protobuf' or 'json', or omit it.`);
    }
    return forced;
  }
  if (current !== undefined) {
    const d = decode(current.value);
    if (d.encoding === 'protobuf' || d.encoding === 'json') return d.encoding;
    if (d.encoding === 'encrypted') {
      const e = d.encryption;
      throw new InvalidArgumentError(
        `Refusing to write ${key}: its value is encrypted at rest${e ? ` (${e.provider}, key "${e.keyName}")` : ''}, and kubetcd cannot encrypt: a plaintext value would bypass the encryption. Write it through kube-apiserver.`,
      );
    }
    throw new InvalidArgumentError(
      `Refusing to write ${key}: its current value is ${d.encoding}, not a protobuf or JSON object. Pass { encoding: 'protobuf' | 'json' } to replace it anyway.`,
    );
  }
  return parsed.kind === 'object' && parsed.info !== undefined ? parsed.info.encoding : 'json';
}

function encodeForStorage(
  key: string,
  object: KubeObject,
  encoding: 'protobuf' | 'json',
): { bytes: Uint8Array; stored: KubeObject } {
  const bytes = encoding === 'protobuf' ? encode(object) : new TextEncoder().encode(`${toKubeJson(object)}\n`);
  // Never write what kubetcd itself cannot read back.
  const back = decode(bytes);
  if (back.object === undefined || back.encoding !== encoding) {
    throw new EncodeError(
      `Cannot write ${key}: the encoded value does not decode back to an object (${back.error?.message ?? back.encoding}). Nothing was written.`,
      { key },
    );
  }
  return { bytes, stored: back.object };
}

function decodedObject(record: KvRecord | undefined): KubeObject | undefined {
  return record === undefined ? undefined : decode(record.value).object;
}

/**
 * Write one Kubernetes object to its etcd key with a compare-and-swap on the key's mod revision:
 * only when `{ allowWrite: true }` is passed, and only if the key still has `expectModRevision` (0:
 * only if it does not exist). The value is encoded as kube-apiserver stores it (an existing key keeps
 * its encoding; `metadata.resourceVersion` is not stored); an existing key keeps its lease. Throws
 * InvalidArgumentError without the opt-in, ConflictError (naming the current mod revision) when the key
 * changed since it was read. Returns what changed.
 * @example
 * const { object, record } = await k.get('configmaps', 'settings', { namespace: 'default' });
 * const s = await writeObject(k, '/registry/configmaps/default/settings', { ...object, data: { mode: 'safe' } },
 *   { allowWrite: true, expectModRevision: record.modRevision });
 * console.log(s.text); // updated /registry/configmaps/default/settings (protobuf): mod revision 12 → 31 …
 */
export async function writeObject(
  target: WriteTarget,
  key: string,
  object: KubeObject,
  options: WriteObjectOptions = {},
): Promise<WriteSummary> {
  const expect = checkConsent('write', key, options, true);
  const kube = isKubeClient(target) ? target : undefined;
  const prefix = kube?.prefix ?? options.prefix;
  const parsed = parseKey(key, {
    ...(prefix !== undefined ? { prefix } : {}),
    ...(kube !== undefined ? { resources: kube.customResources } : {}),
  });
  checkObject(key, parsed, object);
  const { writer } = await openTarget(target);
  try {
    const current = await writer.get(key);
    const retry = `Read it again and pass { expectModRevision: ${current?.modRevision ?? 0} } if the change should still apply.`;
    if ((current?.modRevision ?? 0) !== expect) throw conflict(key, expect, current, retry);
    const encoding = chooseEncoding(key, parsed, current, options.encoding);
    const { bytes, stored } = encodeForStorage(key, forStorage(object), encoding);
    const result: CasResult = await writer.putIfModRevision(key, bytes, expect);
    if (!result.succeeded) {
      throw conflict(
        key,
        expect,
        result.before,
        `Read it again and pass { expectModRevision: ${result.before?.modRevision ?? 0} } if the change should still apply.`,
      );
    }
    const before = decodedObject(result.before);
    let changes =
      current === undefined ? diffObjects({}, stored) : before !== undefined ? diffObjects(before, stored) : [];
    if (isSecretKey(parsed)) changes = redactChanges(changes);
    return withText({
      key,
      operation: result.before === undefined ? 'create' : 'update',
      oldModRevision: result.before?.modRevision ?? 0,
      newModRevision: result.revision,
      revision: result.revision,
      encoding,
      oldValueBytes: result.before?.valueBytes ?? 0,
      newValueBytes: bytes.length,
      changes,
    });
  } finally {
    await writer.close();
  }
}

/**
 * Delete one etcd key with a compare-and-swap on its mod revision: only when `{ allowWrite: true }` is
 * passed, and only if the key still has `expectModRevision`. Throws InvalidArgumentError without the
 * opt-in, ConflictError (naming the current mod revision) when the key changed or is gone.
 * @example
 * const { record } = await k.get('pods', 'stuck-0', { namespace: 'default' });
 * const s = await deleteKey(k, '/registry/pods/default/stuck-0', { allowWrite: true, expectModRevision: record.modRevision });
 * console.log(s.text); // deleted /registry/pods/default/stuck-0: mod revision 40 → 0 at revision 52, …
 */
export async function deleteKey(
  target: WriteTarget,
  key: string,
  options: DeleteKeyOptions = {},
): Promise<WriteSummary> {
  const expect = checkConsent('delete', key, options, false);
  const { writer } = await openTarget(target);
  try {
    const result = await writer.deleteIfModRevision(key, expect);
    if (!result.succeeded) {
      throw conflict(
        key,
        expect,
        result.before,
        result.before === undefined
          ? 'There is nothing to delete.'
          : `Read it again and pass { expectModRevision: ${result.before.modRevision} } if it should still go.`,
      );
    }
    return withText({
      key,
      operation: 'delete',
      oldModRevision: result.before?.modRevision ?? expect,
      newModRevision: 0,
      revision: result.revision,
      oldValueBytes: result.before?.valueBytes ?? 0,
      newValueBytes: 0,
      changes: [],
    });
  } finally {
    await writer.close();
  }
}
