/**
 * `kubetcd get RESOURCE -o json|yaml` without names: the List streamed from the store to stdout one
 * item at a time (constant memory, any number of objects; never one string holding the whole output),
 * byte for byte what `toKubectlJson`/`toKubectlYaml` (and kubectl 1.36) print for the whole list.
 */
import type { KubeClient, ListOptions } from '../kube/kube-client';
import { kubectlListFormat, listChunks } from '../render/list-stream';
import { writeChunks, type ChunkSink } from '../render/write-list';
import type { KubectlFormatOptions } from '../codec/kubectl-format';
import type { KubeObject } from '../codec/types';

/** What the streamed listing met besides its objects. */
export interface StreamedListSummary {
  items: number;
  errors: number;
  truncatedReason?: string;
}

/**
 * Streams the List of `resource` to `sink` as kubectl's JSON or YAML; decode errors go to `warn` (the
 * first five, then a count) as they are met.
 * @example
 * await streamList(k, 'pods', {}, 'json', process.stdout, (t) => process.stderr.write(t + '\n'));
 */
export async function streamList(
  k: KubeClient,
  resource: string,
  options: ListOptions,
  output: 'json' | 'yaml',
  sink: ChunkSink,
  warn: (text: string) => void,
  formatOptions: KubectlFormatOptions = {},
): Promise<StreamedListSummary> {
  const stream = k.stream(resource, options);
  const summary: StreamedListSummary = { items: 0, errors: 0 };
  async function* objects(): AsyncGenerator<KubeObject> {
    for await (const entry of stream) {
      if (entry.error !== undefined) {
        summary.errors++;
        if (summary.errors <= 5) warn(entry.error.error);
      }
      if (entry.object !== undefined) {
        summary.items++;
        yield entry.object;
      }
    }
  }
  await writeChunks(listChunks(objects(), kubectlListFormat(output, formatOptions)), sink);
  if (summary.errors > 5) warn(`${summary.errors - 5} more value(s) could not be decoded.`);
  if (stream.truncated && stream.truncatedReason !== undefined) summary.truncatedReason = stream.truncatedReason;
  return summary;
}
