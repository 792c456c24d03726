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
 * Real values stored by a Kubernetes ~1.7 cluster (etcd-io/auger's test data, see /work/shared/data)
 * decode to the objects Kubernetes prints; fields removed since then stay visible in unknownFields.
 */
const assert = __importStar(require("node:assert/strict"));
const fs = __importStar(require("node:fs"));
const path = __importStar(require("node:path"));
const node_test_1 = require("node:test");
const codec_1 = require("../../src/codec");
const data = path.join((0, codec_1.findRepoRoot)(), '..', 'shared', 'data', 'auger-testdata');
const read = (p) => fs.readFileSync(path.join(data, p));
/** ObjectMeta field 15 (clusterName), removed in 1.25, still written by every old apiserver. */
const CLUSTER_NAME = { number: 15, wireType: 2, value: '' };
(0, node_test_1.describe)('auger test data (Kubernetes 1.7 values)', () => {
    (0, node_test_1.test)('storage/pod.bin decodes to json/pod.json', () => {
        const d = (0, codec_1.decode)(read('storage/pod.bin'));
        assert.equal(d.error, undefined, d.error?.message);
        assert.equal(d.encoding, 'protobuf');
        assert.equal(d.apiVersion, 'v1');
        assert.equal(d.kind, 'Pod');
        assert.deepEqual(d.stripped, { trailingNewline: true });
        assert.equal((0, codec_1.toKubeJson)(d.object), read('json/pod.json').toString('utf8').trim());
        assert.deepEqual(d.unknownFields, [{ path: 'metadata', ...CLUSTER_NAME }]);
    });
    (0, node_test_1.test)('storage/job.bin decodes to json/job.json', () => {
        const d = (0, codec_1.decode)(read('storage/job.bin'));
        assert.equal(d.error, undefined, d.error?.message);
        assert.equal(d.kind, 'Job');
        assert.equal(d.apiVersion, 'batch/v1');
        const obj = d.object;
        // Kubernetes 1.32 (our schema) prints the pod template's zero creationTimestamp as null; the
        // expected file comes from a newer Kubernetes that omits it. Everything else is identical.
        const tmplMeta = obj['spec']['template']['metadata'];
        assert.equal(tmplMeta['creationTimestamp'], null);
        delete tmplMeta['creationTimestamp'];
        assert.equal((0, codec_1.toKubeJson)(obj), read('json/job.json').toString('utf8').trim());
        assert.deepEqual(d.unknownFields, [
            { path: 'metadata', ...CLUSTER_NAME },
            { path: 'spec.template.metadata', ...CLUSTER_NAME },
        ]);
    });
    (0, node_test_1.test)('storage/pod-with-key.bin (etcdctl get output) strips the key line and decodes the same pod', () => {
        const d = (0, codec_1.decode)(read('storage/pod-with-key.bin'));
        assert.equal(d.error, undefined, d.error?.message);
        assert.equal(d.stripped?.keyLine, '/registry/pods/default/xyz');
        assert.equal((0, codec_1.toKubeJson)(d.object), read('json/pod.json').toString('utf8').trim());
    });
    (0, node_test_1.test)('proto/pod.bin (the bare inner message) decodes with the kind from meta/pod.txt', () => {
        const meta = read('meta/pod.txt').toString('utf8');
        const apiVersion = /APIVersion: (\S+)/.exec(meta)?.[1] ?? '';
        const kind = /Kind: (\S+)/.exec(meta)?.[1] ?? '';
        const d = (0, codec_1.decode)(read('proto/pod.bin'), { bare: true, apiVersion, kind });
        assert.equal(d.error, undefined, d.error?.message);
        assert.equal((0, codec_1.toKubeJson)(d.object), read('json/pod.json').toString('utf8').trim());
    });
});
//# sourceMappingURL=decode-auger.test.js.map