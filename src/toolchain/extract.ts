// Unpacks a downloaded archive and hands out only regular files from it. A hash pins the
// archive's bytes, not what they unpack to: a symbolic link entry (`wintun.dll -> /home/...`)
// would make the action read, run or ship a file of the runner. So every file taken from an
// archive is checked with lstat, component by component, after unpacking: each folder on its
// path a real folder, the file itself a regular file. One module for every download (Go, upx,
// wintun), so the rule holds everywhere.
import { randomUUID } from 'node:crypto';
import { lstat, rm } from 'node:fs/promises';
import { makePrivateFolder, messageOf, run, redactUrl } from '../shared/index.js';
import os from 'node:os';
import path from 'node:path';

export type ArchiveFormat = 'zip' | 'tar.gz' | 'tar.xz';

/** Where a downloaded archive came from: the input that names it, for every error. */
export interface ArchiveOrigin {
  /** The input its address came from: 'wintun-url', 'upx-download-base-url', 'go-download-base-url'. */
  readonly input: string;
  readonly url: string;
}

export interface ExtractOptions {
  /** Folder to unpack into (created); default a fresh folder under RUNNER_TEMP, as @actions/tool-cache does. */
  readonly into?: string;
  /** Paths inside the archive, with '/' separators, that the caller will use: each must be a regular file. */
  readonly take: readonly string[];
}

/**
 * Unpacks `archive` and returns the folder it went into, once every path in `take` is a regular
 * file reached through real folders. An archive the unpacker rejects is an error naming the
 * input and saying so; on any error the unpacked files are removed.
 */
export async function extractDownload(archive: string, format: ArchiveFormat, origin: ArchiveOrigin, options: ExtractOptions): Promise<string> {
  const into = options.into ?? path.join(process.env['RUNNER_TEMP'] || os.tmpdir(), randomUUID());
  await makePrivateFolder(into, 0o755); // the toolchain holds nothing secret: as the tool cache keeps it
  try {
    try {
      await unpack(archive, format, into);
    } catch (error) {
      throw new Error(
        `Input '${origin.input}': ${redactUrl(origin.url)} is not a valid ${format} archive (${messageOf(error)}); check that the address serves the release file itself, not an error page or a cut copy.`,
      );
    }
    for (const file of options.take) await checkRegularFile(into, file, origin);
    return into;
  } catch (error) {
    await rm(into, { recursive: true, force: true });
    throw error;
  }
}

/**
 * The unpacker's command line. Started by process.ts, like every program the action runs, so a
 * cancelled run stops it too (@actions/tool-cache's extractors start theirs on their own). The
 * same programs as @actions/tool-cache uses where they exist: `tar` for tar archives, `unzip` for
 * zip on Linux and macOS. Windows has no unzip; its own tar (bsdtar, in System32 since Windows 10
 * 1803, and not Git's GNU tar that may come first on PATH) unpacks zip.
 */
export function unpackCommand(
  archive: string,
  format: ArchiveFormat,
  into: string,
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
): { command: string; args: string[] } {
  if (format === 'zip') {
    if (platform === 'win32')
      return { command: path.win32.join(env['SystemRoot'] ?? 'C:\\Windows', 'System32', 'tar.exe'), args: ['-x', '-f', archive, '-C', into] };
    return { command: 'unzip', args: ['-o', '-q', archive, '-d', into] };
  }
  return { command: 'tar', args: ['-x', format === 'tar.xz' ? '-J' : '-z', '-f', archive, '-C', into] };
}

async function unpack(archive: string, format: ArchiveFormat, into: string): Promise<void> {
  const { command, args } = unpackCommand(archive, format, into);
  await run(command, args, { what: `${path.basename(command)} unpacking ${path.basename(archive)}` });
}

/**
 * Refuses unless `relative` (inside `root`, '/' separators) is a regular file and every folder
 * on the way a real folder, not a link: lstat never follows the last component.
 */
async function checkRegularFile(root: string, relative: string, origin: ArchiveOrigin): Promise<string> {
  const parts = relative.split('/');
  let current = root;
  for (const [index, part] of parts.entries()) {
    current = path.join(current, part);
    const shown = parts.slice(0, index + 1).join('/');
    const last = index === parts.length - 1;
    let kind: string;
    try {
      const stats = await lstat(current);
      if (last ? stats.isFile() : stats.isDirectory()) continue;
      kind = stats.isSymbolicLink() ? 'a symbolic link' : stats.isDirectory() ? 'a folder' : 'not a regular file';
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw error;
      throw new Error(`Input '${origin.input}': ${redactUrl(origin.url)} has no ${relative}; point '${origin.input}' at the official release file.`);
    }
    throw new Error(
      `Input '${origin.input}': in ${redactUrl(origin.url)}, ${shown} is ${kind}, not a ${last ? 'regular file' : 'folder'}: only regular files are taken from a download; point '${origin.input}' at the official release file.`,
    );
  }
  return current;
}
