/**
 * The commands that need no source: decode and encode one value (stdin or a file), and check a snapshot
 * file as "bbolt check" does.
 */
import * as fs from 'node:fs';
import { createCodec, decode, encode, parseKubeJson, toKubeJson, toKubeYaml } from '../codec';
import type { Decoded } from '../codec/types';
import { InvalidArgumentError } from '../errors';
import { visibleText } from '../render/escape';
import { jsYaml } from '../util/lazy-modules';
import type { CliArgs } from './cli-args';
import { jsonText, out } from './cli-output';

function readInput(file: string | undefined): Uint8Array {
  if (file === undefined || file === '-') {
    if (process.stdin.isTTY) {
      throw new InvalidArgumentError(
        'No input: stdin is a terminal. Give a FILE, or pipe a value in, e.g. "etcdctl get KEY --print-value-only | kubetcd decode".',
      );
    }
    return fs.readFileSync(0);
  }
  try {
    return fs.readFileSync(file);
  } catch (e) {
    const code = (e as { code?: string }).code;
    throw new InvalidArgumentError(`Cannot read ${JSON.stringify(file)}: ${code ?? String(e)}. Check the path.`);
  }
}

function describeProblem(d: Decoded): string {
  if (d.encoding === 'encrypted' && d.encryption) {
    return `The value is encrypted at rest (provider ${d.encryption.provider}, key "${d.encryption.keyName}", ${d.encryption.ciphertextBytes} bytes of ciphertext). kubetcd can only show what the prefix says without the cluster's EncryptionConfiguration.`;
  }
  if (d.encoding === 'raw') {
    return `The value is not a Kubernetes object (no "k8s\\0" protobuf envelope, JSON or CBOR found). It starts: ${d.preview ?? ''}`;
  }
  return d.error ? d.error.message : 'The value could not be decoded.';
}

/** `kubetcd decode`. */
export function runDecode(args: CliArgs): number {
  const format = args.output ?? 'json';
  if (format !== 'json' && format !== 'yaml') {
    throw new InvalidArgumentError(
      `Unknown output format for decode: ${JSON.stringify(format)}. Use -o json or -o yaml.`,
    );
  }
  const input = readInput(args.positional[0]);
  const d = args.sources ? createCodec({ sourcesDir: args.sources }).decode(input) : decode(input);
  if (d.object === undefined) {
    process.stderr.write(`kubetcd decode: ${describeProblem(d)}\n`);
    if (d.protoFields) process.stdout.write(toKubeJson(d.protoFields, { indent: '    ' }) + '\n');
    return 1;
  }
  process.stdout.write(format === 'yaml' ? toKubeYaml(d.object) : toKubeJson(d.object, { indent: '    ' }) + '\n');
  if (d.unknownFields && d.unknownFields.length > 0) {
    process.stderr.write(
      `kubetcd decode: warning: ${d.unknownFields.length} field(s) unknown to the schema were left out of the object: ` +
        d.unknownFields.map((f) => `${f.path || '(top)'}#${f.number}=${toKubeJson(f.value)}`).join(', ') +
        '. They were written by another Kubernetes version; use --sources to decode with its schema.\n',
    );
  }
  if (d.error) process.stderr.write(`kubetcd decode: warning: ${d.error.message}\n`);
  return 0;
}

function parseObjectText(bytes: Uint8Array): Record<string, unknown> {
  const text = Buffer.from(bytes).toString('utf8');
  const trimmed = text.trimStart();
  let value: unknown;
  if (trimmed.startsWith('{')) {
    value = parseKubeJson(text);
  } else {
    try {
      value = jsYaml().load(text);
    } catch (e) {
      throw new InvalidArgumentError(`Cannot parse the input as JSON or YAML: ${(e as Error).message}`);
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidArgumentError(
      'The input is not a Kubernetes object: expected a JSON or YAML mapping with kind and apiVersion.',
    );
  }
  return value as Record<string, unknown>;
}

/** `kubetcd encode`. */
export function runEncode(args: CliArgs): number {
  const format = args.output ?? 'binary';
  if (format !== 'binary' && format !== 'hex' && format !== 'base64') {
    throw new InvalidArgumentError(
      `Unknown output format for encode: ${JSON.stringify(format)}. Use -o binary, hex or base64.`,
    );
  }
  if (format === 'binary' && process.stdout.isTTY) {
    throw new InvalidArgumentError(
      'Refusing to write binary to a terminal. Redirect stdout (kubetcd encode x.json > value.bin) or use -o hex / -o base64.',
    );
  }
  const object = parseObjectText(readInput(args.positional[0]));
  const bytes = args.sources ? createCodec({ sourcesDir: args.sources }).encode(object) : encode(object);
  if (format === 'binary') process.stdout.write(bytes);
  else process.stdout.write(Buffer.from(bytes).toString(format) + '\n');
  return 0;
}

/** `kubetcd check`. */
export async function runCheck(args: CliArgs): Promise<number> {
  const files = [...args.positional, ...(args.snapshot !== undefined ? [args.snapshot] : [])];
  if (files.length !== 1) {
    throw new InvalidArgumentError(
      `kubetcd check takes one file, got ${files.length}${files.length > 0 ? `: ${JSON.stringify(files)}` : ''}. Run "kubetcd check FILE" with a snapshot or a member's member/snap/db.`,
    );
  }
  const file = files[0] as string;
  if (!fs.existsSync(file))
    throw new InvalidArgumentError(`Cannot check ${JSON.stringify(file)}: no such file. Check the path.`);
  const { checkSnapshotFile } = await import('../sources/snapshot/snapshot-check');
  const report = await checkSnapshotFile(file);
  if ((args.output ?? 'table') === 'json') {
    out(jsonText(report));
    return report.ok ? 0 : 1;
  }
  const lines = report.problems.map((p) => visibleText(p.message));
  if (report.moreProblems > 0) lines.push(`… and ${report.moreProblems} more problems`);
  const trailer = {
    match: 'SHA-256 trailer matches',
    mismatch: 'SHA-256 trailer does NOT match',
    absent: 'no SHA-256 trailer (a member db, or a copy of one)',
  }[report.hash];
  const pages = `${report.pages} pages of ${report.pageSize} bytes: ${report.reachable} in use, ${report.freelist ? `${report.free} on the freelist` : report.freelistPage !== undefined ? `the freelist (page ${report.freelistPage}) unreadable` : 'no freelist (etcd does not write one)'}`;
  const keys = report.keys !== undefined ? `, ${report.keys} keys at the latest revision` : '';
  lines.push(
    `${report.ok ? 'OK' : `${report.problems.length + report.moreProblems} problem${report.problems.length + report.moreProblems === 1 ? '' : 's'}`}: ${visibleText(file)}: ${pages}; ${trailer}${keys}.`,
  );
  out(`${lines.join('\n')}\n`);
  return report.ok ? 0 : 1;
}
