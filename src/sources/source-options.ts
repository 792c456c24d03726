/**
 * The option names each kind of source takes, so a misspelt or misplaced option is refused with the
 * names that would work instead of being dropped without a word.
 */
import { InvalidArgumentError } from '../errors';
import type { LiveOptions } from './live-etcd-source';
import type { SnapshotSourceOptions } from './snapshot/snapshot-source';

/** Every option of a snapshot, db file or etcdctl dump. */
export const FILE_OPTION_NAMES = [
  'verifyHash',
  'wholeFileBytes',
  'blockBytes',
  'origin',
  'hashInWorkerBytes',
  'hashCheck',
  'indexCache',
] as const;

/** Every option of a live etcd. */
export const LIVE_OPTION_NAMES = [
  'endpoints',
  'cacert',
  'cert',
  'key',
  'insecureSkipVerify',
  'serverName',
  'user',
  'password',
  'dialTimeoutMs',
  'callTimeoutMs',
  'watchProgressMs',
  'pageSize',
  'pageBytes',
  'subPrefixPaging',
  'env',
] as const;

// The lists above must name every field of the option types: a field added there and not here fails the build.
type Missing<T, Names extends readonly string[]> = Exclude<keyof T, Names[number]>;
const fileComplete: Missing<SnapshotSourceOptions, typeof FILE_OPTION_NAMES> extends never ? true : never = true;
const liveComplete: Missing<LiveOptions, typeof LIVE_OPTION_NAMES> extends never ? true : never = true;
void fileComplete;
void liveComplete;

function editDistance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let previous = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const current = [i];
    for (let j = 1; j <= y.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (x[i - 1] === y[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[y.length] ?? 0;
}

/** The valid name closest to a misspelt one, if any is close enough to be what was meant. */
export function closestName(name: string, valid: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of valid) {
    const d = editDistance(name, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

/**
 * Refuses option names outside `valid`. `elsewhere` maps names that are real options of another kind of
 * source to that kind ("a live etcd"), so the message says why they do not apply here.
 * @example
 * checkOptionNames('open()', { verifyhash: false }, FILE_OPTION_NAMES); // throws: did you mean verifyHash?
 */
export function checkOptionNames(
  what: string,
  options: object,
  valid: readonly string[],
  elsewhere: Record<string, string> = {},
): void {
  for (const name of Object.keys(options)) {
    if (valid.includes(name) || (options as Record<string, unknown>)[name] === undefined) continue;
    if (elsewhere[name] !== undefined) {
      throw new InvalidArgumentError(
        `${what}: option "${name}" does not apply here. It is an option of ${elsewhere[name]}. Remove it; the options that apply are ${valid.join(', ')}.`,
      );
    }
    const near = closestName(name, valid);
    throw new InvalidArgumentError(
      `${what}: unknown option "${name}"${near === undefined ? '' : ` (did you mean "${near}"?)`}. ` +
        `It would be ignored. Use one of: ${valid.join(', ')}.`,
    );
  }
}

/** Names → "a snapshot file" / "a live etcd", for {@link checkOptionNames}' `elsewhere`. */
export function otherKinds(kind: 'file' | 'live'): Record<string, string> {
  const names: readonly string[] = kind === 'file' ? LIVE_OPTION_NAMES : FILE_OPTION_NAMES;
  const label = kind === 'file' ? 'a live etcd, not a snapshot file' : 'a snapshot file, not a live etcd';
  return Object.fromEntries(names.map((n) => [n, label]));
}
