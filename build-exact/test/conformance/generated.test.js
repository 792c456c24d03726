"use strict";
var __createBinding = (this && this.__createBinding) || (Object.create ? (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    var desc = Object.getOwnPropertyDescriptor(m, k);
    if (!desc || ("get" in desc ? !m.__esModule : desc.writable || desc.configurable)) {
      desc = { enumerable: true, get: function() { return m[k]; } };
    }
    Object.defineProperty(o, k2, desc);
}) : (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    o[k2] = m[k];
}));
var __setModuleDefault = (this && this.__setModuleDefault) || (Object.create ? (function(o, v) {
    Object.defineProperty(o, "default", { enumerable: true, value: v });
}) : function(o, v) {
    o["default"] = v;
});
var __importStar = (this && this.__importStar) || (function () {
    var ownKeys = function(o) {
        ownKeys = Object.getOwnPropertyNames || function (o) {
            var ar = [];
            for (var k in o) if (Object.prototype.hasOwnProperty.call(o, k)) ar[ar.length] = k;
            return ar;
        };
        return ownKeys(o);
    };
    return function (mod) {
        if (mod && mod.__esModule) return mod;
        var result = {};
        if (mod != null) for (var k = ownKeys(mod), i = 0; i < k.length; i++) if (k[i] !== "default") __createBinding(result, mod, k[i]);
        __setModuleDefault(result, mod);
        return result;
    };
})();
Object.defineProperty(exports, "__esModule", { value: true });
/**
 * Conformance of kubetcd's codec with Kubernetes' own serializers on generated objects.
 *
 * The reference (Kubernetes' Go protobuf and JSON serializers, test/helpers/reference.ts) generates,
 * for EVERY kind its scheme can write as protobuf, objects that differ from a fully populated
 * baseline in one field: absent, zero, empty, edge strings, int64 around 2^53, times, quantities,
 * IntOrString, RawExtension, … (test/conformance/reference/generate.go). For each one:
 * (1) kubetcd's decode of Go's bytes prints Go's compact JSON byte for byte;
 * (2) kubetcd's encode of that JSON writes Go's bytes for it byte for byte, and Go's decode of
 *     kubetcd's bytes prints the same JSON again.
 * Fixed seed: the same objects every run. bench/conformance.ts runs far more with random seeds.
 */
const node_test_1 = require("node:test");
const assert = __importStar(require("node:assert/strict"));
const fs = __importStar(require("node:fs"));
const conformance_1 = require("../helpers/conformance");
const reference_1 = require("../helpers/reference");
const SEED = 20261124;
/** Records per kind. */
const PER_KIND = 20;
/** Records per kind for the meta kinds every group version registers again (same Go type 59 times). */
const PER_REPEATED_KIND = 2;
const REPEATED_KINDS = new Set([
    'CreateOptions',
    'DeleteOptions',
    'GetOptions',
    'ListOptions',
    'PatchOptions',
    'UpdateOptions',
    'WatchEvent',
]);
/** Distinct disagreements (property + variant) shown in full. */
const SHOW = 12;
/** A per-kind seed, so the many kinds sharing one Go type explore different variants. */
function seedOf(kind) {
    let h = 0x811c9dc5;
    for (let i = 0; i < kind.length; i++)
        h = Math.imul(h ^ kind.charCodeAt(i), 0x01000193) >>> 0;
    return (SEED ^ h) >>> 0;
}
function countOf(kind) {
    const name = kind.slice(kind.lastIndexOf('/') + 1);
    return REPEATED_KINDS.has(name) && !/^v1\//.test(kind) ? PER_REPEATED_KIND : PER_KIND;
}
/** The disagreements grouped by property and variant, the smallest object of each group first. */
function report(summary) {
    const groups = new Map();
    for (const d of summary.disagreements) {
        const key = `${d.property} ${d.variant}`;
        groups.set(key, [...(groups.get(key) ?? []), d]);
    }
    const lines = [(0, conformance_1.describeSummary)(summary), `${groups.size} distinct (property, variant) disagreements:`];
    for (const [key, list] of groups)
        lines.push(`  ${list.length} × ${key}`);
    let shown = 0;
    for (const list of groups.values()) {
        if (shown++ >= SHOW)
            break;
        const smallest = [...list].sort((a, b) => a.record.json.length - b.record.json.length)[0];
        if (smallest)
            lines.push((0, conformance_1.describeDisagreement)(smallest));
    }
    return lines.join('\n');
}
(0, node_test_1.describe)('conformance with Kubernetes\' own serializers, on generated objects', () => {
    let ref;
    let kinds;
    (0, node_test_1.before)(async () => {
        assert.ok(fs.existsSync(reference_1.referenceBinary), `the reference serializer is not built (${reference_1.referenceBinary} is missing): run bash scripts/setup-reference.sh`);
        ref = await (0, reference_1.startReference)();
        kinds = await ref.kinds();
        assert.ok(kinds.length >= 600, `expected the reference to know 600+ kinds, it listed ${kinds.length}`);
    });
    (0, node_test_1.after)(async () => {
        await ref?.close();
    });
    (0, node_test_1.it)('generates the same objects for the same seed', async () => {
        const request = { kind: 'v1/Pod', seed: 7, start: 5, count: 20 };
        const [a, b] = [await ref.generate(request), await ref.generate(request)];
        assert.deepEqual(a, b);
        const other = await ref.generate({ ...request, seed: 8 });
        assert.notDeepEqual(other.map((r) => r.json), a.map((r) => r.json));
        // a record is reproducible alone, by its path and variant
        const r = a[3];
        assert.ok(r);
        const [again] = await ref.generate({ kind: 'v1/Pod', seed: 7, count: 1, path: r.path, variant: r.variant });
        assert.deepEqual(again, r);
    });
    (0, node_test_1.it)('decodes and encodes thousands of generated objects of every kind exactly as Kubernetes does', async () => {
        const started = Date.now();
        const summary = (0, conformance_1.newSummary)();
        const variants = new Set();
        const kindsWithoutRecord = [];
        let records = 0;
        const generate = (kind) => ref.generate({ kind, seed: seedOf(kind), count: countOf(kind) });
        // Go generates the next kind while this one is checked.
        let next = kinds[0] === undefined ? undefined : generate(kinds[0]);
        for (let i = 0; i < kinds.length; i++) {
            const kind = kinds[i] ?? '';
            const batch = await (next ?? Promise.resolve([]));
            next = kinds[i + 1] === undefined ? undefined : generate(kinds[i + 1] ?? '');
            records += batch.length;
            if (!batch.some((r) => r.error === undefined))
                kindsWithoutRecord.push(kind);
            for (const r of batch)
                variants.add(r.variant.replace(/^&/, '').replace(/-.*/, ''));
            await (0, conformance_1.checkRecords)(ref, kind, { seed: seedOf(kind), spice: 0 }, batch, summary);
        }
        const seconds = ((Date.now() - started) / 1000).toFixed(1);
        console.log(`generated conformance: ${records} objects of ${kinds.length} kinds (seed ${SEED}, ${PER_KIND} per kind, ` +
            `${PER_REPEATED_KIND} per repeated meta kind) in ${seconds} s; ` +
            `${summary.referenceErrors.length} that Go itself cannot print were not checked`);
        console.log(report(summary));
        assert.deepEqual(kindsWithoutRecord, [], 'every kind must yield objects Go can print');
        // The sample must explore the value space, not just plain baselines.
        for (const cls of ['string', 'int64', 'int32', 'bool', 'time', 'quantity', 'intorstring', 'raw', 'fieldsv1', 'list', 'map', 'bytes', 'nil', 'zero']) {
            assert.ok(variants.has(cls), `no ${cls} variant in the sample; seen: ${[...variants].sort().join(' ')}`);
        }
        const failed = conformance_1.PROPERTIES.reduce((n, p) => n + summary.failed[p], 0);
        assert.equal(failed, 0, `kubetcd disagrees with Kubernetes' serializers:\n${report(summary)}`);
    });
});
//# sourceMappingURL=generated.test.js.map