// A file an input names in the calling repository (release-body-file). The path is taken like
// output-dir: relative to the workspace (or absolute inside it), and it must still be inside the
// workspace once every link on the way is resolved, component by component; the file itself must
// be a regular file. Anything else is refused naming the input, before anything is downloaded.
import { constants } from 'node:fs';
import { lstat, open, realpath } from 'node:fs/promises';
import path from 'node:path';
import { InputError, isInside, printable } from '../shared/index.js';

function errnoOf(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException).code;
}

/**
 * The real path of the regular file `given` names inside `workspace`. Each component is looked at
 * with lstat; a link is resolved with realpath and must land inside the workspace's real path
 * (a linked folder pointing outside is refused, not only a link at the last component).
 */
export async function resolveWorkspaceFile(input: string, given: string, workspace: string, example: string): Promise<string> {
  const shown = printable(given, 200);
  const lexical = path.resolve(workspace, given);
  if (!isInside(lexical, path.resolve(workspace))) {
    throw new InputError(input, `'${shown}' is outside the workspace; give the path of a file in the repository, such as ${example}.`);
  }
  const realWorkspace = await realpath(workspace);
  const parts = path.relative(path.resolve(workspace), lexical).split(path.sep);
  let current = realWorkspace;
  for (const part of parts) {
    const next = path.join(current, part);
    let stats;
    try {
      stats = await lstat(next);
    } catch (error) {
      if (errnoOf(error) !== 'ENOENT' && errnoOf(error) !== 'ENOTDIR') throw error;
      throw new InputError(input, `'${shown}' does not exist in the workspace; check out the repository first (actions/checkout) and check the path.`);
    }
    if (stats.isSymbolicLink()) {
      const target = await realpath(next).catch(() => undefined);
      if (target === undefined || !isInside(target, realWorkspace)) {
        throw new InputError(
          input,
          `'${shown}' goes through a link that leads ${target === undefined ? 'nowhere' : 'outside the workspace'}; give a file inside the workspace, such as ${example}.`,
        );
      }
      current = target;
    } else {
      current = next;
    }
  }
  const stats = await lstat(current);
  if (!stats.isFile()) throw new InputError(input, `'${shown}' is not a regular file; give the path of a file in the repository, such as ${example}.`);
  return current;
}

/**
 * The text of that file, read through a descriptor opened without following a link (the path was
 * resolved just before: a link planted since then makes the open fail rather than be followed).
 */
export async function readWorkspaceFile(input: string, given: string, workspace: string, example: string, maxBytes: number): Promise<string> {
  const file = await resolveWorkspaceFile(input, given, workspace, example);
  const handle = await open(file, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0)).catch((error: unknown) => {
    throw new InputError(input, `'${printable(given, 200)}' could not be opened (${errnoOf(error) ?? 'error'}); give a regular file inside the workspace.`);
  });
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw new InputError(input, `'${printable(given, 200)}' is not a regular file.`);
    if (stats.size > maxBytes) throw new InputError(input, `is ${stats.size} bytes, more than GitHub accepts for a release body.`);
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}
