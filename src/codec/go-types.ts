/**
 * A small parser for the Go declarations Kubernetes' API types are written in: `type X struct {…}`
 * with fields, their Go types and backtick tags, and named types (`type Verbs []string`,
 * `type ResourceList map[ResourceName]resource.Quantity`). Only what the schema compiler needs; function
 * bodies, methods, constants and comments are skipped.
 */

/** A Go type expression. */
export type GoType =
  | { kind: 'name'; pkg?: string; name: string }
  | { kind: 'pointer'; elem: GoType }
  | { kind: 'slice'; elem: GoType }
  | { kind: 'array'; elem: GoType }
  | { kind: 'map'; key: GoType; value: GoType }
  | { kind: 'struct'; fields: GoField[] }
  | { kind: 'other'; text: string };

/** One field of a Go struct. `name` is undefined for an embedded field. */
export interface GoField {
  name?: string;
  type: GoType;
  /** The raw struct tag (without backticks), '' when none. */
  tag: string;
}

/** What one Go file declares (only types). */
export interface GoFileTypes {
  packageName: string;
  /** Import alias (or last path element) → import path. */
  imports: Record<string, string>;
  /** Declared type name → its type expression. */
  types: Record<string, GoType>;
  /** Values of string constants named `GroupName` (from register.go), when present. */
  groupName?: string;
}

type Tok = { t: 'id' | 'punct' | 'str' | 'raw' | 'nl' | 'num'; v: string };

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  const n = src.length;
  let i = 0;
  while (i < n) {
    const c = src.charCodeAt(i);
    if (c === 10) {
      out.push({ t: 'nl', v: '\n' });
      i++;
    } else if (c === 32 || c === 9 || c === 13) {
      i++;
    } else if (c === 47 && src.charCodeAt(i + 1) === 47) {
      const e = src.indexOf('\n', i);
      i = e < 0 ? n : e;
    } else if (c === 47 && src.charCodeAt(i + 1) === 42) {
      const e = src.indexOf('*/', i + 2);
      const body = src.slice(i, e < 0 ? n : e);
      if (body.includes('\n')) out.push({ t: 'nl', v: '\n' });
      i = e < 0 ? n : e + 2;
    } else if (c === 96) {
      const e = src.indexOf('`', i + 1);
      const end = e < 0 ? n : e;
      out.push({ t: 'raw', v: src.slice(i + 1, end) });
      i = end + 1;
    } else if (c === 34 || c === 39) {
      let j = i + 1;
      while (j < n && src.charCodeAt(j) !== c && src.charCodeAt(j) !== 10) {
        if (src.charCodeAt(j) === 92) j++;
        j++;
      }
      out.push({ t: 'str', v: src.slice(i + 1, j) });
      i = j + 1;
    } else if (isIdStart(c)) {
      let j = i + 1;
      while (j < n && isIdPart(src.charCodeAt(j))) j++;
      out.push({ t: 'id', v: src.slice(i, j) });
      i = j;
    } else if (c >= 48 && c <= 57) {
      let j = i + 1;
      while (j < n && (isIdPart(src.charCodeAt(j)) || src.charCodeAt(j) === 46)) j++;
      out.push({ t: 'num', v: src.slice(i, j) });
      i = j;
    } else {
      out.push({ t: 'punct', v: src[i] as string });
      i++;
    }
  }
  return out;
}

function isIdStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c > 127;
}
function isIdPart(c: number): boolean {
  return isIdStart(c) || (c >= 48 && c <= 57);
}

class GoParser {
  private i = 0;
  constructor(private readonly toks: Tok[]) {}

  private peek(k = 0): Tok | undefined {
    return this.toks[this.i + k];
  }
  private skipNl(): void {
    while (this.peek()?.t === 'nl') this.i++;
  }
  private isPunct(v: string, k = 0): boolean {
    const t = this.peek(k);
    return t !== undefined && t.t === 'punct' && t.v === v;
  }

  parseFile(): GoFileTypes {
    const file: GoFileTypes = { packageName: '', imports: {}, types: {} };
    while (this.i < this.toks.length) {
      const t = this.toks[this.i] as Tok;
      if (t.t !== 'id') {
        this.i++;
        continue;
      }
      if (t.v === 'package' && file.packageName === '') {
        this.i++;
        file.packageName = this.peek()?.v ?? '';
        this.i++;
      } else if (t.v === 'import') {
        this.i++;
        this.parseImports(file);
      } else if (t.v === 'type') {
        this.i++;
        if (this.isPunct('(')) {
          this.i++;
          for (;;) {
            this.skipNl();
            if (this.isPunct(')') || this.i >= this.toks.length) {
              this.i++;
              break;
            }
            this.parseTypeSpec(file);
          }
        } else {
          this.parseTypeSpec(file);
        }
      } else if (t.v === 'func') {
        this.skipFunc();
      } else if (t.v === 'GroupName') {
        // const GroupName = "apps"
        const eq = this.peek(1);
        const val = this.peek(2);
        if (eq?.t === 'punct' && eq.v === '=' && val?.t === 'str') file.groupName = val.v;
        this.i++;
      } else if (t.v === 'var' || t.v === 'const') {
        this.i++;
      } else {
        this.i++;
      }
    }
    return file;
  }

  private parseImports(file: GoFileTypes): void {
    const one = (): void => {
      let alias: string | undefined;
      const t = this.peek();
      if (t?.t === 'id' || (t?.t === 'punct' && (t.v === '_' || t.v === '.'))) {
        alias = t.v;
        this.i++;
      }
      const p = this.peek();
      if (p?.t === 'str') {
        this.i++;
        const name = alias ?? defaultImportName(p.v);
        if (name !== '_' && name !== '.') file.imports[name] = p.v;
      }
    };
    if (this.isPunct('(')) {
      this.i++;
      for (;;) {
        this.skipNl();
        if (this.isPunct(')') || this.i >= this.toks.length) {
          this.i++;
          return;
        }
        const before = this.i;
        one();
        if (this.i === before) this.i++;
      }
    } else {
      one();
    }
  }

  private parseTypeSpec(file: GoFileTypes): void {
    const nameTok = this.peek();
    if (nameTok?.t !== 'id') {
      this.i++;
      return;
    }
    this.i++;
    if (this.isPunct('[') && this.peek(1)?.t === 'id' && this.peek(2)?.t === 'id') {
      // generic type parameters: skip them
      this.skipBalanced('[', ']');
    }
    if (this.isPunct('=')) this.i++; // alias
    const type = this.parseType();
    file.types[nameTok.v] = type;
  }

  private skipFunc(): void {
    // Skip to the body's opening brace and past its matching closing brace (or end of line).
    this.i++;
    let depthParen = 0;
    while (this.i < this.toks.length) {
      const t = this.toks[this.i] as Tok;
      if (t.t === 'punct') {
        if (t.v === '(' || t.v === '[') depthParen++;
        else if (t.v === ')' || t.v === ']') depthParen--;
        else if (t.v === '{' && depthParen === 0) {
          // could be `interface{}` or `struct{}` in the signature: check the previous token
          const prev = this.toks[this.i - 1];
          if (prev?.t === 'id' && (prev.v === 'interface' || prev.v === 'struct')) {
            this.skipBalanced('{', '}');
            continue;
          }
          this.skipBalanced('{', '}');
          return;
        }
      } else if (t.t === 'nl' && depthParen === 0) {
        return;
      }
      this.i++;
    }
  }

  private skipBalanced(open: string, close: string): void {
    let depth = 0;
    while (this.i < this.toks.length) {
      const t = this.toks[this.i] as Tok;
      this.i++;
      if (t.t === 'punct') {
        if (t.v === open) depth++;
        else if (t.v === close) {
          depth--;
          if (depth === 0) return;
        }
      }
    }
  }

  parseType(): GoType {
    const t = this.peek();
    if (t === undefined) return { kind: 'other', text: '' };
    if (t.t === 'punct') {
      if (t.v === '*') {
        this.i++;
        return { kind: 'pointer', elem: this.parseType() };
      }
      if (t.v === '[') {
        this.i++;
        if (this.isPunct(']')) {
          this.i++;
          return { kind: 'slice', elem: this.parseType() };
        }
        while (this.i < this.toks.length && !this.isPunct(']')) this.i++;
        this.i++;
        return { kind: 'array', elem: this.parseType() };
      }
      if (t.v === '(') {
        this.i++;
        const inner = this.parseType();
        if (this.isPunct(')')) this.i++;
        return inner;
      }
      this.i++;
      return { kind: 'other', text: t.v };
    }
    if (t.t === 'id') {
      if (t.v === 'map' && this.isPunct('[', 1)) {
        this.i += 2;
        const key = this.parseType();
        if (this.isPunct(']')) this.i++;
        return { kind: 'map', key, value: this.parseType() };
      }
      if (t.v === 'struct' && this.isPunct('{', 1)) {
        this.i += 2;
        return { kind: 'struct', fields: this.parseFields() };
      }
      if (t.v === 'interface' || t.v === 'func' || t.v === 'chan') {
        const start = this.i;
        this.i++;
        if (t.v === 'func') {
          if (this.isPunct('(')) this.skipBalanced('(', ')');
          // result: a type or a parenthesised list
          if (this.isPunct('(')) this.skipBalanced('(', ')');
          else if (this.peek()?.t === 'id' || this.isPunct('*') || this.isPunct('[')) this.parseType();
        } else if (t.v === 'chan') {
          this.parseType();
        } else if (this.isPunct('{')) {
          this.skipBalanced('{', '}');
        }
        return {
          kind: 'other',
          text: this.toks
            .slice(start, this.i)
            .map((x) => x.v)
            .join(''),
        };
      }
      this.i++;
      if (this.isPunct('.') && this.peek(1)?.t === 'id') {
        const name = (this.peek(1) as Tok).v;
        this.i += 2;
        this.skipTypeArgs();
        return { kind: 'name', pkg: t.v, name };
      }
      this.skipTypeArgs();
      return { kind: 'name', name: t.v };
    }
    this.i++;
    return { kind: 'other', text: t.v };
  }

  private skipTypeArgs(): void {
    if (this.isPunct('[') && !this.isPunct(']', 1)) {
      // a generic instantiation like List[T]; only when followed by an identifier
      const nx = this.peek(1);
      if (nx?.t === 'id') this.skipBalanced('[', ']');
    }
  }

  private parseFields(): GoField[] {
    const fields: GoField[] = [];
    for (;;) {
      this.skipNl();
      while (this.isPunct(';')) {
        this.i++;
        this.skipNl();
      }
      if (this.i >= this.toks.length) return fields;
      if (this.isPunct('}')) {
        this.i++;
        return fields;
      }
      const t = this.peek() as Tok;
      // Names list: id (, id)* followed by a type; embedded: [*] [pkg.]Name
      const names: string[] = [];
      let embedded = false;
      if (t.t === 'id') {
        const next = this.peek(1);
        const endsField =
          next === undefined ||
          next.t === 'nl' ||
          next.t === 'raw' ||
          next.t === 'str' ||
          (next.t === 'punct' && (next.v === ';' || next.v === '}' || next.v === '.'));
        if (endsField) embedded = true;
        else {
          names.push(t.v);
          this.i++;
          while (this.isPunct(',') && this.peek(1)?.t === 'id') {
            names.push((this.peek(1) as Tok).v);
            this.i += 2;
          }
        }
      } else if (t.t === 'punct' && t.v === '*') {
        embedded = true;
      } else {
        this.i++;
        continue;
      }
      const type = this.parseType();
      let tag = '';
      const tt = this.peek();
      if (tt !== undefined && (tt.t === 'raw' || tt.t === 'str')) {
        tag = tt.v;
        this.i++;
      }
      if (embedded) fields.push({ type, tag });
      else for (const name of names) fields.push({ name, type, tag });
      // skip to end of line
      while (this.i < this.toks.length && !(this.peek()?.t === 'nl') && !this.isPunct('}') && !this.isPunct(';')) {
        this.i++;
      }
    }
  }
}

function defaultImportName(path: string): string {
  const parts = path.split('/');
  let last = parts[parts.length - 1] ?? path;
  if (/^v\d+$/.test(last) && parts.length > 1 && !path.startsWith('k8s.io/')) last = parts[parts.length - 2] ?? last;
  return last.replace(/[^A-Za-z0-9_]/g, '_');
}

/**
 * Parses the type declarations of a Go source file.
 * @example
 * const f = parseGoTypes('package v1\ntype Verbs []string\n');
 * f.types.Verbs // { kind: 'slice', elem: { kind: 'name', name: 'string' } }
 */
export function parseGoTypes(source: string): GoFileTypes {
  return new GoParser(tokenize(source)).parseFile();
}

/**
 * Reads one key of a Go struct tag (`json:"name,omitempty" protobuf:"bytes,1,opt,name=x"`).
 * @example
 * goTagValue('json:"spec,omitempty"', 'json') // 'spec,omitempty'
 */
export function goTagValue(tag: string, key: string): string | undefined {
  const re = /([A-Za-z_][A-Za-z0-9_]*):"((?:[^"\\]|\\.)*)"/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(tag)) !== null) {
    if (m[1] === key) return m[2] ?? '';
  }
  return undefined;
}

/**
 * Prints a Go type expression back as Go source (`*int32`, `metav1.Time`, `map[string]string`).
 * @example
 * goTypeText({ kind: 'pointer', elem: { kind: 'name', name: 'int32' } }) // '*int32'
 */
export function goTypeText(t: GoType): string {
  switch (t.kind) {
    case 'name':
      return t.pkg ? `${t.pkg}.${t.name}` : t.name;
    case 'pointer':
      return `*${goTypeText(t.elem)}`;
    case 'slice':
      return `[]${goTypeText(t.elem)}`;
    case 'array':
      return `[…]${goTypeText(t.elem)}`;
    case 'map':
      return `map[${goTypeText(t.key)}]${goTypeText(t.value)}`;
    case 'struct':
      return 'struct{…}';
    default:
      return t.text;
  }
}
