/**
 * The commands that compare or summarise a source's history and make-up: info (which versions wrote the
 * data), diff (two sources, or one at two revisions), churn (who writes), owners and orphans (the
 * ownerReference graph, and what it leaves behind). Each prints a text table or,
 * with -o json, the result itself.
 */
import * as fs from 'node:fs';
import { InvalidArgumentError } from '../errors';
import type { KubeClient } from '../kube/kube-client';
import type { KvSource } from '../sources/types';
import { churnRows } from '../render/churn-view';
import { diffCountRows, diffEntryRows, diffSummaryText } from '../render/diff-view';
import { visibleText } from '../render/escape';
import type { CliArgs } from './cli-args';
import { jsonText, out, textTable, warn } from './cli-output';
import { explainDefaultSource, openCliSource, reportHashMismatch } from './cli-source';

const visibleRows = (t: { headers: string[]; rows: string[][] }): string[][] =>
  t.rows.map((r) => r.map((c) => visibleText(c)));

/** `kubetcd info`. */
export async function runInfo(args: CliArgs, k: KubeClient): Promise<number> {
  if (args.positional.length > 0)
    throw new InvalidArgumentError(
      `kubetcd info takes no arguments, got ${JSON.stringify(args.positional)}. Name the source with --snapshot FILE or --endpoints.`,
    );
  const info = await k.clusterInfo();
  if ((args.output ?? 'table') === 'json') {
    out(jsonText(info));
    return 0;
  }
  const rows = [
    ...info.kubernetes.evidence.map((e) => ['kubernetes', e.source, e.version ?? '<none>', e.detail, e.key]),
    ...info.etcd.evidence.map((e) => ['etcd', e.source, e.version ?? '<none>', e.detail, e.key]),
  ];
  out(
    `Kubernetes: ${info.kubernetes.versions.length > 0 ? info.kubernetes.versions.join(', ') : '<unknown>'}\netcd: ${info.etcd.version ?? '<unknown>'}\n`,
  );
  out(
    textTable(
      ['OF', 'SOURCE', 'VERSION', 'DETAIL', 'KEY'],
      rows.map((r) => r.map((c) => visibleText(c))),
    ),
  );
  for (const e of info.errors) process.stderr.write(`kubetcd: ${e}\n`);
  return 0;
}

/** A diff side named on the command line: an existing file is a snapshot, else host:port endpoints. */
async function openNamedSource(args: CliArgs, name: string): Promise<KvSource> {
  const { snapshot: _snapshot, endpoints: _endpoints, ...rest } = args;
  if (fs.existsSync(name)) return openCliSource({ ...rest, snapshot: name });
  if (!/^(?:https?:\/\/)?[A-Za-z0-9_.[\]:-]+:\d+(?:,(?:https?:\/\/)?[A-Za-z0-9_.[\]:-]+:\d+)*$/.test(name)) {
    throw new InvalidArgumentError(
      `Cannot open ${JSON.stringify(name)} for kubetcd diff: no such file, and not etcd endpoints (HOST:PORT[,HOST:PORT]). Check the path, or name the endpoints.`,
    );
  }
  return openCliSource({ ...rest, endpoints: name });
}

/** `kubetcd diff A B`, or `kubetcd diff --from-revision R1 [--to-revision R2]` on one source. */
export async function runDiff(args: CliArgs): Promise<number> {
  const named = args.positional;
  if (named.length !== 0 && named.length !== 2) {
    throw new InvalidArgumentError(
      `kubetcd diff compares two sources (kubetcd diff A B) or one source at two revisions (--from-revision R1 --to-revision R2), got ${JSON.stringify(named)}.`,
    );
  }
  if (named.length === 2 && (args.snapshot !== undefined || args.endpoints !== undefined)) {
    throw new InvalidArgumentError(
      'kubetcd diff A B names its sources itself: leave out --snapshot and --endpoints (the TLS options apply to a live one).',
    );
  }
  if (named.length === 0 && args.fromRevision === undefined) {
    throw new InvalidArgumentError(
      'kubetcd diff on one source needs --from-revision R1 (and --to-revision R2, default the latest), or two sources: kubetcd diff A B.',
    );
  }
  const sources: KvSource[] = [];
  try {
    if (named.length === 2) for (const n of named) sources.push(await openNamedSource(args, n));
    else {
      try {
        sources.push(await openCliSource(args));
      } catch (e) {
        throw explainDefaultSource(args, e, true);
      }
    }
    const { openKube } = await import('../kube/kube-client');
    const kubes = await Promise.all(
      sources.map((s) => openKube(s, args.prefix !== undefined ? { prefix: args.prefix } : {})),
    );
    const from = kubes[0] as KubeClient;
    const to = kubes[1] ?? from;
    const options = {
      ...(args.fromRevision !== undefined ? { fromRevision: args.fromRevision } : {}),
      ...(args.toRevision !== undefined ? { toRevision: args.toRevision } : {}),
      ...(args.namespace !== undefined ? { namespace: args.namespace } : {}),
      ...(args.all ? { all: true } : {}),
      ...(args.reveal ? { reveal: true } : {}),
      ...(args.limit !== undefined ? { limit: args.limit } : {}),
    };
    const result = await from.diff(to === from ? { ...options } : to, options);
    for (const s of sources) if (await reportHashMismatch(s)) return 1;
    if ((args.output ?? 'table') === 'json') {
      out(jsonText(result));
      return 0;
    }
    const counts = diffCountRows(result.byResource, result.counts);
    const entries = diffEntryRows(result.entries);
    out(textTable(counts.headers, visibleRows(counts)));
    if (result.entries.length > 0) out(`\n${textTable(entries.headers, visibleRows(entries))}`);
    process.stderr.write(`kubetcd: ${visibleText(diffSummaryText(result))}.\n`);
    return 0;
  } finally {
    for (const s of sources) await s.close();
  }
}

/** `kubetcd churn`. */
export async function runChurn(args: CliArgs, k: KubeClient): Promise<number> {
  if (args.positional.length > 0)
    throw new InvalidArgumentError(
      `kubetcd churn takes no arguments, got ${JSON.stringify(args.positional)}. Name the source with --snapshot FILE or --endpoints.`,
    );
  const result = await k.churn(args.limit !== undefined ? { limit: args.limit } : {});
  if ((args.output ?? 'table') === 'json') {
    out(jsonText(result));
    return 0;
  }
  const t = churnRows(result);
  out([t.writers, t.resources, t.namespaces, t.keys].map((x) => textTable(x.headers, visibleRows(x))).join('\n'));
  for (const note of result.notes) process.stderr.write(`kubetcd: note: ${note}\n`);
  return 0;
}

/** `kubetcd owners RESOURCE NAME`. */
export async function runOwners(args: CliArgs, k: KubeClient): Promise<number> {
  const [resource, name, ...rest] = args.positional;
  if (resource === undefined || name === undefined || rest.length > 0) {
    throw new InvalidArgumentError(
      `kubetcd owners takes a resource and a name, got ${JSON.stringify(args.positional)}: such as "kubetcd owners replicasets web-7d4b9c -n shop".`,
    );
  }
  const result = await k.owners(resource, name, {
    ...(args.namespace !== undefined ? { namespace: args.namespace } : {}),
    ...(args.revision !== undefined ? { revision: args.revision } : {}),
    ...(args.depth !== undefined ? { depth: args.depth } : {}),
  });
  if ((args.output ?? 'table') === 'json') {
    out(jsonText(result));
    return 0;
  }
  const { renderOwnerGraph } = await import('../render/owner-graph');
  out(renderOwnerGraph(result.object).text);
  if (result.unreadable > 0)
    warn(`${result.unreadable} values could not be read (encrypted or damaged): their owners are not in the graph.`);
  return 0;
}

/** `--now TIME` of orphans: an RFC 3339 time, or "now" for this machine's clock. */
function nowOption(text: string | undefined): Date | undefined {
  if (text === undefined) return undefined;
  if (text === 'now') return new Date();
  const t = Date.parse(text);
  if (!Number.isFinite(t) || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(text)) {
    throw new InvalidArgumentError(
      `Invalid --now: ${JSON.stringify(text)}. Pass an RFC 3339 time such as 2024-05-01T10:00:00Z, or "now" for this machine's clock.`,
    );
  }
  return new Date(t);
}

/** `kubetcd orphans`. */
export async function runOrphans(args: CliArgs, k: KubeClient): Promise<number> {
  if (args.positional.length > 0)
    throw new InvalidArgumentError(
      `kubetcd orphans takes no arguments, got ${JSON.stringify(args.positional)}. Use -n NS for one namespace.`,
    );
  const now = nowOption(args.now);
  const result = await k.orphans({
    ...(args.namespace !== undefined ? { namespace: args.namespace } : {}),
    ...(args.revision !== undefined ? { revision: args.revision } : {}),
    ...(now !== undefined ? { now } : {}),
  });
  if ((args.output ?? 'table') === 'json') {
    out(jsonText(result));
    return 0;
  }
  const { humanDuration } = await import('../render/human-duration');
  const name = (o: { namespace?: string; name: string }): string =>
    visibleText(`${o.namespace !== undefined ? `${o.namespace}/` : ''}${o.name}`);
  out(`OWNER GONE (${result.orphans.length})\n`);
  if (result.orphans.length > 0) {
    const rows = result.orphans.map((o) => [
      visibleText(o.kind),
      name(o),
      o.missingOwners.map((m) => visibleText(`${m.kind}/${m.name} (uid ${m.uid})`)).join(','),
    ]);
    out(textTable(['KIND', 'NAME', 'MISSING-OWNER'], rows));
  }
  out(`\nSTUCK ON FINALIZERS (${result.stuck.length})\n`);
  if (result.stuck.length > 0) {
    const rows = result.stuck.map((s) => [
      visibleText(s.kind),
      name(s),
      visibleText(s.deletionTimestamp),
      humanDuration(s.ageMs),
      s.finalizers.map((f) => visibleText(f)).join(','),
    ]);
    out(textTable(['KIND', 'NAME', 'DELETION-REQUESTED', 'AGE', 'FINALIZERS'], rows));
  }
  process.stderr.write(
    `kubetcd: ages as of ${result.now}, ${result.clock}; ${result.scanned} objects read at revision ${result.revision}.\n`,
  );
  if (result.unreadable > 0)
    warn(`${result.unreadable} values could not be read (encrypted or damaged): their owners are not checked.`);
  return 0;
}
