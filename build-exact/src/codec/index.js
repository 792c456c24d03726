"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.toKubeYaml = exports.decodeCbor = exports.sniffValue = exports.parseKubeTime = exports.formatTime = exports.formatMicroTime = exports.parseGoDuration = exports.formatGoDuration = exports.canonicalQuantity = exports.toKubeJson = exports.parseKubeJson = exports.compactJson = exports.rawJsonMark = exports.RAW_JSON = exports.dumpProtoFields = exports.loadSchema = exports.findRepoRoot = exports.defaultSourcesDir = exports.compileSchema = void 0;
exports.createCodec = createCodec;
exports.decode = decode;
exports.encode = encode;
/**
 * The codec's public surface: stored Kubernetes values ⇄ objects exactly as Kubernetes' Go code prints
 * them, driven by a schema compiled from the installed Kubernetes sources.
 */
const decode_1 = require("./decode");
const encode_1 = require("./encode");
const schema_1 = require("./schema");
var schema_2 = require("./schema");
Object.defineProperty(exports, "compileSchema", { enumerable: true, get: function () { return schema_2.compileSchema; } });
Object.defineProperty(exports, "defaultSourcesDir", { enumerable: true, get: function () { return schema_2.defaultSourcesDir; } });
Object.defineProperty(exports, "findRepoRoot", { enumerable: true, get: function () { return schema_2.findRepoRoot; } });
Object.defineProperty(exports, "loadSchema", { enumerable: true, get: function () { return schema_2.loadSchema; } });
var proto_dump_1 = require("./proto-dump");
Object.defineProperty(exports, "dumpProtoFields", { enumerable: true, get: function () { return proto_dump_1.dumpProtoFields; } });
var raw_json_1 = require("./raw-json");
Object.defineProperty(exports, "RAW_JSON", { enumerable: true, get: function () { return raw_json_1.RAW_JSON; } });
Object.defineProperty(exports, "rawJsonMark", { enumerable: true, get: function () { return raw_json_1.rawJsonMark; } });
var go_json_1 = require("./go-json");
Object.defineProperty(exports, "compactJson", { enumerable: true, get: function () { return go_json_1.compactJson; } });
Object.defineProperty(exports, "parseKubeJson", { enumerable: true, get: function () { return go_json_1.parseKubeJson; } });
Object.defineProperty(exports, "toKubeJson", { enumerable: true, get: function () { return go_json_1.toKubeJson; } });
var quantity_1 = require("./quantity");
Object.defineProperty(exports, "canonicalQuantity", { enumerable: true, get: function () { return quantity_1.canonicalQuantity; } });
var go_duration_1 = require("./go-duration");
Object.defineProperty(exports, "formatGoDuration", { enumerable: true, get: function () { return go_duration_1.formatGoDuration; } });
Object.defineProperty(exports, "parseGoDuration", { enumerable: true, get: function () { return go_duration_1.parseGoDuration; } });
var kube_time_1 = require("./kube-time");
Object.defineProperty(exports, "formatMicroTime", { enumerable: true, get: function () { return kube_time_1.formatMicroTime; } });
Object.defineProperty(exports, "formatTime", { enumerable: true, get: function () { return kube_time_1.formatTime; } });
Object.defineProperty(exports, "parseKubeTime", { enumerable: true, get: function () { return kube_time_1.parseKubeTime; } });
var envelope_1 = require("./envelope");
Object.defineProperty(exports, "sniffValue", { enumerable: true, get: function () { return envelope_1.sniffValue; } });
var cbor_1 = require("./cbor");
Object.defineProperty(exports, "decodeCbor", { enumerable: true, get: function () { return cbor_1.decodeCbor; } });
var kube_yaml_1 = require("./kube-yaml");
Object.defineProperty(exports, "toKubeYaml", { enumerable: true, get: function () { return kube_yaml_1.toKubeYaml; } });
/**
 * Creates a codec for a given Kubernetes version's sources or schema.
 * @example
 * const codec = createCodec({ sourcesDir: '/home/me/go/pkg/mod' });
 * codec.decode(bytes).object
 */
function createCodec(options = {}) {
    const schemaOptions = {};
    if (options.sourcesDir !== undefined)
        schemaOptions.sourcesDir = options.sourcesDir;
    const schema = options.schema ?? (0, schema_1.loadSchema)(schemaOptions);
    const decoder = (0, decode_1.createProtobufDecoder)(schema);
    const encoder = (0, encode_1.createProtobufEncoder)(schema, decoder.plans);
    return {
        schema,
        decode: (value, decodeOptions) => (0, decode_1.decodeValue)(decoder, value, decodeOptions),
        encode: (object, encodeOptions) => encoder.encode(object, encodeOptions),
    };
}
let defaultDecoder;
let defaultEncoder;
function defaults() {
    if (defaultDecoder === undefined || defaultEncoder === undefined) {
        const schema = (0, schema_1.loadSchema)();
        defaultDecoder = (0, decode_1.createProtobufDecoder)(schema);
        defaultEncoder = (0, encode_1.createProtobufEncoder)(schema, defaultDecoder.plans);
    }
    return { decoder: defaultDecoder, encoder: defaultEncoder };
}
/**
 * Decodes a value stored in etcd (protobuf, JSON, CBOR; encrypted and raw values are described) into
 * the object `kubectl get -o json` prints. Never throws on bad data: problems are in `error`. Uses the
 * schema of the installed Kubernetes sources (loaded once, on the first protobuf value); see
 * {@link createCodec} for others. Throws SchemaError only for a protobuf value when no schema can be
 * loaded at all (sources not installed).
 * @example
 * const d = decode(await fs.promises.readFile('pod.bin'));
 * d.object?.metadata // { name: 'pi-dqtsw', ... }
 */
function decode(value, options) {
    return (0, decode_1.decodeValue)(defaultDecoderGetter, value, options);
}
const defaultDecoderGetter = () => defaults().decoder;
/**
 * Encodes an object into the bytes kube-apiserver stores for it (`k8s\0` + runtime.Unknown).
 * Throws EncodeError naming the offending field's path.
 * @example
 * const bytes = encode({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data: { a: 'b' } });
 */
function encode(object, options) {
    return defaults().encoder.encode(object, options);
}
//# sourceMappingURL=index.js.map