/**
 * The display adapter: the one file that talks to the tslab kernel. It never loads `tslab` itself (a second
 * copy throws `Not ready`); it reaches the running kernel through `globalThis.__tslab__`, which tslab sets
 * before running each cell, and the kernel's own `jupyter.js` writer, found in the module cache, so that one
 * output carries a bundle of MIME types (`text/html` with its `text/plain` twin).
 *
 * Outside tslab every function here is a no-op that says so by its return value.
 */
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';

/** One output: MIME type → data (`text/html`, `text/plain`, `image/svg+xml`, …). */
export type MimeBundle = Record<string, unknown>;

/** What tslab puts on `globalThis` before it runs a cell. */
interface TslabGlobal {
  require?: (id: string) => unknown;
}

/** tslab's `Display`, as far as this adapter uses it. */
interface TslabPublicDisplay {
  raw(contentType: string, data: string): unknown;
}

interface TslabPublic {
  display?: TslabPublicDisplay;
  newDisplay?: () => TslabPublicDisplay;
}

type WriteDisplayData = (
  content: { data: MimeBundle; metadata: Record<string, unknown>; transient: { display_id?: string } },
  update: boolean,
) => void;

/** A display that can be rewritten in place (progress, live updates). */
export interface DisplayHandle {
  /** Replaces what this display shows (the first call creates it). */
  update(bundle: MimeBundle): void;
}

function tslabGlobal(): TslabGlobal | undefined {
  const g = (globalThis as { __tslab__?: unknown }).__tslab__;
  return g !== null && typeof g === 'object' ? (g as TslabGlobal) : undefined;
}

/**
 * True when this code runs inside a tslab kernel (a Jupyter notebook cell).
 * @example
 * if (inTslab()) console.log('in a notebook');
 */
export function inTslab(): boolean {
  return tslabGlobal() !== undefined && writer() !== undefined;
}

const JUPYTER_MODULE = `${path.sep}tslab${path.sep}dist${path.sep}jupyter.js`;

/** The kernel's own writer of display_data messages (set while a cell runs), if any. */
function writer(): WriteDisplayData | undefined {
  if (tslabGlobal() === undefined) return undefined;
  for (const [file, mod] of Object.entries(require.cache)) {
    if (!file.endsWith(JUPYTER_MODULE) || mod === undefined) continue;
    const w = (mod.exports as { lastWriteDisplayData?: unknown }).lastWriteDisplayData;
    if (typeof w === 'function') return w as WriteDisplayData;
  }
  return undefined;
}

/** Fallback when the internal writer cannot be found: tslab's public display, one MIME type per output. */
function publicTslab(): TslabPublic | undefined {
  const g = tslabGlobal();
  if (g === undefined || typeof g.require !== 'function') return undefined;
  try {
    return g.require('tslab') as TslabPublic;
  } catch {
    return undefined;
  }
}

function preferred(bundle: MimeBundle): [string, string] | undefined {
  for (const mime of ['text/html', 'image/svg+xml', 'text/plain']) {
    const data = bundle[mime];
    if (typeof data === 'string') return [mime, data];
  }
  return undefined;
}

function send(
  bundle: MimeBundle,
  displayId: string | undefined,
  update: boolean,
  fallback?: () => TslabPublicDisplay | undefined,
): boolean {
  const w = writer();
  if (w !== undefined) {
    w({ data: bundle, metadata: {}, transient: displayId !== undefined ? { display_id: displayId } : {} }, update);
    return true;
  }
  const one = preferred(bundle);
  const target = fallback ? fallback() : publicTslab()?.display;
  if (target === undefined || one === undefined) return false;
  target.raw(one[0], one[1]);
  return true;
}

/**
 * Sends one output made of several MIME types to the notebook. Returns false outside tslab (nothing sent).
 * @example
 * displayBundle({ 'text/html': '<b>3 pods</b>', 'text/plain': '3 pods' });
 */
export function displayBundle(bundle: MimeBundle): boolean {
  return send(bundle, undefined, false);
}

/**
 * A display that can be updated in place, or undefined outside tslab.
 * @example
 * const d = newDisplayHandle();
 * d?.update({ 'text/plain': 'reading… 1 000 records' });
 */
export function newDisplayHandle(): DisplayHandle | undefined {
  if (!inTslab() && publicTslab() === undefined) return undefined;
  const id = randomBytes(8).toString('hex');
  let shown = false;
  let pubDisplay: TslabPublicDisplay | undefined;
  const fallback = (): TslabPublicDisplay | undefined => (pubDisplay ??= publicTslab()?.newDisplay?.());
  return {
    update(bundle: MimeBundle): void {
      if (send(bundle, id, shown, fallback)) shown = true;
    },
  };
}
