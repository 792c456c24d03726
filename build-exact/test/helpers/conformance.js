"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.PROPERTIES = void 0;
exports.newSummary = newSummary;
exports.splitKind = splitKind;
exports.firstDifference = firstDifference;
exports.kubetcdJson = kubetcdJson;
exports.kubetcdBytes = kubetcdBytes;
exports.hex = hex;
exports.checkRecords = checkRecords;
exports.around = around;
exports.describeDisagreement = describeDisagreement;
exports.describeSummary = describeSummary;
/**
 * Checks kubetcd's codec against Kubernetes' own serializers on objects the reference generates
 * (test/conformance/reference/generate.go). Shared by test/conformance/generated.test.ts and
 * bench/conformance.ts.
 *
 * Properties, for each generated record:
 * - decode: kubetcd's `decode` of Go's storage value, printed with `toKubeJson`, is Go's compact JSON
 *   byte for byte (values and field order), and no field is left unknown.
 * - encode: kubetcd's `encode` of that JSON (read with `parseKubeJson`) is the storage value Go writes
 *   for the same JSON, byte for byte.
 * - round trip: Go's decode of kubetcd's bytes prints what Go's decode of its own bytes for that
 *   JSON prints (the JSON itself, except that an invalid UTF-8 byte Go printed as `\ufffd` comes back
 *   as a literal U+FFFD).
 */
const codec_1 = require("../../src/codec");
/** The properties checked. */
exports.PROPERTIES = ['decode', 'encode', 'round trip'];
/**
 * An empty summary.
 * @example
 * const s = newSummary(); s.passed.decode // 0
 */
function newSummary() {
    return {
        passed: { decode: 0, encode: 0, 'round trip': 0 },
        failed: { decode: 0, encode: 0, 'round trip': 0 },
        referenceErrors: [],
        disagreements: [],
    };
}
/**
 * `apiVersion` and `kind` of `apps/v1/Deployment` or `v1/Pod`.
 * @example
 * splitKind('apps/v1/Deployment') // { apiVersion: 'apps/v1', kind: 'Deployment' }
 */
function splitKind(kind) {
    const i = kind.lastIndexOf('/');
    return { apiVersion: kind.slice(0, i), kind: kind.slice(i + 1) };
}
/**
 * Index of the first difference of two strings or byte arrays (the shorter length when one is a
 * prefix; -1 when equal).
 * @example
 * firstDifference('abc', 'abd') // 2
 */
function firstDifference(a, b) {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++)
        if (a[i] !== b[i])
            return i;
    return a.length === b.length ? -1 : n;
}
function message(err) {
    return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
/**
 * kubetcd's JSON for a storage value, or a description of why there is none (or of fields left unknown).
 * @example
 * kubetcdJson(record.value, 'v1/Pod').json
 */
function kubetcdJson(value, kind) {
    let d;
    try {
        d = (0, codec_1.decode)(value, splitKind(kind));
    }
    catch (err) {
        return { problem: `decode threw ${message(err)}` };
    }
    if (d.error !== undefined || d.object === undefined) {
        return { problem: `decode error: ${d.error ? message(d.error) : 'no object'}` };
    }
    const json = (0, codec_1.toKubeJson)(d.object);
    if (d.unknownFields !== undefined && d.unknownFields.length > 0) {
        const u = d.unknownFields.slice(0, 3).map((f) => `${f.path || '(top)'} #${f.number}`);
        return { json, problem: `unknown fields ${u.join(', ')}` };
    }
    return { json };
}
/**
 * kubetcd's storage value for Go's JSON, or why there is none.
 * @example
 * kubetcdBytes('{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"a"}}', 'v1/Namespace').value
 */
function kubetcdBytes(json, kind) {
    try {
        return { value: (0, codec_1.encode)((0, codec_1.parseKubeJson)(json), splitKind(kind)) };
    }
    catch (err) {
        return { problem: `encode threw ${message(err)}` };
    }
}
/**
 * Hex of bytes (for messages).
 * @example
 * hex(new Uint8Array([0x6b, 0x38])) // '6b38'
 */
function hex(b) {
    return Buffer.from(b).toString('hex');
}
/**
 * Checks records of one kind; adds to `summary` and returns the disagreements found.
 * @example
 * const s = newSummary();
 * await checkRecords(ref, 'v1/Pod', { seed: 1, spice: 0 }, await ref.generate({ kind: 'v1/Pod', seed: 1, count: 20 }), s);
 */
async function checkRecords(ref, kind, origin, records, summary) {
    const found = [];
    const fail = (property, r, expected, actual, position) => {
        summary.failed[property]++;
        found.push({
            property,
            kind,
            seed: origin.seed,
            spice: origin.spice,
            index: r.index,
            path: r.path,
            variant: r.variant,
            expected,
            actual,
            position,
            record: r,
        });
    };
    const roundTrips = [];
    for (const r of records) {
        if (r.error !== undefined) {
            summary.referenceErrors.push(`${kind} ${r.path || '(object)'} = ${r.variant}: ${r.error}`);
            continue;
        }
        // decode
        const got = kubetcdJson(r.value, kind);
        if (got.problem === undefined && got.json === r.json)
            summary.passed.decode++;
        else {
            const actual = got.problem === undefined ? (got.json ?? '') : `${got.problem}${got.json ? ` | ${got.json}` : ''}`;
            fail('decode', r, r.json, actual, got.json === undefined ? 0 : firstDifference(r.json, got.json));
        }
        // encode
        const enc = kubetcdBytes(r.json, kind);
        if (enc.value === undefined) {
            fail('encode', r, hex(r.canonical), enc.problem ?? '', 0);
            continue;
        }
        const encoded = enc.value;
        const pos = firstDifference(r.canonical, encoded);
        if (pos < 0)
            summary.passed.encode++;
        else
            fail('encode', r, hex(r.canonical), hex(encoded), pos);
        // round trip through Go
        roundTrips.push(ref.decode(encoded, { kind }).then((back) => {
            const want = r.canonicalJson;
            if (back.ok && back.json === want)
                summary.passed['round trip']++;
            else if (back.ok)
                fail('round trip', r, want, back.json, firstDifference(want, back.json));
            else
                fail('round trip', r, want, `Go could not decode kubetcd's bytes: ${back.error}`, 0);
        }));
    }
    await Promise.all(roundTrips);
    summary.disagreements.push(...found);
    return found;
}
/**
 * ±`width` characters around `position`, for a message (… marks what was cut).
 * @example
 * around('0123456789', 5, 2) // '…3456…'
 */
function around(text, position, width = 60) {
    const from = Math.max(0, position - width);
    return (from > 0 ? '…' : '') + text.slice(from, position + width) + (position + width < text.length ? '…' : '');
}
/**
 * A disagreement in a few lines: where, expected vs actual around the first difference.
 * @example
 * console.log(describeDisagreement(summary.disagreements[0]))
 */
function describeDisagreement(d) {
    const isHex = d.property === 'encode';
    const scale = isHex ? 2 : 1; // hex: two characters per byte
    const pos = Math.max(0, d.position) * scale;
    return [
        `[${d.property}] ${d.kind} ${d.path || '(object)'} = ${d.variant}  (seed ${d.seed}, spice ${d.spice}, index ${d.index})`,
        `  first difference at ${isHex ? 'byte' : 'character'} ${d.position}`,
        `  expected (Go): ${around(d.expected, pos)}`,
        `  actual (kubetcd): ${around(d.actual, pos)}`,
    ].join('\n');
}
/**
 * The summary as lines: per property N passed, N failed.
 * @example
 * describeSummary(newSummary()) // 'decode: 0 passed, 0 failed\n…'
 */
function describeSummary(s) {
    return exports.PROPERTIES.map((p) => `${p}: ${s.passed[p]} passed, ${s.failed[p]} failed`).join('\n');
}
//# sourceMappingURL=conformance.js.map