/**
 * Progress of long reads, shown in place in the notebook (one display per read, rewritten as it goes) and
 * silent in plain Node. A read shorter than `delayMs` shows nothing at all.
 */
import type { KeyRange, KvRecord, KvSource, RangeOptions } from '../sources/types';
import { escapeHtml } from '../render/escape';
import { wrapHtml } from '../render/rendered';
import { newDisplayHandle, type DisplayHandle } from './tslab-display';

/** Options of progress reporting. Every field is optional. */
export interface ProgressOptions {
  /** Show progress only for work that lasts longer than this (default 500 ms; 0 shows every read). */
  delayMs?: number;
  /** Rewrite the display at most this often (default 250 ms). */
  intervalMs?: number;
}

const td = new TextDecoder();

function mb(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${(bytes / 1024).toFixed(1)} kB`;
}

function bundle(text: string): Record<string, string> {
  return { 'text/html': wrapHtml(`<p class="kubetcd-caption">${escapeHtml(text)}</p>`), 'text/plain': text };
}

/**
 * One piece of long work with a display that appears after the delay and is rewritten in place.
 * @example
 * const p = new ProgressReporter({ delayMs: 500 });
 * p.update(`Reading: ${n} records`); // shown once 500 ms have passed, then at most every 250 ms
 * p.finish(`Read ${n} records in ${p.seconds()} s`);
 */
export class ProgressReporter {
  private display: DisplayHandle | undefined;
  private readonly started = Date.now();
  private lastShown = 0;
  private readonly delayMs: number;
  private readonly intervalMs: number;

  constructor(options: ProgressOptions = {}) {
    this.delayMs = Math.max(0, options.delayMs ?? 500);
    this.intervalMs = Math.max(0, options.intervalMs ?? 250);
  }

  /** Elapsed time in seconds, for messages. */
  seconds(): string {
    return ((Date.now() - this.started) / 1000).toFixed(1);
  }

  /** Shows `text` if the work has lasted long enough and the last update is old enough (or `force`). */
  update(text: string, force = false): void {
    const now = Date.now();
    if (this.display === undefined) {
      if (now - this.started < this.delayMs && !force) return;
      this.display = newDisplayHandle();
      if (this.display === undefined) return;
    } else if (now - this.lastShown < this.intervalMs && !force) return;
    this.lastShown = now;
    this.display.update(bundle(text));
  }

  /** The last word, shown only when something was shown before. */
  finish(text: string): void {
    if (this.display !== undefined) this.display.update(bundle(text));
  }

  /** True once something was displayed. */
  get shown(): boolean {
    return this.display !== undefined;
  }
}

function rangeLabel(range: KeyRange): string {
  if ('prefix' in range) {
    const prefix = typeof range.prefix === 'string' ? range.prefix : td.decode(range.prefix);
    return prefix === '' ? 'the whole keyspace' : prefix;
  }
  const start = typeof range.start === 'string' ? range.start : td.decode(range.start);
  return `${start}…`;
}

async function* counted(
  records: AsyncIterable<KvRecord>,
  label: string,
  options: ProgressOptions,
  keysOnly: boolean,
): AsyncGenerator<KvRecord> {
  const p = new ProgressReporter(options);
  let count = 0;
  let bytes = 0;
  const what = (): string =>
    `${count.toLocaleString('en-US')} ${keysOnly ? 'keys' : 'records'}${keysOnly ? '' : ` (${mb(bytes)})`}`;
  try {
    for await (const kv of records) {
      count++;
      bytes += kv.valueBytes;
      if ((count & 63) === 0 || count === 1) p.update(`Reading ${label}: ${what()} so far, ${p.seconds()} s`);
      yield kv;
    }
  } finally {
    p.finish(`Read ${label}: ${what()} in ${p.seconds()} s`);
  }
}

/**
 * Wraps a source so every `range()` read reports its progress in place (in tslab); every other member is
 * passed through unchanged, including members added to KvSource later.
 * @example
 * const source = withReadProgress(await openSource('./backup.db'), { delayMs: 0 });
 */
export function withReadProgress(source: KvSource, options: ProgressOptions = {}): KvSource {
  return new Proxy(source, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (prop === 'range' && typeof value === 'function') {
        return (range: KeyRange, rangeOptions: RangeOptions = {}): AsyncIterable<KvRecord> =>
          counted(
            (value as KvSource['range']).call(target, range, rangeOptions),
            rangeLabel(range),
            options,
            rangeOptions.keysOnly === true,
          );
      }
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
