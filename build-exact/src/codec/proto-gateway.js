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
exports.parseProtoText = parseProtoText;
/**
 * The only place kubetcd touches protobufjs: parse the text of a `.proto` file into a small neutral
 * structure (messages with their fields), so the rest of the codec never depends on protobufjs' model.
 */
const protobuf = __importStar(require("protobufjs"));
const errors_1 = require("../errors");
/**
 * Parses the text of a `.proto` file (field names kept as written).
 * @example
 * const def = parseProtoText('syntax = "proto2"; package a; message M { optional string s = 1; }');
 * def.messages[0].fields[0].name // 's'
 */
function parseProtoText(text, fileName = '<proto>') {
    let parsed;
    try {
        parsed = protobuf.parse(text, { keepCase: true });
    }
    catch (e) {
        throw new errors_1.SchemaError(`Cannot parse ${fileName} as a .proto file: ${e.message}. Reinstall the sources with \`bash proto/install.sh --force\`.`, { file: fileName });
    }
    const pkg = parsed.package ?? '';
    const messages = [];
    const walk = (ns, prefix) => {
        for (const child of ns.nestedArray) {
            const full = prefix ? `${prefix}.${child.name}` : child.name;
            if (child instanceof protobuf.Type) {
                const fields = [];
                for (const f of child.fieldsArray) {
                    const def = {
                        name: f.name,
                        number: f.id,
                        type: f.type,
                        repeated: f.repeated,
                    };
                    if (f instanceof protobuf.MapField)
                        def.mapKey = f.keyType;
                    fields.push(def);
                }
                messages.push({ name: full, fields });
            }
            if (child instanceof protobuf.Namespace || child instanceof protobuf.Type) {
                walk(child, full);
            }
        }
    };
    walk(parsed.root, '');
    const goPackage = parsed.root.lookup(pkg) ? readGoPackage(parsed.root, pkg) : undefined;
    const out = { package: pkg, messages };
    if (goPackage !== undefined)
        out.goPackage = goPackage;
    return out;
}
function readGoPackage(root, pkg) {
    const ns = root.lookup(pkg);
    const opt = ns?.options?.['go_package'] ?? root.options?.['go_package'];
    return typeof opt === 'string' ? opt : undefined;
}
//# sourceMappingURL=proto-gateway.js.map