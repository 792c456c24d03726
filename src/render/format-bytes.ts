/** Byte counts for people: binary units as `kubectl top`-style tools and `du -h` print them. */

/**
 * A byte count in binary units: `512 B`, `1.5 KiB`, `12 MiB` (one decimal below 10).
 * @example
 * formatBytes(1536) // '1.5 KiB'
 */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return String(bytes);
  const sign = bytes < 0 ? '-' : '';
  let v = Math.abs(bytes);
  if (v < 1024) return `${sign}${Math.round(v)} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];
  let u = -1;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  let shown = v < 10 ? (Math.round(v * 10) / 10).toString() : Math.round(v).toString();
  if (shown === '1024' && u < units.length - 1) {
    shown = '1';
    u++;
  }
  return `${sign}${shown} ${units[u] as string}`;
}
