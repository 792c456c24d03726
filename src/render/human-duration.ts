/**
 * Ages and durations as kubectl prints them (k8s.io/apimachinery/pkg/util/duration): `HumanDuration`
 * gives 2–3 significant figures (`90s`, `5m30s`, `3h4m`, `2d5h`, `3y45d`), `ShortHumanDuration` one
 * unit (`5m`, `3h`, `2d`). Both treat anything up to 2 s in the future as `0s` (clock skew) and more
 * than that as `<invalid>`. Durations are in milliseconds; Go truncates each unit toward zero.
 */

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/**
 * kubectl's AGE format for a duration in milliseconds.
 * @example
 * humanDuration(45_000) // '45s'
 * humanDuration(5 * 60_000 + 30_000) // '5m30s'
 * humanDuration((3 * 60 + 4) * 60_000) // '3h4m'
 */
export function humanDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '<invalid>';
  const seconds = Math.trunc(ms / SECOND);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = Math.trunc(ms / MINUTE);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = Math.trunc(ms / HOUR);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${Math.trunc(hours / 24)}d` : `${Math.trunc(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const dy = Math.trunc(hours / 24) % 365;
    const y = Math.trunc(Math.trunc(hours / 24) / 365);
    return dy === 0 ? `${y}y` : `${y}y${dy}d`;
  }
  return `${Math.trunc(Math.trunc(hours / 24) / 365)}y`;
}

/**
 * kubectl's one-unit duration format (`ShortHumanDuration`), in milliseconds.
 * @example
 * shortHumanDuration(90 * 60_000) // '1h'
 */
export function shortHumanDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '<invalid>';
  const seconds = Math.trunc(ms / SECOND);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.trunc(ms / MINUTE);
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.trunc(ms / HOUR);
  if (hours < 24) return `${hours}h`;
  if (hours < 24 * 365) return `${Math.trunc(hours / 24)}d`;
  return `${Math.trunc(ms / HOUR / 24 / 365)}y`;
}
