/**
 * "Now" as the data knows it. Ages in a table are relative to a clock; for an old backup the wall
 * clock makes every age the backup's own age (`3y243d`). The data carries its own clock: coordination
 * Leases are renewed every few seconds by kubelets and controllers, so the newest renewTime is within
 * seconds of when the data was last written.
 */
import { decode } from '../codec';
import type { KubeContext } from './context';

/** The time the data was last written, as far as it tells, and how that was found. */
export interface DataClock {
  now: Date;
  /** Where it comes from, for a caption: `the newest Lease renewal (kube-node-lease/node-1)`. */
  from: string;
}

/** Leases read at most (a cluster has one per node and one per controller: a few hundred to thousands). */
const MAX_LEASES = 20_000;

function timeOf(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const t = Date.parse(value);
  return Number.isFinite(t) ? t : undefined;
}

/**
 * The time a Lease object says it was last renewed (or acquired), ms since the epoch; undefined without one.
 * @example
 * leaseRenewal({ spec: { renewTime: '2023-05-01T10:00:04.000000Z' } }) // 1682935204000
 */
export function leaseRenewal(object: { spec?: unknown } | undefined): number | undefined {
  const spec = object?.spec as { renewTime?: unknown; acquireTime?: unknown } | undefined;
  const t = Math.max(timeOf(spec?.renewTime) ?? -Infinity, timeOf(spec?.acquireTime) ?? -Infinity);
  return Number.isFinite(t) ? t : undefined;
}

/**
 * The newest Lease renewal (or acquisition) in the data; undefined when it holds no Lease with a time.
 * @example
 * const clock = await dataClock(k); // { now: 2023-05-01T10:00:04.000Z, from: 'the newest Lease renewal (kube-node-lease/node-1)' }
 */
export async function dataClock(
  client: KubeContext,
  options: { revision?: number } = {},
): Promise<DataClock | undefined> {
  let best: { t: number; name: string } | undefined;
  let n = 0;
  const prefix = `${client.prefix}/leases/`;
  for await (const kv of client.source.range(
    { prefix },
    options.revision !== undefined ? { revision: options.revision } : {},
  )) {
    if (++n > MAX_LEASES) break;
    const key = Buffer.from(kv.key).toString('utf8');
    const t = leaseRenewal(decode(kv.value, client.decodeOptions(key)).object);
    if (t !== undefined && (best === undefined || t > best.t)) best = { t, name: key.slice(prefix.length) };
  }
  return best === undefined ? undefined : { now: new Date(best.t), from: `the newest Lease renewal (${best.name})` };
}

/**
 * The text of a clock for a caption: `ages as of 2023-05-01T10:00:04Z (the newest Lease renewal …)`.
 * @example
 * clockCaption({ now: new Date('2023-05-01T10:00:04Z'), from: 'the newest Lease renewal (kube-node-lease/a)' })
 */
export function clockCaption(clock: DataClock): string {
  return `ages as of ${clock.now.toISOString().replace(/\.000Z$/, 'Z')}, ${clock.from}`;
}
