/**
 * Small charts as SVG strings with ASCII twins: a horizontal bar chart (counts or bytes by resource or
 * namespace), a histogram of object sizes (power-of-two bins by default), and revisions over time (a
 * step line). Every label is escaped; long labels are cut with the full text in an SVG `<title>`.
 */
import { InvalidArgumentError } from '../errors';
import { cutText, escapeHtml, textWidth, visibleText } from './escape';
import { formatBytes } from './format-bytes';
import { wrapHtml, type Rendered } from './rendered';

/** One bar. */
export interface BarDatum {
  label: string;
  value: number;
}

/** Options of {@link renderBarChart}. */
export interface BarChartOptions {
  /** How values print: plain counts (default) or bytes in binary units. */
  unit?: 'count' | 'bytes';
  title?: string;
  /** Bars shown; the rest are summed in a last line. Default 30. */
  maxBars?: number;
  /** Sort by value, largest first (default true). */
  sort?: boolean;
  /** SVG width in pixels. Default 640. */
  width?: number;
  /** Width of the ASCII bars in characters. Default 40. */
  textBarChars?: number;
}

const ROW = 18;
const LABEL_CHARS = 36;
const CHAR_PX = 6.6;
const BLOCKS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];

function fmt(value: number, unit: 'count' | 'bytes'): string {
  return unit === 'bytes' ? formatBytes(value) : Number.isInteger(value) ? String(value) : value.toFixed(2);
}

function asciiBar(value: number, max: number, chars: number): string {
  if (max <= 0 || value <= 0) return '';
  const eighths = Math.max(1, Math.round((value / max) * chars * 8));
  return '█'.repeat(Math.floor(eighths / 8)) + (BLOCKS[eighths % 8] as string);
}

function svgDoc(width: number, height: number, body: string, title: string | undefined): string {
  const t = title === undefined ? '' : `<title>${escapeHtml(title)}</title>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img">${t}${body}</svg>`;
}

function toData(data: Iterable<BarDatum> | Record<string, number>): BarDatum[] {
  if (Symbol.iterator in Object(data)) return [...(data as Iterable<BarDatum>)];
  return Object.entries(data as Record<string, number>).map(([label, value]) => ({ label, value }));
}

/**
 * A horizontal bar chart.
 * @example
 * renderBarChart({ pods: 120, secrets: 40 }, { title: 'objects by resource' }).text
 * // 'objects by resource\npods      ████████████████████████████████████████ 120\nsecrets   █████████████▍ 40\n'
 */
export function renderBarChart(
  data: Iterable<BarDatum> | Record<string, number>,
  options: BarChartOptions = {},
): Rendered {
  const unit = options.unit ?? 'count';
  const width = options.width ?? 640;
  const barChars = options.textBarChars ?? 40;
  const maxBars = options.maxBars ?? 30;
  let items = toData(data).map((d) => ({ label: String(d.label), value: Number(d.value) }));
  for (const d of items) {
    if (!Number.isFinite(d.value))
      throw new InvalidArgumentError(`Bar ${JSON.stringify(d.label)} has no finite value (${d.value}). Pass numbers.`);
  }
  if (options.sort !== false) items = [...items].sort((a, b) => b.value - a.value);
  const rest = items.slice(maxBars);
  items = items.slice(0, maxBars);
  const restNote =
    rest.length > 0
      ? `… ${rest.length} more (${fmt(
          rest.reduce((s, d) => s + d.value, 0),
          unit,
        )} in all)`
      : undefined;
  const max = Math.max(0, ...items.map((d) => d.value));
  const labels = items.map((d) => visibleText(d.label));
  const shownLabels = labels.map((l) => cutText(l, LABEL_CHARS));

  // SVG
  const labelPx = Math.ceil(Math.min(LABEL_CHARS, Math.max(4, ...shownLabels.map(textWidth))) * CHAR_PX) + 8;
  const valuePx = 70;
  const barPx = Math.max(40, width - labelPx - valuePx);
  const top = options.title !== undefined ? 22 : 4;
  const height = top + items.length * ROW + (restNote !== undefined ? ROW : 0) + 4;
  let body =
    options.title !== undefined ? `<text x="0" y="14" font-weight="600">${escapeHtml(options.title)}</text>` : '';
  items.forEach((d, i) => {
    const y = top + i * ROW;
    const w = max > 0 ? Math.max(d.value > 0 ? 1 : 0, (d.value / max) * barPx) : 0;
    const tip = `${labels[i] as string}: ${fmt(d.value, unit)}`;
    body +=
      `<g><title>${escapeHtml(tip)}</title>` +
      `<text x="${labelPx - 6}" y="${y + 13}" text-anchor="end">${escapeHtml(shownLabels[i] as string)}</text>` +
      `<rect x="${labelPx}" y="${y + 3}" width="${w.toFixed(1)}" height="${ROW - 6}" fill="#4c78a8"/>` +
      `<text x="${(labelPx + w + 4).toFixed(1)}" y="${y + 13}">${escapeHtml(fmt(d.value, unit))}</text></g>`;
  });
  if (restNote !== undefined)
    body += `<text x="${labelPx}" y="${top + items.length * ROW + 13}">${escapeHtml(restNote)}</text>`;
  const svg = svgDoc(width, height, body, options.title);

  // text
  const lw = Math.max(0, ...shownLabels.map(textWidth));
  let text = options.title !== undefined ? `${visibleText(options.title)}\n` : '';
  items.forEach((d, i) => {
    const l = shownLabels[i] as string;
    const bar = asciiBar(d.value, max, barChars);
    text += `${l}${' '.repeat(lw - textWidth(l) + 3)}${bar}${bar === '' ? '' : ' '}${fmt(d.value, unit)}\n`;
  });
  if (restNote !== undefined) text += restNote + '\n';
  if (items.length === 0) text += '(no data)\n';
  return { html: wrapHtml(svg), text, svg };
}

/** Options of {@link renderHistogram}. */
export interface HistogramOptions {
  /** Values are bytes (default) or plain numbers. */
  unit?: 'bytes' | 'count';
  /** `log2`: bins [2^k, 2^(k+1)) (default, object sizes span orders of magnitude); `linear`: equal widths. */
  scale?: 'log2' | 'linear';
  /** Number of bins for `linear`. Default 20. */
  bins?: number;
  title?: string;
  width?: number;
}

/**
 * A histogram (for instance of object sizes in bytes), drawn as horizontal bars, one per bin.
 * @example
 * renderHistogram([120, 900, 1500, 70000], { title: 'value sizes' }).text
 */
export function renderHistogram(values: Iterable<number>, options: HistogramOptions = {}): Rendered {
  const unit = options.unit ?? 'bytes';
  const counts = new Map<number, number>();
  let min = Infinity;
  let max = -Infinity;
  let n = 0;
  const all: number[] = [];
  const linear = options.scale === 'linear';
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    n++;
    if (v < min) min = v;
    if (v > max) max = v;
    if (linear) all.push(v);
    else {
      const k = v < 1 ? -1 : Math.floor(Math.log2(v));
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
  }
  const data: BarDatum[] = [];
  if (n > 0 && !linear) {
    const ks = [...counts.keys()].sort((a, b) => a - b);
    for (let k = ks[0] as number; k <= (ks[ks.length - 1] as number); k++) {
      const label = k < 0 ? `< ${fmt(1, unit)}` : `${fmt(2 ** k, unit)} – ${fmt(2 ** (k + 1), unit)}`;
      data.push({ label, value: counts.get(k) ?? 0 });
    }
  } else if (n > 0) {
    const bins = Math.max(1, Math.floor(options.bins ?? 20));
    const step = max > min ? (max - min) / bins : 1;
    const c = new Array<number>(bins).fill(0);
    for (const v of all) {
      const at = Math.min(bins - 1, Math.floor((v - min) / step));
      c[at] = (c[at] ?? 0) + 1;
    }
    c.forEach((count, i) => {
      data.push({ label: `${fmt(min + i * step, unit)} – ${fmt(min + (i + 1) * step, unit)}`, value: count });
    });
  }
  const barOptions: BarChartOptions = { unit: 'count', sort: false, maxBars: Infinity };
  if (options.title !== undefined) barOptions.title = `${options.title} (${n} ${n === 1 ? 'value' : 'values'})`;
  if (options.width !== undefined) barOptions.width = options.width;
  return renderBarChart(data, barOptions);
}

/** One point of {@link renderRevisionChart}: the revision reached at a time. */
export interface RevisionPoint {
  /** ms since epoch, a Date, or an RFC 3339 string. */
  time: number | string | Date;
  revision: number | bigint;
}

/** Options of {@link renderRevisionChart}. */
export interface RevisionChartOptions {
  title?: string;
  width?: number;
  height?: number;
  /** Rows of the ASCII twin. Default 12. */
  textRows?: number;
}

function timeOf(t: number | string | Date): number {
  return typeof t === 'number' ? t : typeof t === 'string' ? Date.parse(t) : t.getTime();
}

function isoMinute(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/:\d\d\.\d+Z$/, 'Z')
    .replace('T', ' ');
}

/**
 * Revisions over time as a step line (each change holds until the next).
 * @example
 * renderRevisionChart([{ time: '2024-01-01T00:00:00Z', revision: 1 }, { time: '2024-01-01T01:00:00Z', revision: 40 }]).svg
 */
export function renderRevisionChart(points: Iterable<RevisionPoint>, options: RevisionChartOptions = {}): Rendered {
  const pts = [...points]
    .map((p) => ({ t: timeOf(p.time), r: Number(p.revision) }))
    .filter((p) => Number.isFinite(p.t) && Number.isFinite(p.r))
    .sort((a, b) => a.t - b.t || a.r - b.r);
  const width = options.width ?? 640;
  const height = options.height ?? 240;
  const title = options.title;
  if (pts.length === 0) {
    const svg = svgDoc(width, 40, `<text x="0" y="20">${escapeHtml(title ?? 'revisions')}: no data</text>`, title);
    return { html: wrapHtml(svg), text: `${visibleText(title ?? 'revisions')}: no data\n`, svg };
  }
  const first = pts[0] as { t: number; r: number };
  const last = pts[pts.length - 1] as { t: number; r: number };
  const t0 = first.t;
  const t1 = last.t > t0 ? last.t : t0 + 1;
  const r0 = Math.min(...pts.map((p) => p.r));
  const r1Raw = Math.max(...pts.map((p) => p.r));
  const r1 = r1Raw > r0 ? r1Raw : r0 + 1;
  const left = 64;
  const right = 12;
  const top = title !== undefined ? 26 : 8;
  const bottom = 28;
  const pw = width - left - right;
  const ph = height - top - bottom;
  const x = (t: number): number => left + ((t - t0) / (t1 - t0)) * pw;
  const y = (r: number): number => top + ph - ((r - r0) / (r1 - r0)) * ph;
  let d = `M${x(first.t).toFixed(1)},${y(first.r).toFixed(1)}`;
  for (const p of pts.slice(1)) d += `H${x(p.t).toFixed(1)}V${y(p.r).toFixed(1)}`;
  let body = title !== undefined ? `<text x="0" y="16" font-weight="600">${escapeHtml(title)}</text>` : '';
  body +=
    `<line x1="${left}" y1="${top + ph}" x2="${left + pw}" y2="${top + ph}" stroke="currentColor" stroke-opacity=".4"/>` +
    `<line x1="${left}" y1="${top}" x2="${left}" y2="${top + ph}" stroke="currentColor" stroke-opacity=".4"/>` +
    `<text x="${left - 4}" y="${top + 10}" text-anchor="end">${r1Raw}</text>` +
    `<text x="${left - 4}" y="${top + ph}" text-anchor="end">${r0}</text>` +
    `<text x="${left}" y="${height - 8}">${escapeHtml(isoMinute(t0))}</text>` +
    `<text x="${left + pw}" y="${height - 8}" text-anchor="end">${escapeHtml(isoMinute(last.t))}</text>` +
    `<path d="${d}" fill="none" stroke="#4c78a8" stroke-width="1.5"/>`;
  if (pts.length <= 200) {
    for (const p of pts)
      body += `<circle cx="${x(p.t).toFixed(1)}" cy="${y(p.r).toFixed(1)}" r="2" fill="#4c78a8"><title>${escapeHtml(`revision ${p.r} at ${new Date(p.t).toISOString()}`)}</title></circle>`;
  }
  const svg = svgDoc(width, height, body, title);

  // text: the revision reached at the end of each time bucket
  const rows = Math.max(1, Math.min(options.textRows ?? 12, pts.length));
  const span = (last.t - t0) / rows;
  let text = title !== undefined ? `${visibleText(title)}\n` : '';
  let i = 0;
  let reached = first.r;
  for (let b = 0; b < rows; b++) {
    const end = b === rows - 1 ? Infinity : t0 + span * (b + 1);
    while (i < pts.length && (pts[i] as { t: number }).t <= end) reached = (pts[i++] as { r: number }).r;
    const bar = asciiBar(reached - r0 + (r1Raw === r0 ? 1 : 0), r1Raw - r0 + (r1Raw === r0 ? 1 : 0), 40);
    text += `${isoMinute(b === rows - 1 ? last.t : t0 + span * (b + 1))}   ${bar} ${reached}\n`;
  }
  return { html: wrapHtml(svg), text, svg };
}
