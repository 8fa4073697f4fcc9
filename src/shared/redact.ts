// What of outside text may be shown in a log line: the one home of the text and URL helpers
// every stage uses (inputs, source, toolchain, publish). Nothing here quotes config text: the
// kubeconfig and kt config are never shown at all (see validate/).
//
// Every function is a hand-written scan (indexOf and character loops), linear in its input
// whatever that holds: these run on inputs before anything checks them.

/** Shows an input fragment in an error without letting it break the log line. Not for secrets. */
export function printable(text: string, max = 40): string {
  const flat = JSON.stringify(text.length > max ? `${text.slice(0, max)}…` : text);
  return flat.slice(1, -1);
}

/** `text` without trailing slashes. (`/\/+$/` would be quadratic on a long run of slashes.) */
export function trimTrailingSlashes(text: string): string {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 0x2f) end--;
  return text.slice(0, end);
}

const REDACTED = '***';

/** Where a URL's authority starts: after `scheme://`, or 0 for text without a scheme (`user@host:path`). */
function authorityStart(url: string): number {
  const first = url.charCodeAt(0);
  if (!isLetter(first)) return 0;
  let i = 1;
  while (i < url.length && isSchemeChar(url.charCodeAt(i))) i++;
  return url.startsWith('://', i) ? i + 3 : 0;
}

/** First index at or after `from` where `isEnd` holds, or the length. */
function scanTo(text: string, from: number, isEnd: (code: number) => boolean): number {
  let i = from;
  while (i < text.length && !isEnd(text.charCodeAt(i))) i++;
  return i;
}

/**
 * Last '@' in [from, to), or -1. Reads only that range: `indexOf('@', from)` would scan on to the
 * end of the text when the range has none, once per URL, which made a text of many `://` without
 * an '@' quadratic.
 */
function lastAt(text: string, from: number, to: number): number {
  for (let i = Math.min(to, text.length) - 1; i >= from; i--) if (text.charCodeAt(i) === 0x40) return i;
  return -1;
}

const isUrlAuthorityEnd = (code: number): boolean => code === 0x2f || code === 0x3f || code === 0x23; // / ? #

/**
 * The userinfo of a URL: everything between `//` and the LAST '@' before the host ends (at
 * the first '/', '?' or '#' after `//`). A password may hold a raw '@' (`bot:pa@ss@host`);
 * splitting at the first one would leave the rest of it in view. Undefined when there is none.
 * Text without a scheme (`git@host:path`) counts from its start.
 */
export function urlUserinfo(url: string): string | undefined {
  const start = authorityStart(url);
  const at = lastAt(url, start, scanTo(url, start, isUrlAuthorityEnd));
  return at === -1 ? undefined : url.slice(start, at);
}

/**
 * A URL fit for a message: everything from `//` up to its LAST '@', wherever that is, replaced
 * by `***`. That is more than the userinfo when a path or query holds an '@', and it has to be:
 * in `https://bot:pa/ss@host/x` a parser ends the host at the '/', but what the user wrote
 * after `bot:` is still a password. A message may show a little less of a URL than it could.
 */
export function redactUrl(url: string): string {
  const start = authorityStart(url);
  const at = lastAt(url, start, url.length);
  return at === -1 ? url : `${url.slice(0, start)}${REDACTED}${url.slice(at)}`;
}

/** Where a URL in free text ends: as in a URL, and also at white space and quotes. */
const isTextUrlAuthorityEnd = (code: number): boolean =>
  isUrlAuthorityEnd(code) || code === 0x27 || code === 0x22 || code === 0x60 || code === 0x3c || code === 0x3e || isSpace(code);

/** Free text (a program's output) with the userinfo of every `scheme://…@` in it replaced. */
export function redactUrlsIn(text: string): string {
  let result = '';
  let copied = 0;
  for (let mark = text.indexOf('://'); mark !== -1; mark = text.indexOf('://', mark + 3)) {
    const start = mark + 3;
    const end = scanTo(text, start, isTextUrlAuthorityEnd);
    const at = lastAt(text, start, end);
    if (at !== -1) {
      result += `${text.slice(copied, start)}${REDACTED}`;
      copied = at;
    }
    mark = Math.max(mark, end - 3);
  }
  return result + text.slice(copied);
}

/** Fragments of a URL's userinfo shorter than this are not masked: they would blank common words. */
const MIN_URL_SECRET_LENGTH = 4;
/** '@'-separated pieces of a password masked on their own: enough for any real password, bounded for hostile ones. */
const MAX_PIECES = 8;

/**
 * What of a URL's userinfo to mask in the log and to cut from a program's output: the whole
 * userinfo, the user and the password (as written and as a URL parser percent-encodes them),
 * and each '@'-separated piece of the password (git splits `pa@ss` at its first '@' and shows
 * the rest as part of the host). Longest first, so a longer one is replaced before its parts.
 */
export function urlSecrets(url: string): string[] {
  const userinfo = urlUserinfo(url);
  if (userinfo === undefined) return [];
  const found = new Set<string>();
  const add = (text: string): void => {
    if (text.length >= MIN_URL_SECRET_LENGTH) found.add(text);
  };
  add(userinfo);
  const colon = userinfo.indexOf(':');
  const user = colon === -1 ? userinfo : userinfo.slice(0, colon);
  const password = colon === -1 ? '' : userinfo.slice(colon + 1);
  add(user);
  add(password);
  for (const piece of password.split('@').slice(0, MAX_PIECES)) add(piece);
  try {
    const parsed = new URL(url);
    add(parsed.username);
    add(parsed.password);
  } catch {
    // not a URL a parser reads: only the forms as written can appear
  }
  return [...found].sort((a, b) => b.length - a.length);
}

/**
 * A program's output (git's messages quote the URL, sometimes as git understood it:
 * `https://ss@host` for `https://bot:pa@ss@host`) with the URL's userinfo and its parts cut
 * out, and the userinfo of any other URL in it too.
 */
export function redactUrlCredentials(text: string, url: string): string {
  let result = text;
  const userinfo = urlUserinfo(url);
  if (userinfo !== undefined) {
    const start = authorityStart(url);
    const host = url.slice(start + userinfo.length + 1, scanTo(url, start, isUrlAuthorityEnd));
    for (const secret of urlSecrets(url)) result = result.split(secret).join(REDACTED);
    // then each tail of the userinfo that a parser could have taken for the start of the host
    let tails = 0;
    for (let i = userinfo.indexOf('@'); i !== -1 && tails < MAX_PIECES; i = userinfo.indexOf('@', i + 1), tails++) {
      result = result.split(`${userinfo.slice(i + 1)}@${host}`).join(`${REDACTED}@${host}`);
    }
  }
  return redactUrlsIn(result);
}

function isLetter(code: number): boolean {
  return (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a);
}

function isSchemeChar(code: number): boolean {
  return isLetter(code) || (code >= 0x30 && code <= 0x39) || code === 0x2b || code === 0x2d || code === 0x2e; // + - .
}

function isSpace(code: number): boolean {
  return code === 0x20 || (code >= 0x09 && code <= 0x0d) || code === 0xa0 || code === 0x2028 || code === 0x2029 || code === 0xfeff;
}
