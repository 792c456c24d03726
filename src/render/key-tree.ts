/**
 * The key layout of an etcd keyspace as a tree: HTML nested `<details>` (top level open) and text like
 * the `tree` command (`├──`, `└──`, `│`), each node with its key count and bytes when known.
 */
import { cutText, escapeAttr, escapeHtml, visibleText } from './escape';
import { formatBytes } from './format-bytes';
import { wrapHtml, type Rendered } from './rendered';

/** One node of the key tree (a key prefix). */
export interface KeyTreeNode {
  /** The path segment shown (`pods`, `default`). */
  name: string;
  /** The full prefix (`/registry/pods/default/`), shown as a tooltip. */
  path?: string;
  /** Keys under this prefix. */
  keys?: number;
  /** Bytes of the values under this prefix. */
  bytes?: number;
  children?: KeyTreeNode[];
}

/** Options of {@link renderKeyTree}. */
export interface KeyTreeOptions {
  /** Levels shown open in HTML (the root is level 0). Default 1. */
  openDepth?: number;
  /** Children shown per node before `… N more`. Default 200. */
  maxChildren?: number;
  /** Deepest level shown. Default unlimited. */
  maxDepth?: number;
}

function stats(n: KeyTreeNode): string {
  const parts: string[] = [];
  if (n.keys !== undefined) parts.push(`${n.keys} ${n.keys === 1 ? 'key' : 'keys'}`);
  if (n.bytes !== undefined) parts.push(formatBytes(n.bytes));
  return parts.join(', ');
}

function nameOf(n: KeyTreeNode): string {
  return cutText(visibleText(String(n.name)), 120);
}

function textTree(
  n: KeyTreeNode,
  prefix: string,
  childPrefix: string,
  depth: number,
  opt: Required<KeyTreeOptions>,
  out: string[],
): void {
  const s = stats(n);
  out.push(`${prefix}${nameOf(n)}${s === '' ? '' : `  (${s})`}`);
  const kids = n.children ?? [];
  if (kids.length === 0) return;
  if (depth >= opt.maxDepth) {
    out.push(`${childPrefix}└── … ${kids.length} more below`);
    return;
  }
  const shown = kids.slice(0, opt.maxChildren);
  const more = kids.length - shown.length;
  shown.forEach((k, i) => {
    const last = i === shown.length - 1 && more === 0;
    textTree(k, childPrefix + (last ? '└── ' : '├── '), childPrefix + (last ? '    ' : '│   '), depth + 1, opt, out);
  });
  if (more > 0) out.push(`${childPrefix}└── … ${more} more`);
}

function htmlTree(n: KeyTreeNode, depth: number, opt: Required<KeyTreeOptions>): string {
  const s = stats(n);
  const title = n.path !== undefined ? ` title="${escapeAttr(n.path)}"` : '';
  const label = `<span${title}>${escapeHtml(nameOf(n))}</span>${s === '' ? '' : ` <span class="kubetcd-count">${escapeHtml(s)}</span>`}`;
  const kids = n.children ?? [];
  if (kids.length === 0) return `<div class="kubetcd-leaf">${label}</div>`;
  if (depth >= opt.maxDepth)
    return `<div class="kubetcd-leaf">${label} <span class="kubetcd-count">… ${kids.length} more below</span></div>`;
  const shown = kids.slice(0, opt.maxChildren);
  let h = `<details${depth < opt.openDepth ? ' open' : ''}><summary>${label}</summary>`;
  for (const k of shown) h += htmlTree(k, depth + 1, opt);
  if (kids.length > shown.length)
    h += `<div class="kubetcd-leaf kubetcd-count">… ${kids.length - shown.length} more</div>`;
  return h + '</details>';
}

/**
 * Renders a key tree (one root or a forest).
 * @example
 * renderKeyTree({ name: '/registry', keys: 3, children: [{ name: 'pods', keys: 2 }, { name: 'secrets', keys: 1 }] }).text
 * // '/registry  (3 keys)\n├── pods  (2 keys)\n└── secrets  (1 key)\n'
 */
export function renderKeyTree(root: KeyTreeNode | KeyTreeNode[], options: KeyTreeOptions = {}): Rendered {
  const opt: Required<KeyTreeOptions> = {
    openDepth: options.openDepth ?? 1,
    maxChildren: options.maxChildren ?? 200,
    maxDepth: options.maxDepth ?? Infinity,
  };
  const roots = Array.isArray(root) ? root : [root];
  const lines: string[] = [];
  for (const r of roots) textTree(r, '', '', 0, opt, lines);
  const html = wrapHtml(`<div class="kubetcd-tree">${roots.map((r) => htmlTree(r, 0, opt)).join('')}</div>`);
  return { html, text: lines.join('\n') + '\n' };
}
