/**
 * Embedded JSON (`runtime.RawExtension`, `metav1.FieldsV1`) is stored as the text that was submitted,
 * and Go prints that text as is (only compacted): `12.50`, `1e3`, `"\u00e9"` or `"\/"` survive, where
 * re-printing a parsed value would give `12.5`, `1000`, `"é"`, `"/"`. So that kubetcd prints and
 * re-encodes such values exactly, the decoder marks the parsed object or array with the original
 * compact text (a non-enumerable symbol property, invisible to JSON.stringify, lodash and `for…in`)
 * together with how the parsed value prints. Printers and encoders use the original text only while
 * the value still prints that way, so an edited value is written as edited.
 */

/** The property holding a {@link RawJsonMark} on a decoded object or array. */
export const RAW_JSON: unique symbol = Symbol.for('kubetcd.rawJson') as never;

/** What the decoder remembers about embedded JSON whose text differs from its re-printed value. */
export interface RawJsonMark {
  /** The stored text, compacted as Go prints it (with `<`, `>`, `&`, U+2028, U+2029 escaped). */
  text: string;
  /** `toKubeJson(value)` at decode time: the original text applies while the value still prints so. */
  printed: string;
}

/**
 * Marks a parsed object or array with the original compact text of its JSON.
 * @example
 * const v = { a: 12.5 };
 * markRawJson(v, '{"a":12.50}', '{"a":12.5}');
 */
export function markRawJson(value: object, text: string, printed: string): void {
  Object.defineProperty(value, RAW_JSON, {
    value: { text, printed } satisfies RawJsonMark,
    enumerable: false,
    configurable: true,
    writable: true,
  });
}

/**
 * The mark of a value (undefined for unmarked values and primitives). Callers check `printed`
 * against the value's current printing before using `text`.
 * @example
 * rawJsonMark(decoded.object['object'])?.text // '{"a":12.50}'
 */
export function rawJsonMark(value: unknown): RawJsonMark | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  return (value as { [RAW_JSON]?: RawJsonMark })[RAW_JSON];
}

/**
 * The property holding {@link RawJsonFieldMarks} on an object (or array) one of whose fields (or items)
 * is embedded JSON with a bare number or string whose text differs from its re-printed value (`12.50`,
 * `1e3`, `"\u00e9"`): a primitive cannot carry a mark, so its parent carries it, per field name.
 */
export const RAW_JSON_FIELDS: unique symbol = Symbol.for('kubetcd.rawJsonFields') as never;

/** Marks of an object's primitive embedded-JSON fields (or an array's items, by index), by key. */
export type RawJsonFieldMarks = Record<string, RawJsonMark>;

/**
 * Marks the field `key` of `parent` (an object, or an array with the index as key) as embedded JSON
 * whose stored compact text is `text` while its value prints as `printed`.
 * @example
 * const o = { raw: 12.5 };
 * markRawJsonField(o, 'raw', '12.50', '12.5');
 */
export function markRawJsonField(parent: object, key: string, text: string, printed: string): void {
  let marks = (parent as { [RAW_JSON_FIELDS]?: RawJsonFieldMarks })[RAW_JSON_FIELDS];
  if (marks === undefined) {
    marks = Object.create(null) as RawJsonFieldMarks;
    Object.defineProperty(parent, RAW_JSON_FIELDS, {
      value: marks,
      enumerable: false,
      configurable: true,
      writable: true,
    });
  }
  marks[key] = { text, printed };
}

/**
 * The mark of the field `key` of `parent` (undefined when unmarked). Callers check `printed` against
 * the field's current printing before using `text`.
 * @example
 * rawJsonFieldMark(decoded.object, 'object')?.text // '12.50'
 */
export function rawJsonFieldMark(parent: unknown, key: string): RawJsonMark | undefined {
  if (parent === null || typeof parent !== 'object') return undefined;
  return (parent as { [RAW_JSON_FIELDS]?: RawJsonFieldMarks })[RAW_JSON_FIELDS]?.[key];
}

/**
 * Copies the field marks of `from` onto `to` (a shallow copy of it, which spreading does not give them).
 * @example
 * const copy = { ...decoded.object };
 * copyRawJsonFieldMarks(decoded.object, copy);
 */
export function copyRawJsonFieldMarks(from: object, to: object): void {
  const marks = (from as { [RAW_JSON_FIELDS]?: RawJsonFieldMarks })[RAW_JSON_FIELDS];
  if (marks !== undefined) {
    Object.defineProperty(to, RAW_JSON_FIELDS, { value: marks, enumerable: false, configurable: true, writable: true });
  }
}
