/**
 * YAML exactly as `kubectl get -o yaml` prints it. kubectl uses sigs.k8s.io/yaml: the object is turned
 * into JSON, the JSON is read back by go-yaml v2 (so numbers become int/uint/float64 the YAML way) and
 * written by go-yaml v2's emitter (a port of libyaml). This module reproduces that emitter's rules:
 * - map keys in go-yaml's order (letters after non-letters, digit runs compared as numbers);
 * - 2-space indent, sequences inside a mapping written at the key's indentation (`- ` items);
 * - scalar style: plain when it would read back as the same string, double-quoted when it would read
 *   back as another type (`"true"`, `"123"`, `""`, timestamps such as `"2017-06-27T16:35:34Z"`),
 *   single-quoted when it has YAML indicators (`': '`, leading `-`…), literal `|` blocks for text with
 *   newlines, double-quoted with escapes for tabs, control characters and characters outside the BMP;
 * - long plain and quoted values folded at the first space after column 80;
 * - keys longer than 128 bytes written as complex keys (`? key` / `: value`);
 * - empty maps and lists as `{}` and `[]`; floats in Go's `%g` form (`1e+06`, `1.5`);
 * - a double-quoted scalar that starts with U+FEFF has every character escaped (go-yaml checks the
 *   first character for a BOM at each position).
 * What kubectl's JSON→YAML step itself changes (U+0085 folded, control characters refused) is applied by
 * `toKubectlYaml` (kubectl-format.ts), not here: this printer keeps every string as it is.
 */
import { utf8ByteCompare } from './go-utf8';
import { toKubeJson } from './go-json';

type Style = 'plain' | 'single' | 'double' | 'literal';

const BEST_WIDTH = 80;
const BEST_INDENT = 2;
const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;
const UINT64_MAX = (1n << 64n) - 1n;

const RESOLVE_MAP = new Set([
  'y',
  'Y',
  'yes',
  'Yes',
  'YES',
  'true',
  'True',
  'TRUE',
  'on',
  'On',
  'ON',
  'n',
  'N',
  'no',
  'No',
  'NO',
  'false',
  'False',
  'FALSE',
  'off',
  'Off',
  'OFF',
  '',
  '~',
  'null',
  'Null',
  'NULL',
  '.nan',
  '.NaN',
  '.NAN',
  '.inf',
  '.Inf',
  '.INF',
  '+.inf',
  '+.Inf',
  '+.INF',
  '-.inf',
  '-.Inf',
  '-.INF',
  '<<',
]);

const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const BASE60_FLOAT = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/;
const GO_INT = /^([+-]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/;
const DOT_FLOAT = /^\.[0-9]+(?:_[0-9]+)*(?:[eE][+-]?[0-9]+(?:_[0-9]+)*)?$/;
const TS_T =
  /^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})[Tt]([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2})(?:[.,][0-9]+)?(?:Z|[+-]([0-9]{2}):([0-9]{2}))$/;
const TS_SPACE = /^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2}) ([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2})(?:[.,][0-9]+)?$/;
const TS_DATE = /^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})$/;

function daysIn(month: number, year: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] as number;
}

/** go-yaml's parseTimestamp: the layouts it tries, with Go's time.Parse range checks. */
function isYamlTimestamp(s: string): boolean {
  const m = TS_T.exec(s) ?? TS_SPACE.exec(s) ?? TS_DATE.exec(s);
  if (m === null) return false;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1 || day > daysIn(month, year)) return false;
  if (m[4] !== undefined) {
    if (Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6]) > 59) return false;
  }
  if (m[7] !== undefined && (Number(m[7]) > 24 || Number(m[8]) > 60)) return false;
  return true;
}

function parsesAsGoInt(plain: string): boolean {
  const m = GO_INT.exec(plain);
  if (m === null) return false;
  let digits = m[2] as string;
  if (digits.length > 1 && digits[0] === '0' && /[0-7]/.test(digits[1] as string)) digits = '0o' + digits.slice(1);
  const magnitude = BigInt(digits);
  const v = m[1] === '-' ? -magnitude : magnitude;
  if (v >= INT64_MIN && v <= INT64_MAX) return true;
  return m[1] === '' && v <= UINT64_MAX;
}

/** True when go-yaml v2 would read `s`, written plain, back as the string `s` (encoder's canUsePlain). */
function readsBackAsString(s: string): boolean {
  if (RESOLVE_MAP.has(s)) return s === '<<';
  const c = s[0] as string;
  if (c === '.') {
    return !(DOT_FLOAT.test(s) && Number.isFinite(Number(s.replace(/_/g, ''))));
  }
  if (c === '+' || c === '-' || (c >= '0' && c <= '9')) {
    if (isYamlTimestamp(s)) return false;
    const plain = s.replace(/_/g, '');
    if (parsesAsGoInt(plain)) return false;
    if (YAML_STYLE_FLOAT.test(plain) && Number.isFinite(Number(plain))) return false;
    if (plain.startsWith('0b') && /^[01]+$/.test(plain.slice(2))) {
      const v = BigInt('0b' + plain.slice(2));
      return !(v <= UINT64_MAX);
    }
    if (plain.startsWith('-0b') && /^[01]+$/.test(plain.slice(3))) {
      return !(BigInt('0b' + plain.slice(3)) <= -INT64_MIN);
    }
    return !BASE60_FLOAT.test(s);
  }
  return true;
}

/** Strings whose analysis is trivial: printable ASCII, no blanks, no indicator at the start or inside. */
const SIMPLE_PLAIN = /^[A-Za-z0-9_/][A-Za-z0-9_./=+@~$%^()-]*$/;

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const LONE_SURROGATE_ALL = new RegExp(LONE_SURROGATE.source, 'g');

const LETTER = /\p{L}/u;
const DIGIT = /\p{Nd}/u;

/**
 * go-yaml v2's order of two string map keys (keyList.Less): at the first difference letters sort after
 * other characters, and runs of digits compare as numbers.
 * @example
 * ['b', 'a10', 'a9', 'a-b'].sort((x, y) => (yamlKeyLess(x, y) ? -1 : yamlKeyLess(y, x) ? 1 : 0))
 * // ['a-b', 'a9', 'a10', 'b']
 */
export function yamlKeyLess(a: string, b: string): boolean {
  // Fast path: at the first difference, two ASCII characters that are not digits.
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (i === n) return a.length < b.length;
  const x = a.charCodeAt(i);
  const y = b.charCodeAt(i);
  if (x < 0x80 && y < 0x80 && !(x >= 48 && x <= 57) && !(y >= 48 && y <= 57)) {
    const xl = (x | 0x20) >= 97 && (x | 0x20) <= 122;
    const yl = (y | 0x20) >= 97 && (y | 0x20) <= 122;
    if (xl && yl) return x < y;
    if (xl || yl) return yl;
    return x < y;
  }
  return yamlKeyLessSlow(a, b);
}

function yamlKeyLessSlow(a: string, b: string): boolean {
  const ar = Array.from(a);
  const br = Array.from(b);
  for (let i = 0; i < ar.length && i < br.length; i++) {
    const ac = ar[i] as string;
    const bc = br[i] as string;
    if (ac === bc) continue;
    const al = LETTER.test(ac);
    const bl = LETTER.test(bc);
    if (al && bl) return (ac.codePointAt(0) as number) < (bc.codePointAt(0) as number);
    if (al || bl) return bl;
    let an = 0n;
    let bn = 0n;
    if (ac === '0' || bc === '0') {
      for (let j = i - 1; j >= 0 && DIGIT.test(ar[j] as string); j--) {
        if (ar[j] !== '0') {
          an = 1n;
          bn = 1n;
          break;
        }
      }
    }
    let ai = i;
    for (; ai < ar.length && DIGIT.test(ar[ai] as string); ai++) {
      an = BigInt.asIntN(64, an * 10n + BigInt((ar[ai] as string).codePointAt(0)! - 48));
    }
    let bi = i;
    for (; bi < br.length && DIGIT.test(br[bi] as string); bi++) {
      bn = BigInt.asIntN(64, bn * 10n + BigInt((br[bi] as string).codePointAt(0)! - 48));
    }
    if (an !== bn) return an < bn;
    if (ai !== bi) return ai < bi;
    return (ac.codePointAt(0) as number) < (bc.codePointAt(0) as number);
  }
  return ar.length < br.length;
}

function compareKeys(a: string, b: string): number {
  if (yamlKeyLess(a, b)) return -1;
  if (yamlKeyLess(b, a)) return 1;
  return utf8ByteCompare(a, b);
}

/** Go's strconv.FormatFloat(f, 'g', -1, 64). */
function formatFloatG(f: number): string {
  if (Number.isNaN(f)) return '.nan';
  if (f === Infinity) return '.inf';
  if (f === -Infinity) return '-.inf';
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  const [mantissa, expText] = f.toExponential().split('e') as [string, string];
  const exp = Number(expText);
  if (exp < -4 || exp >= 6) {
    const sign = exp < 0 ? '-' : '+';
    return `${mantissa}e${sign}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  return String(f);
}

/** The YAML text of a JSON number as go-yaml v2 re-reads and re-writes it. */
function numberText(jsonText: string): string {
  if (parsesAsGoInt(jsonText)) {
    const v = BigInt(jsonText);
    return v.toString();
  }
  return formatFloatG(Number(jsonText));
}

function isBreak(c: string): boolean {
  return c === '\n' || c === '\r' || c === '\u0085' || c === '\u2028' || c === '\u2029';
}

function isBlankz(c: string | undefined): boolean {
  return c === undefined || c === ' ' || c === '\t' || c === '\u0000' || isBreak(c);
}

/** libyaml's is_printable, per code point. */
function isPrintable(cp: number): boolean {
  return (
    cp === 0x0a ||
    (cp >= 0x20 && cp <= 0x7e) ||
    (cp >= 0xa0 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd && cp !== 0xfeff)
  );
}

interface ScalarAnalysis {
  multiline: boolean;
  blockPlainAllowed: boolean;
  singleQuotedAllowed: boolean;
  blockAllowed: boolean;
}

function analyzeScalar(chars: string[]): ScalarAnalysis {
  if (chars.length === 0) {
    return { multiline: false, blockPlainAllowed: true, singleQuotedAllowed: true, blockAllowed: false };
  }
  let blockIndicators = false;
  let lineBreaks = false;
  let special = false;
  let leadingSpace = false;
  let leadingBreak = false;
  let trailingSpace = false;
  let trailingBreak = false;
  let breakSpace = false;
  let spaceBreak = false;
  let previousSpace = false;
  let previousBreak = false;
  const head = chars.slice(0, 3).join('');
  if (chars.length >= 3 && (head === '---' || head === '...')) blockIndicators = true;
  let precededByWhitespace = true;
  const n = chars.length;
  for (let i = 0; i < n; i++) {
    const c = chars[i] as string;
    const next = chars[i + 1];
    const followedByWhitespace = next === undefined || next === ' ' || next === '\t';
    if (i === 0) {
      if ('#,[]{}&*!|>\'"%@`'.includes(c)) blockIndicators = true;
      else if ((c === '?' || c === ':') && followedByWhitespace) blockIndicators = true;
      else if (c === '-' && followedByWhitespace) blockIndicators = true;
    } else if (c === ':' && followedByWhitespace) blockIndicators = true;
    else if (c === '#' && precededByWhitespace) blockIndicators = true;
    if (!isPrintable(c.codePointAt(0) as number)) special = true;
    if (c === ' ') {
      if (i === 0) leadingSpace = true;
      if (i === n - 1) trailingSpace = true;
      if (previousBreak) breakSpace = true;
      previousSpace = true;
      previousBreak = false;
    } else if (isBreak(c)) {
      lineBreaks = true;
      if (i === 0) leadingBreak = true;
      if (i === n - 1) trailingBreak = true;
      if (previousSpace) spaceBreak = true;
      previousSpace = false;
      previousBreak = true;
    } else {
      previousSpace = false;
      previousBreak = false;
    }
    precededByWhitespace = isBlankz(c);
  }
  let blockPlainAllowed = true;
  let singleQuotedAllowed = true;
  let blockAllowed = true;
  if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) blockPlainAllowed = false;
  if (trailingSpace) blockAllowed = false;
  if (breakSpace) {
    blockPlainAllowed = false;
    singleQuotedAllowed = false;
  }
  if (spaceBreak || special) {
    blockPlainAllowed = false;
    singleQuotedAllowed = false;
    blockAllowed = false;
  }
  if (lineBreaks || blockIndicators) blockPlainAllowed = false;
  return { multiline: lineBreaks, blockPlainAllowed, singleQuotedAllowed, blockAllowed };
}

function utf8Length(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

interface Context {
  sequence: boolean;
  mapping: boolean;
  simpleKey: boolean;
}

/** A port of the parts of go-yaml v2's emitter that block-style output uses. */
class Emitter {
  private out = '';
  private column = 0;
  private indent = -1;
  private readonly indents: number[] = [];
  private whitespace = true;
  private indention = true;
  private mappingContext = false;
  private simpleKeyContext = false;

  text(): string {
    return this.out;
  }

  private put(s: string): void {
    this.out += s;
    this.column++;
  }

  private putBreak(): void {
    this.out += '\n';
    this.column = 0;
  }

  writeIndent(): void {
    const indent = Math.max(this.indent, 0);
    if (!this.indention || this.column > indent || (this.column === indent && !this.whitespace)) this.putBreak();
    while (this.column < indent) this.put(' ');
    this.whitespace = true;
    this.indention = true;
  }

  private writeIndicator(
    indicator: string,
    needWhitespace: boolean,
    isWhitespace: boolean,
    isIndention: boolean,
  ): void {
    if (needWhitespace && !this.whitespace) this.put(' ');
    this.out += indicator;
    this.column += indicator.length;
    this.whitespace = isWhitespace;
    this.indention = this.indention && isIndention;
  }

  private increaseIndent(flow: boolean, indentless: boolean): void {
    this.indents.push(this.indent);
    if (this.indent < 0) this.indent = flow ? BEST_INDENT : 0;
    else if (!indentless) this.indent += BEST_INDENT;
  }

  private popIndent(): void {
    this.indent = this.indents.pop() as number;
  }

  emitNode(value: unknown, ctx: Context): void {
    this.mappingContext = ctx.mapping;
    this.simpleKeyContext = ctx.simpleKey;
    if (value === null || value === undefined) return this.emitScalar('null', 'plain');
    if (typeof value === 'string') return this.emitString(value);
    if (typeof value === 'boolean') return this.emitScalar(value ? 'true' : 'false', 'plain');
    if (typeof value === 'number' && Number.isSafeInteger(value)) return this.emitScalar(String(value), 'plain');
    if (typeof value === 'number' || typeof value === 'bigint')
      return this.emitScalar(numberText(toKubeJson(value)), 'plain');
    if (value instanceof Uint8Array) return this.emitString(JSON.parse(toKubeJson(value)) as string);
    if (Array.isArray(value)) return this.emitSequence(value as unknown[]);
    if (typeof value === 'object') return this.emitMapping(entriesOf(value as object));
    return this.emitScalar('null', 'plain');
  }

  private emitString(s: string): void {
    // A lone surrogate cannot be in a Go string: Go's JSON step turns it into U+FFFD.
    if (LONE_SURROGATE.test(s)) s = s.replace(LONE_SURROGATE_ALL, '\uFFFD');
    let style: Style;
    if (s.includes('\n')) style = 'literal';
    else if (readsBackAsString(s)) style = 'plain';
    else style = 'double';
    this.emitScalar(s, style);
  }

  private emitFlowEmpty(open: string, close: string): void {
    this.writeIndicator(open, true, true, false);
    this.writeIndicator(close, false, false, false);
  }

  private emitSequence(items: unknown[]): void {
    if (items.length === 0) return this.emitFlowEmpty('[', ']');
    this.increaseIndent(false, this.mappingContext && !this.indention);
    for (const item of items) {
      this.writeIndent();
      this.writeIndicator('-', true, false, true);
      this.emitNode(item === undefined ? null : item, { sequence: true, mapping: false, simpleKey: false });
    }
    this.popIndent();
  }

  private emitMapping(entries: Array<[string, unknown]>): void {
    if (entries.length === 0) return this.emitFlowEmpty('{', '}');
    this.increaseIndent(false, false);
    for (const [key, value] of entries) {
      this.writeIndent();
      const keyChars = Array.from(key);
      const simple = !analyzeScalar(keyChars).multiline && utf8Length(key) <= 128;
      if (simple) {
        this.emitNode(key, { sequence: false, mapping: true, simpleKey: true });
        this.writeIndicator(':', false, false, false);
      } else {
        this.writeIndicator('?', true, false, true);
        this.emitNode(key, { sequence: false, mapping: true, simpleKey: false });
        this.writeIndent();
        this.writeIndicator(':', true, false, true);
      }
      this.emitNode(value, { sequence: false, mapping: true, simpleKey: false });
    }
    this.popIndent();
  }

  private emitScalar(value: string, requested: Style): void {
    if (requested === 'plain' && SIMPLE_PLAIN.test(value)) {
      // No spaces, breaks, indicators or special characters: written as is, never folded.
      if (!this.whitespace) this.put(' ');
      this.out += value;
      this.column += value.length;
      this.whitespace = false;
      this.indention = false;
      return;
    }
    const chars = Array.from(value);
    const a = analyzeScalar(chars);
    let style = requested;
    if (this.simpleKeyContext && a.multiline) style = 'double';
    if (style === 'plain') {
      if (!a.blockPlainAllowed) style = 'single';
      if (chars.length === 0 && this.simpleKeyContext) style = 'single';
    }
    if (style === 'single' && !a.singleQuotedAllowed) style = 'double';
    if (style === 'literal' && (!a.blockAllowed || this.simpleKeyContext)) style = 'double';
    this.increaseIndent(true, false);
    const allowBreaks = !this.simpleKeyContext;
    if (style === 'plain') this.writePlain(chars, allowBreaks);
    else if (style === 'single') this.writeSingle(chars, allowBreaks);
    else if (style === 'double') this.writeDouble(chars, allowBreaks);
    else this.writeLiteral(chars);
    this.popIndent();
  }

  private writeBreakChar(c: string): void {
    if (c === '\n') this.putBreak();
    else {
      this.out += c;
      this.column = 0;
    }
  }

  private writePlain(chars: string[], allowBreaks: boolean): void {
    if (!this.whitespace) this.put(' ');
    let spaces = false;
    let breaks = false;
    for (let i = 0; i < chars.length; i++) {
      const c = chars[i] as string;
      if (c === ' ') {
        if (allowBreaks && !spaces && this.column > BEST_WIDTH && chars[i + 1] !== ' ') this.writeIndent();
        else this.put(c);
        spaces = true;
      } else if (isBreak(c)) {
        if (!breaks && c === '\n') this.putBreak();
        this.writeBreakChar(c);
        this.indention = true;
        breaks = true;
      } else {
        if (breaks) this.writeIndent();
        this.put(c);
        this.indention = false;
        spaces = false;
        breaks = false;
      }
    }
    this.whitespace = false;
    this.indention = false;
  }

  private writeSingle(chars: string[], allowBreaks: boolean): void {
    this.writeIndicator("'", true, false, false);
    let spaces = false;
    let breaks = false;
    const n = chars.length;
    for (let i = 0; i < n; i++) {
      const c = chars[i] as string;
      if (c === ' ') {
        if (allowBreaks && !spaces && this.column > BEST_WIDTH && i > 0 && i < n - 1 && chars[i + 1] !== ' ') {
          this.writeIndent();
        } else this.put(c);
        spaces = true;
      } else if (isBreak(c)) {
        if (!breaks && c === '\n') this.putBreak();
        this.writeBreakChar(c);
        this.indention = true;
        breaks = true;
      } else {
        if (breaks) this.writeIndent();
        if (c === "'") this.put("'");
        this.put(c);
        this.indention = false;
        spaces = false;
        breaks = false;
      }
    }
    this.writeIndicator("'", false, false, false);
    this.whitespace = false;
    this.indention = false;
  }

  private writeDouble(chars: string[], allowBreaks: boolean): void {
    this.writeIndicator('"', true, false, false);
    let spaces = false;
    const n = chars.length;
    // go-yaml's is_bom looks at the scalar's first character whatever the position: a scalar that starts
    // with U+FEFF has every character escaped ("\uFEFF\x62\x6F\x6D").
    const bomFirst = chars[0] === '\ufeff';
    for (let i = 0; i < n; i++) {
      const c = chars[i] as string;
      const cp = c.codePointAt(0) as number;
      if (bomFirst || !isPrintable(cp) || isBreak(c) || c === '"' || c === '\\') {
        this.put('\\');
        const short = DOUBLE_ESCAPES.get(cp);
        if (short !== undefined) this.put(short);
        else {
          const [letter, width] = cp <= 0xff ? ['x', 2] : cp <= 0xffff ? ['u', 4] : ['U', 8];
          this.put(letter);
          for (const d of cp.toString(16).toUpperCase().padStart(width, '0')) this.put(d);
        }
        spaces = false;
      } else if (c === ' ') {
        if (allowBreaks && !spaces && this.column > BEST_WIDTH && i > 0 && i < n - 1) {
          this.writeIndent();
          if (chars[i + 1] === ' ') this.put('\\');
        } else this.put(c);
        spaces = true;
      } else {
        this.put(c);
        spaces = false;
      }
    }
    this.writeIndicator('"', false, false, false);
    this.whitespace = false;
    this.indention = false;
  }

  private writeLiteral(chars: string[]): void {
    this.writeIndicator('|', true, false, false);
    const first = chars[0];
    if (first === ' ' || (first !== undefined && isBreak(first)))
      this.writeIndicator(String(BEST_INDENT), false, false, false);
    let chomp = '';
    if (chars.length === 0) chomp = '-';
    else {
      const last = chars[chars.length - 1] as string;
      if (!isBreak(last)) chomp = '-';
      else if (chars.length === 1) chomp = '+';
      else if (isBreak(chars[chars.length - 2] as string)) chomp = '+';
    }
    if (chomp !== '') this.writeIndicator(chomp, false, false, false);
    this.putBreak();
    this.indention = true;
    this.whitespace = true;
    let breaks = true;
    for (const c of chars) {
      if (isBreak(c)) {
        this.writeBreakChar(c);
        this.indention = true;
        breaks = true;
      } else {
        if (breaks) this.writeIndent();
        this.put(c);
        this.indention = false;
        breaks = false;
      }
    }
  }
}

const DOUBLE_ESCAPES = new Map<number, string>([
  [0x00, '0'],
  [0x07, 'a'],
  [0x08, 'b'],
  [0x09, 't'],
  [0x0a, 'n'],
  [0x0b, 'v'],
  [0x0c, 'f'],
  [0x0d, 'r'],
  [0x1b, 'e'],
  [0x22, '"'],
  [0x5c, '\\'],
  [0x85, 'N'],
  [0xa0, '_'],
  [0x2028, 'L'],
  [0x2029, 'P'],
]);

function entriesOf(value: object): Array<[string, unknown]> {
  const entries: Array<[string, unknown]> = [];
  if (value instanceof Map) {
    for (const [k, v] of value as Map<unknown, unknown>) if (v !== undefined) entries.push([String(k), v]);
  } else {
    for (const [k, v] of Object.entries(value)) {
      if (v !== undefined && typeof v !== 'function' && typeof v !== 'symbol') entries.push([k, v]);
    }
  }
  if (entries.some((e) => LONE_SURROGATE.test(e[0])))
    return collapseInvalidKeys(entries).sort((a, b) => compareKeys(a[0], b[0]));
  return entries.sort((a, b) => compareKeys(a[0], b[0]));
}

/**
 * Keys holding invalid UTF-8 (lone surrogates, see decodeGoString): kubectl's JSON step prints each
 * invalid byte as `\ufffd` and go-yaml reads that JSON back into a map, so keys that differ only in
 * invalid bytes become one key U+FFFD…, holding the value printed last (Go prints map keys sorted by
 * their original bytes).
 */
function collapseInvalidKeys(entries: Array<[string, unknown]>): Array<[string, unknown]> {
  entries.sort((a, b) => utf8ByteCompare(a[0], b[0]));
  const map = new Map<string, unknown>();
  for (const [k, v] of entries) map.set(LONE_SURROGATE.test(k) ? k.replace(LONE_SURROGATE_ALL, '\uFFFD') : k, v);
  return [...map];
}

/**
 * The YAML text `kubectl get -o yaml` prints for this object (sigs.k8s.io/yaml over go-yaml v2).
 * Values are the same plain data {@link toKubeJson} takes (bigint for int64 beyond 2^53).
 * @example
 * toKubeYaml({ kind: 'Pod', metadata: { name: 'web', labels: { app: 'true' } } })
 * // 'kind: Pod\nmetadata:\n  labels:\n    app: "true"\n  name: web\n'
 */
export function toKubeYaml(value: unknown): string {
  const emitter = new Emitter();
  emitter.emitNode(value, { sequence: false, mapping: false, simpleKey: false });
  emitter.writeIndent();
  return emitter.text();
}

/**
 * The YAML of `value` as one item of a top-level list (`items:` of a List document, as
 * `kubectl get -o yaml` prints it): `- ` then the item, its lines indented by two spaces, folded at the
 * same columns as inside the whole document. Concatenated between the document's head and tail, the
 * items give exactly {@link toKubeYaml} of the whole List, so a long list can be written item by item.
 * @example
 * toKubeYamlListItem({ kind: 'Pod', metadata: { name: 'web' } })
 * // '- kind: Pod\n  metadata:\n    name: web\n'
 */
export function toKubeYamlListItem(value: unknown): string {
  // `items` alone in a mapping: the sequence starts at column 0, as in the List document.
  const text = toKubeYaml({ items: [value] });
  return text.slice('items:\n'.length);
}
