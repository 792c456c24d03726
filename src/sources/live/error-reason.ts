/** The one-line reason of an error, as the live source's messages quote it. */

/**
 * An error's message on one line, ready to be followed by ". ": grpc-js's empty trailing "Resolution
 * note:" dropped (a non-empty note kept in parentheses), and no final period of its own.
 */
export function reasonOf(e: unknown): string {
  const message = (e instanceof Error ? e.message : String(e))
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/\.?\s*Resolution note:\s*$/, '')
    .replace(/\.?\s*Resolution note:\s*(.+?)\.?$/, ' (resolution note: $1)')
    .replace(/\.+$/, '');
  return message || (e as { constructor?: { name?: string } })?.constructor?.name || 'unknown error';
}
