/**
 * What every renderer returns, and the style sheet all HTML output shares (scoped to one class,
 * `.kubetcd`, so it never restyles the notebook around it).
 */

/** A rich result: HTML for notebooks, a plain-text twin for terminals and classic outputs. */
export interface Rendered {
  /** A self-contained HTML fragment (`<div class="kubetcd">` with its scoped `<style>`). */
  html: string;
  /** The plain-text twin. */
  text: string;
  /** For `application/json` outputs: the data as JSON-compatible values. */
  json?: unknown;
  /** For charts: the bare SVG document. */
  svg?: string;
}

/** The CSS class every HTML output is scoped to. */
export const RENDER_CLASS = 'kubetcd';

/**
 * The selector every rule starts with. Front ends style output HTML with rules of their own that would
 * otherwise win: JupyterLab right-aligns cells with `:not(.jp-RenderedMarkdown).jp-RenderedHTMLCommon td`
 * and sets `pre` with `.jp-ThemedContainer .jp-RenderedHTMLCommon pre` (0,3,1), classic Notebook gives
 * `summary` `display:block` (no marker) and `pre` Bootstrap's borders and `word-break:break-all`. A
 * `:not()` of an id no element has adds an id's weight, (1,1,0), above any chain of classes, and still
 * matches only inside `.kubetcd`.
 */
const SCOPE = `.${RENDER_CLASS}:not(#kubetcd-scope)`;

/** kubectl's output is monospace: the notebook's code font, else the platform's. */
const MONOSPACE =
  'var(--jp-code-font-family,var(--vscode-editor-font-family,ui-monospace,SFMono-Regular,Menlo,Consolas,"DejaVu Sans Mono","Liberation Mono",monospace))';

/** What a tall table or text may take before it scrolls inside itself: about a screen. */
const MAX_HEIGHT = 'min(80vh,60em)';

/** An opaque background for the sticky table header, from the front end's theme where it has one. */
const HEADER_BACKGROUND = 'var(--jp-layout-color0,var(--vscode-editor-background,Canvas))';

/** Rules as [selectors under the scope, declarations]; every property a front end sets is set here too. */
const RULES: ReadonlyArray<readonly [string, string]> = [
  [
    '',
    `display:block;max-width:100%;font-family:${MONOSPACE};font-size:12px;line-height:1.35;color:inherit;text-align:left`,
  ],
  ['p', 'margin:0;padding:0;text-align:left'],
  // tables: left-aligned kubectl columns that scroll sideways (and down, under a sticky header)
  ['.kubetcd-scroll', `overflow:auto;max-width:100%;max-height:${MAX_HEIGHT}`],
  [
    'table',
    'border-collapse:collapse;border-spacing:0;border:none;margin:0;width:auto;max-width:none;table-layout:auto;font:inherit;color:inherit;background:transparent',
  ],
  ['thead,tbody,tr', 'border:none;background:transparent'],
  [
    'th,td',
    'text-align:left;padding:2px 10px 2px 0;vertical-align:top;white-space:pre;border:none;font:inherit;line-height:inherit;color:inherit;max-width:none;background:transparent',
  ],
  // the header line is a shadow: VS Code's notebook sets `border:none !important` on every table cell
  [
    'thead th',
    `font-weight:600;position:sticky;top:0;z-index:1;background:${HEADER_BACKGROUND};box-shadow:inset 0 -1px rgba(127,127,127,.5)`,
  ],
  ['tbody tr:nth-child(odd)', 'background:transparent'],
  ['tbody tr:nth-child(even)', 'background:rgba(127,127,127,.07)'],
  ['tbody tr:hover', 'background:rgba(127,127,127,.14)'],
  ['tr.kubetcd-more td', 'text-align:center;color:rgba(127,127,127,.9)'],
  ['.kubetcd-caption', 'margin:4px 0 0;color:rgba(127,127,127,.95);font-size:11px'],
  ['.kubetcd-none', 'color:rgba(127,127,127,.9)'],
  ['.kubetcd-note', 'margin:4px 0 0;white-space:pre-wrap;overflow-wrap:anywhere;max-width:100%'],
  [
    'pre',
    `margin:0;padding:0;border:none;border-radius:0;background:transparent;color:inherit;font:inherit;white-space:pre;word-break:normal;overflow-wrap:normal;overflow:auto;max-width:100%;max-height:${MAX_HEIGHT}`,
  ],
  // trees: nested <details>, each row with a gutter holding the row's own marker, drawn here (▶ closed,
  // ▼ open) rather than left to the browser, which classic Notebook's `summary{display:block}` hides
  ['.kubetcd-json,.kubetcd-tree', 'overflow-x:auto;max-width:100%'],
  ['details', 'display:block;margin:0;padding:0 0 0 1.2em;border:none'],
  ['summary', 'display:block;list-style:none;margin:0 0 0 -1.2em;padding:0 0 0 1.2em;cursor:pointer;white-space:pre'],
  ['summary::-webkit-details-marker', 'display:none'],
  ['summary::marker', 'content:""'],
  [
    'summary::before',
    'content:"\\25B6";display:inline-block;width:1.6em;margin-left:-1.6em;font-size:.75em;text-align:left;opacity:.75',
  ],
  ['details[open]>summary::before', 'content:"\\25BC"'],
  ['.kubetcd-leaf', 'margin:0;padding:0 0 0 1.2em;white-space:pre'],
  ['.kubetcd-close', 'margin-left:-1.2em'],
  ['.kubetcd-count', 'color:rgba(127,127,127,.95)'],
  ['.j-key', 'color:#a0468c'],
  ['.j-str', 'color:#2a7d2a'],
  ['.j-num', 'color:#1f5fbf'],
  ['.j-lit', 'color:#b3591a'],
  ['.h-off,.h-ascii', 'color:rgba(127,127,127,.9)'],
  ['.h-magic', 'background:rgba(255,170,0,.28)'],
  ['.h-key', 'background:rgba(160,160,160,.25)'],
  ['.h-envelope', 'background:rgba(0,140,255,.16)'],
  ['.h-typemeta', 'background:rgba(0,200,200,.22)'],
  ['.h-field', 'background:rgba(80,200,80,.18)'],
  ['.h-value', 'background:rgba(80,200,80,.1)'],
  ['.h-enc', 'background:rgba(255,60,60,.2)'],
  ['.h-cipher', 'background:rgba(200,60,200,.14)'],
  ['.h-json', 'background:rgba(255,220,0,.18)'],
  ['.h-raw', 'background:rgba(127,127,127,.15)'],
  ['.h-error', 'background:rgba(255,0,0,.3)'],
  ['svg', 'max-width:100%;height:auto'],
  ['svg text', 'font-family:inherit;font-size:11px;fill:currentColor'],
];

function scoped(selectors: string): string {
  if (selectors === '') return SCOPE;
  return selectors
    .split(',')
    .map((s) => `${SCOPE} ${s}`)
    .join(',');
}

/**
 * The scoped style sheet (one copy per output; browsers dedupe identical rules cheaply). Plain CSS in a
 * `<style>` element, which JupyterLab, Notebook 7, classic Notebook and VS Code (it inserts output HTML
 * into its notebook webview, where outputs share one document) all keep; no script, no external
 * resource. Where a `<style>` is stripped (GitHub's notebook preview), the HTML still reads: plain
 * tables and the browser's own `<details>` markers.
 */
export const RENDER_CSS = RULES.map(([selectors, declarations]) => `${scoped(selectors)}{${declarations}}`).join('');

/**
 * Wraps an HTML fragment in the scoped container with its style sheet.
 * @example
 * wrapHtml('<pre>x</pre>') // '<div class="kubetcd"><style>…</style><pre>x</pre></div>'
 */
export function wrapHtml(inner: string): string {
  return `<div class="${RENDER_CLASS}"><style>${RENDER_CSS}</style>${inner}</div>`;
}
