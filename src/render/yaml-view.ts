/**
 * YAML exactly as `kubectl get -o yaml` prints it (the codec's go-yaml port), as HTML `<pre>` and
 * text. Characters a reader cannot see that go-yaml leaves raw (bidi overrides, zero-width marks, DEL)
 * are shown as visible escapes; line breaks and tabs stay.
 */
import { toKubeYaml } from '../codec/kube-yaml';
import { escapeHtml, visibleText } from './escape';
import { wrapHtml, type Rendered } from './rendered';

/**
 * Renders an object as `kubectl get -o yaml` prints it.
 * @example
 * renderYaml({ kind: 'Pod', metadata: { name: 'web' } }).text // 'kind: Pod\nmetadata:\n  name: web\n'
 */
export function renderYaml(value: unknown): Rendered {
  const text = visibleText(toKubeYaml(value), { keepNewlines: true, keepTabs: true });
  return { html: wrapHtml(`<pre class="kubetcd-yaml">${escapeHtml(text)}</pre>`), text };
}
