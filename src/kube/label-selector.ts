/**
 * Label selectors exactly as kubectl accepts them in `-l`/`--selector` (the grammar of apimachinery
 * `pkg/labels`), with our own lexer, parser and positional error messages.
 *
 * ```
 * selector    ::= "" | requirement { "," requirement }
 * requirement ::= [ "!" ] KEY
 *               | KEY ( "=" | "==" | "!=" ) [ VALUE ]
 *               | KEY ( "in" | "notin" ) "(" [ VALUE { "," [ VALUE ] } ] ")"
 *               | KEY ( ">" | "<" ) INTEGER
 * ```
 * KEY is a qualified name (`[dns-subdomain/]name`, name ≤ 63 characters); VALUE is empty or ≤ 63
 * characters of `[A-Za-z0-9_.-]` starting and ending with an alphanumeric. Blanks separate tokens.
 */
import { InvalidArgumentError } from '../errors';
import { invalidLabelKeyReason, invalidLabelValueReason } from './label-validation';

/**
 * How a requirement relates a label to its values — the strings of apimachinery `selection.Operator`:
 * `exists` is a bare key, `!` is `!key` (does not exist), `gt`/`lt` are `>`/`<`.
 */
export type LabelOperator = 'in' | 'notin' | '=' | '==' | '!=' | 'exists' | '!' | 'gt' | 'lt';

/** One condition of a label selector; a selector matches when all of its requirements do. */
export interface LabelRequirement {
  readonly key: string;
  readonly operator: LabelOperator;
  /** Sorted and without duplicates for `in`/`notin`; one value for `=`, `==`, `!=`, `gt`, `lt`; none otherwise. */
  readonly values: readonly string[];
}

/** A parsed label selector. */
export interface LabelSelector {
  /** The requirements, sorted by key (like apimachinery). Empty for a selector that selects everything. */
  readonly requirements: readonly LabelRequirement[];
  /** True when every requirement holds for `labels` (missing labels count as absent). */
  matches(labels: Record<string, string> | undefined | null): boolean;
  /** The canonical form: requirements sorted by key, values sorted, e.g. `app=web,tier in (a,b)`. */
  toString(): string;
}

type TokenType = 'end' | 'ident' | 'in' | 'notin' | '(' | ')' | ',' | '!' | '=' | '==' | '!=' | '>' | '<';

interface Token {
  readonly type: TokenType;
  readonly text: string;
  /** Offset of the token's first character in the selector text. */
  readonly pos: number;
}

const SYMBOLS: ReadonlySet<string> = new Set(['=', '!', '(', ')', ',', '>', '<']);
const SYMBOL_TOKENS: ReadonlySet<string> = new Set(['=', '!', '(', ')', ',', '>', '<', '==', '!=']);

function isBlank(ch: string): boolean {
  return ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n';
}

/** Splits a selector into tokens. Any run of characters that are neither blanks nor symbols is one identifier. */
function lex(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  for (;;) {
    while (i < text.length && isBlank(text[i] as string)) i++;
    if (i >= text.length) {
      tokens.push({ type: 'end', text: '', pos: text.length });
      return tokens;
    }
    const start = i;
    const ch = text[i] as string;
    if (SYMBOLS.has(ch)) {
      // Longest symbol that is a token: "!=" and "==" win over "!" and "=".
      const two = text.slice(i, i + 2);
      const sym = SYMBOL_TOKENS.has(two) ? two : ch;
      i += sym.length;
      tokens.push({ type: sym as TokenType, text: sym, pos: start });
      continue;
    }
    while (i < text.length && !SYMBOLS.has(text[i] as string) && !isBlank(text[i] as string)) i++;
    const word = text.slice(start, i);
    const type: TokenType = word === 'in' ? 'in' : word === 'notin' ? 'notin' : 'ident';
    tokens.push({ type, text: word, pos: start });
  }
}

const OPERATORS_EXPECTED = "'=', '==', '!=', 'in', 'notin', '>' or '<'";

class LabelSelectorParser {
  private readonly tokens: Token[];
  private index = 0;

  constructor(private readonly text: string) {
    this.tokens = lex(text);
  }

  /**
   * The current token. In value position the keywords `in` and `notin` are ordinary identifiers,
   * so `x in (in, notin)` and a key named `in` both work.
   */
  private peek(asValue = true): Token {
    const t = this.tokens[this.index] as Token; // the list always ends with 'end', which is never consumed past
    return asValue && (t.type === 'in' || t.type === 'notin') ? { ...t, type: 'ident' } : t;
  }

  private next(asValue = true): Token {
    const t = this.peek(asValue);
    if (t.type !== 'end') this.index++;
    return t;
  }

  private fail(token: Token, expected: string): never {
    const found = token.type === 'end' ? 'end of string' : token.text;
    throw new InvalidArgumentError(
      `Invalid label selector ${JSON.stringify(this.text)}: found '${found}' at column ${token.pos + 1}, expected: ${expected}.`,
      { selector: this.text, position: token.pos, column: token.pos + 1, found, expected },
    );
  }

  private invalid(token: Token, what: string, reason: string): never {
    throw new InvalidArgumentError(
      `Invalid label selector ${JSON.stringify(this.text)}: ${what} '${token.text}' at column ${token.pos + 1} is not valid: ${reason}.`,
      { selector: this.text, position: token.pos, column: token.pos + 1, found: token.text, reason },
    );
  }

  parse(): LabelRequirement[] {
    const requirements: LabelRequirement[] = [];
    let t = this.peek();
    if (t.type === 'end') return requirements;
    if (t.type !== 'ident' && t.type !== '!') this.fail(t, "'!', a label key or end of string");
    for (;;) {
      requirements.push(this.parseRequirement());
      t = this.next();
      if (t.type === 'end') return requirements;
      if (t.type !== ',') this.fail(t, "',' or end of string");
      t = this.peek();
      if (t.type !== 'ident' && t.type !== '!') this.fail(t, "'!' or a label key after ','");
    }
  }

  private parseRequirement(): LabelRequirement {
    let t = this.next();
    let negated = false;
    if (t.type === '!') {
      negated = true;
      t = this.next();
    }
    if (t.type !== 'ident') this.fail(t, 'a label key');
    const reason = invalidLabelKeyReason(t.text);
    if (reason !== undefined) this.invalid(t, 'label key', reason);
    const key = t.text;
    const after = this.peek();
    if (negated) return { key, operator: '!', values: [] };
    if (after.type === 'end' || after.type === ',') return { key, operator: 'exists', values: [] };
    const op = this.next(false);
    switch (op.type) {
      case 'in':
      case 'notin':
        return { key, operator: op.type, values: this.parseValueSet() };
      case '=':
      case '==':
      case '!=':
        return { key, operator: op.type, values: [this.parseExactValue()] };
      case '>':
      case '<':
        return { key, operator: op.type === '>' ? 'gt' : 'lt', values: [this.parseIntegerValue(op.text)] };
      default:
        return this.fail(op, OPERATORS_EXPECTED);
    }
  }

  private value(t: Token): string {
    const reason = invalidLabelValueReason(t.text);
    if (reason !== undefined) this.invalid(t, 'label value', reason);
    return t.text;
  }

  private parseExactValue(): string {
    const t = this.peek();
    if (t.type === 'end' || t.type === ',') return '';
    this.next();
    if (t.type !== 'ident') this.fail(t, 'a label value');
    return this.value(t);
  }

  private parseIntegerValue(op: string): string {
    const t = this.next();
    if (t.type !== 'ident') this.fail(t, `an integer after '${op}'`);
    const v = this.value(t);
    if (parseInt64(v) === undefined) this.fail(t, `an integer after '${op}'`);
    return v;
  }

  /** `( v1, v2, … )`, where empty entries stand for the empty value, as in apimachinery: `()` is `("")`. */
  private parseValueSet(): string[] {
    const open = this.next();
    if (open.type !== '(') this.fail(open, "'('");
    const values = new Set<string>();
    let t = this.next();
    if (t.type === ')') return [''];
    let expectValue = true;
    for (;;) {
      if (t.type === 'ident' && expectValue) {
        values.add(this.value(t));
        expectValue = false;
      } else if (t.type === ',') {
        if (expectValue) values.add(''); // "(,", ",," or ",)"
        expectValue = true;
      } else if (t.type === ')') {
        if (expectValue) values.add('');
        return [...values].sort(compareStrings);
      } else {
        this.fail(t, expectValue ? "a label value, ',' or ')'" : "',' or ')'");
      }
      t = this.next();
    }
  }
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const INT64_MAX = (1n << 63n) - 1n;
const INT64_MIN = -(1n << 63n);

/** Go's `strconv.ParseInt(s, 10, 64)`: an optional sign and decimal digits within int64. */
function parseInt64(s: string): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(s)) return undefined;
  const n = BigInt(s);
  return n > INT64_MAX || n < INT64_MIN ? undefined : n;
}

function has(labels: Record<string, string>, key: string): boolean {
  return Object.hasOwn(labels, key);
}

function requirementMatches(r: LabelRequirement, labels: Record<string, string>): boolean {
  const present = has(labels, r.key);
  switch (r.operator) {
    case 'in':
    case '=':
    case '==':
      return present && r.values.includes(labels[r.key] as string);
    case 'notin':
    case '!=':
      return !present || !r.values.includes(labels[r.key] as string);
    case 'exists':
      return present;
    case '!':
      return !present;
    case 'gt':
    case 'lt': {
      if (!present) return false;
      const have = parseInt64(labels[r.key] as string);
      const want = parseInt64(r.values[0] ?? '');
      if (have === undefined || want === undefined) return false;
      return r.operator === 'gt' ? have > want : have < want;
    }
  }
}

function requirementToString(r: LabelRequirement): string {
  switch (r.operator) {
    case 'exists':
      return r.key;
    case '!':
      return `!${r.key}`;
    case 'in':
    case 'notin':
      return `${r.key} ${r.operator} (${r.values.join(',')})`;
    case 'gt':
      return `${r.key}>${r.values[0] ?? ''}`;
    case 'lt':
      return `${r.key}<${r.values[0] ?? ''}`;
    default:
      return `${r.key}${r.operator}${r.values[0] ?? ''}`;
  }
}

function makeSelector(requirements: LabelRequirement[], matchesNothing = false): LabelSelector {
  const sorted = requirements
    .map((r) => Object.freeze({ key: r.key, operator: r.operator, values: Object.freeze([...r.values]) }))
    .sort((a, b) => compareStrings(a.key, b.key));
  Object.freeze(sorted);
  return {
    requirements: sorted,
    matches(labels) {
      if (matchesNothing) return false;
      const ls = labels ?? {};
      return sorted.every((r) => requirementMatches(r, ls));
    },
    toString() {
      return sorted.map(requirementToString).join(',');
    },
  };
}

/**
 * Parses a label selector written as for `kubectl get -l`. The empty (or blank) selector selects
 * everything. Throws InvalidArgumentError naming the selector, the column and what was expected.
 * @example
 * const sel = parseLabelSelector('app=web, tier in (front,back), !canary')
 * sel.matches({ app: 'web', tier: 'front' }) // true
 * String(sel) // "!canary,app=web,tier in (back,front)"
 */
export function parseLabelSelector(text: string): LabelSelector {
  if (typeof text !== 'string') {
    throw new InvalidArgumentError(
      `Invalid label selector: ${String(text)}. Pass a string such as "app=web,tier!=db".`,
    );
  }
  return makeSelector(new LabelSelectorParser(text).parse());
}

/** The `metav1.LabelSelector` of Deployments, ReplicaSets, Jobs, NetworkPolicies, PDBs, … */
export interface LabelSelectorObject {
  matchLabels?: Record<string, string> | null;
  matchExpressions?: ReadonlyArray<{ key: string; operator: string; values?: readonly string[] | null }> | null;
}

const EXPRESSION_OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'];

/**
 * Turns a `metav1.LabelSelector` (`{ matchLabels, matchExpressions }`) into a LabelSelector, like
 * apimachinery `LabelSelectorAsSelector`: `{}` selects everything, `null`/`undefined` selects nothing.
 * @example
 * const sel = labelSelectorFromObject(deployment.spec.selector)
 * pods.filter((p) => sel.matches(p.metadata.labels))
 */
export function labelSelectorFromObject(sel: LabelSelectorObject | null | undefined): LabelSelector {
  if (sel === null || sel === undefined) return makeSelector([], true);
  if (typeof sel !== 'object' || Array.isArray(sel)) {
    throw new InvalidArgumentError(
      `Invalid label selector object: ${JSON.stringify(sel)}. Pass { matchLabels?, matchExpressions? } as found in spec.selector.`,
    );
  }
  const reqs: LabelRequirement[] = [];
  const bad = (what: string): never => {
    throw new InvalidArgumentError(`Invalid label selector object ${JSON.stringify(sel)}: ${what}.`, { selector: sel });
  };
  for (const [key, value] of Object.entries(sel.matchLabels ?? {})) {
    const kr = invalidLabelKeyReason(key);
    if (kr !== undefined) bad(`matchLabels key '${key}' is not valid: ${kr}`);
    if (typeof value !== 'string') bad(`matchLabels value of '${key}' is not a string`);
    const vr = invalidLabelValueReason(value);
    if (vr !== undefined) bad(`matchLabels value '${value}' of '${key}' is not valid: ${vr}`);
    reqs.push({ key, operator: '=', values: [value] });
  }
  (sel.matchExpressions ?? []).forEach((e, i) => {
    const where = `matchExpressions[${i}]`;
    if (typeof e !== 'object' || e === null || typeof e.key !== 'string') bad(`${where} has no key`);
    const kr = invalidLabelKeyReason(e.key);
    if (kr !== undefined) bad(`${where}.key '${e.key}' is not valid: ${kr}`);
    const values = [...(e.values ?? [])];
    for (const v of values) {
      const vr = typeof v === 'string' ? invalidLabelValueReason(v) : 'not a string';
      if (vr !== undefined) bad(`${where} value '${String(v)}' is not valid: ${vr}`);
    }
    switch (e.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) bad(`${where} (${e.operator}) needs at least one value`);
        reqs.push({
          key: e.key,
          operator: e.operator === 'In' ? 'in' : 'notin',
          values: [...new Set(values)].sort(compareStrings),
        });
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length !== 0) bad(`${where} (${e.operator}) must have no values`);
        reqs.push({ key: e.key, operator: e.operator === 'Exists' ? 'exists' : '!', values: [] });
        break;
      default:
        bad(`${where}.operator '${String(e.operator)}' is not one of ${EXPRESSION_OPERATORS.join(', ')}`);
    }
  });
  return makeSelector(reqs);
}

/**
 * A selector matching exactly the given labels (a Service's or ReplicationController's `spec.selector`).
 * An empty map selects everything, like apimachinery `SelectorFromSet`.
 * @example
 * labelSelectorFromSet(service.spec.selector).matches(pod.metadata.labels)
 */
export function labelSelectorFromSet(labels: Record<string, string> | null | undefined): LabelSelector {
  return labelSelectorFromObject({ matchLabels: labels ?? {} });
}
