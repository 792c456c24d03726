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
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
const node_test_1 = require("node:test");
const strict_1 = __importDefault(require("node:assert/strict"));
const fs = __importStar(require("node:fs"));
const path = __importStar(require("node:path"));
const envelope_1 = require("../../src/codec/envelope");
const DATA = path.join(__dirname, '../../..', '..', 'shared/data', 'auger-testdata');
function read(...parts) {
    return new Uint8Array(fs.readFileSync(path.join(DATA, ...parts)));
}
function bytes(...parts) {
    const chunks = parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p)));
    return new Uint8Array(Buffer.concat(chunks));
}
(0, node_test_1.test)('sniffValue finds protobuf in etcdctl --print-value-only output and strips its newline', () => {
    for (const name of ['pod.bin', 'job.bin']) {
        const value = read('storage', name);
        const s = (0, envelope_1.sniffValue)(value);
        strict_1.default.equal(s.encoding, 'protobuf', name);
        strict_1.default.deepEqual(s.stripped, { trailingNewline: true }, name);
        strict_1.default.equal(s.bodyOffset, 4);
        strict_1.default.equal(s.body.length, value.length - 5);
        // the body is runtime.Unknown: field 1 (typeMeta) first
        strict_1.default.equal(s.body[0], 0x0a);
    }
});
(0, node_test_1.test)('sniffValue strips the key line of plain etcdctl get output', () => {
    const value = read('storage', 'pod-with-key.bin');
    const s = (0, envelope_1.sniffValue)(value);
    strict_1.default.equal(s.encoding, 'protobuf');
    strict_1.default.deepEqual(s.stripped, { keyLine: '/registry/pods/default/xyz', trailingNewline: true });
    const plain = (0, envelope_1.sniffValue)(read('storage', 'pod.bin'));
    strict_1.default.deepEqual([...s.body], [...plain.body]);
    const json = (0, envelope_1.sniffValue)(read('json', 'pod-with-key.txt'));
    strict_1.default.equal(json.encoding, 'json');
    strict_1.default.equal(json.stripped?.keyLine, '/registry/pods/default/xyz');
    strict_1.default.equal(JSON.parse(Buffer.from(json.body).toString('utf8')).kind, 'Pod');
});
(0, node_test_1.test)('sniffValue keeps a trailing 0x0a that belongs to the protobuf', () => {
    // Unknown { raw (field 2) = [0x0a] }: the value really ends with 0x0a
    const value = bytes('k8s\0', [0x12, 0x01, 0x0a]);
    const s = (0, envelope_1.sniffValue)(value);
    strict_1.default.equal(s.encoding, 'protobuf');
    strict_1.default.equal(s.stripped, undefined);
    strict_1.default.deepEqual([...s.body], [0x12, 0x01, 0x0a]);
    // the same value as etcdctl prints it
    const printed = (0, envelope_1.sniffValue)(bytes('k8s\0', [0x12, 0x01, 0x0a, 0x0a]));
    strict_1.default.deepEqual(printed.stripped, { trailingNewline: true });
    strict_1.default.deepEqual([...printed.body], [0x12, 0x01, 0x0a]);
    // an empty Unknown
    strict_1.default.deepEqual((0, envelope_1.sniffValue)(bytes('k8s\0')).body.length, 0);
    strict_1.default.deepEqual((0, envelope_1.sniffValue)(bytes('k8s\0\n')).stripped, { trailingNewline: true });
    // corrupt protobuf: nothing is guessed
    strict_1.default.equal((0, envelope_1.sniffValue)(bytes('k8s\0', [0x12, 0x09, 0x0a])).stripped, undefined);
});
(0, node_test_1.test)('sniffValue recognises JSON, with the serializer newline kept and etcdctl newline stripped', () => {
    const a = (0, envelope_1.sniffValue)(bytes('{"kind":"Foo"}\n'));
    strict_1.default.equal(a.encoding, 'json');
    strict_1.default.equal(a.stripped, undefined);
    const b = (0, envelope_1.sniffValue)(bytes('{"kind":"Foo"}\n\n'));
    strict_1.default.deepEqual(b.stripped, { trailingNewline: true });
    strict_1.default.equal(Buffer.from(b.body).toString(), '{"kind":"Foo"}\n');
    strict_1.default.equal((0, envelope_1.sniffValue)(bytes(' \n\t[1]')).encoding, 'json');
    strict_1.default.equal((0, envelope_1.sniffValue)(bytes('/registry/foo.example.com/bars/ns/x\n{"kind":"Bar"}\n\n')).stripped?.keyLine, '/registry/foo.example.com/bars/ns/x');
});
(0, node_test_1.test)('sniffValue recognises CBOR', () => {
    const value = bytes([0xd9, 0xd9, 0xf7, 0xa1, 0x61, 0x61, 0x01]);
    const s = (0, envelope_1.sniffValue)(value);
    strict_1.default.equal(s.encoding, 'cbor');
    strict_1.default.equal(s.body.length, 7);
    strict_1.default.equal(s.stripped, undefined);
    const printed = (0, envelope_1.sniffValue)(bytes([0xd9, 0xd9, 0xf7, 0xa1, 0x61, 0x61, 0x01, 0x0a]));
    strict_1.default.deepEqual(printed.stripped, { trailingNewline: true });
    strict_1.default.equal(printed.body.length, 7);
    // a CBOR text ending in "\n" is data
    const text = (0, envelope_1.sniffValue)(bytes([0xd9, 0xd9, 0xf7, 0x61, 0x0a]));
    strict_1.default.equal(text.stripped, undefined);
});
(0, node_test_1.test)('sniffValue reports encryption at rest', () => {
    const cases = [
        ['k8s:enc:aescbc:v1:key1:', 'aescbc', 'v1', 'key1'],
        ['k8s:enc:aesgcm:v1:k2:', 'aesgcm', 'v1', 'k2'],
        ['k8s:enc:secretbox:v1:key1:', 'secretbox', 'v1', 'key1'],
        ['k8s:enc:kms:v1:my-kms:', 'kms', 'v1', 'my-kms'],
        ['k8s:enc:kms:v2:vault:', 'kms', 'v2', 'vault'],
    ];
    for (const [prefix, provider, version, keyName] of cases) {
        const s = (0, envelope_1.sniffValue)(bytes(prefix, [1, 2, 3, 0x0a]));
        strict_1.default.equal(s.encoding, 'encrypted', prefix);
        strict_1.default.deepEqual(s.encryption, { provider, version, keyName, ciphertextBytes: 4 });
        strict_1.default.equal(s.bodyOffset, prefix.length);
        strict_1.default.deepEqual([...s.body], [1, 2, 3, 0x0a]);
    }
    const keyed = (0, envelope_1.sniffValue)(bytes('/registry/secrets/default/db\nk8s:enc:aescbc:v1:key1:', [9, 9]));
    strict_1.default.equal(keyed.encoding, 'encrypted');
    strict_1.default.equal(keyed.stripped?.keyLine, '/registry/secrets/default/db');
    strict_1.default.equal(keyed.encryption?.ciphertextBytes, 2);
});
(0, node_test_1.test)('sniffValue previews raw values as text or hex', () => {
    const digits = (0, envelope_1.sniffValue)(bytes('12345'));
    strict_1.default.equal(digits.encoding, 'raw');
    strict_1.default.equal(digits.preview, '12345');
    const long = (0, envelope_1.sniffValue)(bytes('x'.repeat(500)));
    strict_1.default.equal(long.preview, `${'x'.repeat(200)}… (500 bytes in all)`);
    const binary = (0, envelope_1.sniffValue)(bytes([0, 1, 2, 0xff]));
    strict_1.default.equal(binary.preview, '00 01 02 ff');
    const bigBinary = (0, envelope_1.sniffValue)(new Uint8Array(100));
    strict_1.default.equal(bigBinary.preview, `${Array(64).fill('00').join(' ')} … (100 bytes in all)`);
    strict_1.default.equal((0, envelope_1.sniffValue)(new Uint8Array(0)).encoding, 'raw');
    // a first line that is not followed by a recognisable value is not a key line
    const twoLines = (0, envelope_1.sniffValue)(bytes('/a/b\nhello'));
    strict_1.default.equal(twoLines.encoding, 'raw');
    strict_1.default.equal(twoLines.stripped, undefined);
    strict_1.default.equal(twoLines.preview, '/a/b\nhello');
    // a line with spaces is not a key
    strict_1.default.equal((0, envelope_1.sniffValue)(bytes('not a key\n{"a":1}')).encoding, 'raw');
});
//# sourceMappingURL=envelope.test.js.map