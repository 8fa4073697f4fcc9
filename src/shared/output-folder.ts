// The output folder on disk. Its archives hold the credentials, so: it must lie inside the
// workspace once links are resolved (checked before anything is downloaded), and nothing is
// ever written through a link there. Files arrive by rename (which replaces a link at the
// name, never its target) or, across file systems, as a new file created exclusively without
// following links, then renamed into place.
import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, mkdir, realpath, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { InputError } from './errors.js';
import { printable } from './redact.js';
import { createExclusive, PRIVATE_FOLDER_MODE, PUBLIC_FILE_MODE, replaceFile, setFolderMode } from './private-files.js';

/** `child` is strictly below `parent` (both absolute, same spelling). */
export function isInside(child: string, parent: string): boolean {
  const relative = path.relative(parent, child);
  return relative !== '' && relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative);
}

function errnoOf(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException).code;
}

/**
 * The real path of `outputDir` (absolute, lexically inside `workspace`, as parseOutputDir gives
 * it): each existing component is looked at with lstat, a link is resolved with realpath, and
 * the result must stay strictly inside the workspace's real path. What exists must be a folder.
 * Creates nothing: a refused run leaves the disk as it was.
 */
export async function resolveOutputDir(outputDir: string, workspace: string): Promise<string> {
  const shown = printable(outputDir, 200);
  const realWorkspace = await realpath(workspace);
  const parts = path
    .relative(path.resolve(workspace), outputDir)
    .split(path.sep)
    .filter((part) => part !== '');
  let current = realWorkspace;
  for (const [index, part] of parts.entries()) {
    const next = path.join(current, part);
    let stats;
    try {
      stats = await lstat(next);
    } catch (error) {
      if (errnoOf(error) !== 'ENOENT') throw error;
      current = path.join(next, ...parts.slice(index + 1)); // the rest is created when the archives are ready
      break;
    }
    if (stats.isSymbolicLink()) {
      let target: string;
      try {
        target = await realpath(next);
      } catch {
        throw new InputError('output-dir', `'${shown}' goes through ${next}, a link to nothing; give a plain folder inside the workspace, such as ktctl-dist.`);
      }
      if (!isInside(target, realWorkspace)) {
        throw new InputError(
          'output-dir',
          `'${shown}' goes through ${next}, a link to ${printable(target, 200)}, outside the workspace; give a folder inside the workspace, such as ktctl-dist.`,
        );
      }
      stats = await lstat(target);
      current = target;
    } else {
      current = next;
    }
    if (!stats.isDirectory()) {
      throw new InputError('output-dir', `${next} exists and is not a folder; remove it or give another output-dir.`);
    }
  }
  if (!isInside(current, realWorkspace)) {
    throw new InputError('output-dir', `'${shown}' is not a folder inside the workspace; give one such as ktctl-dist.`);
  }
  return current;
}

/**
 * Creates `dir` (absolute) folder by folder, refusing any component that is a link or not a
 * folder: mkdir never follows a link at its last component, and each one is looked at with lstat.
 */
export async function makeFolderWithoutLinks(dir: string): Promise<void> {
  const { root } = path.parse(dir);
  let current = root;
  for (const part of path
    .relative(root, dir)
    .split(path.sep)
    .filter((p) => p !== '')) {
    current = path.join(current, part);
    let created = true;
    try {
      // a folder the action makes for the archives is the runner's user's only; one that was there is left as it is
      await mkdir(current, { mode: PRIVATE_FOLDER_MODE });
    } catch (error) {
      if (errnoOf(error) !== 'EEXIST') throw error;
      created = false;
    }
    const stats = await lstat(current);
    if (!stats.isDirectory()) {
      throw new Error(`${current} is ${stats.isSymbolicLink() ? 'a link' : 'not a folder'}: the archives are not written through it (input 'output-dir').`);
    }
    if (created) await setFolderMode(current); // the umask may have taken bits away
  }
}

/**
 * Moves the file `from` to `to`, replacing whatever stands at `to` without following it. rename
 * does that on one file system; across two (EXDEV), the bytes go into a fresh file beside `to`,
 * created exclusively and without following links (mode 0600, then `from`'s mode), which is
 * then renamed over `to`.
 */
export async function moveWithoutFollowing(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
    return;
  } catch (error) {
    if (errnoOf(error) !== 'EXDEV') throw placedError(error, to);
  }
  const partial = path.join(path.dirname(to), `.${path.basename(to)}.${randomUUID()}.partial`);
  // created 0600, then given the staged file's mode: archives stay the runner's user's only
  const mode = (await stat(from)).mode & 0o777;
  const handle = await createExclusive(partial);
  try {
    await handle.chmod(mode);
    await pipeline(createReadStream(from), handle.createWriteStream()); // which closes the handle
    await rename(partial, to);
  } catch (error) {
    await handle.close().catch(() => {}); // closed already unless chmod failed
    await rm(partial, { force: true });
    throw placedError(error, to);
  }
  await rm(from, { force: true });
}

/** Writes `text` to `file` in output-dir the same way: a new file, exclusive and no-follow, renamed into place. */
export async function writeWithoutFollowing(file: string, text: string, mode: number = PUBLIC_FILE_MODE): Promise<void> {
  try {
    await replaceFile(file, text, mode);
  } catch (error) {
    throw placedError(error, file);
  }
}

function placedError(error: unknown, to: string): unknown {
  const code = errnoOf(error);
  if (code === 'EISDIR' || code === 'ENOTEMPTY' || code === 'EEXIST') {
    return new Error(`A folder stands where ${to} goes; remove it or give another output-dir.`);
  }
  return error;
}
