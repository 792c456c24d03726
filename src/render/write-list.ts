/**
 * Writes text chunks (a listing from list-stream.ts) to a Node stream or a file, waiting whenever the
 * stream's buffer is full, so memory stays flat however long the listing is.
 */
import * as fs from 'node:fs';
import { InvalidArgumentError } from '../errors';
import { jsonListFormat, listChunks, yamlListFormat, type JsonListFormatOptions, type ListInput } from './list-stream';

/** The part of a Node Writable that {@link writeChunks} uses (process.stdout, a file stream, a socket…). */
export interface ChunkSink {
  write(chunk: string): boolean;
  once(event: 'drain' | 'error' | 'close', listener: (...args: unknown[]) => void): unknown;
  removeListener(event: 'drain' | 'error' | 'close', listener: (...args: unknown[]) => void): unknown;
}

/** Waits until `sink` drains, fails, or closes (a closed reader: EPIPE is reported by `error`). */
function drained(sink: ChunkSink): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (): void => {
      sink.removeListener('drain', done);
      sink.removeListener('error', failed);
      sink.removeListener('close', done);
      resolve();
    };
    const failed = (...args: unknown[]): void => {
      sink.removeListener('drain', done);
      sink.removeListener('close', done);
      reject(args[0] as Error);
    };
    sink.once('drain', done);
    sink.once('error', failed);
    sink.once('close', done);
  });
}

/**
 * Writes every chunk to `sink`, respecting back-pressure; resolves to the number of characters written.
 * @example
 * await writeChunks(toJsonChunks(k.stream('pods')), process.stdout);
 */
export async function writeChunks(chunks: AsyncIterable<string> | Iterable<string>, sink: ChunkSink): Promise<number> {
  let chars = 0;
  for await (const chunk of chunks) {
    chars += chunk.length;
    if (!sink.write(chunk)) await drained(sink);
  }
  return chars;
}

/** Options of {@link writeList}. Every field is optional. */
export interface WriteListOptions extends JsonListFormatOptions {
  /** `json` or `yaml` (default: from the file name's extension, else json). */
  format?: 'json' | 'yaml';
}

function formatFor(target: string | ChunkSink, options: WriteListOptions): 'json' | 'yaml' {
  if (options.format !== undefined) {
    if (options.format !== 'json' && options.format !== 'yaml') {
      throw new InvalidArgumentError(
        `Unknown list format: ${JSON.stringify(options.format)}. Pass { format: 'json' } or { format: 'yaml' }.`,
      );
    }
    return options.format;
  }
  return typeof target === 'string' && /\.ya?ml$/i.test(target) ? 'yaml' : 'json';
}

/**
 * Writes a listing as kubectl's `List` (JSON or YAML, the text `toJson`/`toYaml` return) to a file or
 * a stream, one item at a time: works for any number of objects (`k.stream()` keeps none in memory).
 * Resolves to the number of characters written.
 * @example
 * await writeList(k.stream('pods', { namespace: 'shop' }), 'pods.json');
 * await writeList(k.stream('deployments'), 'deployments.yaml');
 * await writeList(pods.items, process.stdout, { format: 'yaml' });
 */
export async function writeList(
  input: ListInput,
  target: string | ChunkSink,
  options: WriteListOptions = {},
): Promise<number> {
  const format = formatFor(target, options);
  const chunks = listChunks(
    input,
    format === 'yaml'
      ? yamlListFormat(options.wrapper !== undefined ? { wrapper: options.wrapper } : {})
      : jsonListFormat(options),
  );
  if (typeof target !== 'string') return writeChunks(chunks, target);
  const file = fs.createWriteStream(target);
  try {
    const chars = await writeChunks(chunks, file);
    await new Promise<void>((resolve, reject) => {
      file.once('error', reject);
      file.end(() => resolve());
    });
    return chars;
  } catch (e) {
    file.destroy();
    throw e;
  }
}
