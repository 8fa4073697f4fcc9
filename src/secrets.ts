// Registers secret text with the log masker before anything can print it.

/**
 * Shorter fragments are left visible: masking `v1`, `default` or `Config` would blank out
 * those words all over the log and hide nothing (credentials are far longer).
 */
const MIN_MASKED_LENGTH = 8;

/**
 * Every form in which a config could reach a log: each line, each value on a line, and the
 * base64 of the whole (what users store in secrets). The runner masks line by line, so a
 * multi-line secret must be registered one line at a time.
 */
export function secretFragments(text: string): string[] {
  const fragments = new Set<string>();
  const add = (fragment: string): void => {
    const trimmed = fragment.trim();
    if (trimmed.length >= MIN_MASKED_LENGTH) fragments.add(trimmed);
  };
  for (const line of text.split(/\r?\n/)) {
    // a bare key (`users:`) carries no value
    if (!/^\s*(-\s*)?[^:#\s][^:]*:\s*$/.test(line)) add(line);
    const value = /^\s*-?\s*[^:#]+:\s*(.+)$/.exec(line)?.[1];
    if (value !== undefined) add(value.replace(/^["']|["']$/g, ''));
  }
  add(text);
  add(Buffer.from(text).toString('base64'));
  add(Buffer.from(text.trimEnd()).toString('base64'));
  return [...fragments];
}
