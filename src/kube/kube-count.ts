/**
 * Counting one resource, grouped by namespace, kind, a label, an annotation or any dotted path. Protobuf
 * values are read by projection (only the group's field and the selectors' fields) where it can be.
 */
import { lodash } from '../util/lazy-modules';
import type { Projector } from '../codec/project';
import type { Decoded, KubeObject } from '../codec/types';
import { InvalidArgumentError } from '../errors';
import type { KubeContext } from './context';
import { parseFieldSelector } from './field-selector';
import { listPrefixFor } from './keys';
import { streamObjects } from './kube-list';
import { parseLabelSelector } from './label-selector';
import { qualifiedResourceName } from './resources';
import { isSecrets } from './secret-redaction';
import { PREFILTER_FIELDS, checkRevision, checkSignal, failureText, keyText, projectorFor } from './verb-support';

/** Options of {@link KubeClient.count}. Every field is optional. */
export interface CountOptions {
  /**
   * Group by `namespace`, `kind`, a label (`label:app`, `metadata.labels.app`, also with dots and
   * slashes: `label:app.kubernetes.io/name`), an annotation (`annotation:x`, `metadata.annotations.x`)
   * or any dotted path (`spec.nodeName`, `status.phase`, `spec.containers[0].image`).
   */
  by?: string;
  namespace?: string;
  labels?: string;
  fields?: string;
  revision?: number;
  signal?: AbortSignal;
}

/** The result of {@link KubeClient.count}. */
export interface KubeCount {
  total: number;
  /** Counts per group value (`<none>` when the field is missing). Empty without `by`. */
  groups: Record<string, number>;
  /**
   * Values that could not be decoded (not in `total`). count() reads protobuf values by projection (only
   * the group's field and the selectors' fields): a value damaged only inside fields it does not read is
   * counted from the fields it reads, not here; `list()` decodes whole objects.
   */
  errors: number;
}

/** The lodash path `by` groups on: label and annotation keys stay whole (they hold dots and slashes). */
function groupPath(by: string): string | string[] {
  if (by === 'namespace') return ['metadata', 'namespace'];
  if (by === 'name') return ['metadata', 'name'];
  if (by === 'kind') return ['kind'];
  const short = /^(label|annotation)s?:(.+)$/.exec(by);
  if (short) return ['metadata', `${short[1] as string}s`, short[2] as string];
  const m = /^metadata\.(labels|annotations)\.(.+)$/.exec(by);
  return m ? ['metadata', m[1] as string, m[2] as string] : by;
}

function groupValue(obj: KubeObject, path: string | string[]): string {
  const v: unknown = lodash().get(obj, path);
  if (v === undefined || v === null || v === '') return '<none>';
  return typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/**
 * The path to project for grouping by `path` (a result of groupPath), or undefined when the whole object
 * is needed; `''` when the group needs no field (the kind).
 */
function groupProjection(path: string | string[]): string | undefined {
  if (Array.isArray(path)) {
    if (path.length === 1 && path[0] === 'kind') return '';
    if (path.length === 2 && path[0] === 'metadata') return `metadata.${path[1] as string}`;
    if (path.length === 3 && path[0] === 'metadata' && (path[1] === 'labels' || path[1] === 'annotations'))
      return `metadata.${path[1]}`;
    return undefined;
  }
  // lodash paths: the dotted part before the first index (`spec.containers[0].image` → `spec.containers`,
  // whose elements a projection keeps whole)
  const m = /^[A-Za-z_$][\w$-]*(?:\.[A-Za-z_$][\w$-]*)*(?=\[|$)/.exec(path);
  return m ? m[0] : undefined;
}

/**
 * How many objects of a resource match, in total and per group (`by`).
 * @example
 * (await countObjects(k, 'pods', { by: 'spec.nodeName' })).groups // { 'node-1': 12, 'node-2': 9 }
 */
export async function countObjects(ctx: KubeContext, resource: string, options: CountOptions = {}): Promise<KubeCount> {
  let path: string | string[] | undefined;
  if (options.by !== undefined) {
    if (typeof options.by !== 'string' || options.by.trim() === '') {
      throw new InvalidArgumentError(
        `Invalid "by": ${JSON.stringify(options.by)}. Pass 'namespace', 'kind', 'label:app' or a dotted path such as 'spec.nodeName'.`,
      );
    }
    path = groupPath(options.by.trim());
  }
  const fast = countByProjection(ctx, resource, path, options);
  if (fast !== undefined) return fast;
  const stream = streamObjects(ctx, resource, {
    ...(options.namespace !== undefined ? { namespace: options.namespace } : {}),
    ...(options.labels !== undefined ? { labels: options.labels } : {}),
    ...(options.fields !== undefined ? { fields: options.fields } : {}),
    ...(options.revision !== undefined ? { revision: options.revision } : {}),
    ...(options.signal !== undefined ? { signal: options.signal } : {}),
  });
  const groups: Record<string, number> = {};
  let total = 0;
  let errors = 0;
  for await (const entry of stream) {
    if (entry.error !== undefined) errors++;
    if (entry.object === undefined) continue;
    total++;
    if (path !== undefined) {
      const g = groupValue(entry.object, path);
      groups[g] = (groups[g] ?? 0) + 1;
    }
  }
  return { total, groups, errors };
}

/**
 * count() by projection: only the group's field and the selectors' fields are read from protobuf values
 * (values the projector cannot read that way are decoded in full, as count() does). Undefined when the
 * whole object is needed: a group or field selector it cannot project, or Secrets (grouped redacted).
 */
function countByProjection(
  ctx: KubeContext,
  resource: string,
  path: string | string[] | undefined,
  options: CountOptions,
): Promise<KubeCount> | undefined {
  const info = ctx.resolve(resource);
  if (isSecrets(info)) return undefined;
  const labels = options.labels !== undefined ? parseLabelSelector(options.labels) : undefined;
  const paths = labels !== undefined ? ['metadata.labels'] : [];
  if (path !== undefined) {
    const p = groupProjection(path);
    if (p === undefined) return undefined;
    if (p !== '') paths.push(p);
  }
  const fields = options.fields !== undefined ? parseFieldSelector(options.fields) : undefined;
  if (fields !== undefined) {
    if (!fields.requirements.every((r) => PREFILTER_FIELDS.has(r.field))) return undefined;
    for (const r of fields.requirements) paths.push(r.field);
  }
  // nothing to read (a plain total, or by kind): the name is the cheapest field that says the value reads
  if (paths.length === 0) paths.push('metadata.name');
  let projector: Projector;
  try {
    projector = projectorFor([...new Set(paths)].sort());
  } catch {
    return undefined; // a path the projector does not take: count from whole objects
  }
  checkRevision(options.revision);
  const prefix = listPrefixFor(info, options.namespace, ctx.prefix);
  const signal = options.signal;
  const what = `Counting ${qualifiedResourceName(info)} (prefix ${prefix})`;
  const run = async (): Promise<KubeCount> => {
    checkSignal(signal, what);
    // Without { revision }, a live read pins and (after a compaction, when sound) moves its own revision.
    const revision = options.revision;
    const groups: Record<string, number> = {};
    let total = 0;
    let errors = 0;
    for await (const kv of ctx.source.range(
      { prefix },
      {
        ...(revision !== undefined ? { revision } : {}),
        transientValues: true,
        ...(signal !== undefined ? { signal } : {}),
      },
    )) {
      checkSignal(signal, what);
      const key = keyText(kv.key);
      const p = projector.project(kv.value, ctx.decodeOptions(key));
      let obj: KubeObject | undefined;
      if (p.via === 'projection') {
        obj = p.object;
      } else {
        // decoded in full (JSON, CBOR, encrypted, malformed): counted exactly as count() counts it
        const d = p.decoded as Decoded;
        if (failureText(key, d) !== undefined) errors++;
        obj = d.object;
      }
      if (obj === undefined) continue;
      if (labels && !labels.matches(lodash().get(obj, ['metadata', 'labels']) as Record<string, string> | undefined))
        continue;
      if (fields && !fields.matches(obj)) continue;
      total++;
      if (path !== undefined) {
        const g = groupValue(obj, path);
        groups[g] = (groups[g] ?? 0) + 1;
      }
    }
    return { total, groups, errors };
  };
  return run();
}
