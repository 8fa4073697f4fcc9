// Registers secret text with the log masker before anything can print it.
//
// This runs on the raw inputs before any check, so it must be linear in the text whatever the
// text holds: it is a hand-written scan (indexOf and trim), no regular expression. (A pattern
// like /^\s*(-\s*)?[^:#\s][^:]*:\s*$/ backtracks cubically on a long run of white space.)

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
  let start = 0;
  while (start <= text.length) {
    const newline = text.indexOf('\n', start);
    const end = newline === -1 ? text.length : newline;
    for (const fragment of lineFragments(text.slice(start, end))) add(fragment);
    start = end + 1;
  }
  add(text);
  add(Buffer.from(text).toString('base64'));
  add(Buffer.from(text.trimEnd()).toString('base64'));
  return [...fragments];
}

/**
 * The parts of one YAML line that may be secret: the line itself unless it is a bare key
 * (`users:`, `- context:`), the value after the first colon (`token: <value>`, without one pair
 * of quotes and without a trailing ` # comment`), and a list item's text (`- <value>`).
 */
function lineFragments(line: string): string[] {
  const fragments: string[] = [];
  const text = line.trim(); // also drops the \r of a CRLF line
  if (text === '') return fragments;
  const colon = text.indexOf(':');
  const bareKey = colon === text.length - 1 && text[0] !== '#' && text[0] !== ':';
  if (!bareKey) fragments.push(text);
  if (colon > 0 && !text.slice(0, colon).includes('#')) {
    const value = text.slice(colon + 1).trim();
    if (value !== '') {
      const unquoted = withoutQuotes(value);
      fragments.push(unquoted);
      const comment = unquoted.indexOf(' #');
      if (comment !== -1) fragments.push(withoutQuotes(unquoted.slice(0, comment).trim()));
    }
  }
  if (text.startsWith('- ')) fragments.push(withoutQuotes(text.slice(2).trim()));
  return fragments;
}

/** One leading and one trailing quote removed, as written in YAML (`"…"`, `'…'`). */
function withoutQuotes(value: string): string {
  const isQuote = (char: string | undefined): boolean => char === '"' || char === "'";
  const from = isQuote(value[0]) ? 1 : 0;
  const to = value.length > from && isQuote(value[value.length - 1]) ? value.length - 1 : value.length;
  return value.slice(from, to);
}
