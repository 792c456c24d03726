/** The notebook layer's public surface: open(), show() and the types they use. */
export { open, SOURCE_ENV } from './notebook-client';
export type { KubeTable, NotebookClient, OpenOptions, TableQueryOptions } from './notebook-client';
export { present, show, withDisplay } from './present';
export type { Presentation, PresentHint, ShowOptions } from './present';
export type { ProgressOptions } from './progress';
export type { Rendered } from './renderers';
export { kindOfName } from './kind-tables';
