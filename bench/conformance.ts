/**
 * Conformance run at scale: hundreds of thousands of generated objects (random seed) checked against
 * Kubernetes' own serializers, as test/conformance/generated.test.ts does for a fixed sample. Prints
 * the seed, progress, a summary per property and every distinct disagreement shrunk to a minimal
 * case (other fields of the object dropped while the disagreement persists). Exits 1 if any.
 *
 *   node build/bench/conformance.js
 *   KUBETCD_CONFORMANCE_SEED=123 KUBETCD_CONFORMANCE_COUNT=20000 node build/bench/conformance.js
 *
 * Environment: KUBETCD_CONFORMANCE_SEED (default random), KUBETCD_CONFORMANCE_COUNT (objects,
 * default 200000), KUBETCD_CONFORMANCE_BATCH (objects per request, default 50),
 * KUBETCD_CONFORMANCE_SHRINK (distinct disagreements to shrink and print, default 20).
 * Needs the 1.36 reference serializer (all 1.36 kinds, kubetcd's default codec): bash scripts/setup-reference.sh 1.36.
 */
import * as fs from 'node:fs';
import {
  PROPERTIES,
  checkRecords,
  describeSummary,
  firstDifference,
  hex,
  around,
  newSummary,
  type Disagreement,
} from '../test/helpers/conformance';
import { referenceBinary, startReference, type Reference } from '../test/helpers/reference';
import { seededRandom } from '../src/util/seeded-random';

function envInt(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new Error(
      `${name}=${JSON.stringify(text)} is not a non-negative integer. Unset it or pass one, e.g. ${name}=1000.`,
    );
  }
  return n;
}

const prng = seededRandom;

const REPEATED = /\/(CreateOptions|DeleteOptions|GetOptions|ListOptions|PatchOptions|UpdateOptions|WatchEvent)$/;
const SPICES = [0, 0, 5, 20, 60];

function isAncestorOrSelf(site: string, path: string): boolean {
  return path === site || path.startsWith(`${site}.`) || path.startsWith(`${site}[`);
}

/**
 * What a disagreement looks like where it starts (property, and a few characters of each side from
 * the first difference), to tell apart different rules broken by the same variant and to see one
 * rule broken by many variants.
 */
function signature(d: Disagreement): string {
  const scale = d.property === 'encode' ? 2 : 1;
  const at = Math.max(0, d.position) * scale;
  const cut = (text: string, n: number): string =>
    text.slice(at, at + n * scale).replace(/[a-z0-9]/gi, (c) => (/[0-9]/.test(c) ? '9' : 'a'));
  return `${d.property} ${JSON.stringify(cut(d.expected, 6))} vs ${JSON.stringify(cut(d.actual, 1))}`;
}

/** The record of d's variant with `drop` applied, checked; the disagreement of d's property, if any. */
async function attemptOf(ref: Reference, d: Disagreement, drop: string[]): Promise<Disagreement | undefined> {
  const base = { kind: d.kind, seed: d.seed, spice: d.spice };
  let records: Awaited<ReturnType<typeof ref.generate>>;
  try {
    records = await ref.generate({ ...base, count: 1, path: d.path, variant: d.variant, drop });
  } catch {
    return undefined; // the variant's site went away with the drop
  }
  const r = records[0];
  if (r === undefined || r.error !== undefined) return undefined;
  const found = await checkRecords(ref, d.kind, base, [r], newSummary());
  return found.find((f) => f.property === d.property);
}

/** Shrinks a disagreement: drops (zeroes) other fields of the baseline while it persists. */
async function shrink(
  ref: Reference,
  d: Disagreement,
): Promise<{ case: Disagreement; dropped: string[]; tries: number }> {
  const base = { kind: d.kind, seed: d.seed, spice: d.spice };
  const attempt = (drop: string[]): Promise<Disagreement | undefined> => attemptOf(ref, d, drop);
  let best = d;
  const dropped: string[] = [];
  let tries = 0;
  // With a spiced baseline the cause may be elsewhere: if the unmodified baseline disagrees the same
  // way, shrink that instead (and every site becomes droppable).
  if (d.path !== '' || d.variant !== 'baseline') {
    tries++;
    const plain = await attemptOf(ref, { ...d, path: '', variant: 'baseline' }, []);
    if (plain && signature(plain) === signature(d)) return shrink(ref, plain);
  }
  for (const site of await ref.sites(base)) {
    if (dropped.some((p) => isAncestorOrSelf(p, site))) continue; // already gone
    if (d.path !== '' && (isAncestorOrSelf(site, d.path) || isAncestorOrSelf(d.path, site))) continue;
    tries++;
    const smaller = await attempt([...dropped, site]);
    if (smaller && signature(smaller) === signature(d)) {
      dropped.push(site);
      best = smaller;
    }
  }
  return { case: best, dropped, tries };
}

function describeCase(c: Disagreement, dropped: string[], tries: number): string {
  const r = c.record;
  const lines = [
    `[${c.property}] ${c.kind} ${c.path || '(object)'} = ${c.variant}`,
    `  reproduce: ref.generate(${JSON.stringify({ kind: c.kind, seed: c.seed, spice: c.spice, count: 1, path: c.path, variant: c.variant, drop: `<${dropped.length} paths>` })})`,
    `  shrunk: ${dropped.length} fields dropped in ${tries} tries; Go's storage value (hex): ${hex(r.value)}`,
    `  Go JSON: ${r.json}`,
  ];
  if (c.property === 'encode') {
    lines.push(`  first difference at byte ${c.position}`);
    lines.push(`  expected bytes (Go): ${around(c.expected, c.position * 2, 80)}`);
    lines.push(`  actual bytes (kubetcd): ${around(c.actual, c.position * 2, 80)}`);
  } else {
    const pos = firstDifference(c.expected, c.actual);
    lines.push(`  first difference at character ${pos}`);
    lines.push(`  expected (Go): ${around(c.expected, pos, 80)}`);
    lines.push(`  actual (kubetcd): ${around(c.actual, pos, 80)}`);
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  if (!fs.existsSync(referenceBinary)) {
    throw new Error(
      `The reference serializer is not built: ${referenceBinary} is missing. Run bash scripts/setup-reference.sh.`,
    );
  }
  const seed = envInt('KUBETCD_CONFORMANCE_SEED', Math.floor(Math.random() * 2 ** 32));
  const total = envInt('KUBETCD_CONFORMANCE_COUNT', 200000);
  const batch = Math.max(1, envInt('KUBETCD_CONFORMANCE_BATCH', 50));
  const shrinkLimit = envInt('KUBETCD_CONFORMANCE_SHRINK', 20);
  console.log(`conformance: seed ${seed} (KUBETCD_CONFORMANCE_SEED=${seed} repeats this run), ${total} objects`);

  const ref = await startReference();
  try {
    const kinds = await ref.kinds();
    const plain = kinds.filter((k) => !REPEATED.test(k));
    const repeated = kinds.filter((k) => REPEATED.test(k));
    const random = prng(seed);
    const pick = <T>(list: T[]): T => list[Math.floor(random() * list.length)] as T;
    const summary = newSummary();
    const groups = new Map<string, Disagreement[]>();
    const started = Date.now();
    let lastReport = started;
    let done = 0;
    const kindsSeen = new Set<string>();

    const request = (): { kind: string; seed: number; spice: number; start: number; count: number } => ({
      kind: random() < 0.9 || repeated.length === 0 ? pick(plain) : pick(repeated),
      seed: Math.floor(random() * 2 ** 32),
      spice: pick(SPICES),
      start: Math.floor(random() * 1e6),
      count: Math.min(batch, total - done),
    });
    let req = request();
    let next = ref.generate(req);
    while (done < total) {
      const current = req;
      const records = await next;
      done += records.length;
      if (done < total) {
        req = request();
        next = ref.generate(req);
      }
      kindsSeen.add(current.kind);
      const found = await checkRecords(ref, current.kind, current, records, summary);
      for (const d of found) {
        const key = signature(d);
        groups.set(key, [...(groups.get(key) ?? []), d]);
      }
      summary.disagreements.length = 0; // kept in groups instead
      if (Date.now() - lastReport > 10000) {
        lastReport = Date.now();
        const rate = (done / ((lastReport - started) / 1000)).toFixed(0);
        const failed = PROPERTIES.reduce((n, p) => n + summary.failed[p], 0);
        console.log(`  ${done}/${total} objects, ${rate}/s, ${failed} failed checks, ${groups.size} distinct`);
      }
    }
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    console.log(`\n${done} objects of ${kindsSeen.size} kinds in ${seconds} s (seed ${seed})`);
    console.log(describeSummary(summary));
    console.log(`${summary.referenceErrors.length} objects Go itself could not print (not checked)`);
    const distinct = new Set(summary.referenceErrors.map((e) => e.replace(/^\S+ /, '').replace(/\[\d+\]/g, '[]')));
    for (const e of [...distinct].slice(0, 10)) console.log(`  ${e}`);
    if (groups.size === 0) {
      console.log('no disagreement');
      return;
    }
    console.log(
      `\n${groups.size} distinct disagreements (property: Go vs kubetcd from where they part, letters shown as a, digits as 9):`,
    );
    for (const [key, list] of groups) {
      const variants = [...new Set(list.map((d) => d.variant))];
      console.log(
        `  ${list.length} × ${key}  (variants: ${variants.slice(0, 6).join(', ')}${variants.length > 6 ? ', …' : ''})`,
      );
    }
    let shrunk = 0;
    for (const list of groups.values()) {
      if (shrunk++ >= shrinkLimit) break;
      // start from the smallest object of the group
      const first = [...list].sort((a, b) => a.record.json.length - b.record.json.length)[0];
      if (first === undefined) continue;
      const s = await shrink(ref, first);
      console.log(`\n${describeCase(s.case, s.dropped, s.tries)}`);
    }
    process.exitCode = 1;
  } finally {
    await ref.close();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 2;
});
