/**
 * Projection decoding: read only the fields a filter, a group or a table column needs (`metadata.labels`,
 * `spec.nodeName`, `status.containerStatuses`) from a stored value, skipping the rest of the protobuf
 * without building objects.
 *
 * The paths restrict the message plans of the full decoder (`restrictPlan` in decode.ts): along a path,
 * each message reads only the fields the path names and reads past the others by their length, unread;
 * where a path ends (a leaf), the field is read whole. The same generated decoding functions then run on
 * the restricted plans, so every value read is exactly what a full decode prints for it, Go's rules
 * included (omitempty, pointers, nil slices, maps in key order, times, quantities). A path through a list
 * of messages restricts each element (`status.containerStatuses.ready` gives `[{ ready }, …]`); maps,
 * lists of scalars and messages with custom JSON (Time, Quantity, …) are read whole where a path reaches
 * them (`metadata.labels.app` gives all labels).
 *
 * Anything unusual — JSON, CBOR, encrypted or raw values, an unknown kind, a content encoding, malformed
 * bytes in a field read — falls back to a full decode, whose result is returned with it
 * (errors then carry their exact offsets).
 */
import { InvalidArgumentError, type DecodeError } from '../errors';
import { decodeValue, type DecodeOptions } from './decode';
import { restrictPlan, type MessagePlan } from './decode-plan';
import { walksAsFields } from './envelope';
import { createProtobufDecoder, type ProtobufDecoder } from './protobuf-decoder';
import { readRuntimeUnknown } from './runtime-unknown';
import { loadSchema } from './schema';
import type { Decoded, Encoding, KubeObject } from './types';

/** Options of {@link createProjector}. Every field is optional. */
export interface ProjectorOptions {
  /** The protobuf decoder to use (default: one over the installed Kubernetes schema). */
  decoder?: ProtobufDecoder;
}

/** What {@link Projector.project} returns. It never throws on bad data: problems are in `error`. */
export interface Projected {
  encoding: Encoding;
  /** From the envelope or the object, when known. */
  apiVersion?: string;
  kind?: string;
  /**
   * The object cut down to the requested paths (plus `apiVersion` and `kind`): for every requested
   * path `p`, `getPath(object, p)` equals `getPath(decode(value).object, p)` (see {@link getPath}).
   * Undefined when the value could not be decoded.
   */
  object?: KubeObject;
  /** Why the value could not be decoded (from the full decode). */
  error?: DecodeError;
  /** `projection`: only the paths' fields were read; `full`: the value was fully decoded (see `decoded`). */
  via: 'projection' | 'full';
  /** The full decode, when one was made (`via === 'full'`): reuse it rather than decoding again. */
  decoded?: Decoded;
}

/** Projects stored values onto a fixed set of paths. */
export interface Projector {
  /** The paths, as given. */
  readonly paths: readonly string[];
  /**
   * Projects one stored value; `options` name the type of a value whose envelope names none, and
   * `decryption` with the value's `key` opens values encrypted at rest (as for `decode`: encrypted
   * values are decrypted and fully decoded).
   */
  project(value: Uint8Array, options?: ProjectOptions): Projected;
}

/** Options of {@link Projector.project}: decode's options that apply to a projection. */
export type ProjectOptions = Pick<DecodeOptions, 'apiVersion' | 'kind' | 'decryption' | 'key'>;

/** A node of the path tree: `leaf` when a path ends here (the whole value is wanted). */
interface PathNode {
  leaf: boolean;
  children: Map<string, PathNode>;
}

function buildTree(paths: readonly string[]): PathNode {
  const root: PathNode = { leaf: false, children: new Map() };
  for (const p of paths) {
    if (typeof p !== 'string' || p === '' || p.split('.').some((c) => c === '')) {
      throw new InvalidArgumentError(
        `Invalid projection path: ${JSON.stringify(p)}. Pass dotted JSON paths such as 'metadata.labels' or 'spec.nodeName'.`,
      );
    }
    let node = root;
    for (const c of p.split('.')) {
      let next = node.children.get(c);
      if (next === undefined) node.children.set(c, (next = { leaf: false, children: new Map() }));
      node = next;
    }
    node.leaf = true;
  }
  return root;
}

let defaultDecoder: ProtobufDecoder | undefined;

/**
 * Creates a projector that reads only the fields on `paths` (dotted JSON paths) from stored values.
 * Values that are not protobuf (or anything unusual) are decoded in full and cut down to the paths.
 * @example
 * const byNode = createProjector(['metadata.labels', 'spec.nodeName']);
 * const p = byNode.project(kv.value);
 * p.object?.spec // { nodeName: 'node-7' }
 */
export function createProjector(paths: readonly string[], options: ProjectorOptions = {}): Projector {
  if (!Array.isArray(paths) || paths.length === 0) {
    throw new InvalidArgumentError(
      `Invalid projection paths: ${JSON.stringify(paths)}. Pass a non-empty array of dotted paths.`,
    );
  }
  const tree = buildTree(paths);
  const decoder = options.decoder ?? (defaultDecoder ??= createProtobufDecoder(loadSchema()));
  // Per message plan, its restriction to a node of the path tree (see restrictPlan), made once.
  const restricted = new Map<PathNode, Map<MessagePlan, MessagePlan>>();

  /**
   * The plan reading only what `node` asks of `plan`: a leaf, a message with custom JSON (Time, Quantity…)
   * or a map is read whole; a plain message keeps the named fields, each restricted in turn. Names that are
   * no field of the message (fields of an inline struct, or unknown) keep the inline structs whole.
   */
  const restrict = (plan: MessagePlan, node: PathNode): MessagePlan => {
    if (node.leaf || plan.m.special !== undefined) return plan;
    let byPlan = restricted.get(node);
    if (byPlan === undefined) restricted.set(node, (byPlan = new Map()));
    const have = byPlan.get(plan);
    if (have !== undefined) return have;
    const keep = new Map<string, MessagePlan | undefined>();
    let others = false;
    for (const [name, child] of node.children) {
      const fp = plan.fields.find((f) => !f.f.inline && f.f.name === name);
      if (fp === undefined) {
        others = true;
        continue;
      }
      // a list of messages restricts each element; maps and scalars are read whole
      keep.set(name, fp.msg !== undefined && fp.f.type === 'message' ? restrict(fp.msg, child) : undefined);
    }
    if (others) for (const fp of plan.fields) if (fp.f.inline) keep.set(fp.f.name, undefined);
    const r = restrictPlan(plan, keep);
    byPlan.set(plan, r);
    return r;
  };

  const full = (value: Uint8Array, typeOptions: ProjectOptions): Projected => {
    const d = decodeValue(decoder, value, typeOptions);
    const p: Projected = { encoding: d.encoding, via: 'full', decoded: d };
    if (d.apiVersion !== undefined) p.apiVersion = d.apiVersion;
    if (d.kind !== undefined) p.kind = d.kind;
    if (d.error !== undefined) p.error = d.error;
    if (d.object !== undefined) p.object = pickPaths(d.object, tree);
    return p;
  };

  const project = (value: Uint8Array, typeOptions: ProjectOptions = {}): Projected => {
    if (
      !(value instanceof Uint8Array) ||
      value.length < 4 ||
      value[0] !== 0x6b ||
      value[1] !== 0x38 ||
      value[2] !== 0x73 ||
      value[3] !== 0x00
    ) {
      return full(value, typeOptions);
    }
    const buf = Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    try {
      let end = buf.length;
      if (buf[end - 1] === 0x0a && walksAsFields(buf, 4, end - 1)) end--; // etcdctl's trailing newline
      const env = readRuntimeUnknown(buf, 4, end, 0);
      // a content encoding: the full decoder reports it
      if (env.contentEncoding !== '') return full(value, typeOptions);
      if (env.rawStart < 0) env.rawStart = env.rawEnd = end;
      if (env.apiVersion === '' && env.kind === '') {
        env.apiVersion = typeOptions.apiVersion ?? '';
        env.kind = typeOptions.kind ?? '';
        if (env.apiVersion === '' && env.kind === '') return full(value, typeOptions);
      }
      const messageName = decoder.messageFor(env.apiVersion, env.kind);
      const plan = messageName !== undefined ? decoder.plans.get(messageName) : undefined;
      if (plan === undefined) return full(value, typeOptions);
      // apiVersion and kind where the full decode puts them (the object's TypeMeta)
      const decoded = decoder.decodeWithPlan(buf, env.rawStart, env.rawEnd, 0, restrict(plan, tree), env);
      if (decoded.error !== undefined || decoded.object === undefined) return full(value, typeOptions);
      const p: Projected = { encoding: 'protobuf', via: 'projection', object: decoded.object };
      if (env.apiVersion !== '') p.apiVersion = env.apiVersion;
      if (env.kind !== '') p.kind = env.kind;
      return p;
    } catch {
      // malformed bytes or something unusual: the full decode says exactly what
      return full(value, typeOptions);
    }
  };

  return { paths: [...paths], project };
}

/** Cuts a decoded object down to the path tree (maps and lists are kept whole where a path reaches them). */
function pickPaths(object: KubeObject, tree: PathNode): KubeObject {
  const out: KubeObject = {};
  if (typeof object['apiVersion'] === 'string') out['apiVersion'] = object['apiVersion'];
  if (typeof object['kind'] === 'string') out['kind'] = object['kind'];
  const walk = (from: Record<string, unknown>, node: PathNode, to: Record<string, unknown>): void => {
    for (const [name, child] of node.children) {
      if (!Object.hasOwn(from, name)) continue;
      const v = from[name];
      if (Array.isArray(v) && !child.leaf) {
        to[name] = v.map((e: unknown) => {
          if (e === null || typeof e !== 'object' || Array.isArray(e)) return e;
          const next: Record<string, unknown> = {};
          walk(e as Record<string, unknown>, child, next);
          return next;
        });
        continue;
      }
      if (child.leaf || v === null || typeof v !== 'object' || Array.isArray(v)) {
        to[name] = v;
        continue;
      }
      const next: Record<string, unknown> = {};
      to[name] = next;
      walk(v as Record<string, unknown>, child, next);
    }
  };
  walk(object, tree, out);
  return out;
}

/**
 * The value at a dotted path, where a list met on the way maps the rest of the path over its elements
 * (`status.containerStatuses.ready` gives `[true, false]`). Undefined when a step is missing.
 * @example
 * getPath({ spec: { containers: [{ name: 'a' }, { name: 'b' }] } }, 'spec.containers.name') // ['a', 'b']
 */
export function getPath(object: unknown, path: string): unknown {
  const parts = path.split('.');
  const at = (v: unknown, i: number): unknown => {
    if (i === parts.length) return v;
    if (Array.isArray(v)) return v.map((e) => at(e, i));
    if (v === null || typeof v !== 'object') return undefined;
    const name = parts[i] as string;
    if (!Object.hasOwn(v, name)) return undefined;
    return at((v as Record<string, unknown>)[name], i + 1);
  };
  return at(object, 0);
}
