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
 * Kubernetes' own round-trip fixtures (k8s.io/api/testdata/HEAD of the installed sources): every `.pb`
 * (what kube-apiserver stores) must decode to exactly the `.json` Kubernetes prints, and encoding the
 * `.json` must give the `.pb` byte for byte. (The fixtures' RawExtensions hold compact, canonical JSON,
 * so no kind needs its embedded JSON compared loosely.)
 */
const assert = __importStar(require("node:assert/strict"));
const fs = __importStar(require("node:fs"));
const path = __importStar(require("node:path"));
const node_test_1 = require("node:test");
const codec_1 = require("../../src/codec");
const dir = path.join((0, codec_1.defaultSourcesDir)(), 'k8s.io', 'api', 'testdata', 'HEAD');
function parseName(file) {
    const parts = file.replace(/\.pb$/, '').split('.');
    const kind = parts.pop();
    const version = parts.pop();
    const group = parts.join('.');
    return { apiVersion: group === 'core' ? version : `${group}/${version}`, kind };
}
const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.pb')).sort() : [];
(0, node_test_1.describe)('golden testdata/HEAD', () => {
    (0, node_test_1.test)('the fixtures are installed (171 kinds)', () => {
        assert.ok(files.length >= 171, `expected at least 171 .pb files in ${dir}, found ${files.length}`);
    });
    for (const file of files) {
        const { apiVersion, kind } = parseName(file);
        const pb = fs.readFileSync(path.join(dir, file));
        const jsonText = fs.readFileSync(path.join(dir, file.replace(/\.pb$/, '.json')), 'utf8');
        const key = file.replace(/\.pb$/, '');
        (0, node_test_1.test)(`decode ${key}`, () => {
            const d = (0, codec_1.decode)(pb, { apiVersion, kind });
            assert.equal(d.error, undefined, d.error?.message);
            assert.equal(d.encoding, 'protobuf');
            assert.equal(d.unknownFields, undefined);
            assert.equal((0, codec_1.toKubeJson)(d.object, { indent: '  ' }), jsonText);
        });
        (0, node_test_1.test)(`encode ${key}`, () => {
            const obj = (0, codec_1.parseKubeJson)(jsonText);
            const bytes = (0, codec_1.encode)(obj, { apiVersion, kind });
            assert.ok(Buffer.from(bytes).equals(pb), firstDifference(bytes, pb));
        });
    }
});
function firstDifference(a, b) {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) {
        if (a[i] !== b[i]) {
            return `bytes differ at ${i}: got ${Buffer.from(a.subarray(i, i + 16)).toString('hex')}, want ${Buffer.from(b.subarray(i, i + 16)).toString('hex')}`;
        }
    }
    return `lengths differ: got ${a.length}, want ${b.length}`;
}
//# sourceMappingURL=decode-golden.test.js.map