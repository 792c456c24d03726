/**
 * The notebook's own small views for shapes src/render has no view of (generic record tables for
 * lodash output, counts, inventories and histories; key lists; one-line notes), built on src/render's
 * table, escaping and scoped style sheet so every output looks alike. Pure: (data, options) => { html, text }.
 */
import type { KubeObject } from '../codec/types';
import { escapeHtml } from '../render/escape';
import { wrapHtml, type Rendered } from '../render/rendered';
import { renderTable } from '../render/table';

export type { Rendered } from '../render/rendered';

/** Options of {@link renderRecordTable}. */
export interface RecordTableOptions {
  /** Column names, in order (default: the keys of the rows, in first-seen order). */
  columns?: readonly string[];
  /** Upper-case headers as kubectl does (default true). */
  upperCase?: boolean;
  /** Rows shown before the rest is cut to head and tail (default 40). */
  maxRows?: number;
  /** A line under the table. */
  caption?: string;
}

function plural(n: number, word: string): string {
  return `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;
}

/**
 * A table of plain records (rows of column → value) drawn by src/render's table (kubectl alignment, head
 * and tail around a `…` row when long, every cell escaped).
 * @example
 * renderRecordTable([{ resource: 'pods', count: 12 }]).text // 'RESOURCE   COUNT\npods       12\n'
 */
export function renderRecordTable(
  rows: readonly Record<string, unknown>[],
  options: RecordTableOptions = {},
): Rendered {
  const columns: string[] = options.columns ? [...options.columns] : [];
  if (!options.columns) {
    const seen = new Set<string>();
    for (const r of rows)
      for (const k of Object.keys(r))
        if (!seen.has(k)) {
          seen.add(k);
          columns.push(k);
        }
  }
  const upper = options.upperCase !== false;
  const table = renderTable(rows as readonly KubeObject[], {
    columns: Object.fromEntries(columns.map((c) => [upper ? c.toUpperCase() : c, (o: KubeObject) => o[c]])),
    namespaceColumn: false,
    ...(options.maxRows !== undefined ? { maxRows: options.maxRows } : {}),
  });
  return options.caption ? appendCaption(table, options.caption) : table;
}

/**
 * Adds a caption line under a rendered view.
 * @example
 * appendCaption(table, 'revision 12')
 */
export function appendCaption(view: Rendered, caption: string): Rendered {
  return {
    html: view.html + wrapHtml(`<p class="kubetcd-caption">${escapeHtml(caption)}</p>`),
    text: `${view.text.replace(/\n*$/, '')}\n${caption}`,
  };
}

/**
 * Text shown as preformatted HTML (escaped), with the same text as its twin.
 * @example
 * renderPre('apiVersion: v1\nkind: Pod').html // '<div class="kubetcd">…<pre>apiVersion: v1…</pre></div>'
 */
export function renderPre(text: string): Rendered {
  return { html: wrapHtml(`<pre>${escapeHtml(text)}</pre>`), text };
}

/**
 * Notes, one paragraph each, that wrap to the width of the output (long words such as keys too); the
 * text twin has one line per note.
 * @example
 * renderNotes(['note: a live source cannot tell the size of old revisions']).text
 */
export function renderNotes(lines: readonly string[]): Rendered {
  return {
    html: wrapHtml(lines.map((l) => `<p class="kubetcd-note">${escapeHtml(l)}</p>`).join('')),
    text: lines.join('\n'),
  };
}

/**
 * A list of etcd keys, one per line, cut to head and tail when long.
 * @example
 * renderKeyList(['/registry/pods/default/web']).text
 */
export function renderKeyList(keys: readonly string[], maxRows = 60): Rendered {
  let lines: string[] = [...keys];
  if (keys.length > maxRows) {
    const head = Math.ceil(maxRows / 2);
    lines = [
      ...keys.slice(0, head),
      `… ${keys.length - maxRows} more keys …`,
      ...keys.slice(keys.length - (maxRows - head)),
    ];
  }
  const caption = plural(keys.length, 'key');
  return {
    html: wrapHtml(`<pre>${escapeHtml(lines.join('\n'))}</pre><p class="kubetcd-caption">${escapeHtml(caption)}</p>`),
    text: `${lines.join('\n')}\n${caption}`,
  };
}
