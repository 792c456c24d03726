/**
 * Checks kubetcd's codec against Kubernetes' own serializers on objects the reference generates
 * (test/conformance/reference/generate.go). Shared by test/conformance/generated.test.ts and
 * bench/conformance.ts.
 *
 * Properties, for each generated record:
 * - decode: kubetcd's `decode` of Go's storage value, printed with `toKubeJson`, is Go's compact JSON
 *   byte for byte (values and field order), and no field is left unknown.
 * - encode: kubetcd's `encode` of that JSON (read with `parseKubeJson(json, { keepText: true })`, so
 *   that embedded JSON keeps its text as Go keeps it) is the storage value Go writes for the same JSON,
 *   byte for byte.
 * - round trip: Go's decode of kubetcd's bytes prints what Go's decode of its own bytes for that
 *   JSON prints (the JSON itself, except that an invalid UTF-8 byte Go printed as `\ufffd` comes back
 *   as a literal U+FFFD).
 *
 * The codec checked is kubetcd's default one (1.36 first, 1.32 for the kinds 1.36 lacks: what users
 * get). Against the 1.36 reference that is every kind of 1.36; against the 1.32 reference (kept for the
 * kinds Kubernetes removed after 1.32) callers pass only the kinds the 1.36 reference lacks, which the
 * default codec decodes with its 1.32 schema.
 */
import { decode, encode, parseKubeJson, toKubeJson, type KubeObject } from '../../src/codec';
import type { GeneratedRecord, Reference } from './reference';

/** The properties checked. */
export const PROPERTIES = ['decode', 'encode', 'round trip'] as const;
export type Property = (typeof PROPERTIES)[number];

/** One disagreement between kubetcd and the reference. */
export interface Disagreement {
  property: Property;
  kind: string;
  /** Generator seed, spice and variant index: the record is reproducible from these. */
  seed: number;
  spice: number;
  index: number;
  path: string;
  variant: string;
  /** What Go produced and what kubetcd produced (JSON text, or bytes in hex). */
  expected: string;
  actual: string;
  /** First differing position (characters of the JSON, or bytes). */
  position: number;
  /** The record, for shrinking. */
  record: GeneratedRecord;
}

/** The outcome of checking a batch. */
export interface CheckSummary {
  passed: Record<Property, number>;
  failed: Record<Property, number>;
  /** Records Go itself could not encode, decode or print (not checked), by kind and variant. */
  referenceErrors: string[];
  disagreements: Disagreement[];
}

/**
 * An empty summary.
 * @example
 * const s = newSummary(); s.passed.decode // 0
 */
export function newSummary(): CheckSummary {
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
export function splitKind(kind: string): { apiVersion: string; kind: string } {
  const i = kind.lastIndexOf('/');
  return { apiVersion: kind.slice(0, i), kind: kind.slice(i + 1) };
}

/**
 * Index of the first difference of two strings or byte arrays (the shorter length when one is a
 * prefix; -1 when equal).
 * @example
 * firstDifference('abc', 'abd') // 2
 */
export function firstDifference(a: string | Uint8Array, b: string | Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}

function message(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

/**
 * kubetcd's JSON for a storage value, or a description of why there is none (or of fields left unknown).
 * @example
 * kubetcdJson(record.value, 'v1/Pod').json
 */
export function kubetcdJson(value: Uint8Array, kind: string): { json?: string; problem?: string } {
  let d: ReturnType<typeof decode>;
  try {
    d = decode(value, splitKind(kind));
  } catch (err) {
    return { problem: `decode threw ${message(err)}` };
  }
  if (d.error !== undefined || d.object === undefined) {
    return { problem: `decode error: ${d.error ? message(d.error) : 'no object'}` };
  }
  const json = toKubeJson(d.object);
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
export function kubetcdBytes(json: string, kind: string): { value?: Uint8Array; problem?: string } {
  try {
    // keepText: embedded JSON (RawExtension, FieldsV1) keeps its text (`2.50`, `\u00e9`), as Go keeps it
    return { value: encode(parseKubeJson(json, { keepText: true }) as KubeObject, splitKind(kind)) };
  } catch (err) {
    return { problem: `encode threw ${message(err)}` };
  }
}

/**
 * Hex of bytes (for messages).
 * @example
 * hex(new Uint8Array([0x6b, 0x38])) // '6b38'
 */
export function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

/**
 * Checks records of one kind with kubetcd's default codec; adds to `summary` and returns the
 * disagreements found.
 * @example
 * const s = newSummary();
 * await checkRecords(ref, 'v1/Pod', { seed: 1, spice: 0 }, await ref.generate({ kind: 'v1/Pod', seed: 1, count: 20 }), s);
 */
export async function checkRecords(
  ref: Reference,
  kind: string,
  origin: { seed: number; spice: number },
  records: GeneratedRecord[],
  summary: CheckSummary,
): Promise<Disagreement[]> {
  const found: Disagreement[] = [];
  const fail = (property: Property, r: GeneratedRecord, expected: string, actual: string, position: number): void => {
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
  const roundTrips: Promise<void>[] = [];
  for (const r of records) {
    if (r.error !== undefined) {
      summary.referenceErrors.push(`${kind} ${r.path || '(object)'} = ${r.variant}: ${r.error}`);
      continue;
    }
    // decode
    const got = kubetcdJson(r.value, kind);
    if (got.problem === undefined && got.json === r.json) summary.passed.decode++;
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
    if (pos < 0) summary.passed.encode++;
    else fail('encode', r, hex(r.canonical), hex(encoded), pos);
    // round trip through Go
    roundTrips.push(
      ref.decode(encoded, { kind }).then((back) => {
        const want = r.canonicalJson;
        if (back.ok && back.json === want) summary.passed['round trip']++;
        else if (back.ok) fail('round trip', r, want, back.json, firstDifference(want, back.json));
        else fail('round trip', r, want, `Go could not decode kubetcd's bytes: ${back.error}`, 0);
      }),
    );
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
export function around(text: string, position: number, width = 60): string {
  const from = Math.max(0, position - width);
  return (from > 0 ? '…' : '') + text.slice(from, position + width) + (position + width < text.length ? '…' : '');
}

/**
 * A disagreement in a few lines: where, expected vs actual around the first difference.
 * @example
 * console.log(describeDisagreement(summary.disagreements[0]))
 */
export function describeDisagreement(d: Disagreement): string {
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
export function describeSummary(s: CheckSummary): string {
  return PROPERTIES.map((p) => `${p}: ${s.passed[p]} passed, ${s.failed[p]} failed`).join('\n');
}
