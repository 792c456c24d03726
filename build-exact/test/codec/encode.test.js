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
 * encode(): objects → the bytes kube-apiserver stores (gogo protobuf rules), and its errors.
 * The byte-for-byte comparison with Kubernetes' own fixtures is in decode-golden.test.ts.
 */
const assert = __importStar(require("node:assert/strict"));
const node_test_1 = require("node:test");
const codec_1 = require("../../src/codec");
const hex = (b) => Buffer.from(b).toString('hex');
const ascii = (s) => Buffer.from(s).toString('hex');
(0, node_test_1.describe)('encode', () => {
    (0, node_test_1.test)('writes k8s\\0 + runtime.Unknown with gogo field rules (ConfigMap, bytes checked by hand)', () => {
        const bytes = (0, codec_1.encode)({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { b: '2', a: '1' } });
        // ObjectMeta: name, then the non-pointer fields generateName…resourceVersion (empty), generation (0),
        // creationTimestamp (zero Time: an empty message); pointers and nil slices/maps are not written.
        const meta = `0a01${ascii('c')}` + '1200' + '1a00' + '2200' + '2a00' + '3200' + '3800' + '4200';
        // data entries sorted by key, key and value always written
        const data = `1206${`0a01${ascii('a')}`}${`1201${ascii('1')}`}` + `1206${`0a01${ascii('b')}`}${`1201${ascii('2')}`}`;
        const raw = `0a11${meta}${data}`;
        const unknown = `0a0f0a02${ascii('v1')}1209${ascii('ConfigMap')}` + `12${(raw.length / 2).toString(16)}${raw}` + '1a00' + '2200';
        assert.equal(hex(bytes), `6b387300${unknown}`);
    });
    (0, node_test_1.test)('bare: only the object protobuf', () => {
        const obj = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } };
        const full = (0, codec_1.encode)(obj);
        const bare = (0, codec_1.encode)(obj, { bare: true });
        assert.ok(Buffer.from(full).includes(Buffer.from(bare)));
        assert.equal(bare[0], 0x0a);
    });
    (0, node_test_1.test)('negative int32 values are sign-extended to 10 bytes, as Go does', () => {
        const bytes = (0, codec_1.encode)({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { priority: -1 } });
        assert.ok(Buffer.from(bytes).includes(Buffer.from('ffffffffffffffffff01', 'hex')));
        assert.equal((0, codec_1.decode)(bytes).object['spec']['priority'], -1);
    });
    (0, node_test_1.test)('a pointer is written only when set; a non-pointer scalar always', () => {
        const unset = (0, codec_1.encode)({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: {} }, { bare: true });
        const zero = (0, codec_1.encode)({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { replicas: 0 } }, { bare: true });
        assert.equal(zero.length, unset.length + 2); // field 1 (replicas) = 0: 08 00
    });
    (0, node_test_1.test)('bytes fields are base64 in, raw bytes out; nil is not written, empty is', () => {
        const obj = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { k: 'aGVsbG8=', e: '' } };
        const bytes = (0, codec_1.encode)(obj);
        assert.ok(Buffer.from(bytes).includes(Buffer.from('hello')));
        assert.deepEqual((0, codec_1.decode)(bytes).object['data'], { e: '', k: 'aGVsbG8=' });
    });
    (0, node_test_1.test)('round trip keeps int64 beyond 2^53', () => {
        const bytes = (0, codec_1.encode)({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', generation: 18446744073709551n } });
        assert.equal((0, codec_1.decode)(bytes).object['metadata']['generation'], 18446744073709551n);
    });
    (0, node_test_1.test)('kinds without TypeMeta take apiVersion/kind from the options and keep an empty envelope TypeMeta', () => {
        const bytes = (0, codec_1.encode)({ type: 'ADDED', object: { a: 1 } }, { apiVersion: 'v1', kind: 'WatchEvent' });
        assert.equal(hex(bytes.subarray(0, 10)), '6b3873000a040a001200');
        const d = (0, codec_1.decode)(bytes, { apiVersion: 'v1', kind: 'WatchEvent' });
        assert.deepEqual(d.object, { type: 'ADDED', object: { a: 1 } });
    });
});
(0, node_test_1.describe)('encode errors name the offending field', () => {
    const base = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' } };
    (0, node_test_1.test)('a string where a number belongs', () => {
        assert.throws(() => (0, codec_1.encode)({ ...base, spec: { replicas: '3' } }), (e) => {
            assert.equal(e.name, 'EncodeError');
            assert.match(e.message, /^Cannot encode spec\.replicas: expected an integer \(int32\), found the string "3"\.$/);
            return true;
        });
    });
    (0, node_test_1.test)('an int32 out of range', () => {
        assert.throws(() => (0, codec_1.encode)({ ...base, spec: { replicas: 2 ** 31 } }), /spec\.replicas: 2147483648 is out of range for int32/);
    });
    (0, node_test_1.test)('a field the kind does not have', () => {
        assert.throws(() => (0, codec_1.encode)({ ...base, spec: { replicaz: 1 } }), (e) => {
            assert.equal(e.name, 'EncodeError');
            assert.match(e.message, /^Cannot encode spec\.replicaz: k8s\.io\.api\.apps\.v1\.DeploymentSpec has no field "replicaz"/);
            return true;
        });
    });
    (0, node_test_1.test)('an element inside a list', () => {
        assert.throws(() => (0, codec_1.encode)({ ...base, spec: { template: { spec: { containers: [{ name: 'a' }, { name: 5 }] } } } }), /spec\.template\.spec\.containers\[1\]\.name: expected a string, found number 5/);
    });
    (0, node_test_1.test)('an unknown kind', () => {
        assert.throws(() => (0, codec_1.encode)({ apiVersion: 'example.com/v1', kind: 'Widget' }), (e) => {
            assert.equal(e.name, 'EncodeError');
            assert.match(e.message, /kind "Widget" of "example\.com\/v1": the schema .* does not know it/);
            return true;
        });
    });
    (0, node_test_1.test)('bad base64, quantity and time', () => {
        assert.throws(() => (0, codec_1.encode)({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { k: 'not base64!' } }), /data\["k"\]: expected base64/);
        assert.throws(() => (0, codec_1.encode)({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q' }, spec: { hard: { cpu: '1x' } } }), /spec\.hard\["cpu"\]/);
        assert.throws(() => (0, codec_1.encode)({ ...base, metadata: { name: 'd', creationTimestamp: 'yesterday' } }), /metadata\.creationTimestamp/);
    });
});
//# sourceMappingURL=encode.test.js.map