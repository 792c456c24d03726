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

/** The scoped style sheet (one copy per output; browsers dedupe identical rules cheaply). */
export const RENDER_CSS = [
  '.kubetcd{font-family:var(--jp-code-font-family,ui-monospace,SFMono-Regular,Menlo,Consolas,monospace);font-size:12px;line-height:1.35;color:inherit}',
  '.kubetcd table{border-collapse:collapse;margin:0}',
  '.kubetcd th,.kubetcd td{text-align:left;padding:2px 10px 2px 0;vertical-align:top;white-space:pre;border:none}',
  '.kubetcd thead th{font-weight:600;border-bottom:1px solid rgba(127,127,127,.5)}',
  '.kubetcd tbody tr:nth-child(even){background:rgba(127,127,127,.07)}',
  '.kubetcd tr.kubetcd-more td{text-align:center;color:rgba(127,127,127,.9)}',
  '.kubetcd .kubetcd-caption{margin:4px 0 0;color:rgba(127,127,127,.95);font-size:11px}',
  '.kubetcd .kubetcd-none{color:rgba(127,127,127,.9)}',
  '.kubetcd .kubetcd-note{margin:4px 0 0;white-space:pre-wrap;overflow-wrap:anywhere;max-width:100%}',
  '.kubetcd pre{margin:0;white-space:pre;overflow-x:auto}',
  '.kubetcd details{margin-left:1.2em}',
  '.kubetcd details>summary{margin-left:-1.2em;cursor:pointer;list-style-position:inside}',
  '.kubetcd .kubetcd-leaf{margin-left:0;white-space:pre}',
  '.kubetcd .kubetcd-count{color:rgba(127,127,127,.95)}',
  '.kubetcd .j-key{color:#a0468c}.kubetcd .j-str{color:#2a7d2a}.kubetcd .j-num{color:#1f5fbf}.kubetcd .j-lit{color:#b3591a}',
  '.kubetcd .h-off{color:rgba(127,127,127,.9)}.kubetcd .h-ascii{color:rgba(127,127,127,.9)}',
  '.kubetcd .h-magic{background:rgba(255,170,0,.28)}.kubetcd .h-key{background:rgba(160,160,160,.25)}',
  '.kubetcd .h-envelope{background:rgba(0,140,255,.16)}.kubetcd .h-typemeta{background:rgba(0,200,200,.22)}',
  '.kubetcd .h-field{background:rgba(80,200,80,.18)}.kubetcd .h-value{background:rgba(80,200,80,.1)}',
  '.kubetcd .h-enc{background:rgba(255,60,60,.2)}.kubetcd .h-cipher{background:rgba(200,60,200,.14)}',
  '.kubetcd .h-json{background:rgba(255,220,0,.18)}.kubetcd .h-raw{background:rgba(127,127,127,.15)}',
  '.kubetcd .h-error{background:rgba(255,0,0,.3)}',
  '.kubetcd svg text{font-family:inherit;font-size:11px;fill:currentColor}',
].join('');

/**
 * Wraps an HTML fragment in the scoped container with its style sheet.
 * @example
 * wrapHtml('<pre>x</pre>') // '<div class="kubetcd"><style>…</style><pre>x</pre></div>'
 */
export function wrapHtml(inner: string): string {
  return `<div class="${RENDER_CLASS}"><style>${RENDER_CSS}</style>${inner}</div>`;
}
