/**
 * Reading plain Kubernetes objects safely: typed accessors that never throw on missing or mistyped
 * fields, and kubectl-style dotted paths (`spec.nodeName`, `.spec.containers[0].image`,
 * `spec.containers[*].name`) for custom columns.
 */
import { InvalidArgumentError } from '../errors';

/** A plain record, or undefined when the value is not one. */
export function rec(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** An array, or an empty one when the value is not an array. */
export function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/** A string, or `fallback` when the value is not one. */
export function str(v: unknown, fallback = ''): string {
  return typeof v === 'string' ? v : fallback;
}

/** A number (bigint narrowed), or `fallback` when the value is not numeric. */
export function num(v: unknown, fallback = 0): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  return fallback;
}

/**
 * Field `key` of each nested record along `keys`.
 * @example
 * dig({ spec: { nodeName: 'n1' } }, 'spec', 'nodeName') // 'n1'
 */
export function dig(v: unknown, ...keys: string[]): unknown {
  let cur = v;
  for (const k of keys) {
    const r = rec(cur);
    if (r === undefined) return undefined;
    cur = r[k];
  }
  return cur;
}

type Step = { key: string } | { index: number } | { all: true };

const pathCache = new Map<string, Step[]>();

/**
 * Parses a dotted path: `a.b`, `.a.b`, `a[0].b`, `a[*].b`, `{.a.b}` (kubectl's JSONPath braces), and
 * `metadata.labels['app.kubernetes.io/name']` for keys holding dots.
 * Throws InvalidArgumentError on a malformed path.
 * @example
 * parsePath('spec.containers[0].image') // [{key:'spec'},{key:'containers'},{index:0},{key:'image'}]
 */
export function parsePath(path: string): Step[] {
  const cached = pathCache.get(path);
  if (cached !== undefined) return cached;
  let p = path.trim();
  if (p.startsWith('{') && p.endsWith('}')) p = p.slice(1, -1);
  if (p.startsWith('$')) p = p.slice(1);
  const steps: Step[] = [];
  let i = 0;
  const fail = (why: string): never => {
    throw new InvalidArgumentError(
      `Invalid column path ${JSON.stringify(path)} at character ${i}: ${why}. Use dotted paths such as "spec.nodeName" or "spec.containers[*].image".`,
      { path },
    );
  };
  while (i < p.length) {
    const c = p[i];
    if (c === '.') {
      i++;
      continue;
    }
    if (c === '[') {
      const close = p.indexOf(']', i);
      if (close < 0) fail('missing ]');
      const inner = p.slice(i + 1, close).trim();
      if (inner === '*') steps.push({ all: true });
      else if (/^-?\d+$/.test(inner)) steps.push({ index: Number(inner) });
      else if (/^'.*'$|^".*"$/.test(inner)) steps.push({ key: inner.slice(1, -1) });
      else fail(`unexpected ${JSON.stringify(inner)} in brackets`);
      i = close + 1;
      continue;
    }
    let j = i;
    while (j < p.length && p[j] !== '.' && p[j] !== '[') j++;
    steps.push({ key: p.slice(i, j) });
    i = j;
  }
  if (pathCache.size > 1000) pathCache.clear();
  pathCache.set(path, steps);
  return steps;
}

/**
 * The values at a dotted path: one value, or several when the path holds `[*]`; missing parts give
 * no values.
 * @example
 * valuesAt({ a: [{ b: 1 }, { b: 2 }] }, 'a[*].b') // [1, 2]
 */
export function valuesAt(object: unknown, path: string): unknown[] {
  let cur: unknown[] = [object];
  for (const step of parsePath(path)) {
    const next: unknown[] = [];
    for (const v of cur) {
      if ('key' in step) {
        const r = rec(v);
        if (r !== undefined && Object.hasOwn(r, step.key)) next.push(r[step.key]);
      } else if ('index' in step) {
        if (Array.isArray(v)) {
          const idx = step.index < 0 ? v.length + step.index : step.index;
          if (idx >= 0 && idx < v.length) next.push(v[idx]);
        }
      } else if (Array.isArray(v)) {
        next.push(...v);
      }
    }
    cur = next;
  }
  return cur;
}
