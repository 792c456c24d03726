/**
 * The only place kubetcd touches protobufjs: parse the text of a `.proto` file into a small neutral
 * structure (messages with their fields), so the rest of the codec never depends on protobufjs' model.
 */
import * as protobuf from 'protobufjs';
import { SchemaError } from '../errors';

/** A field as written in a `.proto` file. */
export interface ProtoFieldDef {
  name: string;
  number: number;
  /** The type as written (`string`, `ObjectMeta`, `k8s.io.apimachinery.pkg.apis.meta.v1.Time`). */
  type: string;
  repeated: boolean;
  /** For `map<K, V>` fields: the key type (then `type` is the value type). */
  mapKey?: string;
}

/** A message of a `.proto` file. */
export interface ProtoMessageDef {
  /** Fully-qualified name without leading dot. */
  name: string;
  fields: ProtoFieldDef[];
}

/** What one `.proto` file declares. */
export interface ProtoFileDef {
  package: string;
  /** `option go_package`, when present. */
  goPackage?: string;
  messages: ProtoMessageDef[];
}

/**
 * Parses the text of a `.proto` file (field names kept as written).
 * @example
 * const def = parseProtoText('syntax = "proto2"; package a; message M { optional string s = 1; }');
 * def.messages[0].fields[0].name // 's'
 */
export function parseProtoText(text: string, fileName = '<proto>'): ProtoFileDef {
  let parsed: protobuf.IParserResult;
  try {
    parsed = protobuf.parse(text, { keepCase: true });
  } catch (e) {
    throw new SchemaError(
      `Cannot parse ${fileName} as a .proto file: ${(e as Error).message}. Reinstall the sources with \`bash proto/install.sh --force\`.`,
      { file: fileName },
    );
  }
  const pkg = parsed.package ?? '';
  const messages: ProtoMessageDef[] = [];
  const walk = (ns: protobuf.NamespaceBase, prefix: string): void => {
    for (const child of ns.nestedArray) {
      const full = prefix ? `${prefix}.${child.name}` : child.name;
      if (child instanceof protobuf.Type) {
        const fields: ProtoFieldDef[] = [];
        for (const f of child.fieldsArray) {
          const def: ProtoFieldDef = {
            name: f.name,
            number: f.id,
            type: f.type,
            repeated: f.repeated,
          };
          if (f instanceof protobuf.MapField) def.mapKey = f.keyType;
          fields.push(def);
        }
        messages.push({ name: full, fields });
      }
      if (child instanceof protobuf.Namespace || child instanceof protobuf.Type) {
        walk(child, full);
      }
    }
  };
  walk(parsed.root, '');
  const goPackage = parsed.root.lookup(pkg) ? readGoPackage(parsed.root, pkg) : undefined;
  const out: ProtoFileDef = { package: pkg, messages };
  if (goPackage !== undefined) out.goPackage = goPackage;
  return out;
}

function readGoPackage(root: protobuf.Root, pkg: string): string | undefined {
  const ns = root.lookup(pkg);
  const opt = ns?.options?.['go_package'] ?? root.options?.['go_package'];
  return typeof opt === 'string' ? opt : undefined;
}
