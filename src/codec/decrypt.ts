/**
 * Decryption of values kube-apiserver encrypted at rest, with the cluster's own EncryptionConfiguration
 * (the `--encryption-provider-config` file). The stored bytes are `k8s:enc:<provider>:v1:<key name>:`
 * followed by what the provider's transformer wrote (facts from k8s.io/apiserver
 * pkg/storage/value/encrypt/{aes,secretbox} and pkg/server/options/encryptionconfig):
 *
 * - `aescbc`: a random 16-byte IV, then AES-CBC of the object padded PKCS#7-style (1–16 bytes, each the
 *   pad length). Nothing authenticates it: a wrong key shows only as bad padding (or, 1 time in ~256,
 *   as garbage that fails to decode).
 * - `aesgcm`: a 12-byte nonce, then AES-GCM ciphertext and 16-byte tag; the additional authenticated
 *   data is the full etcd key (`/registry/secrets/default/db`), so a value only opens under its key.
 * - `secretbox`: a 24-byte nonce, then NaCl secretbox (Poly1305 tag + XSalsa20 ciphertext), 32-byte key.
 * - `kms` (`k8s:enc:kms:v1:<plugin>:`, `v2`): the data key is wrapped by an external KMS; it cannot be
 *   opened offline, so only the plugin name is reported.
 *
 * AES keys are 16, 24 or 32 bytes (AES-128/192/256), base64 in the config. Like kube-apiserver, every
 * configured key whose prefix matches is tried in config order and the first that opens the value wins.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import { jsYaml } from '../util/lazy-modules';
import { DecodeError, InvalidArgumentError } from '../errors';
import type { Decoded, EncryptionInfo } from './types';
import type { Sniffed } from './envelope';
import { SECRETBOX_NONCE_BYTES, SECRETBOX_OVERHEAD, secretboxOpen, secretboxSeal } from './xsalsa20-poly1305';

/** The providers of an EncryptionConfiguration. */
export type EncryptionProviderType = 'aescbc' | 'aesgcm' | 'secretbox' | 'kms' | 'identity';

/** One named key of an `aescbc`, `aesgcm` or `secretbox` provider. */
export interface EncryptionKey {
  readonly name: string;
  /** Length of the secret in bytes (16, 24 or 32 for AES; 32 for secretbox). */
  readonly bytes: number;
  /** The key itself. Not enumerable, so printing or serialising a config never shows it. */
  readonly secret: Uint8Array;
}

/** One entry of `providers` in an EncryptionConfiguration. */
export interface EncryptionProvider {
  readonly type: EncryptionProviderType;
  /** The keys, in config order (empty for `identity` and `kms`). */
  readonly keys: readonly EncryptionKey[];
  /** For `kms`: the plugin name (part of the value's prefix). */
  readonly name?: string;
  /** For `kms`: `v1` or `v2`. */
  readonly apiVersion?: string;
}

/** One entry of `resources` in an EncryptionConfiguration: which resources, which providers. */
export interface EncryptionRule {
  /** As written: `secrets`, `deployments.apps`, `*.apps`, `*.*`. */
  readonly resources: readonly string[];
  readonly providers: readonly EncryptionProvider[];
}

/** A loaded EncryptionConfiguration (see {@link loadEncryptionConfig}). */
export interface EncryptionConfig {
  /** Where it came from: the file path, or `<text>` / `<object>`. */
  readonly source: string;
  readonly rules: readonly EncryptionRule[];
}

/** What {@link loadEncryptionConfig} accepts: a path, the YAML/JSON text or bytes, the parsed object, or a loaded config. */
export type EncryptionConfigInput = string | Uint8Array | EncryptionConfig | Record<string, unknown>;

/** Options of {@link decryptValue}. Every field is optional. */
export interface DecryptOptions {
  /** The value's full etcd key (AES-GCM authenticates it; errors name it). */
  key?: string | Uint8Array;
  /**
   * The value's group resource (`secrets`, `deployments.apps`): only the config entries for it are
   * used, as kube-apiserver does. Without it, every entry's keys are candidates.
   */
  resource?: string;
}

/** A value opened by {@link decryptValue}. */
export interface DecryptedValue {
  /** The stored object as kube-apiserver serialised it (`k8s\0…`, JSON or CBOR). */
  plaintext: Uint8Array;
  provider: 'aescbc' | 'aesgcm' | 'secretbox';
  version: string;
  keyName: string;
  /** Bytes after the `k8s:enc:…:<key name>:` prefix (nonce or IV, ciphertext, tag). */
  ciphertextBytes: number;
  /** The `resources` of the config entry the key came from. */
  resources: readonly string[];
}

/** Options of {@link encryptValue}. Every field is optional. */
export interface EncryptOptions {
  /** The etcd key the value is written to (needed for AES-GCM, whose tag covers it). */
  key?: string | Uint8Array;
  /** The group resource (`secrets`): the config entry for it is used (default: the first entry). */
  resource?: string;
}

const ENC_PREFIX = 'k8s:enc:';
const PROVIDER_TYPES: readonly EncryptionProviderType[] = ['aescbc', 'aesgcm', 'secretbox', 'kms', 'identity'];
const AES_KEY_BYTES = [16, 24, 32];
const AES_BLOCK = 16;
const GCM_NONCE = 12;
const GCM_TAG = 16;
const utf8 = new TextEncoder();
const latin1 = new TextDecoder('latin1');

function configError(source: string, where: string, what: string): InvalidArgumentError {
  return new InvalidArgumentError(
    `Invalid EncryptionConfiguration (${source}): ${where}: ${what}. Pass kube-apiserver's --encryption-provider-config file ` +
      '(apiVersion apiserver.config.k8s.io/v1, kind EncryptionConfiguration).',
    { source, field: where },
  );
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

/** Go's base64.StdEncoding.DecodeString: padded standard alphabet; `\r` and `\n` are ignored. */
function decodeBase64(text: string): Uint8Array | undefined {
  const s = text.replace(/[\r\n]/g, '');
  if (s.length % 4 !== 0 || !/^[A-Za-z0-9+/]*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(s)) return undefined;
  return Uint8Array.from(Buffer.from(s, 'base64'));
}

function makeKey(name: string, secret: Uint8Array): EncryptionKey {
  const key = { name, bytes: secret.length } as EncryptionKey;
  Object.defineProperty(key, 'secret', { value: secret, enumerable: false });
  return Object.freeze(key);
}

function parseKeys(source: string, path: string, raw: unknown, sizes: readonly number[]): EncryptionKey[] {
  if (!isRecord(raw) || !Array.isArray(raw['keys']) || raw['keys'].length === 0) {
    throw configError(source, `${path}.keys`, 'at least one key is required');
  }
  const seen = new Set<string>();
  return raw['keys'].map((k: unknown, i: number) => {
    const at = `${path}.keys[${i}]`;
    if (!isRecord(k)) throw configError(source, at, 'expected an object with name and secret');
    const name = typeof k['name'] === 'number' ? String(k['name']) : k['name'];
    if (typeof name !== 'string' || name === '') throw configError(source, `${at}.name`, 'a key name is required');
    if (seen.has(name)) throw configError(source, `${at}.name`, `the key name ${JSON.stringify(name)} is given twice`);
    seen.add(name);
    if (typeof k['secret'] !== 'string' || k['secret'] === '')
      throw configError(source, `${at}.secret`, `key ${JSON.stringify(name)} has no secret`);
    const secret = decodeBase64(k['secret']);
    if (secret === undefined)
      throw configError(
        source,
        `${at}.secret`,
        `the secret of key ${JSON.stringify(name)} is not valid base64 (value not shown)`,
      );
    if (!sizes.includes(secret.length)) {
      throw configError(
        source,
        `${at}.secret`,
        `the secret of key ${JSON.stringify(name)} is ${secret.length} bytes, expected ${sizes.join(', ')}`,
      );
    }
    return makeKey(name, secret);
  });
}

function parseProvider(source: string, path: string, raw: unknown): EncryptionProvider {
  if (!isRecord(raw)) throw configError(source, path, 'expected an object naming one provider');
  const types = Object.keys(raw).filter((k) => raw[k] !== undefined && raw[k] !== null);
  const known = types.filter((t): t is EncryptionProviderType => (PROVIDER_TYPES as readonly string[]).includes(t));
  if (known.length !== 1 || types.length !== 1) {
    throw configError(
      source,
      path,
      `found ${types.length === 0 ? 'no provider' : types.map((t) => JSON.stringify(t)).join(', ')}, expected exactly one of ${PROVIDER_TYPES.join(', ')}`,
    );
  }
  const type = known[0] as EncryptionProviderType;
  const body = raw[type];
  const at = `${path}.${type}`;
  switch (type) {
    case 'aescbc':
    case 'aesgcm':
      return Object.freeze({ type, keys: Object.freeze(parseKeys(source, at, body, AES_KEY_BYTES)) });
    case 'secretbox':
      return Object.freeze({ type, keys: Object.freeze(parseKeys(source, at, body, [32])) });
    case 'identity':
      return Object.freeze({ type, keys: Object.freeze([]) });
    case 'kms': {
      if (!isRecord(body) || typeof body['name'] !== 'string' || body['name'] === '')
        throw configError(source, `${at}.name`, 'a KMS plugin name is required');
      const apiVersion = body['apiVersion'] === undefined ? 'v1' : body['apiVersion'];
      if (apiVersion !== 'v1' && apiVersion !== 'v2')
        throw configError(source, `${at}.apiVersion`, `${JSON.stringify(apiVersion)}, expected v1 or v2`);
      return Object.freeze({ type, keys: Object.freeze([]), name: body['name'], apiVersion });
    }
  }
}

function parseConfigObject(source: string, doc: unknown): EncryptionConfig {
  if (!isRecord(doc)) throw configError(source, 'the document', 'expected a YAML or JSON object');
  const { apiVersion, kind } = doc;
  const modern = kind === 'EncryptionConfiguration' && apiVersion === 'apiserver.config.k8s.io/v1';
  const legacy = kind === 'EncryptionConfig' && (apiVersion === 'v1' || apiVersion === 'apiserver.config.k8s.io/v1');
  if (!modern && !legacy) {
    throw configError(
      source,
      'apiVersion/kind',
      `${JSON.stringify(apiVersion)}/${JSON.stringify(kind)}, expected apiserver.config.k8s.io/v1 EncryptionConfiguration`,
    );
  }
  const resources = doc['resources'];
  if (!Array.isArray(resources) || resources.length === 0)
    throw configError(source, 'resources', 'at least one entry is required');
  const rules = resources.map((r: unknown, i: number): EncryptionRule => {
    const at = `resources[${i}]`;
    if (!isRecord(r)) throw configError(source, at, 'expected an object with resources and providers');
    const names = r['resources'];
    if (!Array.isArray(names) || names.length === 0 || !names.every((n) => typeof n === 'string' && n !== '')) {
      throw configError(source, `${at}.resources`, 'expected a non-empty list of resource names (such as secrets)');
    }
    const providers = r['providers'];
    if (!Array.isArray(providers) || providers.length === 0)
      throw configError(source, `${at}.providers`, 'at least one provider is required');
    return Object.freeze({
      resources: Object.freeze([...(names as string[])]),
      providers: Object.freeze(
        providers.map((p: unknown, j: number) => parseProvider(source, `${at}.providers[${j}]`, p)),
      ),
    });
  });
  return Object.freeze({ source, rules: Object.freeze(rules) });
}

function isLoaded(v: unknown): v is EncryptionConfig {
  return isRecord(v) && typeof v['source'] === 'string' && Array.isArray(v['rules']);
}

function looksLikeText(s: string): boolean {
  return s.includes('\n') || /^\s*[{[]/.test(s) || /^\s*(?:apiVersion|kind|resources)\s*:/.test(s);
}

/**
 * Loads kube-apiserver's EncryptionConfiguration (its `--encryption-provider-config` file) from a path,
 * YAML or JSON text, bytes or the parsed object, and validates it as kube-apiserver does (provider
 * shapes, base64 secrets, key sizes). Throws InvalidArgumentError naming the field; secrets are never
 * shown. The keys' bytes are kept non-enumerable, so printing the result does not reveal them.
 * @example
 * const config = loadEncryptionConfig('/etc/kubernetes/enc/encryption-config.yaml');
 * decode(value, { decryption: config, key: '/registry/secrets/default/db' }).object
 */
export function loadEncryptionConfig(input: EncryptionConfigInput): EncryptionConfig {
  if (isLoaded(input)) return input;
  if (isRecord(input)) return parseConfigObject('<object>', input);
  let text: string;
  let source: string;
  if (input instanceof Uint8Array) {
    text = Buffer.from(input.buffer, input.byteOffset, input.byteLength).toString('utf8');
    source = '<bytes>';
  } else if (typeof input === 'string') {
    if (looksLikeText(input)) {
      text = input;
      source = '<text>';
    } else {
      source = input;
      try {
        text = fs.readFileSync(input, 'utf8');
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        throw new InvalidArgumentError(
          `Cannot read the encryption configuration ${JSON.stringify(input)}: ${code === 'ENOENT' ? 'no such file' : (e as Error).message}. ` +
            "Pass the path of kube-apiserver's --encryption-provider-config file, or its text.",
          { path: input, code },
        );
      }
    }
  } else {
    throw new InvalidArgumentError(
      `Cannot load an encryption configuration from ${input === null ? 'null' : typeof input}. Pass a file path, the YAML/JSON text, or the parsed object.`,
    );
  }
  let doc: unknown;
  try {
    const yaml = jsYaml();
    doc = yaml.load(text, { schema: yaml.CORE_SCHEMA, json: true });
  } catch (e) {
    throw configError(source, 'the document', `not valid YAML or JSON (${(e as Error).message.split('\n')[0] ?? ''})`);
  }
  return parseConfigObject(source, doc);
}

/** `resource.group` → [resource, group], as Go's schema.ParseGroupResource splits at the first dot. */
function splitGroupResource(gr: string): [string, string] {
  const i = gr.indexOf('.');
  return i < 0 ? [gr, ''] : [gr.slice(0, i), gr.slice(i + 1)];
}

/** The config entries that apply to a group resource: exact names first, then `*.group`, then `*.*`. */
function rulesFor(config: EncryptionConfig, resource: string | undefined): readonly EncryptionRule[] {
  if (resource === undefined) return config.rules;
  const [res, group] = splitGroupResource(resource);
  const matching = (test: (r: string, g: string) => boolean): EncryptionRule[] =>
    config.rules.filter((rule) =>
      rule.resources.some((name) => {
        const [r, g] = splitGroupResource(name);
        return test(r, g);
      }),
    );
  const exact = matching((r, g) => r === res && g === group);
  if (exact.length > 0) return exact;
  const groupWide = matching((r, g) => r === '*' && g === group);
  if (groupWide.length > 0) return groupWide;
  return matching((r, g) => r === '*' && g === '*');
}

function startsWithText(bytes: Uint8Array, prefix: string): boolean {
  if (bytes.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (bytes[i] !== prefix.charCodeAt(i)) return false;
  return true;
}

function keyBytes(key: string | Uint8Array | undefined): Uint8Array | undefined {
  return key === undefined ? undefined : typeof key === 'string' ? utf8.encode(key) : key;
}

function keyLabel(key: string | Uint8Array | undefined): string {
  if (key === undefined) return 'The value';
  return typeof key === 'string' ? key : latin1.decode(key);
}

/** A reason a key did not open a value, in kube-apiserver's terms. */
class Refused {
  constructor(readonly reason: string) {}
}

function openAesCbc(data: Uint8Array, secret: Uint8Array): Uint8Array | Refused {
  if (data.length < AES_BLOCK)
    return new Refused(`the stored data (${data.length} bytes) is shorter than the 16-byte IV`);
  const ct = data.subarray(AES_BLOCK);
  if (ct.length % AES_BLOCK !== 0)
    return new Refused(`the ciphertext (${ct.length} bytes) is not a multiple of the 16-byte block size`);
  if (ct.length === 0) return new Refused('there is no ciphertext after the IV');
  const d = crypto.createDecipheriv(`aes-${secret.length * 8}-cbc`, secret, data.subarray(0, AES_BLOCK));
  d.setAutoPadding(false);
  const out = Buffer.concat([d.update(ct), d.final()]);
  const pad = out[out.length - 1] as number;
  if (pad === 0 || pad > out.length)
    return new Refused(
      'bad padding (invalid PKCS#7 data): the key is not the one that encrypted the value, or the bytes were changed',
    );
  for (let i = out.length - pad; i < out.length; i++) {
    if (out[i] !== pad)
      return new Refused(
        'bad padding (invalid PKCS#7 padding): the key is not the one that encrypted the value, or the bytes were changed',
      );
  }
  return Uint8Array.from(out.subarray(0, out.length - pad));
}

function openAesGcm(data: Uint8Array, secret: Uint8Array, aad: Uint8Array | undefined): Uint8Array | Refused {
  if (aad === undefined) {
    return new Refused(
      'AES-GCM authenticates the etcd key, and none was given: pass { key } (the full key, such as /registry/secrets/default/db)',
    );
  }
  if (data.length < GCM_NONCE)
    return new Refused(`the stored data (${data.length} bytes) is shorter than the 12-byte nonce`);
  const body = data.subarray(GCM_NONCE);
  if (body.length < GCM_TAG) return new Refused('authentication failed: the data is shorter than the 16-byte tag');
  const d = crypto.createDecipheriv(
    `aes-${secret.length * 8}-gcm` as crypto.CipherGCMTypes,
    secret,
    data.subarray(0, GCM_NONCE),
    { authTagLength: GCM_TAG },
  );
  d.setAAD(aad);
  d.setAuthTag(body.subarray(body.length - GCM_TAG));
  try {
    return Uint8Array.from(Buffer.concat([d.update(body.subarray(0, body.length - GCM_TAG)), d.final()]));
  } catch {
    return new Refused(
      'authentication failed: the key is not the one that encrypted the value, the bytes were changed, or the value was read under another etcd key than it was written to',
    );
  }
}

function openSecretbox(data: Uint8Array, secret: Uint8Array): Uint8Array | Refused {
  if (data.length < SECRETBOX_NONCE_BYTES + SECRETBOX_OVERHEAD)
    return new Refused(`the stored data (${data.length} bytes) is shorter than the 24-byte nonce and 16-byte tag`);
  const out = secretboxOpen(data.subarray(SECRETBOX_NONCE_BYTES), data.subarray(0, SECRETBOX_NONCE_BYTES), secret);
  return (
    out ??
    new Refused('authentication failed: the key is not the one that encrypted the value, or the bytes were changed')
  );
}

/** Whether decrypted bytes look like a stored object (used to choose among several AES-CBC keys). */
function looksStored(b: Uint8Array): boolean {
  if (b.length >= 4 && b[0] === 0x6b && b[1] === 0x38 && b[2] === 0x73 && b[3] === 0x00) return true;
  if (b.length >= 3 && b[0] === 0xd9 && b[1] === 0xd9 && b[2] === 0xf7) return true;
  for (const c of b) {
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) continue;
    return c === 0x7b || c === 0x5b;
  }
  return false;
}

interface Candidate {
  provider: 'aescbc' | 'aesgcm' | 'secretbox';
  key: EncryptionKey;
  prefixBytes: number;
  rule: EncryptionRule;
}

function configuredKeys(rules: readonly EncryptionRule[]): string {
  const names: string[] = [];
  for (const rule of rules) {
    for (const p of rule.providers) {
      const label =
        p.type === 'kms'
          ? `kms ${p.apiVersion ?? 'v1'} "${p.name ?? ''}"`
          : p.type === 'identity'
            ? 'identity'
            : `${p.type} ${p.keys.map((k) => `"${k.name}"`).join(', ')}`;
      if (!names.includes(label)) names.push(label);
    }
  }
  return names.join('; ');
}

/** `aescbc, key "key1"` for a value's prefix. */
function prefixFacts(value: Uint8Array): { provider: string; version: string; keyName: string } {
  const head = latin1.decode(value.subarray(0, Math.min(value.length, 512)));
  const m = /^k8s:enc:([^:]*):([^:]*):([^:]*):/.exec(head);
  return { provider: m?.[1] ?? '', version: m?.[2] ?? '', keyName: m?.[3] ?? '' };
}

/**
 * Decrypts one stored value exactly as kube-apiserver reads it: the configured keys whose
 * `k8s:enc:<provider>:v1:<name>:` prefix the value starts with are tried in config order, and the first
 * that opens it wins. Throws DecodeError (offset 0) naming the provider and key when no configured key
 * matches the prefix, when every matching key fails (authentication failed / bad padding), or for KMS
 * values (which need the KMS plugin).
 * @example
 * const { plaintext, provider, keyName } = decryptValue(kv.value, config, { key: '/registry/secrets/default/db' });
 */
export function decryptValue(
  value: Uint8Array,
  config: EncryptionConfig,
  options: DecryptOptions = {},
): DecryptedValue {
  const label = keyLabel(options.key);
  if (!(value instanceof Uint8Array) || !startsWithText(value, ENC_PREFIX)) {
    throw new DecodeError(`${label} is not encrypted at rest: it does not start with "k8s:enc:".`, 0);
  }
  if (!isLoaded(config)) {
    throw new InvalidArgumentError('Invalid decryption config: pass the result of loadEncryptionConfig(pathOrText).');
  }
  const facts = prefixFacts(value);
  const rules = rulesFor(config, options.resource);
  const candidates: Candidate[] = [];
  let kms: EncryptionProvider | undefined;
  for (const rule of rules) {
    for (const p of rule.providers) {
      if (p.type === 'kms') {
        if (startsWithText(value, `${ENC_PREFIX}kms:${p.apiVersion ?? 'v1'}:${p.name ?? ''}:`)) kms = kms ?? p;
        continue;
      }
      if (p.type === 'identity') continue;
      for (const key of p.keys) {
        const prefix = `${ENC_PREFIX}${p.type}:v1:${key.name}:`;
        if (startsWithText(value, prefix)) candidates.push({ provider: p.type, key, prefixBytes: prefix.length, rule });
      }
    }
  }
  const what = `${facts.provider}${facts.provider === 'kms' ? ` ${facts.version}` : ''}, key "${facts.keyName}"`;
  if (candidates.length === 0) {
    if (kms !== undefined || facts.provider === 'kms') {
      throw new DecodeError(
        `${label} is encrypted at rest by a KMS plugin (${what}): its data key is wrapped by the external KMS, which kubetcd cannot call. ` +
          'Read it through kube-apiserver, or re-encrypt the cluster with an aescbc, aesgcm or secretbox key to read it offline.',
        0,
        { provider: facts.provider, keyName: facts.keyName },
      );
    }
    const scope = options.resource !== undefined ? ` for ${options.resource}` : '';
    throw new DecodeError(
      `${label} is encrypted at rest (${what}), and the encryption configuration (${config.source}) has no such key${scope}` +
        ` (it has: ${configuredKeys(rules) || 'nothing'}). Pass the configuration that held key "${facts.keyName}" (an older copy if the key was rotated out).`,
      0,
      { provider: facts.provider, keyName: facts.keyName },
    );
  }
  const aad = keyBytes(options.key);
  const refusals: string[] = [];
  let fallback: DecryptedValue | undefined;
  for (const c of candidates) {
    const data = value.subarray(c.prefixBytes);
    const out =
      c.provider === 'aescbc'
        ? openAesCbc(data, c.key.secret)
        : c.provider === 'aesgcm'
          ? openAesGcm(data, c.key.secret, aad)
          : openSecretbox(data, c.key.secret);
    if (out instanceof Refused) {
      refusals.push(
        `${c.provider} key "${c.key.name}" (${c.key.bytes * 8}-bit${rules.length > 1 ? `, entry for ${c.rule.resources.join(', ')}` : ''}): ${out.reason}`,
      );
      continue;
    }
    const result: DecryptedValue = {
      plaintext: out,
      provider: c.provider,
      version: 'v1',
      keyName: c.key.name,
      ciphertextBytes: data.length,
      resources: c.rule.resources,
    };
    // AES-CBC is not authenticated: among several same-named keys, prefer one whose output is an object.
    if (c.provider !== 'aescbc' || candidates.length === 1 || looksStored(out)) return result;
    fallback = fallback ?? result;
  }
  if (fallback !== undefined) return fallback;
  throw new DecodeError(
    `Cannot decrypt ${label === 'The value' ? 'the value' : label} (${what}) with the encryption configuration (${config.source}): ${refusals.join('; ')}. ` +
      "Check that the configuration is this cluster's (and its key secrets are the ones in use when the value was written).",
    0,
    { provider: facts.provider, keyName: facts.keyName },
  );
}

/**
 * Encrypts a serialised object as kube-apiserver writes it with this configuration: the entry for
 * `resource` (default: the first entry), its first provider and that provider's first key. An
 * `identity` first provider returns the bytes unchanged. Throws InvalidArgumentError for a KMS first
 * provider, or AES-GCM without `key`.
 * @example
 * const stored = encryptValue(encode(secret), config, { key: '/registry/secrets/default/db', resource: 'secrets' });
 */
export function encryptValue(
  plaintext: Uint8Array,
  config: EncryptionConfig,
  options: EncryptOptions = {},
): Uint8Array {
  if (!isLoaded(config))
    throw new InvalidArgumentError('Invalid encryption config: pass the result of loadEncryptionConfig(pathOrText).');
  const rule = options.resource === undefined ? config.rules[0] : rulesFor(config, options.resource)[0];
  const provider = rule?.providers[0];
  if (provider === undefined) {
    return plaintext; // kube-apiserver stores resources without an entry as they are
  }
  if (provider.type === 'identity') return plaintext;
  if (provider.type === 'kms') {
    throw new InvalidArgumentError(
      `Cannot encrypt with the KMS plugin "${provider.name ?? ''}": kubetcd cannot call a KMS. Put an aescbc, aesgcm or secretbox provider first.`,
    );
  }
  const key = provider.keys[0] as EncryptionKey;
  const prefix = utf8.encode(`${ENC_PREFIX}${provider.type}:v1:${key.name}:`);
  let body: Uint8Array;
  if (provider.type === 'aescbc') {
    const iv = crypto.randomBytes(AES_BLOCK);
    const c = crypto.createCipheriv(`aes-${key.bytes * 8}-cbc`, key.secret, iv); // PKCS#7 padding, as kube-apiserver pads
    body = Buffer.concat([iv, c.update(plaintext), c.final()]);
  } else if (provider.type === 'aesgcm') {
    const aad = keyBytes(options.key);
    if (aad === undefined)
      throw new InvalidArgumentError(
        'Cannot encrypt with aesgcm without the etcd key: pass { key } (AES-GCM authenticates it).',
      );
    const nonce = crypto.randomBytes(GCM_NONCE);
    const c = crypto.createCipheriv(`aes-${key.bytes * 8}-gcm` as crypto.CipherGCMTypes, key.secret, nonce, {
      authTagLength: GCM_TAG,
    });
    c.setAAD(aad);
    body = Buffer.concat([nonce, c.update(plaintext), c.final(), c.getAuthTag()]);
  } else {
    const nonce = crypto.randomBytes(SECRETBOX_NONCE_BYTES);
    body = Buffer.concat([nonce, secretboxSeal(plaintext, nonce, key.secret)]);
  }
  const out = new Uint8Array(prefix.length + body.length);
  out.set(prefix, 0);
  out.set(body, prefix.length);
  return out;
}

/**
 * The message for a value encrypted at rest that was not decrypted, naming provider and key and
 * saying what to pass.
 * @example
 * encryptedValueMessage('/registry/secrets/default/db', d.encryption)
 * // '/registry/secrets/default/db is encrypted at rest (aescbc, key "key1"). To decrypt it, pass ...'
 */
export function encryptedValueMessage(key: string, info: EncryptionInfo | undefined): string {
  const what =
    info === undefined
      ? ''
      : ` (${info.provider}${info.provider === 'kms' ? ` ${info.version}` : ''}, key "${info.keyName}")`;
  if (info?.provider === 'kms')
    return `${key} is encrypted at rest${what}; KMS-encrypted values can only be read through kube-apiserver and its KMS plugin.`;
  return (
    `${key} is encrypted at rest${what}. To decrypt it, pass kube-apiserver's EncryptionConfiguration ` +
    "(its --encryption-provider-config file): openKube(source, { encryptionConfig: 'encryption-config.yaml' }), " +
    "or decode(value, { decryption: loadEncryptionConfig('encryption-config.yaml'), key })."
  );
}

/**
 * decode's step for an encrypted value when a config is given: decrypt, then decode the plaintext
 * with `decodePlain`, reporting which provider and key opened it (`encryption.decrypted`). On failure
 * the result keeps `encoding: 'encrypted'` and carries the DecodeError. Used by decodeValue.
 * @example
 * decryptAndDecode(value, sniffed, options, result, (plain, o) => decodeValue(decoder, plain, o))
 */
export function decryptAndDecode<O extends { decryption?: EncryptionConfig; key?: string | Uint8Array }>(
  value: Uint8Array,
  sniffed: Sniffed,
  options: O,
  result: Decoded,
  decodePlain: (plaintext: Uint8Array, options: Omit<O, 'decryption' | 'key'>) => Decoded,
): Decoded {
  const info: EncryptionInfo = sniffed.encryption ?? { ...prefixFacts(value), ciphertextBytes: value.length };
  const { decryption, key: givenKey, ...rest } = options;
  const key = givenKey ?? sniffed.stripped?.keyLine;
  if (decryption === undefined) return result;
  let opened: DecryptedValue;
  try {
    opened = decryptValue(value, decryption, key === undefined ? {} : { key });
  } catch (e) {
    result.error =
      e instanceof DecodeError ? e : new DecodeError(`Cannot decrypt the value: ${(e as Error).message}`, 0);
    result.encryption = { ...info, decrypted: false };
    return result;
  }
  const inner = decodePlain(opened.plaintext, rest);
  inner.valueBytes = result.valueBytes;
  if (result.stripped !== undefined) inner.stripped = result.stripped;
  inner.encryption = {
    provider: opened.provider,
    version: opened.version,
    keyName: opened.keyName,
    ciphertextBytes: opened.ciphertextBytes,
    decrypted: true,
  };
  return inner;
}
