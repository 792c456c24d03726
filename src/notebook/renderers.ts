/**
 * The views the notebook uses, behind one small interface, so the facade does not depend on which module
 * draws what: src/render for Kubernetes tables, JSON trees, YAML, key trees and charts; the notebook's own
 * basic views for generic records and key lists. Each returns HTML and its plain-text twin.
 */
import type { KubeObject } from '../codec/types';
import { renderBarChart, type BarDatum } from '../render/charts';
import { renderJson } from '../render/json-tree';
import { renderKeyTree, type KeyTreeNode } from '../render/key-tree';
import type { Rendered } from '../render/rendered';
import { renderTable, type ColumnSource, type TableOptions } from '../render/table';
import { kindOfName } from './kind-tables';
import { renderYaml } from '../render/yaml-view';
import {
  appendCaption,
  renderKeyList,
  renderNotes,
  renderPre,
  renderRecordTable,
  type RecordTableOptions,
} from './basic-render';

export type { Rendered } from '../render/rendered';

/** Options of {@link NotebookRenderers.objectTable}. */
export interface ObjectTableOptions {
  /** The kind whose columns to use (default: the objects' own). */
  kind?: string;
  /** kubectl's `-o wide` columns. */
  wide?: boolean;
  /** Custom columns, header → dotted path or function; replaces the kind's columns (`-o custom-columns`). */
  columns?: Record<string, ColumnSource>;
  /** "Now", for ages. */
  now: Date;
  /** Rows shown before the table is cut to head and tail. */
  maxRows?: number;
  /** A line under the table. */
  caption?: string;
  /** What an empty table says (default `No resources found`). */
  emptyMessage?: string;
  /** `--show-labels`, `-L`, `--no-headers` and a CRD's printer columns (see TableOptions). */
  showLabels?: boolean;
  labelColumns?: readonly string[];
  noHeaders?: boolean;
  printerColumns?: TableOptions['printerColumns'];
}

/** What the notebook needs drawn. */
export interface NotebookRenderers {
  /** Kubernetes objects as a kubectl-like table. */
  objectTable(objects: readonly KubeObject[], options: ObjectTableOptions): Rendered;
  /** Plain records (count groups, inventories, histories, lodash output) as a table. */
  recordTable(rows: readonly Record<string, unknown>[], options?: RecordTableOptions): Rendered;
  /** Any JSON-like value as a collapsible tree. */
  jsonTree(value: unknown): Rendered;
  /** An object as Kubernetes YAML (as `kubectl get -o yaml` prints it). */
  yaml(value: unknown): Rendered;
  /** etcd keys, listed. */
  keys(keys: readonly string[]): Rendered;
  /** A key tree with counts and bytes. */
  keyTree(root: KeyTreeNode | KeyTreeNode[]): Rendered;
  /** A horizontal bar chart. */
  barChart(
    data: readonly BarDatum[],
    options?: { unit?: 'count' | 'bytes'; title?: string; maxBars?: number },
  ): Rendered;
  /** Preformatted text. */
  pre(text: string): Rendered;
  /** Notes, one per line, wrapped to the output's width in HTML (long lines never run off the side). */
  notes(lines: readonly string[]): Rendered;
  /** A view with a caption line under it. */
  caption(view: Rendered, caption: string): Rendered;
}

/** The views in use. */
export const renderers: NotebookRenderers = {
  objectTable: (objects, options) => {
    const table = renderTable(objects, {
      now: options.now,
      ...(options.kind !== undefined ? { kind: kindOfName(options.kind) } : {}),
      ...(options.wide !== undefined ? { wide: options.wide } : {}),
      ...(options.columns !== undefined ? { columns: options.columns } : {}),
      ...(options.maxRows !== undefined ? { maxRows: options.maxRows } : {}),
      ...(options.emptyMessage !== undefined ? { emptyMessage: options.emptyMessage } : {}),
      ...(options.showLabels !== undefined ? { showLabels: options.showLabels } : {}),
      ...(options.labelColumns !== undefined ? { labelColumns: options.labelColumns } : {}),
      ...(options.noHeaders !== undefined ? { noHeaders: options.noHeaders } : {}),
      ...(options.printerColumns !== undefined ? { printerColumns: options.printerColumns } : {}),
    });
    return options.caption !== undefined ? appendCaption(table, options.caption) : table;
  },
  recordTable: renderRecordTable,
  jsonTree: (value) => renderJson(value),
  yaml: renderYaml,
  keys: (keys) => renderKeyList(keys),
  keyTree: (root) => renderKeyTree(root),
  barChart: (data, options = {}) => renderBarChart(data, options),
  pre: renderPre,
  notes: renderNotes,
  caption: appendCaption,
};
