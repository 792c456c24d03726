/**
 * What a person sees of kubetcd's outputs in a notebook page, measured in the browser from computed
 * styles and layout: run in the page by the browser test (`page.evaluate(PAGE_PROBE)`), it returns plain
 * data for the test to assert on. Kept as source text: the project compiles without the DOM library.
 */

/** One table output: how its cells are aligned and set, and whether its box scrolls sideways. */
export interface ProbedTable {
  headers: string[];
  rows: number;
  /** Distinct computed `text-align` values of its th and td. */
  textAligns: string[];
  fontFamily: string;
  /** 'iiiiiiiiii' and 'MMMMMMMMMM' are the same width in the cells' font. */
  monospace: boolean;
  /** The table's own scroll box (`.kubetcd-scroll`). */
  box: { overflowX: string; maxHeight: string; scrollWidth: number; clientWidth: number };
  /** Ancestors between the output and the page that are wider inside than outside (should be none). */
  overflowingAncestors: string[];
}

/** One tree marker: a `<summary>`'s drawn ▶/▼. */
export interface ProbedMarker {
  label: string;
  open: boolean;
  /** The `::before` content, e.g. `"▶"`. */
  content: string;
  display: string;
  visibility: string;
  /** Contrast ratio (WCAG) of the marker's colour, opacity included, against what lies behind it. */
  contrast: number;
  /** The summary's own display (`list-item` would add the browser's marker too). */
  summaryDisplay: string;
  cursor: string;
}

/** One `<pre>` output (YAML, text views). */
export interface ProbedPre {
  text: string;
  monospace: boolean;
  whiteSpace: string;
  maxHeight: string;
  overflowY: string;
}

/** The whole page. */
export interface PageProbe {
  /** JupyterLab's theme name (`data-jp-theme-name`), or '' outside JupyterLab and Notebook 7. */
  theme: string;
  tables: ProbedTable[];
  markers: ProbedMarker[];
  pres: ProbedPre[];
  /** The page itself scrolls sideways. */
  pageOverflowsX: boolean;
  /** The browser window's height in CSS pixels (a screen). */
  viewportHeight: number;
}

/** The probe: an expression evaluating to a {@link PageProbe}. */
export const PAGE_PROBE = String.raw`(() => {
  const canvas = document.createElement('canvas').getContext('2d');
  function monospace(el) {
    const s = getComputedStyle(el);
    canvas.font = s.fontStyle + ' ' + s.fontWeight + ' ' + s.fontSize + ' ' + s.fontFamily;
    return Math.abs(canvas.measureText('iiiiiiiiii').width - canvas.measureText('MMMMMMMMMM').width) < 0.5;
  }
  function rgba(css) {
    const m = /rgba?\(([^)]*)\)/.exec(css);
    if (!m) return [0, 0, 0, 0];
    const p = m[1].split(/[ ,\/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  }
  function over(top, base) {
    const a = top[3];
    return [0, 1, 2].map((i) => top[i] * a + base[i] * (1 - a)).concat([1]);
  }
  function behind(el) {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = rgba(getComputedStyle(e).backgroundColor);
      if (c[3] > 0) layers.push(c);
      if (c[3] >= 0.99) break;
    }
    let base = [255, 255, 255, 1];
    for (let i = layers.length - 1; i >= 0; i--) base = over(layers[i], base);
    return base;
  }
  function luminance(c) {
    const l = c.slice(0, 3).map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * l[0] + 0.7152 * l[1] + 0.0722 * l[2];
  }
  function contrast(a, b) {
    const x = luminance(a), y = luminance(b);
    return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05);
  }
  function describe(e) {
    return e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (typeof e.className === 'string' && e.className ? '.' + e.className.trim().split(/\s+/).join('.') : '');
  }
  const tables = [...document.querySelectorAll('div.kubetcd table')].map((t) => {
    const cells = [...t.querySelectorAll('th, td')];
    const box = t.closest('.kubetcd-scroll') || t.parentElement;
    const bs = getComputedStyle(box);
    const overflowing = [];
    for (let e = t.closest('div.kubetcd'); e && e !== document.documentElement; e = e.parentElement) {
      if (e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX !== 'visible') overflowing.push(describe(e));
    }
    return {
      headers: [...t.querySelectorAll('thead th')].map((h) => h.textContent),
      rows: t.querySelectorAll('tbody tr').length,
      textAligns: [...new Set(cells.map((c) => getComputedStyle(c).textAlign))],
      fontFamily: getComputedStyle(cells[cells.length - 1]).fontFamily,
      monospace: cells.every(monospace),
      box: { overflowX: bs.overflowX, maxHeight: bs.maxHeight, scrollWidth: box.scrollWidth, clientWidth: box.clientWidth },
      overflowingAncestors: overflowing,
    };
  });
  const markers = [...document.querySelectorAll('div.kubetcd details > summary')].map((s) => {
    const b = getComputedStyle(s, '::before');
    const color = rgba(b.color);
    color[3] *= Number(b.opacity);
    const bg = behind(s);
    return {
      label: s.textContent.slice(0, 60),
      open: s.parentElement.open,
      content: b.content,
      display: b.display,
      visibility: b.visibility,
      contrast: contrast(over(color, bg), bg),
      summaryDisplay: getComputedStyle(s).display,
      cursor: getComputedStyle(s).cursor,
    };
  });
  const pres = [...document.querySelectorAll('div.kubetcd pre')].map((p) => {
    const s = getComputedStyle(p);
    return { text: p.textContent.slice(0, 200), monospace: monospace(p), whiteSpace: s.whiteSpace, maxHeight: s.maxHeight, overflowY: s.overflowY };
  });
  const root = document.scrollingElement || document.documentElement;
  return {
    theme: document.body.dataset.jpThemeName || '',
    tables,
    markers,
    pres,
    pageOverflowsX: root.scrollWidth > root.clientWidth + 1,
    viewportHeight: window.innerHeight,
  };
})()`;
