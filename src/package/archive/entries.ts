// What goes into a release archive, and the checks both formats share.
import { stat } from 'node:fs/promises';

export interface ArchiveEntry {
  /** Name inside the archive, at the root: 'ktctl', 'ktctl.exe', 'wintun.dll'. No directories. */
  readonly name: string;
  /** File on disk to read, streamed (never read whole into memory: binaries are 10-60 MB). */
  readonly source: string;
  /** Unix permission bits, e.g. 0o755 for the binary, 0o644 for the DLL. */
  readonly mode: number;
}

export interface ArchiveResult {
  readonly size: number;
  readonly sha256: string;
}

/** Printable ASCII without path separators: needs no UTF-8 flag in zip and no prefix field in tar. */
const PLAIN_NAME = /^[\x20-\x7e]{1,100}$/;
/** The zip extended timestamp is a signed 32-bit field; tar takes the same range so both formats accept the same inputs. */
const LATEST_MTIME = 2 ** 31 - 1;

/** Rejects inputs that neither format could record faithfully, before anything is written. */
export function checkEntries(entries: readonly ArchiveEntry[], mtime: number): void {
  if (!Number.isInteger(mtime) || mtime < 0 || mtime > LATEST_MTIME) {
    throw new Error(`Archive mtime ${mtime} is not a whole number of seconds between 1970 and 2038.`);
  }
  const seen = new Set<string>();
  for (const { name, mode } of entries) {
    if (!PLAIN_NAME.test(name) || /[/\\]/.test(name) || name === '.' || name === '..') {
      throw new Error(`Archive entry name '${name}' must be a plain file name of at most 100 printable ASCII characters.`);
    }
    if (seen.has(name)) throw new Error(`Archive entry name '${name}' appears twice.`);
    seen.add(name);
    if (!Number.isInteger(mode) || mode < 0 || mode > 0o7777) {
      throw new Error(`Archive entry '${name}' has mode ${mode}, which is not a set of Unix permission bits.`);
    }
  }
}

/** The size of an entry's source, which must be a regular file: headers record it before the bytes are streamed. */
export async function sourceSize(entry: ArchiveEntry): Promise<number> {
  const info = await stat(entry.source);
  if (!info.isFile()) throw new Error(`Archive entry '${entry.name}': ${entry.source} is not a regular file.`);
  return info.size;
}
