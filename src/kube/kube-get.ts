/**
 * One object by resource and name (or by its full key), with its etcd record: revisions, lease, size,
 * encoding, and why the value could not be (fully) decoded.
 */
import { decode } from '../codec';
import type { Decoded, EncryptionInfo, KubeObject, UnknownField } from '../codec/types';
import { InvalidArgumentError, NotFoundError } from '../errors';
import type { KvRecord } from '../sources/types';
import type { KubeContext } from './context';
import { keyFor, parseKey } from './keys';
import { qualifiedResourceName, type ResourceInfo } from './resources';
import { isSecrets, redactSecret } from './secret-redaction';
import { checkRevision, failureText, withResourceVersion } from './verb-support';

/** Options of {@link KubeClient.get}. Every field is optional. */
export interface GetOptions {
  namespace?: string;
  revision?: number;
  reveal?: boolean;
}

/** The result of {@link KubeClient.get}. */
export interface KubeGetResult {
  /** The decoded object (absent when the value could not be decoded), `metadata.resourceVersion` the record's mod revision. */
  object?: KubeObject;
  key: string;
  record: { createRevision: number; modRevision: number; version: number; lease: string; valueBytes: number };
  encoding: Decoded['encoding'];
  unknownFields?: UnknownField[];
  /** Why the value could not be (fully) decoded. */
  error?: string;
  encryption?: EncryptionInfo;
}

/**
 * One object, by resource and name or by full key: the decoded object (Secrets redacted unless
 * `reveal`, `metadata.resourceVersion` the record's mod revision) and its record. Throws NotFoundError
 * when the key holds nothing (at `revision`).
 * @example
 * const { object, record } = await getObject(k, 'pods', 'web', { namespace: 'default' });
 */
export async function getObject(
  ctx: KubeContext,
  keyOrResource: string,
  name?: string,
  options: GetOptions = {},
): Promise<KubeGetResult> {
  if (typeof keyOrResource !== 'string' || keyOrResource === '') {
    throw new InvalidArgumentError(
      `Cannot get ${JSON.stringify(keyOrResource)}: pass a resource and a name (k.get('pods', 'web', { namespace: 'default' })) or a key starting with "${ctx.prefix}/".`,
    );
  }
  let key: string;
  let info: ResourceInfo | undefined;
  let label: string;
  if (name === undefined) {
    if (!keyOrResource.startsWith(`${ctx.prefix}/`) && keyOrResource !== 'compact_rev_key') {
      throw new InvalidArgumentError(
        `Cannot get ${JSON.stringify(keyOrResource)}: no name given, and it is not a key under the prefix "${ctx.prefix}/". ` +
          `Pass a resource and a name (k.get('pods', 'web', { namespace: 'default' })) or a full key.`,
      );
    }
    key = keyOrResource;
    const parsed = parseKey(key, { prefix: ctx.prefix, resources: ctx.customResources });
    info = parsed.kind === 'object' ? parsed.info : undefined;
    label = `Key ${key}`;
  } else {
    info = ctx.resolve(keyOrResource);
    const namespace = info.namespaced ? (options.namespace ?? 'default') : options.namespace;
    key = keyFor(info, name, namespace, ctx.prefix);
    label = info.namespaced
      ? `${qualifiedResourceName(info)} ${JSON.stringify(name)} not found in namespace ${JSON.stringify(namespace)} (key ${key})`
      : `${qualifiedResourceName(info)} ${JSON.stringify(name)} not found (key ${key})`;
  }
  checkRevision(options.revision);
  const kv: KvRecord | undefined = await ctx.source.get(
    key,
    options.revision !== undefined ? { revision: options.revision } : {},
  );
  if (kv === undefined) {
    const at = options.revision !== undefined ? ` at revision ${options.revision}` : '';
    const message = name === undefined ? `${label} not found${at}.` : `${label}${at}.`;
    throw new NotFoundError(`${message} k.keys() lists the keys this source holds.`, {
      key,
      revision: options.revision,
    });
  }
  const d = decode(kv.value, ctx.decodeOptions(key));
  const result: KubeGetResult = {
    key,
    record: {
      createRevision: kv.createRevision,
      modRevision: kv.modRevision,
      version: kv.version,
      lease: kv.lease,
      valueBytes: kv.valueBytes,
    },
    encoding: d.encoding,
  };
  if (d.object !== undefined) {
    result.object = withResourceVersion(
      isSecrets(info) && options.reveal !== true ? redactSecret(d.object) : d.object,
      kv.modRevision,
    );
  }
  if (d.unknownFields !== undefined && d.unknownFields.length > 0) result.unknownFields = d.unknownFields;
  const failure = failureText(key, d);
  if (failure !== undefined) result.error = failure;
  if (d.encryption) result.encryption = d.encryption;
  return result;
}
