/**
 * metav1.Time and metav1.MicroTime text, computed with integer calendar arithmetic (no `Date`, so any
 * year prints the way Go prints it).
 *
 * Go formats years with at least four digits: year 0 is `0000`, year -1 is `-0001`, year 10000 is
 * `10000`. metav1.Time marshals with `Format`, which (unlike time.Time.MarshalJSON) does not refuse
 * years outside 0..9999, so those spellings do reach kubectl's output. Go prints the zero time
 * (0001-01-01T00:00:00Z, Unix seconds -62135596800, nanos 0) as JSON `null`: see {@link isGoZeroTime}.
 */
import { InvalidArgumentError } from '../errors';

const SECONDS_PER_DAY = 86400;
/** Unix seconds of Go's zero time.Time, 0001-01-01T00:00:00Z. */
const GO_ZERO_UNIX_SECONDS = -62135596800n;

function pad(n: number, width: number): string {
  const s = String(Math.abs(n)).padStart(width, '0');
  return n < 0 ? '-' + s : s;
}

/** Days since 1970-01-01 → proleptic Gregorian date (H. Hinnant's civil_from_days). */
function civilFromDays(days: number): { year: number; month: number; day: number } {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return { year, month, day };
}

/** Proleptic Gregorian date → days since 1970-01-01. */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = month > 2 ? month - 3 : month + 9;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Normalises (seconds, nanos) like time.Unix: nanos outside [0, 1e9) carry into seconds. */
function normalise(seconds: bigint | number, nanos: number): { seconds: bigint; nanos: number } {
  let s = typeof seconds === 'bigint' ? seconds : BigInt(Math.trunc(seconds));
  let n = Math.trunc(nanos);
  if (n < 0 || n >= 1e9) {
    const carry = Math.floor(n / 1e9);
    s += BigInt(carry);
    n -= carry * 1e9;
  }
  return { seconds: s, nanos: n };
}

function formatDateTime(seconds: bigint): string {
  const day = seconds >= 0n ? seconds / 86400n : -((-seconds + 86399n) / 86400n);
  const secOfDay = Number(seconds - day * 86400n);
  const { year, month, day: dom } = civilFromDays(Number(day));
  const hh = Math.floor(secOfDay / 3600);
  const mm = Math.floor((secOfDay % 3600) / 60);
  const ss = secOfDay % 60;
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(dom, 2)}T${pad(hh, 2)}:${pad(mm, 2)}:${pad(ss, 2)}`;
}

/**
 * True when (seconds, nanos) is Go's zero time, which metav1.Time and MicroTime print as `null`.
 * @example
 * isGoZeroTime(-62135596800n, 0) // true
 */
export function isGoZeroTime(seconds: bigint | number, nanos: number): boolean {
  const t = normalise(seconds, nanos);
  return t.seconds === GO_ZERO_UNIX_SECONDS && t.nanos === 0;
}

/**
 * metav1.Time as JSON text (without quotes): RFC 3339 in UTC, whole seconds (nanos are dropped).
 * @example
 * formatTime(1662696078n, 0) // '2022-09-09T04:01:18Z'
 */
export function formatTime(seconds: bigint | number, nanos: number): string {
  return formatDateTime(normalise(seconds, nanos).seconds) + 'Z';
}

/**
 * metav1.MicroTime as JSON text: layout `2006-01-02T15:04:05.000000Z07:00` in UTC, exactly six
 * fractional digits (nanoseconds truncated).
 * @example
 * formatMicroTime(1662696078n, 123456789) // '2022-09-09T04:01:18.123456Z'
 */
export function formatMicroTime(seconds: bigint | number, nanos: number): string {
  const t = normalise(seconds, nanos);
  return `${formatDateTime(t.seconds)}.${pad(Math.floor(t.nanos / 1000), 6)}Z`;
}

function daysIn(month: number, year: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] as number;
}

// Go's time.Parse(time.RFC3339, s): the strict RFC 3339 fast path, else the layout parser, which also
// takes a one-digit hour, ',' before the fraction and zone offsets up to 24:60.
const RFC3339_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{1,2}):(\d{2}):(\d{2})(?:[.,](\d+))?(?:(Z)|([+-])(\d{2}):(\d{2}))$/;

/**
 * Parses RFC 3339 as metav1.Time's `time.Parse(time.RFC3339, s)` does: four-digit year 0000..9999,
 * optional fraction of any length (digits beyond nine are truncated), `Z` or a `±hh:mm` offset.
 * Go also takes a one-digit hour, `,` before the fraction and offsets up to `24:60`, so this does too.
 * Returns Unix seconds and nanoseconds. Throws InvalidArgumentError otherwise.
 * @example
 * parseKubeTime('2022-09-09T06:01:18.5+02:00') // { seconds: 1662696078n, nanos: 500000000 }
 */
export function parseKubeTime(s: string): { seconds: bigint; nanos: number } {
  const m = RFC3339_RE.exec(s);
  const bad = (why: string): InvalidArgumentError =>
    new InvalidArgumentError(`Invalid time: ${JSON.stringify(s)}. ${why} Use RFC 3339, e.g. "2022-09-09T04:01:18Z".`, {
      value: s,
    });
  if (m === null) throw bad('It is not RFC 3339.');
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (month < 1 || month > 12) throw bad('The month is out of range.');
  if (day < 1 || day > daysIn(month, year)) throw bad('The day is out of range.');
  if (hour > 23 || minute > 59 || second > 59) throw bad('The time of day is out of range.');
  const fraction = m[7] ?? '';
  const nanos = fraction === '' ? 0 : Number(fraction.slice(0, 9).padEnd(9, '0'));
  let offset = 0;
  if (m[8] === undefined) {
    const oh = Number(m[10]);
    const om = Number(m[11]);
    if (oh > 24 || om > 60) throw bad('The zone offset is out of range.');
    offset = (oh * 60 + om) * 60 * (m[9] === '-' ? -1 : 1);
  }
  const days = daysFromCivil(year, month, day);
  const seconds = BigInt(days * SECONDS_PER_DAY + hour * 3600 + minute * 60 + second - offset);
  return { seconds, nanos };
}
