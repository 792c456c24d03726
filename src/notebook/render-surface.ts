/**
 * The package's `render` namespace: the render floor's surface, with the four table functions that take
 * a kind also taking a resource name (`po`, `deploy`), resolved through the resource table.
 * @example
 * import { render } from 'kubetcd';
 * render.renderTable(pods, { kind: 'po' }).text;
 */
export * from '../render';
export { createTableBuilder, kindPrinter, renderTable, renderTableAsync } from './kind-tables';
