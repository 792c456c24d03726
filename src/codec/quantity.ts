/**
 * `resource.Quantity` canonicalisation, exactly as k8s.io/apimachinery 1.32 and 1.36 (the same code) print a quantity after
 * `ParseQuantity(s)` followed by `.String()` (what the API server returns for a stored quantity).
 *
 * Rules carried over (facts from api/resource/quantity.go, suffix.go, amount.go, math.go):
 * - The input must match `^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$`; the suffix is one of
 *   `n u m "" k M G T P E` (DecimalSI), `Ki Mi Gi Ti Pi Ei` (BinarySI) or `e<int>` / `E<int>`
 *   (DecimalExponent; the exponent is parsed as int64 and then truncated to int32, as Go does).
 * - Values are rounded up (away from zero) to the nearest nano; BinarySI values are capped at 2^63-1.
 * - When the parser's fast path sees an already-canonical spelling it keeps the input text verbatim,
 *   which is why `+1`, `01`, `1E3` and `1e+3` print unchanged.
 * - DecimalSI output uses the largest exponent that is a multiple of three; exponents beyond the
 *   suffix table (above `E` = 10^18) get no suffix at all (Go's quirk: `1000E` prints `1`).
 */
import { InvalidArgumentError } from '../errors';

type Format = 'DecimalExponent' | 'BinarySI' | 'DecimalSI';

const SPLIT_RE = '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$';
const INT64_MAX = (1n << 63n) - 1n;
const SUFFIX_CHARS = 'eEinumkKMGTP';

const DECIMAL_SUFFIXES: Readonly<Record<string, number>> = {
  n: -9,
  u: -6,
  m: -3,
  '': 0,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};
const BINARY_SUFFIXES: Readonly<Record<string, number>> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL_BY_EXPONENT = new Map<number, string>(Object.entries(DECIMAL_SUFFIXES).map(([k, v]) => [v, k]));
const BINARY_BY_EXPONENT = new Map<number, string>(Object.entries(BINARY_SUFFIXES).map(([k, v]) => [v, k]));

/** Go int32 arithmetic wraps. */
function i32(n: number): number {
  return n | 0;
}

function invalid(s: string, why: string): InvalidArgumentError {
  return new InvalidArgumentError(
    `Invalid quantity: ${JSON.stringify(s)}. ${why} Quantities look like "500m", "1Gi", "2.5", "1e3" ` +
      `(they must match ${SPLIT_RE} with a known suffix).`,
    { value: s },
  );
}

interface SplitQuantity {
  positive: boolean;
  value: string;
  num: string;
  denom: string;
  suffix: string;
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

/** The port of parseQuantityString: splits sign, number (leading zeros removed), fraction and suffix. */
function splitQuantity(str: string): SplitQuantity | undefined {
  let positive = true;
  let pos = 0;
  const end = str.length;
  if (pos < end) {
    if (str[0] === '-') {
      positive = false;
      pos++;
    } else if (str[0] === '+') {
      pos++;
    }
  }
  while (pos < end && str[pos] === '0') pos++;
  if (pos >= end) return { positive, value: '0', num: '0', denom: '', suffix: '' };
  let i = pos;
  while (i < end && isDigit(str[i])) i++;
  if (i >= end) return { positive, value: str, num: str.slice(pos), denom: '', suffix: '' };
  let num = str.slice(pos, i);
  pos = i;
  if (num.length === 0) num = '0';
  let denom = '';
  if (str[pos] === '.') {
    pos++;
    i = pos;
    while (i < end && isDigit(str[i])) i++;
    denom = str.slice(pos, i);
    if (i >= end) return { positive, value: str, num, denom, suffix: '' };
    pos = i;
  }
  const value = str.slice(0, pos);
  const suffixStart = pos;
  i = pos;
  while (i < end && SUFFIX_CHARS.includes(str[i] as string)) i++;
  if (i >= end) return { positive, value, num, denom, suffix: str.slice(suffixStart) };
  pos = i;
  if (str[pos] === '-' || str[pos] === '+') pos++;
  i = pos;
  while (i < end && isDigit(str[i])) i++;
  if (i >= end) return { positive, value, num, denom, suffix: str.slice(suffixStart) };
  return undefined;
}

function interpretSuffix(suffix: string): { base: 2 | 10; exponent: number; format: Format } | undefined {
  const dec = DECIMAL_SUFFIXES[suffix];
  if (dec !== undefined) return { base: 10, exponent: dec, format: 'DecimalSI' };
  const bin = BINARY_SUFFIXES[suffix];
  if (bin !== undefined) return { base: 2, exponent: bin, format: 'BinarySI' };
  if (suffix.length > 1 && (suffix[0] === 'E' || suffix[0] === 'e')) {
    const digits = suffix.slice(1);
    if (!/^[+-]?[0-9]+$/.test(digits)) return undefined;
    const parsed = BigInt(digits);
    if (parsed > INT64_MAX || parsed < -INT64_MAX - 1n) return undefined;
    return { base: 10, exponent: Number(BigInt.asIntN(32, parsed)), format: 'DecimalExponent' };
  }
  return undefined;
}

function abs(n: bigint): bigint {
  return n < 0n ? -n : n;
}

function pow10(n: number): bigint {
  return 10n ** BigInt(n);
}

/** Prints `u * 10^exp` in `format`, as Quantity.CanonicalizeBytes does. */
function canonicalize(u: bigint, exp: number, format: Format): string {
  if (u === 0n) return '0';
  if (format === 'BinarySI') {
    const magnitudeBelow1024 = exp >= 0 ? abs(u) * pow10(exp) < 1024n : abs(u) < 1024n * pow10(-exp);
    if (magnitudeBelow1024 || (exp < 0 && u % pow10(-exp) !== 0n)) {
      format = 'DecimalSI';
    } else {
      let n = exp >= 0 ? u * pow10(exp) : u / pow10(-exp);
      let times = 0;
      while (abs(n) >= 1024n && n % 1024n === 0n) {
        n /= 1024n;
        times++;
      }
      return n.toString() + (BINARY_BY_EXPONENT.get(times * 10) ?? '');
    }
  }
  while (u % 10n === 0n) {
    u /= 10n;
    exp = i32(exp + 1);
  }
  while (exp % 3 !== 0) {
    u *= 10n;
    exp = i32(exp - 1);
  }
  if (format === 'DecimalSI') return u.toString() + (DECIMAL_BY_EXPONENT.get(exp) ?? '');
  return exp === 0 ? u.toString() : `${u.toString()}e${exp}`;
}

/**
 * The string Kubernetes prints for a quantity: `resource.ParseQuantity(s).String()`.
 * Throws InvalidArgumentError when Kubernetes would refuse the value.
 * @example
 * canonicalQuantity('1.5Gi') // '1536Mi'
 * canonicalQuantity('0.5')   // '500m'
 */
export function canonicalQuantity(s: string): string {
  const cached = CACHE.get(s);
  if (cached !== undefined) return cached;
  const result = computeCanonical(s);
  if (CACHE.size >= CACHE_LIMIT) CACHE.clear();
  CACHE.set(s, result);
  return result;
}

/** Quantities repeat a lot across objects (`100m`, `1Gi`); results are memoised, bounded. */
const CACHE = new Map<string, string>();
const CACHE_LIMIT = 4096;

function computeCanonical(s: string): string {
  if (s.length === 0) throw invalid(s, 'It is empty.');
  if (s === '0') return s;
  const split = splitQuantity(s);
  if (split === undefined) throw invalid(s, 'It does not have the form of a quantity.');
  const { positive, value, num, denom } = split;
  const interpreted = interpretSuffix(split.suffix);
  if (interpreted === undefined) throw invalid(s, `Its suffix ${JSON.stringify(split.suffix)} is not known.`);
  const { base, exponent } = interpreted;
  let format = interpreted.format;

  // The int64 fast path of ParseQuantity (keeps the input text when it is already canonical).
  let precision = 0;
  let scale = 0;
  let mantissa = 1n;
  if (format === 'BinarySI') {
    if (exponent >= 0 && denom.length === 0) {
      mantissa = 1n << BigInt(exponent);
      precision = 15 - num.length - Math.trunc((exponent * 3) / 10) - 1;
    } else {
      precision = -1;
    }
  } else {
    scale = exponent;
    precision = 18 - (num.length + denom.length);
  }
  if (precision >= 0) {
    scale = i32(scale - denom.length);
    if (scale >= -9) {
      const shifted = num + denom;
      const v = BigInt(shifted);
      const product = v * mantissa;
      if (product <= INT64_MAX) {
        const result = positive ? product : -product;
        if (format === 'BinarySI') {
          if (exponent % 10 === 0 && (v & 7n) !== 0n) return s;
        } else if (scale % 3 === 0 && !shifted.endsWith('000') && shifted[0] !== '0') {
          return s;
        }
        return canonicalize(result, scale, format);
      }
    }
  }

  // The arbitrary-precision path (inf.Dec).
  const m = /^([+-]?)([0-9]*)(?:\.([0-9]*))?$/.exec(value);
  const intDigits = m?.[2] ?? '';
  const fracDigits = m?.[3] ?? '';
  if (m === null || intDigits.length + fracDigits.length === 0) throw invalid(s, 'Its number has no digits.');
  let u = BigInt(intDigits + fracDigits);
  let decScale = fracDigits.length;
  if (base === 10) {
    decScale = i32(decScale + i32(-exponent));
  } else {
    u <<= BigInt(exponent);
  }
  const negative = m[1] === '-' && u !== 0n;
  if (u !== 0n && decScale > 9) {
    const drop = decScale - 9;
    if (drop > u.toString().length) {
      u = 1n;
    } else {
      const divisor = pow10(drop);
      u = u % divisor === 0n ? u / divisor : u / divisor + 1n;
    }
    decScale = 9;
  }
  if (format === 'BinarySI') {
    const overMax = decScale >= 0 ? u > INT64_MAX * pow10(decScale) : u * pow10(-decScale) > INT64_MAX;
    if (overMax) {
      u = INT64_MAX;
      decScale = 0;
    }
    if (u !== 0n && decScale > 0 && u < pow10(decScale)) format = 'DecimalSI';
  }
  return canonicalize(negative ? -u : u, i32(-decScale), format);
}
