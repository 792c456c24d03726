/**
 * What the presenters of notebook results share: the result types (Presentation, the hint) and the small
 * pieces a view is put together from (counts, titles, joined views).
 */
import { escapeHtml } from '../render/escape';
import type { TextRows } from '../render/diff-view';
import type { ColumnSource } from '../render/table';
import { renderers, type Rendered } from './renderers';

export type Rec = Record<string, unknown>;

export function isRecord(v: unknown): v is Rec {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Uint8Array) && !(v instanceof Date);
}

export function n(x: number): string {
  return x.toLocaleString('en-US');
}

export function plural(count: number, word: string): string {
  return `${n(count)} ${word}${count === 1 ? '' : 's'}`;
}

export function joinRendered(parts: readonly Rendered[]): Rendered {
  return { html: parts.map((p) => p.html).join(''), text: parts.map((p) => p.text).join('\n') };
}

export function titled(title: string, view: Rendered): Rendered {
  return {
    html: `<details open><summary>${escapeHtml(title)}</summary>${view.html}</details>`,
    text: `${title}:\n${view.text.replace(/\n*$/, '')}\n`,
  };
}

export function textRowsTable(t: TextRows, maxRows = 200): Rendered {
  return renderers.recordTable(
    t.rows.map((r) => Object.fromEntries(t.headers.map((h, i) => [h, r[i]]))),
    { columns: t.headers, upperCase: false, maxRows },
  );
}

/** Options of {@link show} and of how results display. Every field is optional. */
export interface ShowOptions {
  /** How to draw: `auto` (by shape, the default), `table`, `json` (a tree), `yaml`, `text` or `hex` (the annotated layers of stored bytes; the default for a Uint8Array). */
  format?: 'auto' | 'table' | 'json' | 'yaml' | 'text' | 'hex';
  /** The kind, for object tables (default: the objects' own). */
  kind?: string;
  /** More columns, as `kubectl get -o wide`. */
  wide?: boolean;
  /** Custom table columns, header → dotted path or function, as `-o custom-columns` (`{ NAME: 'metadata.name', NODE: 'spec.nodeName' }`). */
  columns?: Record<string, ColumnSource>;
  /** Rows shown before a table is cut to head and tail (default 50). */
  maxRows?: number;
  /** "Now", for ages (default: the clock). */
  now?: Date;
}

/** A value drawn for the notebook. */
export interface Presentation {
  rendered: Rendered;
  /** One line: what the value is (`KubeList: 12 Pods at revision 345`). */
  summary: string;
}

/** Where a value came from, to draw it better. */
export interface PresentHint extends ShowOptions {
  /** The client method that returned it (`list`, `get`, …). */
  method?: string;
  /** That method's arguments. */
  args?: readonly unknown[];
  /** Which clock `now` is, for captions (`ages as of … , the newest Lease renewal (…)`). */
  clock?: string;
}
