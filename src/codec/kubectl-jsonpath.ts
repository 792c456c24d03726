/**
 * kubectl's JSONPath dialect (`-o jsonpath=…`, `-o jsonpath-as-json=…`, `-o custom-columns=…`,
 * `--sort-by=…`), parsed and run over objects as kubectl holds them (toKubectlObject: sorted keys,
 * int64 as integers, other numbers as float64). Learned by running kubectl 1.36.4:
 * - a template is text with actions in braces: `{.items[*].metadata.name}`, `{range .items[*]}…{end}`,
 *   string literals `{"\t"}` (Go escapes) and `{'x'}`, numbers, `true`/`false`;
 * - inside an action: `.field` (a `\.` keeps a dot in the name), `..field` (recursive descent), `.*`
 *   and `[*]`, `$` (the root), `@` (the current value), `[i]`, `[start:end:step]` (negative from the
 *   end; out of bounds is an error), unions `[0,1]` and `['a','b']`, filters `[?(@.x == "y")]` with
 *   `== != < > <= >=` or existence `[?(@.x)]`;
 * - a missing key gives nothing (kubectl get allows missing keys); an index past the end, indexing a
 *   non-array, comparing values of different types are errors;
 * - each action prints its results separated by one space: strings as they are, numbers as Go's `%v`,
 *   maps and arrays as compact JSON (Go's escaping); with jsonpath-as-json, each action prints its
 *   results as an indented JSON array and a newline.
 * One difference: kubectl walks a map's keys (`.*`, `..`) in Go's random map order; kubetcd in sorted
 * order, so its output is one of kubectl's possible outputs.
 */
import { InvalidArgumentError } from '../errors';
import { toKubeJson } from './go-json';

type Step =
  | { type: 'field'; name: string }
  | { type: 'wildcard' }
  | { type: 'recursive' }
  | { type: 'root' }
  | { type: 'current' }
  | { type: 'slice'; start: number | undefined; end: number | undefined; step: number | undefined; single: boolean }
  | { type: 'union'; branches: Step[][] }
  | { type: 'filter'; left: Step[]; op: string | undefined; right: Step[] }
  | { type: 'literal'; value: string | bigint | number | boolean; float?: boolean }
  | { type: 'identifier'; name: string };

type Segment =
  | { type: 'text'; text: string }
  | { type: 'action'; steps: Step[] }
  | { type: 'range'; steps: Step[] }
  | { type: 'end' };

/** A parsed JSONPath template (see {@link parseJsonPath}). */
export interface JsonPathTemplate {
  /** The template as given. */
  readonly source: string;
  /** @internal */
  readonly segments: readonly Segment[];
}

function parseError(template: string, message: string, offset: number): InvalidArgumentError {
  return new InvalidArgumentError(
    `error parsing jsonpath ${template}, ${message} (at offset ${offset}: ${JSON.stringify(template.slice(offset, offset + 20))}). ` +
      'Fix the template: kubectl\'s JSONPath, such as {.items[*].metadata.name} or {range .items[*]}{.metadata.name}{"\\n"}{end}.',
    { offset },
  );
}

function execError(template: string, message: string): InvalidArgumentError {
  return new InvalidArgumentError(
    `error executing jsonpath ${JSON.stringify(template)}: Error executing template: ${message}. Fix the template or the data it is run on.`,
  );
}

const NAME_END = new Set([
  ' ',
  '\t',
  '\n',
  '\r',
  '.',
  '[',
  ']',
  '{',
  '}',
  '(',
  ')',
  ',',
  '=',
  '!',
  '<',
  '>',
  '"',
  "'",
  '@',
  '$',
  '*',
]);
const SLICE = /^(-?\d*)(?::(-?\d*))?(?::(-?\d*))?$/;

/** Parses the inside of one action (`text` from `from` to `to`) into steps. */
function parseSteps(template: string, text: string, base: number): Step[] {
  const steps: Step[] = [];
  let i = 0;
  const at = (): number => base + i;
  while (i < text.length) {
    const c = text[i] as string;
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
    } else if (c === '.') {
      if (text[i + 1] === '.') {
        // `..name`: recursive descent, then the field (read below as if after one dot)
        steps.push({ type: 'recursive' });
        i++;
      }
      i++;
      if (text[i] === '*') {
        steps.push({ type: 'wildcard' });
        i++;
        continue;
      }
      let name = '';
      while (i < text.length && !NAME_END.has(text[i] as string)) {
        if (text[i] === '\\' && text[i + 1] === '.') {
          name += '.';
          i += 2;
        } else name += text[i++] as string;
      }
      steps.push({ type: 'field', name });
    } else if (c === '$') {
      steps.push({ type: 'root' });
      i++;
    } else if (c === '@') {
      steps.push({ type: 'current' });
      i++;
    } else if (c === '[') {
      if (text[i + 1] === '?') {
        const start = i;
        if (text[i + 2] !== '(')
          throw parseError(
            template,
            `invalid array index ${text.slice(i + 1, text.indexOf(']', i) < 0 ? undefined : text.indexOf(']', i))}`,
            at(),
          );
        const close = text.indexOf(')]', i);
        if (close < 0) throw parseError(template, 'unterminated filter', base + start);
        steps.push(parseFilter(template, text.slice(i + 3, close), base + i + 3));
        i = close + 2;
        continue;
      }
      const close = text.indexOf(']', i);
      if (close < 0 || text.slice(i, close).includes('\n')) throw parseError(template, 'unterminated array', at());
      const inner = text.slice(i + 1, close);
      steps.push(parseBracket(template, inner, base + i + 1));
      i = close + 1;
    } else if (c === '"' || c === "'") {
      const { value, next } = parseQuoted(template, text, i, base);
      steps.push({ type: 'literal', value });
      i = next;
    } else if (c === '-' || (c >= '0' && c <= '9')) {
      const m = /^-?\d+(\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(i));
      if (m === null) throw parseError(template, `unrecognized character in action: ${goChar(c)}`, at());
      const float = m[1] !== undefined || /[eE]/.test(m[0]);
      steps.push(
        float ? { type: 'literal', value: Number(m[0]), float: true } : { type: 'literal', value: BigInt(m[0]) },
      );
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i)) as RegExpExecArray;
      const word = m[0];
      if (word === 'true' || word === 'false') steps.push({ type: 'literal', value: word === 'true' });
      else steps.push({ type: 'identifier', name: word });
      i += word.length;
    } else {
      throw parseError(template, `unrecognized character in action: ${goChar(c)}`, at());
    }
  }
  return steps;
}

/** A character as Go's %#U prints it: U+002C ','. */
function goChar(c: string): string {
  return `U+${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')} '${c}'`;
}

function parseQuoted(template: string, text: string, i: number, base: number): { value: string; next: number } {
  const quote = text[i] as string;
  let j = i + 1;
  let raw = '';
  while (j < text.length && text[j] !== quote) {
    if (text[j] === '\\' && j + 1 < text.length) {
      raw += text.slice(j, j + 2);
      j += 2;
    } else raw += text[j++] as string;
  }
  if (j >= text.length) throw parseError(template, 'unterminated quoted string', base + i);
  return { value: quote === '"' ? unquoteGo(template, raw, base + i) : raw, next: j + 1 };
}

/** Go's escapes in a double-quoted string: \n \t \r \\ \" \a \b \f \v \xHH \uHHHH \UHHHHHHHH \ooo. */
function unquoteGo(template: string, raw: string, offset: number): string {
  return raw.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{3}|.)/gs, (_, e: string) => {
    switch (e[0]) {
      case 'n':
        return '\n';
      case 't':
        return '\t';
      case 'r':
        return '\r';
      case 'a':
        return '\x07';
      case 'b':
        return '\b';
      case 'f':
        return '\f';
      case 'v':
        return '\v';
      case '\\':
      case '"':
        return e;
      case 'x':
      case 'u':
      case 'U':
        return String.fromCodePoint(parseInt(e.slice(1), 16));
      default:
        if (/^[0-7]{3}$/.test(e)) return String.fromCharCode(parseInt(e, 8));
        throw parseError(template, `invalid syntax in quoted string (escape \\${e})`, offset);
    }
  });
}

function parseBracket(template: string, inner: string, base: number): Step {
  const text = inner === '*' ? ':' : inner;
  const parts = text.split(',');
  if (parts.length > 1) {
    let offset = base;
    const branches = parts.map((p) => {
      const step = parseBracket(template, p.trim(), offset);
      offset += p.length + 1;
      return [step];
    });
    return { type: 'union', branches: branches.map((b) => (b[0]?.type === 'union' ? (b[0].branches[0] ?? []) : b)) };
  }
  const key = /^'([^']*)'$/.exec(text);
  if (key !== null) {
    // kubectl reads ['a.b'] as the fields .a.b
    const steps = parseSteps(template, `.${key[1] as string}`, base);
    return steps.length === 1 ? (steps[0] as Step) : { type: 'union', branches: [steps] };
  }
  const m = SLICE.exec(text);
  if (m === null) throw parseError(template, `invalid array index ${text}`, base);
  const num = (s: string | undefined): number | undefined => (s === undefined || s === '' ? undefined : Number(s));
  return {
    type: 'slice',
    start: num(m[1]),
    end: num(m[2]),
    step: num(m[3]),
    single: m[2] === undefined && m[3] === undefined,
  };
}

function parseFilter(template: string, text: string, base: number): Step {
  const m = /^(.*?)(==|!=|>=|<=|>|<)(.*)$/s.exec(text);
  if (m === null) return { type: 'filter', left: parseSteps(template, text, base), op: undefined, right: [] };
  const left = m[1] as string;
  const op = m[2] as string;
  return {
    type: 'filter',
    left: parseSteps(template, left, base),
    op,
    right: parseSteps(template, m[3] as string, base + left.length + op.length),
  };
}

/**
 * Parses a kubectl JSONPath template. Throws InvalidArgumentError with kubectl's message and the offset
 * in the template (`error parsing jsonpath {.items[}, unterminated array (at offset 7: …)`).
 * @example
 * printJsonPath(list, parseJsonPath('{range .items[*]}{.metadata.name}{"\\n"}{end}'))
 */
export function parseJsonPath(template: string): JsonPathTemplate {
  if (typeof template !== 'string' || template === '') {
    throw new InvalidArgumentError(
      'template format specified but no template given. Pass one: -o jsonpath={.metadata.name}.',
    );
  }
  const segments: Segment[] = [];
  let i = 0;
  let text = '';
  while (i < template.length) {
    const open = template.indexOf('{', i);
    if (open < 0) {
      text += template.slice(i);
      break;
    }
    text += template.slice(i, open);
    if (text !== '') segments.push({ type: 'text', text });
    text = '';
    // the action ends at the first } outside quotes
    let j = open + 1;
    let quote: string | undefined;
    for (; j < template.length; j++) {
      const c = template[j] as string;
      if (quote !== undefined) {
        if (c === '\\') j++;
        else if (c === quote) quote = undefined;
      } else if (c === '"' || c === "'") quote = c;
      else if (c === '}') break;
    }
    if (quote !== undefined) throw parseError(template, 'unterminated quoted string', open);
    if (j >= template.length) throw parseError(template, 'unclosed action', open);
    const inner = template.slice(open + 1, j);
    const word = /^\s*(range|end)\b/.exec(inner);
    if (word?.[1] === 'end' && inner.trim() === 'end') segments.push({ type: 'end' });
    else if (word?.[1] === 'range')
      segments.push({
        type: 'range',
        steps: parseSteps(template, inner.slice(word[0].length), open + 1 + word[0].length),
      });
    else segments.push({ type: 'action', steps: parseSteps(template, inner, open + 1) });
    i = j + 1;
  }
  if (text !== '') segments.push({ type: 'text', text });
  return { source: template, segments };
}

/**
 * kubectl's relaxed form for custom-columns and --sort-by: `.a.b`, `a.b`, `{.a.b}` and `{a.b}` all mean
 * `{.a.b}`.
 * @example
 * relaxedJsonPath('metadata.name') // '{.metadata.name}'
 */
export function relaxedJsonPath(path: string): string {
  const m = /^\{?(.*?)\}?$/s.exec(path.trim()) as RegExpExecArray;
  const inner = m[1] as string;
  if (inner === '')
    throw new InvalidArgumentError(
      `Invalid JSONPath ${JSON.stringify(path)}: it is empty. Pass a path such as .metadata.name.`,
    );
  return `{${inner.startsWith('.') || inner.startsWith('$') || inner.startsWith('@') ? '' : '.'}${inner}}`;
}

// ---------------------------------------------------------------------------------------------------
// Evaluation

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The Go type name kubectl's messages use. */
function goType(v: unknown): string {
  if (isMap(v)) return 'map[string]interface {}';
  if (Array.isArray(v)) return '[]interface {}';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'bigint' || (typeof v === 'number' && isInt64(v))) return 'int64';
  if (typeof v === 'number') return 'float64';
  return 'interface {}';
}

function isInt64(n: number): boolean {
  return Number.isInteger(n) && Math.abs(n) < 2 ** 63;
}

class Evaluator {
  constructor(
    private readonly template: string,
    private readonly root: unknown,
  ) {}

  walk(values: unknown[], steps: readonly Step[]): unknown[] {
    let cur = values;
    for (const s of steps) cur = this.step(cur, s);
    return cur;
  }

  private step(values: unknown[], s: Step): unknown[] {
    switch (s.type) {
      case 'root':
        return [this.root];
      case 'current':
        return values;
      case 'literal':
        return [s];
      case 'identifier':
        throw execError(this.template, `unrecognized identifier ${s.name}`);
      case 'field':
        return values.flatMap((v) => (s.name !== '' && isMap(v) && Object.hasOwn(v, s.name) ? [v[s.name]] : []));
      case 'wildcard':
        return values.flatMap((v) => (isMap(v) ? Object.values(v) : Array.isArray(v) ? v : []));
      case 'recursive': {
        const out: unknown[] = [];
        const visit = (v: unknown): void => {
          out.push(v);
          if (isMap(v)) for (const c of Object.values(v)) visit(c);
          else if (Array.isArray(v)) for (const c of v) visit(c);
        };
        for (const v of values) visit(v);
        return out;
      }
      case 'union':
        return s.branches.flatMap((b) => this.walk(values, b));
      case 'slice':
        return values.flatMap((v) => this.slice(v, s));
      case 'filter':
        return values.flatMap((v) => this.filter(v, s));
    }
  }

  private slice(v: unknown, s: Extract<Step, { type: 'slice' }>): unknown[] {
    if (v === null || v === undefined) return [];
    if (!Array.isArray(v)) throw execError(this.template, `${goType(v)} is not array or slice`);
    const len = v.length;
    let start = s.start ?? 0;
    if (start < 0) start += len;
    let end = s.single ? start + 1 : (s.end ?? len);
    if (!s.single && s.end !== undefined && end < 0) end += len;
    const step = s.step ?? 1;
    if (start < 0 || start > len)
      throw execError(this.template, `array index out of bounds: index ${start}, length ${len}`);
    if (end < 0 || end > len)
      throw execError(this.template, `array index out of bounds: index ${end - 1}, length ${len}`);
    if (start > end) throw execError(this.template, `starting index ${start} is greater than ending index ${end}`);
    if (step <= 0) throw execError(this.template, 'step must be > 0');
    const out: unknown[] = [];
    for (let i = start; i < end; i += step) out.push(v[i]);
    return out;
  }

  private filter(v: unknown, s: Extract<Step, { type: 'filter' }>): unknown[] {
    if (v === null || v === undefined) return [];
    if (!Array.isArray(v)) throw execError(this.template, `${goText(v)} is not array or slice and cannot be filtered`);
    const out: unknown[] = [];
    for (const item of v) {
      const left = this.walk([item], s.left);
      if (s.op === undefined) {
        if (left.length > 0) out.push(item);
        continue;
      }
      const right = this.walk([item], s.right);
      if (left.length === 0 || right.length === 0) continue;
      if (compare(this.template, left[0], s.op, right[0])) out.push(item);
    }
    return out;
  }
}

type Comparable = { kind: 'int'; value: bigint } | { kind: 'float'; value: number } | { kind: 'string'; value: string };

function comparable(template: string, v: unknown): Comparable {
  if (isMap(v) && (v as { type?: unknown }).type === 'literal') {
    const l = v as unknown as Extract<Step, { type: 'literal' }>;
    if (typeof l.value === 'bigint') return { kind: 'int', value: l.value };
    if (typeof l.value === 'number') return { kind: 'float', value: l.value };
    if (typeof l.value === 'string') return { kind: 'string', value: l.value };
    throw execError(template, 'invalid type for comparison');
  }
  if (typeof v === 'bigint') return { kind: 'int', value: v };
  if (typeof v === 'number') return isInt64(v) ? { kind: 'int', value: BigInt(v) } : { kind: 'float', value: v };
  if (typeof v === 'string') return { kind: 'string', value: v };
  throw execError(template, 'invalid type for comparison');
}

function compare(template: string, a: unknown, op: string, b: unknown): boolean {
  const x = comparable(template, a);
  const y = comparable(template, b);
  if (x.kind !== y.kind) throw execError(template, 'incompatible types for comparison');
  const l = x.value;
  const r = y.value;
  switch (op) {
    case '==':
      return l === r;
    case '!=':
      return l !== r;
    case '<':
      return l < r;
    case '>':
      return l > r;
    case '<=':
      return l <= r;
    default:
      return l >= r;
  }
}

/** A float64 as Go's `%v` prints it: shortest digits, exponent form below 1e-4 and from 1e6 (`1.5e+06`, `1e-05`). */
export function goFloatText(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? '+Inf' : '-Inf';
  if (n === 0) return Object.is(n, -0) ? '-0' : '0';
  // %v is 'g' with the shortest digits: exponent form when the exponent is < -4 or >= 6.
  const [mantissa, expText] = n.toExponential().split('e') as [string, string];
  const exp = Number(expText);
  if (exp < -4 || exp >= 6) return `${mantissa}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  return String(n);
}

/** A value as kubectl's jsonpath printer writes one result as text. */
function goText(v: unknown): string {
  if (isMap(v) && (v as { type?: unknown }).type === 'literal' && 'value' in v) {
    const l = v as unknown as Extract<Step, { type: 'literal' }>;
    return typeof l.value === 'number' ? goFloatText(l.value) : String(l.value);
  }
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return v;
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return isInt64(v) ? BigInt(v).toString() : goFloatText(v);
  if (typeof v === 'boolean') return String(v);
  return toKubeJson(v);
}

function literalValue(v: unknown): unknown {
  if (isMap(v) && (v as { type?: unknown }).type === 'literal' && 'value' in v)
    return (v as unknown as Extract<Step, { type: 'literal' }>).value;
  return v;
}

/** Options of {@link printJsonPath}. */
export interface JsonPathPrintOptions {
  /** `-o jsonpath-as-json`: each action's results as an indented JSON array. */
  asJson?: boolean;
}

/**
 * Runs a template over one value (an object or a `List`, as toKubectlObject makes them) and prints it
 * as `kubectl get -o jsonpath=…` (or `jsonpath-as-json=…`) does. Throws InvalidArgumentError as kubectl
 * fails (index out of bounds, types that cannot be compared, `{end}` outside a range).
 * @example
 * printJsonPath(toKubectlObject(list), '{.items[*].metadata.name}') // 'web db'
 */
export function printJsonPath(
  value: unknown,
  template: string | JsonPathTemplate,
  options: JsonPathPrintOptions = {},
): string {
  const t = typeof template === 'string' ? parseJsonPath(template) : template;
  const ev = new Evaluator(t.source, value);
  let out = '';
  const print = (results: unknown[]): void => {
    if (options.asJson === true) {
      out += `${toKubeJson(results.map(literalValue), { indent: '    ' })}\n`;
      return;
    }
    out += results.map(goText).join(' ');
  };
  const run = (segments: readonly Segment[], from: number, current: unknown[]): number => {
    let i = from;
    while (i < segments.length) {
      const s = segments[i] as Segment;
      if (s.type === 'text') print([s.text]);
      else if (s.type === 'action') print(ev.walk(current, s.steps));
      else if (s.type === 'end') return i;
      else {
        const items = ev.walk(current, s.steps);
        let endAt = -1;
        if (items.length === 0) endAt = skipRange(segments, i + 1);
        for (const item of items) endAt = run(segments, i + 1, [item]);
        if (endAt < 0 || endAt >= segments.length) return segments.length;
        i = endAt;
      }
      i++;
    }
    return segments.length;
  };
  let at = 0;
  while (at < t.segments.length) {
    const endAt = run(t.segments, at, [value]);
    if (endAt < t.segments.length) throw execError(t.source, 'not in range, nothing to end');
    at = endAt;
  }
  return out;
}

/** The index of the {end} that closes the range whose body starts at `from` (or past the end). */
function skipRange(segments: readonly Segment[], from: number): number {
  let depth = 0;
  for (let i = from; i < segments.length; i++) {
    const s = segments[i] as Segment;
    if (s.type === 'range') depth++;
    else if (s.type === 'end') {
      if (depth === 0) return i;
      depth--;
    }
  }
  return segments.length;
}

/**
 * The values a template's first action finds in a value (for custom-columns and --sort-by).
 * @example
 * findJsonPath(pod, '{.spec.containers[*].image}') // ['nginx', 'redis']
 */
export function findJsonPath(value: unknown, template: string | JsonPathTemplate): unknown[] {
  const t = typeof template === 'string' ? parseJsonPath(template) : template;
  const ev = new Evaluator(t.source, value);
  const out: unknown[] = [];
  for (const s of t.segments) {
    if (s.type === 'action' || s.type === 'range') out.push(...ev.walk([value], s.steps).map(literalValue));
    else if (s.type === 'text') out.push(s.text);
  }
  return out;
}

/** A value as Go's `%v` prints it (custom-columns cells): maps as map[k:v], arrays as [a b]. */
export function goValueText(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (Array.isArray(v)) return `[${v.map(goValueText).join(' ')}]`;
  if (isMap(v))
    return `map[${Object.keys(v)
      .sort()
      .map((k) => `${k}:${goValueText(v[k])}`)
      .join(' ')}]`;
  return goText(v);
}
