/** What the commands write: stdout, warnings on stderr, kubectl-style text tables, JSON. */
import { toKubeJson } from '../codec';
import { visibleText } from '../render/escape';

/** Writes to stdout. */
export function out(text: string): void {
  process.stdout.write(text);
}

/** A warning on stderr: `kubetcd: warning: …`. */
export function warn(text: string): void {
  process.stderr.write(`kubetcd: warning: ${text}\n`);
}

/** Columns separated by three spaces, left-aligned, as kubectl prints them. */
export function textTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('   ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

/** JSON as kubetcd prints it: Go's rules, 4-space indents, a final newline. */
export function jsonText(value: unknown): string {
  return `${toKubeJson(value, { indent: '    ' })}\n`;
}

/** Counts by name as one cell, names sorted: `events=2,masterleases=1`; `<none>` when empty. */
export function countsText(by: Record<string, number>): string {
  return (
    Object.entries(by)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, n]) => `${visibleText(name)}=${n}`)
      .join(',') || '<none>'
  );
}
