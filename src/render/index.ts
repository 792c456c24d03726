/**
 * The render floor's public surface: pure (data, options) => { html, text }. In the package, `render`
 * also resolves resource names (`po`, `deploy`) where these take a kind (src/notebook/render-surface.ts).
 * @example
 * render.renderTable([{ NAME: 'web', READY: '1/1' }]).text;
 */
export { renderTable, renderTableAsync, createTableBuilder } from './table';
export type { ColumnSource, TableBuilder, TableOptions } from './table';
export { renderJson } from './json-tree';
export type { JsonTreeOptions } from './json-tree';
export { renderYaml } from './yaml-view';
export { renderBarChart, renderHistogram, renderRevisionChart } from './charts';
export type { BarChartOptions, BarDatum, HistogramOptions, RevisionChartOptions, RevisionPoint } from './charts';
export { renderHexDump } from './hex-dump';
export type { HexDumpOptions } from './hex-dump';
export { renderKeyTree } from './key-tree';
export { renderOwnerGraph } from './owner-graph';
export type { OwnerGraphNode, OwnerGraphOptions } from './owner-graph';
export type { KeyTreeOptions } from './key-tree';
export { escapeAttr, escapeHtml, visibleText } from './escape';
export { humanDuration, shortHumanDuration } from './human-duration';
export { formatBytes } from './format-bytes';
export { podSummary } from './pod-status';
export type { PodSummary } from './pod-status';
export { PRINTED_KINDS } from './kube-printers';
export { kindPrinter } from './kube-printers';
export type { Rendered } from './rendered';
export { fromRawDump, toCsv, toJson, toRawDump, toYaml } from './export';
export {
  jsonListFormat,
  kubectlListFormat,
  listChunks,
  toJsonChunks,
  toYamlChunks,
  yamlListFormat,
} from './list-stream';
export type {
  JsonItemFormatter,
  JsonListFormatOptions,
  ListFormat,
  ListInput,
  ListWrapper,
  YamlItemFormatter,
  YamlListFormatOptions,
} from './list-stream';
export { writeChunks, writeList } from './write-list';
export type { ChunkSink, WriteListOptions } from './write-list';
export type {
  CsvColumn,
  CsvOptions,
  ExportList,
  JsonExportOptions,
  RawDump,
  RawDumpOptions,
  RawDumpRecord,
  RawRecordFacts,
  RawRecordInput,
} from './export';
