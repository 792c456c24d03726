/**
 * A protobuf decoder bound to one schema: finds the message of a kind (the newest schema version that
 * has it) and decodes an object's own protobuf with the message's plan (see decode-message.ts).
 */
import { DecodeError } from '../errors';
import { WireReader } from '../util/wire-reader';
import { PlanCache, type DecodeState, type MessagePlan } from './decode-plan';
import { readMessage } from './decode-message';
import type { CompiledSchema } from './schema-types';
import type { KubeObject, UnknownField } from './types';

/** A decoder bound to one schema. */
export interface ProtobufDecoder {
  /** Decodes an object's own protobuf (`raw`) in [start, end) of `buf` as the message `messageName`. */
  decodeObject(
    buf: Uint8Array,
    start: number,
    end: number,
    base: number,
    messageName: string,
    typeMeta: { kind: string; apiVersion: string } | undefined,
  ): { object?: KubeObject; error?: DecodeError; unknownFields?: UnknownField[] };
  /** {@link ProtobufDecoder.decodeObject} with a plan of its own (such as a {@link restrictPlan}). */
  decodeWithPlan(
    buf: Uint8Array,
    start: number,
    end: number,
    base: number,
    plan: MessagePlan,
    typeMeta: { kind: string; apiVersion: string } | undefined,
  ): { object?: KubeObject; error?: DecodeError; unknownFields?: UnknownField[] };
  /** The message of a kind, or undefined. */
  messageFor(apiVersion: string, kind: string): string | undefined;
  /** The message of a kind and the Kubernetes version whose schema has it, or undefined. */
  kindFor(apiVersion: string, kind: string): KindLookup | undefined;
  plans: PlanCache;
}

/** What {@link ProtobufDecoder.kindFor} finds. */
export interface KindLookup {
  message: string;
  /** `SchemaSource.version` of the source the message comes from (undefined in a hand-made schema). */
  schemaVersion: string | undefined;
}

/**
 * Creates a protobuf decoder for a schema.
 * @example
 * const d = createProtobufDecoder(loadSchema());
 * d.messageFor('apps/v1', 'Deployment') // 'k8s.io.api.apps.v1.Deployment'
 */
export function createProtobufDecoder(schema: CompiledSchema): ProtobufDecoder {
  const plans = new PlanCache(schema);
  const newest = schema.sources?.[0]?.version;
  // the last lookup, as values of one resource come in runs
  let lastVersion = '';
  let lastKind = '';
  let lastFound: KindLookup | undefined;
  const kindFor = (apiVersion: string, kind: string): KindLookup | undefined => {
    if (apiVersion === lastVersion && kind === lastKind && lastFound !== undefined) return lastFound;
    const found = lookup(apiVersion, kind);
    lastVersion = apiVersion;
    lastKind = kind;
    lastFound = found;
    return found;
  };
  const lookup = (apiVersion: string, kind: string): KindLookup | undefined => {
    const k = schema.kinds[`${apiVersion}/${kind}`];
    if (k !== undefined) return { message: k.message, schemaVersion: k.schemaVersion };
    // meta/v1 types registered into every group version (WatchEvent, Status, DeleteOptions…): the newest's
    const meta = `k8s.io.apimachinery.pkg.apis.meta.v1.${kind}`;
    if (kind !== '' && schema.messages[meta] !== undefined) return { message: meta, schemaVersion: newest };
    return undefined;
  };
  return {
    plans,
    kindFor,
    messageFor: (apiVersion, kind) => kindFor(apiVersion, kind)?.message,
    decodeObject(buf, start, end, base, messageName, typeMeta) {
      const plan = plans.get(messageName);
      if (plan === undefined) {
        return {
          error: new DecodeError(`Cannot decode ${messageName}: the schema has no such message.`, base + start),
        };
      }
      return this.decodeWithPlan(buf, start, end, base, plan, typeMeta);
    },
    decodeWithPlan(buf, start, end, base, plan, typeMeta) {
      const messageName = plan.m.name;
      const view = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
      const ctx: DecodeState = {
        r: new WireReader(view, start, base),
        buf: view,
        unknown: [],
        names: [],
        keys: [],
        rawField: undefined,
        partial: undefined,
      };
      try {
        const object = readMessage(ctx, plan, end, 0, typeMeta) as KubeObject;
        const out: { object?: KubeObject; error?: DecodeError; unknownFields?: UnknownField[] } = { object };
        if (ctx.unknown.length > 0) out.unknownFields = ctx.unknown;
        if (ctx.partial !== undefined) out.error = ctx.partial;
        return out;
      } catch (e) {
        const error =
          e instanceof DecodeError
            ? e
            : new DecodeError(
                `Cannot decode ${messageName} at byte ${base + ctx.r.pos}: ${(e as Error).message}.`,
                base + ctx.r.pos,
              );
        const out: { error: DecodeError; unknownFields?: UnknownField[] } = { error };
        if (ctx.unknown.length > 0) out.unknownFields = ctx.unknown;
        return out;
      }
    },
  };
}
