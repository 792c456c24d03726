/**
 * Secrets' values are shown redacted unless the caller asks to reveal them: `data` (base64) and
 * `stringData` (text) values become `<redacted: N bytes>`, so their presence and size stay visible.
 * The same holds inside annotations that carry a copy of the object, such as the
 * `kubectl.kubernetes.io/last-applied-configuration` that `kubectl apply` writes: its JSON keeps its keys
 * and its layout, and its values are replaced.
 */
import { lodash } from '../util/lazy-modules';
import type { KubeObject } from '../codec';
import type { ResourceInfo } from './resources';

function byteLength(v: unknown): number {
  if (v instanceof Uint8Array) return v.length;
  if (typeof v === 'string') return Buffer.from(v, 'base64').length;
  return 0;
}

/**
 * A copy of a Secret with its values redacted (the input is not changed).
 * @example
 * redactSecret({ kind: 'Secret', data: { password: 'aHVudGVyMg==' } }).data // { password: '<redacted: 7 bytes>' }
 */
export function redactSecret(obj: KubeObject): KubeObject {
  const out = redactValues(obj) as KubeObject;
  const meta = obj.metadata as Record<string, unknown> | undefined;
  if (lodash().isPlainObject(meta) && lodash().isPlainObject(meta!.annotations)) {
    out.metadata = { ...meta!, annotations: redactAnnotations(meta!.annotations as Record<string, unknown>) };
  }
  return out;
}

/** `data` and `stringData` values replaced (shallow copy; other fields shared). */
function redactValues(obj: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...obj };
  if (lodash().isPlainObject(obj.data)) {
    out.data = lodash().mapValues(obj.data as Record<string, unknown>, (v) => `<redacted: ${byteLength(v)} bytes>`);
  }
  if (lodash().isPlainObject(obj.stringData)) {
    out.stringData = lodash().mapValues(
      obj.stringData as Record<string, unknown>,
      (v) => `<redacted: ${typeof v === 'string' ? Buffer.byteLength(v, 'utf8') : 0} bytes>`,
    );
  }
  return out;
}

/**
 * Annotations whose value is a JSON copy of a Secret (kubectl's last-applied-configuration, or any other
 * tool's) get that copy's values redacted; other annotations are kept as they are.
 */
function redactAnnotations(annotations: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(annotations)) out[name] = redactAnnotation(value);
  return out;
}

function redactAnnotation(value: unknown): unknown {
  if (typeof value !== 'string' || !/"(?:data|stringData)"\s*:/.test(value)) return value;
  const start = value.search(/\S/);
  if (start < 0 || value[start] !== '{') return value;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    // Not JSON, but it names data fields: nothing of it can be shown safely.
    return `<redacted: ${Buffer.byteLength(value, 'utf8')} bytes>`;
  }
  if (!lodash().isPlainObject(parsed)) return value;
  const trailing = value.slice(value.trimEnd().length);
  const indent = /^\{\s*\n(\s+)"/.exec(value.slice(start))?.[1];
  return (
    value.slice(0, start) + JSON.stringify(redactValues(parsed as Record<string, unknown>), null, indent) + trailing
  );
}

/**
 * Whether a resource is core Secrets (whose values are redacted by default).
 * @example
 * isSecrets(resolveResource('secret')) // true
 */
export function isSecrets(info: ResourceInfo | undefined): boolean {
  return info !== undefined && info.resource === 'secrets' && info.group === '';
}

/** A change between two revisions, as history and watch report it. */
interface PathChange {
  path: string;
  from?: unknown;
  to?: unknown;
}

/**
 * Changes found between two Secrets' real values, with each value taken from their redacted copies: a
 * password changed to one of the same length still shows as a change, and no value shows.
 * @example
 * redactChanges(diffObjects(a, b), redactSecret(a), redactSecret(b))
 * // [{ path: 'data.password', op: 'changed', from: '<redacted: 5 bytes>', to: '<redacted: 5 bytes>' }]
 */
export function redactChanges<T extends PathChange>(changes: readonly T[], before: KubeObject, after: KubeObject): T[] {
  const pick = (obj: KubeObject, path: string): unknown => (path === '' ? obj : lodash().get(obj, path));
  return changes.map((c) => {
    const out: T = { ...c };
    if ('from' in c) out.from = pick(before, c.path);
    if ('to' in c) out.to = pick(after, c.path);
    return out;
  });
}
