// Every file and folder the action writes goes through here. Files are created exclusively and
// without following a link (O_CREAT|O_EXCL|O_NOFOLLOW): a link planted at the name, in
// RUNNER_TEMP or in output-dir, makes the write fail or is replaced, never written through.
// Anything that holds a config, or an archive that does, is 0600 in a 0700 folder: a
// self-hosted runner's other users cannot read the cluster credential.
import { randomUUID } from 'node:crypto';
import { constants } from 'node:fs';
import { lstat, mkdir, open, readdir, rename, rm, type FileHandle } from 'node:fs/promises';
import path from 'node:path';

/** Readable by the runner's user only: configs, archives, the scratch folder's files. */
const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_FOLDER_MODE = 0o700;
/** Files that hold nothing secret (checksums, SBOM, images list): as `git` and `cp` would leave them. */
export const PUBLIC_FILE_MODE = 0o644;

const NO_FOLLOW = constants.O_NOFOLLOW ?? 0;
/** A new file: fails on anything already at the name, a link included. */
const EXCLUSIVE_CREATE = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | NO_FOLLOW;

/** Opens `file` as a new file (exclusive, no-follow) with `mode`, whatever the umask. */
export async function createExclusive(file: string, mode: number = PRIVATE_FILE_MODE): Promise<FileHandle> {
  const handle = await open(file, EXCLUSIVE_CREATE, mode);
  try {
    await handle.chmod(mode); // the umask may have taken bits away; never adds any
  } catch (error) {
    await handle.close();
    throw error;
  }
  return handle;
}

/** Writes `data` into a new file at `file` (exclusive, no-follow): fails if anything is there. */
export async function writePrivateFile(file: string, data: string | Uint8Array, mode: number = PRIVATE_FILE_MODE): Promise<void> {
  const handle = await createExclusive(file, mode);
  try {
    await handle.writeFile(data);
  } finally {
    await handle.close();
  }
}

/**
 * Replaces `file` with `data`: a new file beside it (exclusive, no-follow), renamed over it.
 * rename replaces a link at the name, never its target; readers never see half a file.
 */
export async function replaceFile(file: string, data: string | Uint8Array, mode: number = PRIVATE_FILE_MODE): Promise<void> {
  const partial = path.join(path.dirname(file), `.${path.basename(file)}.${randomUUID()}.partial`);
  try {
    await writePrivateFile(partial, data, mode);
    await rename(partial, file);
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
}

/**
 * Rewrites a file of the scratch tree: whatever stood at the name (a link included: rm never
 * follows the last component) is removed, and the bytes go into a new file there.
 */
export async function writeTreeFile(file: string, data: string | Uint8Array, mode: number = PRIVATE_FILE_MODE): Promise<void> {
  await rm(file, { force: true });
  await writePrivateFile(file, data, mode);
}

/**
 * Creates `dir` and any missing parents, 0700 (whatever the umask), and refuses one that is a
 * link or not a folder: mkdir never follows a link at its last component, and each existing
 * one is looked at with lstat.
 */
export async function makePrivateFolder(dir: string, mode: number = PRIVATE_FOLDER_MODE): Promise<void> {
  const missing: string[] = [];
  let current = path.resolve(dir);
  for (;;) {
    const stats = await lstat(current).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    if (stats !== undefined) {
      if (!stats.isDirectory()) throw new Error(`${current} is ${stats.isSymbolicLink() ? 'a link' : 'not a folder'}: nothing is written through it.`);
      break;
    }
    missing.unshift(current);
    const parent = path.dirname(current);
    if (parent === current) break;
    current = parent;
  }
  for (const folder of missing) {
    try {
      await mkdir(folder, { mode });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const stats = await lstat(folder);
    if (!stats.isDirectory()) throw new Error(`${folder} is ${stats.isSymbolicLink() ? 'a link' : 'not a folder'}: nothing is written through it.`);
    // mkdir's mode passes through the umask; a created folder gets exactly `mode`
    await setFolderMode(folder, mode);
  }
}

/** Sets a folder's mode through a handle opened without following a link. */
export async function setFolderMode(folder: string, mode: number = PRIVATE_FOLDER_MODE): Promise<void> {
  await chmodNoFollow(folder, mode, constants.O_DIRECTORY);
}

/**
 * Makes every regular file below `dir` 0600 and every folder 0700, links left alone (never
 * followed: each is opened with O_NOFOLLOW before its mode changes). For files another library
 * wrote (a downloaded workflow artifact), inside a folder that was 0700 from the start.
 */
export async function makeTreePrivate(dir: string): Promise<void> {
  const pending = [dir];
  while (pending.length > 0) {
    const folder = pending.pop()!;
    await chmodNoFollow(folder, PRIVATE_FOLDER_MODE, constants.O_DIRECTORY);
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      const item = path.join(folder, entry.name);
      if (entry.isDirectory()) pending.push(item);
      else if (entry.isFile()) await chmodNoFollow(item, PRIVATE_FILE_MODE, 0);
    }
  }
}

async function chmodNoFollow(file: string, mode: number, extra: number): Promise<void> {
  const handle = await open(file, constants.O_RDONLY | NO_FOLLOW | extra);
  try {
    await handle.chmod(mode);
  } finally {
    await handle.close();
  }
}
