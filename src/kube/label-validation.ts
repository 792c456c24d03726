/**
 * Validation of Kubernetes label keys and values (the rules of apimachinery `IsQualifiedName` and
 * `IsValidLabelValue`). Each check returns `undefined` when the text is valid, otherwise the reason
 * as a sentence fragment for an error message.
 */

/** Longest name part of a qualified name, and longest label value. */
export const LABEL_NAME_MAX_LENGTH = 63;
/** Longest DNS subdomain (the prefix of a qualified name). */
export const DNS_SUBDOMAIN_MAX_LENGTH = 253;

const NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS_LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS_SUBDOMAIN = new RegExp(`^${DNS_LABEL}(\\.${DNS_LABEL})*$`);

const NAME_RULE =
  "consist of alphanumeric characters, '-', '_' or '.', and start and end with an alphanumeric character";

/**
 * Why `key` is not a valid label key (a qualified name: `[prefix/]name`), or `undefined` if it is.
 * @example
 * invalidLabelKeyReason('app.kubernetes.io/name') // undefined
 * invalidLabelKeyReason('-x') // "the name part must consist of …"
 */
export function invalidLabelKeyReason(key: string): string | undefined {
  const parts = key.split('/');
  if (parts.length > 2) {
    return "a qualified name has at most one '/' (an optional DNS subdomain prefix, then the name, e.g. 'example.com/MyName')";
  }
  const name = parts.length === 2 ? (parts[1] as string) : key;
  if (parts.length === 2) {
    const prefix = parts[0] as string;
    if (prefix.length === 0) return "the prefix part before the '/' must be non-empty";
    if (prefix.length > DNS_SUBDOMAIN_MAX_LENGTH) {
      return `the prefix part must be no more than ${DNS_SUBDOMAIN_MAX_LENGTH} characters`;
    }
    if (!DNS_SUBDOMAIN.test(prefix)) {
      return "the prefix part must be a DNS subdomain: lower-case alphanumeric characters, '-' or '.', starting and ending with an alphanumeric character (e.g. 'example.com')";
    }
  }
  if (name.length === 0) return 'the name part must be non-empty';
  if (name.length > LABEL_NAME_MAX_LENGTH) {
    return `the name part must be no more than ${LABEL_NAME_MAX_LENGTH} characters`;
  }
  if (!NAME_PART.test(name)) return `the name part must ${NAME_RULE} (e.g. 'MyName', 'my.name' or '123-abc')`;
  return undefined;
}

/**
 * Why `value` is not a valid label value, or `undefined` if it is. The empty string is valid.
 * @example
 * invalidLabelValueReason('v1.2_beta') // undefined
 * invalidLabelValueReason('a b') // "a label value must …"
 */
export function invalidLabelValueReason(value: string): string | undefined {
  if (value.length > LABEL_NAME_MAX_LENGTH) {
    return `a label value must be no more than ${LABEL_NAME_MAX_LENGTH} characters`;
  }
  if (value.length > 0 && !NAME_PART.test(value)) {
    return `a label value must be empty or ${NAME_RULE} (e.g. 'MyValue', 'my_value' or '12345')`;
  }
  return undefined;
}
