/**
 * One vocabulary for an object's history, wherever it is printed (`kubetcd history`, the notebook): each
 * kept revision is an EVENT — `created`, `modified` or `deleted` — with its CHANGES written the same way
 * (`spec.replicas: 1 -> 3`, `+metadata.labels.tier`, `-spec.paused`). The data keeps its own fields
 * (`deleted`, `version`, `changes`); this is only how they read.
 */
import { toKubeJson } from '../codec/go-json';

/** What one revision did to the key. */
export type HistoryEvent = 'created' | 'modified' | 'deleted';

/** The fields of a history entry the view reads (kube/kube-history's HistoryEntry has them). */
export interface HistoryEntryView {
  revision: number;
  version: number;
  deleted: boolean;
  changes: readonly unknown[];
  error?: string;
}

/**
 * The event of a revision: `deleted` for a tombstone, `created` when the key's version is 1 (its first
 * write, or its first after a deletion), else `modified` (also for the oldest kept revision of a key
 * whose creation was compacted away).
 * @example
 * historyEvent({ deleted: false, version: 1 }) // 'created'
 */
export function historyEvent(entry: { deleted: boolean; version: number }): HistoryEvent {
  if (entry.deleted) return 'deleted';
  return entry.version === 1 ? 'created' : 'modified';
}

function shortValue(v: unknown): string {
  if (v === undefined) return '<none>';
  let s: string;
  try {
    s = typeof v === 'string' ? v : toKubeJson(v);
  } catch {
    s = String(v);
  }
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
}

function changeText(c: unknown): string {
  if (c === null || typeof c !== 'object') return String(c);
  const { path, op, from, to } = c as { path?: unknown; op?: unknown; from?: unknown; to?: unknown };
  const p = typeof path === 'string' ? path : '';
  if (op === 'added') return `+${p}`;
  if (op === 'removed') return `-${p}`;
  if (op === 'changed') return `${p}: ${shortValue(from)} -> ${shortValue(to)}`;
  return `${typeof op === 'string' ? `${op} ` : ''}${p}`;
}

/**
 * A revision's changes on one line: the first `max` (default 3), then how many more.
 * @example
 * historyChangesText([{ path: 'spec.replicas', op: 'changed', from: 1, to: 3 }]) // 'spec.replicas: 1 -> 3'
 */
export function historyChangesText(changes: readonly unknown[], max = 3): string {
  const shown = changes.slice(0, max).map(changeText).join(', ');
  return changes.length > max ? `${shown} (+${changes.length - max} more)` : shown;
}

/**
 * A history as table rows: REVISION, VERSION, EVENT, CHANGES (a value that could not be decoded says why
 * in CHANGES).
 * @example
 * historyRows(await k.history('pods', 'web', { namespace: 'shop' })).headers // ['REVISION', 'VERSION', 'EVENT', 'CHANGES']
 */
export function historyRows(entries: readonly HistoryEntryView[]): { headers: string[]; rows: string[][] } {
  return {
    headers: ['REVISION', 'VERSION', 'EVENT', 'CHANGES'],
    rows: entries.map((e) => [
      String(e.revision),
      String(e.version),
      historyEvent(e),
      e.error !== undefined ? `error: ${e.error}` : historyChangesText(e.changes),
    ]),
  };
}
