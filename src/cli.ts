#!/usr/bin/env node
/**
 * The `kubetcd` command. Every subcommand writes its result to stdout and its errors to stderr,
 * with a non-zero exit status on failure, so it composes with etcdctl in pipes:
 *
 *   etcdctl get /registry/pods/default/web | kubetcd decode -o yaml
 *   kubetcd encode pod.json | etcdctl put /registry/pods/default/web
 */
import * as fs from 'node:fs';
import { decode, encode, parseKubeJson, toKubeJson, toKubeYaml, createCodec } from './codec';
import type { Decoded } from './codec/types';
import { InvalidArgumentError, isKubetcdError } from './errors';
import * as yaml from 'js-yaml';

const USAGE = `kubetcd — explore the Kubernetes data kept in etcd

Usage:
  kubetcd decode [FILE|-] [-o json|yaml] [--sources DIR]
      Decode one value as stored in etcd (protobuf, JSON, CBOR) into the object kubectl prints.
      Reads FILE, or stdin when FILE is "-" or absent. Accepts what etcdctl prints: the raw value,
      "etcdctl get --print-value-only" output (one trailing newline) and plain "etcdctl get" output
      (the key line first).
  kubetcd encode [FILE|-] [-o binary|hex|base64] [--sources DIR]
      Encode a Kubernetes object (JSON or YAML, with kind and apiVersion) into the bytes
      kube-apiserver stores in etcd ("k8s\\0" + runtime.Unknown).
  kubetcd help
      This text.

Options:
  -o, --output FORMAT   output format (decode: json (default), yaml; encode: binary (default), hex, base64)
  --sources DIR         Kubernetes API sources to compile the schema from (default: the ones installed
                        by "npm run setup", or $KUBETCD_K8S_SOURCES)

Examples:
  etcdctl get /registry/pods/default/web --print-value-only | kubetcd decode -o yaml
  kubetcd encode deployment.yaml > value.bin && etcdctl put /registry/deployments/default/web < value.bin
`;

/** The parsed command line. */
export interface CliArgs {
  command: string;
  positional: string[];
  output?: string;
  sources?: string;
}

/**
 * Parses `kubetcd` arguments. Throws InvalidArgumentError for an unknown or incomplete option.
 * @example
 * parseCliArgs(['decode', 'pod.bin', '-o', 'yaml']) // { command: 'decode', positional: ['pod.bin'], output: 'yaml' }
 */
export function parseCliArgs(argv: string[]): CliArgs {
  const args: CliArgs = { command: argv[0] ?? 'help', positional: [] };
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i] as string;
    const takeValue = (flag: string): string => {
      const eq = a.indexOf('=');
      if (a.startsWith('--') && eq > 0) return a.slice(eq + 1);
      const v = argv[++i];
      if (v === undefined) throw new InvalidArgumentError(`Option ${flag} needs a value. See "kubetcd help".`);
      return v;
    };
    if (a === '-o' || a === '--output' || a.startsWith('--output=')) args.output = takeValue('--output');
    else if (a.startsWith('-o') && a.length > 2 && !a.startsWith('--')) args.output = a.slice(2);
    else if (a === '--sources' || a.startsWith('--sources=')) args.sources = takeValue('--sources');
    else if (a === '-h' || a === '--help') args.command = 'help';
    else if (a === '-') args.positional.push(a);
    else if (a.startsWith('-')) throw new InvalidArgumentError(`Unknown option: ${a}. See "kubetcd help" for the options.`);
    else args.positional.push(a);
  }
  return args;
}

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

function runDecode(args: CliArgs): number {
  const format = args.output ?? 'json';
  if (format !== 'json' && format !== 'yaml') {
    throw new InvalidArgumentError(`Unknown output format for decode: ${JSON.stringify(format)}. Use -o json or -o yaml.`);
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
      value = yaml.load(text);
    } catch (e) {
      throw new InvalidArgumentError(`Cannot parse the input as JSON or YAML: ${(e as Error).message}`);
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidArgumentError('The input is not a Kubernetes object: expected a JSON or YAML mapping with kind and apiVersion.');
  }
  return value as Record<string, unknown>;
}

function runEncode(args: CliArgs): number {
  const format = args.output ?? 'binary';
  if (format !== 'binary' && format !== 'hex' && format !== 'base64') {
    throw new InvalidArgumentError(`Unknown output format for encode: ${JSON.stringify(format)}. Use -o binary, hex or base64.`);
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

/**
 * Runs the CLI with the given arguments and returns the exit status.
 * @example
 * process.exitCode = main(process.argv.slice(2))
 */
export function main(argv: string[]): number {
  try {
    const args = parseCliArgs(argv);
    switch (args.command) {
      case 'decode':
        return runDecode(args);
      case 'encode':
        return runEncode(args);
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(USAGE);
        return 0;
      default:
        process.stderr.write(`kubetcd: unknown command ${JSON.stringify(args.command)}. Commands: decode, encode, help.\n`);
        return 2;
    }
  } catch (e) {
    const message = isKubetcdError(e) ? e.message : e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    process.stderr.write(`kubetcd: ${message}\n`);
    return isKubetcdError(e) && e.name === 'InvalidArgumentError' ? 2 : 1;
  }
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
