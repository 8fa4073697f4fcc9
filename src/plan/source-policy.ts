// Pure decisions about fetching kt-connect as a Go module: which source a run uses, how a
// GOPROXY list is walked, module path escaping, and whether the go command would check the
// module against a checksum database at all.
import semver from 'semver';
import type { UpstreamRequest } from '../model.js';
import { pickLatestTag, type TagRef } from '../shared/index.js';

/** kt-connect's module path: the only module this action fetches from a proxy. */
export const KT_CONNECT_MODULE = 'github.com/alibaba/kt-connect';

export type SourceKind = 'go-proxy' | 'git';
export type SourceChoice = SourceKind | 'auto';

/**
 * `auto`: the module proxy for upstream's own repository (every tag of it is on the proxies,
 * its hash in the checksum database); git for any other repository, since a fork's tags are
 * not served under upstream's module path.
 */
export function sourceFor(choice: SourceChoice, repositoryIsUpstream: boolean): SourceKind {
  if (choice !== 'auto') return choice;
  return repositoryIsUpstream ? 'go-proxy' : 'git';
}

/** One entry of a GOPROXY list, and what a failure of it lets the go command do next. */
export interface ProxyEntry {
  /** A proxy URL, or `direct` / `off`. */
  readonly proxy: string;
  /** `,` before the next entry: fall through on 404/410 only; `|`: on any error. */
  readonly fallThroughOnAnyError: boolean;
}

/** A GOPROXY list as the go command reads it; an empty list is go's default. */
export function parseGoProxyList(text: string): ProxyEntry[] {
  const value = text.trim() === '' ? 'https://proxy.golang.org,direct' : text.trim();
  const entries: ProxyEntry[] = [];
  let start = 0;
  for (let index = 0; index <= value.length; index++) {
    const char = value[index];
    if (index < value.length && char !== ',' && char !== '|') continue;
    const proxy = value.slice(start, index).trim();
    if (proxy !== '') entries.push({ proxy, fallThroughOnAnyError: char === '|' });
    start = index + 1;
  }
  return entries;
}

/**
 * The module path as proxies spell it in URLs: each upper-case letter becomes `!` and the
 * lower-case letter (the go command's case-encoding, for case-insensitive file systems).
 */
export function escapeModulePath(module: string): string {
  let escaped = '';
  for (const char of module) escaped += char >= 'A' && char <= 'Z' ? `!${char.toLowerCase()}` : char;
  return escaped;
}

/** `latest` from a proxy's `@v/list` (one version a line): today's rule, the highest release that is not a prerelease. */
export function pickLatestFromList(list: string): string | undefined {
  const tags: TagRef[] = list
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && semver.valid(line) !== null)
    .map((tag) => ({ tag, commit: '' }));
  return pickLatestTag(tags)?.tag;
}

/** The versions of a `@v/list`, for a message that names the newest ones. */
export function listedVersions(list: string): string[] {
  return list
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

/** What the proxy's `.info` says of a version: its time and, from Go 1.19's proxies on, the commit (Origin; not signed). */
export interface ModuleInfo {
  readonly version: string;
  /** Seconds since 1970. */
  readonly time: number | undefined;
  readonly commit: string | undefined;
  readonly ref: string | undefined;
}

export function parseModuleInfo(text: string): ModuleInfo | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as { Version?: unknown; Time?: unknown; Origin?: { Hash?: unknown; Ref?: unknown } | null };
  if (typeof record.Version !== 'string') return undefined;
  const time = typeof record.Time === 'string' ? Date.parse(record.Time) : NaN;
  const hash = record.Origin?.Hash;
  const ref = record.Origin?.Ref;
  return {
    version: record.Version,
    time: Number.isFinite(time) ? Math.floor(time / 1000) : undefined,
    commit: typeof hash === 'string' && /^([0-9a-f]{40}|[0-9a-f]{64})$/.test(hash) ? hash : undefined,
    ref: typeof ref === 'string' ? ref : undefined,
  };
}

/** The go command's settings that decide whether a module is checked against a checksum database (`go env`). */
export interface ChecksumSettings {
  readonly GOSUMDB: string;
  readonly GONOSUMDB: string;
  readonly GOPRIVATE: string;
  readonly GOINSECURE: string;
  readonly GOFLAGS: string;
}

/** Why the go command would not check `module` against a checksum database; undefined when it would. */
export function checksumOffReason(settings: ChecksumSettings, module: string): string | undefined {
  if (settings.GOSUMDB.trim() === 'off') return 'GOSUMDB is off';
  for (const name of ['GONOSUMDB', 'GOPRIVATE', 'GOINSECURE'] as const) {
    const pattern = coveringPattern(settings[name], module);
    if (pattern !== undefined) return `${name} covers it (pattern ${pattern})`;
  }
  if (settings.GOFLAGS.split(/\s+/).some((flag) => /^--?insecure(=(true|1))?$/.test(flag))) return 'GOFLAGS has -insecure';
  return undefined;
}

/**
 * The pattern of a comma-separated glob list that matches a prefix of `module` (as the go
 * command's GOPRIVATE/GONOSUMDB do: a pattern of n path elements is matched against the
 * first n elements of the path).
 */
export function coveringPattern(list: string, module: string): string | undefined {
  const elements = module.split('/');
  for (const raw of list.split(',')) {
    const pattern = raw.trim();
    if (pattern === '') continue;
    const count = pattern.split('/').length;
    if (count > elements.length) continue;
    if (globMatch(pattern, elements.slice(0, count).join('/'))) return pattern;
  }
  return undefined;
}

/**
 * path.Match of Go: `*` any run of characters but '/', `?` one such character, `[...]` a class
 * (`^` negates, `a-z` ranges), `\` escapes. Greedy with one backtrack point per star: linear
 * in practice, and at most pattern × text steps.
 */
export function globMatch(pattern: string, text: string): boolean {
  let p = 0;
  let t = 0;
  let starP = -1;
  let starT = -1;
  while (t < text.length) {
    const char = pattern[p];
    if (char === '*') {
      starP = p++;
      starT = t;
      continue;
    }
    if (char !== undefined) {
      const step = matchOne(pattern, p, text[t]!);
      if (step !== undefined) {
        p = step;
        t++;
        continue;
      }
    }
    // backtrack: the last star takes one more character, never a '/'
    if (starP < 0 || text[starT] === '/') return false;
    starT++;
    p = starP + 1;
    t = starT;
  }
  while (pattern[p] === '*') p++;
  return p === pattern.length;
}

/** The pattern position after matching `char` at `p`, or undefined when it does not match. */
function matchOne(pattern: string, p: number, char: string): number | undefined {
  const head = pattern[p]!;
  if (head === '?') return char === '/' ? undefined : p + 1;
  if (head === '\\') return pattern[p + 1] === char ? p + 2 : undefined;
  if (head !== '[') return head === char ? p + 1 : undefined;
  let index = p + 1;
  const negated = pattern[index] === '^';
  if (negated) index++;
  let matched = false;
  while (index < pattern.length && pattern[index] !== ']') {
    const low = pattern[index]!;
    let high = low;
    if (pattern[index + 1] === '-' && pattern[index + 2] !== undefined && pattern[index + 2] !== ']') {
      high = pattern[index + 2]!;
      index += 3;
    } else {
      index += 1;
    }
    if (char >= low && char <= high) matched = true;
  }
  if (index >= pattern.length) return undefined; // no closing bracket: a bad pattern matches nothing
  return matched !== negated && char !== '/' ? index + 1 : undefined;
}

/** How the go command's failure of `go mod download` reads, for a message that says what to do. */
export type DownloadFailure = 'checksum-mismatch' | 'checksum-database' | 'not-found' | 'other';

export function classifyDownloadError(error: string): DownloadFailure {
  if (error.includes('checksum mismatch') || error.includes('SECURITY ERROR')) return 'checksum-mismatch';
  if (error.includes('verifying ') || error.includes('/sumdb/') || error.includes('/lookup/')) return 'checksum-database';
  if (/\b(404|410) Not Found\b|unknown revision|invalid version|no matching versions/.test(error)) return 'not-found';
  return 'other';
}

/** `kt-connect-commit`: the tag must name this commit, or the run stops before anything is built. */
export function checkPinnedCommit(request: Pick<UpstreamRequest, 'commit'>, tag: string, commit: string): void {
  if (request.commit === undefined || request.commit === commit) return;
  throw new Error(
    `Input 'kt-connect-commit': kt-connect ${tag} (input 'kt-connect-version') now names commit ${commit}, not the pinned ${request.commit}: ` +
      'the tag moved. Check upstream before you pin the new commit.',
  );
}
