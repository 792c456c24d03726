/**
 * Field selectors as kubectl accepts them in `--field-selector` (apimachinery `pkg/fields`):
 * comma-separated terms `path=value`, `path==value` or `path!=value`. In a value, `\` escapes
 * `\`, `,`, `=` and `!`; a literal `,` or `=` must be escaped. kube-apiserver supports only a few
 * paths per resource; kubetcd applies any dotted path of the decoded object, and a missing field
 * compares as the empty string (as the apiserver does for an unset field).
 */
import { InvalidArgumentError } from '../errors';

/** One condition of a field selector. `==` is read as `=`. */
export interface FieldRequirement {
  /** The dotted path, e.g. `metadata.name`, `spec.nodeName`, `status.phase`. */
  readonly field: string;
  readonly operator: '=' | '!=';
  /** The value, unescaped. */
  readonly value: string;
}

/** A parsed field selector. */
export interface FieldSelector {
  /** The requirements, sorted like apimachinery (by their text). Empty for a selector that selects everything. */
  readonly requirements: readonly FieldRequirement[];
  /** True when every requirement holds for the (decoded, kubectl-shaped) object. */
  matches(obj: unknown): boolean;
  /** The canonical form, e.g. `metadata.namespace!=kube-system,status.phase=Running` (values escaped). */
  toString(): string;
}

const ESCAPABLE = new Set(['\\', ',', '=', '!']);

function fail(text: string, pos: number, found: string, expected: string): never {
  throw new InvalidArgumentError(
    `Invalid field selector ${JSON.stringify(text)}: found '${found}' at column ${pos + 1}, expected: ${expected}.`,
    { selector: text, position: pos, column: pos + 1, found, expected },
  );
}

/** Splits at commas that are not escaped; keeps each term's offset for error messages. */
function splitTerms(text: string): Array<{ term: string; pos: number }> {
  const terms: Array<{ term: string; pos: number }> = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\\') i++;
    else if (ch === ',') {
      terms.push({ term: text.slice(start, i), pos: start });
      start = i + 1;
    }
  }
  terms.push({ term: text.slice(start), pos: start });
  return terms;
}

function unescapeValue(text: string, value: string, pos: number): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const ch = value[i] as string;
    if (ch === '\\') {
      const nextCh = value[i + 1];
      if (nextCh === undefined || !ESCAPABLE.has(nextCh)) {
        fail(text, pos + i, value.slice(i, i + 2), "an escape sequence '\\\\', '\\,', '\\=' or '\\!'");
      }
      out += nextCh;
      i++;
    } else if (ch === '=' || ch === ',') {
      fail(text, pos + i, ch, `a value character (write '\\${ch}' for a literal '${ch}')`);
    } else {
      out += ch;
    }
  }
  return out;
}

function parseTerm(text: string, term: string, pos: number): FieldRequirement {
  // The first operator from the left wins; at one offset "!=" and "==" before "=" (as apimachinery).
  for (let i = 0; i < term.length; i++) {
    const op = term.startsWith('!=', i) ? '!=' : term.startsWith('==', i) ? '==' : term[i] === '=' ? '=' : undefined;
    if (op === undefined) continue;
    // Blanks around the path are forgiven (`a=b, c=d`); kube-apiserver would reject them.
    const lead = /^\s*/.exec(term)?.[0].length ?? 0;
    const field = term.slice(lead, i).trimEnd();
    if (field.length === 0) fail(text, pos + i, op, 'a field path before the operator, e.g. metadata.name');
    const blank = field.search(/\s/);
    if (blank >= 0)
      fail(text, pos + lead + blank, field[blank] as string, "a field path without blanks, then '=', '==' or '!='");
    const valuePos = pos + i + op.length;
    const value = unescapeValue(text, term.slice(i + op.length), valuePos);
    return { field, operator: op === '!=' ? '!=' : '=', value };
  }
  const end = pos + term.length;
  return fail(text, end, text[end] ?? 'end of string', "'=', '==' or '!=' after the field path");
}

/** apimachinery `EscapeValue`: a backslash before `\`, `,` and `=` (`!` needs none, though `\!` is read too). */
function escapeValue(v: string): string {
  return v.replace(/[\\,=]/g, (c) => `\\${c}`);
}

/**
 * The value at a dotted path, as the string a field selector compares: missing or null → `""`,
 * booleans → `true`/`false`, numbers → decimal. Keys may contain dots: when a segment alone does not
 * lead to a value, it is joined with the following ones, so `metadata.labels.app.kubernetes.io/name`
 * reaches the label `app.kubernetes.io/name` even beside a label `app`.
 */
function fieldValue(obj: unknown, path: string): string {
  const segments = path.split('.');
  const resolve = (cur: unknown, i: number): { value: unknown } | undefined => {
    if (i === segments.length) return { value: cur };
    if (cur === null || typeof cur !== 'object') return undefined;
    for (let j = i + 1; j <= segments.length; j++) {
      const key = segments.slice(i, j).join('.');
      if (!Object.hasOwn(cur, key)) continue;
      const found = resolve((cur as Record<string, unknown>)[key], j);
      if (found) return found;
    }
    return undefined;
  };
  return scalarText(resolve(obj, 0)?.value);
}

function scalarText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  if (typeof v === 'object' && !Array.isArray(v) && v.toString !== Object.prototype.toString) return String(v);
  return JSON.stringify(v);
}

function termText(r: FieldRequirement): string {
  return `${r.field}${r.operator}${escapeValue(r.value)}`;
}

/**
 * Parses a field selector written as for `kubectl get --field-selector`. The empty selector selects
 * everything. Throws InvalidArgumentError naming the selector, the column and what was expected.
 * @example
 * const sel = parseFieldSelector('status.phase!=Running,spec.nodeName=node-1')
 * sel.matches(pod) // true for a Pending pod on node-1
 */
export function parseFieldSelector(text: string): FieldSelector {
  if (typeof text !== 'string') {
    throw new InvalidArgumentError(
      `Invalid field selector: ${String(text)}. Pass a string such as "metadata.name=web,status.phase!=Running".`,
    );
  }
  const requirements: FieldRequirement[] = [];
  for (const { term, pos } of splitTerms(text)) {
    if (term === '') continue; // apimachinery skips empty terms: "a=b,,c=d" and a trailing ','
    requirements.push(parseTerm(text, term, pos));
  }
  const sorted = requirements.map((r) => Object.freeze(r));
  sorted.sort((a, b) => {
    const x = termText(a);
    const y = termText(b);
    return x < y ? -1 : x > y ? 1 : 0;
  });
  Object.freeze(sorted);
  return {
    requirements: sorted,
    matches(obj) {
      return sorted.every((r) => (fieldValue(obj, r.field) === r.value) === (r.operator === '='));
    },
    toString() {
      return sorted.map(termText).join(',');
    },
  };
}
