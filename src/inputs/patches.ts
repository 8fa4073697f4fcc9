// The `patches` input: patch files from the calling repository, named by paths or globs that
// must stay inside the workspace. Parsing the patterns is pure; finding the files reads the
// workspace (never through a link) and runs before anything is downloaded.
import { lstat, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { InputError, printable, sha256Hex } from '../shared/index.js';
import type { PatchFile } from '../model.js';

const INPUT = 'patches';
/** A patch is source code, not a blob: anything bigger is a mistake in the pattern. */
const MAX_PATCH_BYTES = 8 * 1024 * 1024;

/**
 * Paths or globs (`*`, `?`, `**`), separated by new lines or commas, relative to the workspace.
 * A pattern that could reach outside the workspace is refused here, before any file is read.
 */
export function parsePatchPatterns(value: string): string[] {
  const patterns = value
    .split(/[\n,]/)
    .map((item) => item.trim())
    .filter((item) => item !== '');
  for (const pattern of patterns) {
    const shown = printable(pattern, 80);
    if (pattern.includes('\0')) throw new InputError(INPUT, 'holds a NUL character.');
    if (path.isAbsolute(pattern) || /^[A-Za-z]:/.test(pattern) || pattern.startsWith('~')) {
      throw new InputError(INPUT, `'${shown}' is not relative to the workspace; name patch files by their path in this repository, such as patches/*.patch.`);
    }
    if (pattern.split(/[\\/]/).includes('..')) {
      throw new InputError(INPUT, `'${shown}' climbs out with '..'; patch files must be inside the workspace.`);
    }
    if (/[[\]{}]/.test(pattern)) {
      throw new InputError(INPUT, `'${shown}' uses [ ] or { }, which this input does not expand; list the files, or use * ? and **.`);
    }
  }
  return patterns;
}

function isGlob(segment: string): boolean {
  return /[*?]/.test(segment);
}

/** `*` and `?` within one name; a leading dot must be written, as in a shell. */
function segmentRegex(segment: string): RegExp {
  const body = segment
    .replace(/[.+^$()|\\]/g, '\\$&')
    .replace(/\*/g, '[^/]*')
    .replace(/\?/g, '[^/]');
  return new RegExp(`^${segment.startsWith('.') ? '' : '(?!\\.)'}${body}$`);
}

class LinkError extends Error {}

/** The files a pattern names, relative to the workspace, sorted; links are refused, not followed. */
async function expand(workspace: string, pattern: string): Promise<string[]> {
  const segments = pattern.split(/[\\/]+/).filter((segment) => segment !== '' && segment !== '.');
  const found: string[] = [];
  const walk = async (relative: string, rest: readonly string[]): Promise<void> => {
    const [segment, ...remaining] = rest;
    if (segment === undefined) {
      found.push(relative);
      return;
    }
    const dir = path.join(workspace, relative);
    if (segment === '**') {
      await walk(relative, remaining); // zero folders
      for (const entry of await entriesOf(dir)) {
        if (entry.isDirectory() && !entry.name.startsWith('.')) await walk(path.join(relative, entry.name), rest);
      }
      return;
    }
    const names = isGlob(segment) ? (await entriesOf(dir)).map((entry) => entry.name).filter((name) => segmentRegex(segment).test(name)) : [segment];
    for (const name of names) {
      const next = path.join(relative, name);
      const stats = await lstat(path.join(workspace, next)).catch(() => undefined);
      if (stats === undefined) continue;
      if (stats.isSymbolicLink()) throw new LinkError(next);
      if (remaining.length === 0 ? stats.isFile() : stats.isDirectory()) await walk(next, remaining);
    }
  };
  await walk('', segments);
  return found.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

async function entriesOf(dir: string) {
  return readdir(dir, { withFileTypes: true }).catch(() => []);
}

/**
 * The patch files, in the order the patterns give them (each glob's matches sorted by name,
 * a file named twice taken once), with their SHA-256. Fails naming the pattern that matches
 * nothing, and any file reached through a link.
 */
export async function resolvePatches(patterns: readonly string[], workspace: string): Promise<PatchFile[]> {
  const files: PatchFile[] = [];
  const seen = new Set<string>();
  for (const pattern of patterns) {
    let matches: string[];
    try {
      matches = await expand(workspace, pattern);
    } catch (error) {
      if (!(error instanceof LinkError)) throw error;
      throw new InputError(
        INPUT,
        `'${printable(pattern, 80)}' reaches ${printable(error.message, 80)}, which is a symbolic link; name the patch files themselves, inside the workspace.`,
      );
    }
    if (matches.length === 0) {
      throw new InputError(
        INPUT,
        `'${printable(pattern, 80)}' matches no file in the workspace; check out the repository first (actions/checkout) and check the path.`,
      );
    }
    for (const relative of matches) {
      const name = relative.split(path.sep).join('/');
      if (seen.has(name)) continue;
      seen.add(name);
      const file = path.join(workspace, relative);
      const bytes = await readPatch(file, name);
      files.push({ name, path: file, sha256: sha256Hex(bytes) });
    }
  }
  return files;
}

/** The bytes of a patch file, refused when it is no regular file or too big to be a patch. */
export async function readPatch(file: string, name: string): Promise<Buffer> {
  const stats = await lstat(file);
  if (!stats.isFile()) throw new InputError(INPUT, `${printable(name, 80)} is not a regular file.`);
  if (stats.size > MAX_PATCH_BYTES)
    throw new InputError(INPUT, `${printable(name, 80)} is ${stats.size} bytes, more than a patch should be (${MAX_PATCH_BYTES}).`);
  return readFile(file);
}
