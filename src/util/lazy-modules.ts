/**
 * Packages loaded on first use, not at import: a command that never calls them (`kubetcd get -o json`
 * reads no YAML and runs no lodash) does not pay for compiling them at start-up (about 30 ms each on a
 * 2-core machine). Each getter loads once; later calls return the same module.
 */
import type { LoDashStatic } from 'lodash';
import type * as JsYaml from 'js-yaml';

let lodashModule: LoDashStatic | undefined;
let yamlModule: typeof JsYaml | undefined;

/**
 * lodash, loaded on first call.
 * @example
 * lodash().get(pod, ['metadata', 'labels']);
 */
export function lodash(): LoDashStatic {
  return (lodashModule ??= require('lodash') as LoDashStatic);
}

/**
 * js-yaml, loaded on first call.
 * @example
 * jsYaml().load('a: 1');
 */
export function jsYaml(): typeof JsYaml {
  return (yamlModule ??= require('js-yaml') as typeof JsYaml);
}
