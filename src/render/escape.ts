/**
 * The one place where untrusted text (everything read from etcd: keys, values, labels, names) is made
 * safe to show. Two steps, always together:
 * - {@link visibleText}: characters a reader cannot see or that change how text around them looks
 *   become visible escapes: C0 controls (`\x1b`, `\x00`), DEL and C1 controls, invalid UTF-8 bytes kept
 *   by the codec as lone surrogates U+DC80..U+DCFF (`\xff`, the original byte), other lone surrogates,
 *   bidirectional overrides and isolates (`\u202e`), zero-width marks, line and paragraph separators;
 * - {@link escapeHtml} / {@link escapeAttr}: `&`, `<`, `>`, `"`, `'` as character references.
 */

/** Options of {@link visibleText}. */
export interface VisibleTextOptions {
  /** Keep `\n` as a real line break (multi-line views such as YAML). Default false: shown as `\n`. */
  keepNewlines?: boolean;
  /** Keep `\t` as a real tab. Default false: shown as `\t`. */
  keepTabs?: boolean;
}

// C0 controls, DEL, C1 controls, surrogates, bidi/zero-width format characters, U+2028/2029, BOM, U+FFF9-FFFB.
const INVISIBLE =
  /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\ud800-\udfff]/;
const HEX = '0123456789abcdef';

function hex2(n: number): string {
  return (HEX[(n >> 4) & 15] as string) + (HEX[n & 15] as string);
}

function hex4(n: number): string {
  return hex2((n >> 8) & 0xff) + hex2(n & 0xff);
}

function isInvisible(c: number): boolean {
  return (
    c < 0x20 ||
    (c >= 0x7f && c <= 0x9f) ||
    c === 0xad ||
    c === 0x61c ||
    c === 0x180e ||
    (c >= 0x200b && c <= 0x200f) ||
    (c >= 0x2028 && c <= 0x202e) ||
    (c >= 0x2060 && c <= 0x2064) ||
    (c >= 0x2066 && c <= 0x206f) ||
    c === 0xfeff ||
    (c >= 0xfff9 && c <= 0xfffb)
  );
}

function escapeOne(c: number): string {
  switch (c) {
    case 0x09:
      return '\\t';
    case 0x0a:
      return '\\n';
    case 0x0d:
      return '\\r';
    default:
      return c <= 0xff ? '\\x' + hex2(c) : '\\u' + hex4(c);
  }
}

/**
 * The text with every invisible or layout-changing character replaced by a visible escape: `\x1b` for
 * controls, `\xff` for an invalid UTF-8 byte (kept by the codec as U+DCFF), `\u202e` for a bidi
 * override. Printable text, including emoji and other scripts, is unchanged.
 * @example
 * visibleText('a\u001b[31mb\u202e') // 'a\\x1b[31mb\\u202e'
 */
export function visibleText(s: string, options: VisibleTextOptions = {}): string {
  if (!INVISIBLE.test(s)) return s;
  const keepNl = options.keepNewlines === true;
  const keepTab = options.keepTabs === true;
  let out = '';
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let rep: string | undefined;
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++; // a valid pair
        continue;
      }
      rep = '\\u' + hex4(c);
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      // a lone low surrogate: U+DC80..U+DCFF is an invalid byte the codec kept; others are lone halves
      rep = c >= 0xdc80 && c <= 0xdcff ? '\\x' + hex2(c - 0xdc00) : '\\u' + hex4(c);
    } else if (isInvisible(c)) {
      if ((c === 0x0a && keepNl) || (c === 0x09 && keepTab)) continue;
      rep = escapeOne(c);
    }
    if (rep !== undefined) {
      out += s.slice(start, i) + rep;
      start = i + 1;
    }
  }
  return out + s.slice(start);
}

const HTML_SPECIAL = /[&<>"']/;
const HTML_SPECIAL_ALL = /[&<>"']/g;
const ENTITY: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

function entities(s: string): string {
  return HTML_SPECIAL.test(s) ? s.replace(HTML_SPECIAL_ALL, (ch) => ENTITY[ch] as string) : s;
}

/**
 * Text made safe for HTML (and SVG) element content: invisible characters made visible (line breaks
 * and tabs kept, as they are whitespace in HTML), then `& < > " '` as character references.
 * @example
 * escapeHtml('<img src=x onerror=alert(1)>') // '&lt;img src=x onerror=alert(1)&gt;'
 */
export function escapeHtml(s: string): string {
  return entities(visibleText(s, { keepNewlines: true, keepTabs: true }));
}

/**
 * Text made safe for a quoted HTML attribute value (`title="…"`): every invisible character made
 * visible (line breaks too), then `& < > " '` as character references.
 * @example
 * `<td title="${escapeAttr('say "hi"\n')}">` // '<td title="say &quot;hi&quot;\\n">'
 */
export function escapeAttr(s: string): string {
  return entities(visibleText(s));
}

/**
 * Cuts text to at most `max` characters (code points), ending with `…` when cut. Never splits a
 * surrogate pair.
 * @example
 * cutText('abcdef', 4) // 'abc…'
 */
export function cutText(s: string, max: number): string {
  if (s.length <= max) return s;
  const chars = Array.from(s);
  if (chars.length <= max) return s;
  return chars.slice(0, Math.max(0, max - 1)).join('') + '…';
}

/**
 * Display width of text in a monospace terminal, counted in code points (as Go's text/tabwriter
 * counts runes).
 * @example
 * textWidth('né') // 2
 */
export function textWidth(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}
