/**
 * The ownerReference graph around one object, drawn as SVG (owners to the left, the object in the middle,
 * what it owns to the right, one column per level) with a text twin of two trees (`owners (up)` and
 * `dependents (down)`, drawn like tree(1)). Owners missing from the data are dashed and marked; objects
 * being deleted say since when and on which finalizers they wait. Every label is escaped.
 */
import { cutText, escapeHtml, visibleText } from './escape';
import { wrapHtml, type Rendered } from './rendered';

/** One node of the graph (the shape of the Kubernetes layer's `OwnerNode`). */
export interface OwnerGraphNode {
  uid: string;
  kind: string;
  namespace?: string;
  name: string;
  /** False for an owner that only a reference names: no object with its uid is in the data. */
  present: boolean;
  deletionTimestamp?: string;
  finalizers?: readonly string[];
  owners?: readonly OwnerGraphNode[];
  dependents?: readonly OwnerGraphNode[];
}

/** Options of {@link renderOwnerGraph}. Every field is optional. */
export interface OwnerGraphOptions {
  /** Nodes drawn per column before `… N more` (default 40); the text twin lists this many per parent. */
  maxPerLevel?: number;
  /** A title line above the graph. */
  title?: string;
}

const BOX_H = 34;
/** Characters a box shows at most (longer names are cut, the whole name in its tooltip), and at least. */
const MAX_LABEL_CHARS = 60;
const MIN_LABEL_CHARS = 30;
const CHAR_PX = 6.6;
const GAP_X = 56;
const GAP_Y = 10;
const MISSING = '#d62728';
const DELETING = '#e67e22';
const LINE = '#4c78a8';

function label(n: OwnerGraphNode): string {
  return visibleText(`${n.namespace !== undefined ? `${n.namespace}/` : ''}${n.name}`);
}

function flags(n: OwnerGraphNode): string[] {
  const out: string[] = [];
  if (!n.present) out.push(`not in the data: no object has uid ${visibleText(n.uid)}`);
  if (n.deletionTimestamp !== undefined) {
    const f = n.finalizers ?? [];
    out.push(
      `deleting since ${visibleText(n.deletionTimestamp)}${f.length > 0 ? `, waits on ${f.map((x) => visibleText(x)).join(', ')}` : ''}`,
    );
  }
  return out;
}

function lineOf(n: OwnerGraphNode): string {
  const f = flags(n);
  return `${visibleText(n.kind || '?')} ${label(n)}${f.length > 0 ? `  [${f.join('; ')}]` : ''}`;
}

function textTree(
  nodes: readonly OwnerGraphNode[],
  field: 'owners' | 'dependents',
  indent: string,
  max: number,
  out: string[],
): void {
  const shown = nodes.slice(0, max);
  const more = nodes.length - shown.length;
  shown.forEach((n, i) => {
    const last = i === shown.length - 1 && more === 0;
    out.push(`${indent}${last ? '└── ' : '├── '}${lineOf(n)}`);
    const kids = n[field];
    if (kids !== undefined && kids.length > 0) textTree(kids, field, indent + (last ? '    ' : '│   '), max, out);
  });
  if (more > 0) out.push(`${indent}└── … ${more} more`);
}

interface Placed {
  node: OwnerGraphNode;
  level: number;
  row: number;
  target: boolean;
}

/**
 * Draws the owner graph of one object.
 * @example
 * renderOwnerGraph({ uid: 'b', kind: 'ReplicaSet', namespace: 'shop', name: 'web-7d4b9c', present: true,
 *   owners: [{ uid: 'a', kind: 'Deployment', namespace: 'shop', name: 'web', present: true }] }).text
 * // 'ReplicaSet shop/web-7d4b9c\nowners (up):\n└── Deployment shop/web\ndependents (down): none\n'
 */
export function renderOwnerGraph(root: OwnerGraphNode, options: OwnerGraphOptions = {}): Rendered {
  const max = Math.max(1, options.maxPerLevel ?? 40);

  // text twin
  const lines: string[] = [];
  if (options.title !== undefined) lines.push(visibleText(options.title));
  lines.push(lineOf(root));
  const owners = root.owners ?? [];
  const dependents = root.dependents ?? [];
  if (owners.length === 0) lines.push('owners (up): none');
  else {
    lines.push('owners (up):');
    textTree(owners, 'owners', '', max, lines);
  }
  if (dependents.length === 0) lines.push('dependents (down): none');
  else {
    lines.push('dependents (down):');
    textTree(dependents, 'dependents', '', max, lines);
  }
  const text = `${lines.join('\n')}\n`;

  // SVG: columns by level (owners negative, dependents positive), each node once (by uid)
  const placed = new Map<string, Placed>();
  const rows = new Map<number, number>();
  const hidden = new Map<number, number>();
  const edges: Array<[string, string]> = [];
  const place = (n: OwnerGraphNode, level: number, target: boolean): boolean => {
    if (placed.has(n.uid)) return true;
    const row = rows.get(level) ?? 0;
    if (row >= max) {
      hidden.set(level, (hidden.get(level) ?? 0) + 1);
      return false;
    }
    rows.set(level, row + 1);
    placed.set(n.uid, { node: n, level, row, target });
    return true;
  };
  place(root, 0, true);
  const walk = (n: OwnerGraphNode, level: number, field: 'owners' | 'dependents'): void => {
    for (const c of n[field] ?? []) {
      const l = field === 'owners' ? level - 1 : level + 1;
      if (!place(c, l, false)) continue;
      edges.push(field === 'owners' ? [c.uid, n.uid] : [n.uid, c.uid]);
      walk(c, l, field);
    }
  };
  walk(root, 0, 'owners');
  walk(root, 0, 'dependents');
  // boxes as wide as the longest label drawn (within bounds), so pod names usually show whole
  const labelChars = Math.min(
    MAX_LABEL_CHARS,
    Math.max(MIN_LABEL_CHARS, ...[...placed.values()].map((p) => label(p.node).length + 1)),
  );
  const BOX_W = Math.ceil(labelChars * CHAR_PX) + 12;
  const LABEL_CHARS = labelChars;
  const levels = [...placed.values()].map((p) => p.level);
  const minLevel = Math.min(...levels);
  const maxLevel = Math.max(...levels);
  const top = options.title !== undefined ? 24 : 4;
  const rowsMax = Math.max(
    ...[...rows.values()].map((r) => r),
    ...[...hidden.keys()].map((l) => (rows.get(l) ?? 0) + 1),
  );
  const width = (maxLevel - minLevel + 1) * (BOX_W + GAP_X) - GAP_X + 8;
  const height = top + rowsMax * (BOX_H + GAP_Y) + 4;
  const x = (level: number): number => 4 + (level - minLevel) * (BOX_W + GAP_X);
  // each column centred on the tallest one
  const y = (level: number, row: number): number => {
    const n = (rows.get(level) ?? 0) + (hidden.has(level) ? 1 : 0);
    return top + ((rowsMax - n) * (BOX_H + GAP_Y)) / 2 + row * (BOX_H + GAP_Y);
  };
  let body =
    options.title !== undefined ? `<text x="4" y="15" font-weight="600">${escapeHtml(options.title)}</text>` : '';
  for (const [from, to] of edges) {
    const a = placed.get(from) as Placed;
    const b = placed.get(to) as Placed;
    const x1 = x(a.level) + BOX_W;
    const y1 = y(a.level, a.row) + BOX_H / 2;
    const x2 = x(b.level);
    const y2 = y(b.level, b.row) + BOX_H / 2;
    const mid = (x1 + x2) / 2;
    body += `<path d="M${x1},${y1.toFixed(1)} C${mid},${y1.toFixed(1)} ${mid},${y2.toFixed(1)} ${x2},${y2.toFixed(1)}" fill="none" stroke="${LINE}" stroke-width="1.2"/>`;
  }
  for (const p of placed.values()) {
    const n = p.node;
    const bx = x(p.level);
    const by = y(p.level, p.row);
    const f = flags(n);
    const stroke = !n.present ? MISSING : n.deletionTimestamp !== undefined ? DELETING : LINE;
    const dash = n.present ? '' : ' stroke-dasharray="4 3"';
    const fill = p.target ? 'rgba(76,120,168,.18)' : 'rgba(127,127,127,.06)';
    const name = label(n);
    const shownName = cutText(name, LABEL_CHARS);
    const kindLine = `${visibleText(n.kind || '?')}${!n.present ? ' (not in the data)' : n.deletionTimestamp !== undefined ? ' (deleting)' : ''}`;
    const tip = [`${visibleText(n.kind || '?')} ${name}`, `uid ${visibleText(n.uid)}`, ...f].join('\n');
    body +=
      `<g><title>${escapeHtml(tip)}</title>` +
      `<rect x="${bx}" y="${by.toFixed(1)}" width="${BOX_W}" height="${BOX_H}" rx="4" fill="${fill}" stroke="${stroke}" stroke-width="${p.target ? 2 : 1.2}"${dash}/>` +
      `<text x="${bx + 6}" y="${(by + 14).toFixed(1)}" font-weight="600">${escapeHtml(cutText(kindLine, LABEL_CHARS))}</text>` +
      `<text x="${bx + 6}" y="${(by + 28).toFixed(1)}">${escapeHtml(shownName)}</text></g>`;
  }
  for (const [level, count] of [...hidden].sort((a, b) => a[0] - b[0])) {
    body += `<text x="${x(level) + 6}" y="${(y(level, rows.get(level) ?? 0) + 20).toFixed(1)}">${escapeHtml(`… ${count} more`)}</text>`;
  }
  const title = options.title ?? `${visibleText(root.kind)} ${label(root)}: owners and dependents`;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height.toFixed(0)}" viewBox="0 0 ${width} ${height.toFixed(0)}" role="img"><title>${escapeHtml(title)}</title>${body}</svg>`;
  return { html: wrapHtml(svg), text, svg };
}
