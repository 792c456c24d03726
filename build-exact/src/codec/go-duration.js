"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.formatGoDuration = formatGoDuration;
exports.parseGoDuration = parseGoDuration;
/**
 * Go `time.Duration` text: `Duration.String()` and `time.ParseDuration`, as metav1.Duration prints and
 * reads them (e.g. `1h2m3s`, `500ms`, `1µs`).
 */
const errors_1 = require("../errors");
const SECOND = 1000000000n;
const INT64_MIN = -(1n << 63n);
const LIMIT = 1n << 63n;
/** Writes a fraction of `v` with `prec` digits, dropping trailing zeros (Go's fmtFrac). */
function fmtFrac(v, prec) {
    let text = '';
    let print = false;
    for (let i = 0; i < prec; i++) {
        const digit = v % 10n;
        print = print || digit !== 0n;
        if (print)
            text = digit.toString() + text;
        v /= 10n;
    }
    if (print)
        text = '.' + text;
    return { text, rest: v };
}
/**
 * Go's `time.Duration(nanos).String()`. The value is taken as an int64 (wrapped like Go would).
 * @example
 * formatGoDuration(3_723_000_000_000n) // '1h2m3s'
 * formatGoDuration(-120_500_000_000n)  // '-2m0.5s'
 */
function formatGoDuration(nanos) {
    const d = BigInt.asIntN(64, nanos);
    const neg = d < 0n;
    let u = neg ? -d : d;
    let out;
    if (u < SECOND) {
        if (u === 0n)
            return '0s';
        let unit;
        let prec;
        if (u < 1000n) {
            unit = 'ns';
            prec = 0;
        }
        else if (u < 1000000n) {
            unit = 'µs';
            prec = 3;
        }
        else {
            unit = 'ms';
            prec = 6;
        }
        const f = fmtFrac(u, prec);
        out = f.rest.toString() + f.text + unit;
    }
    else {
        const f = fmtFrac(u, 9);
        u = f.rest;
        out = (u % 60n).toString() + f.text + 's';
        u /= 60n;
        if (u > 0n) {
            out = (u % 60n).toString() + 'm' + out;
            u /= 60n;
            if (u > 0n)
                out = u.toString() + 'h' + out;
        }
    }
    return neg ? '-' + out : out;
}
const UNITS = new Map([
    ['ns', 1n],
    ['us', 1000n],
    ['µs', 1000n], // U+00B5 micro sign
    ['μs', 1000n], // U+03BC Greek mu
    ['ms', 1000000n],
    ['s', SECOND],
    ['m', 60n * SECOND],
    ['h', 3600n * SECOND],
]);
function isDigitCode(c) {
    return c >= 48 && c <= 57;
}
function invalidDuration(orig, why) {
    return new errors_1.InvalidArgumentError(`Invalid duration: ${JSON.stringify(orig)}. ${why} Durations look like "300ms", "1.5h" or "2h45m" ` +
        `(units ns, us, µs, ms, s, m, h).`, { value: orig });
}
/**
 * Go's `time.ParseDuration`: a signed sequence of decimal numbers with units. Returns nanoseconds.
 * Throws InvalidArgumentError for what Go rejects (including overflow of int64).
 * @example
 * parseGoDuration('1h2m3.5s') // 3723500000000n
 */
function parseGoDuration(s) {
    const orig = s;
    let neg = false;
    let i = 0;
    if (s.length > 0 && (s[0] === '-' || s[0] === '+')) {
        neg = s[0] === '-';
        i = 1;
    }
    if (s.length - i === 1 && s[i] === '0')
        return 0n;
    if (i >= s.length)
        throw invalidDuration(orig, 'It is empty.');
    let d = 0n;
    while (i < s.length) {
        const c0 = s.charCodeAt(i);
        if (!(c0 === 46 || isDigitCode(c0)))
            throw invalidDuration(orig, 'Expected a number.');
        // Integer part.
        const intStart = i;
        let v = 0n;
        while (i < s.length && isDigitCode(s.charCodeAt(i))) {
            if (v > LIMIT / 10n)
                throw invalidDuration(orig, 'It overflows int64 nanoseconds.');
            v = v * 10n + BigInt(s.charCodeAt(i) - 48);
            if (v > LIMIT)
                throw invalidDuration(orig, 'It overflows int64 nanoseconds.');
            i++;
        }
        const pre = i !== intStart;
        // Fraction.
        let f = 0n;
        let scale = 1;
        let post = false;
        if (i < s.length && s[i] === '.') {
            i++;
            const fracStart = i;
            let overflow = false;
            while (i < s.length && isDigitCode(s.charCodeAt(i))) {
                if (!overflow) {
                    if (f > (LIMIT - 1n) / 10n) {
                        overflow = true;
                    }
                    else {
                        const y = f * 10n + BigInt(s.charCodeAt(i) - 48);
                        if (y > LIMIT)
                            overflow = true;
                        else {
                            f = y;
                            scale *= 10;
                        }
                    }
                }
                i++;
            }
            post = i !== fracStart;
        }
        if (!pre && !post)
            throw invalidDuration(orig, 'Expected digits around ".".');
        // Unit.
        const unitStart = i;
        while (i < s.length) {
            const c = s.charCodeAt(i);
            if (c === 46 || isDigitCode(c))
                break;
            i++;
        }
        if (i === unitStart)
            throw invalidDuration(orig, 'A number is missing its unit.');
        const unitText = s.slice(unitStart, i);
        const unit = UNITS.get(unitText);
        if (unit === undefined)
            throw invalidDuration(orig, `Unknown unit ${JSON.stringify(unitText)}.`);
        if (v > LIMIT / unit)
            throw invalidDuration(orig, 'It overflows int64 nanoseconds.');
        v *= unit;
        if (f > 0n) {
            // Go computes this part in float64, so it can be off by rounding exactly as Go is.
            v += BigInt(Math.trunc(Number(f) * (Number(unit) / scale)));
            if (v > LIMIT)
                throw invalidDuration(orig, 'It overflows int64 nanoseconds.');
        }
        d += v;
        if (d > LIMIT)
            throw invalidDuration(orig, 'It overflows int64 nanoseconds.');
    }
    if (neg)
        return d === LIMIT ? INT64_MIN : -d;
    if (d > LIMIT - 1n)
        throw invalidDuration(orig, 'It overflows int64 nanoseconds.');
    return d;
}
//# sourceMappingURL=go-duration.js.map