/**
 * Secrets' values are shown redacted unless the caller asks to reveal them: `data` (base64) and
 * `stringData` (text) values become `<redacted: N bytes>`, so their presence and size stay visible.
 */
import _ from 'lodash';
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
  const out: KubeObject = { ...obj };
  if (_.isPlainObject(obj.data)) {
    out.data = _.mapValues(obj.data as Record<string, unknown>, (v) => `<redacted: ${byteLength(v)} bytes>`);
  }
  if (_.isPlainObject(obj.stringData)) {
    out.stringData = _.mapValues(obj.stringData as Record<string, unknown>, (v) =>
      `<redacted: ${typeof v === 'string' ? Buffer.byteLength(v, 'utf8') : 0} bytes>`,
    );
  }
  return out;
}

/**
 * Whether a resource is core Secrets (whose values are redacted by default).
 * @example
 * isSecrets(resolveResource('secret')) // true
 */
export function isSecrets(info: ResourceInfo | undefined): boolean {
  return info !== undefined && info.resource === 'secrets' && info.group === '';
}
