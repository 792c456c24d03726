/**
 * What every verb of the kube layer needs, and nothing more: the source, the etcd prefix, the custom
 * resources found in its CRDs, resolve(), decode options, and the resources seen under keys no known
 * resource uses. Each verb (list, get, count, keys, tree, sizes, history, watch, …) is a free function
 * over a KubeContext in its own file; `KubeClient` is one (see kube-client.ts) and only delegates.
 */
import type { DecodeOptions } from '../codec';
import type { EncryptionConfig } from '../codec/decrypt';
import type { KvSource } from '../sources/types';
import { resolveResource, type ResourceInfo } from './resources';

/** Kubernetes over one KvSource, as the verbs see it. A {@link KubeClient} is one. */
export interface KubeContext {
  readonly source: KvSource;
  /** The etcd prefix in use, without a trailing slash: `/registry`. */
  readonly prefix: string;
  /** Custom resources found in the source's CRDs. */
  readonly customResources: readonly ResourceInfo[];
  /** Resolves a resource name the forgiving way (`po`, `deploy`, `deployments.apps`, CRD names). */
  resolve(resource: string): ResourceInfo;
  /**
   * decode()'s options for the stored value at `key`, as this client reads it (the EncryptionConfiguration
   * given to openKube, if any); undefined when there are none.
   * @example
   * const d = decode(kv.value, k.decodeOptions('/registry/secrets/default/db'));
   */
  decodeOptions(key: string): DecodeOptions | undefined;
  /**
   * Makes resolve() answer for a resource found under keys no known resource uses (a CRD deleted with its
   * objects left, a resource of another release); the first one remembered under a name stays.
   * @example
   * k.rememberStoredResource({ ...info, resource: 'widgets', group: 'example.com' });
   */
  rememberStoredResource(info: ResourceInfo): void;
}

/**
 * A KubeContext over a source: resolve() knows the built-in resources, `customResources` and the
 * resources remembered with rememberStoredResource(); `decryption` opens values encrypted at rest.
 * @example
 * const ctx = createKubeContext(source, '/registry', []);
 * ctx.resolve('po').kind // 'Pod'
 */
export function createKubeContext(
  source: KvSource,
  prefix: string,
  customResources: readonly ResourceInfo[],
  decryption?: EncryptionConfig,
): KubeContext {
  const stored = new Map<string, ResourceInfo>();
  return {
    source,
    prefix,
    customResources,
    resolve(resource: string): ResourceInfo {
      try {
        return resolveResource(resource, customResources);
      } catch (e) {
        const found = typeof resource === 'string' ? stored.get(resource.trim().toLowerCase()) : undefined;
        if (found !== undefined) return found;
        throw e;
      }
    },
    decodeOptions(key: string): DecodeOptions | undefined {
      return decryption === undefined ? undefined : { decryption, key };
    },
    rememberStoredResource(info: ResourceInfo): void {
      const name = (info.group ? `${info.resource}.${info.group}` : info.resource).toLowerCase();
      if (!stored.has(name)) stored.set(name, info);
    },
  };
}
