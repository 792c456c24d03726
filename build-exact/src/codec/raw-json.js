"use strict";
/**
 * Embedded JSON (`runtime.RawExtension`, `metav1.FieldsV1`) is stored as the text that was submitted,
 * and Go prints that text as is (only compacted): `12.50`, `1e3`, `"\u00e9"` or `"\/"` survive, where
 * re-printing a parsed value would give `12.5`, `1000`, `"é"`, `"/"`. So that kubetcd prints and
 * re-encodes such values exactly, the decoder marks the parsed object or array with the original
 * compact text (a non-enumerable symbol property, invisible to JSON.stringify, lodash and `for…in`)
 * together with how the parsed value prints. Printers and encoders use the original text only while
 * the value still prints that way, so an edited value is written as edited.
 */
Object.defineProperty(exports, "__esModule", { value: true });
exports.RAW_JSON = void 0;
exports.markRawJson = markRawJson;
exports.rawJsonMark = rawJsonMark;
/** The property holding a {@link RawJsonMark} on a decoded object or array. */
exports.RAW_JSON = Symbol.for('kubetcd.rawJson');
/**
 * Marks a parsed object or array with the original compact text of its JSON.
 * @example
 * const v = { a: 12.5 };
 * markRawJson(v, '{"a":12.50}', '{"a":12.5}');
 */
function markRawJson(value, text, printed) {
    Object.defineProperty(value, exports.RAW_JSON, { value: { text, printed }, enumerable: false, configurable: true, writable: true });
}
/**
 * The mark of a value (undefined for unmarked values and primitives). Callers check `printed`
 * against the value's current printing before using `text`.
 * @example
 * rawJsonMark(decoded.object['object'])?.text // '{"a":12.50}'
 */
function rawJsonMark(value) {
    if (value === null || typeof value !== 'object')
        return undefined;
    return value[exports.RAW_JSON];
}
//# sourceMappingURL=raw-json.js.map