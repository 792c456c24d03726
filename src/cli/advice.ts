/**
 * Library errors name API calls ("k.resources() lists…", "pass { verifyHash: false }"); on the command
 * line the same advice must name commands and flags, or it does not work where it is read.
 */

const CLI_WORDS: ReadonlyArray<readonly [RegExp, string]> = [
  [/\b[Pp]ass \{ verifyHash: false \}( to (?:skip the check|read it anyway))?/g, 'pass --skip-hash-check$1'],
  [/\bwith \{ reveal: true \}/g, 'with --reveal'],
  [/\b[Oo]mit \{ revision \}/g, 'omit --revision'],
  [
    /\bPass \{ password \} or user "name:password", or set ETCDCTL_PASSWORD/g,
    'Pass --password PASS or --user NAME:PASS, or set ETCDCTL_PASSWORD',
  ],
  [/\bPass \{ endpoints: "127\.0\.0\.1:2379" \}/g, 'Pass --endpoints 127.0.0.1:2379'],
  [/\bPass \{ prefix \}/g, 'Pass --prefix PREFIX'],
  [/ \(status\(\)\.compactRevision is the oldest kept\)/g, ''],
  [/<= status\(\)\.revision/g, "<= etcd's current revision"],
  [/\bPass \{ user, password \}, or set ETCDCTL_USER/g, 'Pass --user NAME --password PASS, or set ETCDCTL_USER'],
  [/\bas cacert \(ETCDCTL_CACERT\)/g, 'with --cacert FILE (ETCDCTL_CACERT)'],
  [/\bpass cacert \(and cert\/key\b/g, 'pass --cacert FILE (and --cert/--key'],
  [/\bk\.resources\(\) lists/g, '"kubetcd resources" lists'],
  [/\bk\.keys\(\) lists/g, '"kubetcd keys" lists'],
];

/**
 * A library message with its advice said in CLI words.
 * @example
 * cliAdvice('… or pass { verifyHash: false } to read it anyway.') // '… or pass --skip-hash-check to read it anyway.'
 */
export function cliAdvice(message: string): string {
  let out = message;
  for (const [pattern, replacement] of CLI_WORDS) out = out.replace(pattern, replacement);
  return out;
}
